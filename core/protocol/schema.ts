/**
 * The one schema source of the gateway's wire protocol (TypeBox, i.e. JSON Schema). The gateway
 * validates every REST body and WebSocket frame against it at run time; the core imports only
 * the static types (`import type`), so none of this code reaches the browser bundle;
 * `docs/protocol.md` is written from it by `scripts/protocol-doc.ts`.
 */
import { Type, type Static, type TProperties, type TSchema } from '@sinclair/typebox';
import {
  MAX_TEXT_LENGTH,
  PRESENCE_ACTIVITY_VALUES,
  PRESENCE_STATUS_VALUES,
  PROTOCOL_VERSION,
  SERVICES,
  SUBSCRIPTION_EXPIRES,
} from './constants.js';
import { MAX_VOICEMAIL_DURATION_MS } from './voicemail-limits.js';

// ── Shared pieces ────────────────────────────────────────────────────────────

export const ErrorBody = Type.Object(
  {
    code: Type.String({ description: 'Stable machine-readable code, e.g. `auth:tokenExpired`.' }),
    message: Type.String({ description: 'Human-readable explanation naming what was wrong.' }),
  },
  { $id: 'ErrorBody', description: 'The seeds’ BasicError.' },
);
export type ErrorBody = Static<typeof ErrorBody>;

/** Every REST error response: HTTP 4xx/5xx with this body. */
export const ErrorResponse = Type.Object({ error: ErrorBody }, { $id: 'ErrorResponse' });
export type ErrorResponse = Static<typeof ErrorResponse>;

export const Username = Type.String({
  minLength: 3,
  maxLength: 32,
  pattern: '^[a-z0-9][a-z0-9._-]*$',
  description: 'Lower-case letters, digits, `.`, `_`, `-`; 3–32 characters.',
});
export const Email = Type.String({ maxLength: 254, format: 'email' });
export const E164 = Type.String({
  pattern: '^\\+[1-9][0-9]{6,14}$',
  description: 'E.164 number, e.g. `+15551234567`.',
});
export const Password = Type.String({ minLength: 1, maxLength: 256 });
export const DisplayName = Type.String({ minLength: 1, maxLength: 64 });

export const UserInfo = Type.Object(
  {
    id: Type.String({ description: 'The user’s stable id.' }),
    username: Type.Union([Type.String(), Type.Null()]),
    email: Type.Union([Type.String(), Type.Null()]),
    number: Type.Union([Type.String(), Type.Null()]),
    displayName: Type.String(),
  },
  { $id: 'UserInfo' },
);
export type UserInfo = Static<typeof UserInfo>;

// ── REST ─────────────────────────────────────────────────────────────────────

/** `POST /v1/auth/signup` (Sinch `newUser`): at least one of username, email, number. */
export const SignupRequest = Type.Object(
  {
    username: Type.Optional(Username),
    email: Type.Optional(Email),
    number: Type.Optional(E164),
    password: Password,
    displayName: Type.Optional(DisplayName),
  },
  { $id: 'SignupRequest', additionalProperties: false },
);
export type SignupRequest = Static<typeof SignupRequest>;

/** `201` answer to signup. */
export const SignupResponse = Type.Object({ user: UserInfo }, { $id: 'SignupResponse' });
export type SignupResponse = Static<typeof SignupResponse>;

/** `POST /v1/auth/login` with a password: `identity` is a username, email or E.164 number. */
export const PasswordLogin = Type.Object(
  { identity: Type.String({ minLength: 1, maxLength: 254 }), password: Password },
  { additionalProperties: false },
);
/** `POST /v1/auth/login` with an app-signed ticket (Sinch `userTicket`, Kandy `hmacToken`). */
export const TicketLogin = Type.Object(
  { ticket: Type.String({ minLength: 1, maxLength: 4096 }) },
  { additionalProperties: false },
);
export const LoginRequest = Type.Union([PasswordLogin, TicketLogin], { $id: 'LoginRequest' });
export type LoginRequest = Static<typeof LoginRequest>;

/** `POST /v1/auth/refresh`: trades a refresh token for a new pair (the old one is spent). */
export const RefreshRequest = Type.Object(
  { refreshToken: Type.String({ minLength: 1, maxLength: 512 }) },
  { $id: 'RefreshRequest', additionalProperties: false },
);
export type RefreshRequest = Static<typeof RefreshRequest>;

/** `POST /v1/auth/logout`: revokes the refresh token's family and closes its sockets. */
export const LogoutRequest = RefreshRequest;

/** Answer to login and refresh. */
export const TokenResponse = Type.Object(
  {
    tokenType: Type.Literal('Bearer'),
    accessToken: Type.String({ description: 'JWT (HS256), at most 15 minutes.' }),
    expiresIn: Type.Integer({ description: 'Seconds until the access token expires.' }),
    refreshToken: Type.String({ description: 'Opaque, single use, rotating.' }),
    refreshExpiresIn: Type.Integer({ description: 'Seconds until the refresh token expires.' }),
    user: UserInfo,
  },
  { $id: 'TokenResponse' },
);
export type TokenResponse = Static<typeof TokenResponse>;

