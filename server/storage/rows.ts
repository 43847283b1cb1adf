/**
 * The stored rows both storages read (SQLite and PostgreSQL have the same tables and columns)
 * and their records. The engines differ only in how a flag comes back: 0/1 from SQLite, a
 * boolean from PostgreSQL.
 */
import type {
  CallRecordEntry,
  CallResult,
  ContactRecord,
  ConversationKind,
  ConversationRecord,
  MemberRecord,
  MessageRecord,
  PresenceRecord,
  RefreshFamilyRecord,
  VoicemailEntry,
  RefreshTokenRecord,
  UserRecord,
} from './types.js';

export interface UserRow {
  id: string;
  username: string | null;
  email: string | null;
  number: string | null;
  display_name: string;
  password_hash: string | null;
  created_at: number;
  updated_at: number;
}

export interface FamilyRow {
  id: string;
  user_id: string;
  created_at: number;
  revoked_at: number | null;
  revoked_reason: string | null;
}

export interface TokenRow {
  id: string;
  token_hash: string;
  family_id: string;
  parent_id: string | null;
  user_id: string;
  created_at: number;
  expires_at: number;
  used_at: number | null;
  /** 0/1 in SQLite, a boolean in PostgreSQL. */
  revoked: number | boolean;
}

export interface CallRecordRow {
  id: string;
  user_id: string;
  call_id: string;
  direction: 'outgoing' | 'incoming';
  remote_id: string;
  remote_display_name: string;
  audio: number | boolean;
  video: number | boolean;
  start_time: number;
  answer_time: number | null;
  end_time: number | null;
  duration: number;
  result: CallResult;
  status_code: number;
  reason_text: string;
}

export interface VoicemailRow {
  id: string;
  recipient_id: string;
  sender_id: string;
  from_id: string;
  from_display_name: string;
  call_id: string | null;
  content_type: string;
  size: number;
  duration_ms: number;
  created_at: number;
  heard_at: number | null;
}

/** The voicemail columns, without the audio. */
export const voicemailColumns =
  'id, recipient_id, sender_id, from_id, from_display_name, call_id, content_type, size, duration_ms, created_at, heard_at';

export interface ConversationRow {
  id: string;
  type: ConversationKind;
  name: string | null;
  last_seq: number;
  created_at: number;
}

export interface MemberRow {
  conversation_id: string;
  user_id: string;
  username: string | null;
  display_name: string;
  delivered_seq: number;
  read_seq: number;
  joined_at: number;
}

export interface MessageRow {
  id: string;
  conversation_id: string;
  seq: number;
  client_id: string;
  sender_id: string;
  parts: string;
  created_at: number;
}

export interface ContactRow {
  owner_id: string;
  contact_id: string;
  primary_contact: string;
  fields: string;
  created_at: number;
  updated_at: number;
}

export interface PresenceRow {
  user_id: string;
  status: string;
  activity: string;
  note: string;
  updated_at: number;
}

export const toUser = (r: UserRow): UserRecord => ({
  id: r.id,
  username: r.username,
  email: r.email,
  number: r.number,
  displayName: r.display_name,
  passwordHash: r.password_hash,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

export const toFamily = (r: FamilyRow): RefreshFamilyRecord => ({
  id: r.id,
  userId: r.user_id,
  createdAt: r.created_at,
  revokedAt: r.revoked_at,
  revokedReason: r.revoked_reason,
});

export const toToken = (r: TokenRow): RefreshTokenRecord => ({
  id: r.id,
  tokenHash: r.token_hash,
  familyId: r.family_id,
  parentId: r.parent_id,
  userId: r.user_id,
  createdAt: r.created_at,
  expiresAt: r.expires_at,
  usedAt: r.used_at,
  revoked: !!r.revoked,
});

export const toCallRecord = (r: CallRecordRow): CallRecordEntry => ({
  id: r.id,
  userId: r.user_id,
  callId: r.call_id,
  direction: r.direction,
  remoteParticipant: { id: r.remote_id, displayName: r.remote_display_name },
  media: { audio: !!r.audio, video: !!r.video },
  startTime: r.start_time,
  answerTime: r.answer_time,
  endTime: r.end_time,
  duration: r.duration,
  result: r.result,
  statusCode: r.status_code,
  reasonText: r.reason_text,
});

export const toVoicemail = (r: VoicemailRow): VoicemailEntry => ({
  id: r.id,
  recipientId: r.recipient_id,
  senderId: r.sender_id,
  from: { id: r.from_id, displayName: r.from_display_name },
  callId: r.call_id,
  contentType: r.content_type,
  size: r.size,
  durationMs: r.duration_ms,
  createdAt: r.created_at,
  heardAt: r.heard_at,
});

export const toConversation = (r: ConversationRow): ConversationRecord => ({
  id: r.id,
  type: r.type,
  name: r.name,
  lastSeq: r.last_seq,
  createdAt: r.created_at,
});

export const toMember = (r: MemberRow): MemberRecord => ({
  conversationId: r.conversation_id,
  userId: r.user_id,
  username: r.username,
  displayName: r.display_name,
  deliveredSeq: r.delivered_seq,
  readSeq: r.read_seq,
  joinedAt: r.joined_at,
});

export const toMessage = (r: MessageRow): MessageRecord => ({
  id: r.id,
  conversationId: r.conversation_id,
  seq: r.seq,
  clientId: r.client_id,
  senderId: r.sender_id,
  parts: JSON.parse(r.parts) as MessageRecord['parts'],
  timestamp: r.created_at,
});

export const toContact = (r: ContactRow): ContactRecord => ({
  ownerId: r.owner_id,
  contactId: r.contact_id,
  primaryContact: r.primary_contact,
  fields: JSON.parse(r.fields) as Record<string, unknown>,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

export const toPresence = (r: PresenceRow): PresenceRecord => ({
  userId: r.user_id,
  status: r.status,
  activity: r.activity,
  note: r.note,
  updatedAt: r.updated_at,
});
