import { normalizeDestination } from '../../core/call/destination.js';
import type { MessageKey } from '../shared/i18n.js';

/** What the dialer makes of the text typed so far. */
export type DestinationCheck =
  | { state: 'empty' }
  | { state: 'valid'; destination: string }
  | { state: 'invalid'; reason: MessageKey };

/**
 * Checks a destination with the core's `normalizeDestination` and, when it refuses, says why
 * in words the user can act on (which form it looks like, and what that form needs).
 */
export function checkDestination(text: string): DestinationCheck {
  const value = text.trim();
  if (!value) return { state: 'empty' };
  try {
    return { state: 'valid', destination: normalizeDestination(value) };
  } catch {
    return { state: 'invalid', reason: whyInvalid(value) };
  }
}

function whyInvalid(value: string): MessageKey {
  if (/^sips?:/i.test(value) || value.includes('@')) return 'dialer.invalid.sip';
  if (/^tel:/i.test(value)) return 'dialer.invalid.tel';
  if (/^[+\d\s().-]+$/.test(value) && (value.startsWith('+') || /\d[\s().-]/.test(value)))
    return 'dialer.invalid.number';
  if (/[^a-z0-9._-]/i.test(value) || !/^[a-z0-9]/i.test(value)) return 'dialer.invalid.chars';
  return 'dialer.invalid.short';
}

// eslint-disable-next-line no-control-regex -- removing control characters is the point
const INVISIBLE = /[\u0000-\u001f\u007f\u00ad\u200b-\u200f\u2028-\u202e\u2060-\u2064\ufeff]/g;

/** Cleans typed text: invisible and control characters go, no-break spaces become spaces. */
export function cleanTyped(text: string): string {
  return text
    .replace(INVISIBLE, '')
    .replace(/[\u00a0\u2000-\u200a\u202f\u3000]/g, ' ')
    .trimStart();
}

/**
 * Cleans pasted text: as typed, trimmed, and when it is a phone number (digits with
 * spaces, dots, dashes, slashes or brackets, optionally `tel:`), only `+`, digits, `*` and `#`
 * are kept, so `+1 (555) 123-4567` becomes `+15551234567`.
 */
export function cleanPasted(text: string): string {
  const value = cleanTyped(text).trim().replace(/\s+/g, ' ');
  const phone = /^(tel:)?\s*\+?[\d\s().\-/*#]+$/i;
  if (phone.test(value) && /\d/.test(value)) {
    const prefix = /^tel:/i.test(value) ? 'tel:' : '';
    const rest = value.replace(/^tel:/i, '');
    const plus = rest.trim().startsWith('+') ? '+' : '';
    return prefix + plus + rest.replace(/[^\d*#]/g, '');
  }
  return value;
}
