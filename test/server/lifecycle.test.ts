/**
 * The gateway's life: the data directory, restarts with a file database, graceful shutdown,
 * readiness, keepalive and idle timeout, and the command line's errors.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { connect as tcpConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CloseCodes,
  Routes,
  WS_BEARER_PREFIX,
  WS_SUBPROTOCOL,
} from '../../core/protocol/constants.js';
import type { TokenResponse } from '../../core/protocol/schema.js';
import { startServer } from '../../server/index.js';
import { UsageError, parseCommandLine } from '../../server/cli.js';
import { runGateway, startGateway } from '../helpers/gateway.js';
import { call, connect, signupAndLogin } from '../helpers/client.js';

let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'comms-kit-test-'));
});
after(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('with a file database', () => {
  it('a refresh token and an access token from before a restart still work', async () => {
    const data = join(dir, 'data');
    const first = await startGateway(['--data', data]);
    const tokens = await signupAndLogin(first.url);
    assert.equal(await first.stop(), 0, 'SIGTERM exits 0');
    assert.ok(existsSync(join(data, 'comms.db')), 'comms.db in the data directory');

    const second = await startGateway(['--data', data]);
    try {
      const me = await call(second.url, Routes.ME, undefined, {
        authorization: `Bearer ${tokens.accessToken}`,
      });
      assert.equal(me.status, 200, 'the signing key survived');
      const refreshed = await call<TokenResponse>(second.url, Routes.REFRESH, {
        refreshToken: tokens.refreshToken,
      });
      assert.equal(refreshed.status, 200, JSON.stringify(refreshed.body));
      assert.equal(refreshed.body.user.id, tokens.user.id);
    } finally {
      await second.stop();
    }
  });

  it('with no flags (npm start), creates ./.comms-data in the working directory', async () => {
    const cwd = mkdtempSync(join(dir, 'cwd-'));
    const gateway = await startGateway([], { cwd, bare: true });
    try {
      assert.equal((await call(gateway.url, Routes.READY)).status, 200);
    } finally {
      await gateway.stop();
    }
    assert.ok(existsSync(join(cwd, '.comms-data', 'comms.db')));
  });
});

describe('shutdown', () => {
  it('SIGTERM closes sockets with 1012 and exits 0', async () => {
    const gateway = await startGateway();
    const tokens = await signupAndLogin(gateway.url);
    const a = await connect(gateway.url, tokens.accessToken);
    const b = await connect(gateway.url, tokens.accessToken);
    const [code, closedA, closedB] = await Promise.all([gateway.stop(), a.closed, b.closed]);
    assert.equal(closedA.code, CloseCodes.SERVICE_RESTART);
    assert.equal(closedB.code, CloseCodes.SERVICE_RESTART);
    assert.equal(code, 0);
  });

  it('cuts a socket that does not finish the close handshake after the grace period', async () => {
    const server = await startServer({
      port: 0,
      db: ':memory:',
      logLevel: false,
      authRateLimit: false,
      webSocket: { closeGraceMs: 100 },
    });
    const tokens = await signupAndLogin(server.url);
    // A client that upgrades, then never answers anything (not even the server's close frame).
    const raw = tcpConnect(server.port, '127.0.0.1');
    let received = Buffer.alloc(0);
    raw.on('data', (chunk: Buffer) => (received = Buffer.concat([received, chunk])));
    const rawClosed = once(raw, 'close');
    await once(raw, 'connect');
    raw.write(
      [
        `GET ${Routes.WEBSOCKET} HTTP/1.1`,
        `Host: 127.0.0.1:${server.port}`,
        'Upgrade: websocket',
        'Connection: Upgrade',
        `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}`,
        'Sec-WebSocket-Version: 13',
        `Sec-WebSocket-Protocol: ${WS_SUBPROTOCOL}, ${WS_BEARER_PREFIX}${tokens.accessToken}`,
        '',
        '',
      ].join('\r\n'),
    );
    while (!received.includes('\r\n\r\n')) await once(raw, 'data');
    assert.match(received.toString('latin1'), /^HTTP\/1\.1 101 /);
    const bodyStart = received.indexOf('\r\n\r\n') + 4;

    await server.close();
    await rawClosed;
    const frame = received.subarray(bodyStart);
    assert.equal(frame[0], 0x88, 'the server sent a close frame first');
    assert.equal(frame.readUInt16BE(2), CloseCodes.SERVICE_RESTART);
  });
});

describe('probes', () => {
  it('/readyz answers ready while the storage answers, 503 server:unavailable after it closed', async () => {
    const server = await startServer({ port: 0, db: ':memory:', logLevel: false });
    try {
      const ready = await call(server.url, Routes.READY);
      assert.deepEqual([ready.status, ready.body], [200, { status: 'ready' }]);
      await server.app.gateway.storage.close();
      const down = await call<{ error: { code: string } }>(server.url, Routes.READY);
      assert.equal(down.status, 503);
      assert.equal(down.body.error.code, 'server:unavailable');
      assert.equal((await call(server.url, Routes.HEALTH)).status, 200, 'alive all the same');
    } finally {
      await server.close();
    }
  });
});

describe('keepalive', () => {
  it('pings sockets; closes one that answers no ping with IDLE (4008), keeps the one that does', async () => {
    const server = await startServer({
      port: 0,
      db: ':memory:',
      logLevel: false,
      webSocket: { pingIntervalMs: 100, idleTimeoutMs: 350 },
    });
    try {
      const tokens = await signupAndLogin(server.url);
      const silent = await connect(server.url, tokens.accessToken, { autoPong: false });
      const lively = await connect(server.url, tokens.accessToken);
      let pings = 0;
      lively.ws.on('ping', () => pings++);
      const closed = await silent.closed;
      assert.equal(closed.code, CloseCodes.IDLE);
      assert.ok(pings >= 2, `the server pinged (${pings})`);
      assert.equal((await lively.request({ type: 'ping' })).ok, true, 'the answering socket stays');
      lively.close();
    } finally {
      await server.close();
    }
  });
});

describe('command line', () => {
  const cases: Array<[string[], Record<string, string>, RegExp]> = [
    [['--app-key', 'k'], {}, /both an app key and an app secret/],
    [['--app-key', 'k', '--app-secret', 'short'], {}, /at least 16 characters/],
    [['--origin', 'not an origin'], {}, /--origin: 'not an origin' is not an origin/],
    [['--origin', 'https://ok.example/path'], {}, /no path/],
    [['--data', 'x', '--db', ':memory:'], {}, /give --data or --db, not both/],
    [['--log-level', 'loud'], {}, /--log-level must be one of/],
    [['--access-token-ttl', '3600'], {}, /--access-token-ttl must be a whole number from 1 to 900/],
    [[], { PORT: 'http' }, /PORT must be a whole number/],
    [[], { COMMS_DB: ':memory:', COMMS_DATA: 'x' }, /COMMS_DB and COMMS_DATA are both set/],
    [['--presence-scope', 'friends'], {}, /--presence-scope must be one of contacts, all/],
    [['--presence-grace', '3601'], {}, /--presence-grace must be a whole number from 0 to 3600/],
    [['--presence-ttl', '0'], {}, /--presence-ttl must be a whole number from 1 to 3600/],
    [[], { COMMS_PRESENCE_TTL: '1.5' }, /--presence-ttl must be a whole number from 1 to 3600/],
    [['--message-rate-limit', 'fast'], {}, /--message-rate-limit must be a whole number/],
    [['--frame-rate-limit', '0'], {}, /--frame-rate-limit must be a whole number from 1/],
    [[], { COMMS_FAULT: 'crash' }, /COMMS_FAULT must be exit-after-store/],
    [['--directory-details', 'friends'], {}, /--directory-details must be one of all, contacts/],
    [['--trust-proxy', 'everyone'], {}, /--trust-proxy: 'everyone' is not an IP address/],
    [['--trust-proxy', '2'], {}, /--trust-proxy: '2' is not an IP address/],
    [[], { COMMS_TRUST_PROXY: '10.0.0.0/33' }, /COMMS_TRUST_PROXY: '10.0.0.0\/33' is not/],
    [['--trust-proxy', ' , '], {}, /--trust-proxy needs the proxies' addresses/],
    [['--db', 'mysql://u:pw@db/x'], {}, /--db: 'mysql:\/\/u:\*\*\*@db\/x' is not a database/],
    [['--db-pool', '5'], {}, /--db-pool needs a PostgreSQL --db/],
    [['--db', ':memory:'], { COMMS_DB_POOL: '5' }, /COMMS_DB_POOL needs a PostgreSQL --db/],
    [['--db', 'postgres://db/x', '--db-pool', '0'], {}, /--db-pool must be a whole number from 1/],
    [['--db-query-timeout', '5'], {}, /--db-query-timeout needs a PostgreSQL --db/],
    [['--db', ':memory:'], { COMMS_DB_CONNECT_TIMEOUT: '5' }, /COMMS_DB_CONNECT_TIMEOUT needs/],
    [['--db-pooler', 'transaction'], {}, /--db-pooler needs a PostgreSQL --db/],
    [['--db', ':memory:'], { COMMS_DB_POOLER: 'transaction' }, /COMMS_DB_POOLER needs a/],
    [
      ['--db', 'postgres://db/x', '--db-pooler', 'statement'],
      {},
      /--db-pooler must be one of none, session, transaction \(statement pooling runs no transaction\); got 'statement'/,
    ],
    [
      ['--db', 'postgres://db/x', '--db-query-timeout', '0'],
      {},
      /--db-query-timeout must be a whole number from 1 to 3600/,
    ],
    [
      ['--db', 'postgres://db/x'],
      { COMMS_DB_CONNECT_TIMEOUT: '3601' },
      /COMMS_DB_CONNECT_TIMEOUT must be a whole number from 1 to 3600/,
    ],
  ];
  for (const [args, env, message] of cases) {
    it(`refuses ${[...args, ...Object.keys(env)].join(' ')}`, () => {
      assert.throws(
        () => parseCommandLine(args, env),
        (error: Error) => {
          assert.ok(error instanceof UsageError);
          assert.match(error.message, message);
          return true;
        },
      );
    });
  }

  it('the command prints the mistake and the usage, and exits 1', async () => {
    const { code, stderr } = await runGateway(['--app-key', 'k']);
    assert.equal(code, 1);
    assert.match(stderr, /^comms-kit-server: app tickets need both an app key and an app secret/);
    assert.match(stderr, /Usage: comms-kit-server/);
  });

  it('reads flags before variables before defaults', () => {
    const env = {
      PORT: '9000',
      COMMS_DATA: '/srv/comms',
      COMMS_APP_KEY: 'k',
      COMMS_APP_SECRET: 's'.repeat(16),
    };
    const run = parseCommandLine(
      [
        '--port',
        '0',
        '--origin',
        'https://a.example',
        '--origin',
        'https://b.example,https://c.example',
      ],
      env,
    );
    assert.equal(run.kind, 'run');
    if (run.kind !== 'run') return;
    assert.equal(run.options.port, 0);
    assert.equal(run.options.dataDir, '/srv/comms');
    assert.equal(run.options.appKey, 'k');
    assert.deepEqual(run.options.origins, [
      'https://a.example',
      'https://b.example',
      'https://c.example',
    ]);
    const proxied = parseCommandLine(['--trust-proxy', '127.0.0.1, 10.0.0.0/8,loopback,::1'], {
      COMMS_TRUST_PROXY: '192.0.2.1',
    });
    assert.deepEqual(proxied.kind === 'run' && proxied.options.trustProxy, [
      '127.0.0.1',
      '10.0.0.0/8',
      'loopback',
      '::1',
    ]);
    const defaults = parseCommandLine([], {});
    assert.ok(
      defaults.kind === 'run' &&
        defaults.options.dataDir === './.comms-data' &&
        defaults.options.port === 8080,
    );
    const postgres = parseCommandLine([], {
      COMMS_DB: 'postgresql://comms:pw@db.internal:5432/comms',
      COMMS_DB_POOL: '20',
      COMMS_DB_QUERY_TIMEOUT: '7',
      COMMS_DB_CONNECT_TIMEOUT: '3',
      COMMS_DB_POOLER: 'Transaction',
    });
    assert.ok(
      postgres.kind === 'run' &&
        postgres.options.db === 'postgresql://comms:pw@db.internal:5432/comms' &&
        postgres.options.dbPoolSize === 20 &&
        postgres.options.dbQueryTimeout === 7 &&
        postgres.options.dbConnectTimeout === 3 &&
        postgres.options.dbPooler === 'transaction',
    );
    const memory = parseCommandLine(['--db', ':memory:'], { COMMS_DATA: '/srv/comms' });
    assert.ok(
      memory.kind === 'run' &&
        memory.options.db === ':memory:' &&
        memory.options.dataDir === undefined,
    );
  });

  it('reads the messaging and presence settings from flags and variables', () => {
    const run = parseCommandLine(['--presence-grace', '0', '--message-rate-limit', '0'], {
      COMMS_PRESENCE_SCOPE: 'all',
      COMMS_PRESENCE_GRACE: '99',
      COMMS_FRAME_RATE_LIMIT: '50',
      COMMS_FAULT: 'exit-after-store',
      COMMS_PRESENCE_TTL: '7',
    });
    assert.ok(run.kind === 'run');
    if (run.kind !== 'run') return;
    assert.equal(run.options.presenceScope, 'all');
    assert.equal(run.options.presenceGrace, 0, 'the flag wins');
    assert.equal(run.options.presenceTtl, 7);
    assert.equal(run.options.messageRateLimit, false, '0: no limit');
    assert.deepEqual(run.options.webSocket, { perSecond: 50, burst: 100 });
    assert.equal(run.options.fault, 'exit-after-store');
    const plain = parseCommandLine(['--message-rate-limit', '5'], {});
    assert.ok(plain.kind === 'run');
    if (plain.kind !== 'run') return;
    assert.deepEqual(plain.options.messageRateLimit, { perSecond: 5, burst: 10 });
    assert.equal(plain.options.presenceScope, undefined, 'the default is the app’s');
    assert.equal(plain.options.fault, undefined);
  });

  it('--help lists every option and its variable', async () => {
    const { stdout } = await runGateway(['--help']);
    for (const word of [
      '--data',
      '--db',
      '--origin',
      '--app-key',
      '--app-secret',
      '--log-level',
      'COMMS_DATA',
      'COMMS_DB',
      'COMMS_ORIGINS',
      'COMMS_APP_KEY',
      'COMMS_APP_SECRET',
      'LOG_LEVEL',
      '--frame-rate-limit',
      '--message-rate-limit',
      '--presence-scope',
      '--presence-grace',
      '--presence-ttl',
      'COMMS_PRESENCE_TTL',
      'COMMS_FRAME_RATE_LIMIT',
      'COMMS_MESSAGE_RATE_LIMIT',
      'COMMS_PRESENCE_SCOPE',
      'COMMS_PRESENCE_GRACE',
    ])
      assert.ok(stdout.includes(word), word);
  });

  it('takes the origin list from COMMS_ORIGINS', async () => {
    const gateway = await startGateway([], {
      env: { COMMS_ORIGINS: 'https://app.example,https://*.corp.example' },
    });
    try {
      const tokens = await signupAndLogin(gateway.url);
      (await connect(gateway.url, tokens.accessToken, { origin: 'https://app.example' })).close();
      (
        await connect(gateway.url, tokens.accessToken, { origin: 'https://x.corp.example' })
      ).close();
      await assert.rejects(
        connect(gateway.url, tokens.accessToken, { origin: 'http://localhost:3000' }),
        (e: { status: number }) => e.status === 403,
        'a configured list replaces the localhost default',
      );
    } finally {
      await gateway.stop();
    }
  });
});
