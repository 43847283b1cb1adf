/**
 * The in-page gateway: what the local hub answers on the sockets its clients open instead of a
 * WebSocket (`ConnectionManager.useTransport`). It speaks the gateway's protocol frames (JSON
 * text, one reply per request, pushed events) and keeps the gateway's rules in memory, so the
 * core's messaging, presence, contacts and directory run unchanged over it:
 *
 * - subscriptions per socket and `clientCorrelator` (the same one elsewhere replaces; lapse);
 * - conversations: one per pair for one-to-one, groups; messages stored once per
 *   `(sender, clientId)` with the conversation's next seq; replies before pushes; pushes to the
 *   members' `chat` sockets but the sending one; receipts as watermarks; typing; unread; a
 *   non-member sees `conversation:notFound` for every conversation, existing or not;
 * - presence: online while a `presence` socket is open, offline after the grace period (at once
 *   after a clean goodbye), on the phone during a hub call, availability per socket, visible to
 *   mutual contacts (or everyone with `presenceScope: 'all'`), checked at each delivery;
 * - contacts per user, pushed to the user's other sockets; the directory of every user the hub
 *   has seen.
 *
 * Left to the real gateway: authentication, rate limits, frame-size limits, storage across page
 * loads. Call frames are refused (`frame:unsupported`): calls go through the hub's signalling.
 */
import {
  CloseCodes,
  MAX_TEXT_LENGTH,
  PROTOCOL_VERSION,
  SUBSCRIPTION_EXPIRES,
  WireErrorCodes,
} from '../../protocol/constants.js';
import { effectivePresence, presenceSignature } from '../../protocol/presence.js';
import type {
  Contact,
  Conversation,
  DirectoryUser,
  Message,
  Presence,
  RequestFrame,
  RequestType,
  Subscription,
} from '../../protocol/schema.js';
import { CommsError, ErrorCodes } from '../../errors.js';
import type { SocketLike } from '../../transport/types.js';

/** Options of the in-page gateway (given through `createLocalHub`). */
export interface LocalGatewayOptions {
  /** Whose presence a user sees: mutual contacts (default, as the gateway) or everyone. */
  presenceScope?: 'contacts' | 'all';
  /** Milliseconds before a user whose last socket dropped shows offline. Default 10000. */
  presenceGrace?: number;
  /** Sees every frame, parsed, as it crosses a socket (`in`: from a client): for tests. */
  onFrame?: (frame: Record<string, unknown>, direction: 'in' | 'out') => void;
}

type Frame = Record<string, unknown>;
type Later = (task: () => void) => void;
type Status = Presence['status'];
type Activity = Presence['activity'];

interface Sub {
  id: string;
  clientCorrelator: string;
  services: string[];
  expires: number;
  expiresAt: number;
  timer: ReturnType<typeof setTimeout> | undefined;
}

interface Conn {
  user: User;
  socket: LocalSocket;
  subscription: Sub | null;
  watching: Set<string>;
}

interface User {
  id: string;
  displayName: string;
  createdAt: number;
  contacts: Contact[];
  status: Status;
  activity: Activity;
  note: string;
  updatedAt: number;
  online: boolean;
  sockets: Set<Conn>;
  available: Set<Conn>;
  calls: Set<string>;
  offlineTimer: ReturnType<typeof setTimeout> | undefined;
  published: string;
}

interface LocalConversation {
  id: string;
  type: Conversation['type'];
  name: string | null;
  pairKey: string | null;
  createdAt: number;
  members: Map<string, { deliveredSeq: number; readSeq: number }>;
  messages: Message[];
}

/** The in-page gateway. */
export interface LocalGateway {
  /** Adds a user to the directory (or renames them). */
  user(party: { id: string; displayName: string }): void;
  /** Opens a socket for `party`; rejects while the hub is unreachable. */
  connect(party: { id: string; displayName: string }): Promise<SocketLike>;
  /** Closes every socket as a network failure would (1006); clients reconnect. */
  drop(): number;
  /** While false, sockets are dropped and new ones refused (an outage). */
  setReachable(reachable: boolean): void;
  /** A hub call started (`true`) or stopped being answered for this user. */
  callActivity(userId: string, callId: string, inCall: boolean): void;
  /** Stores a conversation's history at once (see `LocalHub.seedConversation`). */
  seed(seed: ConversationSeed): string;
}

