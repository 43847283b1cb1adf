/**
 * Browser-side handle on a real gateway started by the test runner (see gateway-plugin.mjs).
 */
import { executeServerCommand } from '@web/test-runner-commands';

export interface TestGateway {
  /** The gateway's base URL (through a loopback proxy that survives restarts). */
  url: string;
  stop(): Promise<void>;
  /** Stops the process and starts it again on the same database. */
  restart(): Promise<void>;
  /** Stops the process (connections are refused until `revive`). */
  kill(): Promise<void>;
  revive(): Promise<void>;
  /** Cuts every open TCP connection to the gateway, as a network failure would. */
  drop(): Promise<number>;
  /** An app-signed user ticket, as the application's backend would make. */
  ticket(
    userId: string,
    options?: { ttlSeconds?: number; appSecret?: string; displayName?: string },
  ): Promise<string>;
}

/** Starts a gateway with a fresh database. Extra CLI flags go in `args`. */
export async function startGateway(args: string[] = []): Promise<TestGateway> {
  const { id, url } = await executeServerCommand<{ id: string; url: string }, { args: string[] }>(
    'gateway:start',
    {
      args,
    },
  );
  const run = <R>(command: string, extra: Record<string, unknown> = {}) =>
    executeServerCommand<R, Record<string, unknown>>(command, { id, ...extra });
  return {
    url,
    stop: () => run<boolean>('gateway:stop').then(() => undefined),
    restart: () => run<boolean>('gateway:restart').then(() => undefined),
    kill: () => run<boolean>('gateway:kill').then(() => undefined),
    revive: () => run<boolean>('gateway:revive').then(() => undefined),
    drop: () => run<{ dropped: number }>('gateway:drop').then((r) => r.dropped),
    ticket: (userId, options = {}) =>
      run<{ ticket: string }>('gateway:ticket', { userId, ...options }).then((r) => r.ticket),
  };
}

let counter = 0;
/** A username no other test uses. */
export function uniqueName(prefix = 'user'): string {
  return `${prefix}-${Date.now().toString(36)}-${(++counter).toString(36)}`;
}
