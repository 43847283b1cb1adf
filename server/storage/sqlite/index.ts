/**
 * The embedded storage: SQLite through better-sqlite3, one file in the data directory (WAL
 * journal), or `:memory:` for tests. better-sqlite3 is synchronous; each method does its work
 * in one statement or one transaction and resolves with the result, which keeps every
 * {@link Storage} method atomic.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import {
  IdentityConflictError,
  type CallRecordEntry,
  type AppendResult,
  type ConsumeResult,
  type ContactRecord,
  type ContactWriteResult,
  type ConversationKind,
  type ConversationRecord,
  type ConversationSummary,
  type IdentityField,
  type MemberRecord,
  type MessagePage,
  type MessageRecord,
  type NewMessage,
  type PresenceRecord,
  type UserSearchCondition,
  type UserSearchField,
  type NewRefreshToken,
  type NewUser,
  type NewVoicemail,
  type VoicemailEntry,
  type RefreshFamilyRecord,
  type RefreshTokenRecord,
  type Storage,
  type UserLookup,
  type UserRecord,
} from '../types.js';
import { Checkpointer, FALLBACK_AUTOCHECKPOINT_PAGES } from './checkpointer.js';
import {
  type UserRow,
  type FamilyRow,
  type TokenRow,
  type CallRecordRow,
  type VoicemailRow,
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

/** Options of {@link SqliteStorage.open}. */
export interface SqliteOptions {
  /** A file path, or `':memory:'`. The file's folder is created when missing. */
  file: string;
  /** Migrations to apply (default: all of comms-kit's). */
  migrations?: readonly Migration[];
  /** Told about each migration applied. */
  onMigrate?: (migration: Migration) => void;
  /**
   * Checkpoint the WAL in a worker thread rather than in the connection that commits (see
   * `checkpointer.ts`). Default true for a file; never for `:memory:`.
   */
  backgroundCheckpoints?: boolean;
  /** Told when a background checkpoint fails or its worker is lost. */
  onCheckpointProblem?: (message: string) => void;
}

interface ConversationRow {
  id: string;
  type: ConversationKind;
  name: string | null;
  pair_key: string | null;
  /** Its newest message's seq (0 when it has none), from {@link conversationColumns}. */
  last_seq: number;
  created_at: number;
}

/** A conversation's columns, with its last seq: the highest of its messages (an index step). */
const conversationColumns = `c.id, c.type, c.name, c.pair_key, c.created_at,
  (SELECT coalesce(max(seq), 0) FROM messages WHERE conversation_id = c.id) AS last_seq`;

/** The SQL of each searchable user field (first name: the display name's first word). */
const SEARCH_COLUMNS: Record<UserSearchField, string> = {
  id: 'id',
  username: 'username',
  displayName: 'display_name',
  firstName: "substr(display_name, 1, instr(display_name || ' ', ' ') - 1)",
  lastName: "ltrim(substr(display_name, instr(display_name || ' ', ' ')))",
  email: 'email',
  number: 'number',
};

