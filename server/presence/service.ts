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
 * The state of who is online lives in this process (one gateway node); the chosen status,
 * activity and note are stored, so they survive a restart. Changes go out on the bus channel
 * `presence:<userId>`, which a node listens to while it holds sockets that watch that user.
 */
import type { FastifyBaseLogger } from 'fastify';
import { CloseCodes, WireErrorCodes } from '../../core/protocol/constants.js';
import { effectivePresence, presenceSignature } from '../../core/protocol/presence.js';
import type { Presence, RequestFrame } from '../../core/protocol/schema.js';
import { presenceChannel, type Bus, type BusMessage, type BusUnsubscribe } from '../bus/types.js';
import type { Clock, TimerHandle } from '../clock.js';
import { publicId, resolveUser } from '../directory/users.js';
import { WireError } from '../errors.js';
import type { Storage, UserRecord } from '../storage/types.js';
import type { ActiveSubscription, Connection } from '../ws/connection.js';
import type { WebSocketGateway } from '../ws/gateway.js';
import type { SubscriptionChangeReason } from '../ws/subscriptions.js';

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

/** The presence others see (the rule both gateways share). */
const effective = (p: UserPresence): Presence =>
  effectivePresence({
    userId: p.publicId,
    online: p.online,
    status: p.status,
    activity: p.activity,
    note: p.note,
    inCall: p.calls.size > 0,
    available: p.available.size > 0,
    updatedAt: p.updatedAt,
  });

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
    await this.changed(p, true);
    return { presence: effective(p) };
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

  private async availableClients(conn: Connection) {
    const candidates = [...this.states.values()].filter(
      (p) => p.userId !== conn.userId && effective(p).available,
    );
    const allowed = await this.canSee(
      conn.userId,
      candidates.map((p) => p.userId),
    );
    return {
      clients: candidates
        .filter((p) => allowed.has(p.userId))
        .map((p) => ({ userId: p.publicId, displayName: p.displayName })),
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

  /** The presence of these users: live when this node knows them, else stored (offline). */
  private async presenceOf(users: UserRecord[]): Promise<Presence[]> {
    const unknown = users.filter((u) => !this.states.has(u.id)).map((u) => u.id);
    const stored = new Map(
      (await this.o.storage.getPresence(unknown)).map((r) => [r.userId, r] as const),
    );
    return users.map((u) => {
      const live = this.states.get(u.id);
      return live ? effective(live) : offline(u, stored.get(u.id));
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
    await this.changed(p, true);
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
        const record = records[0];
        const p: UserPresence = {
          userId,
          publicId: publicId(user),
          displayName: user.displayName,
          status: record?.status === 'closed' ? 'closed' : 'open',
          activity: (record?.activity as Activity | undefined) ?? 'available',
          note: record?.note ?? '',
          updatedAt: record?.updatedAt ?? user.createdAt,
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
   * After a change: stores what the user chose (`store`) and tells the watchers when what
   * they see changed.
   */
  private async changed(p: UserPresence, store: boolean) {
    const now = effective(p);
    const moved = presenceSignature(now) !== p.published;
    if (moved || store) p.updatedAt = this.o.clock.now();
    if (store)
      await this.o.storage.savePresence({
        userId: p.userId,
        status: p.status,
        activity: p.activity,
        note: p.note,
        updatedAt: p.updatedAt,
      });
    if (!moved) return;
    p.published = presenceSignature(now);
    await this.o.bus.publish(presenceChannel(p.userId), {
      type: 'presence.changed',
      userId: p.userId,
      presence: effective(p),
    });
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
