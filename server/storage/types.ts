/**
 * The gateway's storage, as an interface. Feature code uses only this file; the embedded
 * implementation is SQLite (`./sqlite/`), the distributed one PostgreSQL (`./postgres/`), and
 * both pass one conformance suite (`test/server/storage.test.ts`). Every method is async (a network database needs it), takes and returns plain
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

/**
 * The database did not answer in time: a statement ran past the query timeout, or no
 * connection came free (or could be made) within the connect timeout. Transient, and never
 * half done: the operation's transaction was rolled back, except that a database that stopped
 * answering while it committed may have committed it whole; try it again idempotently. The
 * gateway answers it as `server:databaseTimeout` (HTTP 503).
 */
export class DatabaseTimeoutError extends Error {
  readonly code = 'server:databaseTimeout';
  constructor(message: string, cause?: unknown) {
    super(message, { cause });
    this.name = 'DatabaseTimeoutError';
  }
}

// ── messaging ──

/** A conversation's kind: one-to-one (`im`, `sms`) or a group (`chat`). */
export type ConversationKind = 'im' | 'chat' | 'sms';

/** A stored conversation. */
export interface ConversationRecord {
  id: string;
  type: ConversationKind;
  /** A group's name; null for one-to-one conversations and unnamed groups. */
  name: string | null;
  /** The seq of the newest message, 0 when there is none. */
  lastSeq: number;
  createdAt: number;
}

/** A member of a conversation, with the user fields the wire shows. */
export interface MemberRecord {
  conversationId: string;
  userId: string;
  username: string | null;
  displayName: string;
  /** Everything up to this seq has reached one of the member's devices. */
  deliveredSeq: number;
  /** Everything up to this seq has been read. Never above `deliveredSeq`. */
  readSeq: number;
  joinedAt: number;
}

/** One part of a message (text only, so far). */
export interface MessagePartRecord {
  type: 'text';
  text: string;
}

/** A stored message. */
export interface MessageRecord {
  id: string;
  conversationId: string;
  /** Its place in the conversation: 1, 2, 3 … without gaps. */
  seq: number;
  /** The sender's id for it: unique per sender (the idempotency key). */
  clientId: string;
  senderId: string;
  parts: MessagePartRecord[];
  /** When it was stored (ms). */
  timestamp: number;
}

/** What {@link Storage.appendMessage} needs (the seq is the storage's to give). */
export type NewMessage = Omit<MessageRecord, 'seq'>;

/**
 * The outcome of {@link Storage.appendMessage}: `stored` (this call stored it, with the next
 * seq) or `duplicate` (the sender had already sent this clientId: the message stored then,
 * which may belong to another conversation).
 */
export interface AppendResult {
  status: 'stored' | 'duplicate';
  message: MessageRecord;
}

/** A conversation as one member sees it. */
export interface ConversationSummary {
  conversation: ConversationRecord;
  members: MemberRecord[];
  lastMessage: MessageRecord | null;
  /** Messages from others after the member's `readSeq`. */
  unread: number;
}

/** A page of messages, in ascending seq. */
export interface MessagePage {
  messages: MessageRecord[];
  /** More messages lie beyond the page in the direction asked. */
  hasMore: boolean;
}

// ── presence ──

/** The presence a user chose (status, activity, note), kept across restarts. */
export interface PresenceRecord {
  userId: string;
  status: string;
  activity: string;
  note: string;
  updatedAt: number;
}

// ── contacts ──

/** An entry of a user's address book. */
export interface ContactRecord {
  ownerId: string;
  contactId: string;
  /** Who it is: a user id, username, email or number, as the owner gave it. */
  primaryContact: string;
  /** The other contact fields (firstName, emailAddress, …), as given. */
  fields: Record<string, unknown>;
  createdAt: number;
  updatedAt: number;
}

/**
 * The outcome of adding or updating a contact: `ok`; `notFound` (update: no such contactId);
 * `exists` (the owner has another contact with this contactId or primaryContact).
 */
export type ContactWriteResult = 'ok' | 'notFound' | 'exists';

/** Fields of a user the directory can search. */
export type UserSearchField =
  'id' | 'username' | 'displayName' | 'firstName' | 'lastName' | 'email' | 'number';

/**
 * One condition of a directory search: `text` is a substring (case-insensitive) of one of
 * `fields`. The first name is the display name's first word; the last name, the rest.
 */
export interface UserSearchCondition {
  fields: UserSearchField[];
  text: string;
  /** Match the whole field (exactly) rather than a part of it. */
  whole?: boolean;
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