/** The payload of an app-signed user ticket, before signing. */
export const TicketPayload = Type.Object(
  {
    appKey: Type.String({ minLength: 1 }),
    userId: Username,
    displayName: Type.Optional(DisplayName),
    iat: Type.Integer({ description: 'Issued at, seconds since the epoch.' }),
    exp: Type.Integer({
      description: 'Expires at, seconds since the epoch; at most 1 hour after iat.',
    }),
  },
  { $id: 'TicketPayload', additionalProperties: false },
);
export type TicketPayload = Static<typeof TicketPayload>;

// ── WebSocket: client → server requests ──────────────────────────────────────

const Service = Type.Union(
  SERVICES.map((s) => Type.Literal(s)),
  { description: 'A service name.' },
);
const RequestBase = {
  v: Type.Literal(PROTOCOL_VERSION),
  id: Type.String({
    minLength: 1,
    maxLength: 64,
    description: 'Client-made; echoed as `re` in the reply.',
  }),
};

export const PingFrame = Type.Object(
  { ...RequestBase, type: Type.Literal('ping') },
  { additionalProperties: false, description: 'Keepalive. Reply: `{time}` (server clock, ms).' },
);
export const SubscribeFrame = Type.Object(
  {
    ...RequestBase,
    type: Type.Literal('subscribe'),
    services: Type.Array(Service, { minItems: 1, uniqueItems: true }),
    clientCorrelator: Type.String({
      minLength: 1,
      maxLength: 128,
      description: 'One per device: the same correlator replaces the earlier subscription.',
    }),
    expires: Type.Optional(
      Type.Integer({ minimum: SUBSCRIPTION_EXPIRES.MIN, maximum: SUBSCRIPTION_EXPIRES.MAX }),
    ),
    multiCall: Type.Optional(
      Type.Boolean({
        description:
          'This device takes a second call while in one (Sinch’s `multiCall`): it rings instead of the caller getting busy (486). Default false.',
      }),
    ),
  },
  { additionalProperties: false, description: 'Reply: `{subscription}`.' },
);
export const UnsubscribeFrame = Type.Object(
  {
    ...RequestBase,
    type: Type.Literal('unsubscribe'),
    services: Type.Optional(Type.Array(Service, { minItems: 1, uniqueItems: true })),
  },
  {
    additionalProperties: false,
    description: 'Without `services`: all. Reply: `{subscription}` (null when none is left).',
  },
);
export const ExtendFrame = Type.Object(
  {
    ...RequestBase,
    type: Type.Literal('subscription.extend'),
    expires: Type.Optional(
      Type.Integer({ minimum: SUBSCRIPTION_EXPIRES.MIN, maximum: SUBSCRIPTION_EXPIRES.MAX }),
    ),
  },
  { additionalProperties: false, description: 'Reply: `{subscription}`.' },
);
export const TokenUpdateFrame = Type.Object(
  {
    ...RequestBase,
    type: Type.Literal('token.update'),
    accessToken: Type.String({ minLength: 1, maxLength: 4096 }),
  },
  {
    additionalProperties: false,
    description:
      'A refreshed access token for this socket, so it stays open past the old one’s expiry. Reply: `{expiresAt}`.',
  },
);

// ── Calls: client → server ───────────────────────────────────────────────────

const CallId = Type.String({
  format: 'uuid',
  description: 'Made by the caller (crypto.randomUUID()).',
});
const Sdp = Type.String({ minLength: 1, maxLength: 32768, description: 'A session description.' });
export const CustomParameterSchema = Type.Object(
  { name: Type.String({ minLength: 1, maxLength: 64 }), value: Type.String({ maxLength: 1024 }) },
  { additionalProperties: false },
);
const CustomParameters = Type.Array(CustomParameterSchema, { maxItems: 16 });
export const MediaOfferedSchema = Type.Object(
  { audio: Type.Boolean(), video: Type.Boolean() },
  { additionalProperties: false },
);
export const CandidateSchema = Type.Union([
  Type.Object(
    {
      candidate: Type.String({ maxLength: 1024 }),
      sdpMid: Type.Optional(Type.Union([Type.String({ maxLength: 64 }), Type.Null()])),
      sdpMLineIndex: Type.Optional(
        Type.Union([Type.Integer({ minimum: 0, maximum: 64 }), Type.Null()]),
      ),
      usernameFragment: Type.Optional(Type.Union([Type.String({ maxLength: 256 }), Type.Null()])),
    },
    { additionalProperties: false },
  ),
  Type.Null(),
]);

