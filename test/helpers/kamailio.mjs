/**
 * A throwaway Kamailio for the tests of calls over SIP, as `coturn.mjs` starts coturn: the
 * project's own configuration (`deploy/kamailio/kamailio.cfg`), SIP over WebSocket on
 * 127.0.0.1 only, on a free port, with a fresh `auth_ephemeral` secret, in the foreground, its
 * runtime files in a temporary directory; and stopped. Plain JavaScript so that the Node tests
 * and the browser tests' server commands (`kamailio-plugin.mjs`) start it from one place.
 * `scripts/ensure-kamailio.mjs` makes sure it is there.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findKamailio, findKamailioModules } from '../../scripts/kamailio-server.mjs';
import { stopProcess } from './processes.mjs';

/** The SIP domain the throwaway proxies serve. */
export const DOMAIN = 'comms-kit.test';
/** The configuration the project ships, which the tests run as it is. */
export const CONFIG = fileURLToPath(new URL('../../deploy/kamailio/kamailio.cfg', import.meta.url));

/** A TCP port free on 127.0.0.1 at the time of asking. */
async function freePort() {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address();
  server.close();
  return port;
}

/** Resolves once something accepts TCP connections on `port` (rejects after `ms`). */
async function listening(port, child, ms = 15000) {
  const until = Date.now() + ms;
  for (;;) {
    if (child.exitCode !== null) throw new Error('kamailio exited');
    const ok = await new Promise((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > until) throw new Error(`kamailio did not listen on ${port} within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Runs Kamailio with the project's configuration on a free loopback port and resolves once it
 * accepts connections. `secret`: its `auth_ephemeral` secret (default: a random one).
 */
export async function startKamailio({ secret = randomBytes(16).toString('hex') } = {}) {
  const bin = findKamailio();
  const modules = findKamailioModules(bin);
  if (!bin || !modules)
    throw new Error(
      'kamailio (with its websocket, auth_ephemeral, evapi and jansson modules) is not installed: run `node scripts/ensure-kamailio.mjs`, or set KAMAILIO',
    );
  const port = await freePort();
  const eventsPort = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'comms-kamailio-'));
  const child = spawn(
    bin,
    [
      '-f',
      CONFIG,
      '-L',
      modules,
      '-DD', // in the foreground, no fork into the background
      '-E', // log to stderr
      '-m',
      '64',
      '-M',
      '8',
      '-Y',
      dir,
      '-P',
      join(dir, 'kamailio.pid'),
      '-A',
      `WS_ADDR=127.0.0.1:${port}`,
      '-A',
      `SIP_DOMAIN="${DOMAIN}"`,
      '-A',
      `SIP_SECRET="${secret}"`,
      '-A',
      `EVENTS_ADDR="127.0.0.1:${eventsPort}"`,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'], cwd: dir },
  );
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  const exited = once(child, 'exit');
  try {
    await listening(port, child);
    await listening(eventsPort, child);
  } catch (error) {
    await stopProcess(child);
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`kamailio did not start (${error.message}): ${output}`);
  }
  return {
    port,
    secret,
    domain: DOMAIN,
    wsUrl: `ws://127.0.0.1:${port}`,
    /** Where its call events are served: the gateway's `--sip-events`. */
    events: `127.0.0.1:${eventsPort}`,
    process: child,
    output: () => output,
    async stop() {
      await stopProcess(child);
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
