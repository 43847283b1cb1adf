/**
 * A throwaway coturn for the tests of calls through a TURN relay, as `redis.ts` starts Redis:
 * `turnserver` on 127.0.0.1 only, on a free port (UDP and TCP), with no configuration file, in
 * the shared-secret mode ("TURN REST API") the gateway's credentials are made for, its pid file
 * and user database in a temporary directory; and stopped. Plain JavaScript so that the Node
 * tests and the browser tests' server commands (`coturn-plugin.mjs`) start it from one place.
 * `scripts/ensure-coturn.mjs` makes sure the programs are there.
 *
 * `allocate` asks it for a relay with given credentials through coturn's own test client
 * (`turnutils_uclient`), so the Node tests check the gateway's credentials against the server
 * that will judge them, not against a client of our own.
 */
import { spawn } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findTurnClient, findTurnServer } from '../../scripts/coturn-server.mjs';
import { stopProcess } from './processes.mjs';

/** The realm the throwaway servers use. */
export const REALM = 'comms-kit.test';

/** Relay ports per server: a few calls' worth. */
const RELAY_PORTS = 100;

/** A port free on 127.0.0.1 for both TCP and UDP at the time of asking. */
async function freePort() {
  for (;;) {
    const tcp = createServer();
    tcp.listen(0, '127.0.0.1');
    await once(tcp, 'listening');
    const { port } = tcp.address();
    const udp = createSocket('udp4');
    const bound = await new Promise((resolve) => {
      udp.once('error', () => resolve(false));
      udp.bind(port, '127.0.0.1', () => resolve(true));
    });
    tcp.close();
    if (bound) udp.close();
    if (bound) return port;
  }
}

/** Resolves once `child`'s output satisfies `ready` (true) or it exits first (false). */
function untilReady(child, ready, append) {
  return new Promise((resolve) => {
    const onData = (chunk) => {
      if (ready(append(chunk.toString()))) resolve(true);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', () => resolve(false));
  });
}

/**
 * Runs `turnserver` on a free loopback port and resolves once it listens (UDP and TCP) and its
 * user database is open. `secret`: its `static-auth-secret` (default: a random one).
 */
export async function startCoturn({ secret = randomBytes(16).toString('hex') } = {}) {
  const bin = findTurnServer();
  if (!bin)
    throw new Error(
      'turnserver is not installed: run `node scripts/ensure-coturn.mjs` (or `apt-get install coturn`), or set TURNSERVER',
    );
  const port = await freePort();
  // A taken relay port is skipped by coturn; a random range keeps parallel servers apart.
  const minPort = 50000 + randomInt(100) * RELAY_PORTS;
  const dir = mkdtempSync(join(tmpdir(), 'comms-coturn-'));
  const child = spawn(
    bin,
    [
      '-n', // no configuration file: everything is here
      '--listening-ip',
      '127.0.0.1',
      '--listening-port',
      String(port),
      '--relay-ip',
      '127.0.0.1',
      '--min-port',
      String(minPort),
      '--max-port',
      String(minPort + RELAY_PORTS - 1),
      // The credentials the gateway hands out: `<expiry>:<user id>`, HMAC-SHA1 of the secret.
      '--use-auth-secret',
      '--static-auth-secret',
      secret,
      '--realm',
      REALM,
      // Both peers' relay addresses are on loopback here. Test-only: in production this lets
      // a TURN user reach the server's own loopback services.
      '--allow-loopback-peers',
      '--no-tls',
      '--no-dtls',
      '--no-cli',
      '--pidfile',
      join(dir, 'turnserver.pid'),
      '--userdb',
      join(dir, 'turndb'),
      '--log-file',
      'stdout',
      // Each request's outcome per user ("ALLOCATE processed, success", "error 401"), and the
      // listener lines the start waits for.
      '--verbose',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  const exited = once(child, 'exit');
  const started = await untilReady(
    child,
    (text) =>
      text.includes(`UDP listener opened on: 127.0.0.1:${port}`) &&
      text.includes(`TCP listener opened on : 127.0.0.1:${port}`) &&
      text.includes('DB connection success'),
    (chunk) => (output += chunk),
  );
  if (!started) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`turnserver did not start: ${output}`);
  }
  return {
    port,
    secret,
    urls: [`turn:127.0.0.1:${port}?transport=udp`, `turn:127.0.0.1:${port}?transport=tcp`],
    relayPorts: { min: minPort, max: minPort + RELAY_PORTS - 1 },
    process: child,
    output: () => output,
    async stop() {
      await stopProcess(child);
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Asks `server` for a relay (a TURN Allocate) with `username` and `credential`, over UDP or
 * TCP, with coturn's `turnutils_uclient`. Resolves with the relayed address (`ip:port`) once the
 * server gave one, or with `relayed: undefined` when the client gave up (the server refused);
 * `output` is what the client said. Rejects when the client has neither within 10 s.
 */
export async function allocate(server, { username, credential, transport = 'udp' }) {
  const bin = findTurnClient();
  if (!bin)
    throw new Error(
      'turnutils_uclient is not installed: run `node scripts/ensure-coturn.mjs` (or `apt-get install coturn`)',
    );
  const child = spawn(
    bin,
    [
      '-v',
      ...(transport === 'tcp' ? ['-t'] : []),
      '-c', // no RTCP allocation: one relay
      '-n',
      '1',
      '-e', // a peer to send to after the allocation (it is stopped before)
      '127.0.0.1',
      '-p',
      String(server.port),
      '-u',
      username,
      '-w',
      credential,
      '127.0.0.1',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  const relay = /Received relay addr: (\S+)/;
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, 10_000);
  try {
    const allocated = await untilReady(
      child,
      (text) => relay.test(text),
      (chunk) => (output += chunk),
    );
    if (timedOut) throw new Error(`turnutils_uclient did not finish within 10 s: ${output}`);
    return { relayed: allocated ? relay.exec(output)[1] : undefined, output };
  } finally {
    clearTimeout(timer);
    await stopProcess(child);
  }
}
