/**
 * Messaging (the seeds' `conversation` namespace) with the guarantees chat users rely on:
 * every send carries a client-made id and waits in an outbox until the server has stored it
 * (retried in order after a reconnect; the server stores once per id); received messages are
 * placed by their sequence number, so each is shown exactly once, and a gap is back-filled
 * from the server, never skipped; after a reconnect every conversation catches up from its
 * last sequence.
 *
 * A chunk of its own in the ES builds, loaded on demand (`lazy-manager.ts`): it must import
 * nothing but types from that module.
 */
import type { Conversation, Message } from '../protocol/schema.js';
import { CommsError, ErrorCodes, type BasicError } from '../errors.js';
import type { FeatureContext } from '../feature.js';
import type { EventFrame } from '../protocol/schema.js';
import type { ConnectionManager } from '../transport/connection.js';
import type { ConversationEntry, MessageStatus, MessageView, Part } from './types.js';
import { addPending, changed, ensureDirect, entries, putEntry } from './state.js';

/** Codes of a send the server refused for now (nothing stored): wait, then send it again. */
const RATE_LIMITED_CODES = new Set(['rate:limited', 'message:rateLimited']);
/** First and longest wait after a rate-limited send, ms. */
const RATE_BACKOFF = { FIRST: 250, MAX: 4000 } as const;

/** Codes after which retrying the same send cannot help. */
const FINAL_SEND_CODES = new Set([
  'message:tooLarge',
  'conversation:forbidden',
  'conversation:notFound',
  'conversation:unknownDestination',
  'frame:invalid',
  ErrorCodes.INVALID_ARGUMENT,
]);

interface OutboxItem {
  clientId: string;
  key: string;
  parts: Part[];
}

const TYPING_TTL = 6000;

export class ConversationManager {
  readonly #ctx: FeatureContext;
  readonly #connection: ConnectionManager;
  readonly #self: () => string;
  readonly #outbox: OutboxItem[] = [];
  #draining = false;
  #backoff: number = RATE_BACKOFF.FIRST;
  readonly #typingTimers = new Map<string, ReturnType<typeof setTimeout>>();
  readonly #filling = new Map<string, Promise<void>>();
  /**
   * By conversation id: the seq up to which the unread count taken from the gateway's list
   * already counts the messages, so the catch-up that places them does not count them again.
   */
  readonly #countedUpTo = new Map<string, number>();
  /** Local keys that became server ids (`im:bob` → `c1`): handles and the outbox keep working. */
  readonly #aliases = new Map<string, string>();

  constructor(ctx: FeatureContext, connection: ConnectionManager, self: () => string) {
    this.#ctx = ctx;
    this.#connection = connection;
    this.#self = self;
  }

  // ── reading ─────────────────────────────────────────────────────────────────

