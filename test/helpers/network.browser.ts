/**
 * Browser-side handle on the network plugin (see network-plugin.mjs): holds the page's
 * requests for some URLs in Chromium's network stack until released.
 */
import { executeServerCommand } from '@web/test-runner-commands';

export interface HeldRequests {
  /** The URLs held (or failed) so far. */
  held(): Promise<string[]>;
  /** Lets the held requests go; later ones are not held (or failed). */
  release(): Promise<void>;
}

/** Holds every request whose URL matches `pattern` (`*` wildcards) until `release()`. */
export function holdRequests(pattern: string): Promise<HeldRequests> {
  return intercept('network:hold', pattern);
}

/** Fails every request whose URL matches `pattern`, as a network error would, until `release()`. */
export function failRequests(pattern: string): Promise<HeldRequests> {
  return intercept('network:fail', pattern);
}

async function intercept(command: string, pattern: string): Promise<HeldRequests> {
  await executeServerCommand(command, { pattern });
  return {
    held: () =>
      executeServerCommand<{ urls: string[] }, undefined>('network:held').then(
        (result) => result.urls,
      ),
    release: () => executeServerCommand('network:release').then(() => undefined),
  };
}
