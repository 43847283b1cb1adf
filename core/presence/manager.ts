/**
 * Presence (the seeds' `presence` namespace) plus Notify's availability: this user's status,
 * activity and note; other users' presence by fetch or subscription (restored after a
 * reconnect); whether this client takes calls, and who else does.
 */
import type { EventFrame, Presence } from '../protocol/schema.js';
import { CommsError, ErrorCodes, asCommsError } from '../errors.js';
import { activities, statuses, type PresenceActivity, type PresenceStatus } from './state.js';
import type { FeatureContext } from '../feature.js';
import type { ConnectionManager } from '../transport/connection.js';

export type { PresenceStatus, PresenceActivity, PresenceState } from './state.js';

/** The seeds' statuses and activities (the wire's `PRESENCE_*_VALUES`, in the same order). */
const statusValues: readonly string[] = Object.values(statuses);
const activityValues: readonly string[] = Object.values(activities);

export class PresenceManager {
  readonly #ctx: FeatureContext;
  readonly #connection: ConnectionManager;
  /** What `setAvailable` last set (the gateway keeps it per socket: a new socket needs it again). */
  #available: boolean | undefined;

  constructor(ctx: FeatureContext, connection: ConnectionManager) {
    this.#ctx = ctx;
    this.#connection = connection;
  }

  get(userId: string): Presence | undefined {
    return this.#ctx.store.getState().presence.users[userId];
  }

  getAll(): Presence[] {
    return Object.values(this.#ctx.store.getState().presence.users);
  }

  getSelf(): Presence | null {
    return this.#ctx.store.getState().presence.self;
  }

  /** Sets this user's presence; watchers get `presence:change`. */
  async update(status: string, activity: string, note = ''): Promise<Presence> {
    if (!statusValues.includes(status)) {
      throw this.#fail(
        new CommsError(
          ErrorCodes.INVALID_ARGUMENT,
          `presence.update(): status must be one of ${statusValues.join(', ')}; got '${String(status)}'`,
        ),
      );
    }
    if (!activityValues.includes(activity)) {
      throw this.#fail(
        new CommsError(
          ErrorCodes.INVALID_ARGUMENT,
          `presence.update(): activity must be one of ${activityValues.join(', ')}; got '${String(activity)}'`,
        ),
      );
    }
    try {
      const { presence } = await this.#connection.request({
        type: 'presence.update',
        status: status as PresenceStatus,
        activity: activity as PresenceActivity,
        note,
      });
      this.#setSelf(presence);
      return presence;
    } catch (error) {
      throw this.#fail(error);
    }
  }

  /** Refreshes the presence of `users`. */
  async fetch(users: string[]): Promise<Presence[]> {
    const list = this.#users(users, 'fetch');
    try {
      const { presence } = await this.#connection.request({ type: 'presence.fetch', users: list });
      this.#merge(presence);
      return presence;
    } catch (error) {
      throw this.#fail(error);
    }
  }

  /** Watches `users`: their changes arrive as `presence:change`. */
  async subscribe(users: string[]): Promise<Presence[]> {
    const list = this.#users(users, 'subscribe');
    try {
      const { presence } = await this.#connection.request({
        type: 'presence.subscribe',
        users: list,
      });
      this.#ctx.store.update((s) => ({
        ...s,
        presence: { ...s.presence, subscribed: [...new Set([...s.presence.subscribed, ...list])] },
      }));
      this.#merge(presence);
      this.#ctx.emit('presence:subscribe', { users: list });
      return presence;
    } catch (error) {
      throw this.#fail(error);
    }
  }

  /** Stops watching `users`. */
  async unsubscribe(users: string[]): Promise<void> {
    const list = this.#users(users, 'unsubscribe');
    try {
      await this.#connection.request({ type: 'presence.unsubscribe', users: list });
      this.#ctx.store.update((s) => ({
        ...s,
        presence: {
          ...s.presence,
          subscribed: s.presence.subscribed.filter((u) => !list.includes(u)),
        },
      }));
      this.#ctx.emit('presence:unsubscribe', { users: list });
    } catch (error) {
      throw this.#fail(error);
    }
  }

  /** Notify's `setClientAvailable`: whether this client takes calls now. */
  async setAvailable(available: boolean): Promise<void> {
    if (typeof available !== 'boolean') {
      throw this.#fail(
        new CommsError(
          ErrorCodes.INVALID_ARGUMENT,
          'setAvailable(available): available must be a boolean',
        ),
      );
    }
    await this.#connection.request({ type: 'presence.available', available });
    this.#available = available;
    const self = this.getSelf();
    if (self) this.#setSelf({ ...self, available });
  }

  /** Notify's `getAvailableClients`: connected users that take calls, excluding this user. */
  async getAvailableClients(): Promise<Array<{ userId: string; displayName: string }>> {
    const { clients } = await this.#connection.request({ type: 'presence.availableClients' });
    return clients;
  }

  /** After a reconnect: take calls again if this client did, and watch the same users again. */
  async restore(): Promise<void> {
    if (this.#available) {
      await this.#connection
        .request({ type: 'presence.available', available: true })
        .catch((error: unknown) => this.#fail(error));
    }
    const { subscribed } = this.#ctx.store.getState().presence;
    if (subscribed.length === 0) return;
    try {
      const { presence } = await this.#connection.request({
        type: 'presence.subscribe',
        users: subscribed,
      });
      this.#merge(presence);
    } catch (error) {
      this.#fail(error);
    }
  }

  handleEvent(frame: EventFrame): boolean {
    if (frame.event !== 'presence:change') return false;
    const { presence } = frame as EventFrame<'presence:change'>;
    this.#merge([presence]);
    return true;
  }

  #merge(list: Presence[]): void {
    const me = this.getSelf()?.userId ?? this.#ctx.store.getState().users.self;
    for (const presence of list) {
      if (presence.userId === me) {
        this.#setSelf(presence);
        continue;
      }
      this.#ctx.store.update((s) => ({
        ...s,
        presence: { ...s.presence, users: { ...s.presence.users, [presence.userId]: presence } },
      }));
      this.#ctx.emit('presence:change', { ...presence });
    }
  }

  #setSelf(presence: Presence): void {
    this.#ctx.store.update((s) => ({ ...s, presence: { ...s.presence, self: presence } }));
    this.#ctx.emit('presence:selfChange', { ...presence });
  }

  #users(users: string[], method: string): string[] {
    if (
      !Array.isArray(users) ||
      users.length === 0 ||
      users.some((u) => typeof u !== 'string' || !u)
    ) {
      throw this.#fail(
        new CommsError(
          ErrorCodes.INVALID_ARGUMENT,
          `presence.${method}(users): users must be a non-empty list of user ids`,
        ),
      );
    }
    return [...new Set(users)];
  }

  #fail(error: unknown): CommsError {
    const e = asCommsError(error);
    this.#ctx.emit('presence:error', { error: e.toJSON() });
    return e;
  }
}
