/**
 * What the two halves of the in-page gateway share: `gateway.ts` (in the initial load: users,
 * conversations, seeding, reachability) and `protocol.ts` (loaded by `import()` when a hub is
 * created: frames, subscriptions, presence, messaging, contacts, directory). Neither imports
 * values from the other: the protocol gets the state through {@link GatewayState}.
 */
import { CommsError } from '../../errors.js';
import { effectivePresence } from '../../protocol/presence.js';
import type { Contact, Conversation, Message, Presence } from '../../protocol/schema.js';
import type { SocketLike } from '../../transport/types.js';
import type { LocalGatewayOptions } from './gateway.js';

export type Frame = Record<string, unknown>;
export type Later = (task: () => void) => void;
export type Status = Presence['status'];
export type Activity = Presence['activity'];

export interface Sub {
  id: string;
  clientCorrelator: string;
  services: string[];
  expires: number;
  expiresAt: number;
  timer: ReturnType<typeof setTimeout> | undefined;
}

export interface Conn {
  user: User;
  socket: LocalSocketLike;
  subscription: Sub | null;
  watching: Set<string>;
}

export interface User {
  id: string;
  displayName: string;
  createdAt: number;
  contacts: Contact[];
  status: Status;
  activity: Activity;
  note: string;
  updatedAt: number;
  online: boolean;
  sockets: Set<Conn>;
  available: Set<Conn>;
  calls: Set<string>;
  offlineTimer: ReturnType<typeof setTimeout> | undefined;
  published: string;
}

export interface LocalConversation {
  id: string;
  type: Conversation['type'];
  name: string | null;
  pairKey: string | null;
  createdAt: number;
  members: Map<string, { deliveredSeq: number; readSeq: number }>;
  messages: Message[];
}

/** The hub's side of a socket (`LocalSocket` in `protocol.ts`). */
export interface LocalSocketLike extends SocketLike {
  /** Closes from either side; the client hears `onclose` after what was already sent. */
  end(code: number, reason?: string): void;
  /** Gives the client a frame. */
  push(text: string): void;
}

/** The gateway's state and the operations both halves use. */
export interface GatewayState {
  options: LocalGatewayOptions;
  /** Runs a task as the hub delivers (after its latency). */
  deliver: Later;
  users: Map<string, User>;
  conns: Set<Conn>;
  conversations: Map<string, LocalConversation>;
  /** Stored messages by `sender \n clientId`: each is stored once. */
  byClientId: Map<string, Message>;
  /** While false, sockets are refused. */
  reachable: boolean;
  ensureUser(party: { id: string; displayName: string }): User;
  /** The user a reference names: their id (any case), also as `tel:`/`sip:` URI. */
  resolve(ref: string): User | undefined;
  addConversation(
    type: Conversation['type'],
    memberIds: string[],
    name: string | null,
    pairKey: string | null,
  ): LocalConversation;
  /** After a change of `p`'s presence: records it and tells the watchers when it moved. */
  changed(p: User, chosen: boolean): void;
  /** Set by the protocol once loaded: pushes `p`'s presence to whoever watches and may see it. */
  notify?: (p: User) => void;
}

/** A network failure's close code (as a browser reports it). */
export const ABNORMAL = 1006;

export const wire = (code: string, message: string) => new CommsError(code, message);

/** The presence others see (the rule both gateways share). */
export const effective = (p: User): Presence =>
  effectivePresence({
    userId: p.id,
    online: p.online,
    status: p.status,
    activity: p.activity,
    note: p.note,
    inCall: p.calls.size > 0,
    available: p.available.size > 0,
    updatedAt: p.updatedAt,
  });
