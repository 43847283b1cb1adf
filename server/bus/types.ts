/**
 * The gateway's internal event bus: how one node tells the node that holds a user's sockets
 * that something happened. Messages are plain JSON (a Redis implementation sends them as
 * they are). The embedded implementation (`./memory.ts`) delivers within one process.
 *
 * Channels: {@link userChannel} carries what concerns one user's sockets. A node subscribes to
 * a user's channel while it holds at least one socket of that user, so a publisher never needs
 * to know which node that is.
 */

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
  /** When it was claimed (ms): only older subscriptions give way, so racing claims agree. */
  claimedAt: number;
}

/** Every message the bus carries. Features add theirs to this union. */
export type BusMessage =
  SessionRevokedMessage | SubscriptionClaimedMessage | CallEventMessage | CallActivityMessage;

/** Receives the messages published on a channel. */
export type BusHandler = (message: BusMessage) => void;

/** Stops a subscription. */
export type BusUnsubscribe = () => Promise<void>;

/** Publish/subscribe between gateway nodes. */
export interface Bus {
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

/**
 * The user entered (`inCall: true`) or left (`inCall: false`) an answered call: for presence
 * ("on the phone"). Published on the user's channel; a user in several answered calls leaves
 * only when the last one ends.
 */
export interface CallActivityMessage {
  type: 'call.activity';
  userId: string;
  inCall: boolean;
}
