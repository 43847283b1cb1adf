/**
 * Conversations and messages over the WebSocket: `conversation.open`, `conversation.create`,
 * `conversation.list`, `message.send`, `message.history`, `message.receipt`, `typing`.
 *
 * Delivery: `message.send` stores once per `(sender, clientId)` with the conversation's next
 * seq (one transaction: no gap, no duplicate), and only once it is stored pushes `message:new`
 * to every `chat` socket of every member but the sending socket (so the sender's other devices
 * get it too), then replies to the sender. A retried clientId returns the stored message (same id and seq),
 * also after a restart, and is pushed again (clients place messages by seq, so a second copy
 * is harmless; a push lost in a crash is not).
 *
 * Authorisation, on every request: only members read, post, mark or type in a conversation.
 * To a non-member, a conversation that exists looks exactly like one that does not: both are
 * `conversation:notFound`, so ids cannot be probed.
 */
import { randomUUID } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import type { FastifyBaseLogger } from 'fastify';
import { MAX_TEXT_LENGTH, WireErrorCodes } from '../../core/protocol/constants.js';
import type {
  Conversation,
  MemberState,
  Message,
  RequestFrame,
} from '../../core/protocol/schema.js';
import type { Clock } from '../clock.js';
import { publicId, resolveUser } from '../directory/users.js';
import { WireError } from '../errors.js';
import { newRecordId } from '../ids.js';
import type {
  ConversationSummary,
  MemberRecord,
  MessageRecord,
  Storage,
} from '../storage/types.js';
import { Serialized, type Connection } from '../ws/connection.js';
import type { RequestContext, WebSocketGateway } from '../ws/gateway.js';
import { KeyedRateLimit, type KeyedLimit } from '../ws/rate-limit.js';

/** A per-user message rate: `perSecond`, refilled continuously, `burst` at once. */
export interface MessageRateLimit {
  perSecond: number;
  burst: number;
}

/** Default {@link MessageRateLimit}: 30 messages per second per user, bursts of 60. */
export const defaultMessageRateLimit: MessageRateLimit = { perSecond: 30, burst: 60 };

/**
 * Fault injection for the crash tests (never in production): `'exit-after-store'` makes the
 * process exit with {@link FAULT_EXIT_CODE} right after it stores the next message, before it
 * replies. Set by the environment variable `COMMS_FAULT`.
 */
export type Fault = 'exit-after-store';

/** The exit code of an injected fault. */
export const FAULT_EXIT_CODE = 70;

/** Default page size of `message.history`. */
const DEFAULT_PAGE = 100;

/** How many conversations' members {@link registerMessaging} keeps at hand. */
const ROSTER_CACHE = 10_000;

/** Who is in a conversation: internal ids, and each one's wire id (for message senders). */
interface Roster {
  userIds: string[];
  wireIds: Map<string, string>;
}

export interface MessagingOptions {
  gateway: WebSocketGateway;
  storage: Storage;
  clock: Clock;
  log: FastifyBaseLogger;
  /** Per-user message rate, or false for none. */
  rateLimit: MessageRateLimit | false;
  /** What counts `rateLimit` (default: this node alone; with Redis, every node together). */
  limiter?: KeyedLimit;
  fault?: Fault;
}

const notFound = (conversationId: string) =>
  new WireError(
    WireErrorCodes.CONVERSATION_NOT_FOUND,
    `there is no conversation '${conversationId}' that you are a member of`,
  );

/** A member as the wire shows it. */
const memberState = (m: MemberRecord): MemberState => ({
  userId: publicId({ id: m.userId, username: m.username }),
  displayName: m.displayName,
  deliveredSeq: m.deliveredSeq,
  readSeq: m.readSeq,
});

/** Wire ids of a conversation's members, by internal id (for message senders). */
const wireIds = (members: MemberRecord[]) =>
  new Map(members.map((m) => [m.userId, publicId({ id: m.userId, username: m.username })]));

/** A message as the wire shows it. */
const wireMessage = (m: MessageRecord, ids: Map<string, string>): Message => ({
  id: m.id,
  clientId: m.clientId,
  conversationId: m.conversationId,
  seq: m.seq,
  sender: ids.get(m.senderId) ?? m.senderId,
  parts: m.parts.map((p) => ({ type: 'text', text: p.text })),
  timestamp: m.timestamp,
});

/** A conversation as one member sees it. */
const wireConversation = (s: ConversationSummary): Conversation => {
  const ids = wireIds(s.members);
  return {
    id: s.conversation.id,
    type: s.conversation.type,
    name: s.conversation.name,
    members: s.members.map(memberState),
    lastSeq: s.conversation.lastSeq,
    lastMessage: s.lastMessage && wireMessage(s.lastMessage, ids),
    unread: s.unread,
    createdAt: s.conversation.createdAt,
  };
};

