/**
 * Waiting in tests that drive real clients: for an event or a state, never for a time.
 */
import type { ClientState, CommsClient, CommsEventMap, CommsEventName } from '../../core/index.js';

/** Resolves with the next `type` event whose params satisfy `predicate`. */
export function nextEvent<K extends CommsEventName>(
  client: CommsClient,
  type: K,
  predicate: (params: CommsEventMap[K]) => boolean = () => true,
): Promise<CommsEventMap[K]> {
  return new Promise((resolve) => {
    const off = client.on(type, (params) => {
      if (!predicate(params)) return;
      off();
      resolve(params);
    });
  });
}

/** Resolves once `predicate(state)` holds (at once if it already does). */
export function until(
  client: CommsClient,
  predicate: (state: ClientState) => boolean,
): Promise<ClientState> {
  return new Promise((resolve) => {
    let done = false;
    const stop = client.store.subscribe((state) => {
      if (done || !predicate(state)) return;
      done = true;
      stop();
      resolve(state);
    });
    const now = client.store.getState();
    if (predicate(now)) {
      done = true;
      stop();
      resolve(now);
    }
  });
}

/** A `Storage` in memory, for session save/restore tests. */
export class MemoryStorage {
  readonly items = new Map<string, string>();
  getItem(key: string): string | null {
    return this.items.get(key) ?? null;
  }
  setItem(key: string, value: string): void {
    this.items.set(key, value);
  }
  removeItem(key: string): void {
    this.items.delete(key);
  }
}
