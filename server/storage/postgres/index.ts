/**
 * The distributed storage: PostgreSQL through node-postgres (`pg`), a bounded pool of
 * connections, for gateway nodes on several hosts (`--db postgres://…`). Same semantics and
 * errors as the SQLite storage; where two nodes could race, the database decides:
 *
 * - Message seqs: an append batch locks the rows of its conversations (`FOR NO KEY UPDATE`,
 *   in id order so two batches never deadlock), then reads each one's `max(seq)` in a new
 *   statement (READ COMMITTED: it sees whatever the previous holder of the lock committed),
 *   and numbers on from there. Appends to one conversation from any number of nodes are
 *   serialised by that lock: no gap, no seq given twice.
 * - Duplicates: the unique `(sender_id, client_id)` index, `ON CONFLICT DO NOTHING`; a
 *   concurrent insert of the same key waits for the first to commit, then finds it.
 * - Refresh tokens: one guarded `UPDATE … WHERE used_at IS NULL AND NOT revoked …`; of two
 *   nodes spending one token at once, the second waits on the row and its guard then fails.
 * - Direct conversations and settings: `INSERT … ON CONFLICT DO NOTHING`, then read.
 *
 * Group commit as in SQLite: appends made in the same turn of the event loop are stored in
 * one transaction; while it commits, the next appends gather for the one after.
 *
 * Bounded waits: every statement has a timeout (PostgreSQL's `statement_timeout`, and a
 * client-side read timeout a little longer for a server that does not answer at all), and so
 * has getting a connection from the pool; either rejects with {@link DatabaseTimeoutError}
 * after rolling back. A transaction that PostgreSQL aborts as a deadlock victim (40P01) or a
 * serialization failure (40001) is done again from its start, a bounded number of times.
 *
 * Behind a pooler in transaction pooling (PgBouncer's `pool_mode = transaction`, `pooler:
 * 'transaction'`), a connection's session lasts one transaction: the next may run on another
 * server connection. So nothing is kept in the session there: statements are unnamed (parsed
 * each time, not prepared once per connection), the statement timeout is `SET LOCAL` at the
 * start of each transaction (a statement on its own runs in one), and migrations hold a
 * transaction's advisory lock. Directly or in session pooling (the default), named statements
 * are prepared once per connection and the timeout is set once per connection; a pooler in
 * transaction pooling that was not declared is found at start and refused.
 */
import pg from 'pg';
import type { PoolClient, QueryConfig, QueryResultRow } from 'pg';
import {
  DatabaseTimeoutError,
  IdentityConflictError,
  type AppendResult,
  type CallRecordEntry,
  type ConsumeResult,
  type ContactRecord,
  type ContactWriteResult,
  type ConversationKind,
  type ConversationRecord,
  type ConversationSummary,
  type IdentityField,
  type MemberRecord,
  type MessagePage,
  type NewMessage,
  type NewRefreshToken,
  type NewUser,
  type NewVoicemail,
  type VoicemailEntry,
  type PresenceRecord,
  type RefreshFamilyRecord,
  type RefreshTokenRecord,
  type Storage,
  type UserLookup,
  type UserRecord,
  type UserSearchCondition,
  type UserSearchField,
} from '../types.js';
import {
  type UserRow,
  type FamilyRow,
  type TokenRow,
  type CallRecordRow,
  type VoicemailRow,
  type ConversationRow,
  type MemberRow,
  type MessageRow,
  type ContactRow,
  type PresenceRow,
  toUser,
  toFamily,
  toToken,
  toCallRecord,
  toVoicemail,
  voicemailColumns,
  toConversation,
  toMember,
  toMessage,
  toContact,
  toPresence,
} from '../rows.js';
import { migrations as allMigrations, type Migration } from './migrations.js';

/** The connections a storage keeps open at most, unless told otherwise. */
export const DEFAULT_POOL_SIZE = 10;
/** How long one statement may run, unless told otherwise (ms). */
export const DEFAULT_QUERY_TIMEOUT_MS = 5000;
/** How long a request may wait for a connection from the pool, unless told otherwise (ms). */
export const DEFAULT_CONNECT_TIMEOUT_MS = 5000;
/** How many times a transaction is tried when PostgreSQL aborts it as a deadlock victim. */
export const TRANSACTION_ATTEMPTS = 3;
/**
 * How much longer than `statement_timeout` the client waits for an answer before it gives up
 * on the connection (a server that does not answer at all: stopped, partitioned away).
 */
const READ_TIMEOUT_MARGIN_MS = 1000;

/** True for a URL that names a PostgreSQL database (`postgres://`, `postgresql://`). */
export function isPostgresUrl(text: string): boolean {
  return /^postgres(ql)?:\/\//i.test(text.trim());
}

/** The URL without its password (in the authority or a `password` parameter). */
export function redactDatabaseUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    if (parsed.searchParams.has('password')) parsed.searchParams.set('password', '***');
    return parsed.toString();
  } catch {
    return url.replace(/\/\/([^:/@]*):[^@/]*@/, '//$1:***@');
  }
}

/** What an error says, even an `AggregateError` with no message of its own. */
function describe(error: unknown): string {
  if (error instanceof AggregateError && !error.message)
    return error.errors.map((e: unknown) => describe(e)).join('; ');
  const e = error as { message?: string; code?: string } | undefined;
  return e?.message || e?.code || String(error);
}

/**
 * What stands between a node and PostgreSQL: nothing (direct connections) or a pooler in
 * session pooling, which keep a connection's session (`none`, `session`); or a pooler in
 * transaction pooling (`transaction`: PgBouncer's `pool_mode = transaction`, and the like),
 * which gives each transaction whichever server connection is free.
 */
export const POOLERS = ['none', 'session', 'transaction'] as const;
export type Pooler = (typeof POOLERS)[number];

/**
 * Thrown at start when the database is reached in a way this storage was not told of, or
 * cannot work with: transaction pooling not declared, statement pooling.
 */
export class DatabaseMisconfiguredError extends Error {
  readonly code = 'server:databaseMisconfigured';
  constructor(message: string, cause?: unknown) {
    super(message, { cause });
    this.name = 'DatabaseMisconfiguredError';
  }
}

/** Thrown at start when the database cannot be reached at the URL given. */
export class DatabaseUnavailableError extends Error {
  readonly code = 'server:databaseUnavailable';
  constructor(url: string, cause: unknown) {
    super(
      `cannot reach PostgreSQL at ${redactDatabaseUrl(url)}: ${describe(cause)}; start it, or correct --db (COMMS_DB)`,
      { cause },
    );
    this.name = 'DatabaseUnavailableError';
  }
}

