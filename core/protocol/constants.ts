/**
 * Wire-protocol constants shared by the gateway and the core. Small and free of dependencies:
 * the core imports these at run time, and only the types of `schema.ts`.
 */

/** The protocol version every WebSocket frame carries as `v`. */
export const PROTOCOL_VERSION = 1;

/** REST routes, relative to the gateway's base URL. */
export const Routes = {
  SIGNUP: '/v1/auth/signup',
  LOGIN: '/v1/auth/login',
  REFRESH: '/v1/auth/refresh',
  LOGOUT: '/v1/auth/logout',
  ME: '/v1/users/me',
  WEBSOCKET: '/v1/ws',
  CALLS: '/v1/calls',
  VOICEMAILS: '/v1/voicemails',
  TURN: '/v1/turn-credentials',
  HEALTH: '/healthz',
  READY: '/readyz',
} as const;

/**
 * The route of SIP credentials (`comms-kit/sip`): apart from {@link Routes}, which the core
 * carries, so a page without SIP does not.
 */
export const SIP_CREDENTIALS_ROUTE = '/v1/sip-credentials';
/** The gateway hands out no SIP credentials (started without `--sip-secret`). */
export const SIP_NOT_CONFIGURED = 'sip:notConfigured';

/**
 * WebSocket subprotocols: the client offers `comms-kit.v1` plus `bearer.<accessToken>`, so the
 * token never appears in a URL or an access log. The server selects `comms-kit.v1`. With
 * `connectivity.webSocketOAuthMode: 'query'` the token goes in `?access_token=` instead.
 */
export const WS_SUBPROTOCOL = 'comms-kit.v1';
/** Prefix of the subprotocol that carries the access token. */
export const WS_BEARER_PREFIX = 'bearer.';
/** Query parameter carrying the access token in `'query'` mode. */
export const WS_TOKEN_QUERY = 'access_token';

/** The services a client can subscribe to (as in the seeds). */
export const SERVICES = ['call', 'chat', 'presence', 'smsinbound'] as const;
/** One of {@link SERVICES}. */
export type ServiceName = (typeof SERVICES)[number];

/** Subscription lifetime bounds, in seconds. */
export const SUBSCRIPTION_EXPIRES = { MIN: 60, MAX: 86400, DEFAULT: 3600 } as const;

/** Presence statuses (as in the seeds). */
export const PRESENCE_STATUS_VALUES = ['open', 'closed'] as const;
/** Presence activities (as in the seeds). */
export const PRESENCE_ACTIVITY_VALUES = [
  'available',
  'idle',
  'away',
  'lunch',
  'busy',
  'vacation',
  'on-the-phone',
  'unknown',
  'other',
] as const;

/** Largest text part of a message, in characters (UTF-16 code units). */
export const MAX_TEXT_LENGTH = 16 * 1024;

/** Largest WebSocket frame the gateway accepts, in bytes. */
export const MAX_FRAME_BYTES = 64 * 1024;

/**
 * WebSocket close codes and what the client does after each. Standard codes where one fits;
 * 4xxx are comms-kit's own.
 */
export const CloseCodes = {
  /** Normal closure (logout, the client's own disconnect): do not reconnect. */
  NORMAL: 1000,
  /** The server is going away (shutdown): reconnect with backoff. */
  GOING_AWAY: 1001,
  /** Policy violation (repeated rate-limit abuse): reconnect with backoff. */
  POLICY: 1008,
  /** Frame too large: reconnect with backoff. */
  TOO_BIG: 1009,
  /** Server restarting: reconnect with backoff. */
  SERVICE_RESTART: 1012,
  /** The access token expired on an open socket: refresh it, then reconnect. */
  TOKEN_EXPIRED: 4001,
  /** The session was revoked (logout elsewhere, refresh-token reuse): do not reconnect. */
  SESSION_REVOKED: 4003,
  /** No frame and no pong for too long: reconnect with backoff. */
  IDLE: 4008,
} as const;

/** Close codes after which the client must not reconnect by itself. */
export const FINAL_CLOSE_CODES: readonly number[] = [CloseCodes.NORMAL, CloseCodes.SESSION_REVOKED];

/**
 * Error codes the gateway sends (`{error: {code, message}}` in REST bodies and WebSocket
 * replies). Stable: a code never changes meaning.
 */
