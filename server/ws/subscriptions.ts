/**
 * Subscriptions (`subscribe`, `unsubscribe`, `subscription.extend`), one per socket, keyed by
 * `(user, clientCorrelator)`:
 * - the same correlator subscribed from another socket (here or on another node) replaces the
 *   earlier subscription, whose socket is told `subscription:change` `replaced`;
 * - different correlators coexist (one user, several devices);
 * - a subscription lapses `expires` seconds after it was made or last extended, and its socket
 *   is told `subscription:change` `expired`;
 * - a subscription lives with its socket: when the socket closes, it is gone.
 */
import { randomUUID } from 'node:crypto';
import {
  SUBSCRIPTION_EXPIRES,
  WireErrorCodes,
  type ServiceName,
} from '../../core/protocol/constants.js';
import type { RequestFrame, Subscription } from '../../core/protocol/schema.js';
import { userChannel, type Bus, type SubscriptionClaimedMessage } from '../bus/types.js';
import type { Clock } from '../clock.js';
import { WireError } from '../errors.js';
import { wireSubscription, type ActiveSubscription, type Connection } from './connection.js';
import type { SocketRegistry } from './registry.js';

const notFound = () =>
  new WireError(
    WireErrorCodes.SUBSCRIPTION_NOT_FOUND,
    'this socket has no subscription: send `subscribe` first',
  );

/** True when `a` was claimed before `b` (ties broken by id, the same on every node). */
const older = (a: { claimedAt: number; id: string }, b: { claimedAt: number; id: string }) =>
  a.claimedAt < b.claimedAt || (a.claimedAt === b.claimedAt && a.id < b.id);

/** Why a socket's subscription changed. */
export type SubscriptionChangeReason =
  'subscribe' | 'unsubscribe' | 'extend' | 'replaced' | 'expired' | 'closed';

/**
 * Told each time a socket's subscription changes (its services may be the same: an extension),
 * and once when the socket closes (`closed`, with `next` null).
 */
export type SubscriptionListener = (
  conn: Connection,
  previous: ActiveSubscription | null,
  next: ActiveSubscription | null,
  reason: SubscriptionChangeReason,
) => void | Promise<unknown>;

export class SubscriptionManager {
  private readonly registry: SocketRegistry;
  private readonly listeners: SubscriptionListener[] = [];
  private readonly bus: Bus;
  private readonly clock: Clock;
  /** The last claim time handed out: claims on one node are strictly ordered. */
  private lastClaim = 0;

  /**
   * When a claim is made, in ms with microseconds: the wall clock at sub-millisecond precision
   * (not the injected clock: claims of two nodes are ordered by when they happened, and
   * nothing else compares with it), and later than this node's previous claim. Whole
   * milliseconds made claims on two nodes in the same millisecond tie, and a node that claimed
   * several in one millisecond ran ahead of the others, so a later claim could lose.
   */
  private claimTime(): number {
    return (this.lastClaim = Math.max(
      performance.timeOrigin + performance.now(),
      this.lastClaim + 0.001,
    ));
  }

  constructor(deps: { registry: SocketRegistry; bus: Bus; clock: Clock }) {
    this.registry = deps.registry;
    this.bus = deps.bus;
    this.clock = deps.clock;
  }

  /**
   * Adds a listener of subscription changes (presence follows the `presence` service). A
   * promise it returns is awaited before `subscribe` replies (its failure fails the request);
   * on other changes the listener handles its own failures.
   */
  onChange(listener: SubscriptionListener): void {
    this.listeners.push(listener);
  }