/** A LIKE pattern matching `text` anywhere, with `\` escaping LIKE's wildcards. */
const containsPattern = (text: string) => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** The statements of messaging, presence and contacts. */
function prepareFeatures(db: Database.Database) {
  const memberColumns = `m.conversation_id, m.user_id, u.username, u.display_name,
    m.delivered_seq, m.read_seq, m.joined_at`;
  return {
    conversationById: db.prepare<[string], ConversationRow>(
      `SELECT ${conversationColumns} FROM conversations c WHERE c.id = ?`,
    ),
    conversationByPair: db.prepare<[string], ConversationRow>(
      `SELECT ${conversationColumns} FROM conversations c WHERE c.pair_key = ?`,
    ),
    insertConversation: db.prepare(
      `INSERT INTO conversations (id, type, name, pair_key, created_at)
       VALUES (@id, @type, @name, @pairKey, @createdAt)`,
    ),
    insertMember: db.prepare(
      `INSERT INTO conversation_members (conversation_id, user_id, joined_at) VALUES (?, ?, ?)
       ON CONFLICT DO NOTHING`,
    ),
    members: db.prepare<[string], MemberRow>(
      `SELECT ${memberColumns} FROM conversation_members m JOIN users u ON u.id = m.user_id
       WHERE m.conversation_id = ? ORDER BY m.joined_at, m.user_id`,
    ),
    member: db.prepare<[string, string], MemberRow>(
      `SELECT ${memberColumns} FROM conversation_members m JOIN users u ON u.id = m.user_id
       WHERE m.conversation_id = ? AND m.user_id = ?`,
    ),
    conversationsOf: db.prepare<[string], ConversationRow>(
      `SELECT ${conversationColumns}
       FROM conversations c JOIN conversation_members m ON m.conversation_id = c.id
       WHERE m.user_id = ?`,
    ),
    setWatermarks: db.prepare(
      `UPDATE conversation_members SET delivered_seq = ?, read_seq = ?
       WHERE conversation_id = ? AND user_id = ?`,
    ),
    messageBySender: db.prepare<[string, string], MessageRow>(
      'SELECT * FROM messages WHERE sender_id = ? AND client_id = ?',
    ),
    messageBySeq: db.prepare<[string, number], MessageRow>(
      'SELECT * FROM messages WHERE conversation_id = ? AND seq = ?',
    ),
    // Inside the append's write transaction, so no other append can take the same seq.
    nextSeq: db
      .prepare<[string], number>(
        'SELECT coalesce(max(seq), 0) + 1 FROM messages WHERE conversation_id = ?',
      )
      .pluck(),
    // Positional parameters: binding seven named ones from an object cost ~1.5 µs an append.
    // A clientId the sender has used already inserts nothing (`changes` 0): the append then
    // reads the earlier message. Any other conflict still throws.
    insertMessage: db.prepare<[string, string, number, string, string, string, number]>(
      `INSERT INTO messages (id, conversation_id, seq, client_id, sender_id, parts, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (sender_id, client_id) DO NOTHING`,
    ),
    messagesAfter: db.prepare<[string, number, number], MessageRow>(
      'SELECT * FROM messages WHERE conversation_id = ? AND seq > ? ORDER BY seq LIMIT ?',
    ),
    messagesBefore: db.prepare<[string, number, number], MessageRow>(
      'SELECT * FROM messages WHERE conversation_id = ? AND seq < ? ORDER BY seq DESC LIMIT ?',
    ),
    unread: db.prepare<[string, number, string], { n: number }>(
      `SELECT count(*) AS n FROM messages
       WHERE conversation_id = ? AND seq > ? AND sender_id != ?`,
    ),
    presenceOf: db.prepare<[string], PresenceRow>(
      'SELECT * FROM presence WHERE user_id IN (SELECT value FROM json_each(?))',
    ),
    savePresence: db.prepare(
      `INSERT INTO presence (user_id, status, activity, note, updated_at)
       VALUES (@userId, @status, @activity, @note, @updatedAt)
       ON CONFLICT (user_id) DO UPDATE SET status = excluded.status,
         activity = excluded.activity, note = excluded.note, updated_at = excluded.updated_at`,
    ),
    contacts: db.prepare<[string], ContactRow>(
      'SELECT * FROM contacts WHERE owner_id = ? ORDER BY created_at, contact_id',
    ),
    contact: db.prepare<[string, string], ContactRow>(
      'SELECT * FROM contacts WHERE owner_id = ? AND contact_id = ?',
    ),
    countContacts: db.prepare<[string], { n: number }>(
      'SELECT count(*) AS n FROM contacts WHERE owner_id = ?',
    ),
    insertContact: db.prepare(
      `INSERT INTO contacts (owner_id, contact_id, primary_contact, fields, created_at, updated_at)
       VALUES (@ownerId, @contactId, @primaryContact, @fields, @createdAt, @updatedAt)`,
    ),
    updateContact: db.prepare(
      `UPDATE contacts SET primary_contact = @primaryContact, fields = @fields,
         updated_at = @updatedAt
       WHERE owner_id = @ownerId AND contact_id = @contactId`,
    ),
    removeContact: db.prepare('DELETE FROM contacts WHERE owner_id = ? AND contact_id = ?'),
    mutualContacts: db.prepare<{ me: string; candidates: string }, { id: string }>(
      `SELECT u.id FROM users u
       WHERE u.id IN (SELECT value FROM json_each(@candidates))
         AND EXISTS (SELECT 1 FROM contacts c WHERE c.owner_id = @me
               AND c.primary_contact IN (u.id, u.username, u.email, u.number))
         AND EXISTS (SELECT 1 FROM contacts c JOIN users me ON me.id = @me
               WHERE c.owner_id = u.id
               AND c.primary_contact IN (me.id, me.username, me.email, me.number))`,
    ),
    usersByIds: db.prepare<[string], UserRow>(
      'SELECT * FROM users WHERE id IN (SELECT value FROM json_each(?))',
    ),
  };
}