export const CallInviteFrame = Type.Object(
  {
    ...RequestBase,
    type: Type.Literal('call.invite'),
    callId: CallId,
    to: Type.String({
      minLength: 1,
      maxLength: 256,
      description: 'User id, sip: or tel: URI, or E.164.',
    }),
    sdp: Sdp,
    media: MediaOfferedSchema,
    displayName: Type.Optional(Type.String({ maxLength: 64 })),
    customParameters: Type.Optional(CustomParameters),
    transfer: Type.Optional(
      Type.Object(
        { callId: CallId, transferId: Type.String({ minLength: 1, maxLength: 64 }) },
        {
          additionalProperties: false,
          description:
            'Set by a transferee calling the target of `call:transfer`: the transferred call and the transfer’s id.',
        },
      ),
    ),
  },
  {
    additionalProperties: false,
    description:
      'Rings every subscribed device of the callee. Reply: `{to: {id, displayName}}`. Busy, no answer and rejection arrive later as `call:ended`.',
  },
);
function callControl<T extends string, E extends TProperties>(
  type: T,
  description: string,
  extra: E,
) {
  return Type.Object(
    { ...RequestBase, type: Type.Literal(type), callId: CallId, ...extra },
    { additionalProperties: false, description },
  );
}
export const CallRingingFrame = callControl(
  'call.ringing',
  'The callee’s device rings (sent to the caller as `call:ringing`).',
  {},
);
export const CallAnswerFrame = callControl(
  'call.answer',
  'The first answer wins; other devices get `call:ended` (answered elsewhere).',
  {
    sdp: Sdp,
    customParameters: Type.Optional(CustomParameters),
  },
);
export const CallRejectFrame = callControl(
  'call.reject',
  'Declines the call for every device (603).',
  {},
);
export const CallEndFrame = callControl(
  'call.end',
  'Hangs up, or cancels before answer (487).',
  {},
);
export const CallOfferFrame = callControl(
  'call.offer',
  'A renegotiation offer (hold, media change), with the custom parameters set on the call.',
  {
    sdp: Sdp,
    hold: Type.Boolean(),
    customParameters: Type.Optional(CustomParameters),
  },
);
export const CallAnswerOfferFrame = callControl(
  'call.answerOffer',
  'The answer to a renegotiation offer, with the custom parameters set on the call.',
  { sdp: Sdp, customParameters: Type.Optional(CustomParameters) },
);
export const CallParametersFrame = callControl(
  'call.parameters',
  'Sends custom parameters to the other party of an answered call (`call:parameters`). Reply: `{}`.',
  { customParameters: CustomParameters },
);
export const CallCandidateFrame = callControl(
  'call.candidate',
  'A trickled ICE candidate; null ends them.',
  {
    candidate: CandidateSchema,
  },
);

export const CallTransferFrame = callControl(
  'call.transfer',
  'A party transfers the other party of an answered call (SIP REFER): exactly one of `destination` (direct, or blind) and `otherCallId` (consultative, or warm: the other party of that call is the target). The other party gets `call:transfer` and calls the target; the outcome reaches the transferrer as `call:transferred`, and on success the call(s) end (200 "Transferred"). Reply: `{}`.',
  {
    destination: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 256,
        description: 'User id, sip: or tel: URI, or E.164.',
      }),
    ),
    otherCallId: Type.Optional(CallId),
  },
);

export const CallForwardFrame = callControl(
  'call.forward',
  'The callee forwards a call that rings on this device to `destination` (SIP 302), who rings instead: every device of the callee gets `call:ended` 302 "Forwarded" (this one learns it from the reply), the destination’s devices `call:incoming` with the caller’s offer and the candidates the caller sent so far (`call:candidate`), and the caller `call:forwarded`. The call keeps its id and the no-answer timeout starts again. Reply: `{by, to}`.',
  {
    destination: Type.String({
      minLength: 1,
      maxLength: 256,
      description: 'User id, sip: or tel: URI, or E.164.',
    }),
  },
);

// ── Messaging: client → server ───────────────────────────────────────────────

export const TextPart = Type.Object(
  { type: Type.Literal('text'), text: Type.String({ minLength: 1, maxLength: MAX_TEXT_LENGTH }) },
  { additionalProperties: false },
);
const Parts = Type.Array(TextPart, { minItems: 1, maxItems: 8 });
const ConversationId = Type.String({ minLength: 1, maxLength: 64 });
const ConversationType = Type.Union([
  Type.Literal('im'),
  Type.Literal('chat'),
  Type.Literal('sms'),
]);
const UserRef = Type.String({
  minLength: 1,
  maxLength: 256,
  description: 'A user id (username), or an E.164 number for sms.',
});

