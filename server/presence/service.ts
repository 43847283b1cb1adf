/**
 * Presence over the WebSocket (`presence.update`, `fetch`, `subscribe`, `unsubscribe`) with
 * Notify's availability (`presence.available`, `presence.availableClients`).
 *
 * - **Online** while the user has a socket subscribed to the `presence` service: the first
 *   one makes them `open` with the activity and note they last chose (`available` at first).
 *   When the last one goes, they turn `closed` after the grace period (a reload or a network
 *   blip reconnects within it and nobody sees a flicker), or at once after a clean goodbye:
 *   unsubscribing from `presence`, a normal close (1000), or a revoked session (logout, 4003).
 *   Offline users show `closed`, activity `unknown`, and their note.
 * - **On the phone** while call signalling says the user is in a call (the bus message
 *   `call.activity`); the chosen activity comes back after the call.
 * - **Available** (Notify): a socket marks itself available or not; a user is available while
 *   online with at least one available socket. `availableClients` lists them, minus the caller.
 * - **Who sees whom** (`scope`): `contacts` (default): users who have each other in their
 *   address books (both ways; a contact names its user by username, id, email or number);
 *   `all`: every user. A user always sees themselves. `fetch` leaves out users the caller may
 *   not see; `subscribe` refuses the whole request with `presence:forbidden` naming them (and
 *   unknown users, which look the same). Watchers are checked again at each change, so
 *   removing a contact stops the updates. Becoming contacts of each other (bus message
 *   `presence.shared`) makes each user's presence sockets watch the other at once.
 *   `availableClients` follows the same rule. Each presence socket also watches its own user,
 *   so every device sees the status chosen on another and its own on-the-phone.
 *
 * Each node keeps the state of the users whose sockets it holds; who is online on any node is
 * in the {@link PresenceRegistry} (in this process, or in Redis shared by the nodes, with a
 * lease that lapses when a node dies). What a watcher sees is the same on every node: online
 * while some node holds the user online, on the phone or available when any node says so, and
 * the chosen status, activity and note, which are stored (so they also survive a restart).
 * Changes go out on the bus channel `presence:<userId>`, which a node listens to while it holds
 * sockets that watch that user; a node that stops holding a user online publishes them offline
 * only when no other node holds them, and the users of a node that died are announced offline
 * by the node that finds its lease lapsed.
 */
import type { FastifyBaseLogger } from 'fastify';
import { CloseCodes, WireErrorCodes } from '../../core/protocol/constants.js';
import { effectivePresence, presenceSignature } from '../../core/protocol/presence.js';
import type { Presence, RequestFrame } from '../../core/protocol/schema.js';
import { presenceChannel, type Bus, type BusMessage, type BusUnsubscribe } from '../bus/types.js';
import type { Clock, TimerHandle } from '../clock.js';
import { publicId, resolveUser } from '../directory/users.js';
import { WireError } from '../errors.js';
import type { PresenceRecord, Storage, UserRecord } from '../storage/types.js';
import type { ActiveSubscription, Connection } from '../ws/connection.js';
import type { WebSocketGateway } from '../ws/gateway.js';
import type { SubscriptionChangeReason } from '../ws/subscriptions.js';
import type { NodePresence, PresenceRegistry } from './registry.js';

/** Whose presence a user may see. */
export type PresenceScope = 'contacts' | 'all';
export const PRESENCE_SCOPES: readonly PresenceScope[] = ['contacts', 'all'];

/** Default grace period before a disconnected user turns offline, seconds. */
export const DEFAULT_PRESENCE_GRACE = 10;

type Status = Presence['status'];
type Activity = Presence['activity'];

export interface PresenceOptions {
  gateway: WebSocketGateway;
  storage: Storage;
  bus: Bus;
  /** Who is online on any node. */
  registry: PresenceRegistry;
  clock: Clock;
  log: FastifyBaseLogger;
  scope: PresenceScope;
  /** Grace period after the last presence socket goes, ms (0: at once). */
  graceMs: number;
}

