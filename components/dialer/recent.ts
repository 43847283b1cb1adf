import type { ClientState } from '../../core/client.js';
import type { CallRecord } from '../../core/protocol/schema.js';
import { Transitions } from '../../core/call/signalling.js';
import type { Feed } from '../shared/feed-loader.js';

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
  /**
   * How it ended: the record's result (answered, declined, busy, unanswered, cancelled, failed,
   * missed), `forwarded` for an incoming call this user forwarded (a record declined with 302),
   * or `unavailable` for an outgoing call to someone with no device online (unanswered, 480).
   */
  result: CallRecord['result'] | 'forwarded' | 'unavailable';
  /** When it started (ms since the epoch). */
  startTime: number;
}

/** How a record's call ended, in the dialer's words. */
function outcomeOf({ result, statusCode }: CallRecord): RecentCall['result'] {
  if (result === 'rejected' && statusCode === Transitions.FORWARDED.statusCode) return 'forwarded';
  if (result === 'noAnswer' && statusCode === Transitions.UNAVAILABLE.statusCode)
    return 'unavailable';
  return result;
}

/** The name to show for the other party of a record: the directory's, else the record's. */
function nameOf(state: ClientState, record: CallRecord): string {
  const { id, displayName } = record.remoteParticipant;
  const known = Object.values(state.users.byId).find(
    (u) => u.userName === id || u.userId === id || u.phoneNumber === id,
  );
  return known?.displayName || displayName || id;
}

/**
 * The recent calls the dialer lists, newest first: the core's call history (`call.history`,
 * the `history` slice), each with the other party to call back, whether it was a missed
 * incoming call, and how it ended.
 */
export function recentCalls(state: ClientState, limit: number): RecentCall[] {
  return [...state.history.records]
    .sort((a, b) => b.startTime - a.startTime)
    .slice(0, limit)
    .map((record) => recentCall(state, record));
}

/** One record as the dialer shows it. */
export function recentCall(state: ClientState, record: CallRecord): RecentCall {
  return {
    id: record.id,
    destination: record.remoteParticipant.id,
    name: nameOf(state, record),
    direction: record.direction,
    missed: record.direction === 'incoming' && record.result === 'missed',
    result: outcomeOf(record),
    startTime: record.startTime,
  };
}

/** Compares two lists by their ids and names (for `StoreController`'s `equals`). */
export function sameRecent(a: RecentCall[], b: RecentCall[]): boolean {
  return a.length === b.length && a.every((r, i) => r.id === b[i]!.id && r.name === b[i]!.name);
}

/**
 * The call history behind the recent calls, for a {@link FeedLoader}: its first page (20) read
 * once the client is connected, unless the client holds it already. Later records come by
 * themselves: the gateway pushes each call's record when it ends (`callHistory:new`), also a
 * call missed while busy. A client without a gateway (the in-page backend) has no history: the
 * list stays empty.
 */
export const historyFeed: Feed<CallRecord> = {
  read: (client) => (client.call.history.get().length ? null : client.call.history.fetch(20)),
  items: (state) => state.history.records,
};