export const ConversationOpenFrame = Type.Object(
  {
    ...RequestBase,
    type: Type.Literal('conversation.open'),
    destination: UserRef,
    conversationType: Type.Optional(ConversationType),
  },
  {
    additionalProperties: false,
    description:
      'The one-to-one conversation with `destination` (a username, user id, email or E.164 number): created once, then the same from either side; when created, the other member and the sender’s other devices get `conversation:new`. `conversation:unknownDestination` when there is no such user. Reply: `{conversation}`.',
  },
);
export const ConversationCreateFrame = Type.Object(
  {
    ...RequestBase,
    type: Type.Literal('conversation.create'),
    members: Type.Array(UserRef, { minItems: 1, maxItems: 100, uniqueItems: true }),
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
  },
  {
    additionalProperties: false,
    description:
      'A group conversation (`chat`) with `members` and the sender; the members and the sender’s other devices get `conversation:new`. `conversation:unknownDestination` names members that do not exist. Reply: `{conversation}`.',
  },
);
export const ConversationListFrame = Type.Object(
  { ...RequestBase, type: Type.Literal('conversation.list') },
  {
    additionalProperties: false,
    description: 'Every conversation of the user, with unread counts. Reply: `{conversations}`.',
  },
);
export const MessageSendFrame = Type.Object(
  {
    ...RequestBase,
    type: Type.Literal('message.send'),
    conversationId: ConversationId,
    clientId: Type.String({
      format: 'uuid',
      description:
        'Made by the sender; the server stores once per clientId. Any UUID; a time-ordered one (UUIDv7, as the core makes) is cheaper for the server to index than a random one.',
    }),
    parts: Parts,
  },
  {
    additionalProperties: false,
    description:
      'Replied to after storing: `{message}`; then every `chat` socket of every member but this one gets `message:new`. Sending the same clientId again returns the stored message (same id and seq), also after a server restart. `conversation:notFound` when there is no such conversation or the user is not a member (the same answer); `message:tooLarge` for text over the limit; `message:rateLimited` when the user sends too fast (not stored: send it again later, same clientId).',
  },
);
export const MessageHistoryFrame = Type.Object(
  {
    ...RequestBase,
    type: Type.Literal('message.history'),
    conversationId: ConversationId,
    afterSeq: Type.Optional(
      Type.Integer({
        minimum: 0,
        description: 'Messages with seq > afterSeq, oldest first (catch-up).',
      }),
    ),
    beforeSeq: Type.Optional(
      Type.Integer({
        minimum: 1,
        description: 'Messages with seq < beforeSeq, newest first (older on demand).',
      }),
    ),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })),
  },
  {
    additionalProperties: false,
    description:
      'Give `afterSeq` or `beforeSeq`, not both (`request:invalid`); neither: the newest page. Members only. Reply: `{messages, hasMore}` (messages always in ascending seq).',
  },
);
export const MessageReceiptFrame = Type.Object(
  {
    ...RequestBase,
    type: Type.Literal('message.receipt'),
    conversationId: ConversationId,
    kind: Type.Union([Type.Literal('delivered'), Type.Literal('read')]),
    seq: Type.Integer({ minimum: 1, description: 'Everything up to and including seq.' }),
  },
  {
    additionalProperties: false,
    description:
      'Marks messages delivered or read up to `seq`. Watermarks only move forward, never past the newest message; read implies delivered. When one moved, the members’ `chat` sockets get `message:receipt`. Reply: `{}`.',
  },
);
export const TypingFrame = Type.Object(
  {
    ...RequestBase,
    type: Type.Literal('typing'),
    conversationId: ConversationId,
    active: Type.Boolean(),
  },
  {
    additionalProperties: false,
    description:
      'Typing indicator; the other members’ `chat` sockets get `typing` (expires after 6 s without renewal). Never stored. Reply: `{}`.',
  },
);

// ── Presence, contacts, directory: client → server ───────────────────────────

const Status = Type.Union(PRESENCE_STATUS_VALUES.map((v) => Type.Literal(v)));
const Activity = Type.Union(PRESENCE_ACTIVITY_VALUES.map((v) => Type.Literal(v)));
const Users = Type.Array(UserRef, { minItems: 1, maxItems: 500, uniqueItems: true });

export const PresenceUpdateFrame = Type.Object(
  {
    ...RequestBase,
    type: Type.Literal('presence.update'),
    status: Status,
    activity: Activity,
    note: Type.Optional(Type.String({ maxLength: 256 })),
  },
  {
    additionalProperties: false,
    description: 'Reply: `{presence}`; watchers get `presence:change`.',
  },
);
export const PresenceFetchFrame = Type.Object(
  { ...RequestBase, type: Type.Literal('presence.fetch'), users: Users },
  {
    additionalProperties: false,
    description:
      'Presence of the users this user may see; the others are left out. Reply: `{presence: Presence[]}`.',
  },
);
export const PresenceSubscribeFrame = Type.Object(
  { ...RequestBase, type: Type.Literal('presence.subscribe'), users: Users },
  {
    additionalProperties: false,
    description:
      'Watch users: their changes arrive as `presence:change`. All or nothing: `presence:forbidden` names the users this user may not see (or that do not exist). Reply: `{presence}`.',
  },
);
export const PresenceUnsubscribeFrame = Type.Object(
  { ...RequestBase, type: Type.Literal('presence.unsubscribe'), users: Users },
  { additionalProperties: false, description: 'Stop watching. Reply: `{}`.' },
);
export const AvailabilityFrame = Type.Object(
  { ...RequestBase, type: Type.Literal('presence.available'), available: Type.Boolean() },
  {
    additionalProperties: false,
    description: 'Notify’s setClientAvailable: this client takes calls or not. Reply: `{}`.',
  },
);
export const AvailableClientsFrame = Type.Object(
  { ...RequestBase, type: Type.Literal('presence.availableClients') },
  {
    additionalProperties: false,
    description:
      'Notify’s getAvailableClients: available connected users, excluding self. Reply: `{clients}`.',
  },
);

export const ContactFields = {
  primaryContact: UserRef,
  firstName: Type.Optional(Type.String({ maxLength: 100 })),
  lastName: Type.Optional(Type.String({ maxLength: 100 })),
  photoUrl: Type.Optional(Type.String({ maxLength: 2048, pattern: '^https?://' })),
  emailAddress: Type.Optional(Type.String({ maxLength: 254 })),
  homePhone: Type.Optional(Type.String({ maxLength: 32 })),
  workPhone: Type.Optional(Type.String({ maxLength: 32 })),
  mobilePhone: Type.Optional(Type.String({ maxLength: 32 })),
  conferenceURL: Type.Optional(Type.String({ maxLength: 2048 })),
  fax: Type.Optional(Type.String({ maxLength: 32 })),
  pager: Type.Optional(Type.String({ maxLength: 32 })),
  groupList: Type.Optional(Type.String({ maxLength: 100 })),
  friendStatus: Type.Optional(Type.Boolean()),
};
export const Contact = Type.Object(
  { contactId: Type.String({ minLength: 1, maxLength: 64 }), ...ContactFields },
  { $id: 'Contact', additionalProperties: false },
);
export type Contact = Static<typeof Contact>;