  entries(): ConversationEntry[] {
    return entries(this.#ctx);
  }

  entry(key: string): ConversationEntry | undefined {
    const { byKey } = this.#ctx.store.getState().conversations;
    return byKey[key] ?? byKey[this.#aliases.get(key) ?? ''];
  }

  /** The entry for a one-to-one conversation with `destination` (created locally if new). */
  ensureDirect(destination: string, type: 'im' | 'sms' = 'im'): ConversationEntry {
    return ensureDirect(this.#ctx, destination, type);
  }

  /** Creates a group conversation on the server. */
  async createGroup(members: string[], name?: string): Promise<ConversationEntry> {
    if (
      !Array.isArray(members) ||
      members.length === 0 ||
      members.some((m) => typeof m !== 'string' || !m)
    ) {
      throw new CommsError(
        ErrorCodes.INVALID_ARGUMENT,
        'conversation.create(members): members must be a non-empty list of user ids',
      );
    }
    const { conversation } = await this.#connection.request({
      type: 'conversation.create',
      members: [...new Set(members)],
      ...(name ? { name } : {}),
    });
    return this.#adopt(conversation);
  }

  // ── sending ─────────────────────────────────────────────────────────────────

  /** Queues a message: shown as pending at once, sent as soon as the server can store it. */
  send(key: string, parts: Part[]): MessageView {
    const entry = this.entry(key);
    if (!entry) throw new CommsError('conversation:notFound', `there is no conversation '${key}'`);
    const view = addPending(this.#ctx, entry, parts, this.#self());
    this.queue(key, view);
    return view;
  }

  /** Puts a pending message (`addPending`) in the outbox. */
  queue(key: string, view: MessageView): void {
    this.#outbox.push({ clientId: view.clientId, key, parts: view.parts });
    void this.#drain();
  }

  /** Sends a failed message again, with the same client id (the server stores it once). */
  retry(key: string, messageId: string): void {
    const entry = this.entry(key);
    const message = entry?.messages.find(
      (m) => m.messageId === messageId || m.clientId === messageId,
    );
    if (!entry || !message || message.status !== 'failed') {
      throw new CommsError(
        ErrorCodes.INVALID_ARGUMENT,
        `retry(): '${messageId}' is not a failed message of this conversation`,
      );
    }
    this.#patchMessage(key, message.clientId, { status: 'pending', isPending: true, error: null });
    this.#outbox.push({ clientId: message.clientId, key, parts: message.parts });
    void this.#drain();
  }

  /** True while sends wait for the server. */
  get pendingCount(): number {
    return this.#outbox.length;
  }

  async #drain(): Promise<void> {
    if (this.#draining) return;
    this.#draining = true;
    try {
      while (this.#outbox.length > 0 && this.#connection.connected) {
        const item = this.#outbox[0]!;
        try {
          const id = await this.#resolveId(item.key);
          const { message } = await this.#connection.request({
            type: 'message.send',
            conversationId: id,
            clientId: item.clientId,
            parts: item.parts,
          });
          this.#outbox.shift();
          this.#backoff = RATE_BACKOFF.FIRST;
          this.#stored(item.key, message);
        } catch (error) {
          const code = (error as CommsError).code;
          if (RATE_LIMITED_CODES.has(code)) {
            // Nothing was stored: the same send goes again after a pause, in order.
            this.#ctx.log.info(`send waits ${this.#backoff} ms: the gateway limits the rate`);
            await new Promise<void>((resolve) =>
              this.#ctx.runtime.setTimeout(resolve, this.#backoff),
            );
            this.#backoff = Math.min(this.#backoff * 2, RATE_BACKOFF.MAX);
            continue;
          }
          if (FINAL_SEND_CODES.has(code)) {
            this.#outbox.shift();
            const basic = (error as CommsError).toJSON?.() ?? { code, message: String(error) };
            this.#patchMessage(item.key, item.clientId, {
              status: 'failed',
              isPending: false,
              error: basic,
            });
            this.#changed(item.key, item.clientId, this.#self());
            this.#ctx.emit('messages:error', { error: basic, messageId: item.clientId });
            continue;
          }
          // Not connected, timed out, or the server is unavailable: wait for the next connection.
          this.#ctx.log.info(`send waits for the connection (${code})`);
          break;
        }
      }
    } finally {
      this.#draining = false;
    }
  }

  /** A one-to-one conversation gets its server id on first use. */
  async #resolveId(key: string): Promise<string> {
    const entry = this.entry(key);
    if (!entry) throw new CommsError('conversation:notFound', `there is no conversation '${key}'`);
    if (entry.id) return entry.id;
    const { conversation } = await this.#connection.request({
      type: 'conversation.open',
      destination: entry.destination!,
      conversationType: entry.type,
    });
    this.#adopt(conversation, key);
    return conversation.id;
  }

  // ── receiving ───────────────────────────────────────────────────────────────

  /** Handles a pushed event; true when it was a messaging event. */
  handleEvent(frame: EventFrame): boolean {
    switch (frame.event) {
      case 'message:new': {
        const { message } = frame as EventFrame<'message:new'>;
        void this.#received(message);
        return true;
      }
      case 'message:receipt': {
        const e = frame as EventFrame<'message:receipt'>;
        this.#receipt(e.conversationId, e.userId, e.deliveredSeq, e.readSeq);
        return true;
      }
      case 'conversation:new': {
        this.#adopt((frame as EventFrame<'conversation:new'>).conversation);
        return true;
      }
      case 'typing': {
        const e = frame as EventFrame<'typing'>;
        this.#typing(e.conversationId, e.userId, e.active);
        return true;
      }
      default:
        return false;
    }
  }

  /** After every (re)connection: learn the conversations, catch up each, resend the outbox. */
  async sync(): Promise<void> {
    try {
      const { conversations } = await this.#connection.request({ type: 'conversation.list' });
      for (const conversation of conversations) this.#adopt(conversation);
      await Promise.all(
        this.entries()
          .filter((e) => e.id !== null)
          .map((e) => this.#catchUp(e.key)),
      );
    } catch (error) {
      this.#ctx.log.warn(
        'catching up conversations failed; it is retried on the next connection',
        error,
      );
    }
    void this.#drain();
  }

  async #received(message: Message): Promise<void> {
    const key = this.#keyOf(message.conversationId);
    if (!key) {
      // A conversation we have not seen: learn it, then catch up (which includes this message).
      await this.sync();
      return;
    }
    const entry = this.entry(key)!;
    if (
      message.seq <= entry.lastSeq &&
      !entry.messages.some((m) => m.clientId === message.clientId && m.isPending)
    ) {
      return; // already held: exactly once
    }
    if (message.seq > entry.lastSeq + 1) {
      await this.#catchUp(key); // a gap: back-fill it from the server (includes this message)
      return;
    }
    this.#insert(key, [message]);
  }

  /** Fetches everything after the conversation's last contiguous seq, page by page. */
  #catchUp(original: string): Promise<void> {
    const key = this.#key(original);
    const running = this.#filling.get(key);
    if (running) return running.then(() => this.#catchUp(key));
    const task = (async () => {
      for (;;) {
        const entry = this.entry(key);
        if (!entry?.id) return;
        const { messages, hasMore } = await this.#connection.request({
          type: 'message.history',
          conversationId: entry.id,
          afterSeq: entry.lastSeq,
          limit: 200,
        });
        this.#insert(key, messages);
        if (!hasMore || messages.length === 0) return;
      }
    })().finally(() => this.#filling.delete(key));
    this.#filling.set(key, task);
    return task;
  }

  /** Loads older messages (before the oldest held). Resolves with how many arrived. */
  async loadOlder(key: string, limit = 50): Promise<number> {
    const entry = this.entry(key);
    if (!entry?.id) return 0;
    const oldest = entry.messages.find((m) => m.seq !== null)?.seq ?? entry.lastSeq + 1;
    if (oldest <= 1) {
      this.#patchEntry(key, (e) => ({ ...e, hasOlder: false }));
      return 0;
    }
    const { messages, hasMore } = await this.#connection.request({
      type: 'message.history',
      conversationId: entry.id,
      beforeSeq: oldest,
      limit,
    });
    this.#insert(key, messages);
    this.#patchEntry(key, (e) => ({ ...e, hasOlder: hasMore }));
    return messages.length;
  }

  /** Places stored messages by seq: replaces pending copies, ignores ones already held. */
  #insert(key: string, messages: Message[]): void {
    if (messages.length === 0) return;
    const me = this.#self();
    let incoming = 0;
    this.#patchEntry(key, (entry) => {
      const bySeq = new Map<number, MessageView>();
      const pending: MessageView[] = [];
      for (const m of entry.messages) {
        if (m.seq === null) pending.push(m);
        else bySeq.set(m.seq, m);
      }
      for (const message of messages) {
        if (bySeq.has(message.seq)) continue;
        const mine = message.sender === me;
        const stillPending = pending.findIndex((p) => p.clientId === message.clientId);
        if (stillPending !== -1) pending.splice(stillPending, 1);
        bySeq.set(message.seq, this.#view(entry, message));
        if (!mine && message.seq > (this.#countedUpTo.get(key) ?? 0)) incoming++;
      }
      const ordered = [...bySeq.values()].sort((a, b) => a.seq! - b.seq!);
      let lastSeq = entry.lastSeq;
      const seqs = new Set(ordered.map((m) => m.seq!));
      while (seqs.has(lastSeq + 1)) lastSeq++;
      return {
        ...entry,
        messages: [...ordered, ...pending],
        lastSeq,
        unread: entry.unread + incoming,
        hasOlder: entry.hasOlder || (ordered[0]?.seq ?? 1) > 1,
      };
    });
    for (const message of messages) this.#changed(key, message.id, message.sender);
    const entry = this.entry(key)!;
    if (incoming > 0 && entry.id && entry.lastSeq >= 1) {
      // Tell the senders it arrived (not for this user's own messages: nobody waits for that).
      void this.#connection
        .request({
          type: 'message.receipt',
          conversationId: entry.id,
          kind: 'delivered',
          seq: entry.lastSeq,
        })
        .catch(() => undefined);
    }
  }

  #stored(key: string, message: Message): void {
    this.#insert(key, [message]);
  }

  // ── receipts, read state, typing ────────────────────────────────────────────

  /** Marks everything up to `seq` (default: the newest) as read, and tells the senders. */
  async markRead(key: string, seq?: number): Promise<void> {
    const entry = this.entry(key);
    if (!entry?.id) return;
    const upTo = seq ?? entry.lastSeq;
    if (upTo < 1) return;
    this.#patchEntry(key, (e) => ({
      ...e,
      unread: e.messages.filter((m) => !m.isOwn && m.seq !== null && m.seq > upTo).length,
      messages: e.messages.map((m) =>
        m.seq !== null && m.seq <= upTo && !m.read ? { ...m, read: true } : m,
      ),
    }));
    this.#ctx.emit('conversations:change', {});
    await this.#connection.request({
      type: 'message.receipt',
      conversationId: entry.id,
      kind: 'read',
      seq: upTo,
    });
  }

  #receipt(conversationId: string, userId: string, deliveredSeq: number, readSeq: number): void {
    const key = this.#keyOf(conversationId);
    if (!key) return;
    this.#patchEntry(key, (entry) => {
      const members = entry.members.map((m) =>
        m.userId === userId
          ? {
              ...m,
              deliveredSeq: Math.max(m.deliveredSeq, deliveredSeq),
              readSeq: Math.max(m.readSeq, readSeq),
            }
          : m,
      );
      const withMembers = { ...entry, members };
      return {
        ...withMembers,
        messages: entry.messages.map((m) => ({ ...m, status: this.#status(withMembers, m) })),
      };
    });
    this.#changed(key, undefined, userId);
  }

  /** Tells the other members that this user is (or stopped) typing. */
  async sendTyping(key: string, active: boolean): Promise<void> {
    const entry = this.entry(key);
    if (!entry) return;
    const id = entry.id ?? (await this.#resolveId(key));
    await this.#connection.request({ type: 'typing', conversationId: id, active });
  }

  #typing(conversationId: string, userId: string, active: boolean): void {
    const key = this.#keyOf(conversationId);
    if (!key || userId === this.#self()) return;
    const timerKey = `${key}\n${userId}`;
    clearTimeout(this.#typingTimers.get(timerKey));
    if (active)
      this.#typingTimers.set(
        timerKey,
        setTimeout(() => this.#typing(conversationId, userId, false), TYPING_TTL),
      );
    this.#patchEntry(key, (e) => ({
      ...e,
      typing: active ? [...new Set([...e.typing, userId])] : e.typing.filter((u) => u !== userId),
    }));
    const entry = this.entry(key)!;
    this.#ctx.emit('typing:change', {
      destination: entry.destination ?? entry.id ?? key,
      conversationId,
      users: entry.typing,
    });
  }

  /** Forgets the messages held locally (the seeds' `clearMessages`). */
  clearMessages(key: string): void {
    this.#patchEntry(key, (e) => ({
      ...e,
      messages: e.messages.filter((m) => m.isPending),
      hasOlder: e.lastSeq > 0,
    }));
    this.#changed(key);
  }

  /** Typing timers stop; messages waiting to go are dropped (they are not the next user's). */
  dispose(): void {
    for (const timer of this.#typingTimers.values()) clearTimeout(timer);
    this.#typingTimers.clear();
    this.#outbox.length = 0;
  }

  // ── helpers ─────────────────────────────────────────────────────────────────

  /** Takes a server conversation into the state (merging a local one-to-one placeholder). */
  #adopt(conversation: Conversation, placeholderKey?: string): ConversationEntry {
    const me = this.#self();
    const others = conversation.members.filter((m) => m.userId !== me);
    const destination = conversation.type === 'chat' ? null : (others[0]?.userId ?? null);
    const placeholder =
      (placeholderKey && this.entry(placeholderKey)) ||
      this.entries().find(
        (e) =>
          e.id === null &&
          e.destination === destination &&
          e.type === conversation.type &&
          destination !== null,
      );
    const existing = this.entry(conversation.id) ?? placeholder;
    const isNew = !existing;
    const base: ConversationEntry = existing ?? {
      key: conversation.id,
      id: conversation.id,
      type: conversation.type,
      destination,
      name: conversation.name,
      members: [],
      messages: [],
      lastSeq: 0,
      hasOlder: conversation.lastSeq > 0,
      unread: 0,
      typing: [],
      createdAt: conversation.createdAt,
    };
    // The server's count is right after a fresh list (it knows what this user read on other
    // devices); the catch-up then places the messages it counts without counting them again,
    // and what comes after is added as it arrives.
    const counted = !existing || existing.lastSeq < conversation.lastSeq;
    if (counted) this.#countedUpTo.set(conversation.id, conversation.lastSeq);
    const merged: ConversationEntry = {
      ...base,
      key: conversation.id,
      id: conversation.id,
      name: conversation.name,
      members: conversation.members,
      unread: counted ? conversation.unread : existing.unread,
      hasOlder: base.hasOlder || (conversation.lastSeq > 0 && base.messages.length === 0),
    };
    merged.messages = merged.messages.map((m) => ({
      ...m,
      conversationId: conversation.id,
      status: this.#status(merged, m),
    }));
    // A conversation this client never held starts after what the user has read: everything
    // unread is caught up; older history loads on demand (`loadOlder`).
    if (
      isNew ||
      (placeholder && base.lastSeq === 0 && base.messages.every((m) => m.seq === null))
    ) {
      const readSeq = conversation.members.find((m) => m.userId === me)?.readSeq ?? 0;
      merged.lastSeq = Math.min(readSeq, conversation.lastSeq);
      merged.hasOlder = merged.lastSeq > 0;
      // The catch-up counts each unread message as it places it: starting from the server's
      // count as well would count them twice.
      merged.unread = 0;
      this.#countedUpTo.delete(conversation.id);
    }
    if (placeholder && placeholder.key !== conversation.id)
      this.#aliases.set(placeholder.key, conversation.id);
    this.#ctx.store.update((s) => {
      const byKey = { ...s.conversations.byKey };
      if (placeholder && placeholder.key !== conversation.id) delete byKey[placeholder.key];
      byKey[conversation.id] = merged;
      return { ...s, conversations: { byKey } };
    });
    if (isNew)
      this.#ctx.emit('conversations:new', {
        destination: destination ?? conversation.id,
        type: conversation.type,
      });
    this.#ctx.emit('conversations:change', {});
    return merged;
  }

  #view(entry: ConversationEntry, message: Message): MessageView {
    const isOwn = message.sender === this.#self();
    const view: MessageView = {
      messageId: message.id,
      clientId: message.clientId,
      conversationId: message.conversationId,
      seq: message.seq,
      sender: message.sender,
      parts: message.parts,
      timestamp: message.timestamp,
      isOwn,
      isPending: false,
      read:
        isOwn ||
        (entry.members.find((m) => m.userId === this.#self())?.readSeq ?? 0) >= message.seq,
      status: 'sent',
      error: null,
    };
    view.status = this.#status(entry, view);
    return view;
  }

  /** A sent message is delivered (read) once every other member's watermark passed it. */
  #status(entry: ConversationEntry, message: MessageView): MessageStatus {
    if (message.status === 'failed') return 'failed';
    if (message.seq === null) return 'pending';
    if (!message.isOwn) return 'sent';
    const others = entry.members.filter((m) => m.userId !== this.#self());
    if (others.length === 0) return 'sent';
    if (others.every((m) => m.readSeq >= message.seq!)) return 'read';
    if (others.every((m) => m.deliveredSeq >= message.seq!)) return 'delivered';
    return 'sent';
  }

  #keyOf(conversationId: string): string | undefined {
    return this.entry(conversationId)
      ? conversationId
      : this.entries().find((e) => e.id === conversationId)?.key;
  }

  #put(entry: ConversationEntry): void {
    putEntry(this.#ctx, entry);
  }

  #patchEntry(key: string, recipe: (entry: ConversationEntry) => ConversationEntry): void {
    const entry = this.entry(key);
    if (entry) this.#put(recipe(entry));
  }

  /** The current key of `key` (following a placeholder's move to its server id). */
  #key(key: string): string {
    return this.entry(key)?.key ?? key;
  }

  #patchMessage(key: string, clientId: string, patch: Partial<MessageView>): void {
    this.#patchEntry(key, (e) => ({
      ...e,
      messages: e.messages.map((m) => (m.clientId === clientId ? { ...m, ...patch } : m)),
    }));
  }

  #changed(key: string, messageId?: string, sender?: string): void {
    const entry = this.entry(key);
    if (entry) changed(this.#ctx, entry, messageId, sender);
  }
}

export type { BasicError };
