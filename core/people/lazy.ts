/**
 * The `presence`, `contacts`, `user` and `call.history` namespaces' targets: their managers,
 * one chunk (`managers.ts`) fetched by `import()` the first time one of them needs to talk to the
 * gateway:
 *
 * - when a method that asks the gateway is called (`presence.update`, `contacts.add`,
 *   `user.search`, `call.history.fetch`, …; these wait for it, and reject with `network:error`
 *   when it cannot be fetched, the next one fetching it again);
 * - when the gateway pushes a presence or contacts change before it is here: the event is held
 *   and handed to the manager, in order, once it has loaded.
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
import { Chunk, LazyFeature } from '../lazy.js';
import type { ConnectionManager } from '../transport/connection.js';
import { setHistoryCache } from '../call/history-state.js';
import type * as People from './managers.js';

type Managers = typeof People;

/** The people features' chunk, shared by every client of the page. */
const chunk = new Chunk<Managers>('people features', () => import('./managers.js'));

/** `presence`: this user's and others' presence, and availability for calls. */
export class LazyPresence extends LazyFeature<Managers, People.PresenceManager> {
  readonly #connection: ConnectionManager;

  constructor(ctx: FeatureContext, connection: ConnectionManager) {
    super(ctx, chunk);
    this.#connection = connection;
  }

  protected create(module: Managers): People.PresenceManager {
    return new module.PresenceManager(this.ctx, this.#connection);
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
  readonly #connection: ConnectionManager;

  constructor(ctx: FeatureContext, connection: ConnectionManager) {
    super(ctx, chunk);
    this.#connection = connection;
  }

  protected create(module: Managers): People.ContactsManager {
    return new module.ContactsManager(this.ctx, this.#connection);
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
  readonly #connection: ConnectionManager;
  readonly #self: () => string;

  constructor(ctx: FeatureContext, connection: ConnectionManager, self: () => string) {
    super(ctx, chunk);
    this.#connection = connection;
    this.#self = self;
  }

  protected create(module: Managers): People.UserManager {
    return new module.UserManager(this.ctx, this.#connection, this.#self);
  }

  get(userId: string): DirectoryUser | undefined {
    return this.ctx.store.getState().users.byId[userId];
  }

  getAll(): DirectoryUser[] {
    return Object.values(this.ctx.store.getState().users.byId);
  }
}

/** `call.history`: the gateway's call records, cached in the state. */
export class LazyHistory extends LazyFeature<Managers, People.HistoryManager> {
  readonly #token: () => Promise<string>;

  constructor(ctx: FeatureContext, token: () => Promise<string>) {
    super(ctx, chunk);
    this.#token = token;
  }

  protected create(module: Managers): People.HistoryManager {
    return new module.HistoryManager(this.ctx, this.#token);
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
}
