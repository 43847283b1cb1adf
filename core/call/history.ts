/**
 * Call history (the seeds' `call.history`): the gateway's call records for this user, cached
 * in the state tree. `fetch` pages from the server; `get` reads the cache; the cache can be
 * saved and restored by the application (`getCache`/`setCache`, in `history-state.ts`: they
 * answer without this manager, which is in the people features' lazy chunk). The gateway
 * pushes each new record of this user's (`callHistory:new`, `add`): a call that ends, also one
 * missed while busy or taken on another device, is in the cache without a fetch.
 */
import { Routes } from '../protocol/constants.js';
import type { CallHistoryResponse, CallRecord } from '../protocol/schema.js';
import { restRequest } from '../backends/gateway/rest.js';
import { CommsError, ErrorCodes } from '../errors.js';
import { historyError, type HistoryState } from './history-state.js';
import type { FeatureContext } from '../feature.js';

export type { HistoryState } from './history-state.js';

export class HistoryManager {
  readonly #ctx: FeatureContext;
  readonly #token: () => Promise<string>;

  constructor(ctx: FeatureContext, token: () => Promise<string>) {
    this.#ctx = ctx;
    this.#token = token;
  }

  /** The cached records, newest first. */
  get(): CallRecord[] {
    return this.#ctx.store.getState().history.records;
  }

  /** Fetches `amount` records from `offset` and merges them into the cache. */
  async fetch(amount = 50, offset = 0): Promise<CallRecord[]> {
    if (
      !Number.isInteger(amount) ||
      amount < 1 ||
      amount > 200 ||
      !Number.isInteger(offset) ||
      offset < 0
    ) {
      throw this.#fail(
        new CommsError(
          ErrorCodes.INVALID_ARGUMENT,
          'history.fetch(amount, offset): amount must be 1–200 and offset ≥ 0',
        ),
      );
    }
    try {
      const response = await restRequest<CallHistoryResponse>(
        this.#ctx.runtime,
        this.#ctx.config(),
        `${Routes.CALLS}?limit=${amount}&offset=${offset}`,
        { token: await this.#token() },
      );
      const byId = new Map(this.get().map((r) => [r.id, r]));
      for (const record of response.records) byId.set(record.id, record);
      const records = [...byId.values()].sort((a, b) => b.startTime - a.startTime);
      this.#set({ records, total: response.total });
      return response.records;
    } catch (error) {
      throw this.#fail(error);
    }
  }

  /** A record the gateway pushed (`callHistory:new`): first in the cache, once. */
  add(record: CallRecord): void {
    const { records, total } = this.#ctx.store.getState().history;
    if (records.some((r) => r.id === record.id)) return;
    this.#set({
      records: [record, ...records].sort((a, b) => b.startTime - a.startTime),
      total: total + 1,
    });
  }

  /** Deletes one record on the server and from the cache. */
  async remove(recordId: string): Promise<void> {
    if (typeof recordId !== 'string' || !recordId) {
      throw this.#fail(
        new CommsError(
          ErrorCodes.INVALID_ARGUMENT,
          'history.remove(recordId): recordId must be a string',
        ),
      );
    }
    try {
      await restRequest(
        this.#ctx.runtime,
        this.#ctx.config(),
        `${Routes.CALLS}/${encodeURIComponent(recordId)}`,
        {
          method: 'DELETE',
          token: await this.#token(),
        },
      );
      const { records, total } = this.#ctx.store.getState().history;
      this.#set({
        records: records.filter((r) => r.id !== recordId),
        total: Math.max(0, total - 1),
      });
    } catch (error) {
      throw this.#fail(error);
    }
  }

  /** Deletes every record. */
  async clear(): Promise<void> {
    try {
      await restRequest(this.#ctx.runtime, this.#ctx.config(), Routes.CALLS, {
        method: 'DELETE',
        token: await this.#token(),
      });
      this.#set({ records: [], total: 0 });
    } catch (error) {
      throw this.#fail(error);
    }
  }

  #set(history: HistoryState): void {
    this.#ctx.store.update((s) => ({ ...s, history }));
    this.#ctx.emit('callHistory:change', {});
  }

  #fail(error: unknown): CommsError {
    return historyError(this.#ctx, error);
  }
}
