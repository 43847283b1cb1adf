/**
 * Starts a throwaway PostgreSQL cluster for Node-side tests, as `redis.ts` starts Redis: `initdb`
 * in a temporary directory, then `postgres` on 127.0.0.1 only, on a free port, its socket in
 * that directory, without fsync (nothing is kept); and stops it and removes the directory.
 * `npm run test:node` makes sure the programs are there (`scripts/ensure-postgres.mjs`).
 *
 * PostgreSQL refuses to run as root: as root (CI, containers), both programs run as the
 * `postgres` user (Debian's package creates it), which the directory is given to.
 */
import { execFileSync, type ChildProcess } from 'node:child_process';
import { chownSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { PostgresOptions } from '../../server/storage/postgres/index.js';
import { findPostgresBin } from '../../scripts/postgres-server.mjs';
import { freePort, spawnUntilReady } from './server-process.js';

export interface PostgresServer {
  /** `postgres://comms@127.0.0.1:<port>/postgres` (the superuser; trust authentication). */
  url: string;
  port: number;
  process: ChildProcess;
  /** Everything the server printed so far. */
  output(): string;
  /** A new, empty database; resolves with its URL. */
  createDatabase(name?: string): Promise<string>;
  /** Stops it (fast shutdown) and removes its directory. */
  stop(): Promise<void>;
}

/** A port nobody listens on now, on 127.0.0.1. */
/** As root: the uid and gid of `postgres`, to run the server programs as. */
function serverUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  try {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    return { uid, gid };
  } catch {
    throw new Error(
      'PostgreSQL does not run as root, and there is no `postgres` user to run it as: create one (Debian: apt-get install postgresql), or run the tests as another user',
    );
  }
}

let databases = 0;

/** Runs a cluster of its own and resolves once it accepts connections. */
export async function startPostgres(): Promise<PostgresServer> {
  const bin = findPostgresBin();
  if (!bin)
    throw new Error(
      'PostgreSQL is not installed: run `node scripts/ensure-postgres.mjs` (or `apt-get install postgresql`), or set POSTGRES_INITDB',
    );
  const user = serverUser();
  const dir = mkdtempSync(join(tmpdir(), 'comms-pg-'));
  if (user) chownSync(dir, user.uid, user.gid);
  const data = join(dir, 'data');
  const as = { cwd: dir, ...(user ?? {}) };
  try {
    execFileSync(
      join(bin, 'initdb'),
      ['-D', data, '-U', 'comms', '--auth=trust', '--encoding=UTF8', '--locale=C', '--no-sync'],
      { ...as, stdio: ['ignore', 'pipe', 'pipe'] },
    );
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    const e = error as { stderr?: Buffer; message: string };
    throw new Error(`initdb failed: ${e.stderr?.toString() || e.message}`);
  }
  // The free port may be taken between the check and the start: try again then.
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const { child, output, exited, started } = await spawnUntilReady(
      join(bin, 'postgres'),
      [
        '-D',
        data,
        '-p',
        String(port),
        '-k',
        dir,
        '-c',
        'listen_addresses=127.0.0.1',
        '-c',
        'fsync=off',
        '-c',
        'synchronous_commit=off',
        '-c',
        'full_page_writes=off',
        '-c',
        'max_connections=200',
      ],
      { ...as },
      /ready to accept connections/,
    );
    if (!started) {
      if (attempt < 3 && /could not bind|already in use/i.test(output())) continue;
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`postgres did not start: ${output()}`);
    }
    const url = `postgres://comms@127.0.0.1:${port}/postgres`;
    return {
      url,
      port,
      process: child,
      output,
      async createDatabase(name = `t${process.pid}_${++databases}`) {
        const client = new pg.Client({ connectionString: url });
        await client.connect();
        try {
          await client.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`);
        } finally {
          await client.end();
        }
        return `postgres://comms@127.0.0.1:${port}/${name}`;
      },
      async stop() {
        // SIGINT: fast shutdown (clients disconnected, no waiting for them).
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
        await exited;
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
}

/** How a test file's storages reach its cluster: a way to make databases, and their options. */
export interface PostgresRoute {
  /** A new, empty database; resolves with the URL to reach it by. */
  createDatabase(name?: string): Promise<string>;
  /** What every storage opened on those URLs is given besides its URL. */
  options: Partial<PostgresOptions>;
  /** Stops whatever stands between (not the cluster). */
  stop(): Promise<void>;
}

let route: ((server: PostgresServer) => Promise<PostgresRoute>) | undefined;

/**
 * From now on in this test process, {@link reachPostgres} goes through what `make` puts in
 * front of the cluster (e.g. PgBouncer, with the storage options it needs), not directly.
 */
export function usePostgresRoute(make: (server: PostgresServer) => Promise<PostgresRoute>): void {
  route = make;
}

/** How to reach `server`: directly, unless {@link usePostgresRoute} said otherwise. */
export async function reachPostgres(server: PostgresServer): Promise<PostgresRoute> {
  if (route) return route(server);
  return {
    createDatabase: (name) => server.createDatabase(name),
    options: {},
    stop: async () => undefined,
  };
}
