/**
 * The `presence`, `contacts`, `user` and `call.history` namespaces' targets: their managers,
 * one chunk (`managers.ts`) fetched by `import()` the first time one of them needs to talk to the
 * gateway:
 *
 * - when a method that asks the gateway is called (`presence.update`, `contacts.add`,
 *   `user.search`, `call.history.fetch`, …; these wait for it, and reject with `network:error`
 *   when it cannot be fetched, the next one fetching it again);
 * - when the gateway pushes a presence or contacts change, or a call record, before it is
 *   here: the event is held and handed to the manager, in order, once it has loaded.
 *
 * Before it has loaded nothing was fetched, subscribed or pushed: the getters (`get`, `getAll`,
 * `getSelf`, `call.history.get`/`getCache`) answer from the state at once, and
 * `call.history.setCache` writes it. After a reconnect, only a manager that exists has
 * subscriptions or availability to restore.
 */
import type {
  Contact,
  CallRecord,
  DirectoryUser,
  EventFrame,
  Presence,
} from '../protocol/schema.js';
import type { FeatureContext } from '../feature.js';
import { Chunk, LazyFeature, type FeatureErrorEvent } from '../lazy.js';
import type { ConnectionManager } from '../transport/connection.js';
import { setHistoryCache } from '../call/history-state.js';
import type * as People from './managers.js';

type Managers = typeof People;

/** The people features' chunk, shared by every client of the page. */
const chunk = new Chunk<Managers>('people features', () => import('./managers.js'));

/** `presence`: this user's and others' presence, and availability for calls. */
export class LazyPresence extends LazyFeature<Managers, People.PresenceManager> {
  constructor(ctx: FeatureContext, connection: ConnectionManager) {
    super(ctx, chunk, (module) => new module.PresenceManager(ctx, connection), 'presence:error');
  }

  get(userId: string): Presence | undefined {
    return this.ctx.store.getState().presence.users[userId];
  }

  getAll(): Presence[] {
    return Object.values(this.ctx.store.getState().presence.users);
  }

  getSelf(): Presence | null {
    return this.ctx.store.getState().presence.self;
  }

  /** After a reconnect: what this client subscribed to or set (only a manager has any). */
  restore(): Promise<void> {
    return this.created?.restore() ?? Promise.resolve();
  }

  /** A `presence:change` from the gateway: handed to the manager (held until it is here). */
  handleEvent(frame: EventFrame): boolean {
    if (frame.event !== 'presence:change') return false;
    this.hold((manager) => manager.handleEvent(frame));
    return true;
  }
}

/** `contacts`: the personal address book. */
export class LazyContacts extends LazyFeature<Managers, People.ContactsManager> {
  constructor(ctx: FeatureContext, connection: ConnectionManager) {
    super(ctx, chunk, (module) => new module.ContactsManager(ctx, connection), 'contacts:error');
  }

  get(contactId: string): Contact | undefined {
    return this.ctx.store.getState().contacts.byId[contactId];
  }

  getAll(): Contact[] {
    return Object.values(this.ctx.store.getState().contacts.byId);
  }

  /** A `contacts:change` (the book changed on another device): held until the manager is here. */
  handleEvent(frame: EventFrame): boolean {
    if (frame.event !== 'contacts:change') return false;
    this.hold((manager) => manager.handleEvent(frame));
    return true;
  }
}

/** `user`: the directory. */
export class LazyUsers extends LazyFeature<Managers, People.UserManager> {
  constructor(ctx: FeatureContext, connection: ConnectionManager, self: () => string) {
    super(ctx, chunk, (module) => new module.UserManager(ctx, connection, self), 'users:error');
  }

  get(userId: string): DirectoryUser | undefined {
    return this.ctx.store.getState().users.byId[userId];
  }

  getAll(): DirectoryUser[] {
    return Object.values(this.ctx.store.getState().users.byId);
  }

  /** A search's failures are the directory's; the others', the users'. */
  protected override errorEvent(method: string): FeatureErrorEvent {
    return method === 'search' ? 'directory:error' : 'users:error';
  }
}

/** `call.history`: the gateway's call records, cached in the state. */
export class LazyHistory extends LazyFeature<Managers, People.HistoryManager> {
  constructor(ctx: FeatureContext, token: () => Promise<string>) {
    super(ctx, chunk, (module) => new module.HistoryManager(ctx, token), 'callHistory:error');
  }

  /** The cached records, newest first. */
  get(): CallRecord[] {
    return this.ctx.store.getState().history.records;
  }

  /** The cache as a string, for `setCache` in a later session. */
  getCache(): string {
    return JSON.stringify(this.get());
  }

  setCache(data: string): void {
    setHistoryCache(this.ctx, data);
  }

  /** A `callHistory:new` (a call of this user's ended): held until the manager is here. */
  handleEvent(frame: EventFrame): boolean {
    if (frame.event !== 'callHistory:new') return false;
    this.hold((manager) => manager.add((frame as EventFrame<'callHistory:new'>).record));
    return true;
  }
}
