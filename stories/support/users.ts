/**
 * Users for stories, without a server: clients on one in-page hub (`createLocalHub` of
 * `comms-kit/local`, `client.useLocalBackend`), with real RTCPeerConnections. In Chromium with fake media devices
 * (and in any browser that grants the camera and microphone) their calls carry real audio and
 * video. Every client is destroyed when the story goes away.
 */
import { createClient, type ClientState, type CommsClient } from '../../core/client.js';
import {
  createLocalHub,
  scriptUser,
  type LocalHub,
  type LocalHubOptions,
  type ScriptedUser,
} from '../../core/local.js';
import type { StoryScope } from './scope.js';

/** A user of a story: an id that calls reach, a name to show, and their client. */
export interface StoryUser {
  id: string;
  name: string;
  client: CommsClient;
}

/** The users of one story and the hub they share. */
export interface Cast {
  hub: LocalHub;
  /** Adds a user (a client registered on the hub as `{id, displayName: name}`). */
  join(id: string, name: string): StoryUser;
}

/** A client that logs nothing and is destroyed with the story. */
export function storyClient(scope: StoryScope, config: Record<string, unknown> = {}): CommsClient {
  const client = createClient({ logs: { logLevel: 'silent' }, ...config });
  scope.add(() => client.destroy());
  return client;
}

/**
 * A hub for one story. Defaults suit a catalog: several calls per user allowed, and an
 * unanswered call rings for ten minutes (pass `hub` options to change them).
 */
export function cast(scope: StoryScope, hub: LocalHubOptions = {}): Cast {
  const shared = createLocalHub({ multiCall: true, noAnswerTimeout: 600_000, ...hub });
  return {
    hub: shared,
    join(id, name) {
      const client = storyClient(scope);
      client.useLocalBackend(shared, { id, displayName: name });
      return { id, name, client };
    },
  };
}

/**
 * Someone else on the story's hub, driven by one-line actions (`say`, `setPresence`,
 * `addContacts`, `call`, `answerCalls`, `goAway`: `comms-kit/local`'s `scriptUser`); resolves once connected.
 * Their client is destroyed with the story.
 */
export async function scripted(
  scope: StoryScope,
  hub: LocalHub,
  id: string,
  name: string,
): Promise<ScriptedUser> {
  const user = await scriptUser(hub, { id, displayName: name }, { logs: { logLevel: 'silent' } });
  scope.add(() => user.client.destroy());
  return user;
}

/** The usual pair: "me" (the user whose elements the story shows) and "them". */
export function pair(scope: StoryScope): Cast & { me: StoryUser; them: StoryUser } {
  const users = cast(scope);
  return {
    ...users,
    me: users.join('alice', 'Alice Liddell'),
    them: users.join('bob', 'Bob Builder'),
  };
}

/** Resolves once `predicate` holds for `client`'s state (now or after a change). */
export function until(
  client: CommsClient,
  predicate: (state: ClientState) => boolean,
): Promise<void> {
  return new Promise((resolve) => {
    if (predicate(client.store.getState())) return resolve();
    const stop = client.store.subscribe((state) => {
      if (!predicate(state)) return;
      stop();
      resolve();
    });
  });
}

/**
 * A gateway address nothing listens on: a privileged port (no user process can open it) that
 * browsers do not block as unsafe, so connecting fails as it does for a gateway that is down.
 */
export const CLOSED_SERVER = 'http://127.0.0.1:47';
