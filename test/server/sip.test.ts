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
import { once } from 'node:events';
import {
  createConnection,
  createServer,
  type AddressInfo,
  type Server,
  type Socket,
} from 'node:net';
import { createHmac } from 'node:crypto';
import { promisify } from 'node:util';
import { Routes, SIP_CREDENTIALS_ROUTE } from '../../core/protocol/constants.js';
import type { SipCredentialsResponse } from '../../core/protocol/schema.js';
import { ManualClock, startServer, type RunningServer } from '../../server/index.js';
import { parseCommandLine } from '../../server/cli.js';
import { findKamailio, findKamailioModules } from '../../scripts/kamailio-server.mjs';
import { call, signupAndLogin, uniqueName } from '../helpers/client.js';
import { CONFIG, startKamailio } from '../helpers/kamailio.mjs';
import {
  failedOutcome,
  netstring,
  parseSipCallEvent,
  readNetstrings,
} from '../../server/calls/sip-records.js';

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
    const events = parseCommandLine(['--sip-events', '[::1]:8448'], {
      COMMS_SIP_SECRET: 'x',
      COMMS_SIP_WS_URL: 'ws://127.0.0.1:8089',
      COMMS_SIP_DOMAIN: 'comms-kit.local',
    });
    assert.ok(events.kind === 'run');
    assert.equal(events.options.sipEvents, '[::1]:8448');
    const eventsFromEnv = parseCommandLine([], {
      COMMS_SIP_SECRET: 'x',
      COMMS_SIP_WS_URL: 'ws://127.0.0.1:8089',
      COMMS_SIP_DOMAIN: 'comms-kit.local',
      COMMS_SIP_EVENTS: '127.0.0.1:8448',
    });
    assert.ok(eventsFromEnv.kind === 'run');
    assert.equal(eventsFromEnv.options.sipEvents, '127.0.0.1:8448');
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
      [['--sip-events', '127.0.0.1:8448'], /--sip-events needs the SIP settings/],
      [
        [...all, '--sip-events', 'kamailio'],
        /'kamailio' is not an address for the SIP call events/,
      ],
      [[...all, '--sip-events', '127.0.0.1:99999'], /not an address/],
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

