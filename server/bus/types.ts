/**
 * The gateway's internal event bus: how one node tells the node that holds a user's sockets
 * that something happened. Messages are plain JSON (a Redis implementation sends them as
 * they are). The embedded implementation (`./memory.ts`) delivers within one process.
 *
 * Channels: {@link userChannel} carries what concerns one user's sockets. A node subscribes to
 * a user's channel while it holds at least one socket of that user, so a publisher never needs
 * to know which node that is. {@link presenceChannel} carries one user's presence changes to
 * the nodes that hold sockets watching that user.
 */
import type { ServiceName } from '../../core/protocol/constants.js';
import type { EventName, Presence } from '../../core/protocol/schema.js';

/** The session (refresh-token family) was revoked: close its sockets with SESSION_REVOKED. */
export interface SessionRevokedMessage {
  type: 'session.revoked';
  userId: string;
  familyId: string;
  /** `'logout'`, `'reuse'`, … */
  reason: string;
}

/**
 * A socket took the subscription `(userId, clientCorrelator)`: any other socket holding a
 * subscription with that correlator drops it and is told `subscription:change` `replaced`.
 */
export interface SubscriptionClaimedMessage {
  type: 'subscription.claimed';
  userId: string;
  clientCorrelator: string;
  /** The new subscription's id (its holder keeps it). */
  subscriptionId: string;
  /**
   * When it was claimed (ms, with microseconds): only older subscriptions give way, so racing
   * claims agree.
   */
  claimedAt: number;
}

/**
 * Push an event to a user's sockets, on whichever node holds them: the sockets subscribed to
 * `service` (every socket of the user when null), except the one with id `exceptConnection`
 * (the socket whose request caused it, which learns from its reply).
 */
export interface UserEventMessage {
  type: 'user.event';
  userId: string;
  service: ServiceName | null;
  exceptConnection: string | null;
  event: EventName;
  /** The event frame as sockets get it (JSON text, serialised once for every receiver). */
  frame: string;
  /**
   * The gateway node that pushed it. That node has already sent it to its own sockets (at
   * once, without the bus's round trip) and ignores its own copy; the other nodes send it to
   * theirs.
   */
  origin: string;
}

/**
 * A user's call activity (published by call signalling on the user's channel): presence shows
 * `on-the-phone` while any call is active. `userId` is the user's internal id; `callId`, when
 * given, lets calls overlap (the user is in a call until each call id has ended).
 */
export interface CallActivityMessage {
  type: 'call.activity';
  userId: string;
  inCall: boolean;
  callId?: string;
}

/**
 * Two users now have each other as contacts (published by the contacts service on `userId`'s
 * channel, and the other way round on `otherId`'s): `userId`'s presence sockets start watching
 * `otherId` and get their presence at once, without waiting for the client to subscribe.
 */
export interface PresenceSharedMessage {
  type: 'presence.shared';
  userId: string;
  otherId: string;
}

/** A user's presence changed: published on {@link presenceChannel} for the nodes that watch. */
export interface PresenceChangedMessage {
  type: 'presence.changed';
  /** The user's internal id. */
  userId: string;
  presence: Presence;
}

/** Every message the bus carries. Features add theirs to this union. */
export type BusMessage =
  | SessionRevokedMessage
  | SubscriptionClaimedMessage
  | CallEventMessage
  | UserEventMessage
  | CallActivityMessage
  | PresenceSharedMessage
  | PresenceChangedMessage;

/** Receives the messages published on a channel. */
export type BusHandler = (message: BusMessage) => void;

/** Stops a subscription. */
export type BusUnsubscribe = () => Promise<void>;

/** Publish/subscribe between gateway nodes. */
export interface Bus {
  /**
   * Whether other processes get what is published here (Redis: yes). When not, a gateway
   * that has sent an event to its own sockets has nothing to publish.
   */
  readonly shared: boolean;
  /** Delivers `message` to every handler subscribed to `channel`, on every node. */
  publish(channel: string, message: BusMessage): Promise<void>;
  /** Calls `handler` with each message published on `channel` from now on. */
  subscribe(channel: string, handler: BusHandler): Promise<BusUnsubscribe>;
  /** Stops delivering; later calls reject. */
  close(): Promise<void>;
}

/** The channel of one user's sockets. */
export const userChannel = (userId: string): string => `user:${userId}`;

// ── calls ──

/**
 * A `call:*` event for some sockets of one user (a call's devices): the node that holds them
 * sends it; the others ignore it. Published on the user's channel.
 */
export interface CallEventMessage {
  type: 'call.event';
  userId: string;
  /** The sockets (`Connection.id`) to send it to. */
  connIds: string[];
  /** The event name (`call:incoming`, `call:ended`, …). */
  event: string;
  /** Its payload (as in `EventPayloads` of `core/protocol/schema.ts`). */
  payload: Record<string, unknown>;
}

/** The channel of one user's presence changes (a node listens while it has watchers). */
export const presenceChannel = (userId: string): string => `presence:${userId}`;
