/**
 * Two (or more) real clients on one in-page hub, for element tests that drive real calls:
 * real RTCPeerConnections with Chromium's fake camera and microphone.
 */
import { createClient, type CommsClient } from '../../core/index.js';
import { createLocalHub } from '../../core/local.js';
import { nextEvent, until } from './waits.js';

export interface Party {
  client: CommsClient;
  id: string;
  name: string;
}

export interface Pair {
  /** The first user. */
  a: Party;
  /** The second user. */
  b: Party;
  /** Another user on the same hub. */
  join(id: string, name?: string): Party;
  /** Destroys every client. */
  teardown(): Promise<void>;
}

let counter = 0;

/** Two users on a fresh hub (several calls per user allowed, so switching can be tested). */
export function pair(): Pair {
  const hub = createLocalHub({ multiCall: true, noAnswerTimeout: 60000 });
  const clients: CommsClient[] = [];
  const run = ++counter;
  const join = (id: string, name = id) => {
    const client = createClient({ logs: { logLevel: 'silent' } });
    client.useLocalBackend(hub, { id, displayName: name });
    clients.push(client);
    return { client, id, name };
  };
  return {
    a: join(`alice-${run}`, 'Alice Liddell'),
    b: join(`bob-${run}`, 'Bob Builder'),
    join: (id, name) => join(`${id}-${run}`, name),
    teardown: () => Promise.all(clients.map((c) => c.destroy())).then(() => undefined),
  };
}

/** Resolves once call `callId` of `client` is in `state`. */
export function reach(client: CommsClient, callId: string, state: string) {
  return until(client, (s) => s.call.calls[callId]?.state === state);
}

/** `from` calls `to` through the core and `to` answers: both connected. */
export async function connectedCall(from: Party, to: Party, media = { audio: true }) {
  const received = nextEvent(to.client, 'call:receive');
  const callId = from.client.call.make(to.id, media);
  await received;
  await reach(to.client, callId, 'Ringing');
  await to.client.call.answer(callId, media);
  await reach(from.client, callId, 'Connected');
  return callId;
}
