/**
 * Errors as the seeds define them: a `BasicError` is a plain `{code, message}` object.
 * comms-kit throws and emits {@link CommsError}, which satisfies `BasicError` and is also a
 * real `Error` (stack traces, `instanceof`).
 */

/** The seeds' error shape: a stable machine-readable `code` and a human-readable `message`. */
export interface BasicError {
  code: string;
  message: string;
}

/** Stable error codes. Codes never change meaning; new ones may be added. */
export const ErrorCodes = {
  /** A method was called on a client after `destroy()`. */
  CLIENT_DESTROYED: 'client:destroyed',
  /** A configuration value has the wrong type or is out of range. */
  INVALID_CONFIG: 'config:invalid',
  /** A function argument has the wrong type or is out of range. */
  INVALID_ARGUMENT: 'argument:invalid',
  /** An SDP handler threw or returned something that is not an SDP object. */
  SDP_HANDLER_FAILED: 'sdp:handlerFailed',
  /** An operation needs credentials and none are set. */
  AUTH_NO_CREDENTIALS: 'auth:noCredentials',
  /** Credentials cannot change while a subscription is active (as in the seeds). */
  AUTH_SUBSCRIBED: 'auth:subscribed',
  /** The server could not be reached (network error, refused, DNS). */
  NETWORK_ERROR: 'network:error',
  /** The server answered something that is not the protocol. */
  PROTOCOL_ERROR: 'protocol:error',
  /** No reply came in time. */
  REQUEST_TIMEOUT: 'request:timeout',
  /** The operation needs an open connection and there is none. */
  NOT_CONNECTED: 'connection:notConnected',
  /** The WebSocket was lost and reconnecting gave up (see `reconnectLimit`). */
  CONNECTION_LOST: 'connection:lost',
  /** The operation was cancelled by `disconnect()` or `destroy()`. */
  CANCELLED: 'operation:cancelled',
  /** A service name that is not one of `services.getSubscriptions().available`. */
  SERVICE_UNKNOWN: 'subscription:unknownService',
} as const;

/** One of the {@link ErrorCodes} values. */
export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

/** The error comms-kit throws, rejects with and emits. */
export class CommsError extends Error implements BasicError {
  /** Stable machine-readable code, one of {@link ErrorCodes}. */
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CommsError';
    this.code = code;
  }

  /** The plain `{code, message}` form, safe to send over the wire or to `postMessage`. */
  toJSON(): BasicError {
    return { code: this.code, message: this.message };
  }
}

/**
 * Any thrown value as a {@link CommsError}: itself when it is one, else `network:error` (what
 * reaches the core's catch blocks unwrapped is a failed fetch or socket) with it as the cause.
 */
export function asCommsError(error: unknown): CommsError {
  return error instanceof CommsError
    ? error
    : new CommsError(ErrorCodes.NETWORK_ERROR, (error as Error)?.message ?? String(error), {
        cause: error,
      });
}

/** Any thrown value as the `{code, message}` events and the state carry ({@link asCommsError}). */
export function toBasic(error: unknown): BasicError {
  return asCommsError(error).toJSON();
}

/** True when `value` has the `BasicError` shape. */
export function isBasicError(value: unknown): value is BasicError {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as BasicError).code === 'string' &&
    typeof (value as BasicError).message === 'string'
  );
}