/**
 * Applies the migrations `db` has not had yet, in order of version; returns the ones it
 * applied. Which were applied is recorded one by one in `schema_migrations`, so a lower
 * version that arrives after higher ones (two features developed side by side) still runs.
 * A database from before that table existed had every migration up to its `user_version`.
 */
export function migrate(db: Database.Database, migrations: readonly Migration[]): Migration[] {
  const sorted = [...migrations].sort((a, b) => a.version - b.version);
  const current = db.pragma('user_version', { simple: true }) as number;
  const newest = sorted.at(-1)?.version ?? 0;
  if (current > newest) {
    throw new Error(
      `the database is at schema version ${current}, newer than this gateway knows (${newest}): run a newer comms-kit-server`,
    );
  }
  db.transaction(() => {
    const exists = db
      .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'")
      .get();
    if (exists) return;
    db.exec(
      `CREATE TABLE schema_migrations (
         version    INTEGER PRIMARY KEY,
         name       TEXT NOT NULL,
         applied_at INTEGER NOT NULL
       ) STRICT`,
    );
    const record = db.prepare(
      'INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)',
    );
    for (const m of sorted) if (m.version <= current) record.run(m.version, m.name, Date.now());
  })();
  const applied = new Set(
    db
      .prepare<[], { version: number }>('SELECT version FROM schema_migrations')
      .all()
      .map((r) => r.version),
  );
  const unknown = [...applied].filter((v) => !sorted.some((m) => m.version === v));
  if (unknown.length) {
    throw new Error(
      `the database has schema migration ${unknown.join(', ')}, which this gateway does not know: run a newer comms-kit-server`,
    );
  }
  const pending = sorted.filter((m) => !applied.has(m.version));
  const record = db.prepare(
    'INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)',
  );
  for (const migration of pending) {
    db.transaction(() => {
      db.exec(migration.sql);
      record.run(migration.version, migration.name, Date.now());
      const highest = Math.max(
        migration.version,
        db.pragma('user_version', { simple: true }) as number,
      );
      db.pragma(`user_version = ${highest}`);
    })();
  }
  return pending;
}

/** {@link Storage} on SQLite. */
/** How one append of a group commit ended. */
type AppendOutcome = { ok: AppendResult } | { error: unknown };

/** An append waiting for the next group commit. */
interface PendingAppend {
  message: NewMessage;
  resolve: (result: AppendResult) => void;
  reject: (error: unknown) => void;
}

export class SqliteStorage implements Storage {
  private readonly db: Database.Database;
  private readonly statements;
  private readonly features: ReturnType<typeof prepareFeatures>;
  private readonly searches = new Map<string, Database.Statement<unknown[], UserRow>>();

