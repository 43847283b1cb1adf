/**
 * The gateway's REST endpoints, described from the schemas in `schema.ts`: method, path,
 * authentication, request body, success status and body, and the error codes each can
 * answer. The gateway registers its routes from this table, and `docs/protocol.md` is written
 * from it, so the two cannot drift. Like `schema.ts`, the core imports only its types.
 */
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import {
  Routes,
  SIP_CREDENTIALS_ROUTE,
  SIP_NOT_CONFIGURED,
  WireErrorCodes,
  type WireErrorCode,
} from './constants.js';
import { MAX_VOICEMAIL_BYTES, VOICEMAIL_CONTENT_TYPES } from './voicemail-limits.js';
import {
  CallHistoryQuery,
  CallHistoryResponse,
  LoginRequest,
  LogoutRequest,
  RefreshRequest,
  SignupRequest,
  SignupResponse,
  SipCredentialsResponse,
  TokenResponse,
  TurnCredentialsResponse,
  UserInfo,
  VoicemailLeaveQuery,
  VoicemailLeaveResponse,
  VoicemailListResponse,
  VoicemailResponse,
} from './schema.js';

/** `GET /v1/users/me`: the signed-in user. */
export const MeResponse = Type.Object({ user: UserInfo }, { $id: 'MeResponse' });
export type MeResponse = Static<typeof MeResponse>;

/** `GET /healthz`: the process is up. */
export const HealthResponse = Type.Object(
  { status: Type.Literal('ok'), version: Type.String() },
  { $id: 'HealthResponse' },
);
export type HealthResponse = Static<typeof HealthResponse>;

/** `GET /readyz`: the process can serve (its storage answers); otherwise 503. */
export const ReadyResponse = Type.Object(
  { status: Type.Literal('ready') },
  { $id: 'ReadyResponse' },
);
export type ReadyResponse = Static<typeof ReadyResponse>;

/** One REST endpoint. */
export interface Endpoint {
  method: 'GET' | 'POST' | 'DELETE';
  /** The path; `:name` is a path parameter. */
  path: string;
  /** `'bearer'`: `Authorization: Bearer <accessToken>` required. */
  auth: 'none' | 'bearer';
  /** What it does. */
  summary: string;
  /** JSON request body, or null for none (or for a raw body: {@link Endpoint.rawBody}). */
  body: TSchema | null;
  /** A body that is not JSON (a recording): what it must be. */
  rawBody?: string;
  /** An answer that is not JSON (a recording): what it is. */
  rawResponse?: string;
  /** Query parameters (each a string on the wire, read as the schema's type), when it takes any. */
  query?: TSchema;
  /** HTTP status on success. */
  status: 200 | 201 | 204;
  /** JSON response body on success, or null for none (204). */
  response: TSchema | null;
  /** Error codes it can answer besides `request:invalid`, `rate:limited`, `server:internal`. */
  errors: readonly WireErrorCode[];
  /** Rate limited per client IP (the auth routes). */
  rateLimited: boolean;
}

const E = WireErrorCodes;

