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
  {
    version: 2,
    name: 'call records',
    sql: `
      CREATE TABLE call_records (
        id                  TEXT PRIMARY KEY,
        user_id             TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        call_id             TEXT NOT NULL,
        direction           TEXT NOT NULL CHECK (direction IN ('outgoing', 'incoming')),
        remote_id           TEXT NOT NULL,
        remote_display_name TEXT NOT NULL,
        audio               INTEGER NOT NULL,
        video               INTEGER NOT NULL,
        start_time          INTEGER NOT NULL,
        answer_time         INTEGER,
        end_time            INTEGER,
        duration            INTEGER NOT NULL,
        result              TEXT NOT NULL CHECK (result IN
                              ('answered', 'missed', 'rejected', 'busy', 'cancelled', 'noAnswer', 'failed')),
        status_code         INTEGER NOT NULL,
        reason_text         TEXT NOT NULL
      ) STRICT;
      CREATE INDEX call_records_user_start ON call_records(user_id, start_time DESC);
      CREATE INDEX call_records_call ON call_records(call_id);
    `,
  },
];
