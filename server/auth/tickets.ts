/**
 * App-signed user tickets (Sinch `userTicket`, Kandy `hmacToken`): the application's own
 * backend, which knows the app key and secret configured on the gateway, vouches for a user,
 * and the client logs in with the ticket instead of a password.
 *
 * Format: `base64url(JSON(TicketPayload)) + '.' + base64url(HMAC-SHA256(appSecret, first part))`.
 * The signature is checked (in constant time) before anything in the payload is trusted.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { WireErrorCodes } from '../../core/protocol/constants.js';
import { TicketPayload } from '../../core/protocol/schema.js';
import { WireError } from '../errors.js';

/** The longest a ticket may be valid, in seconds (exp − iat). */
export const MAX_TICKET_TTL = 3600;
/** How far in the future `iat` may be (clock skew between the app and the gateway), seconds. */
export const TICKET_CLOCK_SKEW = 60;

/** Arguments of {@link signUserTicket}. */
export interface SignUserTicketOptions {
  /** The application key configured on the gateway (`--app-key`). */
  appKey: string;
  /** The application secret configured on the gateway (`--app-secret`). Never send it to a browser. */
  appSecret: string;
  /** The user's username on the gateway; created at the first login. */
  userId: string;
  /** Display name to set for the user. */
  displayName?: string;
  /** Validity in seconds, 1 to 3600. Default 600. */
  ttlSeconds?: number;
  /** Issue time, seconds since the epoch. Default: now. */
  issuedAt?: number;
}

const sign = (secret: string, body: string) =>
  createHmac('sha256', secret).update(body).digest('base64url');

/**
 * Signs a user ticket for the gateway, for an application's backend:
 *
 * ```ts
 * import { signUserTicket } from 'comms-kit/server';
 * const ticket = signUserTicket({ appKey, appSecret, userId: 'alice', ttlSeconds: 300 });
 * // send `ticket` to alice's browser; it logs in with POST /v1/auth/login {ticket}
 * ```
 */
export function signUserTicket(options: SignUserTicketOptions): string {
  const ttl = options.ttlSeconds ?? 600;
  if (!Number.isInteger(ttl) || ttl < 1 || ttl > MAX_TICKET_TTL)
    throw new RangeError(
      `ttlSeconds must be a whole number from 1 to ${MAX_TICKET_TTL}; got ${ttl}`,
    );
  const iat = options.issuedAt ?? Math.floor(Date.now() / 1000);
  const payload: TicketPayload = {
    appKey: options.appKey,
    userId: options.userId,
    ...(options.displayName !== undefined && { displayName: options.displayName }),
    iat,
    exp: iat + ttl,
  };
  if (!payloadCheck.Check(payload)) {
    const error = payloadCheck.Errors(payload).First();
    throw new TypeError(`ticket payload is invalid: ${error?.path || '/'} ${error?.message}`);
  }
  const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
  return `${body}.${sign(options.appSecret, body)}`;
}

const payloadCheck = TypeCompiler.Compile(TicketPayload);

const invalid = (why: string) =>
  new WireError(WireErrorCodes.AUTH_TICKET_INVALID, `the ticket is not valid: ${why}`, 401);

/** Constant-time string equality (lengths may leak, contents do not). */
function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * Verifies a ticket against the app key and secret and returns its payload. Rejects with
 * `auth:ticketInvalid` (tampered, wrong app, malformed, lifetime over an hour) or
 * `auth:ticketExpired`.
 */
export function verifyUserTicket(
  ticket: string,
  app: { appKey: string; appSecret: string },
  nowMs: number,
): TicketPayload {
  const parts = ticket.split('.');
  if (parts.length !== 2 || !parts[0] || !parts[1])
    throw invalid('expected two base64url parts joined by a dot');
  const [body, signature] = parts as [string, string];
  if (!safeEqual(signature, sign(app.appSecret, body)))
    throw invalid('its signature does not match this server’s app secret');
  let payload: unknown;
  try {
    payload = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
  } catch {
    throw invalid('its payload is not JSON');
  }
  if (!payloadCheck.Check(payload)) {
    const error = payloadCheck.Errors(payload).First();
    throw invalid(`payload ${error?.path || '/'} ${error?.message}`);
  }
  if (!safeEqual(payload.appKey, app.appKey)) throw invalid('it was made for another app key');
  if (payload.exp - payload.iat > MAX_TICKET_TTL)
    throw invalid(`it is valid for more than ${MAX_TICKET_TTL} seconds`);
  if (payload.exp <= payload.iat) throw invalid('it expires before it is issued');
  const now = Math.floor(nowMs / 1000);
  if (payload.iat > now + TICKET_CLOCK_SKEW) throw invalid('it is issued in the future');
  if (payload.exp <= now)
    throw new WireError(
      WireErrorCodes.AUTH_TICKET_EXPIRED,
      'the ticket has expired: ask the application for a new one',
      401,
    );
  return payload;
}
