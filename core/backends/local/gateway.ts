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
 *
 * This file keeps what the hub needs at once (users, conversations, seeding, reachability); the
 * protocol (`protocol.ts`: frames and every request's rules) loads when a hub is created.
 */
import { WireErrorCodes } from '../../protocol/constants.js';
import { presenceSignature } from '../../protocol/presence.js';
import type { Conversation, Message } from '../../protocol/schema.js';
import type { SocketLike } from '../../transport/types.js';
import type * as ProtocolModule from './protocol.js';
import {
  ABNORMAL,
  effective,
  wire,
  type Conn,
  type GatewayState,
  type LocalConversation,
  type User,
} from './state.js';

/** Options of the in-page gateway (given through `createLocalHub`). */
export interface LocalGatewayOptions {
  /** Whose presence a user sees: mutual contacts (default, as the gateway) or everyone. */
  presenceScope?: 'contacts' | 'all';
  /** Milliseconds before a user whose last socket dropped shows offline. Default 10000. */
  presenceGrace?: number;
  /** Sees every frame, parsed, as it crosses a socket (`in`: from a client): for tests. */
  onFrame?: (frame: Record<string, unknown>, direction: 'in' | 'out') => void;
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

type Protocol = typeof ProtocolModule;

/** The protocol half, once its chunk has loaded. */
let protocolModule: Protocol | undefined;

/**
 * Loads the protocol half (`protocol.ts`): a chunk of its own in the ES builds, so a page that
 * never creates a hub does not fetch it. Each hub starts loading it when created; a socket
 * opened before it arrived waits for it, one opened after opens as it always did.
 */
function loadProtocol(): Promise<Protocol> {
  return import('./protocol.js').then((loaded) => (protocolModule = loaded));
}

export function createLocalGateway(
  options: LocalGatewayOptions,
  deliver: (task: () => void) => void,
): LocalGateway {
  const users = new Map<string, User>();
  const conversations = new Map<string, LocalConversation>();
  const now = () => Date.now();
  let protocol:
    { connect(party: { id: string; displayName: string }): Promise<SocketLike> } | undefined;

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

  /** After a change: records when what others see moved, and tells the watchers (protocol). */
  function changed(p: User, chosen: boolean): void {
    const next = effective(p);
    const moved = presenceSignature(next) !== p.published;
    if (moved || chosen) p.updatedAt = now();
    if (!moved) return;
    p.published = presenceSignature(next);
    state.notify?.(p);
  }

  const state: GatewayState = {
    options,
    deliver,
    users,
    conns: new Set<Conn>(),
    conversations,
    byClientId: new Map<string, Message>(),
    reachable: true,
    ensureUser,
    resolve,
    addConversation,
    changed,
  };
  const { conns, byClientId } = state;
  if (!protocolModule) void loadProtocol().catch(() => undefined);

  return {
    user: (party) => void ensureUser(party),
    connect(party) {
      if (!protocolModule) return loadProtocol().then(() => this.connect(party));
      protocol ??= protocolModule.createProtocol(state);
      return protocol.connect(party);
    },
    drop() {
      const all = [...conns];
      for (const conn of all) conn.socket.end(ABNORMAL, 'dropped');
      return all.length;
    },
    setReachable(value) {
      state.reachable = value;
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
