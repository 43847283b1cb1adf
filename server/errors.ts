/**
 * The gateway's error: a stable wire code, a message naming what was wrong, and the HTTP
 * status it maps to when it answers a REST request.
 */
import { WireErrorCodes, type WireErrorCode } from '../core/protocol/constants.js';
import type { ErrorBody } from '../core/protocol/schema.js';
import { DatabaseTimeoutError } from './storage/types.js';

/** An error the gateway reports to a client as `{code, message}`. */
export class WireError extends Error {
  /** Stable machine-readable code, one of {@link WireErrorCodes}. */
  readonly code: WireErrorCode;
  /** HTTP status when it answers a REST request. */
  readonly statusCode: number;
  /** Extra response headers (e.g. `WWW-Authenticate`, `Retry-After`). */
  readonly headers: Record<string, string>;

  constructor(
    code: WireErrorCode,
    message: string,
    statusCode = 400,
    headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'WireError';
    this.code = code;
    this.statusCode = statusCode;
    this.headers = headers;
  }

  /** The `{code, message}` body. */
  toBody(): ErrorBody {
    return { code: this.code, message: this.message };
  }
}

/** The body of an internal error: never the internal message itself. */
export const internalError: ErrorBody = {
  code: WireErrorCodes.SERVER_INTERNAL,
  message: 'the gateway failed to handle this request; it has been logged',
};

/**
 * A failure that is not the gateway's own {@link WireError} as the one the client gets, when
 * it is one the client should know of: the database not answering in time is
 * `server:databaseTimeout` (503, try again). Anything else: undefined (an internal error).
 */
export function wireErrorOf(error: unknown): WireError | undefined {
  if (error instanceof WireError) return error;
  if (error instanceof DatabaseTimeoutError)
    return new WireError(
      WireErrorCodes.SERVER_DATABASE_TIMEOUT,
      `${error.message}: try again`,
      503,
      { 'retry-after': '1' },
    );
  return undefined;
}