/** Options of {@link PostgresStorage.open}. */
export interface PostgresOptions {
  /** `postgres://user:password@host:port/database` (any libpq-style URL node-postgres takes). */
  url: string;
  /** Connections kept at most (default {@link DEFAULT_POOL_SIZE}). */
  poolSize?: number;
  /**
   * Milliseconds one statement may run (default {@link DEFAULT_QUERY_TIMEOUT_MS}); past it the
   * operation rejects with {@link DatabaseTimeoutError}. Migrations at start have none.
   */
  queryTimeoutMs?: number;
  /**
   * Milliseconds to wait for a connection from the pool, or for a new one to open (default
   * {@link DEFAULT_CONNECT_TIMEOUT_MS}); past it the operation rejects with
   * {@link DatabaseTimeoutError}.
   */
  connectTimeoutMs?: number;
  /**
   * What stands between this node and PostgreSQL (default `none`: direct connections, or a
   * pooler in session pooling). `transaction` for a pooler in transaction pooling (PgBouncer
   * `pool_mode = transaction`): unnamed statements, the timeout set in each transaction.
   */
  pooler?: Pooler;
  /** Migrations to apply (default: all of comms-kit's). */
  migrations?: readonly Migration[];
  /** Told about each migration applied. */
  onMigrate?: (migration: Migration) => void;
  /** Told when an idle connection fails (the pool replaces it). */
  onProblem?: (message: string) => void;
}

/** `bigint` columns (times, counts) as numbers: milliseconds since the epoch fit exactly. */
const INT8 = 20;
const typeParsers = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8 && format !== 'binary'
      ? (value: string) => Number(value)
      : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

/** The key of the advisory lock held while migrating (any constant; "comms" in ASCII). */
const MIGRATION_LOCK = 0x636f6d6d73;

/** A conversation's columns, with its last seq: the highest of its messages (an index step). */
const conversationColumns = `c.id, c.type, c.name, c.created_at,
  (SELECT coalesce(max(seq), 0) FROM messages WHERE conversation_id = c.id) AS last_seq`;
const memberColumns = `m.conversation_id, m.user_id, u.username, u.display_name,
  m.delivered_seq, m.read_seq, m.joined_at`;
const messageColumns = 'id, conversation_id, seq, client_id, sender_id, parts, created_at';

/**
 * The statements, prepared once per connection (node-postgres keeps a named statement on each
 * connection that ran it), or unnamed behind a transaction pooler.
 */
