/**
 * Drives the load generators (`bench/load/idle-sockets.ts`): one child process per
 * {@link SOCKETS_PER_GENERATOR} sockets, so no process nears its open-files limit and the load
 * is spread over the cores.
 */
import { fileURLToPath } from 'node:url';
import type { ChildProcess } from 'node:child_process';
import type { GeneratorCommand, GeneratorReport } from '../load/idle-sockets.js';
import { spawnNode, stopChild } from './processes.js';

/** Sockets one generator process opens at most. */
export const SOCKETS_PER_GENERATOR = 5000;
/** Handshakes in flight per generator. */
const CONCURRENCY = 100;

const generatorScript = fileURLToPath(new URL('../load/idle-sockets.ts', import.meta.url));

/** Idle sockets held open by the generators until {@link IdleSockets.close}. */
export interface IdleSockets {
  /** Sockets open and answered. */
  held: number;
  failed: number;
  /** Distinct failure messages, with counts. */
  errors: string[];
  /** Wall time to open them all, ms. */
  ms: number;
  close(): Promise<void>;
}

function next(child: ChildProcess, type: GeneratorReport['type']): Promise<GeneratorReport> {
  return new Promise((resolve, reject) => {
    const onMessage = (report: GeneratorReport) => {
      if (report.type !== type) return;
      cleanup();
      resolve(report);
    };
    const onExit = (code: number | null) => {
      cleanup();
      reject(new Error(`load generator exited with ${code} before '${type}'`));
    };
    const cleanup = () => {
      child.off('message', onMessage);
      child.off('exit', onExit);
    };
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}

/**
 * Opens `count` WebSockets to `url` from separate processes, socket `i` offering
 * `protocols[i % protocols.length]`, each confirmed by a `ping` reply.
 */
export async function openIdleSockets(
  url: string,
  protocols: string[][],
  count: number,
): Promise<IdleSockets> {
  const generators = Math.max(1, Math.ceil(count / SOCKETS_PER_GENERATOR));
  const children = Array.from({ length: generators }, () =>
    spawnNode(generatorScript, [], { nodeArgs: ['--import', 'tsx'], ipc: true }),
  );
  const start = performance.now();
  const stopAll = () => Promise.all(children.map((child) => stopChild(child)));
  const reports = await Promise.all(
    children.map((child, g) => {
      const offset = Math.floor((count * g) / generators);
      const end = Math.floor((count * (g + 1)) / generators);
      const opened = next(child, 'opened');
      const command: GeneratorCommand = {
        type: 'open',
        url,
        protocols,
        count: end - offset,
        offset,
        concurrency: CONCURRENCY,
      };
      child.send(command);
      return opened;
    }),
  ).catch(async (error: unknown) => {
    await stopAll();
    throw error;
  });
  const ms = performance.now() - start;
  let held = 0;
  let failed = 0;
  const errors = new Map<string, number>();
  for (const report of reports) {
    if (report.type !== 'opened') continue;
    held += report.held;
    failed += report.failed;
    for (const [message, n] of report.errors) errors.set(message, (errors.get(message) ?? 0) + n);
  }
  return {
    held,
    failed,
    errors: [...errors].map(([message, n]) => `${n}× ${message}`),
    ms,
    async close() {
      await Promise.all(
        children.map(async (child) => {
          if (child.connected) {
            const closed = next(child, 'closed').catch(() => undefined);
            child.send({ type: 'close' } satisfies GeneratorCommand);
            await closed;
          }
          await stopChild(child);
        }),
      );
    },
  };
}
