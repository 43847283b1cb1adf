/**
 * Starts a `redis-server` of its own for Node-side tests, as `gateway.ts` starts the gateway:
 * on 127.0.0.1 only, on a free port, in a temporary directory, with no persistence; and stops
 * it. `npm run test:node` makes sure the executable is there (`scripts/ensure-redis.mjs`).
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findRedisServer } from '../../scripts/redis-server.mjs';
import { freePort, spawnUntilReady } from './server-process.js';

export interface RedisServer {
  /** `redis://127.0.0.1:<port>` */
  url: string;
  port: number;
  process: ChildProcess;
  /** Everything it printed so far. */
  output(): string;
  /** Stops it (SIGTERM, no save) and removes its directory. */
  stop(): Promise<void>;
}

/** A port nobody listens on now, on 127.0.0.1. */
/**
 * Runs `redis-server` on a free loopback port (or `port`: to bring one back where it was) and
 * resolves once it accepts connections.
 */
export async function startRedis(options: { port?: number } = {}): Promise<RedisServer> {
  const bin = findRedisServer();
  if (!bin)
    throw new Error(
      'redis-server is not installed: run `node scripts/ensure-redis.mjs` (or `apt-get install redis-server`), or set REDIS_SERVER',
    );
  // The free port may be taken between the check and the start: try again then.
  for (let attempt = 1; ; attempt++) {
    const port = options.port ?? (await freePort());
    const dir = mkdtempSync(join(tmpdir(), 'comms-redis-'));
    const { child, output, exited, started } = await spawnUntilReady(
      bin,
      [
        '--bind',
        '127.0.0.1',
        '--port',
        String(port),
        '--protected-mode',
        'yes',
        '--dir',
        dir,
        '--save',
        '',
        '--appendonly',
        'no',
        '--daemonize',
        'no',
        '--loglevel',
        'notice',
      ],
      {},
      /Ready to accept connections/,
    );
    if (!started) {
      rmSync(dir, { recursive: true, force: true });
      if (attempt < 3 && options.port === undefined && /Address already in use/.test(output()))
        continue;
      throw new Error(`redis-server did not start: ${output()}`);
    }
    return {
      url: `redis://127.0.0.1:${port}`,
      port,
      process: child,
      output,
      async stop() {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
        await exited;
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
}