/** One user's presence as this node knows it. */
interface UserPresence {
  userId: string;
  publicId: string;
  displayName: string;
  /** What the user chose (kept while offline, stored). */
  status: Status;
  activity: Activity;
  note: string;
  updatedAt: number;
  /** Open: has a presence socket, or lost the last one less than the grace period ago. */
  online: boolean;
  sockets: Set<Connection>;
  available: Set<Connection>;
  /** Active calls (call ids; '' for a publisher that gives none). */
  calls: Set<string>;
  offlineTimer: TimerHandle | undefined;
  /** The last presence sent out, to send only real changes. */
  published: string;
}

/** Close codes after which the user said goodbye (no grace period). */
const CLEAN_CLOSES: readonly number[] = [CloseCodes.NORMAL, CloseCodes.SESSION_REVOKED];

const hasPresence = (s: ActiveSubscription | null) => !!s?.services.includes('presence');

/** The presence others see (the rule both gateways share), with what other nodes know. */
const effective = (p: UserPresence, elsewhere?: NodePresence): Presence =>
  effectivePresence({
    userId: p.publicId,
    online: p.online || !!elsewhere,
    status: p.status,
    activity: p.activity,
    note: p.note,
    inCall: p.calls.size > 0 || !!elsewhere?.inCall,
    available: p.available.size > 0 || !!elsewhere?.available,
    updatedAt: Math.max(p.updatedAt, elsewhere?.updatedAt ?? 0),
  });

/** What this node tells the registry of a user: what it knows while it holds them online. */
const nodePresence = (p: UserPresence): NodePresence | null =>
  p.online
    ? { inCall: p.calls.size > 0, available: p.available.size > 0, updatedAt: p.updatedAt }
    : null;

/** The status, activity and note a user chose, as stored. */
function chosen(user: UserRecord, record?: PresenceRecord) {
  return {
    status: (record?.status === 'closed' ? 'closed' : 'open') as Status,
    activity: (record?.activity as Activity | undefined) ?? 'available',
    note: record?.note ?? '',
    updatedAt: record?.updatedAt ?? user.createdAt,
  };
}

/** The presence of a user this node holds no state for: offline. */
function offline(user: UserRecord, stored?: { note: string; updatedAt: number }): Presence {
  return {
    userId: publicId(user),
    status: 'closed',
    activity: 'unknown',
    note: stored?.note ?? '',
    available: false,
    updatedAt: stored?.updatedAt ?? user.createdAt,
  };
}

export class PresenceService {
  private readonly o: PresenceOptions;
  private readonly states = new Map<string, UserPresence>();
  private readonly loading = new Map<string, Promise<UserPresence>>();
  /** Watched user → the sockets on this node that watch them. */
  private readonly watchers = new Map<string, Set<Connection>>();
  /** Socket → the users it watches. */
  private readonly watching = new WeakMap<Connection, Set<string>>();
  private readonly channels = new Map<string, Promise<BusUnsubscribe>>();
  /** Per user, the tail of the work queued for them: their changes apply one at a time. */
  private readonly queues = new Map<string, Promise<unknown>>();

