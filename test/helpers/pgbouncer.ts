/**
 * Starts a throwaway PgBouncer in front of a throwaway PostgreSQL cluster (`postgres.ts`), as
 * deployments reach PostgreSQL at scale: its own ini and auth file in a temporary directory,
 * 127.0.0.1 only, a free port, no Unix socket, every database of the cluster reachable under
 * its own name (a `*` fallback entry), in `transaction` pooling (the usual), `session` or
 * `statement` pooling; and stops it and removes the directory. `npm run test:node` makes sure the program
 * is there (`scripts/ensure-pgbouncer.mjs`).
 *
 * PgBouncer refuses to run as root: as root (CI, containers), it runs as the `postgres` user,
 * as the cluster does.
 */
import { execFileSync, type ChildProcess } from 'node:child_process';
import { chownSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { findPgBouncer } from '../../scripts/pgbouncer-server.mjs';
import type { PostgresServer } from './postgres.js';
import { freePort, spawnUntilReady } from './server-process.js';

/** PgBouncer's pool modes (`statement` pooling refuses transactions: the gateway refuses it). */
export type PoolMode = 'transaction' | 'session' | 'statement';

export interface PgBouncerOptions {
  /** Default `transaction`. */
  poolMode?: PoolMode;
  /**
   * Server connections per database and user (PgBouncer's `default_pool_size`; default 20):
   * fewer than a gateway's client connections, so that they are shared.
   */
  poolSize?: number;
}

export interface PgBouncerServer {
  /** `postgres://comms@127.0.0.1:<port>/postgres` (through PgBouncer). */
  url: string;
  port: number;
  poolMode: PoolMode;
  process: ChildProcess;
  /** Everything it printed so far. */
  output(): string;
  /** The URL of `direct` (a URL of the cluster) through PgBouncer: same database, its port. */
  through(direct: string): string;
  /** A new, empty database on the cluster; resolves with its URL through PgBouncer. */
  createDatabase(name?: string): Promise<string>;
  /** Stops it (immediate shutdown) and removes its directory. */
  stop(): Promise<void>;
}

/** As root: the uid and gid of `postgres`, to run PgBouncer as. */
function serverUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag: string) =>
    Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
  return { uid: id('-u'), gid: id('-g') };
}

/** Runs PgBouncer in front of `postgres` and resolves once it accepts connections. */
export async function startPgBouncer(
  postgres: PostgresServer,
  options: PgBouncerOptions = {},
): Promise<PgBouncerServer> {
  const bin = findPgBouncer();
  if (!bin)
    throw new Error(
      'pgbouncer is not installed: run `node scripts/ensure-pgbouncer.mjs` (or `apt-get install pgbouncer`), or set PGBOUNCER',
    );
  const poolMode = options.poolMode ?? 'transaction';
  const user = serverUser();
  const dir = mkdtempSync(join(tmpdir(), 'comms-pgbouncer-'));
  if (user) chownSync(dir, user.uid, user.gid);
  const auth = join(dir, 'userlist.txt');
  // The cluster trusts loopback; PgBouncer still wants each user in its auth file.
  writeFileSync(auth, '"comms" ""\n');
  const ini = join(dir, 'pgbouncer.ini');
  // The free port may be taken between the check and the start: try again then.
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    writeFileSync(
      ini,
      `[databases]
* = host=127.0.0.1 port=${postgres.port}

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = ${port}
unix_socket_dir =
auth_type = trust
admin_users = comms
auth_file = ${auth}
pool_mode = ${poolMode}
default_pool_size = ${options.poolSize ?? 20}
max_client_conn = 1000
max_db_connections = 0
server_lifetime = 3600
logfile =
pidfile =
log_connections = 0
log_disconnections = 0
`,
    );
    const { child, output, exited, started } = await spawnUntilReady(
      bin,
      [ini],
      { cwd: dir, ...(user ?? {}) },
      /process up/,
    );
    if (!started) {
      if (attempt < 3 && /Address already in use/i.test(output())) continue;
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`pgbouncer did not start: ${output()}`);
    }
    const through = (direct: string) => {
      const url = new URL(direct);
      url.port = String(port);
      return url.toString();
    };
    return {
      url: through(postgres.url),
      port,
      poolMode,
      process: child,
      output,
      through,
      async createDatabase(name?: string) {
        return through(await postgres.createDatabase(name));
      },
      async stop() {
        // SIGTERM: immediate shutdown (SIGINT would wait for clients to finish).
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
        await exited;
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
}

/** The pool mode the PgBouncer at `url` runs in, asked through its admin console (`SHOW`). */
export async function poolModeAt(url: string): Promise<string> {
  const admin = new URL(url);
  admin.pathname = '/pgbouncer';
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    const { rows } = await client.query<{ key: string; value: string }>('SHOW CONFIG');
    return rows.find((r) => r.key === 'pool_mode')?.value ?? '';
  } finally {
    await client.end();
  }
}
