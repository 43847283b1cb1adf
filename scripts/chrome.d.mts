/** Types of `scripts/chrome.mjs`, for TypeScript callers (the benchmarks). */

/** The path of a Chrome/Chromium executable, or undefined. */
export function findChrome(): string | undefined;

/** Flags for every Chromium the project starts (fake media, no network services). */
export const chromeArgs: string[];