  constructor(options: PresenceOptions) {
    this.o = options;
    const { gateway } = options;
    gateway.subscriptions.onChange((conn, previous, next, reason) => {
      if (hasPresence(previous) === hasPresence(next)) return;
      const present = hasPresence(next);
      this.run(this.serial(conn.userId, () => this.socketChanged(conn, present, reason)));
    });
    gateway.onClose((conn) => {
      for (const userId of this.watching.get(conn) ?? []) this.unwatch(conn, userId);
      this.run(this.serial(conn.userId, () => this.dropAvailable(conn)));
    });
    gateway.onBusMessage((message) => this.onBus(message));
    options.registry.onLapsed((userIds) => {
      for (const userId of userIds) this.run(this.serial(userId, () => this.lapsed(userId)));
    });
    gateway.register({
      'presence.update': (conn, frame) => this.serial(conn.userId, () => this.update(conn, frame)),
      'presence.fetch': async (conn, frame) => ({
        presence: (await this.visible(conn, frame.users)).presence,
      }),
      'presence.subscribe': (conn, frame) => this.subscribe(conn, frame),
      'presence.unsubscribe': async (conn, frame) => {
        const users = await Promise.all(frame.users.map((u) => resolveUser(this.o.storage, u)));
        for (const user of users) if (user) this.unwatch(conn, user.id);
        return {};
      },
      'presence.available': (conn, frame) =>
        this.serial(conn.userId, () => this.setAvailable(conn, frame.available)),
      'presence.availableClients': (conn) => this.availableClients(conn),
    });
  }

  // ── requests ───────────────────────────────────────────────────────────────

  private async update(conn: Connection, frame: RequestFrame<'presence.update'>) {
    const p = await this.state(conn.userId);
    p.status = frame.status;
    p.activity = frame.activity;
    p.note = frame.note ?? '';
    return { presence: await this.changed(p, true) };
  }

  private async subscribe(conn: Connection, frame: RequestFrame<'presence.subscribe'>) {
    const { users, hidden } = await this.visible(conn, frame.users);
    if (hidden.length)
      throw new WireError(
        WireErrorCodes.PRESENCE_FORBIDDEN,
        `you may not see the presence of ${hidden.map((u) => `'${u}'`).join(', ')}: ${
          this.o.scope === 'contacts'
            ? 'presence is shared between users who have each other as contacts'
            : 'no such user'
        }`,
      );
    await Promise.all(users.map((u) => this.watch(conn, u.id)));
    // Read after watching: a change meanwhile is in the reply or in an event, never lost.
    return { presence: await this.presenceOf(users) };
  }

  private async setAvailable(conn: Connection, available: boolean) {
    const p = await this.state(conn.userId);
    if (!conn.open) return {};
    if (available) p.available.add(conn);
    else p.available.delete(conn);
    await this.changed(p, false);
    return {};
  }

  /**
   * The available users the caller may see, on every node: those the registry has available
   * somewhere, with their presence as `fetch` gives it (a status chosen `closed` hides them).
   */
  private async availableClients(conn: Connection) {
    let ids: string[];
    try {
      ids = await this.o.registry.available();
    } catch (error) {
      this.o.log.warn({ err: error }, 'the presence registry does not answer: this node only');
      ids = [...this.states.values()].filter((p) => p.available.size > 0).map((p) => p.userId);
    }
    const others = ids.filter((id) => id !== conn.userId);
    const allowed = await this.canSee(conn.userId, others);
    const users = await this.o.storage.findUsers(others.filter((id) => allowed.has(id)));
    const presence = await this.presenceOf(users);
    return {
      clients: users
        .filter((_, i) => presence[i]!.available)
        .map((u) => ({ userId: publicId(u), displayName: u.displayName })),
    };
  }

  /** The users `refs` name that `conn`'s user may see, with their presence; and the others. */
  private async visible(conn: Connection, refs: string[]) {
    const resolved = await Promise.all(
      refs.map(async (ref) => ({ ref, user: await resolveUser(this.o.storage, ref) })),
    );
    const found = resolved.filter((r) => r.user).map((r) => r.user!);
    const allowed = await this.canSee(
      conn.userId,
      found.map((u) => u.id),
    );
    const users = [...new Map(found.filter((u) => allowed.has(u.id)).map((u) => [u.id, u]))].map(
      ([, u]) => u,
    );
    const hidden = resolved.filter((r) => !r.user || !allowed.has(r.user.id)).map((r) => r.ref);
    return { users, hidden, presence: await this.presenceOf(users) };
  }

