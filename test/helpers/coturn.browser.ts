/**
 * Browser-side handle on a real coturn started by the test runner (see coturn-plugin.mjs).
 */
import { executeServerCommand } from '@web/test-runner-commands';

export interface TestCoturn {
  port: number;
  /** Its `static-auth-secret`: give it to the gateway as `--turn-secret`. */
  secret: string;
  /** Its `turn:` URLs, UDP then TCP: the gateway's `--turn-urls`. */
  urls: string[];
  /** The range the ports of its relayed addresses come from. */
  relayPorts: { min: number; max: number };
  stop(): Promise<void>;
}

/** Starts a coturn on loopback (secret: random unless given). */
export async function startCoturn(options: { secret?: string } = {}): Promise<TestCoturn> {
  const started = await executeServerCommand<
    Omit<TestCoturn, 'stop'> & { id: string },
    { secret?: string }
  >('coturn:start', options);
  const { id, ...server } = started;
  return {
    ...server,
    stop: () =>
      executeServerCommand<boolean, { id: string }>('coturn:stop', { id }).then(() => undefined),
  };
}