  private constructor(db: Database.Database) {
    this.db = db;
    this.statements = {
      ping: db.prepare('SELECT 1'),
      getSetting: db.prepare<[string], { value: string }>(
        'SELECT value FROM settings WHERE key = ?',
      ),
      insertSetting: db.prepare(
        'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT DO NOTHING',
      ),
      insertUser: db.prepare(
        `INSERT INTO users (id, username, email, number, display_name, password_hash, created_at, updated_at)
         VALUES (@id, @username, @email, @number, @displayName, @passwordHash, @createdAt, @createdAt)`,
      ),
      userById: db.prepare<[string], UserRow>('SELECT * FROM users WHERE id = ?'),
      userByUsername: db.prepare<[string], UserRow>('SELECT * FROM users WHERE username = ?'),
      userByEmail: db.prepare<[string], UserRow>('SELECT * FROM users WHERE email = ?'),
      userByNumber: db.prepare<[string], UserRow>('SELECT * FROM users WHERE number = ?'),
      updateDisplayName: db.prepare(
        'UPDATE users SET display_name = ?, updated_at = ? WHERE id = ?',
      ),
      insertFamily: db.prepare(
        'INSERT INTO refresh_families (id, user_id, created_at) VALUES (@id, @userId, @createdAt)',
      ),
      familyById: db.prepare<[string], FamilyRow>('SELECT * FROM refresh_families WHERE id = ?'),
      revokeFamily: db.prepare(
        `UPDATE refresh_families SET revoked_at = ?, revoked_reason = ?
         WHERE id = ? AND revoked_at IS NULL`,
      ),
      revokeFamilyTokens: db.prepare('UPDATE refresh_tokens SET revoked = 1 WHERE family_id = ?'),
      insertToken: db.prepare(
        `INSERT INTO refresh_tokens (id, token_hash, family_id, parent_id, user_id, created_at, expires_at)
         VALUES (@id, @tokenHash, @familyId, @parentId, @userId, @createdAt, @expiresAt)`,
      ),
      tokenByHash: db.prepare<[string], TokenRow>(
        'SELECT * FROM refresh_tokens WHERE token_hash = ?',
      ),
      spendToken: db.prepare(
        `UPDATE refresh_tokens SET used_at = ?
         WHERE id = ? AND used_at IS NULL AND revoked = 0 AND expires_at > ?`,
      ),
      pruneTokens: db.prepare('DELETE FROM refresh_tokens WHERE expires_at <= ?'),
      pruneFamilies: db.prepare(
        `DELETE FROM refresh_families
         WHERE NOT EXISTS (SELECT 1 FROM refresh_tokens t WHERE t.family_id = refresh_families.id)`,
      ),
      // ── call records ──
      insertCallRecord: db.prepare(
        `INSERT INTO call_records (id, user_id, call_id, direction, remote_id, remote_display_name,
           audio, video, start_time, answer_time, end_time, duration, result, status_code, reason_text)
         VALUES (@id, @userId, @callId, @direction, @remoteId, @remoteDisplayName, @audio, @video,
           @startTime, @answerTime, @endTime, @duration, @result, @statusCode, @reasonText)`,
      ),
      callRecordsPage: db.prepare<[string, number, number], CallRecordRow>(
        `SELECT * FROM call_records WHERE user_id = ?
         ORDER BY start_time DESC, rowid DESC LIMIT ? OFFSET ?`,
      ),
      callRecordsCount: db.prepare<[string], { n: number }>(
        'SELECT COUNT(*) AS n FROM call_records WHERE user_id = ?',
      ),
      deleteCallRecord: db.prepare('DELETE FROM call_records WHERE user_id = ? AND id = ?'),
      deleteCallRecords: db.prepare('DELETE FROM call_records WHERE user_id = ?'),
      callRecordExists: db.prepare<[string], { one: number }>(
        'SELECT 1 AS one FROM call_records WHERE call_id = ? LIMIT 1',
      ),
      // ── voicemail ──
      insertVoicemail: db.prepare(
        `INSERT INTO voicemails (id, recipient_id, sender_id, from_id, from_display_name, call_id,
           content_type, size, duration_ms, created_at, heard_at, audio)
         SELECT @id, @recipientId, @senderId, @fromId, @fromDisplayName, @callId, @contentType,
           @size, @durationMs, @createdAt, NULL, @audio
         WHERE (SELECT COUNT(*) FROM voicemails WHERE recipient_id = @recipientId) < @mailboxSize`,
      ),
      listVoicemails: db.prepare<[string], VoicemailRow>(
        `SELECT ${voicemailColumns} FROM voicemails WHERE recipient_id = ?
         ORDER BY created_at DESC, rowid DESC`,
      ),
      voicemail: db.prepare<[string, string], VoicemailRow>(
        `SELECT ${voicemailColumns} FROM voicemails WHERE recipient_id = ? AND id = ?`,
      ),
      voicemailAudio: db.prepare<[string, string], VoicemailRow & { audio: Buffer }>(
        `SELECT ${voicemailColumns}, audio FROM voicemails WHERE recipient_id = ? AND id = ?`,
      ),
      markVoicemailHeard: db.prepare(
        `UPDATE voicemails SET heard_at = ? WHERE recipient_id = ? AND id = ? AND heard_at IS NULL`,
      ),
      deleteVoicemail: db.prepare('DELETE FROM voicemails WHERE recipient_id = ? AND id = ?'),
    };
    this.features = prepareFeatures(db);
    const one = db.transaction(this.appendOne);
    this.appendAll = db.transaction((messages: NewMessage[]) =>
      messages.map((message): AppendOutcome => ({ ok: this.appendOne(message) })),
    );
    this.appendBatch = db.transaction((messages: NewMessage[]) =>
      messages.map((message): AppendOutcome => {
        try {
          return { ok: one(message) };
        } catch (error) {
          return { error };
        }
      }),
    );
  }