  /** Of `targets` (internal ids), those `viewer` may see. */
  private async canSee(viewer: string, targets: string[]): Promise<Set<string>> {
    if (this.o.scope === 'all') return new Set(targets);
    const others = [...new Set(targets.filter((t) => t !== viewer))];
    const mutual = await this.o.storage.mutualContacts(viewer, others);
    return new Set([...mutual, ...(targets.includes(viewer) ? [viewer] : [])]);
  }

  /**
   * The presence of these users, the same on every node: online when some node holds them
   * online (this node's state for those it holds, else the stored choice with what the other
   * nodes know), else offline.
   */
  private async presenceOf(users: UserRecord[]): Promise<Presence[]> {
    if (!users.length) return [];
    const elsewhere = await this.online(users.map((u) => u.id));
    const unheld = users.filter((u) => !this.states.get(u.id)?.online).map((u) => u.id);
    const stored = new Map(
      (await this.o.storage.getPresence(unheld)).map((r) => [r.userId, r] as const),
    );
    return users.map((u) => {
      const live = this.states.get(u.id);
      if (live?.online) return effective(live, elsewhere.get(u.id));
      const other = elsewhere.get(u.id);
      const record = stored.get(u.id);
      if (!other) return offline(u, record);
      return effectivePresence({
        userId: publicId(u),
        online: true,
        ...chosen(u, record),
        inCall: other.inCall,
        available: other.available,
        updatedAt: Math.max(other.updatedAt, chosen(u, record).updatedAt),
      });
    });
  }

  // ── sockets ────────────────────────────────────────────────────────────────

  private async socketChanged(
    conn: Connection,
    present: boolean,
    reason: SubscriptionChangeReason,
  ) {
    const p = await this.state(conn.userId);
    if (present) {
      if (!conn.open) return;
      p.sockets.add(conn);
      // Each presence socket watches its own user: a status chosen on another device, or
      // on-the-phone from a call, reaches every device of the user.
      await this.watch(conn, conn.userId);
      p.offlineTimer?.cancel();
      p.offlineTimer = undefined;
      if (!p.online) {
        // What watchers see now (online already, when another node holds the user): what the
        // user chose is reloaded, since it may have been changed through another node.
        await this.reload(p);
        p.published = presenceSignature(
          effective(p, (await this.online([p.userId])).get(p.userId)),
        );
        if (p.online || !conn.open) return;
        p.online = true;
        p.status = 'open';
        await this.changed(p, true);
      }
      return;
    }
    this.unwatch(conn, conn.userId);
    if (!p.sockets.delete(conn) || p.sockets.size) return;
    const clean =
      reason === 'unsubscribe' ||
      (reason === 'closed' && CLEAN_CLOSES.includes(conn.closeCode ?? -1));
    p.offlineTimer?.cancel();
    p.offlineTimer = undefined;
    if (clean || this.o.graceMs <= 0) return this.goOffline(p);
    p.offlineTimer = this.o.clock.setTimeout(() => {
      p.offlineTimer = undefined;
      this.run(this.serial(p.userId, () => this.goOffline(p)));
    }, this.o.graceMs);
  }

  private async goOffline(p: UserPresence) {
    if (!p.online || p.sockets.size) return;
    p.online = false;
    await this.reload(p);
    await this.changed(p, true, true);
  }

  /**
   * What the user chose, as stored, into this node's state: it may have been chosen through
   * another node since this one loaded it.
   */
  private async reload(p: UserPresence) {
    const [record] = await this.o.storage.getPresence([p.userId]);
    if (!record) return;
    p.status = record.status === 'closed' ? 'closed' : 'open';
    p.activity = record.activity as Activity;
    p.note = record.note;
  }

  /**
   * `userId` is online on no node any more, without their node having said so (it died, or
   * this node is shutting down: `leaving`): their watchers learn they are offline.
   */
  private async lapsed(userId: string, leaving = false) {
    const p = this.states.get(userId);
    if (p?.online && !leaving) return;
    const [[user], [record]] = await Promise.all([
      this.o.storage.findUsers([userId]),
      this.o.storage.getPresence([userId]),
    ]);
    if (!user) return;
    const presence = offline(user, record);
    if (p) p.published = presenceSignature(presence);
    await this.o.bus.publish(presenceChannel(userId), {
      type: 'presence.changed',
      userId,
      presence,
    });
  }