  // ── voicemail ──
  /**
   * Stores a voicemail unless the recipient's mailbox already holds `mailboxSize` of them
   * (decided in the same transaction: two at once never make it overfull). True when stored.
   */
  insertVoicemail(voicemail: NewVoicemail, mailboxSize: number): Promise<boolean>;
  /** The voicemails left for `recipientId`, newest first, without their audio. */
  listVoicemails(recipientId: string): Promise<VoicemailEntry[]>;
  /** One of the recipient's voicemails with its audio; undefined when they have none by that id. */
  getVoicemailAudio(
    recipientId: string,
    id: string,
  ): Promise<{ voicemail: VoicemailEntry; audio: Buffer } | undefined>;
  /**
   * Marks one of the recipient's voicemails heard at `now`, unless it was already (the first
   * time is kept). The voicemail afterwards; undefined when they have none by that id.
   */
  markVoicemailHeard(
    recipientId: string,
    id: string,
    now: number,
  ): Promise<VoicemailEntry | undefined>;
  /** Deletes one of the recipient's voicemails; false when they have none by that id. */
  deleteVoicemail(recipientId: string, id: string): Promise<boolean>;
  // ── messaging ──
  /**
   * The one-to-one conversation of `type` between two users: found, or created with both as
   * members (`created` tells which). Two calls at once agree on one conversation.
   */
  openDirectConversation(input: {
    id: string;
    type: 'im' | 'sms';
    userIds: [string, string];
    now: number;
  }): Promise<{ conversation: ConversationRecord; created: boolean }>;
  /** Creates a group conversation with its members. */
  createConversation(input: {
    id: string;
    type: ConversationKind;
    name: string | null;
    memberIds: string[];
    now: number;
  }): Promise<ConversationRecord>;
  /** A conversation, or undefined. */
  getConversation(id: string): Promise<ConversationRecord | undefined>;
  /** The members of a conversation (empty when there is no such conversation). */
  listMembers(conversationId: string): Promise<MemberRecord[]>;
  /** One conversation as `userId` sees it; undefined unless it exists and they are a member. */
  summarizeConversation(
    conversationId: string,
    userId: string,
  ): Promise<ConversationSummary | undefined>;
  /** Every conversation of `userId`, the most recently active first. */
  listConversations(userId: string): Promise<ConversationSummary[]>;
  /**
   * Stores a message once per `(senderId, clientId)`, with the conversation's next seq, in one
   * transaction: concurrent calls never leave a gap or give one seq twice. A clientId the
   * sender used before returns the message stored then.
   */
  appendMessage(message: NewMessage): Promise<AppendResult>;
  /** Up to `limit` messages with seq > `afterSeq`, ascending. */
  messagesAfter(conversationId: string, afterSeq: number, limit: number): Promise<MessagePage>;
  /** The `limit` newest messages with seq < `beforeSeq`, ascending. */
  messagesBefore(conversationId: string, beforeSeq: number, limit: number): Promise<MessagePage>;
  /**
   * Moves a member's watermark forward to `seq` (never back, never past the conversation's
   * last seq; read implies delivered). Returns the member afterwards and whether it moved;
   * undefined when they are not a member.
   */
  advanceWatermark(
    conversationId: string,
    userId: string,
    kind: 'delivered' | 'read',
    seq: number,
  ): Promise<{ member: MemberRecord; changed: boolean } | undefined>;

  // ── presence ──
  /** The stored presence of these users (those that have one). */
  getPresence(userIds: string[]): Promise<PresenceRecord[]>;
  /** Stores a user's presence. */
  savePresence(record: PresenceRecord): Promise<void>;

  // ── contacts ──
  /** A user's address book, oldest first. */
  listContacts(ownerId: string): Promise<ContactRecord[]>;
  /** How many contacts a user has. */
  countContacts(ownerId: string): Promise<number>;
  /** Adds a contact (`exists` when its contactId or primaryContact is taken). */
  addContact(contact: ContactRecord): Promise<ContactWriteResult>;
  /** Replaces a contact's primaryContact and fields (createdAt is kept). */
  updateContact(contact: Omit<ContactRecord, 'createdAt'>): Promise<ContactWriteResult>;
  /** Removes a contact; false when there was none. */
  removeContact(ownerId: string, contactId: string): Promise<boolean>;
  /**
   * Of `candidateIds`, the users who have `userId` in their address book and whom `userId`
   * has in theirs. A contact names its user by id, username, email or number.
   */
  mutualContacts(userId: string, candidateIds: string[]): Promise<string[]>;
  /** The users with these ids (those that exist). */
  findUsers(ids: string[]): Promise<UserRecord[]>;
  /** Users meeting every condition, ordered by username (then id), at most `limit`. */
  searchUsers(conditions: UserSearchCondition[], limit: number): Promise<UserRecord[]>;
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

// ── voicemail ──

/** A stored voicemail's details (its audio is read apart: {@link Storage.getVoicemailAudio}). */
export interface VoicemailEntry {
  id: string;
  /** Whose mailbox it is in. */
  recipientId: string;
  /** Who left it (internal id). */
  senderId: string;
  /** The sender as the recipient sees them: wire id and display name when it was left. */
  from: { id: string; displayName: string };
  /** The unanswered call it follows, when the sender gave one. */
  callId: string | null;
  /** The recording's type, without parameters (`audio/webm`). */
  contentType: string;
  /** Bytes of audio. */
  size: number;
  durationMs: number;
  createdAt: number;
  heardAt: number | null;
}

/** What {@link Storage.insertVoicemail} needs: the details and the audio. */
export type NewVoicemail = Omit<VoicemailEntry, 'size' | 'heardAt'> & { audio: Uint8Array };