const SQL = {
  ping: 'SELECT 1',
  getSetting: 'SELECT value FROM settings WHERE key = $1',
  insertSetting: 'INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT DO NOTHING',
  insertUser: `INSERT INTO users (id, username, email, number, display_name, password_hash, created_at, updated_at)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING *`,
  userById: 'SELECT * FROM users WHERE id = $1',
  userByUsername: 'SELECT * FROM users WHERE lower(username) = lower($1)',
  userByEmail: 'SELECT * FROM users WHERE lower(email) = lower($1)',
  userByNumber: 'SELECT * FROM users WHERE number = $1',
  updateDisplayName:
    'UPDATE users SET display_name = $2, updated_at = $3 WHERE id = $1 RETURNING *',
  insertFamily: 'INSERT INTO refresh_families (id, user_id, created_at) VALUES ($1, $2, $3)',
  familyById: 'SELECT * FROM refresh_families WHERE id = $1',
  revokeFamily: `UPDATE refresh_families SET revoked_at = $2, revoked_reason = $3
    WHERE id = $1 AND revoked_at IS NULL`,
  revokeFamilyTokens: 'UPDATE refresh_tokens SET revoked = true WHERE family_id = $1',
  insertToken: `INSERT INTO refresh_tokens (id, token_hash, family_id, parent_id, user_id, created_at, expires_at)
    VALUES ($1, $2, $3, $4, $5, $6, $7)`,
  tokenByHash: 'SELECT * FROM refresh_tokens WHERE token_hash = $1',
  // One statement: a second spender waits for the first's row lock, then fails the guard.
  spendToken: `UPDATE refresh_tokens t SET used_at = $2
    FROM refresh_families f
    WHERE t.token_hash = $1 AND f.id = t.family_id AND t.used_at IS NULL AND NOT t.revoked
      AND t.expires_at > $2 AND f.revoked_at IS NULL
    RETURNING t.*`,
  tokenAndFamily: `SELECT t.*, f.revoked_at AS family_revoked_at, f.id AS family_found
    FROM refresh_tokens t LEFT JOIN refresh_families f ON f.id = t.family_id
    WHERE t.token_hash = $1`,
  pruneTokens: 'DELETE FROM refresh_tokens WHERE expires_at <= $1',
  pruneFamilies: `DELETE FROM refresh_families f
    WHERE NOT EXISTS (SELECT 1 FROM refresh_tokens t WHERE t.family_id = f.id)`,
  insertCallRecord: `INSERT INTO call_records (id, user_id, call_id, direction, remote_id,
      remote_display_name, audio, video, start_time, answer_time, end_time, duration, result,
      status_code, reason_text)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`,
  callRecordsPage: `SELECT * FROM call_records WHERE user_id = $1
    ORDER BY start_time DESC, n DESC LIMIT $2 OFFSET $3`,
  callRecordsCount: 'SELECT count(*) AS n FROM call_records WHERE user_id = $1',
  deleteCallRecord: 'DELETE FROM call_records WHERE user_id = $1 AND id = $2',
  deleteCallRecords: 'DELETE FROM call_records WHERE user_id = $1',
  callRecordExists: 'SELECT 1 FROM call_records WHERE call_id = $1 LIMIT 1',
  // The recipient's row, locked so that two voicemails at once count one another.
  lockMailbox: 'SELECT 1 FROM users WHERE id = $1 FOR NO KEY UPDATE',
  countVoicemails: 'SELECT count(*) AS n FROM voicemails WHERE recipient_id = $1',
  insertVoicemail: `INSERT INTO voicemails (id, recipient_id, sender_id, from_id, from_display_name,
      call_id, content_type, size, duration_ms, created_at, audio)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
  listVoicemails: `SELECT ${voicemailColumns} FROM voicemails WHERE recipient_id = $1
    ORDER BY created_at DESC, n DESC`,
  voicemailAudio: `SELECT ${voicemailColumns}, audio FROM voicemails
    WHERE recipient_id = $1 AND id = $2`,
  markVoicemailHeard: `UPDATE voicemails SET heard_at = COALESCE(heard_at, $3)
    WHERE recipient_id = $1 AND id = $2 RETURNING ${voicemailColumns}`,
  deleteVoicemail: 'DELETE FROM voicemails WHERE recipient_id = $1 AND id = $2',
  conversationById: `SELECT ${conversationColumns} FROM conversations c WHERE c.id = $1`,
  conversationByPair: `SELECT ${conversationColumns} FROM conversations c WHERE c.pair_key = $1`,
  insertConversation: `INSERT INTO conversations (id, type, name, pair_key, created_at)
    VALUES ($1, $2, $3, $4, $5) ON CONFLICT (pair_key) DO NOTHING`,
  insertMembers: `INSERT INTO conversation_members (conversation_id, user_id, joined_at)
    SELECT $1, unnest($2::text[]), $3 ON CONFLICT DO NOTHING`,
  members: `SELECT ${memberColumns} FROM conversation_members m JOIN users u ON u.id = m.user_id
    WHERE m.conversation_id = $1 ORDER BY m.joined_at, m.user_id`,
  membersOfMany: `SELECT ${memberColumns} FROM conversation_members m JOIN users u ON u.id = m.user_id
    WHERE m.conversation_id = ANY($1::text[]) ORDER BY m.joined_at, m.user_id`,
  memberForUpdate: `SELECT ${memberColumns} FROM conversation_members m JOIN users u ON u.id = m.user_id
    WHERE m.conversation_id = $1 AND m.user_id = $2 FOR NO KEY UPDATE OF m`,
  lastSeq: 'SELECT coalesce(max(seq), 0) AS seq FROM messages WHERE conversation_id = $1',
  setWatermarks: `UPDATE conversation_members SET delivered_seq = $3, read_seq = $4
    WHERE conversation_id = $1 AND user_id = $2`,
  // Every conversation of $1 ($2: only that one, or null), with the member's unread count and
  // the newest message (its columns prefixed `last_`).
  summaries: `SELECT ${conversationColumns},
      (SELECT count(*) FROM messages x
        WHERE x.conversation_id = c.id AND x.seq > me.read_seq AND x.sender_id <> $1) AS unread,
      l.id AS last_id, l.seq AS last_message_seq, l.client_id AS last_client_id,
      l.sender_id AS last_sender_id, l.parts AS last_parts, l.created_at AS last_created_at
    FROM conversation_members me
    JOIN conversations c ON c.id = me.conversation_id
    LEFT JOIN LATERAL (SELECT * FROM messages x WHERE x.conversation_id = c.id
      ORDER BY x.seq DESC LIMIT 1) l ON true
    WHERE me.user_id = $1 AND ($2::text IS NULL OR c.id = $2)`,
  // Locks the rows of a batch's conversations, in id order (two batches never deadlock).
  lockConversations: `SELECT id FROM conversations WHERE id = ANY($1::text[])
    ORDER BY id FOR NO KEY UPDATE`,
  // After the lock, in a statement of its own, so it sees what the lock's last holder stored.
  nextSeqs: `SELECT c.id, (SELECT coalesce(max(seq), 0) FROM messages WHERE conversation_id = c.id) AS seq
    FROM unnest($1::text[]) AS c(id)`,
  insertMessage: `INSERT INTO messages (id, conversation_id, seq, client_id, sender_id, parts, created_at)
    VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (sender_id, client_id) DO NOTHING`,
  messageBySender: `SELECT ${messageColumns} FROM messages WHERE sender_id = $1 AND client_id = $2`,
  messagesAfter: `SELECT ${messageColumns} FROM messages WHERE conversation_id = $1 AND seq > $2
    ORDER BY seq LIMIT $3`,
  messagesBefore: `SELECT ${messageColumns} FROM messages WHERE conversation_id = $1 AND seq < $2
    ORDER BY seq DESC LIMIT $3`,
  presenceOf: 'SELECT * FROM presence WHERE user_id = ANY($1::text[])',
  savePresence: `INSERT INTO presence (user_id, status, activity, note, updated_at)
    VALUES ($1, $2, $3, $4, $5)
    ON CONFLICT (user_id) DO UPDATE SET status = excluded.status, activity = excluded.activity,
      note = excluded.note, updated_at = excluded.updated_at`,
  contacts: 'SELECT * FROM contacts WHERE owner_id = $1 ORDER BY created_at, contact_id',
  countContacts: 'SELECT count(*) AS n FROM contacts WHERE owner_id = $1',
  insertContact: `INSERT INTO contacts (owner_id, contact_id, primary_contact, fields, created_at, updated_at)
    VALUES ($1, $2, $3, $4, $5, $6)`,
  updateContact: `UPDATE contacts SET primary_contact = $3, fields = $4, updated_at = $5
    WHERE owner_id = $1 AND contact_id = $2`,
  removeContact: 'DELETE FROM contacts WHERE owner_id = $1 AND contact_id = $2',
  mutualContacts: `SELECT u.id FROM users u
    WHERE u.id = ANY($2::text[])
      AND EXISTS (SELECT 1 FROM contacts c WHERE c.owner_id = $1
            AND lower(c.primary_contact) IN (lower(u.id), lower(u.username), lower(u.email), lower(u.number)))
      AND EXISTS (SELECT 1 FROM contacts c JOIN users me ON me.id = $1
            WHERE c.owner_id = u.id
            AND lower(c.primary_contact) IN (lower(me.id), lower(me.username), lower(me.email), lower(me.number)))`,
  usersByIds: 'SELECT * FROM users WHERE id = ANY($1::text[])',
} as const;

type StatementName = keyof typeof SQL;

/** A statement with its values: named (prepared once per connection), or unnamed. */
const statement = (name: StatementName, values: unknown[], prepared: boolean): QueryConfig =>
  prepared ? { name, text: SQL[name], values } : { text: SQL[name], values };

/** The SQL of each searchable user field (first name: the display name's first word). */
const SEARCH_COLUMNS: Record<UserSearchField, string> = {
  id: 'id',
  username: 'username',
  displayName: 'display_name',
  firstName: "split_part(display_name, ' ', 1)",
  lastName: "ltrim(substr(display_name, strpos(display_name || ' ', ' ')))",
  email: 'email',
  number: 'number',
};
/** Fields compared case-insensitively when matched whole (as SQLite's NOCASE columns). */
const CASELESS_FIELDS: ReadonlySet<UserSearchField> = new Set(['username', 'email']);

/** A LIKE pattern matching `text` anywhere, with `\` escaping LIKE's wildcards. */
const containsPattern = (text: string) => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** PostgreSQL's SQLSTATE for a unique violation. */
const UNIQUE_VIOLATION = '23505';

/** The identity a unique violation on `users` is about, if it is one. */
function conflictField(error: unknown): IdentityField | undefined {
  const { code, constraint } = error as { code?: string; constraint?: string };
  if (code !== UNIQUE_VIOLATION) return undefined;
  const match = /^users_(username|email|number)_key$/.exec(constraint ?? '');
  return match?.[1] as IdentityField | undefined;
}

const isUniqueViolation = (error: unknown) =>
  (error as { code?: string }).code === UNIQUE_VIOLATION;

/**
 * SQLSTATEs of a transaction PostgreSQL aborted so that another could go on: done again from
 * its start, it may well succeed (deadlock victim, serialization failure).
 */
const RETRYABLE = new Set(['40P01', '40001']);
const isRetryable = (error: unknown) => RETRYABLE.has((error as { code?: string })?.code ?? '');

/** SQLSTATE of a statement cancelled, here by `statement_timeout`. */
const QUERY_CANCELED = '57014';
/** node-postgres's messages when its own timeouts fire. */
const READ_TIMEOUT = 'Query read timeout';
const CONNECT_TIMEOUTS = [
  'timeout exceeded when trying to connect',
  'Connection terminated due to connection timeout',
];

/**
 * What a timeout was, when `error` is one: the statement's (on the server or, for a server that
 * does not answer, the client's read timeout), or the wait for a connection.
 */
function timeoutKind(error: unknown): 'statement' | 'connect' | undefined {
  if (error instanceof DatabaseTimeoutError) return 'statement';
  const { code, message } = (error ?? {}) as { code?: string; message?: string };
  if (code === QUERY_CANCELED || message === READ_TIMEOUT) return 'statement';
  if (message && CONNECT_TIMEOUTS.includes(message)) return 'connect';
  return undefined;
}

/** A transient failure: a timeout, or a transaction worth doing again. */
const isTransient = (error: unknown) => isRetryable(error) || timeoutKind(error) !== undefined;

/** A short random pause before a transaction is tried again (two victims do not meet again). */
const backoff = (attempt: number) =>
  new Promise((resolve) => setTimeout(resolve, Math.random() * 20 * attempt));

/** How one append of a group commit ended. */
type AppendOutcome = { ok: AppendResult } | { error: unknown };

/** An append waiting for the next group commit. */
interface PendingAppend {
  message: NewMessage;
  resolve: (result: AppendResult) => void;
  reject: (error: unknown) => void;
}

/**
 * Applies the migrations the database has not had yet, in order of version, each in a
 * transaction of its own that holds an advisory lock (nodes that start together wait for the
 * first, then find nothing to do); returns the ones it applied. Nothing is kept in the session
 * (a transaction's lock, `SET LOCAL`), so this works through a pooler in transaction pooling.
 */
export async function migrate(
  client: pg.ClientBase,
  migrations: readonly Migration[],
): Promise<Migration[]> {
  const sorted = [...migrations].sort((a, b) => a.version - b.version);
  const done: Migration[] = [];
  for (;;) {
    // No statement timeout: a migration may take long on a big table, and waits for another
    // node's (the lock).
    await client.query('BEGIN; SET LOCAL statement_timeout = 0');
    try {
      await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
      await client.query(
        `CREATE TABLE IF NOT EXISTS schema_migrations (
           version    integer PRIMARY KEY,
           name       text NOT NULL,
           applied_at bigint NOT NULL
         )`,
      );
      // After the lock, in a statement of its own: it sees what the lock's last holder applied.
      const { rows } = await client.query<{ version: number }>(
        'SELECT version FROM schema_migrations',
      );
      const applied = new Set(rows.map((r) => r.version));
      const unknown = [...applied].filter((v) => !sorted.some((m) => m.version === v));
      if (unknown.length) {
        throw new Error(
          `the database has schema migration ${unknown.sort((a, b) => a - b).join(', ')}, which this gateway does not know: run a newer comms-kit-server`,
        );
      }
      const next = sorted.find((m) => !applied.has(m.version));
      if (next) {
        await client.query(next.sql);
        await client.query(
          'INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)',
          [next.version, next.name, Date.now()],
        );
      }
      await client.query('COMMIT');
      if (!next) return done;
      done.push(next);
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
  }
}

/** A pooler's refusal of transactions (PgBouncer's `pool_mode = statement`). */
const STATEMENT_POOLING = /transaction blocks not allowed/i;

/**
 * Whether the sessions of `url` last from one transaction to the next, as they do on direct
 * connections and in session pooling. `client`'s backend is asked for its process id, then
 * another connection opens a transaction (in transaction pooling, it is given the server
 * connection `client` just left), then `client` is asked again: another process, or the other
 * connection's being `client`'s, proves transaction pooling. (The converse is not proven: a
 * pooler may hand out its connections in another order.)
 */
async function keepsSessions(
  client: pg.ClientBase,
  url: string,
  connectTimeoutMs: number,
): Promise<boolean> {
  const pid = async (c: pg.ClientBase) =>
    (await c.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
  const first = await pid(client);
  const other = new pg.Client({
    connectionString: url,
    connectionTimeoutMillis: connectTimeoutMs,
    application_name: 'comms-kit',
  });
  other.on('error', () => undefined); // the statement under way rejects
  await other.connect();
  try {
    await other.query('BEGIN');
    const others = await pid(other);
    const again = await pid(client);
    await other.query('COMMIT');
    return others !== first && again === first;
  } finally {
    await other.end().catch(() => undefined);
  }
}

/** {@link Storage} on PostgreSQL. */
export class PostgresStorage implements Storage {
  private readonly pool: pg.Pool;
  private readonly appends: PendingAppend[] = [];
  /** A group commit is under way (the next one waits for it: appends keep their order). */
  private flushing: Promise<void> | undefined;
  private flushScheduled = false;

  private readonly queryTimeoutMs: number;
  private readonly connectTimeoutMs: number;
  /**
   * Named statements, and the timeout set once per connection (false behind a pooler in
   * transaction pooling: unnamed statements, the timeout set in each transaction).
   */
  private readonly prepared: boolean;

  private constructor(
    pool: pg.Pool,
    queryTimeoutMs: number,
    connectTimeoutMs: number,
    prepared: boolean,
  ) {
    this.pool = pool;
    this.queryTimeoutMs = queryTimeoutMs;
    this.connectTimeoutMs = connectTimeoutMs;
    this.prepared = prepared;
  }

  /**
   * Connects, checks that the database answers (else rejects with
   * {@link DatabaseUnavailableError}) and applies the migrations it has not had; rejects with
   * {@link DatabaseMisconfiguredError} when the database is behind a pooler in transaction
   * pooling that `pooler` does not say, or in statement pooling.
   */
  static async open(options: PostgresOptions): Promise<PostgresStorage> {
    const queryTimeoutMs = options.queryTimeoutMs ?? DEFAULT_QUERY_TIMEOUT_MS;
    const connectTimeoutMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
    const pooler = options.pooler ?? 'none';
    if (!POOLERS.includes(pooler))
      throw new DatabaseMisconfiguredError(
        `unknown pooler '${String(pooler)}': give one of ${POOLERS.join(', ')} (--db-pooler)`,
      );
    const prepared = pooler !== 'transaction';
    // Migrations on a connection of their own, without the statement timeout: a migration
    // may take long on a big table, and waits for another node's (an advisory lock).
    const client = new pg.Client({
      connectionString: options.url,
      connectionTimeoutMillis: connectTimeoutMs,
      application_name: 'comms-kit',
    });
    const onError = () => undefined; // the statement under way rejects
    client.on('error', onError);
    try {
      await client.connect();
    } catch (error) {
      await client.end().catch(() => undefined);
      throw new DatabaseUnavailableError(options.url, error);
    }
    const where = redactDatabaseUrl(options.url);
    try {
      for (const m of await migrate(client, options.migrations ?? allMigrations))
        options.onMigrate?.(m);
      if (prepared && !(await keepsSessions(client, options.url, connectTimeoutMs)))
        throw new DatabaseMisconfiguredError(
          `PostgreSQL at ${where} keeps no session from one transaction to the next (a pooler in transaction pooling, such as PgBouncer's pool_mode = transaction): give --db-pooler transaction (COMMS_DB_POOLER), or connect directly or through session pooling`,
        );
    } catch (error) {
      if (STATEMENT_POOLING.test(describe(error)))
        throw new DatabaseMisconfiguredError(
          `PostgreSQL at ${where} is behind a pooler in statement pooling, which runs no transaction: use transaction pooling (PgBouncer pool_mode = transaction) with --db-pooler transaction, or session pooling`,
          error,
        );
      throw error;
    } finally {
      await client.end().catch(() => undefined);
    }
    const pool = new pg.Pool({
      connectionString: options.url,
      max: options.poolSize ?? DEFAULT_POOL_SIZE,
      connectionTimeoutMillis: connectTimeoutMs,
      idleTimeoutMillis: 30_000,
      application_name: 'comms-kit',
      types: typeParsers,
      // The client gives up a little after the server's own timeout (below), on a server that
      // does not answer at all.
      query_timeout: queryTimeoutMs + READ_TIMEOUT_MARGIN_MS,
    });
    // The server cancels a statement past `statement_timeout` (57014) and the connection stays
    // usable. Set on each new connection, before its first statement (queued first), rather
    // than as a startup parameter, which PgBouncer refuses ("unsupported startup parameter").
    // In transaction pooling a session setting would land on whichever server connection ran
    // it, and stay there: each transaction sets it instead (`SET LOCAL`).
    if (prepared)
      pool.on('connect', (connection) => {
        connection
          .query(`SET statement_timeout = ${Math.round(queryTimeoutMs)}`)
          .catch(() => undefined); // a connection that fails here fails its first statement too
      });
    // An idle connection that fails is dropped by the pool; without a listener, the error
    // would end the process.
    pool.on('error', (error) =>
      options.onProblem?.(`a PostgreSQL connection failed: ${describe(error)}`),
    );
    return new PostgresStorage(pool, queryTimeoutMs, connectTimeoutMs, prepared);
  }

  /**
   * One statement: on a transaction's connection as it is; on the pool, as a transaction of
   * its own (done again when aborted as a deadlock victim, a timeout as
   * {@link DatabaseTimeoutError}).
   */
  private async query<R extends QueryResultRow>(
    name: StatementName,
    values: unknown[],
    client?: PoolClient,
  ) {
    return this.run<R>(statement(name, values, this.prepared), client);
  }

  /**
   * A statement on a transaction's connection, or on the pool. Behind a transaction pooler, a
   * statement on the pool is a transaction of its own, which sets its timeout.
   */
  private async run<R extends QueryResultRow>(config: QueryConfig, client?: PoolClient) {
    if (client) return client.query<R>(config);
    if (!this.prepared) return this.transaction((c) => c.query<R>(config));
    return this.attempts(() => this.pool.query<R>(config));
  }

  /**
   * Runs `once` until it does not fail as a deadlock victim or a serialization failure, at
   * most {@link TRANSACTION_ATTEMPTS} times; a timeout rejects as {@link DatabaseTimeoutError}.
   */
  private async attempts<T>(once: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await once();
      } catch (error) {
        if (isRetryable(error) && attempt < TRANSACTION_ATTEMPTS) {
          await backoff(attempt);
          continue;
        }
        throw this.timeoutError(error) ?? error;
      }
    }
  }

  /** `error` as a {@link DatabaseTimeoutError} when it is a timeout. */
  private timeoutError(error: unknown): DatabaseTimeoutError | undefined {
    if (error instanceof DatabaseTimeoutError) return error;
    switch (timeoutKind(error)) {
      case 'statement':
        return new DatabaseTimeoutError(
          `the database did not answer within ${this.queryTimeoutMs / 1000} s (--db-query-timeout)`,
          error,
        );
      case 'connect':
        return new DatabaseTimeoutError(
          `no database connection within ${this.connectTimeoutMs / 1000} s (--db-connect-timeout)`,
          error,
        );
      default:
        return undefined;
    }
  }

  /**
   * Runs `work` in a transaction on one connection: committed when it resolves, rolled back
   * when it rejects. Aborted as a deadlock victim or serialization failure, the transaction is
   * done again from its start (`work` called again), at most {@link TRANSACTION_ATTEMPTS}
   * times in all.
   */
  private transaction<T>(work: (client: PoolClient) => Promise<T>, begin = 'BEGIN'): Promise<T> {
    return this.attempts(() => this.transactionOnce(work, begin));
  }

  private async transactionOnce<T>(
    work: (client: PoolClient) => Promise<T>,
    begin: string,
  ): Promise<T> {
    const client = await this.pool.connect();
    let broken: Error | undefined;
    // A connection that fails between two statements emits `error`: without a listener (the
    // pool listens only to idle ones), that would end the process. The next statement rejects.
    const onError = (error: Error) => (broken = error);
    client.on('error', onError);
    try {
      // Behind a transaction pooler, the timeout is the transaction's (one round trip).
      await client.query(
        this.prepared
          ? begin
          : `${begin}; SET LOCAL statement_timeout = ${Math.round(this.queryTimeoutMs)}`,
      );
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      if ((error as Error | undefined)?.message === READ_TIMEOUT) {
        // The server has not answered: its statement may still run, so the connection is out
        // of step. Closed, never reused: the server rolls the transaction back when it sees
        // the connection gone.
        broken ??= error as Error;
      } else {
        await client.query('ROLLBACK').catch((e: Error) => (broken ??= e));
      }
      throw error;
    } finally {
      client.removeListener('error', onError);
      client.release(broken);
    }
  }

  /** A consistent read of several statements. */
  private snapshot<T>(work: (client: PoolClient) => Promise<T>): Promise<T> {
    return this.transaction(work, 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
  }

  async ping(): Promise<void> {
    await this.query('ping', []);
  }

  async close(): Promise<void> {
    while (this.flushing || this.flushScheduled)
      await (this.flushing ?? new Promise((resolve) => setImmediate(resolve)));
    if (!this.pool.ending) await this.pool.end();
  }

  // ── settings ──

  async getSetting(key: string): Promise<string | undefined> {
    const { rows } = await this.query<{ value: string }>('getSetting', [key]);
    return rows[0]?.value;
  }

  async setSettingIfAbsent(key: string, value: string): Promise<string> {
    // A concurrent insert of the key makes this one wait, then do nothing; the read that
    // follows (a statement of its own) sees the value committed.
    await this.query('insertSetting', [key, value]);
    return (await this.getSetting(key))!;
  }

  // ── users ──

  async createUser(user: NewUser): Promise<UserRecord> {
    try {
      const { rows } = await this.query<UserRow>('insertUser', [
        user.id,
        user.username,
        user.email,
        user.number,
        user.displayName,
        user.passwordHash,
        user.createdAt,
      ]);
      return toUser(rows[0]!);
    } catch (error) {
      const field = conflictField(error);
      if (field) throw new IdentityConflictError(field);
      throw error;
    }
  }

  async findUser(lookup: UserLookup): Promise<UserRecord | undefined> {
    const [name, value]: [StatementName, string] =
      'id' in lookup
        ? ['userById', lookup.id]
        : 'username' in lookup
          ? ['userByUsername', lookup.username]
          : 'email' in lookup
            ? ['userByEmail', lookup.email]
            : ['userByNumber', lookup.number];
    const { rows } = await this.query<UserRow>(name, [value]);
    return rows[0] && toUser(rows[0]);
  }

  async updateDisplayName(
    id: string,
    displayName: string,
    now: number,
  ): Promise<UserRecord | undefined> {
    const { rows } = await this.query<UserRow>('updateDisplayName', [id, displayName, now]);
    return rows[0] && toUser(rows[0]);
  }

  // ── refresh tokens ──

  async createRefreshFamily(
    family: Omit<RefreshFamilyRecord, 'revokedAt' | 'revokedReason'>,
  ): Promise<void> {
    await this.query('insertFamily', [family.id, family.userId, family.createdAt]);
  }

  async getRefreshFamily(id: string): Promise<RefreshFamilyRecord | undefined> {
    const { rows } = await this.query<FamilyRow>('familyById', [id]);
    return rows[0] && toFamily(rows[0]);
  }

  async revokeRefreshFamily(id: string, reason: string, now: number): Promise<boolean> {
    return this.transaction(async (client) => {
      const { rowCount } = await this.query('revokeFamily', [id, now, reason], client);
      await this.query('revokeFamilyTokens', [id], client);
      return rowCount === 1;
    });
  }

  async createRefreshToken(token: NewRefreshToken): Promise<void> {
    await this.query('insertToken', [
      token.id,
      token.tokenHash,
      token.familyId,
      token.parentId,
      token.userId,
      token.createdAt,
      token.expiresAt,
    ]);
  }

  async findRefreshToken(tokenHash: string): Promise<RefreshTokenRecord | undefined> {
    const { rows } = await this.query<TokenRow>('tokenByHash', [tokenHash]);
    return rows[0] && toToken(rows[0]);
  }

  async consumeRefreshToken(tokenHash: string, now: number): Promise<ConsumeResult> {
    const spent = await this.query<TokenRow>('spendToken', [tokenHash, now]);
    if (spent.rows[0]) return { status: 'ok', token: toToken(spent.rows[0]) };
    // Not spent by this call: why (in SQLite's order of checks).
    const { rows } = await this.query<
      TokenRow & { family_revoked_at: number | null; family_found: string | null }
    >('tokenAndFamily', [tokenHash]);
    const row = rows[0];
    if (!row) return { status: 'unknown' };
    const token = toToken(row);
    if (row.used_at !== null) return { status: 'reused', token };
    if (row.revoked || row.family_found === null || row.family_revoked_at !== null)
      return { status: 'revoked', token };
    if (row.expires_at <= now) return { status: 'expired', token };
    // Unused, active and unexpired now, yet the guarded update did not take it: it changed
    // in between (spent and revoked since). Never `ok` without the update.
    return { status: 'reused', token };
  }

  async pruneRefreshTokens(now: number): Promise<number> {
    return this.transaction(async (client) => {
      const { rowCount } = await this.query('pruneTokens', [now], client);
      await this.query('pruneFamilies', [], client);
      return rowCount ?? 0;
    });
  }

  // ── call records ──

  async insertCallRecords(records: readonly CallRecordEntry[]): Promise<void> {
    if (!records.length) return;
    await this.transaction(async (client) => {
      for (const r of records) {
        await this.query(
          'insertCallRecord',
          [
            r.id,
            r.userId,
            r.callId,
            r.direction,
            r.remoteParticipant.id,
            r.remoteParticipant.displayName,
            r.media.audio,
            r.media.video,
            r.startTime,
            r.answerTime,
            r.endTime,
            r.duration,
            r.result,
            r.statusCode,
            r.reasonText,
          ],
          client,
        );
      }
    });
  }

  async listCallRecords(
    userId: string,
    page: { limit: number; offset: number },
  ): Promise<{ records: CallRecordEntry[]; total: number }> {
    return this.snapshot(async (client) => {
      const { rows } = await this.query<CallRecordRow>(
        'callRecordsPage',
        [userId, page.limit, page.offset],
        client,
      );
      const count = await this.query<{ n: number }>('callRecordsCount', [userId], client);
      return { records: rows.map(toCallRecord), total: count.rows[0]!.n };
    });
  }

  async deleteCallRecord(userId: string, id: string): Promise<boolean> {
    return (await this.query('deleteCallRecord', [userId, id])).rowCount === 1;
  }

  async deleteCallRecords(userId: string): Promise<number> {
    return (await this.query('deleteCallRecords', [userId])).rowCount ?? 0;
  }

  async hasCallRecord(callId: string): Promise<boolean> {
    return (await this.query('callRecordExists', [callId])).rows.length > 0;
  }

  // ── voicemail ──

  async insertVoicemail(v: NewVoicemail, mailboxSize: number): Promise<boolean> {
    return this.transaction(async (client) => {
      // Locking the recipient serialises the mailbox's inserts, so the count holds.
      const user = await this.query('lockMailbox', [v.recipientId], client);
      if (!user.rows.length) return false;
      const count = await this.query<{ n: number }>('countVoicemails', [v.recipientId], client);
      if (count.rows[0]!.n >= mailboxSize) return false;
      await this.query(
        'insertVoicemail',
        [
          v.id,
          v.recipientId,
          v.senderId,
          v.from.id,
          v.from.displayName,
          v.callId,
          v.contentType,
          v.audio.byteLength,
          v.durationMs,
          v.createdAt,
          Buffer.from(v.audio.buffer, v.audio.byteOffset, v.audio.byteLength),
        ],
        client,
      );
      return true;
    });
  }

  async listVoicemails(recipientId: string): Promise<VoicemailEntry[]> {
    const { rows } = await this.query<VoicemailRow>('listVoicemails', [recipientId]);
    return rows.map(toVoicemail);
  }

  async getVoicemailAudio(
    recipientId: string,
    id: string,
  ): Promise<{ voicemail: VoicemailEntry; audio: Buffer } | undefined> {
    const { rows } = await this.query<VoicemailRow & { audio: Buffer }>('voicemailAudio', [
      recipientId,
      id,
    ]);
    const row = rows[0];
    return row && { voicemail: toVoicemail(row), audio: row.audio };
  }

  async markVoicemailHeard(
    recipientId: string,
    id: string,
    now: number,
  ): Promise<VoicemailEntry | undefined> {
    const { rows } = await this.query<VoicemailRow>('markVoicemailHeard', [recipientId, id, now]);
    return rows[0] && toVoicemail(rows[0]);
  }

  async deleteVoicemail(recipientId: string, id: string): Promise<boolean> {
    return (await this.query('deleteVoicemail', [recipientId, id])).rowCount === 1;
  }

  // ── messaging ──

  async openDirectConversation(input: {
    id: string;
    type: 'im' | 'sms';
    userIds: [string, string];
    now: number;
  }): Promise<{ conversation: ConversationRecord; created: boolean }> {
    const [a, b] = [...input.userIds].sort() as [string, string];
    const pairKey = `${input.type}:${a}:${b}`;
    const created = await this.transaction(async (client) => {
      // A concurrent open of the same pair waits here for the other's commit, then inserts
      // nothing.
      const { rowCount } = await this.query(
        'insertConversation',
        [input.id, input.type, null, pairKey, input.now],
        client,
      );
      if (rowCount !== 1) return false;
      await this.query('insertMembers', [input.id, [...new Set([a, b])], input.now], client);
      return true;
    });
    const { rows } = await this.query<ConversationRow>('conversationByPair', [pairKey]);
    return { conversation: toConversation(rows[0]!), created };
  }

  async createConversation(input: {
    id: string;
    type: ConversationKind;
    name: string | null;
    memberIds: string[];
    now: number;
  }): Promise<ConversationRecord> {
    return this.transaction(async (client) => {
      const { rowCount } = await this.query(
        'insertConversation',
        [input.id, input.type, input.name, null, input.now],
        client,
      );
      if (rowCount !== 1) throw new Error(`conversation ${input.id} exists already`);
      await this.query(
        'insertMembers',
        [input.id, [...new Set(input.memberIds)], input.now],
        client,
      );
      const { rows } = await this.query<ConversationRow>('conversationById', [input.id], client);
      return toConversation(rows[0]!);
    });
  }

  async getConversation(id: string): Promise<ConversationRecord | undefined> {
    const { rows } = await this.query<ConversationRow>('conversationById', [id]);
    return rows[0] && toConversation(rows[0]);
  }

  async listMembers(conversationId: string): Promise<MemberRecord[]> {
    return (await this.query<MemberRow>('members', [conversationId])).rows.map(toMember);
  }

  async summarizeConversation(
    conversationId: string,
    userId: string,
  ): Promise<ConversationSummary | undefined> {
    return (await this.summaries(userId, conversationId))[0];
  }

  async listConversations(userId: string): Promise<ConversationSummary[]> {
    const summaries = await this.summaries(userId, null);
    const active = (s: ConversationSummary) => s.lastMessage?.timestamp ?? s.conversation.createdAt;
    return summaries.sort((x, y) => active(y) - active(x));
  }

  /** The conversations of `userId` (or the one given) as they see them: two statements. */
  private summaries(userId: string, only: string | null): Promise<ConversationSummary[]> {
    type Row = ConversationRow & {
      unread: number;
      last_id: string | null;
      last_message_seq: number | null;
      last_client_id: string;
      last_sender_id: string;
      last_parts: string;
      last_created_at: number;
    };
    return this.snapshot(async (client) => {
      const { rows } = await this.query<Row>('summaries', [userId, only], client);
      if (!rows.length) return [];
      const members = new Map<string, MemberRecord[]>();
      const memberRows = await this.query<MemberRow>(
        'membersOfMany',
        [rows.map((r) => r.id)],
        client,
      );
      for (const m of memberRows.rows) {
        const list = members.get(m.conversation_id) ?? [];
        list.push(toMember(m));
        members.set(m.conversation_id, list);
      }
      return rows.map((r): ConversationSummary => ({
        conversation: toConversation(r),
        members: members.get(r.id) ?? [],
        lastMessage:
          r.last_id === null
            ? null
            : toMessage({
                id: r.last_id,
                conversation_id: r.id,
                seq: r.last_message_seq!,
                client_id: r.last_client_id,
                sender_id: r.last_sender_id,
                parts: r.last_parts,
                created_at: r.last_created_at,
              }),
        unread: r.unread,
      }));
    });
  }

  /**
   * Group commit: appends that arrive in the same turn of the event loop are stored in one
   * transaction; should one fail, the batch is stored again with each append in its own
   * savepoint, so the others still are. One group commit at a time: appends made while one
   * commits go into the next, so this node's appends keep their order. Every caller resolves
   * only after the commit.
   */
  async appendMessage(message: NewMessage): Promise<AppendResult> {
    return new Promise((resolve, reject) => {
      this.appends.push({ message, resolve, reject });
      this.scheduleFlush();
    });
  }

  private scheduleFlush(): void {
    if (this.flushing || this.flushScheduled || !this.appends.length) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      this.flushing = this.flushAppends().finally(() => {
        this.flushing = undefined;
        this.scheduleFlush();
      });
    });
  }

  private async flushAppends(): Promise<void> {
    const batch = this.appends.splice(0);
    const messages = batch.map((p) => p.message);
    let outcomes: AppendOutcome[];
    try {
      // Almost always every append succeeds: one transaction, no savepoints.
      outcomes = await this.transaction((client) => this.appendAll(client, messages, false));
    } catch (error) {
      // A timeout, or a deadlock that lasted every attempt, would only happen again: every
      // append of the batch fails with it. Any other failure is an append's own (a
      // conversation that is not there): the batch again, each append in a savepoint.
      if (isTransient(error)) {
        for (const p of batch) p.reject(error);
        return;
      }
      try {
        outcomes = await this.transaction((client) => this.appendAll(client, messages, true));
      } catch (error) {
        for (const p of batch) p.reject(error);
        return;
      }
    }
    outcomes.forEach((outcome, i) => {
      if ('ok' in outcome) batch[i]!.resolve(outcome.ok);
      else batch[i]!.reject(outcome.error);
    });
  }

  /**
   * Stores a batch inside a transaction: locks its conversations, reads their last seqs, then
   * inserts each message with the next. With `savepoints`, a failing append is rolled back
   * alone and reported as its outcome; without, it throws (and the caller rolls back).
   */
  private async appendAll(
    client: PoolClient,
    messages: NewMessage[],
    savepoints: boolean,
  ): Promise<AppendOutcome[]> {
    const ids = [...new Set(messages.map((m) => m.conversationId))].sort();
    await this.query('lockConversations', [ids], client);
    const next = new Map<string, number>();
    const seqs = await this.query<{ id: string; seq: number }>('nextSeqs', [ids], client);
    for (const r of seqs.rows) next.set(r.id, r.seq + 1);
    const outcomes: AppendOutcome[] = [];
    for (const message of messages) {
      if (!savepoints) {
        outcomes.push({ ok: await this.appendOne(client, message, next) });
        continue;
      }
      await client.query('SAVEPOINT append');
      try {
        outcomes.push({ ok: await this.appendOne(client, message, next) });
        await client.query('RELEASE SAVEPOINT append');
      } catch (error) {
        // A transient failure is the transaction's, not this append's: it is done again whole.
        if (isTransient(error)) throw error;
        await client.query('ROLLBACK TO SAVEPOINT append');
        outcomes.push({ error });
      }
    }
    return outcomes;
  }

  /** One message, its conversation locked and its next seq in `next`. */
  private async appendOne(
    client: PoolClient,
    message: NewMessage,
    next: Map<string, number>,
  ): Promise<AppendResult> {
    const seq = next.get(message.conversationId) ?? 1;
    // A conversation that does not exist fails the insert's foreign key. The sender's
    // clientId already stored inserts nothing; the earlier message is the result.
    const { rowCount } = await this.query(
      'insertMessage',
      [
        message.id,
        message.conversationId,
        seq,
        message.clientId,
        message.senderId,
        JSON.stringify(message.parts),
        message.timestamp,
      ],
      client,
    );
    if (rowCount === 0) {
      const { rows } = await this.query<MessageRow>(
        'messageBySender',
        [message.senderId, message.clientId],
        client,
      );
      return { status: 'duplicate', message: toMessage(rows[0]!) };
    }
    next.set(message.conversationId, seq + 1);
    return {
      status: 'stored',
      message: {
        id: message.id,
        conversationId: message.conversationId,
        seq,
        clientId: message.clientId,
        senderId: message.senderId,
        parts: message.parts,
        timestamp: message.timestamp,
      },
    };
  }

  async messagesAfter(
    conversationId: string,
    afterSeq: number,
    limit: number,
  ): Promise<MessagePage> {
    const { rows } = await this.query<MessageRow>('messagesAfter', [
      conversationId,
      afterSeq,
      limit + 1,
    ]);
    return { messages: rows.slice(0, limit).map(toMessage), hasMore: rows.length > limit };
  }

  async messagesBefore(
    conversationId: string,
    beforeSeq: number,
    limit: number,
  ): Promise<MessagePage> {
    const { rows } = await this.query<MessageRow>('messagesBefore', [
      conversationId,
      beforeSeq,
      limit + 1,
    ]);
    return {
      messages: rows.slice(0, limit).reverse().map(toMessage),
      hasMore: rows.length > limit,
    };
  }

  async advanceWatermark(
    conversationId: string,
    userId: string,
    kind: 'delivered' | 'read',
    seq: number,
  ): Promise<{ member: MemberRecord; changed: boolean } | undefined> {
    return this.transaction(async (client) => {
      // The member's row locked: two marks at once move it one after the other.
      const { rows } = await this.query<MemberRow>(
        'memberForUpdate',
        [conversationId, userId],
        client,
      );
      const row = rows[0];
      if (!row) return undefined;
      const last = await this.query<{ seq: number }>('lastSeq', [conversationId], client);
      const upTo = Math.min(seq, last.rows[0]!.seq);
      const read = kind === 'read' ? Math.max(row.read_seq, upTo) : row.read_seq;
      const delivered = Math.max(row.delivered_seq, upTo, read);
      const changed = read !== row.read_seq || delivered !== row.delivered_seq;
      if (changed)
        await this.query('setWatermarks', [conversationId, userId, delivered, read], client);
      return { member: toMember({ ...row, delivered_seq: delivered, read_seq: read }), changed };
    });
  }

  // ── presence ──

  async getPresence(userIds: string[]): Promise<PresenceRecord[]> {
    if (!userIds.length) return [];
    return (await this.query<PresenceRow>('presenceOf', [userIds])).rows.map(toPresence);
  }

  async savePresence(record: PresenceRecord): Promise<void> {
    await this.query('savePresence', [
      record.userId,
      record.status,
      record.activity,
      record.note,
      record.updatedAt,
    ]);
  }

  // ── contacts ──

  async listContacts(ownerId: string): Promise<ContactRecord[]> {
    return (await this.query<ContactRow>('contacts', [ownerId])).rows.map(toContact);
  }

  async countContacts(ownerId: string): Promise<number> {
    return (await this.query<{ n: number }>('countContacts', [ownerId])).rows[0]!.n;
  }

  async addContact(contact: ContactRecord): Promise<ContactWriteResult> {
    try {
      await this.query('insertContact', [
        contact.ownerId,
        contact.contactId,
        contact.primaryContact,
        JSON.stringify(contact.fields),
        contact.createdAt,
        contact.updatedAt,
      ]);
      return 'ok';
    } catch (error) {
      if (isUniqueViolation(error)) return 'exists';
      throw error;
    }
  }

  async updateContact(contact: Omit<ContactRecord, 'createdAt'>): Promise<ContactWriteResult> {
    try {
      const { rowCount } = await this.query('updateContact', [
        contact.ownerId,
        contact.contactId,
        contact.primaryContact,
        JSON.stringify(contact.fields),
        contact.updatedAt,
      ]);
      return rowCount === 1 ? 'ok' : 'notFound';
    } catch (error) {
      if (isUniqueViolation(error)) return 'exists';
      throw error;
    }
  }

  async removeContact(ownerId: string, contactId: string): Promise<boolean> {
    return (await this.query('removeContact', [ownerId, contactId])).rowCount === 1;
  }

  async mutualContacts(userId: string, candidateIds: string[]): Promise<string[]> {
    if (!candidateIds.length) return [];
    const { rows } = await this.query<{ id: string }>('mutualContacts', [userId, candidateIds]);
    return rows.map((r) => r.id);
  }

  async findUsers(ids: string[]): Promise<UserRecord[]> {
    if (!ids.length) return [];
    return (await this.query<UserRow>('usersByIds', [ids])).rows.map(toUser);
  }

  async searchUsers(conditions: UserSearchCondition[], limit: number): Promise<UserRecord[]> {
    const usable = conditions.filter((c) => c.fields.length > 0);
    const values: unknown[] = [];
    const param = (value: unknown) => {
      values.push(value);
      return `$${values.length}`;
    };
    const where = usable.map(
      (c) =>
        `(${c.fields
          .map((field) => {
            const column = SEARCH_COLUMNS[field];
            if (!c.whole) return `${column} ILIKE ${param(containsPattern(c.text))} ESCAPE '\\'`;
            return CASELESS_FIELDS.has(field)
              ? `lower(${column}) = lower(${param(c.text)})`
              : `${column} = ${param(c.text)}`;
          })
          .join(' OR ')})`,
    );
    // Byte order (as SQLite's), whatever the database's collation.
    const { rows } = await this.run<UserRow>({
      text: `SELECT * FROM users ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
       ORDER BY coalesce(username, id) COLLATE "C", id COLLATE "C" LIMIT ${param(limit)}`,
      values,
    });
    return rows.map(toUser);
  }
}