  /** Shutdown: this node's users go from the registry; those online nowhere else go offline. */
  async close(): Promise<void> {
    const gone = await this.o.registry.close();
    await Promise.all(gone.map((userId) => this.serial(userId, () => this.lapsed(userId, true))));
  }

  private async dropAvailable(conn: Connection) {
    const p = this.states.get(conn.userId);
    if (p?.available.delete(conn)) await this.changed(p, false);
  }

  // ── watching ───────────────────────────────────────────────────────────────

  private async watch(conn: Connection, userId: string) {
    if (!conn.open) return;
    let set = this.watchers.get(userId);
    if (!set) this.watchers.set(userId, (set = new Set()));
    set.add(conn);
    let mine = this.watching.get(conn);
    if (!mine) this.watching.set(conn, (mine = new Set()));
    mine.add(userId);
    let channel = this.channels.get(userId);
    if (!channel) {
      const subscribing = this.o.bus.subscribe(presenceChannel(userId), (m) => this.onBus(m));
      this.channels.set(userId, (channel = subscribing));
      // A failed subscription (the bus is down) is not kept: the next watcher tries again.
      subscribing.catch(() => {
        if (this.channels.get(userId) === subscribing) this.channels.delete(userId);
      });
    }
    await channel;
  }

  private unwatch(conn: Connection, userId: string) {
    this.watching.get(conn)?.delete(userId);
    const set = this.watchers.get(userId);
    if (!set?.delete(conn) || set.size) return;
    this.watchers.delete(userId);
    const channel = this.channels.get(userId);
    this.channels.delete(userId);
    void channel?.then((unsubscribe) => unsubscribe()).catch(() => {});
  }

  /** A presence change (on a presence channel) or a call's activity (on a user channel). */
  private onBus(message: BusMessage) {
    if (message.type === 'presence.changed')
      this.run(this.deliver(message.userId, message.presence));
    else if (message.type === 'call.activity') this.run(this.callActivity(message));
    else if (message.type === 'presence.shared')
      this.run(this.shared(message.userId, message.otherId));
  }

  private async deliver(userId: string, presence: Presence) {
    const sockets = [...(this.watchers.get(userId) ?? [])];
    if (!sockets.length) return;
    const viewers = [...new Set(sockets.map((c) => c.userId))];
    const allowed = new Set<string>();
    for (const viewer of viewers)
      if ((await this.canSee(viewer, [userId])).has(userId)) allowed.add(viewer);
    for (const conn of sockets)
      if (allowed.has(conn.userId)) conn.event('presence:change', { presence });
  }

  /**
   * `userId` and `otherId` became contacts of each other: `userId`'s presence sockets on this
   * node watch `otherId` from now on, and get their presence now.
   */
  private async shared(userId: string, otherId: string) {
    const sockets = [...(this.states.get(userId)?.sockets ?? [])];
    if (!sockets.length || !(await this.canSee(userId, [otherId])).has(otherId)) return;
    const [other] = await this.o.storage.findUsers([otherId]);
    if (!other) return;
    await Promise.all(sockets.map((conn) => this.watch(conn, otherId)));
    const [presence] = await this.presenceOf([other]);
    for (const conn of sockets)
      if (conn.open) conn.event('presence:change', { presence: presence! });
  }

  private async callActivity(message: { userId: string; inCall: boolean; callId?: string }) {
    const user = await resolveUser(this.o.storage, message.userId);
    if (!user) return;
    await this.serial(user.id, async () => {
      const p = await this.state(user.id);
      const id = message.callId ?? '';
      if (message.inCall) p.calls.add(id);
      else if (message.callId === undefined) p.calls.clear();
      else p.calls.delete(id);
      await this.changed(p, false);
    });
  }

