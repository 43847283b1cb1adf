/**
 * The sockets this node holds, indexed by user and by subscription (a session's sockets are
 * found among its user's: an index by session would cost a set for nearly every socket). While it holds a user's socket, the node listens on that
 * user's bus channel, so messages about the user reach it wherever they were published.
 */
import { userChannel, type Bus, type BusHandler, type BusUnsubscribe } from '../bus/types.js';
import type { Connection } from './connection.js';

function addTo<K, V>(map: Map<K, Set<V>>, key: K, value: V): void {
  let set = map.get(key);
  if (!set) map.set(key, (set = new Set()));
  set.add(value);
}

function removeFrom<K, V>(map: Map<K, Set<V>>, key: K, value: V): void {
  const set = map.get(key);
  if (!set) return;
  set.delete(value);
  if (!set.size) map.delete(key);
}

export class SocketRegistry {
  private readonly users = new Map<string, Set<Connection>>();
  private readonly subscriptions = new Map<string, Connection>();
  private readonly channels = new Map<string, Promise<BusUnsubscribe>>();
  private count = 0;
  private readonly bus: Bus;
  private readonly onMessage: BusHandler;

  /** @param onMessage receives the messages on the channels of the users it holds */
  constructor(bus: Bus, onMessage: BusHandler) {
    this.bus = bus;
    this.onMessage = onMessage;
  }

  /** Adds a socket; resolves once its user's channel is listened to (rejects if it cannot be). */
  async add(conn: Connection): Promise<void> {
    this.count += 1;
    addTo(this.users, conn.userId, conn);
    let channel = this.channels.get(conn.userId);
    if (!channel) {
      const subscribing = this.bus.subscribe(userChannel(conn.userId), this.onMessage);
      this.channels.set(conn.userId, (channel = subscribing));
      // A failed subscription (the bus is down) is not kept: the next socket tries again.
      subscribing.catch(() => {
        if (this.channels.get(conn.userId) === subscribing) this.channels.delete(conn.userId);
      });
    }
    await channel;
  }

  /** Removes a socket (and its subscription index); stops listening when it was the user's last. */
  remove(conn: Connection): void {
    if (!this.users.get(conn.userId)?.has(conn)) return;
    this.count -= 1;
    removeFrom(this.users, conn.userId, conn);
    if (conn.subscription && this.subscriptions.get(conn.subscription.id) === conn)
      this.subscriptions.delete(conn.subscription.id);
    if (!this.users.has(conn.userId)) {
      const channel = this.channels.get(conn.userId);
      this.channels.delete(conn.userId);
      void channel?.then((unsubscribe) => unsubscribe()).catch(() => {});
    }
  }

  /** Indexes (or un-indexes, with null) a socket's subscription. */
  setSubscription(conn: Connection, previousId: string | null, nextId: string | null): void {
    if (previousId && this.subscriptions.get(previousId) === conn)
      this.subscriptions.delete(previousId);
    if (nextId) this.subscriptions.set(nextId, conn);
  }

  byUser(userId: string): Connection[] {
    return [...(this.users.get(userId) ?? [])];
  }

  /** The sockets of one session (refresh-token family) of a user. */
  bySession(userId: string, familyId: string): Connection[] {
    return this.byUser(userId).filter((conn) => conn.familyId === familyId);
  }

  bySubscription(subscriptionId: string): Connection | undefined {
    return this.subscriptions.get(subscriptionId);
  }

  /** Every socket. */
  all(): Connection[] {
    return [...this.users.values()].flatMap((set) => [...set]);
  }

  /** How many sockets. */
  get size(): number {
    return this.count;
  }
}