export const ContactsListFrame = Type.Object(
  { ...RequestBase, type: Type.Literal('contacts.list') },
  { additionalProperties: false, description: 'Reply: `{contacts}`.' },
);
export const ContactsAddFrame = Type.Object(
  {
    ...RequestBase,
    type: Type.Literal('contacts.add'),
    contact: Type.Object(
      { contactId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })), ...ContactFields },
      { additionalProperties: false },
    ),
  },
  {
    additionalProperties: false,
    description: 'Reply: `{contact}` (contactId made by the server when absent).',
  },
);
export const ContactsUpdateFrame = Type.Object(
  { ...RequestBase, type: Type.Literal('contacts.update'), contact: Contact },
  { additionalProperties: false, description: 'Reply: `{contact}`.' },
);
export const ContactsRemoveFrame = Type.Object(
  {
    ...RequestBase,
    type: Type.Literal('contacts.remove'),
    contactId: Type.String({ minLength: 1, maxLength: 64 }),
  },
  { additionalProperties: false, description: 'Reply: `{}`.' },
);
export const DirectorySearchFrame = Type.Object(
  {
    ...RequestBase,
    type: Type.Literal('directory.search'),
    filters: Type.Object(
      {
        userId: Type.Optional(Type.String({ maxLength: 256 })),
        name: Type.Optional(Type.String({ maxLength: 100 })),
        firstName: Type.Optional(Type.String({ maxLength: 100 })),
        lastName: Type.Optional(Type.String({ maxLength: 100 })),
        userName: Type.Optional(Type.String({ maxLength: 100 })),
        phoneNumber: Type.Optional(Type.String({ maxLength: 32 })),
      },
      { additionalProperties: false },
    ),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 50 })),
  },
  {
    additionalProperties: false,
    description:
      'Users of the directory matching every filter given (substring, case-insensitive). On a gateway started with `--directory-details contacts`, a user’s `emailAddress` and `phoneNumber` are null except to their mutual contacts and themselves, and `phoneNumber` matches whole numbers only. Reply: `{users}`.',
  },
);
export const UserFetchFrame = Type.Object(
  { ...RequestBase, type: Type.Literal('user.fetch'), userId: UserRef },
  {
    additionalProperties: false,
    description: 'Reply: `{user}` (null when there is no such user).',
  },
);

/** Every request frame, keyed by `type`. Features add theirs here. */
export const RequestFrames = {
  ping: PingFrame,
  subscribe: SubscribeFrame,
  unsubscribe: UnsubscribeFrame,
  'subscription.extend': ExtendFrame,
  'token.update': TokenUpdateFrame,
  'call.invite': CallInviteFrame,
  'call.ringing': CallRingingFrame,
  'call.answer': CallAnswerFrame,
  'call.reject': CallRejectFrame,
  'call.end': CallEndFrame,
  'call.offer': CallOfferFrame,
  'call.answerOffer': CallAnswerOfferFrame,
  'call.parameters': CallParametersFrame,
  'call.candidate': CallCandidateFrame,
  'call.transfer': CallTransferFrame,
  'call.forward': CallForwardFrame,
  'conversation.open': ConversationOpenFrame,
  'conversation.create': ConversationCreateFrame,
  'conversation.list': ConversationListFrame,
  'message.send': MessageSendFrame,
  'message.history': MessageHistoryFrame,
  'message.receipt': MessageReceiptFrame,
  typing: TypingFrame,
  'presence.update': PresenceUpdateFrame,
  'presence.fetch': PresenceFetchFrame,
  'presence.subscribe': PresenceSubscribeFrame,
  'presence.unsubscribe': PresenceUnsubscribeFrame,
  'presence.available': AvailabilityFrame,
  'presence.availableClients': AvailableClientsFrame,
  'contacts.list': ContactsListFrame,
  'contacts.add': ContactsAddFrame,
  'contacts.update': ContactsUpdateFrame,
  'contacts.remove': ContactsRemoveFrame,
  'directory.search': DirectorySearchFrame,
  'user.fetch': UserFetchFrame,
} as const satisfies Record<string, TSchema>;
export type RequestType = keyof typeof RequestFrames;
export type RequestFrame<T extends RequestType = RequestType> = Static<(typeof RequestFrames)[T]>;

// ── WebSocket: server → client ───────────────────────────────────────────────

export const Subscription = Type.Object(
  {
    id: Type.String(),
    clientCorrelator: Type.String(),
    services: Type.Array(Service),
    expires: Type.Integer({ description: 'Lifetime in seconds, as granted.' }),
    expiresAt: Type.Integer({
      description: 'When it lapses unless extended (ms since the epoch).',
    }),
  },
  { $id: 'Subscription' },
);
export type Subscription = Static<typeof Subscription>;

