/**
 * A @web/test-runner plugin that lets browser tests run the real gateway: each
 * `gateway:start` spawns `dist/node/server/bin.js` (what `npm start` runs) with a fresh database in
 * its own temp folder, behind a loopback TCP proxy whose port stays the same across restarts.
 * Browser code calls these with `executeServerCommand` (see test/helpers/gateway.browser.ts):
 *
 *   gateway:start   {args?}     → {id, url}   start a gateway (url: the proxy)
 *   gateway:stop    {id}                      stop it and its proxy, remove its data
 *   gateway:restart {id}                      stop the process and start it again on the same data
 *   gateway:kill    {id}                      stop the process only (the proxy refuses meanwhile)
 *   gateway:revive  {id}                      start a killed process again
 *   gateway:drop    {id}        → {dropped}   cut every open TCP connection through the proxy
 *   gateway:ticket  {id, userId, ttlSeconds?} → {ticket}  an app-signed user ticket
 */
import { spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const bin = fileURLToPath(new URL('../../dist/node/server/bin.js', import.meta.url));
const serverModule = new URL('../../dist/node/server/index.js', import.meta.url).href;

export const APP_KEY = 'test-app';
export const APP_SECRET = 'test-app-secret-that-is-long-enough';

function spawnGateway(dataDir, args) {
  const child = spawn(
    process.execPath,
    [
      bin,
      '--host',
      '127.0.0.1',
      '--port',
      '0',
      '--log-level',
      'silent',
      '--data',
      dataDir,
      '--app-key',
      APP_KEY,
      '--app-secret',
      APP_SECRET,
      // The suites log in many times a minute from one address.
      '--auth-rate-limit',
      '0',
      ...args,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (chunk) => {
      output += chunk;
      const match = /listening on http:\/\/[^:]+:(\d+)/.exec(output);
      if (match) resolve({ child, port: Number(match[1]) });
    });
    child.stderr.on('data', (chunk) => (output += chunk));
    child.once('exit', (code) => reject(new Error(`gateway exited with ${code}: ${output}`)));
  });
}

async function stopProcess(child) {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await once(child, 'exit');
  clearTimeout(timer);
}

export function gatewayPlugin() {
  const gateways = new Map();
  let nextId = 0;

  async function start(args = []) {
    const id = String(++nextId);
    const dataDir = mkdtempSync(join(tmpdir(), 'comms-kit-test-'));
    const gateway = {
      id,
      dataDir,
      args,
      child: undefined,
      port: 0,
      sockets: new Set(),
      proxy: undefined,
    };
    Object.assign(gateway, await spawnGateway(dataDir, args));
    gateway.proxy = createServer((client) => {
      if (!gateway.child || gateway.child.exitCode !== null) {
        client.destroy();
        return;
      }
      const upstream = connect(gateway.port, '127.0.0.1');
      gateway.sockets.add(client);
      gateway.sockets.add(upstream);
      const close = () => {
        client.destroy();
        upstream.destroy();
        gateway.sockets.delete(client);
        gateway.sockets.delete(upstream);
      };
      client.pipe(upstream);
      upstream.pipe(client);
      client.on('error', close).on('close', close);
      upstream.on('error', close).on('close', close);
    });
    gateway.proxy.listen(0, '127.0.0.1');
    await once(gateway.proxy, 'listening');
    gateways.set(id, gateway);
    return { id, url: `http://127.0.0.1:${gateway.proxy.address().port}` };
  }

  function get(id) {
    const gateway = gateways.get(String(id));
    if (!gateway) throw new Error(`no gateway ${id}`);
    return gateway;
  }

  async function stop(id) {
    const gateway = get(id);
    gateways.delete(String(id));
    for (const socket of gateway.sockets) socket.destroy();
    gateway.proxy.close();
    await stopProcess(gateway.child);
    rmSync(gateway.dataDir, { recursive: true, force: true });
  }

  return {
    name: 'comms-kit-gateway',
    async executeCommand({ command, payload }) {
      switch (command) {
        case 'gateway:start':
          return start(payload?.args);
        case 'gateway:stop':
          await stop(payload.id);
          return true;
        case 'gateway:kill': {
          const gateway = get(payload.id);
          await stopProcess(gateway.child);
          return true;
        }
        case 'gateway:revive': {
          const gateway = get(payload.id);
          Object.assign(gateway, await spawnGateway(gateway.dataDir, gateway.args));
          return true;
        }
        case 'gateway:restart': {
          const gateway = get(payload.id);
          await stopProcess(gateway.child);
          Object.assign(gateway, await spawnGateway(gateway.dataDir, gateway.args));
          return true;
        }
        case 'gateway:drop': {
          const gateway = get(payload.id);
          const dropped = gateway.sockets.size / 2;
          for (const socket of gateway.sockets) socket.destroy();
          return { dropped };
        }
        case 'gateway:ticket': {
          if (payload.ttlSeconds !== undefined && payload.ttlSeconds <= 0) {
            // An expired ticket, as a backend with a wrong clock would sign it.
            const now = Math.floor(Date.now() / 1000);
            const body = Buffer.from(
              JSON.stringify({
                appKey: APP_KEY,
                userId: payload.userId,
                iat: now - 600,
                exp: now + payload.ttlSeconds,
              }),
            ).toString('base64url');
            const mac = createHmac('sha256', payload.appSecret ?? APP_SECRET)
              .update(body)
              .digest('base64url');
            return { ticket: `${body}.${mac}` };
          }
          const { signUserTicket } = await import(serverModule);
          const ticket = signUserTicket({
            appKey: payload.appKey ?? APP_KEY,
            appSecret: payload.appSecret ?? APP_SECRET,
            userId: payload.userId,
            displayName: payload.displayName,
            ttlSeconds: payload.ttlSeconds,
          });
          return { ticket };
        }
        default:
          return undefined;
      }
    },
    async serverStop() {
      await Promise.all([...gateways.keys()].map((id) => stop(id)));
    },
  };
}
