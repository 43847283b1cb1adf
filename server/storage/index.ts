/**
 * Opens the storage the gateway was configured with. Only this module knows the
 * implementations; feature code takes a {@link Storage}.
 */
import { join, resolve } from 'node:path';
import { isPostgresUrl, PostgresStorage, type Pooler } from './postgres/index.js';
import { SqliteStorage } from './sqlite/index.js';
import type { Storage } from './types.js';

export type * from './types.js';
export { DatabaseTimeoutError, IdentityConflictError } from './types.js';
export {
  DatabaseMisconfiguredError,
  DatabaseUnavailableError,
  POOLERS,
  isPostgresUrl,
  redactDatabaseUrl,
  type Pooler,
} from './postgres/index.js';

/** The data directory when none is given. */
export const DEFAULT_DATA_DIR = './.comms-data';
/** The database file's name inside the data directory. */
export const DB_FILE = 'comms.db';

/**
 * Where the data lives: a data directory, or a database (`':memory:'`, a file path, or a
 * PostgreSQL URL).
 */
export interface StorageLocation {
  /** Data directory; the database is `comms.db` inside it. Default `./.comms-data`. */
  dataDir?: string;
  /**
   * Database file or `':memory:'` (SQLite), or `postgres://user:password@host:port/database`
   * (PostgreSQL, for nodes on several hosts); wins over `dataDir`.
   */
  db?: string;
  /** With a PostgreSQL `db`: connections each node keeps at most (default 10). */
  dbPoolSize?: number;
  /**
   * With a PostgreSQL `db`: seconds one statement may run before the request fails with
   * `server:databaseTimeout` (default 5).
   */
  dbQueryTimeout?: number;
  /**
   * With a PostgreSQL `db`: seconds a request waits for a connection from the pool (or for a
   * new one to open) before it fails with `server:databaseTimeout` (default 5).
   */
  dbConnectTimeout?: number;
  /**
   * With a PostgreSQL `db`: what stands between the node and PostgreSQL. `none` (default):
   * direct connections, or a pooler in session pooling; `transaction`: a pooler in transaction
   * pooling (PgBouncer `pool_mode = transaction`), where nothing may be kept in a session.
   */
  dbPooler?: Pooler;
}

/** The database file (or `:memory:`) a location names; for a PostgreSQL URL, the URL. */
export function databaseFile(location: StorageLocation): string {
  if (location.db && isPostgresUrl(location.db)) return location.db;
  if (location.db) return location.db === ':memory:' ? ':memory:' : resolve(location.db);
  return resolve(join(location.dataDir ?? DEFAULT_DATA_DIR, DB_FILE));
}

/**
 * Opens the storage at `location`, applying migrations: PostgreSQL when `db` is a
 * `postgres://` or `postgresql://` URL (rejecting with `DatabaseUnavailableError`, code
 * `server:databaseUnavailable`, when it does not answer, and `DatabaseMisconfiguredError`,
 * `server:databaseMisconfigured`, when it is behind a pooler `dbPooler` does not say), else the
 * embedded SQLite.
 */
export async function openStorage(
  location: StorageLocation,
  onMigrate?: (version: number, name: string) => void,
  onProblem?: (message: string) => void,
): Promise<Storage> {
  if (location.db && isPostgresUrl(location.db)) {
    return PostgresStorage.open({
      url: location.db,
      ...(location.dbPoolSize !== undefined && { poolSize: location.dbPoolSize }),
      ...(location.dbQueryTimeout !== undefined && {
        queryTimeoutMs: location.dbQueryTimeout * 1000,
      }),
      ...(location.dbConnectTimeout !== undefined && {
        connectTimeoutMs: location.dbConnectTimeout * 1000,
      }),
      ...(location.dbPooler !== undefined && { pooler: location.dbPooler }),
      onMigrate: (m) => onMigrate?.(m.version, m.name),
      onProblem,
    });
  }
  return SqliteStorage.open({
    file: databaseFile(location),
    onMigrate: (m) => onMigrate?.(m.version, m.name),
    onCheckpointProblem: onProblem,
  });
}
