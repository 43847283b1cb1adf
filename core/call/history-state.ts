/**
 * What `call.history` answers without its manager (a lazy chunk, `core/people.ts`): the state
 * slice, the cache (`getCache`/`setCache` are synchronous) and the error path both share.
 */
import type { CallRecord } from '../protocol/schema.js';
import { CommsError, ErrorCodes, asCommsError } from '../errors.js';
import type { FeatureContext } from '../feature.js';

/** The `history` slice: call records, newest first. */
export interface HistoryState {
  records: CallRecord[];
  /** How many records the server holds. */
  total: number;
}

export const initialHistoryState: HistoryState = { records: [], total: 0 };

/** Emits `callHistory:error` for `error` and returns it as a `CommsError` to throw. */
export function historyError(ctx: FeatureContext, error: unknown): CommsError {
  const e = asCommsError(error);
  ctx.emit('callHistory:error', { error: e.toJSON() });
  return e;
}

/** The seeds' `setCache`: restores records saved with `getCache` (`JSON.stringify(get())`). */
export function setHistoryCache(ctx: FeatureContext, data: string): void {
  let records: unknown;
  try {
    records = JSON.parse(data);
  } catch {
    throw historyError(
      ctx,
      new CommsError(
        ErrorCodes.INVALID_ARGUMENT,
        'history.setCache(data): data is not JSON from getCache()',
      ),
    );
  }
  if (
    !Array.isArray(records) ||
    records.some((r) => typeof r?.id !== 'string' || typeof r?.startTime !== 'number')
  ) {
    throw historyError(
      ctx,
      new CommsError(
        ErrorCodes.INVALID_ARGUMENT,
        'history.setCache(data): data is not a list of call records',
      ),
    );
  }
  ctx.store.update((s) => ({
    ...s,
    history: { ...s.history, records: records as CallRecord[] },
  }));
  ctx.emit('callHistoryCache:change', {});
  ctx.emit('callHistory:change', {});
}