/** A stored message. */
export const Message = Type.Object(
  {
    id: Type.String({ description: 'Server id.' }),
    clientId: Type.String({ description: 'The sender’s id for it (idempotency key).' }),
    conversationId: Type.String(),
    seq: Type.Integer({ description: 'Position in the conversation, from 1, without gaps.' }),
    sender: Type.String({ description: 'The sender’s user id.' }),
    parts: Type.Array(TextPart),
    timestamp: Type.Integer({ description: 'When the server stored it (ms since the epoch).' }),
  },
  { $id: 'Message' },
);
export type Message = Static<typeof Message>;

/** Per member: how far they have received and read. */
export const MemberState = Type.Object({
  userId: Type.String(),
  displayName: Type.String(),
  deliveredSeq: Type.Integer(),
  readSeq: Type.Integer(),
});
export type MemberState = Static<typeof MemberState>;

/** A conversation as its member sees it. */
export const Conversation = Type.Object(
  {
    id: Type.String(),
    type: ConversationType,
    name: Type.Union([Type.String(), Type.Null()]),
    members: Type.Array(MemberState),
    lastSeq: Type.Integer({ description: 'The seq of the newest message (0 when empty).' }),
    lastMessage: Type.Union([Message, Type.Null()]),
    unread: Type.Integer({ description: 'Messages from others after this user’s readSeq.' }),
    createdAt: Type.Integer(),
  },
  { $id: 'Conversation' },
);
export type Conversation = Static<typeof Conversation>;

/** A user's presence. */
export const Presence = Type.Object(
  {
    userId: Type.String(),
    status: Status,
    activity: Activity,
    note: Type.String(),
    available: Type.Boolean({
      description: 'Takes calls (Notify’s availability); false when offline.',
    }),
    updatedAt: Type.Integer(),
  },
  { $id: 'Presence' },
);
export type Presence = Static<typeof Presence>;

/** A directory entry. */
export const DirectoryUser = Type.Object(
  {
    userId: Type.String(),
    userName: Type.Union([Type.String(), Type.Null()]),
    displayName: Type.String(),
    firstName: Type.String(),
    lastName: Type.String(),
    emailAddress: Type.Union([Type.String(), Type.Null()]),
    phoneNumber: Type.Union([Type.String(), Type.Null()]),
    photoUrl: Type.Union([Type.String(), Type.Null()]),
  },
  { $id: 'DirectoryUser' },
);
export type DirectoryUser = Static<typeof DirectoryUser>;

/** The success payload of each request type (merged into `{v, re, ok: true}`). */
export const ReplyPayloads = {
  ping: Type.Object({ time: Type.Integer() }),
  subscribe: Type.Object({ subscription: Subscription }),
  unsubscribe: Type.Object({ subscription: Type.Union([Subscription, Type.Null()]) }),
  'subscription.extend': Type.Object({ subscription: Subscription }),
  'token.update': Type.Object({ expiresAt: Type.Integer() }),
  'call.invite': Type.Object({
    to: Type.Object({ id: Type.String(), displayName: Type.String() }),
  }),
  'call.ringing': Type.Object({}),
  'call.answer': Type.Object({}),
  'call.reject': Type.Object({}),
  'call.end': Type.Object({}),
  'call.offer': Type.Object({}),
  'call.answerOffer': Type.Object({}),
  'call.parameters': Type.Object({}),
  'call.candidate': Type.Object({}),
  'call.transfer': Type.Object({}),
  'call.forward': Type.Object({
    by: Type.Object({ id: Type.String(), displayName: Type.String() }),
    to: Type.Object({ id: Type.String(), displayName: Type.String() }),
  }),
  'conversation.open': Type.Object({ conversation: Conversation }),
  'conversation.create': Type.Object({ conversation: Conversation }),
  'conversation.list': Type.Object({ conversations: Type.Array(Conversation) }),
  'message.send': Type.Object({ message: Message }),
  'message.history': Type.Object({ messages: Type.Array(Message), hasMore: Type.Boolean() }),
  'message.receipt': Type.Object({}),
  typing: Type.Object({}),
  'presence.update': Type.Object({ presence: Presence }),
  'presence.fetch': Type.Object({ presence: Type.Array(Presence) }),
  'presence.subscribe': Type.Object({ presence: Type.Array(Presence) }),
  'presence.unsubscribe': Type.Object({}),
  'presence.available': Type.Object({}),
  'presence.availableClients': Type.Object({
    clients: Type.Array(Type.Object({ userId: Type.String(), displayName: Type.String() })),
  }),
  'contacts.list': Type.Object({ contacts: Type.Array(Contact) }),
  'contacts.add': Type.Object({ contact: Contact }),
  'contacts.update': Type.Object({ contact: Contact }),
  'contacts.remove': Type.Object({}),
  'directory.search': Type.Object({ users: Type.Array(DirectoryUser) }),
  'user.fetch': Type.Object({ user: Type.Union([DirectoryUser, Type.Null()]) }),
} as const satisfies Record<RequestType, TSchema>;
export type ReplyPayload<T extends RequestType> = Static<(typeof ReplyPayloads)[T]>;