  // ── state ──────────────────────────────────────────────────────────────────

  /** This node's state of a user, loaded once from storage. */
  private async state(userId: string): Promise<UserPresence> {
    const known = this.states.get(userId);
    if (known) return known;
    let loading = this.loading.get(userId);
    if (!loading) {
      loading = (async () => {
        const [users, records] = await Promise.all([
          this.o.storage.findUsers([userId]),
          this.o.storage.getPresence([userId]),
        ]);
        const user = users[0];
        if (!user) throw new Error(`no user ${userId}`);
        const p: UserPresence = {
          userId,
          publicId: publicId(user),
          displayName: user.displayName,
          ...chosen(user, records[0]),
          online: false,
          sockets: new Set(),
          available: new Set(),
          calls: new Set(),
          offlineTimer: undefined,
          published: '',
        };
        p.published = presenceSignature(effective(p));
        this.states.set(userId, p);
        return p;
      })().finally(() => this.loading.delete(userId));
      this.loading.set(userId, loading);
    }
    return loading;
  }

  /**
   * After a change: stores what the user chose (`store`), records what this node knows in the
   * registry, and tells the watchers when what they see changed (unless another node holds the
   * user online and tells them). `left`: this node has just stopped holding the user online.
   * Resolves with what watchers see.
   */
  private async changed(p: UserPresence, store: boolean, left = false): Promise<Presence> {
    if (!store) await this.reload(p);
    if (store) {
      p.updatedAt = this.o.clock.now();
      await this.o.storage.savePresence({
        userId: p.userId,
        status: p.status,
        activity: p.activity,
        note: p.note,
        updatedAt: p.updatedAt,
      });
    }
    await this.o.registry.set(p.userId, nodePresence(p));
    const elsewhere = await this.elsewhere(p);
    let now = effective(p, elsewhere);
    const moved = presenceSignature(now) !== p.published;
    if (moved && !store) {
      p.updatedAt = this.o.clock.now();
      await this.o.registry.set(p.userId, nodePresence(p));
      now = effective(p, elsewhere);
    }
    // A node that does not hold an online user leaves their calls and sockets to the one that
    // does (it would race it with an older view), but tells a choice made through it.
    if (!moved || !(p.online || left || store || !elsewhere)) return now;
    p.published = presenceSignature(now);
    await this.o.bus.publish(presenceChannel(p.userId), {
      type: 'presence.changed',
      userId: p.userId,
      presence: now,
    });
    return now;
  }

  /**
   * Who of `userIds` the registry has online; when it cannot answer (Redis is away), nobody
   * elsewhere: this node answers from what it holds, and logs it.
   */
  private async online(userIds: string[]): Promise<Map<string, NodePresence>> {
    try {
      return await this.o.registry.online(userIds);
    } catch (error) {
      this.o.log.warn({ err: error }, 'the presence registry does not answer: this node only');
      return new Map();
    }
  }

  /** What the registry knows of `p`'s user (this node's own entry included: it merges alike). */
  private async elsewhere(p: UserPresence): Promise<NodePresence | undefined> {
    return (await this.o.registry.online([p.userId])).get(p.userId);
  }

  /** Runs `work` after the work queued before it for `userId` (failed or not). */
  private serial<T>(userId: string, work: () => Promise<T>): Promise<T> {
    const previous = this.queues.get(userId) ?? Promise.resolve();
    const next = previous.then(work, work);
    const tail = next.catch(() => undefined);
    this.queues.set(userId, tail);
    void tail.then(() => {
      if (this.queues.get(userId) === tail) this.queues.delete(userId);
    });
    return next;
  }

  /** Runs background work; a failure is logged. */
  private run(work: Promise<unknown>) {
    work.catch((error: unknown) => this.o.log.error({ err: error }, 'presence update failed'));
  }
}
