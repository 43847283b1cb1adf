/**
 * The gateway's TURN credentials against a real coturn (Debian's `turnserver`, started by the
 * test on loopback with the shared secret): what `GET /v1/turn-credentials` hands out gets a
 * relay from coturn over UDP and TCP, and coturn refuses (401) credentials signed with another
 * secret and credentials past their expiry. The browser half (a relayed call between two
 * clients) is `test/core/calls-turn.test.ts`.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Routes } from '../../core/protocol/constants.js';
import type { TurnCredentialsResponse } from '../../core/protocol/schema.js';
import { ManualClock, startServer } from '../../server/index.js';
import { call, signupAndLogin } from '../helpers/client.js';
import { allocate, startCoturn, type CoturnServer } from '../helpers/coturn.mjs';
import { startGateway } from '../helpers/gateway.js';

/** The one ICE server a gateway at `url` hands a new user, with its credentials. */
async function credentialsFrom(url: string) {
  const { accessToken, user } = await signupAndLogin(url);
  const res = await call<TurnCredentialsResponse>(url, Routes.TURN, undefined, {
    authorization: `Bearer ${accessToken}`,
  });
  assert.equal(res.status, 200);
  assert.equal(res.body.iceServers.length, 1);
  const { urls, username, credential } = res.body.iceServers[0]!;
  assert.ok(username && credential, 'the gateway handed out credentials');
  return { urls, username, credential, userId: user.id };
}

/** What coturn logged of `username`'s requests. */
const outcomes = (coturn: CoturnServer, username: string) =>
  coturn
    .output()
    .split('\n')
    .filter((line) => line.includes(`user <${username}>: incoming packet`))
    .map((line) => line.replace(/^.*incoming packet /, ''));

describe('TURN credentials against a real coturn', () => {
  let coturn: CoturnServer;

  before(async () => {
    coturn = await startCoturn();
  });
  after(() => coturn?.stop());

  it('gets a relay with the credentials the gateway hands out, over UDP and TCP', async () => {
    const gateway = await startGateway([
      '--turn-secret',
      coturn.secret,
      '--turn-urls',
      coturn.urls.join(','),
    ]);
    try {
      const { urls, username, credential, userId } = await credentialsFrom(gateway.url);
      assert.deepEqual(urls, coturn.urls);
      assert.match(username, new RegExp(`^\\d+:${userId}$`));
      for (const transport of ['udp', 'tcp'] as const) {
        const { relayed, output } = await allocate(coturn, { username, credential, transport });
        assert.ok(relayed, `${transport}: no relay: ${output}\n${coturn.output()}`);
        const [ip, port] = relayed.split(':');
        assert.equal(ip, '127.0.0.1');
        assert.ok(Number(port) >= coturn.relayPorts.min && Number(port) <= coturn.relayPorts.max);
      }
      assert.ok(outcomes(coturn, username).includes('ALLOCATE processed, success'));
    } finally {
      await gateway.stop();
    }
  });

  it('is refused credentials signed with another secret (401)', async () => {
    const gateway = await startGateway([
      '--turn-secret',
      `not-${coturn.secret}`,
      '--turn-urls',
      coturn.urls.join(','),
    ]);
    try {
      const { username, credential } = await credentialsFrom(gateway.url);
      const { relayed, output } = await allocate(coturn, { username, credential });
      assert.equal(relayed, undefined, output);
      assert.match(output, /Cannot complete Allocation/);
      const seen = outcomes(coturn, username);
      assert.ok(
        seen.length > 0 && seen.every((o) => o === 'message processed, error 401: Unauthorized'),
        seen.join('\n'),
      );
    } finally {
      await gateway.stop();
    }
  });

  it('is refused credentials past their expiry (401): coturn reads the expiry the gateway wrote', async () => {
    // A gateway whose clock is an hour behind hands out credentials valid for 60 s of its time:
    // expired an hour ago by coturn's (real) clock. The same credentials made at the real time
    // would be accepted (the first test).
    const server = await startServer({
      port: 0,
      host: '127.0.0.1',
      db: ':memory:',
      logLevel: false,
      authRateLimit: false,
      clock: new ManualClock(Date.now() - 3600_000),
      turnSecret: coturn.secret,
      turnUrls: coturn.urls,
      turnTtl: 60,
    });
    try {
      const { username, credential } = await credentialsFrom(server.url);
      assert.ok(Number(username.split(':')[0]) < Date.now() / 1000, 'expired');
      const { relayed, output } = await allocate(coturn, { username, credential });
      assert.equal(relayed, undefined, output);
      const seen = outcomes(coturn, username);
      assert.ok(
        seen.length > 0 && seen.every((o) => o === 'message processed, error 401: Unauthorized'),
        seen.join('\n'),
      );
    } finally {
      await server.close();
    }
  });
});
