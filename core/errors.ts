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

/** True when `value` has the `BasicError` shape. */
export function isBasicError(value: unknown): value is BasicError {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as BasicError).code === 'string' &&
    typeof (value as BasicError).message === 'string'
  );
}
