/**
 * The gateway's storage, as an interface. Feature code uses only this file; the embedded
 * implementation is SQLite (`./sqlite/`), and a PostgreSQL one can follow without touching
 * feature code. Every method is async (a network database needs it), takes and returns plain
 * data, and each one is atomic on its own: where an operation must not race (spending a
 * refresh token), it is one method, so an implementation can make it one statement or one
 * transaction.
 *
 * Conventions: ids are strings made by the caller (UUIDs); times are milliseconds since the
 * epoch; identities arrive normalised by the caller (username and email lower-case), and an
 * implementation also compares username and email case-insensitively.
 */

/** A stored user. */
export interface UserRecord {
  id: string;
  username: string | null;
  email: string | null;
  number: string | null;
  displayName: string;
  /** PHC string (`$argon2id$…`); null for users provisioned by an app ticket. */
  passwordHash: string | null;
  createdAt: number;
  updatedAt: number;
}

/** What {@link Storage.createUser} needs. */
export type NewUser = Omit<UserRecord, 'updatedAt'>;

/** The identity fields that are unique. */
export type IdentityField = 'username' | 'email' | 'number';

/** A way to find one user. */
export type UserLookup =
  { id: string } | { username: string } | { email: string } | { number: string };

/**
 * A refresh-token family: one login and every token rotated from it. Revoking the family
 * (logout, reuse of a spent token) ends the session on every socket that belongs to it.
 */
export interface RefreshFamilyRecord {
  id: string;
  userId: string;
  createdAt: number;
  /** When it was revoked, or null while it is active. */
  revokedAt: number | null;
  /** Why: `'logout'`, `'reuse'`, … */
  revokedReason: string | null;
}

/** A refresh token. Only a hash of the token is stored, never the token. */
export interface RefreshTokenRecord {
  id: string;
  /** SHA-256 of the token, base64url. */
  tokenHash: string;
  familyId: string;
  /** The token this one was rotated from (null for the first of a family). */
  parentId: string | null;
  userId: string;
  createdAt: number;
  expiresAt: number;
  /** When it was spent on a refresh, or null while it is unused. */
  usedAt: number | null;
  /** Revoked with its family. */
  revoked: boolean;
}

/** What {@link Storage.createRefreshToken} needs. */
export type NewRefreshToken = Omit<RefreshTokenRecord, 'usedAt' | 'revoked'>;

/**
 * The outcome of {@link Storage.consumeRefreshToken}:
 * - `ok`: it was unused, active and unexpired, and is now marked used (by this call only);
 * - `reused`: it had been spent before (the caller revokes the family);
 * - `revoked`: its family was revoked;
 * - `expired`: past its expiry;
 * - `unknown`: no such token.
 */
export type ConsumeResult =
  | { status: 'ok' | 'reused' | 'revoked' | 'expired'; token: RefreshTokenRecord }
  | { status: 'unknown' };

/** Thrown by {@link Storage.createUser} when an identity is already taken. */
export class IdentityConflictError extends Error {
  /** Which identity is taken. */
  readonly field: IdentityField;
  constructor(field: IdentityField) {
    super(`${field} is already taken`);
    this.name = 'IdentityConflictError';
    this.field = field;
  }
}

/** The storage every gateway feature talks to. */
export interface Storage {
  /** Resolves when the store answers a trivial query; rejects otherwise (for `/readyz`). */
  ping(): Promise<void>;
  /** Closes the store. Further calls reject. */
  close(): Promise<void>;

  // ── settings ──
  /** A stored setting, or undefined. */
  getSetting(key: string): Promise<string | undefined>;
  /**
   * Stores `value` under `key` unless a value is there already, and returns the value that is
   * stored afterwards (so two nodes starting at once agree on one value).
   */
  setSettingIfAbsent(key: string, value: string): Promise<string>;

  // ── users ──
  /** Creates a user; rejects with {@link IdentityConflictError} when an identity is taken. */
  createUser(user: NewUser): Promise<UserRecord>;
  /** Finds one user, or undefined. */
  findUser(lookup: UserLookup): Promise<UserRecord | undefined>;
  /** Changes a user's display name; returns the updated user (undefined when there is none). */
  updateDisplayName(id: string, displayName: string, now: number): Promise<UserRecord | undefined>;

  // ── refresh tokens ──
  /** Starts a family. */
  createRefreshFamily(
    family: Omit<RefreshFamilyRecord, 'revokedAt' | 'revokedReason'>,
  ): Promise<void>;
  /** The family, or undefined. */
  getRefreshFamily(id: string): Promise<RefreshFamilyRecord | undefined>;
  /**
   * Revokes a family and every token in it. Returns true when this call revoked it, false when
   * it was revoked already or does not exist.
   */
  revokeRefreshFamily(id: string, reason: string, now: number): Promise<boolean>;
  /** Stores a new (unused) refresh token. */
  createRefreshToken(token: NewRefreshToken): Promise<void>;
  /** Finds a token by its hash, without changing it. */
  findRefreshToken(tokenHash: string): Promise<RefreshTokenRecord | undefined>;
  /** Atomically spends a token: see {@link ConsumeResult}. */
  consumeRefreshToken(tokenHash: string, now: number): Promise<ConsumeResult>;
  /** Deletes tokens that expired before `now` (and families left empty); returns how many. */
  pruneRefreshTokens(now: number): Promise<number>;

  // ── call records ──
  /** Stores the records of one call (one per party), all or none. */
  insertCallRecords(records: readonly CallRecordEntry[]): Promise<void>;
  /** A user's records, newest first (by start time), and how many they have in all. */
  listCallRecords(
    userId: string,
    page: { limit: number; offset: number },
  ): Promise<{ records: CallRecordEntry[]; total: number }>;
  /** Deletes one of the user's records; false when the user has no record with that id. */
  deleteCallRecord(userId: string, id: string): Promise<boolean>;
  /** Deletes every record of the user; returns how many. */
  deleteCallRecords(userId: string): Promise<number>;
  /** True when any user has a record of the call `callId` (call ids are never reused). */
  hasCallRecord(callId: string): Promise<boolean>;
}

// ── call records ──

/** How a call ended for one party. */
export type CallResult =
  'answered' | 'missed' | 'rejected' | 'busy' | 'cancelled' | 'noAnswer' | 'failed';

/**
 * One party's record of one call (a CDR): the wire `CallRecord` plus its owner. A call that
 * rang or was answered has two, one per party (a call to oneself: two for the same user).
 */
export interface CallRecordEntry {
  /** The record's id. */
  id: string;
  /** Whose record it is. */
  userId: string;
  callId: string;
  direction: 'outgoing' | 'incoming';
  /** The other party: their public id (username, else number, else email) and name. */
  remoteParticipant: { id: string; displayName: string };
  media: { audio: boolean; video: boolean };
  startTime: number;
  answerTime: number | null;
  endTime: number | null;
  /** Seconds connected (0 when never answered). */
  duration: number;
  result: CallResult;
  /** The SIP-like status this party's client saw when the call ended. */
  statusCode: number;
  reasonText: string;
}
