/**
 * The conversations' state as the client needs it before the conversation manager (a chunk
 * loaded on demand, `lazy-manager.ts`) is here: the initial slice, the one-to-one entries
 * `conversation.get()` creates, and a message shown as pending at once when it is sent. The
 * manager uses the same functions.
 */
import { uuidv7 } from '../platform/ids.js';
import { MAX_TEXT_LENGTH } from '../protocol/constants.js';
import { CommsError, ErrorCodes } from '../errors.js';
import type { FeatureContext } from '../feature.js';
import type { ConversationEntry, ConversationsState, MessageView, Part } from './types.js';

export const initialConversationsState: ConversationsState = { byKey: {} };

/** Every conversation in the state. */
export function entries(ctx: FeatureContext): ConversationEntry[] {
  return Object.values(ctx.store.getState().conversations.byKey);
}

/** Writes an entry into the state. */
export function putEntry(ctx: FeatureContext, entry: ConversationEntry): void {
  ctx.store.update((s) => ({
    ...s,
    conversations: { byKey: { ...s.conversations.byKey, [entry.key]: entry } },
  }));
}

/** The entry for a one-to-one conversation with `destination` (created locally if new). */
export function ensureDirect(
  ctx: FeatureContext,
  destination: string,
  type: 'im' | 'sms' = 'im',
): ConversationEntry {
  if (typeof destination !== 'string' || !destination.trim()) {
    throw new CommsError(
      ErrorCodes.INVALID_ARGUMENT,
      'conversation.get(destination): destination must be a user id',
    );
  }
  const existing = entries(ctx).find((e) => e.destination === destination && e.type === type);
  if (existing) return existing;
  const entry: ConversationEntry = {
    key: `${type}:${destination}`,
    id: null,
    type,
    destination,
    name: null,
    members: [],
    messages: [],
    lastSeq: 0,
    hasOlder: false,
    unread: 0,
    typing: [],
    createdAt: ctx.runtime.now(),
  };
  putEntry(ctx, entry);
  ctx.emit('conversations:new', { destination, type });
  ctx.emit('conversations:change', {});
  return entry;
}

/**
 * Adds a message to `entry` as pending (shown at once; the manager's outbox sends it) and
 * returns it. Throws for parts the server would refuse.
 */
export function addPending(
  ctx: FeatureContext,
  entry: ConversationEntry,
  parts: Part[],
  sender: string,
): MessageView {
  checkParts(parts);
  // Time-ordered (UUIDv7): the gateway indexes clientIds per sender to store each message
  // once, and ordered keys go to the end of that index instead of to a random page.
  const clientId = uuidv7();
  const view: MessageView = {
    messageId: clientId,
    clientId,
    conversationId: entry.id,
    seq: null,
    sender,
    parts: parts.map((p) => ({ type: 'text', text: p.text })),
    timestamp: ctx.runtime.now(),
    isOwn: true,
    isPending: true,
    read: true,
    status: 'pending',
    error: null,
  };
  putEntry(ctx, { ...entry, messages: [...entry.messages, view] });
  changed(ctx, entry, view.messageId, sender);
  return view;
}

/** Tells the application that a conversation's messages changed. */
export function changed(
  ctx: FeatureContext,
  entry: ConversationEntry,
  messageId?: string,
  sender?: string,
): void {
  ctx.emit('messages:change', {
    destination: entry.destination ?? entry.id ?? entry.key,
    type: entry.type,
    conversationId: entry.id,
    ...(messageId ? { messageId } : {}),
    ...(sender ? { sender } : {}),
  });
  ctx.emit('conversations:change', {});
}

/** Throws `argument:invalid` or `message:tooLarge` for parts the server would refuse. */
export function checkParts(parts: Part[]): void {
  if (!Array.isArray(parts) || parts.length === 0) {
    throw new CommsError(
      ErrorCodes.INVALID_ARGUMENT,
      'a message needs at least one part: createMessage({type: "text", text})',
    );
  }
  for (const part of parts) {
    if (part?.type !== 'text' || typeof part.text !== 'string' || part.text.length === 0) {
      throw new CommsError(
        ErrorCodes.INVALID_ARGUMENT,
        'only non-empty text parts are supported: {type: "text", text}',
      );
    }
    if (part.text.length > MAX_TEXT_LENGTH) {
      throw new CommsError(
        'message:tooLarge',
        `a text part may have at most ${MAX_TEXT_LENGTH} characters; this one has ${part.text.length}`,
      );
    }
  }
}