  /**
   * Subscribes the socket. With the correlator it already holds, the services are added and
   * the lifetime restarts; with another one, the socket's subscription is replaced by a new one.
   */
  async subscribe(conn: Connection, frame: RequestFrame<'subscribe'>): Promise<Subscription> {
    const now = this.clock.now();
    const expires = frame.expires ?? SUBSCRIPTION_EXPIRES.DEFAULT;
    const current = conn.subscription;
    const same = current?.clientCorrelator === frame.clientCorrelator;
    const next: ActiveSubscription = {
      id: same ? current!.id : randomUUID(),
      clientCorrelator: frame.clientCorrelator,
      services: same ? union(current!.services, frame.services) : [...frame.services],
      expires,
      expiresAt: now + expires * 1000,
      claimedAt: same ? current!.claimedAt : this.claimTime(),
      ...(frame.multiCall ? { multiCall: true } : {}),
    };
    // What listeners must have done before the reply (a device reachable for calls on every
    // node); a failure fails the subscribe.
    const done = this.set(conn, next, 'subscribe');
    await Promise.all(done);
    if (!same) {
      const claim: SubscriptionClaimedMessage = {
        type: 'subscription.claimed',
        userId: conn.userId,
        clientCorrelator: next.clientCorrelator,
        subscriptionId: next.id,
        claimedAt: next.claimedAt,
      };
      await this.bus.publish(userChannel(conn.userId), claim);
    }
    return wireSubscription(next);
  }

  /** Removes some services, or all; null when none is left. */
  unsubscribe(conn: Connection, frame: RequestFrame<'unsubscribe'>): Subscription | null {
    const current = conn.subscription;
    if (!current) throw notFound();
    const left = frame.services ? current.services.filter((s) => !frame.services!.includes(s)) : [];
    if (!left.length) {
      this.set(conn, null, 'unsubscribe');
      return null;
    }
    const next = { ...current, services: left };
    this.set(conn, next, 'unsubscribe', false);
    return wireSubscription(next);
  }

  /** Restarts the lifetime (with a new `expires`, or the one it has). */
  extend(conn: Connection, frame: RequestFrame<'subscription.extend'>): Subscription {
    const current = conn.subscription;
    if (!current) throw notFound();
    const expires = frame.expires ?? current.expires;
    const next = { ...current, expires, expiresAt: this.clock.now() + expires * 1000 };
    this.set(conn, next, 'extend');
    return wireSubscription(next);
  }

  /** Another socket claimed `(user, correlator)`: older holders drop theirs. */
  claimed(message: SubscriptionClaimedMessage): void {
    const claim = { claimedAt: message.claimedAt, id: message.subscriptionId };
    for (const conn of this.registry.byUser(message.userId)) {
      const sub = conn.subscription;
      if (sub?.clientCorrelator !== message.clientCorrelator || sub.id === message.subscriptionId)
        continue;
      if (!older(sub, claim)) continue;
      this.set(conn, null, 'replaced');
      conn.event('subscription:change', { reason: 'replaced', subscription: null });
    }
  }

  /** The socket closed: forget its subscription (the socket is not told; listeners are). */
  drop(conn: Connection): void {
    this.set(conn, null, 'closed');
  }

  private set(
    conn: Connection,
    next: ActiveSubscription | null,
    reason: SubscriptionChangeReason,
    reschedule = true,
  ): Array<Promise<unknown>> {
    const previous = conn.subscription;
    conn.subscription = next;
    this.registry.setSubscription(conn, previous?.id ?? null, next?.id ?? null);
    const done: Array<Promise<unknown>> = [];
    for (const listener of this.listeners) {
      const result = listener(conn, previous, next, reason);
      if (result) done.push(result);
    }
    if (!reschedule && next) return done;
    conn.subscriptionTimer?.cancel();
    conn.subscriptionTimer = undefined;
    if (!next) return done;
    conn.subscriptionTimer = this.clock.setTimeout(() => {
      if (conn.subscription?.id !== next.id) return;
      this.set(conn, null, 'expired');
      conn.event('subscription:change', { reason: 'expired', subscription: null });
    }, next.expiresAt - this.clock.now());
    return done;
  }
}

function union(a: readonly ServiceName[], b: readonly ServiceName[]): ServiceName[] {
  return [...new Set([...a, ...b])];
}
