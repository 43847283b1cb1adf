import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:net';
import { once } from 'node:events';
import { runGateway, startGateway, type Gateway } from '../helpers/gateway.js';
import { PortInUseError, SHUTDOWN_GRACE_MS, startServer } from '../../server/index.js';

describe('the gateway npm start runs', () => {
  let gateway: Gateway;
  before(async () => {
    gateway = await startGateway();
  });
  after(async () => {
    await gateway.stop();
  });

  it('listens on loopback only', () => {
    assert.match(gateway.url, /^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('answers /healthz with its status and version', async () => {
    const res = await fetch(`${gateway.url}/healthz`);
    assert.equal(res.status, 200);
    const body = (await res.json()) as { status: string; version: string };
    assert.equal(body.status, 'ok');
    assert.match(body.version, /^\d+\.\d+\.\d+/);
  });

  it('serves the CDN build at /cdn/comms-kit.js', async () => {
    const res = await fetch(`${gateway.url}/cdn/comms-kit.js`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /javascript/);
    const code = await res.text();
    assert.ok(code.includes('comms-client'), 'the bundle registers <comms-client>');
    const iife = await fetch(`${gateway.url}/cdn/comms-kit.iife.js`);
    assert.equal(iife.status, 200);
    assert.ok((await iife.text()).includes('comms-client'));
  });

  it('serves the demo at /', async () => {
    const res = await fetch(`${gateway.url}/`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /text\/html/);
    assert.match(await res.text(), /<script type="module" src="app\.js">/);
    const app = await fetch(`${gateway.url}/app.js`);
    assert.equal(app.status, 200);
    assert.match(await app.text(), /import '\/cdn\/comms-kit\.js'/);
  });

  it('answers an unknown path with 404, and keeps serving', async () => {
    const res = await fetch(`${gateway.url}/no/such/file`);
    assert.equal(res.status, 404);
    assert.equal((await fetch(`${gateway.url}/healthz`)).status, 200);
  });
});

describe('shutting down', () => {
  it('cuts a download its client stopped reading once the grace period is over', async () => {
    const server = await startServer({ port: 0, db: ':memory:', logLevel: false });
    // A client that asks for the bundle and never reads it keeps its response in progress.
    const stalled = await fetch(`${server.url}/cdn/comms-kit.iife.js`);
    assert.equal(stalled.status, 200);
    const started = Date.now();
    const outcome = await Promise.race([
      server.close().then(() => 'closed'),
      new Promise((resolve) => setTimeout(resolve, SHUTDOWN_GRACE_MS + 5000, 'still open')),
    ]);
    assert.equal(outcome, 'closed');
    assert.ok(Date.now() - started >= SHUTDOWN_GRACE_MS - 100, 'it waited for the grace period');
  });
});

describe('starting on a port that is taken', () => {
  let blocker: Server;
  let port: number;
  before(async () => {
    blocker = createServer();
    blocker.listen(0, '127.0.0.1');
    await once(blocker, 'listening');
    port = (blocker.address() as { port: number }).port;
  });
  after(() => {
    blocker.close();
  });

  it('the command refuses with a clear message and a non-zero exit', async () => {
    const { code, stderr } = await runGateway([
      '--port',
      String(port),
      '--db',
      ':memory:',
      '--log-level',
      'silent',
    ]);
    assert.equal(code, 1);
    assert.match(stderr, new RegExp(`port ${port} on 127\\.0\\.0\\.1 is already in use`));
    assert.match(stderr, /--port or PORT/);
  });

  it('startServer() rejects with PortInUseError', async () => {
    await assert.rejects(
      startServer({ port, db: ':memory:', logLevel: false }),
      (error: unknown) => {
        assert.ok(error instanceof PortInUseError);
        assert.equal(error.code, 'server:portInUse');
        return true;
      },
    );
  });
});

describe('command line', () => {
  it('--help prints the options', async () => {
    const { code, stdout } = await runGateway(['--help']);
    assert.equal(code, 0);
    assert.match(stdout, /--port/);
    assert.match(stdout, /--host/);
  });

  it('refuses a port that is not a number, naming it', async () => {
    const { code, stderr } = await runGateway(['--port', 'eighty']);
    assert.equal(code, 1);
    assert.match(stderr, /--port must be a whole number from 0 to 65535; got 'eighty'/);
  });

  it('refuses an unknown option', async () => {
    const { code, stderr } = await runGateway(['--nope']);
    assert.equal(code, 1);
    assert.match(stderr, /Unknown option '--nope'/);
  });
});