  /** Opens (creating when needed) and migrates the database. */
  static open(options: SqliteOptions): SqliteStorage {
    if (options.file !== ':memory:') mkdirSync(dirname(options.file), { recursive: true });
    const db = new Database(options.file);
    try {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      db.pragma('foreign_keys = ON');
      db.pragma('busy_timeout = 5000');
      for (const m of migrate(db, options.migrations ?? allMigrations)) options.onMigrate?.(m);
      const storage = new SqliteStorage(db);
      if (options.file !== ':memory:' && options.backgroundCheckpoints !== false) {
        db.pragma(`wal_autocheckpoint = ${FALLBACK_AUTOCHECKPOINT_PAGES}`);
        storage.checkpointer = Checkpointer.start({
          file: options.file,
          onError: (message) => options.onCheckpointProblem?.(`WAL checkpoint failed: ${message}`),
          onLost: () => {
            if (db.open) db.pragma('wal_autocheckpoint = 1000');
            options.onCheckpointProblem?.(
              'the WAL checkpoint worker stopped: checkpointing on the main thread again',
            );
          },
        });
      }
      return storage;
    } catch (error) {
      db.close();
      throw error;
    }
  }

  async ping(): Promise<void> {
    this.statements.ping.get();
  }

  /** Checkpoints the WAL off the event loop (file databases). */
  private checkpointer: Checkpointer | undefined;

  async close(): Promise<void> {
    await this.checkpointer?.stop();
    this.checkpointer = undefined;
    if (this.db.open) this.db.close();
  }

  async getSetting(key: string): Promise<string | undefined> {
    return this.statements.getSetting.get(key)?.value;
  }

  async setSettingIfAbsent(key: string, value: string): Promise<string> {
    return this.db.transaction(() => {
      this.statements.insertSetting.run(key, value);
      return this.statements.getSetting.get(key)!.value;
    })();
  }

  async createUser(user: NewUser): Promise<UserRecord> {
    try {
      this.statements.insertUser.run(user);
    } catch (error) {
      const field = conflictField(error);
      if (field) throw new IdentityConflictError(field);
      throw error;
    }
    return toUser(this.statements.userById.get(user.id)!);
  }

  async findUser(lookup: UserLookup): Promise<UserRecord | undefined> {
    const s = this.statements;
    const row =
      'id' in lookup
        ? s.userById.get(lookup.id)
        : 'username' in lookup
          ? s.userByUsername.get(lookup.username)
          : 'email' in lookup
            ? s.userByEmail.get(lookup.email)
            : s.userByNumber.get(lookup.number);
    return row && toUser(row);
  }

  async updateDisplayName(
    id: string,
    displayName: string,
    now: number,
  ): Promise<UserRecord | undefined> {
    this.statements.updateDisplayName.run(displayName, now, id);
    const row = this.statements.userById.get(id);
    return row && toUser(row);
  }

  async createRefreshFamily(
    family: Omit<RefreshFamilyRecord, 'revokedAt' | 'revokedReason'>,
  ): Promise<void> {
    this.statements.insertFamily.run(family);
  }

  async getRefreshFamily(id: string): Promise<RefreshFamilyRecord | undefined> {
    const row = this.statements.familyById.get(id);
    return row && toFamily(row);
  }

  async revokeRefreshFamily(id: string, reason: string, now: number): Promise<boolean> {
    return this.db.transaction(() => {
      const changed = this.statements.revokeFamily.run(now, reason, id).changes === 1;
      this.statements.revokeFamilyTokens.run(id);
      return changed;
    })();
  }

  async createRefreshToken(token: NewRefreshToken): Promise<void> {
    this.statements.insertToken.run(token);
  }

  async findRefreshToken(tokenHash: string): Promise<RefreshTokenRecord | undefined> {
    const row = this.statements.tokenByHash.get(tokenHash);
    return row && toToken(row);
  }

  async consumeRefreshToken(tokenHash: string, now: number): Promise<ConsumeResult> {
    return this.db.transaction((): ConsumeResult => {
      const row = this.statements.tokenByHash.get(tokenHash);
      if (!row) return { status: 'unknown' };
      const family = this.statements.familyById.get(row.family_id);
      if (row.used_at !== null) return { status: 'reused', token: toToken(row) };
      if (row.revoked !== 0 || !family || family.revoked_at !== null)
        return { status: 'revoked', token: toToken(row) };
      if (row.expires_at <= now) return { status: 'expired', token: toToken(row) };
      // The guard in the UPDATE makes the spend single-use even without the transaction.
      if (this.statements.spendToken.run(now, row.id, now).changes !== 1)
        return { status: 'reused', token: toToken(row) };
      return { status: 'ok', token: { ...toToken(row), usedAt: now } };
    })();
  }

  async pruneRefreshTokens(now: number): Promise<number> {
    return this.db.transaction(() => {
      const { changes } = this.statements.pruneTokens.run(now);
      this.statements.pruneFamilies.run();
      return changes;
    })();
  }

  // ── call records ──

