/**
 * The gateway's SIP credentials (`GET /v1/sip-credentials`, for `comms-kit/sip`): what it hands
 * a signed-in user (their address of record, Kamailio `auth_ephemeral` credentials that verify
 * with HMAC-SHA1, bound to that user, expiring), what it answers without SIP configured or
 * without a token, and the command line's SIP settings. The shipped Kamailio configuration
 * passes Kamailio's own check. Calls through a real Kamailio with these credentials, and the
 * proxy's refusals, are `test/core/calls-sip.test.ts` (in Chromium: SIP over WebSocket).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { promisify } from 'node:util';
import { SIP_CREDENTIALS_ROUTE } from '../../core/protocol/constants.js';
import type { SipCredentialsResponse } from '../../core/protocol/schema.js';
import { ManualClock, startServer, type RunningServer } from '../../server/index.js';
import { parseCommandLine } from '../../server/cli.js';
import { findKamailio, findKamailioModules } from '../../scripts/kamailio-server.mjs';
import { call, signupAndLogin, uniqueName } from '../helpers/client.js';
import { CONFIG } from '../helpers/kamailio.mjs';

const SIP = {
  sipSecret: 'kamailio-shared-secret',
  sipWsUrl: 'wss://sip.example.com:8443/ws',
  sipDomain: 'sip.example.com',
  sipTtl: 600,
};

describe('SIP credentials', () => {
  const clock = new ManualClock(Date.UTC(2026, 10, 24, 12));
  let server: RunningServer;

  before(async () => {
    server = await startServer({ port: 0, db: ':memory:', logLevel: false, clock, ...SIP });
  });
  after(() => server?.close());

  it('hands a signed-in user their address and credentials that verify with HMAC-SHA1', async () => {
    const username = uniqueName('sip');
    const { accessToken } = await signupAndLogin(server.url, username);
    const res = await call<SipCredentialsResponse>(server.url, SIP_CREDENTIALS_ROUTE, undefined, {
      authorization: `Bearer ${accessToken}`,
    });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('cache-control'), 'no-store');
    const body = res.body;
    assert.equal(body.wsUrl, SIP.sipWsUrl);
    assert.equal(body.domain, SIP.sipDomain);
    // The name other users call: the username.
    assert.equal(body.uri, `sip:${username}@${SIP.sipDomain}`);
    assert.equal(body.username, `${Math.floor(clock.now() / 1000) + 600}:${username}`);
    assert.equal(body.ttl, 600);
    // How long the caller lets a call ring: the gateway's call timeout (30 s by default).
    assert.equal(body.ringTimeout, 30);
    assert.equal(
      body.password,
      createHmac('sha1', SIP.sipSecret).update(body.username).digest('base64'),
    );
    assert.notEqual(
      body.password,
      createHmac('sha1', 'another-secret').update(body.username).digest('base64'),
    );
    assert.equal(body.displayName, username);
  });

  it('answers 401 without a token, and nothing for a token of another gateway', async () => {
    const none = await call<{ error: { code: string } }>(server.url, SIP_CREDENTIALS_ROUTE);
    assert.equal(none.status, 401);
    assert.equal(none.body.error.code, 'auth:required');
    const forged = await call<{ error: { code: string } }>(
      server.url,
      SIP_CREDENTIALS_ROUTE,
      undefined,
      { authorization: 'Bearer not.a.token' },
    );
    assert.equal(forged.status, 401);
  });

  it('answers 404 sip:notConfigured on a gateway without SIP, naming the flags', async () => {
    const plain = await startServer({ port: 0, db: ':memory:', logLevel: false });
    try {
      const { accessToken } = await signupAndLogin(plain.url, uniqueName('sip'));
      const res = await call<{ error: { code: string; message: string } }>(
        plain.url,
        SIP_CREDENTIALS_ROUTE,
        undefined,
        { authorization: `Bearer ${accessToken}` },
      );
      assert.equal(res.status, 404);
      assert.equal(res.body.error.code, 'sip:notConfigured');
      assert.match(res.body.error.message, /--sip-secret/);
    } finally {
      await plain.close();
    }
  });
});

describe('the command line’s SIP settings', () => {
  it('reads them from flags and the environment', () => {
    const fromFlags = parseCommandLine([
      '--sip-secret',
      's3cret',
      '--sip-ws-url',
      'wss://sip.example.com/ws',
      '--sip-domain',
      'sip.example.com',
      '--sip-ttl',
      '3600',
    ]);
    assert.ok(fromFlags.kind === 'run');
    assert.equal(fromFlags.options.sipSecret, 's3cret');
    assert.equal(fromFlags.options.sipWsUrl, 'wss://sip.example.com/ws');
    assert.equal(fromFlags.options.sipDomain, 'sip.example.com');
    assert.equal(fromFlags.options.sipTtl, 3600);
    const fromEnv = parseCommandLine([], {
      COMMS_SIP_SECRET: 'x',
      COMMS_SIP_WS_URL: 'ws://127.0.0.1:8089',
      COMMS_SIP_DOMAIN: 'comms-kit.local',
    });
    assert.ok(fromEnv.kind === 'run');
    assert.equal(fromEnv.options.sipSecret, 'x');
    assert.equal(fromEnv.options.sipWsUrl, 'ws://127.0.0.1:8089');
  });

  it('refuses wrong values, naming what is wrong', () => {
    const all = [
      '--sip-secret',
      'x',
      '--sip-ws-url',
      'wss://a.example',
      '--sip-domain',
      'a.example',
    ];
    const cases: Array<[string[], RegExp]> = [
      [['--sip-secret', 'x'], /--sip-secret, --sip-ws-url and --sip-domain/],
      [['--sip-ws-url', 'wss://a.example', '--sip-domain', 'a.example'], /--sip-secret/],
      [
        [...all.slice(0, 2), '--sip-ws-url', 'https://a.example', ...all.slice(4)],
        /not a WebSocket URL/,
      ],
      [[...all.slice(0, 4), '--sip-domain', 'a example'], /not a SIP domain/],
      [['--sip-secret', ' ', ...all.slice(2)], /must not be empty/],
      [[...all, '--sip-ttl', '5'], /--sip-ttl/],
    ];
    for (const [argv, message] of cases) assert.throws(() => parseCommandLine(argv, {}), message);
  });
});

describe('the shipped Kamailio configuration', () => {
  it('passes Kamailio’s own check, and does not parse without a secret', async () => {
    const bin = findKamailio();
    const modules = findKamailioModules(bin);
    assert.ok(bin && modules, 'kamailio is installed (scripts/ensure-kamailio.mjs)');
    const run = promisify(execFile);
    const ok = await run(bin, ['-c', '-f', CONFIG, '-L', modules, '-A', 'SIP_SECRET="x"']);
    assert.match(ok.stdout + ok.stderr, /config file ok/i);
    await assert.rejects(run(bin, ['-c', '-f', CONFIG, '-L', modules]), (error: Error) => {
      assert.match(String((error as { stderr?: string }).stderr), /bad config file/);
      return true;
    });
  });
});
