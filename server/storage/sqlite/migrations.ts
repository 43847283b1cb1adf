/**
 * The SQLite schema, as numbered migrations. The table `schema_migrations` records each one
 * applied, and `PRAGMA user_version` holds the highest; each runs once, in its own
 * transaction, in order of version. A version missing from the list (a feature branch that
 * took a number and merged later) is applied when it arrives, even after higher ones: so
 * migrations of different features must not depend on each other's tables. Never edit a
 * migration that has shipped: add the next one.
 *
 * Version 2 belongs to call history (the calls feature); 4 reshapes 3's messages; 5 is
 * voicemail.
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
  {
    version: 3,
    name: 'messaging (conversations, members, messages), contacts, presence',
    sql: `
      CREATE TABLE conversations (
        id         TEXT PRIMARY KEY,
        type       TEXT NOT NULL CHECK (type IN ('im', 'chat', 'sms')),
        name       TEXT,
        -- one-to-one conversations: '<type>:<user id>:<user id>' (sorted), so a pair has one
        pair_key   TEXT UNIQUE,
        last_seq   INTEGER NOT NULL DEFAULT 0,
        created_at INTEGER NOT NULL
      ) STRICT;

      CREATE TABLE conversation_members (
        conversation_id TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
        user_id         TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        delivered_seq   INTEGER NOT NULL DEFAULT 0,
        read_seq        INTEGER NOT NULL DEFAULT 0,
        joined_at       INTEGER NOT NULL,
        PRIMARY KEY (conversation_id, user_id)
      ) STRICT, WITHOUT ROWID;
      CREATE INDEX conversation_members_user ON conversation_members(user_id);

      CREATE TABLE messages (
        id              TEXT PRIMARY KEY,
        conversation_id TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
        seq             INTEGER NOT NULL,
        client_id       TEXT NOT NULL,
        sender_id       TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        parts           TEXT NOT NULL,
        created_at      INTEGER NOT NULL,
        UNIQUE (conversation_id, seq),
        UNIQUE (sender_id, client_id)
      ) STRICT;

      CREATE TABLE contacts (
        owner_id        TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        contact_id      TEXT NOT NULL,
        primary_contact TEXT NOT NULL COLLATE NOCASE,
        fields          TEXT NOT NULL,
        created_at      INTEGER NOT NULL,
        updated_at      INTEGER NOT NULL,
        PRIMARY KEY (owner_id, contact_id),
        UNIQUE (owner_id, primary_contact)
      ) STRICT, WITHOUT ROWID;

      CREATE TABLE presence (
        user_id    TEXT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
        status     TEXT NOT NULL,
        activity   TEXT NOT NULL,
        note       TEXT NOT NULL,
        updated_at INTEGER NOT NULL
      ) STRICT, WITHOUT ROWID;
    `,
  },
  {
    version: 4,
    name: 'messages clustered by conversation and seq; a conversation’s last seq from its messages',
    // Storing a message wrote five b-tree pages (the table, its id, (conversation, seq) and
    // (sender, clientId) indexes, and the conversation's last_seq counter); now two: the
    // table is the (conversation_id, seq) index, the id needs no index (nothing looks a message
    // up by it; it is a UUIDv7 made by the gateway), and the next seq is max(seq) + 1, one
    // step down that index inside the append's write transaction.
    sql: `
      CREATE TABLE messages_v4 (
        conversation_id TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
        seq             INTEGER NOT NULL,
        id              TEXT NOT NULL,
        client_id       TEXT NOT NULL,
        sender_id       TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        parts           TEXT NOT NULL,
        created_at      INTEGER NOT NULL,
        PRIMARY KEY (conversation_id, seq),
        UNIQUE (sender_id, client_id)
      ) STRICT, WITHOUT ROWID;
      INSERT INTO messages_v4 (conversation_id, seq, id, client_id, sender_id, parts, created_at)
        SELECT conversation_id, seq, id, client_id, sender_id, parts, created_at FROM messages;
      DROP TABLE messages;
      ALTER TABLE messages_v4 RENAME TO messages;
      ALTER TABLE conversations DROP COLUMN last_seq;
    `,
  },
  {
    version: 5,
    name: 'voicemails',
    // The audio is a BLOB in the row (at most 1 MiB, 100 per mailbox): one file to back up,
    // deleted with the row, and read only by the audio route (the list names its columns).
    sql: `
      CREATE TABLE voicemails (
        id                TEXT PRIMARY KEY,
        recipient_id      TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        sender_id         TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        from_id           TEXT NOT NULL,
        from_display_name TEXT NOT NULL,
        call_id           TEXT,
        content_type      TEXT NOT NULL,
        size              INTEGER NOT NULL,
        duration_ms       INTEGER NOT NULL,
        created_at        INTEGER NOT NULL,
        heard_at          INTEGER,
        audio             BLOB NOT NULL
      ) STRICT;
      CREATE INDEX voicemails_recipient ON voicemails(recipient_id, created_at DESC);
    `,
  },
];