/** Registers the messaging handlers on the gateway. */
export function registerMessaging(options: MessagingOptions): void {
  const { gateway, storage, clock, log } = options;
  const limiter = options.rateLimit
    ? (options.limiter ?? new KeyedRateLimit(options.rateLimit.perSecond, options.rateLimit.burst))
    : undefined;
  let fault = options.fault;

  /**
   * The members of recently used conversations. Members never change once a conversation
   * exists (there is no join or leave yet), so an entry is never stale: a feature that changes
   * membership must delete the conversation's entry. Saves a query per message sent.
   */
  const rosters = new LRUCache<string, Roster>({ max: ROSTER_CACHE });

  /**
   * Lookups of rosters under way. Requests about one conversation that miss the cache at once
   * share one lookup, and so go on in the order they came: with a storage whose queries may
   * finish out of order (PostgreSQL's pool), a socket's messages sent without waiting for
   * their replies would otherwise reach `appendMessage`, and get their seqs, out of order.
   */
  const lookups = new Map<string, Promise<Roster | undefined>>();

  /** The conversation's members, when `conn`'s user is one of them. */
  const roster = async (conn: Connection, conversationId: string): Promise<Roster> => {
    let found = rosters.get(conversationId);
    if (!found) {
      let lookup = lookups.get(conversationId);
      if (!lookup) {
        lookup = storage
          .listMembers(conversationId)
          .then((members) => {
            if (!members.length) return undefined;
            const loaded = { userIds: members.map((m) => m.userId), wireIds: wireIds(members) };
            rosters.set(conversationId, loaded);
            return loaded;
          })
          .finally(() => lookups.delete(conversationId));
        lookups.set(conversationId, lookup);
      }
      found = await lookup;
      if (!found) throw notFound(conversationId);
    }
    if (!found.wireIds.has(conn.userId)) throw notFound(conversationId);
    return found;
  };

  /** The conversation as `conn`'s user sees it (it was just made or found). */
  const summary = async (conn: Connection, conversationId: string) => {
    const found = await storage.summarizeConversation(conversationId, conn.userId);
    if (!found) throw notFound(conversationId);
    return found;
  };

  /** Tells the other members, and the user's other sockets, of a new conversation. */
  const announce = (conn: Connection, request: RequestContext, s: ConversationSummary) =>
    request.afterReply(() =>
      gateway.push(
        s.members.map((m) => m.userId),
        'conversation:new',
        // New: nothing in it yet, so every member sees the same.
        { conversation: { ...wireConversation(s), unread: 0 } },
        { service: 'chat', except: conn },
      ),
    );

  const open = async (
    conn: Connection,
    frame: RequestFrame<'conversation.open'>,
    request: RequestContext,
  ) => {
    const type = frame.conversationType ?? 'im';
    if (type === 'chat')
      throw new WireError(
        WireErrorCodes.REQUEST_INVALID,
        "conversationType 'chat' is a group: create it with conversation.create",
      );
    const destination = await resolveUser(storage, frame.destination);
    if (!destination)
      throw new WireError(
        WireErrorCodes.DESTINATION_UNKNOWN,
        `there is no user '${frame.destination}' to have a conversation with`,
      );
    if (destination.id === conn.userId)
      throw new WireError(
        WireErrorCodes.REQUEST_INVALID,
        'a one-to-one conversation needs another user than yourself',
      );
    const { conversation, created } = await storage.openDirectConversation({
      id: randomUUID(),
      type,
      userIds: [conn.userId, destination.id],
      now: clock.now(),
    });
    const s = await summary(conn, conversation.id);
    if (created) announce(conn, request, s);
    return { conversation: wireConversation(s) };
  };

  const create = async (
    conn: Connection,
    frame: RequestFrame<'conversation.create'>,
    request: RequestContext,
  ) => {
    const resolved = await Promise.all(
      frame.members.map(async (ref) => ({ ref, user: await resolveUser(storage, ref) })),
    );
    const unknown = resolved.filter((r) => !r.user).map((r) => `'${r.ref}'`);
    if (unknown.length)
      throw new WireError(
        WireErrorCodes.DESTINATION_UNKNOWN,
        `there is no user ${unknown.join(', ')} to add to the conversation`,
      );
    const others = [...new Set(resolved.map((r) => r.user!.id).filter((id) => id !== conn.userId))];
    if (!others.length)
      throw new WireError(
        WireErrorCodes.REQUEST_INVALID,
        'a group conversation needs at least one member besides yourself',
      );
    const conversation = await storage.createConversation({
      id: randomUUID(),
      type: 'chat',
      name: frame.name ?? null,
      memberIds: [conn.userId, ...others],
      now: clock.now(),
    });
    const s = await summary(conn, conversation.id);
    announce(conn, request, s);
    return { conversation: wireConversation(s) };
  };

  const send = async (
    conn: Connection,
    frame: RequestFrame<'message.send'>,
    request: RequestContext,
  ) => {
    const members = await roster(conn, frame.conversationId);
    for (const part of frame.parts) {
      if (part.text.length > MAX_TEXT_LENGTH)
        throw new WireError(
          WireErrorCodes.MESSAGE_TOO_LARGE,
          `a text part may have at most ${MAX_TEXT_LENGTH} characters; this one has ${part.text.length}`,
        );
    }
    // Counted here, an answer at once: no await on the path of every message.
    let allowed = limiter ? limiter.take(conn.userId) : true;
    if (allowed !== true && allowed !== false) allowed = await allowed;
    if (!allowed && options.rateLimit)
      throw new WireError(
        WireErrorCodes.MESSAGE_RATE_LIMITED,
        `too many messages: at most ${options.rateLimit.perSecond} per second (bursts of ${options.rateLimit.burst}); it was not stored: send it again, with the same clientId, in a moment`,
      );
    const result = await storage.appendMessage({
      id: newRecordId(),
      conversationId: frame.conversationId,
      clientId: frame.clientId,
      senderId: conn.userId,
      parts: frame.parts.map((p) => ({ type: 'text', text: p.text })),
      timestamp: clock.now(),
    });
    if (result.message.conversationId !== frame.conversationId)
      throw new WireError(
        WireErrorCodes.REQUEST_INVALID,
        `clientId ${frame.clientId} was already used for a message in another conversation: make a new one for each message`,
      );
    if (result.status === 'stored' && fault === 'exit-after-store') {
      fault = undefined;
      log.warn({ messageId: result.message.id }, 'COMMS_FAULT=exit-after-store: exiting');
      process.exit(FAULT_EXIT_CODE);
    }
    // The reply and the event carry the same message: serialised once.
    const payload = new Serialized({ message: wireMessage(result.message, members.wireIds) });
    // The recipients first: the message reaches them one socket write sooner.
    request.beforeReply(() =>
      gateway.push(members.userIds, 'message:new', payload, { service: 'chat', except: conn }),
    );
    return payload;
  };

  const history = async (conn: Connection, frame: RequestFrame<'message.history'>) => {
    const members = await roster(conn, frame.conversationId);
    if (frame.afterSeq !== undefined && frame.beforeSeq !== undefined)
      throw new WireError(
        WireErrorCodes.REQUEST_INVALID,
        'give afterSeq (newer messages) or beforeSeq (older ones), not both',
      );
    const limit = frame.limit ?? DEFAULT_PAGE;
    const page =
      frame.afterSeq !== undefined
        ? await storage.messagesAfter(frame.conversationId, frame.afterSeq, limit)
        : await storage.messagesBefore(
            frame.conversationId,
            frame.beforeSeq ?? Number.MAX_SAFE_INTEGER,
            limit,
          );
    return {
      messages: page.messages.map((m) => wireMessage(m, members.wireIds)),
      hasMore: page.hasMore,
    };
  };

  const receipt = async (
    conn: Connection,
    frame: RequestFrame<'message.receipt'>,
    request: RequestContext,
  ) => {
    const moved = await storage.advanceWatermark(
      frame.conversationId,
      conn.userId,
      frame.kind,
      frame.seq,
    );
    if (!moved) throw notFound(frame.conversationId);
    if (moved.changed) {
      const { member } = moved;
      request.afterReply(async () => {
        const members = await roster(conn, frame.conversationId);
        await gateway.push(
          members.userIds,
          'message:receipt',
          {
            conversationId: frame.conversationId,
            userId: publicId({ id: member.userId, username: member.username }),
            deliveredSeq: member.deliveredSeq,
            readSeq: member.readSeq,
          },
          { service: 'chat', except: conn },
        );
      });
    }
    return {};
  };

  const typing = async (
    conn: Connection,
    frame: RequestFrame<'typing'>,
    request: RequestContext,
  ) => {
    const members = await roster(conn, frame.conversationId);
    request.afterReply(() =>
      gateway.push(
        members.userIds.filter((id) => id !== conn.userId),
        'typing',
        {
          conversationId: frame.conversationId,
          userId: members.wireIds.get(conn.userId)!,
          active: frame.active,
        },
        { service: 'chat' },
      ),
    );
    return {};
  };

  gateway.register({
    'conversation.open': open,
    'conversation.create': create,
    'conversation.list': async (conn) => ({
      conversations: (await storage.listConversations(conn.userId)).map(wireConversation),
    }),
    'message.send': send,
    'message.history': history,
    'message.receipt': receipt,
    typing,
  });
}
