/**
 * The PostgreSQL schema, as numbered migrations of its own (they need not follow SQLite's
 * numbers: each engine has its own list). The table `schema_migrations` records each one
 * applied; each runs once, in its own transaction, in order of version, while the migrating
 * node holds an advisory lock (so nodes that start together migrate once). As with SQLite, a
 * version missing from the list is applied when it arrives, even after higher ones, and a
 * migration that has shipped is never edited: add the next one.
 *
 * Version 1 is the whole of SQLite's schema up to its version 4, with these differences:
 * - times and seqs are `bigint` (ms since the epoch; seqs compared with any safe integer a
 *   client sends), read back as numbers;
 * - usernames, emails and contacts' primary contacts are unique case-insensitively through
 *   unique indexes on `lower(…)` (SQLite: `COLLATE NOCASE`), and looked up through them;
 * - call records have an identity column `n` that orders records of the same start time
 *   (SQLite: the rowid).
 */
import type { Migration } from '../sqlite/migrations.js';

export type { Migration };

export const migrations: readonly Migration[] = [
  {
    version: 1,
    name: 'users, refresh tokens, settings, call records, messaging, contacts, presence',
    sql: `
      CREATE TABLE users (
        id            text PRIMARY KEY,
        username      text,
        email         text,
        number        text,
        display_name  text NOT NULL,
        password_hash text,
        created_at    bigint NOT NULL,
        updated_at    bigint NOT NULL,
        CONSTRAINT users_identity CHECK (username IS NOT NULL OR email IS NOT NULL OR number IS NOT NULL)
      );
      CREATE UNIQUE INDEX users_username_key ON users (lower(username));
      CREATE UNIQUE INDEX users_email_key ON users (lower(email));
      CREATE UNIQUE INDEX users_number_key ON users (number);

      CREATE TABLE refresh_families (
        id             text PRIMARY KEY,
        user_id        text NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        created_at     bigint NOT NULL,
        revoked_at     bigint,
        revoked_reason text
      );
      CREATE INDEX refresh_families_user ON refresh_families (user_id);

      CREATE TABLE refresh_tokens (
        id         text PRIMARY KEY,
        token_hash text NOT NULL UNIQUE,
        family_id  text NOT NULL REFERENCES refresh_families(id) ON DELETE CASCADE,
        parent_id  text,
        user_id    text NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        created_at bigint NOT NULL,
        expires_at bigint NOT NULL,
        used_at    bigint,
        revoked    boolean NOT NULL DEFAULT false
      );
      CREATE INDEX refresh_tokens_family ON refresh_tokens (family_id);
      CREATE INDEX refresh_tokens_expires ON refresh_tokens (expires_at);

      CREATE TABLE settings (
        key   text PRIMARY KEY,
        value text NOT NULL
      );

      CREATE TABLE call_records (
        n                   bigint GENERATED ALWAYS AS IDENTITY,
        id                  text PRIMARY KEY,
        user_id             text NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        call_id             text NOT NULL,
        direction           text NOT NULL CHECK (direction IN ('outgoing', 'incoming')),
        remote_id           text NOT NULL,
        remote_display_name text NOT NULL,
        audio               boolean NOT NULL,
        video               boolean NOT NULL,
        start_time          bigint NOT NULL,
        answer_time         bigint,
        end_time            bigint,
        duration            integer NOT NULL,
        result              text NOT NULL CHECK (result IN
                              ('answered', 'missed', 'rejected', 'busy', 'cancelled', 'noAnswer', 'failed')),
        status_code         integer NOT NULL,
        reason_text         text NOT NULL
      );
      CREATE INDEX call_records_user_start ON call_records (user_id, start_time DESC, n DESC);
      CREATE INDEX call_records_call ON call_records (call_id);

      CREATE TABLE conversations (
        id         text PRIMARY KEY,
        type       text NOT NULL CHECK (type IN ('im', 'chat', 'sms')),
        name       text,
        -- one-to-one conversations: '<type>:<user id>:<user id>' (sorted), so a pair has one
        pair_key   text UNIQUE,
        created_at bigint NOT NULL
      );

      CREATE TABLE conversation_members (
        conversation_id text NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
        user_id         text NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        delivered_seq   bigint NOT NULL DEFAULT 0,
        read_seq        bigint NOT NULL DEFAULT 0,
        joined_at       bigint NOT NULL,
        PRIMARY KEY (conversation_id, user_id)
      );
      CREATE INDEX conversation_members_user ON conversation_members (user_id);

      -- A conversation's last seq is max(seq) of its messages (one step down the primary key).
      CREATE TABLE messages (
        conversation_id text NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
        seq             bigint NOT NULL,
        id              text NOT NULL,
        client_id       text NOT NULL,
        sender_id       text NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        parts           text NOT NULL,
        created_at      bigint NOT NULL,
        PRIMARY KEY (conversation_id, seq),
        CONSTRAINT messages_sender_client UNIQUE (sender_id, client_id)
      );

      CREATE TABLE contacts (
        owner_id        text NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        contact_id      text NOT NULL,
        primary_contact text NOT NULL,
        fields          text NOT NULL,
        created_at      bigint NOT NULL,
        updated_at      bigint NOT NULL,
        PRIMARY KEY (owner_id, contact_id)
      );
      CREATE UNIQUE INDEX contacts_primary ON contacts (owner_id, lower(primary_contact));

      CREATE TABLE presence (
        user_id    text PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
        status     text NOT NULL,
        activity   text NOT NULL,
        note       text NOT NULL,
        updated_at bigint NOT NULL
      );
    `,
  },
  {
    version: 2,
    name: 'voicemails',
    // As SQLite's version 5; the audio is bytea in the row.
    sql: `
      CREATE TABLE voicemails (
        id                text PRIMARY KEY,
        recipient_id      text NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        sender_id         text NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        from_id           text NOT NULL,
        from_display_name text NOT NULL,
        call_id           text,
        content_type      text NOT NULL,
        size              integer NOT NULL,
        duration_ms       integer NOT NULL,
        created_at        bigint NOT NULL,
        heard_at          bigint,
        audio             bytea NOT NULL,
        n                 bigint GENERATED ALWAYS AS IDENTITY
      );
      CREATE INDEX voicemails_recipient ON voicemails (recipient_id, created_at DESC);
    `,
  },
];
