/**
 * The presence rule both gateways follow (the server's and the in-page one), so they cannot
 * drift: what others see of a user, and when that changed.
 */
import type { Presence } from './schema.js';

/** What the rule needs to know of a user. */
export interface PresenceFacts {
  /** The user's id on the wire. */
  userId: string;
  /** At least one socket subscribed to presence (or within the grace period). */
  online: boolean;
  /** The status the user chose (`closed`: appear offline). */
  status: Presence['status'];
  activity: Presence['activity'];
  note: string;
  /** In a call: shows as on the phone. */
  inCall: boolean;
  /** At least one socket said it takes calls (Notify's availability). */
  available: boolean;
  updatedAt: number;
}

/** The presence others see: offline unless online and open; on the phone during a call. */
export function effectivePresence(f: PresenceFacts): Presence {
  const online = f.online && f.status === 'open';
  return {
    userId: f.userId,
    status: online ? 'open' : 'closed',
    activity: !online ? 'unknown' : f.inCall ? 'on-the-phone' : f.activity,
    note: f.note,
    available: online && f.available,
    updatedAt: f.updatedAt,
  };
}

/** What watchers are told about: a presence whose signature moved is published. */
export const presenceSignature = (p: Presence): string =>
  `${p.status}|${p.activity}|${p.available}|${p.note}`;