  async insertCallRecords(records: readonly CallRecordEntry[]): Promise<void> {
    this.db.transaction(() => {
      for (const r of records) {
        this.statements.insertCallRecord.run({
          id: r.id,
          userId: r.userId,
          callId: r.callId,
          direction: r.direction,
          remoteId: r.remoteParticipant.id,
          remoteDisplayName: r.remoteParticipant.displayName,
          audio: r.media.audio ? 1 : 0,
          video: r.media.video ? 1 : 0,
          startTime: r.startTime,
          answerTime: r.answerTime,
          endTime: r.endTime,
          duration: r.duration,
          result: r.result,
          statusCode: r.statusCode,
          reasonText: r.reasonText,
        });
      }
    })();
  }

  async listCallRecords(
    userId: string,
    page: { limit: number; offset: number },
  ): Promise<{ records: CallRecordEntry[]; total: number }> {
    return this.db.transaction(() => ({
      records: this.statements.callRecordsPage
        .all(userId, page.limit, page.offset)
        .map(toCallRecord),
      total: this.statements.callRecordsCount.get(userId)!.n,
    }))();
  }

  async deleteCallRecord(userId: string, id: string): Promise<boolean> {
    return this.statements.deleteCallRecord.run(userId, id).changes === 1;
  }

  async deleteCallRecords(userId: string): Promise<number> {
    return this.statements.deleteCallRecords.run(userId).changes;
  }

  async hasCallRecord(callId: string): Promise<boolean> {
    return this.statements.callRecordExists.get(callId) !== undefined;
  }

  // ── voicemail ──

  async insertVoicemail(v: NewVoicemail, mailboxSize: number): Promise<boolean> {
    // One statement: the count and the insert are one atomic step.
    return (
      this.statements.insertVoicemail.run({
        id: v.id,
        recipientId: v.recipientId,
        senderId: v.senderId,
        fromId: v.from.id,
        fromDisplayName: v.from.displayName,
        callId: v.callId,
        contentType: v.contentType,
        size: v.audio.byteLength,
        durationMs: v.durationMs,
        createdAt: v.createdAt,
        audio: Buffer.from(v.audio.buffer, v.audio.byteOffset, v.audio.byteLength),
        mailboxSize,
      }).changes === 1
    );
  }

  async listVoicemails(recipientId: string): Promise<VoicemailEntry[]> {
    return this.statements.listVoicemails.all(recipientId).map(toVoicemail);
  }

  async getVoicemailAudio(
    recipientId: string,
    id: string,
  ): Promise<{ voicemail: VoicemailEntry; audio: Buffer } | undefined> {
    const row = this.statements.voicemailAudio.get(recipientId, id);
    return row && { voicemail: toVoicemail(row), audio: row.audio };
  }

  async markVoicemailHeard(
    recipientId: string,
    id: string,
    now: number,
  ): Promise<VoicemailEntry | undefined> {
    return this.db.transaction(() => {
      this.statements.markVoicemailHeard.run(now, recipientId, id);
      const row = this.statements.voicemail.get(recipientId, id);
      return row && toVoicemail(row);
    })();
  }

  async deleteVoicemail(recipientId: string, id: string): Promise<boolean> {
    return this.statements.deleteVoicemail.run(recipientId, id).changes === 1;
  }
  // ── messaging ──

  async openDirectConversation(input: {
    id: string;
    type: 'im' | 'sms';
    userIds: [string, string];
    now: number;
  }): Promise<{ conversation: ConversationRecord; created: boolean }> {
    const f = this.features;
    const [a, b] = [...input.userIds].sort() as [string, string];
    const pairKey = `${input.type}:${a}:${b}`;
    return this.db
      .transaction(() => {
        const found = f.conversationByPair.get(pairKey);
        if (found) return { conversation: toConversation(found), created: false };
        f.insertConversation.run({
          id: input.id,
          type: input.type,
          name: null,
          pairKey,
          createdAt: input.now,
        });
        for (const userId of new Set([a, b])) f.insertMember.run(input.id, userId, input.now);
        return { conversation: toConversation(f.conversationById.get(input.id)!), created: true };
      })
      .immediate();
  }

  async createConversation(input: {
    id: string;
    type: ConversationKind;
    name: string | null;
    memberIds: string[];
    now: number;
  }): Promise<ConversationRecord> {
    const f = this.features;
    return this.db
      .transaction(() => {
        f.insertConversation.run({
          id: input.id,
          type: input.type,
          name: input.name,
          pairKey: null,
          createdAt: input.now,
        });
        for (const userId of new Set(input.memberIds))
          f.insertMember.run(input.id, userId, input.now);
        return toConversation(f.conversationById.get(input.id)!);
      })
      .immediate();
  }

