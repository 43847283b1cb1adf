/**
 * Browser detection and the WebRTC shims, through webrtc-adapter. The adapter is created on
 * first use, never at import time, so importing the core has no side effects (SSR-safe).
 */
import { adapterFactory } from 'webrtc-adapter/dist/adapter_factory.js';

/** What `getBrowserDetails()` returns (the seeds' shape). */
export interface BrowserDetails {
  /** `'chrome'`, `'firefox'`, `'safari'`, or `'Not a browser.'` / `'Not a supported browser.'`. */
  browser: string;
  /** The browser's major version, when known. */
  version: number | null;
}

let adapter: ReturnType<typeof adapterFactory> | undefined;

/** The shared adapter instance; the first call applies the shims to this window. */
export function getAdapter(): ReturnType<typeof adapterFactory> {
  adapter ??= adapterFactory({ window: typeof window === 'undefined' ? undefined : window });
  return adapter;
}

/** Information about the browser the SDK runs in. */
export function getBrowserDetails(): BrowserDetails {
  const { browser, version } = getAdapter().browserDetails;
  return { browser, version: version ?? null };
}