/** History for {@link LocalGateway.seed}: `LocalHub.seedConversation`. */
export interface ConversationSeed {
  /**
   * The members' ids (users the hub knows: joined, `addUser`, or seen before). Two members and
   * no `name`: their one-to-one conversation (the one `conversation.open` finds; messages are
   * added after any it holds). Otherwise a new group.
   */
  members: string[];
  /** A group's name. */
  name?: string;
  /** The messages in order: sender (a member), text, and when it was sent (ms; default now). */
  messages: Array<{ from: string; text: string; at?: number }>;
  /** Up to which seq each member has read (default 0: everything is unread). */
  read?: Record<string, number>;
}

const DEFAULT_PAGE = 100;
const DEFAULT_SEARCH_LIMIT = 50;
const MAX_CONTACTS = 2000;
/** A network failure's close code (as a browser reports it). */
const ABNORMAL = 1006;

const wire = (code: string, message: string) => new CommsError(code, message);
const notFound = (id: string) =>
  wire(
    WireErrorCodes.CONVERSATION_NOT_FOUND,
    `there is no conversation '${id}' that you are a member of`,
  );

/** The socket a client of the hub holds: `WebSocket`'s shape, frames as JSON text. */
class LocalSocket implements SocketLike {
  readyState = 1;
  onmessage: ((event: MessageEvent) => void) | null = null;
  onclose: ((event: CloseEvent) => void) | null = null;
  onerror: ((event: Event) => void) | null = null;
  readonly #receive: (text: string) => void;
  readonly #closed: (code: number) => void;
  readonly #deliver: (task: () => void) => void;

  constructor(
    receive: (text: string) => void,
    closed: (code: number) => void,
    deliver: (task: () => void) => void,
  ) {
    this.#receive = receive;
    this.#closed = closed;
    this.#deliver = deliver;
  }

  send(data: string): void {
    if (this.readyState !== 1) return;
    this.#deliver(() => this.#receive(data));
  }

  close(code = CloseCodes.NORMAL, reason = ''): void {
    this.end(code, reason);
  }

  /** Closes from either side; the client hears `onclose` after what was already sent. */
  end(code: number, reason = ''): void {
    if (this.readyState !== 1) return;
    this.readyState = 3;
    this.#closed(code);
    this.#deliver(() =>
      this.onclose?.({ code, reason, wasClean: code !== ABNORMAL } as CloseEvent),
    );
  }

  /** Gives the client a frame (dropped if the socket closed meanwhile). */
  push(text: string): void {
    this.#deliver(() => {
      if (this.readyState === 1) this.onmessage?.({ data: text } as MessageEvent);
    });
  }
}

/** The presence others see (the rule both gateways share). */
const effective = (p: User): Presence =>
  effectivePresence({
    userId: p.id,
    online: p.online,
    status: p.status,
    activity: p.activity,
    note: p.note,
    inCall: p.calls.size > 0,
    available: p.available.size > 0,
    updatedAt: p.updatedAt,
  });

const hasService = (c: Conn, service: string) => !!c.subscription?.services.includes(service);

/** First word and the rest of a display name, as the gateway's directory derives them. */
function splitName(displayName: string): { firstName: string; lastName: string } {
  const name = displayName.trim();
  const space = name.search(/\s/);
  if (space === -1) return { firstName: name, lastName: '' };
  return { firstName: name.slice(0, space), lastName: name.slice(space).trim() };
}