  async getConversation(id: string): Promise<ConversationRecord | undefined> {
    const row = this.features.conversationById.get(id);
    return row && toConversation(row);
  }

  async listMembers(conversationId: string): Promise<MemberRecord[]> {
    return this.features.members.all(conversationId).map(toMember);
  }

  async summarizeConversation(
    conversationId: string,
    userId: string,
  ): Promise<ConversationSummary | undefined> {
    return this.db.transaction(() => {
      const row = this.features.conversationById.get(conversationId);
      return row && this.summary(row, userId);
    })();
  }

  async listConversations(userId: string): Promise<ConversationSummary[]> {
    const summaries = this.db.transaction(() =>
      this.features.conversationsOf
        .all(userId)
        .map((row) => this.summary(row, userId))
        .filter((s): s is ConversationSummary => s !== undefined),
    )();
    const active = (s: ConversationSummary) => s.lastMessage?.timestamp ?? s.conversation.createdAt;
    return summaries.sort((x, y) => active(y) - active(x));
  }

  /** One conversation as `userId` sees it (inside a transaction). */
  private summary(row: ConversationRow, userId: string): ConversationSummary | undefined {
    const f = this.features;
    const members = f.members.all(row.id).map(toMember);
    const me = members.find((m) => m.userId === userId);
    if (!me) return undefined;
    const last = row.last_seq > 0 ? f.messageBySeq.get(row.id, row.last_seq) : undefined;
    return {
      conversation: toConversation(row),
      members,
      lastMessage: last ? toMessage(last) : null,
      unread: f.unread.get(row.id, me.readSeq, userId)!.n,
    };
  }

  /**
   * Group commit: appends that arrive in the same turn of the event loop are stored in one
   * transaction (one WAL write instead of one per message); should one fail, the batch is
   * stored again with each append in its own savepoint, so the others still are. Every caller
   * resolves only after the commit.
   */
  async appendMessage(message: NewMessage): Promise<AppendResult> {
    return new Promise((resolve, reject) => {
      this.appends.push({ message, resolve, reject });
      if (this.appends.length === 1) setImmediate(() => this.flushAppends());
    });
  }

  private readonly appends: PendingAppend[] = [];

