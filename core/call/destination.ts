/**
 * Call destinations: a user id (`alice`), a `sip:` URI, a `tel:` URI or an E.164 number.
 * With `call.normalizeDestination` (default on) they are cleaned the way dialers expect:
 * spaces, dashes, dots and brackets dropped from numbers; `sip:`/`tel:` schemes lower-cased.
 */
import { CommsError } from '../errors.js';

/** Error code for a destination that is none of the accepted forms. */
export const INVALID_DESTINATION = 'call:invalidDestination';

const USER = /^[a-z0-9][a-z0-9._-]{2,31}$/i;
const E164 = /^\+[1-9]\d{6,14}$/;
const SIP = /^sips?:([^@\s]+@)?[a-z0-9.-]+(:\d{1,5})?(;[^\s]*)?$/i;
const TEL = /^tel:\+?[0-9*#]{1,32}(;[^\s]*)?$/i;

/** Checks and (when `normalize`) cleans a destination; throws `call:invalidDestination`. */
export function normalizeDestination(destination: unknown, normalize = true): string {
  if (typeof destination !== 'string' || destination.trim() === '') {
    throw new CommsError(
      INVALID_DESTINATION,
      'the destination must be a non-empty string (user id, sip:, tel: or +E.164)',
    );
  }
  let value = destination.trim();
  if (normalize) {
    if (/^(sips?|tel):/i.test(value))
      value = value.replace(/^[a-z]+:/i, (scheme) => scheme.toLowerCase());
    if (/^(tel:)?[+\d\s().-]+$/.test(value)) value = value.replace(/[\s().-]/g, '');
  }
  if (USER.test(value) || E164.test(value) || SIP.test(value) || TEL.test(value)) return value;
  throw new CommsError(
    INVALID_DESTINATION,
    `'${destination}' is not a destination: use a user id, a sip: or tel: URI, or an E.164 number such as +15551234567`,
  );
}
