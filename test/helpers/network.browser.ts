/**
 * Browser-side handle on the network plugin (see network-plugin.mjs): holds the page's
 * requests for some URLs in Chromium's network stack until released.
 */
import { executeServerCommand } from '@web/test-runner-commands';

/** Holds every request whose URL matches `pattern` (`*` wildcards) until `release()`. */
export async function holdRequests(pattern: string): Promise<{
  /** The URLs held so far. */
  held(): Promise<string[]>;
  /** Lets the held requests go; later ones are not held. */
  release(): Promise<void>;
}> {
  await executeServerCommand('network:hold', { pattern });
  return {
    held: () =>
      executeServerCommand<{ urls: string[] }, undefined>('network:held').then(
        (result) => result.urls,
      ),
    release: () => executeServerCommand('network:release').then(() => undefined),
  };
}