  private flushAppends(): void {
    const batch = this.appends.splice(0);
    const messages = batch.map((p) => p.message);
    let outcomes: AppendOutcome[];
    try {
      // Almost always every append succeeds: one transaction, no savepoints. When one throws,
      // the whole batch is rolled back and stored again with a savepoint each, so the others
      // still are.
      outcomes = this.appendAll.immediate(messages);
    } catch {
      try {
        outcomes = this.appendBatch.immediate(messages);
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

  /** One message: a savepoint inside {@link appendBatch}'s transaction. */
  private readonly appendOne = (message: NewMessage): AppendResult => {
    const f = this.features;
    const seq = f.nextSeq.get(message.conversationId)!;
    // A conversation that does not exist fails the insert's foreign key (and the savepoint).
    // The sender's clientId already stored: nothing inserted (the unique index found it, one
    // statement fewer than looking first), and the earlier message is the result.
    const { changes } = f.insertMessage.run(
      message.id,
      message.conversationId,
      seq,
      message.clientId,
      message.senderId,
      JSON.stringify(message.parts),
      message.timestamp,
    );
    if (changes === 0) {
      const earlier = f.messageBySender.get(message.senderId, message.clientId)!;
      return { status: 'duplicate', message: toMessage(earlier) };
    }
    const stored: MessageRecord = {
      id: message.id,
      conversationId: message.conversationId,
      seq,
      clientId: message.clientId,
      senderId: message.senderId,
      parts: message.parts,
      timestamp: message.timestamp,
    };
    return { status: 'stored', message: stored };
  };

  /** Every append of one turn in one transaction, each in its savepoint. */
  private readonly appendBatch: Database.Transaction<(messages: NewMessage[]) => AppendOutcome[]>;
  /** The same without savepoints: throws (and rolls back) if one append fails. */
  private readonly appendAll: Database.Transaction<(messages: NewMessage[]) => AppendOutcome[]>;

  async messagesAfter(
    conversationId: string,
    afterSeq: number,
    limit: number,
  ): Promise<MessagePage> {
    const rows = this.features.messagesAfter.all(conversationId, afterSeq, limit + 1);
    return { messages: rows.slice(0, limit).map(toMessage), hasMore: rows.length > limit };
  }

  async messagesBefore(
    conversationId: string,
    beforeSeq: number,
    limit: number,
  ): Promise<MessagePage> {
    const rows = this.features.messagesBefore.all(conversationId, beforeSeq, limit + 1);
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
    const f = this.features;
    return this.db
      .transaction(() => {
        const row = f.member.get(conversationId, userId);
        const conversation = f.conversationById.get(conversationId);
        if (!row || !conversation) return undefined;
        const upTo = Math.min(seq, conversation.last_seq);
        const read = kind === 'read' ? Math.max(row.read_seq, upTo) : row.read_seq;
        const delivered = Math.max(row.delivered_seq, upTo, read);
        const changed = read !== row.read_seq || delivered !== row.delivered_seq;
        if (changed) f.setWatermarks.run(delivered, read, conversationId, userId);
        return {
          member: toMember({ ...row, delivered_seq: delivered, read_seq: read }),
          changed,
        };
      })
      .immediate();
  }

  // ── presence ──

  async getPresence(userIds: string[]): Promise<PresenceRecord[]> {
    if (!userIds.length) return [];
    return this.features.presenceOf.all(JSON.stringify(userIds)).map(toPresence);
  }

  async savePresence(record: PresenceRecord): Promise<void> {
    this.features.savePresence.run(record);
  }

  // ── contacts ──

  async listContacts(ownerId: string): Promise<ContactRecord[]> {
    return this.features.contacts.all(ownerId).map(toContact);
  }

  async countContacts(ownerId: string): Promise<number> {
    return this.features.countContacts.get(ownerId)!.n;
  }

  async addContact(contact: ContactRecord): Promise<ContactWriteResult> {
    try {
      this.features.insertContact.run({ ...contact, fields: JSON.stringify(contact.fields) });
      return 'ok';
    } catch (error) {
      if (isConstraint(error)) return 'exists';
      throw error;
    }
  }

  async updateContact(contact: Omit<ContactRecord, 'createdAt'>): Promise<ContactWriteResult> {
    try {
      const { changes } = this.features.updateContact.run({
        ...contact,
        fields: JSON.stringify(contact.fields),
      });
      return changes === 1 ? 'ok' : 'notFound';
    } catch (error) {
      if (isConstraint(error)) return 'exists';
      throw error;
    }
  }

  async removeContact(ownerId: string, contactId: string): Promise<boolean> {
    return this.features.removeContact.run(ownerId, contactId).changes === 1;
  }

  async mutualContacts(userId: string, candidateIds: string[]): Promise<string[]> {
    if (!candidateIds.length) return [];
    return this.features.mutualContacts
      .all({ me: userId, candidates: JSON.stringify(candidateIds) })
      .map((r) => r.id);
  }

  async findUsers(ids: string[]): Promise<UserRecord[]> {
    if (!ids.length) return [];
    return this.features.usersByIds.all(JSON.stringify(ids)).map(toUser);
  }

  async searchUsers(conditions: UserSearchCondition[], limit: number): Promise<UserRecord[]> {
    const usable = conditions.filter((c) => c.fields.length > 0);
    const shape = usable.map((c) => `${c.fields.join('|')}${c.whole ? '=' : '~'}`).join('&');
    let statement = this.searches.get(shape);
    if (!statement) {
      const where = usable.map(
        (c) =>
          `(${c.fields
            .map((field) =>
              c.whole
                ? `${SEARCH_COLUMNS[field]} = ?`
                : `${SEARCH_COLUMNS[field]} LIKE ? ESCAPE '\\'`,
            )
            .join(' OR ')})`,
      );
      statement = this.db.prepare<unknown[], UserRow>(
        `SELECT * FROM users ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
         ORDER BY coalesce(username, id) LIMIT ?`,
      );
      this.searches.set(shape, statement);
    }
    const params = usable.flatMap((c) =>
      c.fields.map(() => (c.whole ? c.text : containsPattern(c.text))),
    );
    return statement.all(...params, limit).map(toUser);
  }
}

/** True for a UNIQUE or PRIMARY KEY violation. */
function isConstraint(error: unknown): boolean {
  const code = (error as { code?: string }).code;
  return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

/** The identity column a UNIQUE violation is about, if it is one. */
function conflictField(error: unknown): IdentityField | undefined {
  const { code, message } = error as { code?: string; message?: string };
  if (code !== 'SQLITE_CONSTRAINT_UNIQUE' || !message) return undefined;
  const match = /users\.(username|email|number)/.exec(message);
  return match?.[1] as IdentityField | undefined;
}
