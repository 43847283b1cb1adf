import type { ClientState } from '../../core/client.js';

/** One entry of the dialer's recent calls. */
export interface RecentCall {
  /** Stable id (the history record's). */
  id: string;
  /** Who to call back. */
  destination: string;
  /** A name to show. */
  name: string;
  direction: 'incoming' | 'outgoing';
  /** Missed incoming call. */
  missed: boolean;
  /** When it started (ms since the epoch). */
  startTime: number;
}

/**
 * The hook for call history: the recent calls the dialer lists, newest first.
 *
 * The core has no call history in this version (`client.call.history` is still to come), so
 * this returns none and the dialer renders no recent-calls section. When the core gains a
 * `history` state slice, map its records here; the dialer already renders the list (part
 * `recent`) with a redial button per entry that dispatches `comms-dial`.
 */
export function recentCalls(_state: ClientState, _limit: number): RecentCall[] {
  return [];
}

/** Compares two lists by their ids (for `StoreController`'s `equals`). */
export function sameRecent(a: RecentCall[], b: RecentCall[]): boolean {
  return a.length === b.length && a.every((r, i) => r.id === b[i]!.id);
}
