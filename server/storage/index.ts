/**
 * Opens the storage the gateway was configured with. Only this module knows the
 * implementations; feature code takes a {@link Storage}.
 */
import { join, resolve } from 'node:path';
import { SqliteStorage } from './sqlite/index.js';
import type { Storage } from './types.js';

export type * from './types.js';
export { IdentityConflictError } from './types.js';

/** The data directory when none is given. */
export const DEFAULT_DATA_DIR = './.comms-data';
/** The database file's name inside the data directory. */
export const DB_FILE = 'comms.db';

/** Where the data lives: a data directory, or a database (`':memory:'` or a file path). */
export interface StorageLocation {
  /** Data directory; the database is `comms.db` inside it. Default `./.comms-data`. */
  dataDir?: string;
  /** Database file or `':memory:'`; wins over `dataDir`. */
  db?: string;
}

/** The database file (or `:memory:`) a location names. */
export function databaseFile(location: StorageLocation): string {
  if (location.db) return location.db === ':memory:' ? ':memory:' : resolve(location.db);
  return resolve(join(location.dataDir ?? DEFAULT_DATA_DIR, DB_FILE));
}

/** Opens the embedded storage at `location`, applying migrations. */
export function openStorage(
  location: StorageLocation,
  onMigrate?: (version: number, name: string) => void,
  onProblem?: (message: string) => void,
): Storage {
  return SqliteStorage.open({
    file: databaseFile(location),
    onMigrate: (m) => onMigrate?.(m.version, m.name),
    onCheckpointProblem: onProblem,
  });
}
