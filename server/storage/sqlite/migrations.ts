/**
 * The SQLite schema, as numbered migrations. `PRAGMA user_version` holds the number of the
 * last one applied; each runs once, in its own transaction, in order. Never edit a migration
 * that has shipped: add the next one.
 */
export interface Migration {
  /** 1, 2, 3, … in order. */
  version: number;
  /** What it does, for the log. */
  name: string;
  sql: string;
}

export const migrations: readonly Migration[] = [
  {
    version: 1,
    name: 'users, refresh-token families and tokens, settings',
    sql: `
      CREATE TABLE users (
        id            TEXT PRIMARY KEY,
        username      TEXT COLLATE NOCASE UNIQUE,
        email         TEXT COLLATE NOCASE UNIQUE,
        number        TEXT UNIQUE,
        display_name  TEXT NOT NULL,
        password_hash TEXT,
        created_at    INTEGER NOT NULL,
        updated_at    INTEGER NOT NULL,
        CHECK (username IS NOT NULL OR email IS NOT NULL OR number IS NOT NULL)
      ) STRICT;

      CREATE TABLE refresh_families (
        id             TEXT PRIMARY KEY,
        user_id        TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        created_at     INTEGER NOT NULL,
        revoked_at     INTEGER,
        revoked_reason TEXT
      ) STRICT;
      CREATE INDEX refresh_families_user ON refresh_families(user_id);

      CREATE TABLE refresh_tokens (
        id         TEXT PRIMARY KEY,
        token_hash TEXT NOT NULL UNIQUE,
        family_id  TEXT NOT NULL REFERENCES refresh_families(id) ON DELETE CASCADE,
        parent_id  TEXT,
        user_id    TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        created_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL,
        used_at    INTEGER,
        revoked    INTEGER NOT NULL DEFAULT 0
      ) STRICT;
      CREATE INDEX refresh_tokens_family ON refresh_tokens(family_id);
      CREATE INDEX refresh_tokens_expires ON refresh_tokens(expires_at);

      CREATE TABLE settings (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
      ) STRICT;
    `,
  },
];
