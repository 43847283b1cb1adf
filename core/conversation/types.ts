import type { Conversation, MemberState, Message } from '../protocol/schema.js';

/** The seeds' message part (only text so far). */
export interface Part {
  type: 'text';
  text: string;
}

/** Where a message is in its life, as the sender sees it. */
export type MessageStatus = 'pending' | 'sent' | 'delivered' | 'read' | 'failed';

/** A message as the application sees it (the seeds' Message, plus comms-kit's status). */
export interface MessageView {
  /** The server's id, or the client id while pending. */
  messageId: string;
  clientId: string;
  conversationId: string | null;
  /** Position in the conversation; null while pending. */
  seq: number | null;
  /** The sender's user id. */
  sender: string;
  parts: Part[];
  /** When it was stored (ms since the epoch), or created while pending. */
  timestamp: number;
  /** True for messages this user sent. */
  isOwn: boolean;
  /** The seeds' `isPending`: not yet stored by the server. */
  isPending: boolean;
  /** The seeds' `read`: this user has read it (received messages). */
  read: boolean;
  status: MessageStatus;
  error: { code: string; message: string } | null;
}

/** One conversation in the state tree. */
export interface ConversationEntry {
  /** Local key: the server id once known, else `im:<destination>`. */
  key: string;
  id: string | null;
  type: 'im' | 'chat' | 'sms';
  /** The other user (one-to-one), or null for groups. */
  destination: string | null;
  name: string | null;
  members: MemberState[];
  messages: MessageView[];
  /** The highest seq held without a gap below it. */
  lastSeq: number;
  /** True while older messages exist on the server that are not loaded. */
  hasOlder: boolean;
  unread: number;
  /** Users typing now. */
  typing: string[];
  createdAt: number;
}

/** The `conversations` slice. */
export interface ConversationsState {
  byKey: Record<string, ConversationEntry>;
}

export type { Conversation, Message, MemberState };
