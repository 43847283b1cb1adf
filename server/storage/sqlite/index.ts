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
  type CallResult,
  type ConsumeResult,
  type IdentityField,
  type NewRefreshToken,
  type NewUser,
  type RefreshFamilyRecord,
  type RefreshTokenRecord,
  type Storage,
  type UserLookup,
  type UserRecord,
} from '../types.js';
import { migrations as allMigrations, type Migration } from './migrations.js';

/** Options of {@link SqliteStorage.open}. */
export interface SqliteOptions {
  /** A file path, or `':memory:'`. The file's folder is created when missing. */
  file: string;
  /** Migrations to apply (default: all of comms-kit's). */
  migrations?: readonly Migration[];
  /** Told about each migration applied. */
  onMigrate?: (migration: Migration) => void;
}

interface UserRow {
  id: string;
  username: string | null;
  email: string | null;
  number: string | null;
  display_name: string;
  password_hash: string | null;
  created_at: number;
  updated_at: number;
}

interface FamilyRow {
  id: string;
  user_id: string;
  created_at: number;
  revoked_at: number | null;
  revoked_reason: string | null;
}

interface TokenRow {
  id: string;
  token_hash: string;
  family_id: string;
  parent_id: string | null;
  user_id: string;
  created_at: number;
  expires_at: number;
  used_at: number | null;
  revoked: number;
}

interface CallRecordRow {
  id: string;
  user_id: string;
  call_id: string;
  direction: 'outgoing' | 'incoming';
  remote_id: string;
  remote_display_name: string;
  audio: number;
  video: number;
  start_time: number;
  answer_time: number | null;
  end_time: number | null;
  duration: number;
  result: CallResult;
  status_code: number;
  reason_text: string;
}

const toCallRecord = (r: CallRecordRow): CallRecordEntry => ({
  id: r.id,
  userId: r.user_id,
  callId: r.call_id,
  direction: r.direction,
  remoteParticipant: { id: r.remote_id, displayName: r.remote_display_name },
  media: { audio: r.audio !== 0, video: r.video !== 0 },
  startTime: r.start_time,
  answerTime: r.answer_time,
  endTime: r.end_time,
  duration: r.duration,
  result: r.result,
  statusCode: r.status_code,
  reasonText: r.reason_text,
});

const toUser = (r: UserRow): UserRecord => ({
  id: r.id,
  username: r.username,
  email: r.email,
  number: r.number,
  displayName: r.display_name,
  passwordHash: r.password_hash,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

const toFamily = (r: FamilyRow): RefreshFamilyRecord => ({
  id: r.id,
  userId: r.user_id,
  createdAt: r.created_at,
  revokedAt: r.revoked_at,
  revokedReason: r.revoked_reason,
});

const toToken = (r: TokenRow): RefreshTokenRecord => ({
  id: r.id,
  tokenHash: r.token_hash,
  familyId: r.family_id,
  parentId: r.parent_id,
  userId: r.user_id,
  createdAt: r.created_at,
  expiresAt: r.expires_at,
  usedAt: r.used_at,
  revoked: r.revoked !== 0,
});

/** Applies the migrations `db` has not had yet; returns the ones it applied. */
export function migrate(db: Database.Database, migrations: readonly Migration[]): Migration[] {
  const current = db.pragma('user_version', { simple: true }) as number;
  const pending = migrations.filter((m) => m.version > current);
  const newest = migrations.at(-1)?.version ?? 0;
  if (current > newest) {
    throw new Error(
      `the database is at schema version ${current}, newer than this gateway knows (${newest}): run a newer comms-kit-server`,
    );
  }
  for (const migration of pending) {
    db.transaction(() => {
      db.exec(migration.sql);
      db.pragma(`user_version = ${migration.version}`);
    })();
  }
  return pending;
}

/** {@link Storage} on SQLite. */
export class SqliteStorage implements Storage {
  private readonly db: Database.Database;
  private readonly statements;

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
    };
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
      return new SqliteStorage(db);
    } catch (error) {
      db.close();
      throw error;
    }
  }

  async ping(): Promise<void> {
    this.statements.ping.get();
  }

  async close(): Promise<void> {
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
}

/** The identity column a UNIQUE violation is about, if it is one. */
function conflictField(error: unknown): IdentityField | undefined {
  const { code, message } = error as { code?: string; message?: string };
  if (code !== 'SQLITE_CONSTRAINT_UNIQUE' || !message) return undefined;
  const match = /users\.(username|email|number)/.exec(message);
  return match?.[1] as IdentityField | undefined;
}