/** Every REST endpoint, by name. */
export const Endpoints = {
  signup: {
    method: 'POST',
    path: Routes.SIGNUP,
    auth: 'none',
    summary:
      'Creates an account (Sinch `newUser`) with at least one of username, email and number. Does not log in.',
    body: SignupRequest,
    status: 201,
    response: SignupResponse,
    errors: [E.IDENTITY_INVALID, E.IDENTITY_TAKEN, E.PASSWORD_WEAK],
    rateLimited: true,
  },
  login: {
    method: 'POST',
    path: Routes.LOGIN,
    auth: 'none',
    summary:
      'Logs in with `{identity, password}` or an app-signed `{ticket}`; starts a session (a refresh-token family).',
    body: LoginRequest,
    status: 200,
    response: TokenResponse,
    errors: [
      E.AUTH_INVALID_CREDENTIALS,
      E.AUTH_TICKET_INVALID,
      E.AUTH_TICKET_EXPIRED,
      E.AUTH_TICKETS_DISABLED,
    ],
    rateLimited: true,
  },
  refresh: {
    method: 'POST',
    path: Routes.REFRESH,
    auth: 'none',
    summary:
      'Trades a refresh token for a new pair; the old one is spent. Presenting a spent one again revokes the whole session and closes its sockets (4003).',
    body: RefreshRequest,
    status: 200,
    response: TokenResponse,
    errors: [E.AUTH_REFRESH_INVALID, E.AUTH_REFRESH_REUSED],
    rateLimited: true,
  },
  logout: {
    method: 'POST',
    path: Routes.LOGOUT,
    auth: 'none',
    summary:
      'Ends the refresh token’s session: its refresh tokens and access tokens stop working and its sockets close (4003).',
    body: LogoutRequest,
    status: 204,
    response: null,
    errors: [E.AUTH_REFRESH_INVALID],
    rateLimited: true,
  },
  me: {
    method: 'GET',
    path: Routes.ME,
    auth: 'bearer',
    summary: 'The signed-in user (Ribbon `getUserInfo`).',
    body: null,
    status: 200,
    response: MeResponse,
    errors: [E.AUTH_REQUIRED, E.AUTH_TOKEN_INVALID, E.AUTH_TOKEN_EXPIRED],
    rateLimited: false,
  },
  callHistory: {
    method: 'GET',
    path: Routes.CALLS,
    auth: 'bearer',
    summary:
      'The signed-in user’s call records (the seeds’ `call.history`), newest first: one per call they made or received. `total` counts them all.',
    body: null,
    query: CallHistoryQuery,
    status: 200,
    response: CallHistoryResponse,
    errors: [E.AUTH_REQUIRED, E.AUTH_TOKEN_INVALID, E.AUTH_TOKEN_EXPIRED],
    rateLimited: false,
  },
  callHistoryRemove: {
    method: 'DELETE',
    path: `${Routes.CALLS}/:id`,
    auth: 'bearer',
    summary:
      'Deletes one of the signed-in user’s call records (the other party keeps theirs). Another user’s record id answers 404, as an unknown one does.',
    body: null,
    status: 204,
    response: null,
    errors: [E.AUTH_REQUIRED, E.AUTH_TOKEN_INVALID, E.AUTH_TOKEN_EXPIRED, E.NOT_FOUND],
    rateLimited: false,
  },
  callHistoryClear: {
    method: 'DELETE',
    path: Routes.CALLS,
    auth: 'bearer',
    summary: 'Deletes every call record of the signed-in user.',
    body: null,
    status: 204,
    response: null,
    errors: [E.AUTH_REQUIRED, E.AUTH_TOKEN_INVALID, E.AUTH_TOKEN_EXPIRED],
    rateLimited: false,
  },
  turnCredentials: {
    method: 'GET',
    path: Routes.TURN,
    auth: 'bearer',
    summary:
      'ICE servers for calls. With a TURN shared secret configured: coturn REST-API credentials, `username` = `<expiry unix seconds>:<userId>`, `credential` = base64(HMAC-SHA1(secret, username)), valid `ttl` seconds. Without one: `iceServers` is empty.',
    body: null,
    status: 200,
    response: TurnCredentialsResponse,
    errors: [E.AUTH_REQUIRED, E.AUTH_TOKEN_INVALID, E.AUTH_TOKEN_EXPIRED],
    rateLimited: false,
  },
  sipCredentials: {
    method: 'GET',
    path: SIP_CREDENTIALS_ROUTE,
    auth: 'bearer',
    summary:
      "What `comms-kit/sip` registers with at the SIP proxy (Kamailio's `auth_ephemeral`): `username` = `<expiry unix seconds>:<userId>`, `password` = base64(HMAC-SHA1(secret, username)), valid `ttl` seconds, for the address `sip:<userId>@<domain>`. Without a SIP secret configured: 404 `sip:notConfigured`.",
    body: null,
    status: 200,
    response: SipCredentialsResponse,
    errors: [E.AUTH_REQUIRED, E.AUTH_TOKEN_INVALID, E.AUTH_TOKEN_EXPIRED, SIP_NOT_CONFIGURED],
    rateLimited: false,
  },
  voicemailLeave: {
    method: 'POST',
    path: Routes.VOICEMAILS,
    auth: 'bearer',
    summary:
      'Leaves a voicemail for another user (after an unanswered call, or without calling). The recipient’s sockets get `voicemail:new`. Each user may leave 6 at once, then 6 a minute (`--voicemail-rate-limit`; `voicemail:rateLimited`).',
    body: null,
    rawBody: `The recording itself, at most ${MAX_VOICEMAIL_BYTES} bytes, with its \`content-type\`: one of ${VOICEMAIL_CONTENT_TYPES.map((t) => `\`${t}\``).join(', ')} (parameters such as \`;codecs=opus\` allowed). Its first bytes must be that container’s signature.`,
    query: VoicemailLeaveQuery,
    status: 201,
    response: VoicemailLeaveResponse,
    errors: [
      E.AUTH_REQUIRED,
      E.AUTH_TOKEN_INVALID,
      E.AUTH_TOKEN_EXPIRED,
      E.VOICEMAIL_EMPTY,
      E.VOICEMAIL_TOO_LARGE,
      E.VOICEMAIL_TOO_LONG,
      E.VOICEMAIL_UNSUPPORTED_TYPE,
      E.VOICEMAIL_INVALID_AUDIO,
      E.VOICEMAIL_UNKNOWN_RECIPIENT,
      E.VOICEMAIL_TO_SELF,
      E.VOICEMAIL_MAILBOX_FULL,
      E.VOICEMAIL_RATE_LIMITED,
    ],
    rateLimited: false,
  },
  voicemailList: {
    method: 'GET',
    path: Routes.VOICEMAILS,
    auth: 'bearer',
    summary:
      'The signed-in user’s mailbox: the voicemails left for them, newest first (the seeds’ `voicemail.fetch` counts them).',
    body: null,
    status: 200,
    response: VoicemailListResponse,
    errors: [E.AUTH_REQUIRED, E.AUTH_TOKEN_INVALID, E.AUTH_TOKEN_EXPIRED],
    rateLimited: false,
  },
  voicemailAudio: {
    method: 'GET',
    path: `${Routes.VOICEMAILS}/:id/audio`,
    auth: 'bearer',
    summary:
      'The recording of one of the signed-in user’s voicemails (`cache-control: private, no-store`). Another user’s voicemail answers 404, as an unknown one does.',
    body: null,
    rawResponse: 'The recording’s bytes, with its `content-type`.',
    status: 200,
    response: null,
    errors: [E.AUTH_REQUIRED, E.AUTH_TOKEN_INVALID, E.AUTH_TOKEN_EXPIRED, E.VOICEMAIL_NOT_FOUND],
    rateLimited: false,
  },
  voicemailHeard: {
    method: 'POST',
    path: `${Routes.VOICEMAILS}/:id/heard`,
    auth: 'bearer',
    summary:
      'Marks one of the signed-in user’s voicemails heard (the first time counts; again changes nothing). The recipient’s sockets get `voicemail:heard`.',
    body: null,
    status: 200,
    response: VoicemailResponse,
    errors: [E.AUTH_REQUIRED, E.AUTH_TOKEN_INVALID, E.AUTH_TOKEN_EXPIRED, E.VOICEMAIL_NOT_FOUND],
    rateLimited: false,
  },
  voicemailRemove: {
    method: 'DELETE',
    path: `${Routes.VOICEMAILS}/:id`,
    auth: 'bearer',
    summary:
      'Deletes one of the signed-in user’s voicemails and its recording. The recipient’s sockets get `voicemail:removed`.',
    body: null,
    status: 204,
    response: null,
    errors: [E.AUTH_REQUIRED, E.AUTH_TOKEN_INVALID, E.AUTH_TOKEN_EXPIRED, E.VOICEMAIL_NOT_FOUND],
    rateLimited: false,
  },
  health: {
    method: 'GET',
    path: Routes.HEALTH,
    auth: 'none',
    summary: 'Liveness: the process is up.',
    body: null,
    status: 200,
    response: HealthResponse,
    errors: [],
    rateLimited: false,
  },
  ready: {
    method: 'GET',
    path: Routes.READY,
    auth: 'none',
    summary: 'Readiness: the storage answers. 503 `server:unavailable` otherwise.',
    body: null,
    status: 200,
    response: ReadyResponse,
    errors: [E.SERVER_UNAVAILABLE],
    rateLimited: false,
  },
} as const satisfies Record<string, Endpoint>;
export type EndpointName = keyof typeof Endpoints;
