/**
 * The in-page gateway's protocol (see `gateway.ts`): the socket a client of the hub holds, its
 * frames (one reply per request, pushed events) and every request's rules, over the state the
 * gateway keeps. A chunk of its own in the ES builds, loaded when a hub is created.
 */
import {
  CloseCodes,
  MAX_TEXT_LENGTH,
  PROTOCOL_VERSION,
  SUBSCRIPTION_EXPIRES,
  WireErrorCodes,
} from '../../protocol/constants.js';
import type {
  Contact,
  Conversation,
  DirectoryUser,
  RequestFrame,
  RequestType,
  Subscription,
} from '../../protocol/schema.js';
import { CommsError, ErrorCodes } from '../../errors.js';
import type { SocketLike } from '../../transport/types.js';
import {
  ABNORMAL,
  effective,
  wire,
  type Conn,
  type Frame,
  type GatewayState,
  type Later,
  type LocalConversation,
  type Sub,
  type User,
} from './state.js';

const DEFAULT_PAGE = 100;
const DEFAULT_SEARCH_LIMIT = 50;
const MAX_CONTACTS = 2000;
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

const hasService = (c: Conn, service: string) => !!c.subscription?.services.includes(service);

/** First word and the rest of a display name, as the gateway's directory derives them. */
function splitName(displayName: string): { firstName: string; lastName: string } {
  const name = displayName.trim();
  const space = name.search(/\s/);
  if (space === -1) return { firstName: name, lastName: '' };
  return { firstName: name.slice(0, space), lastName: name.slice(space).trim() };
}

/** The protocol half of the in-page gateway, over its state. */
export function createProtocol(state: GatewayState): {
  connect(party: { id: string; displayName: string }): Promise<SocketLike>;
} {
  const { options, deliver, users, conns, conversations, byClientId } = state;
  const { ensureUser, resolve, addConversation, changed } = state;
  const graceMs = options.presenceGrace ?? 10000;
  const now = () => Date.now();

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

  // Tells the watchers (who may see it) of a presence that moved (`changed` in gateway.ts).
  state.notify = (p) => {
    const presence = effective(p);
    for (const conn of conns)
      if (conn.watching.has(p.id) && canSee(conn.user, p))
        event(conn, 'presence:change', { presence });
  };

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
    connect(party) {
      if (!state.reachable)
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
  };
}
