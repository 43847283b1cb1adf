import type { ReactiveController } from 'lit';
import type { ClientState, CommsClient } from '../../core/client.js';
import type { CallRecord } from '../../core/protocol/schema.js';
import { Transitions } from '../../core/call/signalling.js';
import type { ClientHost } from '../shared/store-controller.js';

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
 * Keeps the host's client's call history loaded: fetches it once the client is connected to
 * the gateway for a user whose history is not loaded yet (again after another user signs in).
 * Later records come by themselves: the gateway pushes each call's record when it ends
 * (`callHistory:new`), also a call missed while busy; `onNew` is told of each record that
 * arrives after the history was loaded. A client without a gateway (the in-page backend) has
 * no history: the failure is ignored and the list stays empty.
 */
export class HistoryLoader implements ReactiveController {
  readonly #host: ClientHost;
  readonly #onNew: ((records: CallRecord[]) => void) | undefined;
  #client: CommsClient | undefined;
  #stop: Array<() => void> = [];
  /** Whose history was fetched (or found loaded). */
  #loadedFor: string | undefined;
  /** The records known once it was loaded: the others are new. */
  #seen: Set<string> | undefined;

  constructor(host: ClientHost, onNew?: (records: CallRecord[]) => void) {
    this.#host = host;
    this.#onNew = onNew;
    host.addController(this);
  }

  hostConnected(): void {
    this.#follow();
  }

  hostUpdate(): void {
    this.#follow();
  }

  hostDisconnected(): void {
    this.#unfollow();
  }

  #unfollow(): void {
    for (const stop of this.#stop.splice(0)) stop();
    this.#client = undefined;
  }

  #follow(): void {
    const client = this.#host.activeClient;
    if (client === this.#client) return;
    this.#unfollow();
    this.#client = client;
    this.#loadedFor = undefined;
    this.#seen = undefined;
    if (!client || client.destroyed) return;
    this.#stop.push(
      client.store.select(
        (s) => (s.connection.status === 'connected' ? s.users.self : null),
        (self) => {
          if (!self || self === this.#loadedFor) return;
          this.#loadedFor = self;
          this.#seen = undefined;
          if (client.call.history.get().length) this.#loaded(client);
          else
            void client.call.history.fetch(20).then(
              () => this.#loadedFor === self && this.#loaded(client),
              () => undefined,
            );
        },
      ),
      client.store.select(
        (s) => s.history.records,
        (records) => {
          const seen = this.#seen;
          if (!seen) return;
          const fresh = records.filter((r) => !seen.has(r.id));
          for (const r of fresh) seen.add(r.id);
          if (fresh.length) this.#onNew?.(fresh);
        },
      ),
    );
  }

  #loaded(client: CommsClient): void {
    this.#seen = new Set(client.call.history.get().map((r) => r.id));
  }
}