describe('the records of SIP calls, from the proxy’s events (a stand-in proxy)', () => {
  const clock = new ManualClock(Date.UTC(2026, 10, 24, 12));
  const secret = 'events-secret';
  let server: RunningServer;
  let proxy: Server;
  /** The gateway's connections to the stand-in proxy, newest last. */
  const connections: Array<{ socket: Socket; greeting: Promise<string> }> = [];
  let caller: string;
  let callee: string;
  let tokens: Record<string, string>;

  before(async () => {
    proxy = createServer((socket) => {
      let text = '';
      const greeting = new Promise<string>((resolve) =>
        socket.on('data', (chunk) => {
          text += chunk.toString();
          if (text.endsWith(',')) resolve(text);
        }),
      );
      connections.push({ socket, greeting });
    });
    proxy.listen(0, '127.0.0.1');
    await once(proxy, 'listening');
    const { port } = proxy.address() as AddressInfo;
    server = await startServer({
      port: 0,
      db: ':memory:',
      logLevel: false,
      clock,
      ...SIP,
      sipSecret: secret,
      sipEvents: `127.0.0.1:${port}`,
    });
    caller = uniqueName('sipa');
    callee = uniqueName('sipb');
    tokens = {
      [caller]: (await signupAndLogin(server.url, caller)).accessToken,
      [callee]: (await signupAndLogin(server.url, callee)).accessToken,
    };
  });
  after(async () => {
    await server?.close();
    proxy?.close();
  });

  /** The latest connection, once it has said who it is. */
  async function connection(count = 1) {
    while (connections.length < count) await new Promise((r) => setTimeout(r, 20));
    const latest = connections.at(-1)!;
    assert.equal(await latest.greeting, netstring(`auth ${secret}`).toString(), 'it authenticates');
    return latest.socket;
  }

  const send = (socket: Socket, events: object[]) =>
    socket.write(Buffer.concat(events.map((e) => netstring(JSON.stringify(e)))));

  async function records(username: string, count: number) {
    const deadline = Date.now() + 5000;
    for (;;) {
      const res = await call<{ records: Array<Record<string, unknown>> }>(
        server.url,
        `${Routes.CALLS}?limit=50`,
        undefined,
        { authorization: `Bearer ${tokens[username]}` },
      );
      assert.equal(res.status, 200);
      if (res.body.records.length >= count) return res.body.records;
      if (Date.now() > deadline) assert.fail(`${username} has ${res.body.records.length} records`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  it('keeps both records of an answered call, timed by the events, ended by whoever sent the BYE', async () => {
    const proxySocket = await connection();
    const callId = 'call-1@example';
    const start = clock.now();
    send(proxySocket, [{ event: 'invite', callId, from: caller, to: callee, video: true }]);
    await new Promise((r) => setTimeout(r, 50));
    clock.advance(2000);
    send(proxySocket, [{ event: 'answered', callId, from: caller, to: callee, status: 200 }]);
    await new Promise((r) => setTimeout(r, 50));
    clock.advance(61_000);
    send(proxySocket, [{ event: 'bye', callId, from: callee, to: caller }]);
    const [mine] = await records(caller, 1);
    assert.deepEqual(
      { ...mine, id: undefined },
      {
        id: undefined,
        callId,
        direction: 'outgoing',
        remoteParticipant: { id: callee, displayName: callee },
        media: { audio: true, video: true },
        startTime: start,
        answerTime: start + 2000,
        endTime: start + 63_000,
        duration: 61,
        result: 'answered',
        statusCode: 200,
        reasonText: 'Ended by the other party',
      },
    );
    const [theirs] = await records(callee, 1);
    assert.equal(theirs!.direction, 'incoming');
    assert.equal(theirs!.reasonText, 'Call ended');
  });

  it('reconnects after input that is not a netstring, and goes on; ignores what is not an event', async () => {
    const first = await connection();
    first.write('this is not a netstring');
    const again = await connection(connections.length + 1);
    const callId = 'call-2@example';
    send(again, [
      { event: 'invite', callId, from: caller, to: callee },
      { event: 'teleport', callId, from: caller, to: callee },
      { event: 'failed', callId, from: caller, to: callee, status: 486, reason: 'Busy Here' },
    ]);
    const mine = await records(caller, 2);
    assert.deepEqual(
      [mine[0]!.result, mine[0]!.statusCode, mine[0]!.reasonText],
      ['busy', 486, 'Busy'],
    );
    const theirs = await records(callee, 2);
    assert.equal(theirs[0]!.result, 'missed');
  });

  it('a forward the caller does not follow leaves the forwarder’s record and the caller’s', async () => {
    const proxySocket = await connection(connections.length);
    const callId = 'call-3@example';
    clock.advance(1000);
    send(proxySocket, [
      { event: 'invite', callId, from: caller, to: callee },
      {
        event: 'failed',
        callId,
        from: caller,
        to: callee,
        status: 302,
        reason: 'Moved Temporarily',
      },
    ]);
    await new Promise((r) => setTimeout(r, 100));
    clock.advance(32_000);
    const [mine] = await records(caller, 3);
    assert.deepEqual(
      [mine!.callId, mine!.result, mine!.statusCode, mine!.reasonText],
      [callId, 'failed', 302, `Forwarded by ${callee}`],
    );
    const [theirs] = await records(callee, 3);
    assert.deepEqual(
      [theirs!.callId, theirs!.result, theirs!.statusCode],
      [callId, 'rejected', 302],
    );
  });
});

describe('reading the proxy’s events', () => {
  it('splits netstrings, keeps a partial one, and refuses malformed ones', () => {
    const two = Buffer.concat([netstring('{"a":1}'), netstring('é'), Buffer.from('5:ab')]);
    const { items, rest } = readNetstrings(two);
    assert.deepEqual(
      items.map((b) => b.toString()),
      ['{"a":1}', 'é'],
    );
    assert.equal(rest.toString(), '5:ab');
    assert.throws(() => readNetstrings(Buffer.from('x:ab,')), /not a netstring length/);
    assert.throws(() => readNetstrings(Buffer.from('2:abc')), /does not end with a comma/);
    assert.throws(() => readNetstrings(Buffer.from('99999999:')), /at most 65536/);
    assert.throws(() => readNetstrings(Buffer.from('12345678901')), /too long/);
  });

  it('takes only the events it knows, with their fields', () => {
    const ok = { event: 'failed', callId: 'c', from: 'a', to: 'b', status: 603, reason: 'Decline' };
    assert.deepEqual(parseSipCallEvent(JSON.stringify(ok)), ok);
    for (const bad of [
      'not json',
      '[]',
      JSON.stringify({ ...ok, event: 'other' }),
      JSON.stringify({ ...ok, callId: '' }),
      JSON.stringify({ ...ok, status: '603' }),
      JSON.stringify({ ...ok, video: 'yes' }),
    ])
      assert.equal(parseSipCallEvent(bad), undefined, bad);
  });

  it('ends an unanswered call as the gateway ends its own', () => {
    const seen = (status: number, noAnswer = false) => {
      const { caller, callee } = failedOutcome(status, 'Proxy Text', noAnswer);
      return [
        caller.result,
        callee.result,
        caller.transition.statusCode,
        callee.transition.reasonText,
      ];
    };
    assert.deepEqual(seen(487), ['cancelled', 'missed', 487, 'Cancelled by the caller']);
    assert.deepEqual(seen(487, true), ['noAnswer', 'missed', 408, 'No answer']);
    assert.deepEqual(seen(486), ['busy', 'missed', 486, 'Busy']);
    assert.deepEqual(seen(603), ['rejected', 'rejected', 603, 'Rejected']);
    assert.deepEqual(seen(404), ['noAnswer', 'missed', 480, 'Not available']);
    assert.deepEqual(seen(408), ['noAnswer', 'missed', 408, 'No answer']);
    assert.deepEqual(seen(500), ['failed', 'missed', 500, 'Proxy Text']);
  });
});

describe('the shipped Kamailio’s event socket', () => {
  it('keeps a connection that authenticates with the SIP secret, and closes one that does not', async () => {
    const kamailio = await startKamailio();
    try {
      const [host, port] = kamailio.events.split(':') as [string, string];
      const open = async (greeting: string) => {
        const socket = createConnection({ host, port: Number(port) });
        await once(socket, 'connect');
        socket.write(netstring(greeting));
        const closed = once(socket, 'close').then(() => true);
        const result = await Promise.race([
          closed,
          new Promise<boolean>((r) => setTimeout(() => r(false), 700)),
        ]);
        socket.destroy();
        return result;
      };
      assert.equal(await open('auth not-the-secret'), true, 'a wrong secret is closed');
      assert.equal(await open(`auth ${kamailio.secret}`), false, 'the secret is kept');
    } finally {
      await kamailio.stop();
    }
  });
});
