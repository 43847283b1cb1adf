/**
 * Users and the directory (the seeds' `user` namespace): fetch one user, search the directory,
 * and keep what was found.
 */
import type { DirectoryUser } from '../protocol/schema.js';
import { CommsError, ErrorCodes, asCommsError } from '../errors.js';
import type { FeatureContext } from '../feature.js';
import type { ConnectionManager } from '../transport/connection.js';

export type { SearchFilters, UsersState } from './state.js';
import type { SearchFilters } from './state.js';

const FILTERS = ['userId', 'name', 'firstName', 'lastName', 'userName', 'phoneNumber'];

export class UserManager {
  readonly #ctx: FeatureContext;
  readonly #connection: ConnectionManager;
  readonly #self: () => string;

  constructor(ctx: FeatureContext, connection: ConnectionManager, self: () => string) {
    this.#ctx = ctx;
    this.#connection = connection;
    this.#self = self;
  }

  get(userId: string): DirectoryUser | undefined {
    return this.#ctx.store.getState().users.byId[userId];
  }

  getAll(): DirectoryUser[] {
    return Object.values(this.#ctx.store.getState().users.byId);
  }

  /** Fetches one user (`users:change`). Resolves with null when there is no such user. */
  async fetch(userId: string): Promise<DirectoryUser | null> {
    if (typeof userId !== 'string' || !userId) {
      throw this.#fail(
        new CommsError(ErrorCodes.INVALID_ARGUMENT, 'user.fetch(userId): userId must be a string'),
        'users:error',
      );
    }
    try {
      const { user } = await this.#connection.request({ type: 'user.fetch', userId });
      if (user) this.#merge([user]);
      this.#ctx.emit('users:change', { userId });
      return user;
    } catch (error) {
      throw this.#fail(error, 'users:error');
    }
  }

  /** This user's own directory entry. */
  fetchSelfInfo(): Promise<DirectoryUser | null> {
    return this.fetch(this.#self());
  }

  /** Searches the directory (`directory:change` with the results). */
  async search(filters: SearchFilters = {}): Promise<DirectoryUser[]> {
    const unknown = Object.keys(filters ?? {}).filter((k) => !FILTERS.includes(k));
    if (!filters || typeof filters !== 'object' || unknown.length > 0) {
      throw this.#fail(
        new CommsError(
          ErrorCodes.INVALID_ARGUMENT,
          `user.search(filters): unknown filter ${unknown.join(', ')}; use ${FILTERS.join(', ')}`,
        ),
        'directory:error',
      );
    }
    try {
      const { users } = await this.#connection.request({ type: 'directory.search', filters });
      this.#merge(users);
      this.#ctx.emit('directory:change', { results: users });
      return users;
    } catch (error) {
      throw this.#fail(error, 'directory:error');
    }
  }

  #merge(users: DirectoryUser[]): void {
    this.#ctx.store.update((s) => ({
      ...s,
      users: {
        ...s.users,
        byId: { ...s.users.byId, ...Object.fromEntries(users.map((u) => [u.userId, u])) },
      },
    }));
  }

  #fail(error: unknown, event: 'users:error' | 'directory:error'): CommsError {
    const e = asCommsError(error);
    this.#ctx.emit(event, { error: e.toJSON() });
    return e;
  }
}
