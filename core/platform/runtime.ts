/**
 * What the client takes from its environment, gathered in one object so tests can drive one
 * layer with a fake clock or socket, and so nothing is read from globals at import time.
 */

/** Timer handle, whatever the platform returns. */
export type TimerHandle = ReturnType<typeof setTimeout>;

/** The environment a client runs in. */
export interface Runtime {
  /** WebSocket constructor. */
  WebSocket: typeof WebSocket;
  /** `fetch`, for REST requests. */
  fetch: typeof fetch;
  /** Milliseconds since the epoch. */
  now(): number;
  /** A number in [0, 1). */
  random(): number;
  setTimeout(callback: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle | undefined): void;
  /** Where `online`/`offline` events fire (the window), if anywhere. */
  networkEvents?: Pick<EventTarget, 'addEventListener' | 'removeEventListener'>;
  /** Whether the browser believes it is online (navigator.onLine); true when unknown. */
  isOnline(): boolean;
}

/** The runtime of the page (or Node ≥ 22, which has WebSocket and fetch). Read at call time. */
export function defaultRuntime(): Runtime {
  const g = globalThis as typeof globalThis & { navigator?: { onLine?: boolean } };
  return {
    WebSocket: g.WebSocket,
    fetch: (...args) => g.fetch(...args),
    now: () => Date.now(),
    random: () => Math.random(),
    setTimeout: (callback, ms) => setTimeout(callback, ms),
    clearTimeout: (handle) => clearTimeout(handle),
    networkEvents: typeof window === 'undefined' ? undefined : window,
    isOnline: () => g.navigator?.onLine !== false,
  };
}
