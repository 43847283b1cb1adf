/**
 * Browser detection and the WebRTC shims, through webrtc-adapter's ES modules (`src/js/`, its
 * `module` entry; tree-shaken, unlike its CommonJS `dist/`). Detection (`getBrowserDetails`)
 * uses the adapter's own `detectBrowser`, a few hundred bytes. The shims (the factory with every
 * browser's shim and the `sdp` package, ~11 KB gzip) are loaded by `import()` the first time
 * they are asked for: a separate chunk in the ES builds that a page fetches only then. Nothing
 * runs at import time, so importing the core has no side effects (SSR-safe).
 */
import type { IAdapter } from 'webrtc-adapter';
import { detectBrowser } from 'webrtc-adapter/src/js/utils.js';

/** What `getBrowserDetails()` returns (the seeds' shape). */
export interface BrowserDetails {
  /** `'chrome'`, `'firefox'`, `'safari'`, or `'Not a browser.'` / `'Not a supported browser.'`. */
  browser: string;
  /** The browser's major version, when known. */
  version: number | null;
}

let adapter: Promise<IAdapter> | undefined;

const currentWindow = () => (typeof window === 'undefined' ? undefined : window);

/**
 * The shared adapter instance, loaded on the first call; creating it applies the shims for this
 * browser to this window.
 */
export function loadAdapter(): Promise<IAdapter> {
  adapter ??= import('webrtc-adapter/src/js/adapter_factory.js').then(
    ({ adapterFactory }) => adapterFactory({ window: currentWindow() }),
    (error: unknown) => {
      adapter = undefined; // a chunk that failed to load is tried again on the next call
      throw error;
    },
  );
  return adapter;
}

/**
 * Information about the browser the SDK runs in. As before the shims were loaded on demand,
 * the first call also applies them (they follow once their chunk has loaded).
 */
export function getBrowserDetails(): BrowserDetails {
  const { browser, version } = detectBrowser(currentWindow());
  void loadAdapter().catch(() => undefined);
  return { browser, version: version ?? null };
}
