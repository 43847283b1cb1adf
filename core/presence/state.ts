/**
 * What the `presence` namespace answers without its manager (a lazy chunk, `core/people.ts`):
 * the seeds' constants and the state slice.
 */
import type { Presence } from '../protocol/schema.js';
import type { PRESENCE_ACTIVITY_VALUES, PRESENCE_STATUS_VALUES } from '../protocol/constants.js';

/** The seeds' `presence.statuses`. */
export const statuses = { OPEN: 'open', CLOSED: 'closed' } as const satisfies Record<
  string,
  (typeof PRESENCE_STATUS_VALUES)[number]
>;
/** The seeds' `presence.activities`. */
export const activities = {
  AVAILABLE: 'available',
  IDLE: 'idle',
  AWAY: 'away',
  LUNCH: 'lunch',
  BUSY: 'busy',
  VACATION: 'vacation',
  ON_THE_PHONE: 'on-the-phone',
  UNKNOWN: 'unknown',
  OTHER: 'other',
} as const satisfies Record<string, (typeof PRESENCE_ACTIVITY_VALUES)[number]>;

export type PresenceStatus = (typeof statuses)[keyof typeof statuses];
export type PresenceActivity = (typeof activities)[keyof typeof activities];

/** The `presence` slice. */
export interface PresenceState {
  users: Record<string, Presence>;
  self: Presence | null;
  subscribed: string[];
}

export const initialPresenceState: PresenceState = { users: {}, self: null, subscribed: [] };