export const WireErrorCodes = {
  REQUEST_INVALID: 'request:invalid',
  NOT_FOUND: 'request:notFound',
  RATE_LIMITED: 'rate:limited',
  FRAME_MALFORMED: 'frame:malformed',
  FRAME_INVALID: 'frame:invalid',
  FRAME_UNKNOWN_TYPE: 'frame:unknownType',
  FRAME_TOO_LARGE: 'frame:tooLarge',
  /** A valid request type this gateway does not handle (a feature it was built without). */
  FRAME_UNSUPPORTED: 'frame:unsupported',
  AUTH_REQUIRED: 'auth:required',
  AUTH_INVALID_CREDENTIALS: 'auth:invalidCredentials',
  AUTH_TOKEN_INVALID: 'auth:tokenInvalid',
  AUTH_TOKEN_EXPIRED: 'auth:tokenExpired',
  AUTH_REFRESH_INVALID: 'auth:refreshInvalid',
  AUTH_REFRESH_REUSED: 'auth:refreshReused',
  AUTH_TICKET_INVALID: 'auth:ticketInvalid',
  AUTH_TICKET_EXPIRED: 'auth:ticketExpired',
  AUTH_TICKETS_DISABLED: 'auth:ticketsDisabled',
  ORIGIN_FORBIDDEN: 'origin:forbidden',
  IDENTITY_TAKEN: 'identity:taken',
  IDENTITY_INVALID: 'identity:invalid',
  PASSWORD_WEAK: 'password:weak',
  SUBSCRIPTION_NOT_FOUND: 'subscription:notFound',
  CALL_UNKNOWN: 'call:unknown',
  CALL_UNKNOWN_DESTINATION: 'call:unknownDestination',
  CALL_ALREADY_ANSWERED: 'call:alreadyAnswered',
  CALL_EXISTS: 'call:exists',
  CALL_INVALID_STATE: 'call:invalidState',
  CALL_INVALID_DESTINATION: 'call:invalidDestination',
  CALL_TRANSFER_PENDING: 'call:transferPending',
  CALL_TRANSFER_FAILED: 'call:transferFailed',
  /** `call.forward`: the destination is in an answered call and takes no second one. */
  CALL_DESTINATION_BUSY: 'call:destinationBusy',
  /** `call.forward`: the destination has no device subscribed to `call`. */
  CALL_DESTINATION_UNAVAILABLE: 'call:destinationUnavailable',
  CONVERSATION_NOT_FOUND: 'conversation:notFound',
  CONVERSATION_FORBIDDEN: 'conversation:forbidden',
  DESTINATION_UNKNOWN: 'conversation:unknownDestination',
  MESSAGE_TOO_LARGE: 'message:tooLarge',
  MESSAGE_RATE_LIMITED: 'message:rateLimited',
  PRESENCE_FORBIDDEN: 'presence:forbidden',
  CONTACT_NOT_FOUND: 'contacts:notFound',
  CONTACT_EXISTS: 'contacts:exists',
  /** No voicemail with that id in the signed-in user's mailbox (another user's answers this too). */
  VOICEMAIL_NOT_FOUND: 'voicemail:notFound',
  /** The recording is larger than `MAX_VOICEMAIL_BYTES`. */
  VOICEMAIL_TOO_LARGE: 'voicemail:tooLarge',
  /** `durationMs` is more than `MAX_VOICEMAIL_DURATION_MS`. */
  VOICEMAIL_TOO_LONG: 'voicemail:tooLong',
  /** The recording is empty, or `durationMs` is below 1. */
  VOICEMAIL_EMPTY: 'voicemail:empty',
  /** The content type is not one of `VOICEMAIL_CONTENT_TYPES`. */
  VOICEMAIL_UNSUPPORTED_TYPE: 'voicemail:unsupportedType',
  /** The bytes are not a recording of the content type given. */
  VOICEMAIL_INVALID_AUDIO: 'voicemail:invalidAudio',
  /** No user by that name, email or number. */
  VOICEMAIL_UNKNOWN_RECIPIENT: 'voicemail:unknownRecipient',
  /** A voicemail to oneself. */
  VOICEMAIL_TO_SELF: 'voicemail:toSelf',
  /** The recipient's mailbox holds `VOICEMAIL_MAILBOX_SIZE` voicemails already. */
  VOICEMAIL_MAILBOX_FULL: 'voicemail:mailboxFull',
  /** This user left too many voicemails lately: wait, then try again. */
  VOICEMAIL_RATE_LIMITED: 'voicemail:rateLimited',
  SERVER_INTERNAL: 'server:internal',
  SERVER_UNAVAILABLE: 'server:unavailable',
  /**
   * The gateway's database did not answer in time (a statement past `--db-query-timeout`, or
   * no connection within `--db-connect-timeout`). Nothing half-done is stored: its transaction
   * was rolled back (or, if the database stopped answering while committing, may have
   * committed whole). Try it again, idempotently: a message with the same clientId (HTTP 503
   * with `Retry-After`).
   */
  SERVER_DATABASE_TIMEOUT: 'server:databaseTimeout',
} as const;

/** One of {@link WireErrorCodes}, or {@link SIP_NOT_CONFIGURED} (kept apart: the core does not carry it). */
export type WireErrorCode =
  (typeof WireErrorCodes)[keyof typeof WireErrorCodes] | typeof SIP_NOT_CONFIGURED;