export const OkReply = Type.Object(
  { v: Type.Literal(PROTOCOL_VERSION), re: Type.String(), ok: Type.Literal(true) },
  { additionalProperties: true, description: 'Plus the request type’s reply payload.' },
);
export const ErrorReply = Type.Object(
  {
    v: Type.Literal(PROTOCOL_VERSION),
    re: Type.Union([Type.String(), Type.Null()], {
      description: 'Null when the frame had no readable id.',
    }),
    ok: Type.Literal(false),
    error: ErrorBody,
  },
  { description: 'Exactly one reply answers each request.' },
);
export type OkReply<T extends RequestType = RequestType> = Static<typeof OkReply> & ReplyPayload<T>;
export type ErrorReply = Static<typeof ErrorReply>;
export type Reply<T extends RequestType = RequestType> = OkReply<T> | ErrorReply;

// ── Call history (REST, and pushed events) ───────────────────────────────────

/** One call record (CDR), as the gateway keeps it for each party. */
export const CallRecord = Type.Object(
  {
    id: Type.String({ description: 'The record’s id (per user).' }),
    callId: Type.String(),
    direction: Type.Union([Type.Literal('outgoing'), Type.Literal('incoming')]),
    remoteParticipant: Type.Object({ id: Type.String(), displayName: Type.String() }),
    media: MediaOfferedSchema,
    startTime: Type.Integer({ description: 'ms since the epoch' }),
    answerTime: Type.Union([Type.Integer(), Type.Null()]),
    endTime: Type.Union([Type.Integer(), Type.Null()]),
    duration: Type.Integer({ description: 'Seconds connected (0 if never answered).' }),
    result: Type.Union(
      ['answered', 'missed', 'rejected', 'busy', 'cancelled', 'noAnswer', 'failed'].map((r) =>
        Type.Literal(r),
      ),
    ),
    statusCode: Type.Integer(),
    reasonText: Type.String(),
  },
  { $id: 'CallRecord' },
);
export type CallRecord = Static<typeof CallRecord>;

// ── Voicemail (REST, and pushed events) ──────────────────────────────────────

/** One voicemail, as its recipient sees it (the audio is fetched on its own). */
export const Voicemail = Type.Object(
  {
    id: Type.String(),
    from: Type.Object(
      { id: Type.String(), displayName: Type.String() },
      { description: 'Who left it: their wire id and name when they left it.' },
    ),
    callId: Type.Union([Type.String(), Type.Null()], {
      description: 'The unanswered call it follows, when the sender gave one.',
    }),
    contentType: Type.String({ description: 'The recording’s type (`audio/webm`, …).' }),
    size: Type.Integer({ description: 'Bytes.' }),
    durationMs: Type.Integer({ description: 'Length, ms, as the sender’s recorder measured it.' }),
    createdAt: Type.Integer({ description: 'ms since the epoch' }),
    heardAt: Type.Union([Type.Integer(), Type.Null()], {
      description: 'When it was first marked heard; null while new.',
    }),
  },
  { $id: 'Voicemail' },
);
export type Voicemail = Static<typeof Voicemail>;

/** `POST /v1/voicemails?to=&durationMs=&callId=`: the recording is the raw body. */
export const VoicemailLeaveQuery = Type.Object(
  {
    to: Type.String({
      minLength: 1,
      maxLength: 256,
      description: 'The recipient: username, user id, email or E.164 number.',
    }),
    durationMs: Type.Integer({ minimum: 1, maximum: MAX_VOICEMAIL_DURATION_MS }),
    callId: Type.Optional(
      Type.String({ minLength: 1, maxLength: 128, description: 'The unanswered call it follows.' }),
    ),
  },
  { additionalProperties: false },
);
export const VoicemailLeaveResponse = Type.Object(
  {
    id: Type.String(),
    to: Type.Object({ id: Type.String(), displayName: Type.String() }),
    createdAt: Type.Integer(),
  },
  { $id: 'VoicemailLeaveResponse' },
);
export type VoicemailLeaveResponse = Static<typeof VoicemailLeaveResponse>;
export const VoicemailListResponse = Type.Object(
  { voicemails: Type.Array(Voicemail, { description: 'Newest first; the whole mailbox.' }) },
  { $id: 'VoicemailListResponse' },
);
export type VoicemailListResponse = Static<typeof VoicemailListResponse>;
export const VoicemailResponse = Type.Object(
  { voicemail: Voicemail },
  { $id: 'VoicemailResponse' },
);
export type VoicemailResponse = Static<typeof VoicemailResponse>;

