/**
 * Child processes of the benchmarks: the servers they measure (the gateway, the bare `ws`
 * baseline), each with the stats preload and an IPC channel, and the load generators. Every
 * child is killed when the benchmark process exits, whatever happens.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { MAX_FRAME_BYTES, WS_SUBPROTOCOL } from '../../core/protocol/constants.js';
import { cpuTimeMs, bin as gatewayBin } from '../../test/helpers/gateway.js';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const statsPreload = pathToFileURL(here('../servers/stats-preload.mjs')).href;
const bareWs = here('../servers/bare-ws.mjs');

const children = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

/** Spawns `node [nodeArgs] script [args]`, tracked so it dies with this process. */
export function spawnNode(
  script: string,
  args: string[],
  options: { nodeArgs?: string[]; cwd?: string; ipc?: boolean } = {},
): ChildProcess {
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), script, ...args], {
    cwd: options.cwd,
    stdio: ['ignore', 'pipe', 'pipe', ...(options.ipc ? (['ipc'] as const) : [])],
  });
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

/** Stops a child: SIGTERM, then SIGKILL after `graceMs`. */
export async function stopChild(child: ChildProcess, graceMs = 5000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

/** A server's memory, in bytes (see `bench/servers/stats-preload.mjs`). */
export interface MemoryUsage {
  /** Resident set size: what the OS holds for the process. */
  rss: number;
  /** V8 heap in use. */
  heapUsed: number;
  heapTotal: number;
  /** Memory outside the V8 heap that V8 objects hold (buffers). */
  external: number;
}

/** A server process under measurement. */
export interface MeasuredServer {
  kind: 'gateway' | 'bare';
  /** `http://127.0.0.1:port`. */
  url: string;
  process: ChildProcess;
  /** The server's memory after two garbage collections. */
  memory(): Promise<MemoryUsage>;
  /**
   * CPU time the process has used so far, all its threads, in ms (from the kernel's
   * `/proc/<pid>/task/<tid>/schedstat`, in ns); null where the kernel does not tell.
   */
  cpuTime(): number | null;
  stop(): Promise<void>;
}

let statsId = 0;

/**
 * Starts a server with the stats preload (`--expose-gc`) and resolves once it prints the
 * address it listens on. `gateway` is the built gateway (`dist/node/server/bin.js`, as
 * `test/helpers/gateway.ts` runs it), in a fresh working folder so nothing it writes outlives
 * the run; `bare` is `bench/servers/bare-ws.mjs`.
 */
export async function startMeasuredServer(
  kind: 'gateway' | 'bare',
  extraArgs: string[] = [],
): Promise<MeasuredServer> {
  const cwd = mkdtempSync(join(tmpdir(), `comms-kit-bench-${kind}-`));
  const [script, args] =
    kind === 'gateway'
      ? [gatewayBin, ['--port', '0', '--log-level', 'silent', ...extraArgs]]
      : [
          bareWs,
          [
            '--subprotocol',
            WS_SUBPROTOCOL,
            '--max-payload',
            String(MAX_FRAME_BYTES),
            '--port',
            '0',
          ],
        ];
  const child = spawnNode(script, args, {
    nodeArgs: ['--expose-gc', '--import', statsPreload],
    cwd,
    ipc: true,
  });
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-10_000);
      const match = /listening on (http:\/\/\S+)/.exec(output);
      if (match?.[1]) resolve(match[1]);
    });
    child.stderr!.on('data', (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-10_000);
    });
    child.once('exit', (code) =>
      reject(new Error(`${kind} server exited with ${code}: ${output}`)),
    );
  });
  return {
    kind,
    url,
    process: child,
    memory: () =>
      new Promise<MemoryUsage>((resolve, reject) => {
        const id = ++statsId;
        const done = () => {
          clearTimeout(timer);
          child.off('message', onMessage);
          child.off('exit', onExit);
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`${kind} server: no stats in 10 s; it said: ${output.slice(-2000)}`));
        }, 10e3);
        const onMessage = (message: { type?: string; id?: number; memory?: MemoryUsage }) => {
          if (message.type !== 'bench:stats' || message.id !== id || !message.memory) return;
          done();
          resolve(message.memory);
        };
        const onExit = (code: number | null, signal: string | null) => {
          done();
          reject(new Error(`${kind} server exited (${signal ?? code}): ${output.slice(-2000)}`));
        };
        if (child.exitCode !== null || child.signalCode !== null) {
          return onExit(child.exitCode, child.signalCode);
        }
        child.on('message', onMessage);
        child.once('exit', onExit);
        child.send({ type: 'bench:stats', id });
      }),
    cpuTime: () => {
      try {
        return child.pid === undefined ? null : cpuTimeMs(child.pid);
      } catch {
        return null; // not Linux, or the process has gone
      }
    },
    async stop() {
      await stopChild(child);
      rmSync(cwd, { recursive: true, force: true });
    },
  };
}

/** The open-files limits of this process (`ulimit -n`), from `/proc/self/limits` on Linux. */
export function openFilesLimit(): { soft: number; hard: number } | null {
  try {
    const limits = readFileSync('/proc/self/limits', 'utf8');
    const match = /Max open files\s+(\d+|unlimited)\s+(\d+|unlimited)/.exec(limits);
    if (!match) return null;
    const value = (s: string) => (s === 'unlimited' ? Infinity : Number(s));
    return { soft: value(match[1]!), hard: value(match[2]!) };
  } catch {
    return null;
  }
}
