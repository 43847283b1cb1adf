/**
 * Starts the built gateway (`dist/node/server/bin.js`, what `npm start` runs) as a child process on
 * a free loopback port, and stops it. For Node-side tests. Unless the arguments name a
 * database (`--db`, `--data`), it runs on a fresh in-memory one, or, once a test file has
 * called {@link useFreshDatabases}, on a fresh database of that file's making (PostgreSQL:
 * `test/server/gateway-postgres.test.ts` runs whole suites that way); unless they set one, the
 * auth routes' rate limit is raised so a test file's logins never trip it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const bin = fileURLToPath(new URL('../../dist/node/server/bin.js', import.meta.url));

export interface Gateway {
  url: string;
  process: ChildProcess;
  /** Everything it printed so far (stdout and stderr). */
  output(): string;
  /** Sends `signal` (default SIGTERM) and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export interface GatewayLaunch {
  /** Working directory (default: the test process's). */
  cwd?: string;
  /** Extra environment variables. */
  env?: Record<string, string>;
  /** Do not add `--db :memory:` even when no database is named. */
  bare?: boolean;
}

/** Makes the `--db` of a gateway started without one; none: `:memory:`. */
let freshDatabase: (() => Promise<string>) | undefined;

/**
 * From now on in this test process, a gateway started without a database gets
 * `--db <await make()>` instead of `--db :memory:` (e.g. a new PostgreSQL database each time).
 */
export function useFreshDatabases(make: () => Promise<string>): void {
  freshDatabase = make;
}

/**
 * A new database for a test that restarts a gateway on the same data: one of
 * {@link useFreshDatabases}' when it was called, else a SQLite file in `dir`.
 */
export async function persistentDatabase(dir: string): Promise<string> {
  return freshDatabase ? freshDatabase() : join(dir, 'comms.db');
}

/** Runs the gateway with `args` and resolves once it prints the address it listens on. */
export async function startGateway(
  args: string[] = [],
  launch: GatewayLaunch = {},
): Promise<Gateway> {
  const defaults: string[] = [];
  if (!launch.bare && !args.some((a) => a === '--db' || a === '--data'))
    defaults.push('--db', freshDatabase ? await freshDatabase() : ':memory:');
  if (!args.includes('--auth-rate-limit')) defaults.push('--auth-rate-limit', '100000');
  const child = spawn(
    process.execPath,
    [bin, '--port', '0', '--log-level', 'silent', ...defaults, ...args],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
      cwd: launch.cwd,
      env: { ...process.env, ...launch.env },
    },
  );
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = once(child, 'exit') as Promise<[number | null]>;
  const url = await new Promise<string>((resolve, reject) => {
    const onData = () => {
      const match = /listening on (http:\/\/\S+)/.exec(output);
      if (match?.[1]) resolve(match[1]);
    };
    child.stdout.on('data', onData);
    void exited.then(([code]) => reject(new Error(`gateway exited with ${code}: ${output}`)));
  });
  return {
    url,
    process: child,
    output: () => output,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      const [code] = await exited;
      return code;
    },
  };
}

/** Runs the gateway to completion (for runs expected to fail) and returns what it said. */
export async function runGateway(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [bin, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, stdout, stderr };
}

/**
 * The CPU time process `pid` has used, all its threads, in ms (Linux: each thread's
 * `/proc/<pid>/task/<tid>/schedstat`, in ns).
 */
export function cpuTimeMs(pid: number): number {
  let ns = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
    } catch {
      // the thread ended meanwhile
    }
  }
  return ns / 1e6;
}