/** The payload of each pushed event (merged into `{v, type: 'event', event}`). */
export const EventPayloads = {
  'subscription:change': Type.Object({
    reason: Type.Union([
      Type.Literal('replaced'),
      Type.Literal('expired'),
      Type.Literal('unsubscribed'),
    ]),
    subscription: Type.Union([Subscription, Type.Null()]),
  }),
  'call:incoming': Type.Object({
    callId: Type.String(),
    from: Type.Object({ id: Type.String(), displayName: Type.String() }),
    sdp: Type.String(),
    media: MediaOfferedSchema,
    customParameters: CustomParameters,
    transfer: Type.Optional(
      Type.Object({
        referredBy: Type.Object({ id: Type.String(), displayName: Type.String() }),
        replaces: Type.Union([Type.String(), Type.Null()]),
      }),
    ),
    forwarded: Type.Optional(
      Type.Array(
        Type.Object({
          by: Type.Object({ id: Type.String(), displayName: Type.String() }),
          to: Type.Object({ id: Type.String(), displayName: Type.String() }),
        }),
        {
          description:
            'Set when the call was forwarded to this user: each forwarding, oldest first.',
        },
      ),
    ),
  }),
  'call:ringing': Type.Object({ callId: Type.String() }),
  'call:answered': Type.Object({
    callId: Type.String(),
    sdp: Type.String(),
    customParameters: CustomParameters,
  }),
  'call:ended': Type.Object({
    callId: Type.String(),
    statusCode: Type.Integer(),
    reasonText: Type.String(),
  }),
  'call:offer': Type.Object({
    callId: Type.String(),
    sdp: Type.String(),
    hold: Type.Boolean(),
    customParameters: Type.Optional(CustomParameters),
  }),
  'call:answer': Type.Object({
    callId: Type.String(),
    sdp: Type.String(),
    customParameters: Type.Optional(CustomParameters),
  }),
  'call:parameters': Type.Object({ callId: Type.String(), customParameters: CustomParameters }),
  'call:candidate': Type.Object({ callId: Type.String(), candidate: CandidateSchema }),
  'call:transfer': Type.Object({
    callId: Type.String(),
    transferId: Type.String(),
    to: Type.String(),
    referredBy: Type.Object({ id: Type.String(), displayName: Type.String() }),
  }),
  'call:transferred': Type.Object({
    callId: Type.String(),
    error: Type.Optional(ErrorBody),
  }),
  'call:forwarded': Type.Object(
    {
      callId: Type.String(),
      by: Type.Object({ id: Type.String(), displayName: Type.String() }),
      to: Type.Object({ id: Type.String(), displayName: Type.String() }),
    },
    {
      description:
        'To the caller: the callee `by` forwarded the call to `to`, whose devices ring now (same call id, same offer).',
    },
  ),
  'message:new': Type.Object({ message: Message }),
  'message:receipt': Type.Object({
    conversationId: Type.String(),
    userId: Type.String(),
    deliveredSeq: Type.Integer(),
    readSeq: Type.Integer(),
  }),
  'conversation:new': Type.Object({ conversation: Conversation }),
  typing: Type.Object({
    conversationId: Type.String(),
    userId: Type.String(),
    active: Type.Boolean(),
  }),
  'presence:change': Type.Object({ presence: Presence }),
  'contacts:change': Type.Object({ contacts: Type.Array(Contact) }),
  'callHistory:new': Type.Object(
    { record: CallRecord },
    {
      description:
        'To the owner’s sockets subscribed to calls: a call of theirs ended and its record was stored (also a call they missed while busy, or rang on another device).',
    },
  ),
  'voicemail:new': Type.Object(
    { voicemail: Voicemail },
    { description: 'To every socket of the recipient: a voicemail was left for them.' },
  ),
  'voicemail:heard': Type.Object(
    { id: Type.String(), heardAt: Type.Integer() },
    { description: 'To the recipient’s sockets: one of their devices marked it heard.' },
  ),
  'voicemail:removed': Type.Object(
    { id: Type.String() },
    { description: 'To the recipient’s sockets: one of their devices deleted it.' },
  ),
} as const satisfies Record<string, TSchema>;
export type EventName = keyof typeof EventPayloads;
export type EventFrame<E extends EventName = EventName> = {
  v: typeof PROTOCOL_VERSION;
  type: 'event';
  event: E;
} & Static<(typeof EventPayloads)[E]>;

// ── Call history (REST): its query and answer ─────────────────────────────────

/** `GET /v1/calls?limit=&offset=`: newest first. */
export const CallHistoryQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
    offset: Type.Optional(Type.Integer({ minimum: 0, default: 0 })),
  },
  { additionalProperties: false },
);
export const CallHistoryResponse = Type.Object(
  { records: Type.Array(CallRecord), total: Type.Integer() },
  { $id: 'CallHistoryResponse' },
);
export type CallHistoryResponse = Static<typeof CallHistoryResponse>;

/** `GET /v1/turn-credentials`: short-lived TURN credentials (coturn's shared-secret form). */
export const TurnCredentialsResponse = Type.Object(
  {
    iceServers: Type.Array(
      Type.Object({
        urls: Type.Array(Type.String()),
        username: Type.Optional(Type.String()),
        credential: Type.Optional(Type.String()),
      }),
    ),
    ttl: Type.Integer({ description: 'Seconds the credentials stay valid.' }),
  },
  { $id: 'TurnCredentialsResponse' },
);
export type TurnCredentialsResponse = Static<typeof TurnCredentialsResponse>;

export const SipCredentialsResponse = Type.Object(
  {
    wsUrl: Type.String({ description: "The SIP proxy's SIP-over-WebSocket URL." }),
    domain: Type.String({ description: 'The SIP domain.' }),
    uri: Type.String({ description: "The user's address of record: `sip:<userId>@<domain>`." }),
    username: Type.String({ description: '`<expiry unix seconds>:<userId>`.' }),
    password: Type.String({ description: 'base64(HMAC-SHA1(secret, username)).' }),
    displayName: Type.String(),
    ttl: Type.Integer({ description: 'Seconds the credentials stay valid.' }),
    ringTimeout: Type.Integer({
      description:
        "Seconds a call rings unanswered before the caller ends it (the gateway's --call-timeout).",
    }),
  },
  { $id: 'SipCredentialsResponse' },
);
export type SipCredentialsResponse = Static<typeof SipCredentialsResponse>;