export function createLocalGateway(
  options: LocalGatewayOptions,
  deliver: (task: () => void) => void,
): LocalGateway {
  const users = new Map<string, User>();
  const conns = new Set<Conn>();
  const conversations = new Map<string, LocalConversation>();
  /** Stored messages by `sender \n clientId`: each is stored once. */
  const byClientId = new Map<string, Message>();
  const graceMs = options.presenceGrace ?? 10000;
  let reachable = true;
  const now = () => Date.now();

  // ── users ─────────────────────────────────────────────────────────────────

  function ensureUser(party: { id: string; displayName: string }): User {
    const known = users.get(party.id);
    if (known) {
      known.displayName = party.displayName || known.displayName;
      return known;
    }
    const user: User = {
      id: party.id,
      displayName: party.displayName || party.id,
      createdAt: now(),
      contacts: [],
      status: 'open',
      activity: 'available',
      note: '',
      updatedAt: now(),
      online: false,
      sockets: new Set(),
      available: new Set(),
      calls: new Set(),
      offlineTimer: undefined,
      published: '',
    };
    user.published = presenceSignature(effective(user));
    users.set(user.id, user);
    return user;
  }

  /** The user a reference names: their id (any case), also as `tel:`/`sip:` URI. */
  function resolve(ref: string): User | undefined {
    const text = ref.trim().replace(/^(tel|sip):/i, '');
    if (!text) return undefined;
    return (
      users.get(text) ?? [...users.values()].find((u) => u.id.toLowerCase() === text.toLowerCase())
    );
  }

  function directoryUser(user: User): DirectoryUser {
    return {
      userId: user.id,
      userName: user.id,
      displayName: user.displayName,
      ...splitName(user.displayName),
      emailAddress: null,
      phoneNumber: null,
      photoUrl: null,
    };
  }

  // ── frames ────────────────────────────────────────────────────────────────

  function send(conn: Conn, frame: Frame): void {
    options.onFrame?.(frame, 'out');
    conn.socket.push(JSON.stringify(frame));
  }

  function event(conn: Conn, name: string, payload: Frame): void {
    send(conn, { v: PROTOCOL_VERSION, type: 'event', event: name, ...payload });
  }

  /** Pushes to the users' sockets (subscribed to `service`, if given), except one. */
  function push(
    userIds: Iterable<string>,
    name: string,
    payload: Frame,
    filter: { service?: string; except?: Conn } = {},
  ): void {
    const to = new Set(userIds);
    for (const conn of conns) {
      if (!to.has(conn.user.id) || conn === filter.except) continue;
      if (filter.service && !hasService(conn, filter.service)) continue;
      event(conn, name, payload);
    }
  }

  function receive(conn: Conn, text: string): void {
    if (!conns.has(conn)) return;
    let frame: Frame;
    try {
      frame = JSON.parse(text) as Frame;
    } catch {
      send(conn, reply(null, wire(WireErrorCodes.FRAME_MALFORMED, 'the frame is not JSON')));
      return;
    }
    options.onFrame?.(frame, 'in');
    const id = typeof frame.id === 'string' ? frame.id : null;
    const type = frame.type;
    const tasks: Array<() => void> = [];
    let answer: Frame;
    try {
      if (!id || typeof type !== 'string' || frame.v !== PROTOCOL_VERSION)
        throw wire(WireErrorCodes.FRAME_INVALID, 'a request needs v: 1, a string id and a type');
      const handler = handlers[type as RequestType] as Handler | undefined;
      if (!handler)
        throw wire(
          type.startsWith('call.')
            ? WireErrorCodes.FRAME_UNSUPPORTED
            : WireErrorCodes.FRAME_UNKNOWN_TYPE,
          type.startsWith('call.')
            ? `'${type}' is not carried as a frame by the in-page backend: calls use the hub's signalling`
            : `unknown request type '${type}'`,
        );
      answer = reply(
        id,
        null,
        handler(conn, frame, (task) => tasks.push(task)),
      );
    } catch (error) {
      tasks.length = 0;
      answer = reply(id, error);
    }
    send(conn, answer);
    for (const task of tasks) task();
  }

  function reply(re: string | null, error: unknown, payload: Frame = {}): Frame {
    if (!error) return { v: PROTOCOL_VERSION, re, ok: true, ...payload };
    const e =
      error instanceof CommsError
        ? { code: error.code, message: error.message }
        : { code: WireErrorCodes.SERVER_INTERNAL, message: String(error) };
    return { v: PROTOCOL_VERSION, re, ok: false, error: e };
  }

  // ── subscriptions ─────────────────────────────────────────────────────────

  const wireSubscription = (s: Sub): Subscription => ({
    id: s.id,
    clientCorrelator: s.clientCorrelator,
    services: s.services as Subscription['services'],
    expires: s.expires,
    expiresAt: s.expiresAt,
  });

  function setSubscription(conn: Conn, next: Sub | null, reason: string, code?: number): void {
    const previous = conn.subscription;
    if (previous && previous !== next) clearTimeout(previous.timer);
    conn.subscription = next;
    if (next && next !== previous) {
      clearTimeout(next.timer);
      next.timer = setTimeout(() => {
        if (conn.subscription !== next) return;
        setSubscription(conn, null, 'expired');
        event(conn, 'subscription:change', { reason: 'expired', subscription: null });
      }, next.expiresAt - now());
    }
    const had = !!previous?.services.includes('presence');
    const has = !!next?.services.includes('presence');
    if (had !== has) presenceSocket(conn, has, reason, code);
  }

  function newSub(correlator: string, services: string[], expires: number, id?: string): Sub {
    return {
      id: id ?? crypto.randomUUID(),
      clientCorrelator: correlator,
      services,
      expires,
      expiresAt: now() + expires * 1000,
      timer: undefined,
    };
  }

  const noSubscription = () =>
    wire(
      WireErrorCodes.SUBSCRIPTION_NOT_FOUND,
      'this socket has no subscription: send `subscribe` first',
    );

  // ── presence ──────────────────────────────────────────────────────────────

  function mutual(viewer: User, target: User): boolean {
    const names = (list: Contact[]) => list.map((c) => c.primaryContact.toLowerCase());
    return (
      names(viewer.contacts).includes(target.id.toLowerCase()) &&
      names(target.contacts).includes(viewer.id.toLowerCase())
    );
  }

  const canSee = (viewer: User, target: User) =>
    viewer === target || options.presenceScope === 'all' || mutual(viewer, target);

  /** After a change: tells the watchers (who may see it) when what they see changed. */
  function changed(p: User, chosen: boolean): void {
    const next = effective(p);
    const moved = presenceSignature(next) !== p.published;
    if (moved || chosen) p.updatedAt = now();
    if (!moved) return;
    p.published = presenceSignature(next);
    const presence = effective(p);
    for (const conn of conns)
      if (conn.watching.has(p.id) && canSee(conn.user, p))
        event(conn, 'presence:change', { presence });
  }

  function presenceSocket(conn: Conn, present: boolean, reason: string, code?: number): void {
    const p = conn.user;
    if (present) {
      p.sockets.add(conn);
      conn.watching.add(p.id); // every device sees its own user's changes (as the gateway)
      clearTimeout(p.offlineTimer);
      p.offlineTimer = undefined;
      if (!p.online) {
        p.online = true;
        p.status = 'open';
        changed(p, true);
      }
      return;
    }
    conn.watching.delete(p.id);
    if (!p.sockets.delete(conn) || p.sockets.size) return;
    const clean =
      reason === 'unsubscribe' ||
      (reason === 'closed' && (code === CloseCodes.NORMAL || code === CloseCodes.SESSION_REVOKED));
    clearTimeout(p.offlineTimer);
    const offline = () => {
      p.offlineTimer = undefined;
      if (!p.online || p.sockets.size) return;
      p.online = false;
      changed(p, true);
    };
    if (clean || graceMs <= 0) offline();
    else p.offlineTimer = setTimeout(offline, graceMs);
  }

  /** The users `refs` name that `conn`'s user may see, and the refs they may not. */
  function visible(conn: Conn, refs: string[]) {
    const seen = new Map<string, User>();
    const hidden: string[] = [];
    for (const ref of refs) {
      const user = resolve(ref);
      if (user && canSee(conn.user, user)) seen.set(user.id, user);
      else hidden.push(ref);
    }
    return { users: [...seen.values()], hidden };
  }

  // ── messaging ─────────────────────────────────────────────────────────────

  function wireConversation(c: LocalConversation, viewer: User): Conversation {
    const readSeq = c.members.get(viewer.id)?.readSeq ?? 0;
    return {
      id: c.id,
      type: c.type,
      name: c.name,
      members: [...c.members].map(([userId, m]) => ({
        userId,
        displayName: users.get(userId)?.displayName ?? userId,
        deliveredSeq: m.deliveredSeq,
        readSeq: m.readSeq,
      })),
      lastSeq: c.messages.length,
      lastMessage: c.messages[c.messages.length - 1] ?? null,
      unread: c.messages.filter((m) => m.seq > readSeq && m.sender !== viewer.id).length,
      createdAt: c.createdAt,
    };
  }

  function membership(conn: Conn, id: string): LocalConversation {
    const c = conversations.get(id);
    if (!c || !c.members.has(conn.user.id)) throw notFound(id);
    return c;
  }

  function addConversation(
    type: Conversation['type'],
    memberIds: string[],
    name: string | null,
    pairKey: string | null,
  ): LocalConversation {
    const c: LocalConversation = {
      id: crypto.randomUUID(),
      type,
      name,
      pairKey,
      createdAt: now(),
      members: new Map(memberIds.map((id) => [id, { deliveredSeq: 0, readSeq: 0 }])),
      messages: [],
    };
    conversations.set(c.id, c);
    return c;
  }

  /** Tells the other members, and the user's other sockets, of a new conversation. */
  function announce(conn: Conn, c: LocalConversation, later: Later): void {
    later(() => {
      for (const member of c.members.keys())
        push(
          [member],
          'conversation:new',
          { conversation: wireConversation(c, users.get(member)!) },
          {
            service: 'chat',
            except: conn,
          },
        );
    });
  }

  // ── contacts ──────────────────────────────────────────────────────────────

  function contactsChanged(conn: Conn, later: Later): void {
    const contacts = conn.user.contacts.map((c) => ({ ...c }));
    later(() => push([conn.user.id], 'contacts:change', { contacts }, { except: conn }));
  }

  /**
   * Adding `ref` made the two users contacts of each other: each one's presence sockets watch
   * the other from now on and get their presence now (as the gateway's `presence.shared`).
   */
  function shareIfMutual(user: User, ref: string, later: Later): void {
    const other = resolve(ref);
    if (!other || other === user || !mutual(user, other)) return;
    later(() => {
      for (const [viewer, target] of [
        [user, other],
        [other, user],
      ] as const) {
        for (const conn of viewer.sockets) {
          conn.watching.add(target.id);
          event(conn, 'presence:change', { presence: effective(target) });
        }
      }
    });
  }

  const contactExists = (what: string) =>
    wire(WireErrorCodes.CONTACT_EXISTS, `you already have a contact with this ${what}`);

  // ── handlers ──────────────────────────────────────────────────────────────

  type Handler = (conn: Conn, frame: Frame, later: Later) => Frame;
  type Handlers = {
    [T in RequestType]?: (conn: Conn, frame: RequestFrame<T>, later: Later) => Frame;
  };

  const handlers: Handlers = {
    ping: () => ({ time: now() }),
    'token.update': () => ({ expiresAt: now() + 3600_000 }),
    subscribe: (conn, f) => {
      const current = conn.subscription;
      const same = current?.clientCorrelator === f.clientCorrelator;
      const services = same ? [...new Set([...current!.services, ...f.services])] : [...f.services];
      const next = newSub(
        f.clientCorrelator,
        services,
        f.expires ?? SUBSCRIPTION_EXPIRES.DEFAULT,
        same ? current!.id : undefined,
      );
      setSubscription(conn, next, 'subscribe');
      if (!same) {
        for (const other of conns) {
          if (other === conn || other.user !== conn.user) continue;
          if (other.subscription?.clientCorrelator !== f.clientCorrelator) continue;
          setSubscription(other, null, 'replaced');
          event(other, 'subscription:change', { reason: 'replaced', subscription: null });
        }
      }
      return { subscription: wireSubscription(next) };
    },
    unsubscribe: (conn, f) => {
      const current = conn.subscription;
      if (!current) throw noSubscription();
      const left = f.services
        ? current.services.filter((s) => !f.services!.includes(s as never))
        : [];
      const next = left.length ? { ...current, services: left } : null;
      setSubscription(conn, next, 'unsubscribe');
      return { subscription: next && wireSubscription(next) };
    },
    'subscription.extend': (conn, f) => {
      const current = conn.subscription;
      if (!current) throw noSubscription();
      const next = newSub(
        current.clientCorrelator,
        current.services,
        f.expires ?? current.expires,
        current.id,
      );
      setSubscription(conn, next, 'extend');
      return { subscription: wireSubscription(next) };
    },

    'conversation.open': (conn, f, later) => {
      const type = f.conversationType ?? 'im';
      if (type === 'chat')
        throw wire(
          WireErrorCodes.REQUEST_INVALID,
          "conversationType 'chat' is a group: create it with conversation.create",
        );
      const destination = resolve(f.destination);
      if (!destination)
        throw wire(
          WireErrorCodes.DESTINATION_UNKNOWN,
          `there is no user '${f.destination}' to have a conversation with`,
        );
      if (destination === conn.user)
        throw wire(
          WireErrorCodes.REQUEST_INVALID,
          'a one-to-one conversation needs another user than yourself',
        );
      const pairKey = `${type}:${[conn.user.id, destination.id].sort().join('\n')}`;
      let c = [...conversations.values()].find((x) => x.pairKey === pairKey);
      if (!c) {
        c = addConversation(type, [conn.user.id, destination.id], null, pairKey);
        announce(conn, c, later);
      }
      return { conversation: wireConversation(c, conn.user) };
    },
    'conversation.create': (conn, f, later) => {
      const unknown = f.members.filter((ref) => !resolve(ref)).map((ref) => `'${ref}'`);
      if (unknown.length)
        throw wire(
          WireErrorCodes.DESTINATION_UNKNOWN,
          `there is no user ${unknown.join(', ')} to add to the conversation`,
        );
      const others = [...new Set(f.members.map((ref) => resolve(ref)!.id))].filter(
        (id) => id !== conn.user.id,
      );
      if (!others.length)
        throw wire(
          WireErrorCodes.REQUEST_INVALID,
          'a group conversation needs at least one member besides yourself',
        );
      const c = addConversation('chat', [conn.user.id, ...others], f.name ?? null, null);
      announce(conn, c, later);
      return { conversation: wireConversation(c, conn.user) };
    },
    'conversation.list': (conn) => {
      const active = (c: LocalConversation) =>
        c.messages[c.messages.length - 1]?.timestamp ?? c.createdAt;
      return {
        conversations: [...conversations.values()]
          .filter((c) => c.members.has(conn.user.id))
          .sort((x, y) => active(y) - active(x))
          .map((c) => wireConversation(c, conn.user)),
      };
    },
    'message.send': (conn, f, later) => {
      const c = membership(conn, f.conversationId);
      for (const part of f.parts) {
        if (part.text.length > MAX_TEXT_LENGTH)
          throw wire(
            WireErrorCodes.MESSAGE_TOO_LARGE,
            `a text part may have at most ${MAX_TEXT_LENGTH} characters; this one has ${part.text.length}`,
          );
      }
      const key = `${conn.user.id}\n${f.clientId}`;
      let message = byClientId.get(key);
      if (message && message.conversationId !== c.id)
        throw wire(
          WireErrorCodes.REQUEST_INVALID,
          `clientId ${f.clientId} was already used for a message in another conversation: make a new one for each message`,
        );
      if (!message) {
        message = {
          id: crypto.randomUUID(),
          clientId: f.clientId,
          conversationId: c.id,
          seq: c.messages.length + 1,
          sender: conn.user.id,
          parts: f.parts.map((p) => ({ type: 'text', text: p.text })),
          timestamp: now(),
        };
        c.messages.push(message);
        byClientId.set(key, message);
      }
      const stored = message;
      later(() =>
        push(
          c.members.keys(),
          'message:new',
          { message: stored },
          { service: 'chat', except: conn },
        ),
      );
      return { message };
    },
    'message.history': (conn, f) => {
      const c = membership(conn, f.conversationId);
      if (f.afterSeq !== undefined && f.beforeSeq !== undefined)
        throw wire(
          WireErrorCodes.REQUEST_INVALID,
          'give afterSeq (newer messages) or beforeSeq (older ones), not both',
        );
      const limit = f.limit ?? DEFAULT_PAGE;
      if (f.afterSeq !== undefined) {
        const page = c.messages.slice(Math.max(0, f.afterSeq), f.afterSeq + limit + 1);
        return { messages: page.slice(0, limit), hasMore: page.length > limit };
      }
      const before = Math.min(f.beforeSeq ?? c.messages.length + 1, c.messages.length + 1);
      const end = Math.max(0, before - 1);
      const start = Math.max(0, end - limit);
      return { messages: c.messages.slice(start, end), hasMore: start > 0 };
    },
    'message.receipt': (conn, f, later) => {
      const c = conversations.get(f.conversationId);
      const member = c?.members.get(conn.user.id);
      if (!c || !member) throw notFound(f.conversationId);
      const upTo = Math.min(f.seq, c.messages.length);
      const readSeq = f.kind === 'read' ? Math.max(member.readSeq, upTo) : member.readSeq;
      const deliveredSeq = Math.max(member.deliveredSeq, upTo, readSeq);
      if (readSeq !== member.readSeq || deliveredSeq !== member.deliveredSeq) {
        member.readSeq = readSeq;
        member.deliveredSeq = deliveredSeq;
        const payload = { conversationId: c.id, userId: conn.user.id, deliveredSeq, readSeq };
        later(() =>
          push(c.members.keys(), 'message:receipt', payload, { service: 'chat', except: conn }),
        );
      }
      return {};
    },
    typing: (conn, f, later) => {
      const c = membership(conn, f.conversationId);
      const others = [...c.members.keys()].filter((id) => id !== conn.user.id);
      const payload = { conversationId: c.id, userId: conn.user.id, active: f.active };
      later(() => push(others, 'typing', payload, { service: 'chat' }));
      return {};
    },

    'presence.update': (conn, f) => {
      const p = conn.user;
      p.status = f.status;
      p.activity = f.activity;
      p.note = f.note ?? '';
      changed(p, true);
      return { presence: effective(p) };
    },
    'presence.fetch': (conn, f) => ({
      presence: visible(conn, f.users).users.map(effective),
    }),
    'presence.subscribe': (conn, f) => {
      const { users: seen, hidden } = visible(conn, f.users);
      if (hidden.length)
        throw wire(
          WireErrorCodes.PRESENCE_FORBIDDEN,
          `you may not see the presence of ${hidden.map((u) => `'${u}'`).join(', ')}: ${
            options.presenceScope === 'all'
              ? 'no such user'
              : 'presence is shared between users who have each other as contacts'
          }`,
        );
      for (const user of seen) conn.watching.add(user.id);
      return { presence: seen.map(effective) };
    },
    'presence.unsubscribe': (conn, f) => {
      for (const ref of f.users) {
        const user = resolve(ref);
        if (user) conn.watching.delete(user.id);
      }
      return {};
    },
    'presence.available': (conn, f) => {
      if (f.available) conn.user.available.add(conn);
      else conn.user.available.delete(conn);
      changed(conn.user, false);
      return {};
    },
    'presence.availableClients': (conn) => ({
      clients: [...users.values()]
        .filter((u) => u !== conn.user && effective(u).available && canSee(conn.user, u))
        .map((u) => ({ userId: u.id, displayName: u.displayName })),
    }),

    'contacts.list': (conn) => ({ contacts: conn.user.contacts }),
    'contacts.add': (conn, f, later) => {
      const book = conn.user.contacts;
      if (book.length >= MAX_CONTACTS)
        throw wire(
          WireErrorCodes.REQUEST_INVALID,
          `an address book holds at most ${MAX_CONTACTS} contacts: remove some first`,
        );
      const contact = {
        ...f.contact,
        contactId: f.contact.contactId ?? crypto.randomUUID(),
        primaryContact: f.contact.primaryContact.trim(),
      } as Contact;
      if (book.some((c) => c.contactId === contact.contactId)) throw contactExists('contactId');
      if (book.some((c) => c.primaryContact === contact.primaryContact))
        throw contactExists(`primaryContact '${contact.primaryContact}'`);
      book.push(contact);
      contactsChanged(conn, later);
      shareIfMutual(conn.user, contact.primaryContact, later);
      return { contact };
    },
    'contacts.update': (conn, f, later) => {
      const book = conn.user.contacts;
      const index = book.findIndex((c) => c.contactId === f.contact.contactId);
      if (index === -1)
        throw wire(
          WireErrorCodes.CONTACT_NOT_FOUND,
          `you have no contact '${f.contact.contactId}'`,
        );
      const contact = { ...f.contact, primaryContact: f.contact.primaryContact.trim() } as Contact;
      if (book.some((c, i) => i !== index && c.primaryContact === contact.primaryContact))
        throw contactExists(`primaryContact '${contact.primaryContact}'`);
      book[index] = contact;
      contactsChanged(conn, later);
      shareIfMutual(conn.user, contact.primaryContact, later);
      return { contact };
    },
    'contacts.remove': (conn, f, later) => {
      const book = conn.user.contacts;
      const index = book.findIndex((c) => c.contactId === f.contactId);
      if (index === -1)
        throw wire(WireErrorCodes.CONTACT_NOT_FOUND, `you have no contact '${f.contactId}'`);
      book.splice(index, 1);
      contactsChanged(conn, later);
      return {};
    },

    'directory.search': (_conn, f) => {
      const filters = f.filters;
      const tests: Array<[string | undefined, (u: User) => string[]]> = [
        [filters.userId, (u) => [u.id]],
        [filters.name, (u) => [u.displayName, u.id]],
        [filters.firstName, (u) => [splitName(u.displayName).firstName]],
        [filters.lastName, (u) => [splitName(u.displayName).lastName]],
        [filters.userName, (u) => [u.id]],
        [filters.phoneNumber, () => []],
      ];
      const active = tests.filter(([text]) => text?.trim());
      return {
        users: [...users.values()]
          .filter((u) =>
            active.every(([text, fields]) =>
              fields(u).some((v) => v.toLowerCase().includes(text!.trim().toLowerCase())),
            ),
          )
          .slice(0, f.limit ?? DEFAULT_SEARCH_LIMIT)
          .map(directoryUser),
      };
    },
    'user.fetch': (_conn, f) => {
      const user = resolve(f.userId);
      return { user: user ? directoryUser(user) : null };
    },
  };

  function closed(conn: Conn, code: number): void {
    if (!conns.delete(conn)) return;
    conn.watching.clear();
    setSubscription(conn, null, 'closed', code);
    if (conn.user.available.delete(conn)) changed(conn.user, false);
  }

  return {
    user: (party) => void ensureUser(party),
    connect(party) {
      if (!reachable)
        return Promise.reject(
          new CommsError(ErrorCodes.NETWORK_ERROR, 'the in-page hub is unreachable'),
        );
      const socket: LocalSocket = new LocalSocket(
        (text) => receive(conn, text),
        (code) => closed(conn, code),
        deliver,
      );
      const conn: Conn = {
        user: ensureUser(party),
        socket,
        subscription: null,
        watching: new Set(),
      };
      conns.add(conn);
      return Promise.resolve(socket);
    },
    drop() {
      const all = [...conns];
      for (const conn of all) conn.socket.end(ABNORMAL, 'dropped');
      return all.length;
    },
    setReachable(value) {
      reachable = value;
      if (!value) this.drop();
    },
    seed({ members, name, messages, read = {} }) {
      const known = members.map((ref) => resolve(ref));
      const unknown = members.filter((_ref, i) => !known[i]).map((ref) => `'${ref}'`);
      if (unknown.length)
        throw wire(
          WireErrorCodes.DESTINATION_UNKNOWN,
          `seedConversation: there is no user ${unknown.join(', ')} on the hub (join them or addUser first)`,
        );
      const ids = [...new Set(known.map((u) => u!.id))];
      if (ids.length < 2)
        throw wire(
          WireErrorCodes.REQUEST_INVALID,
          'seedConversation: a conversation needs two members or more',
        );
      const pairKey =
        ids.length === 2 && name === undefined ? `im:${[...ids].sort().join('\n')}` : null;
      const c =
        (pairKey && [...conversations.values()].find((x) => x.pairKey === pairKey)) ||
        addConversation(pairKey ? 'im' : 'chat', ids, name ?? null, pairKey);
      for (const [i, m] of messages.entries()) {
        const sender = resolve(m.from);
        if (!sender || !c.members.has(sender.id))
          throw wire(
            WireErrorCodes.REQUEST_INVALID,
            `seedConversation: message ${i} is from '${m.from}', who is not a member`,
          );
        const clientId = crypto.randomUUID();
        const message: Message = {
          id: crypto.randomUUID(),
          clientId,
          conversationId: c.id,
          seq: c.messages.length + 1,
          sender: sender.id,
          parts: [{ type: 'text', text: m.text }],
          timestamp: m.at ?? now(),
        };
        c.messages.push(message);
        byClientId.set(`${sender.id}\n${clientId}`, message);
      }
      for (const [ref, seq] of Object.entries(read)) {
        const member = c.members.get(resolve(ref)?.id ?? ref);
        if (!member)
          throw wire(
            WireErrorCodes.REQUEST_INVALID,
            `seedConversation: '${ref}' in read is not a member`,
          );
        member.readSeq = Math.max(member.readSeq, Math.min(seq, c.messages.length));
        member.deliveredSeq = Math.max(member.deliveredSeq, member.readSeq);
      }
      return c.id;
    },
    callActivity(userId, callId, inCall) {
      const user = users.get(userId);
      if (!user) return;
      if (inCall) user.calls.add(callId);
      else user.calls.delete(callId);
      changed(user, false);
    },
  };
}
