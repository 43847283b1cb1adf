/**
 * A scripted user on an in-page hub: a real client joined to the hub, with one-line actions
 * for stories, demos and tests that need "someone else" (Bob calls, writes, changes his
 * presence, goes away). Everything it does goes through the same client API and hub rules as
 * any other client; `client` is there for the rest.
 */
import { createClient, type CommsClient } from '../../client.js';
import type { ClientConfig } from '../../config.js';
import { CommsError } from '../../errors.js';
import type { MediaRequest } from '../../media/types.js';
import type { RemoteParty } from '../../call/signalling.js';
import type { PresenceActivity } from '../../presence/state.js';
import type { LocalHub } from './hub.js';

/** A user driven by a script (see {@link scriptUser}). */
export interface ScriptedUser {
  /** The user's id on the hub. */
  readonly id: string;
  /** The real client behind the user. */
  readonly client: CommsClient;
  /** Sends a text message to a user; resolves once the hub stored it (rejects if refused). */
  say(to: string, text: string): Promise<void>;
  /** Calls a user (audio unless told); returns the call id at once. */
  call(to: string, media?: MediaRequest): string;
  /** Answers every incoming call from now on (audio unless told). Returns a function that stops. */
  answerCalls(media?: MediaRequest): () => void;
  /** Ends every call of this user. */
  hangUp(): Promise<void>;
  /** Sets the presence others see (status open) with an activity and a note. */
  setPresence(activity: PresenceActivity, note?: string): Promise<void>;
  /** Adds users as contacts (presence is shared between mutual contacts by default). */
  addContacts(...users: string[]): Promise<void>;
  /** Leaves the hub at once: calls end, presence turns offline, the client is destroyed. */
  goAway(): Promise<void>;
}

/**
 * Joins `party` to `hub` as a scripted user; resolves once connected.
 *
 * @example
 * const hub = createLocalHub({ presenceScope: 'all' });
 * me.useLocalBackend(hub, { id: 'ada', displayName: 'Ada' });
 * const bob = await scriptUser(hub, { id: 'bob', displayName: 'Bob' });
 * await bob.setPresence('busy', 'in a meeting');
 * await bob.say('ada', 'Call me when you can');
 * bob.answerCalls();
 */
export async function scriptUser(
  hub: LocalHub,
  party: RemoteParty,
  config: ClientConfig = {},
): Promise<ScriptedUser> {
  const client = createClient({ logs: { logLevel: 'warn' }, ...config });
  client.useLocalBackend(hub, party);
  await client.connect();
  const user: ScriptedUser = {
    id: party.id,
    client,
    say(to, text) {
      const sent = client.conversation.get(to).createMessage({ type: 'text', text }).send();
      return new Promise((resolve, reject) => {
        const settle = () => {
          if (client.destroyed) {
            off();
            reject(new CommsError('client:destroyed', 'the scripted user went away'));
            return;
          }
          const message = client.conversation.get(to).getMessage(sent.clientId);
          if (message?.status === 'failed') {
            off();
            reject(
              new CommsError(
                message.error?.code ?? 'message:failed',
                message.error?.message ?? 'the message failed',
              ),
            );
          } else if (message && !message.isPending) {
            off();
            resolve();
          }
        };
        const off = client.on('messages:change', settle);
        settle();
      });
    },
    call: (to, media = { audio: true }) => client.call.make(to, media),
    answerCalls(media = { audio: true }) {
      // An incoming call can be answered once it rings (after `call:receive`).
      return client.on('call:stateChange', ({ callId }) => {
        const call = client.call.getById(callId);
        if (call?.direction === 'incoming' && call.state === client.call.states.RINGING)
          client.call.answer(callId, media).catch(() => undefined);
      });
    },
    async hangUp() {
      await Promise.all(
        client.call.getAll().map((c) => client.call.end(c.id).catch(() => undefined)),
      );
    },
    async setPresence(activity, note = '') {
      await client.presence.update('open', activity, note);
    },
    async addContacts(...users) {
      for (const primaryContact of users) await client.contacts.add({ primaryContact });
    },
    goAway: () => client.destroy(),
  };
  return user;
}
