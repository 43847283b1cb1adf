/**
 * Accounts and sessions against the built gateway (a child process, fresh in-memory database):
 * signup, login, refresh rotation and reuse, logout, tickets, rate limiting.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Routes, CloseCodes } from '../../core/protocol/constants.js';
import type { TokenResponse, UserInfo } from '../../core/protocol/schema.js';
import { signUserTicket } from '../../server/index.js';
import { cpuTimeMs, startGateway, type Gateway } from '../helpers/gateway.js';
import {
  PASSWORD,
  call,
  connect,
  errorOf,
  login,
  signupAndLogin,
  uniqueName,
} from '../helpers/client.js';

const APP_KEY = 'test-app';
const APP_SECRET = 'a-test-secret-of-enough-length';

let gateway: Gateway;
let url: string;
before(async () => {
  gateway = await startGateway(['--app-key', APP_KEY], { env: { COMMS_APP_SECRET: APP_SECRET } });
  url = gateway.url;
});
after(async () => {
  await gateway.stop();
});

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

describe('signup', () => {
  it('creates a user with username, email and number, and returns it', async () => {
    const username = uniqueName('sam');
    const res = await call<{ user: UserInfo }>(url, Routes.SIGNUP, {
      username,
      email: `${username}@Example.com`,
      number: '+15551230001',
      password: PASSWORD,
      displayName: 'Sam',
    });
    assert.equal(res.status, 201);
    assert.equal(res.body.user.username, username);
    assert.equal(res.body.user.email, `${username}@example.com`, 'email stored lower-case');
    assert.equal(res.body.user.number, '+15551230001');
    assert.equal(res.body.user.displayName, 'Sam');
    assert.match(res.body.user.id, /^[0-9a-f-]{36}$/);
    assert.equal((res.body.user as Record<string, unknown>).passwordHash, undefined);
  });

  it('refuses a taken identity with 409 identity:taken naming it, also in another case', async () => {
    const username = uniqueName('taken');
    const email = `${username}@example.com`;
    assert.equal(
      (await call(url, Routes.SIGNUP, { username, email, password: PASSWORD })).status,
      201,
    );
    const again = await call(url, Routes.SIGNUP, { username, password: PASSWORD });
    assert.equal(again.status, 409);
    assert.equal(errorOf(again).code, 'identity:taken');
    assert.match(errorOf(again).message, /username is already taken/);
    const byEmail = await call(url, Routes.SIGNUP, {
      username: uniqueName('other'),
      email: email.toUpperCase(),
      password: PASSWORD,
    });
    assert.equal(byEmail.status, 409);
    assert.match(errorOf(byEmail).message, /email is already taken/);
  });

  it('refuses a short password, saying how long it must be', async () => {
    const res = await call(url, Routes.SIGNUP, { username: uniqueName(), password: 'Xy7#q' });
    assert.equal(res.status, 400);
    assert.equal(errorOf(res).code, 'password:weak');
    assert.match(errorOf(res).message, /at least 10 characters/);
  });

  it('refuses a common password, saying why', async () => {
    const res = await call(url, Routes.SIGNUP, { username: uniqueName(), password: 'password123' });
    assert.equal(res.status, 400);
    assert.equal(errorOf(res).code, 'password:weak');
    assert.match(errorOf(res).message, /commonly used/);
  });

  it('refuses a password made of the username', async () => {
    const username = uniqueName('harriet');
    const res = await call(url, Routes.SIGNUP, { username, password: `${username}${username}` });
    assert.equal(errorOf(res).code, 'password:weak');
  });

  it('needs at least one identity', async () => {
    const res = await call(url, Routes.SIGNUP, { password: PASSWORD });
    assert.equal(res.status, 400);
    assert.equal(errorOf(res).code, 'identity:invalid');
  });

  it('answers a wrong body with request:invalid naming the field', async () => {
    const cases: Array<[unknown, RegExp]> = [
      [{ username: 'Bad Name!', password: PASSWORD }, /body\/username/],
      [{ email: 'not-an-email', password: PASSWORD }, /body\/email must match format "email"/],
      [{ number: '5551234', password: PASSWORD }, /body\/number/],
      [{ username: uniqueName(), password: PASSWORD, admin: true }, /unexpected property 'admin'/],
      [{ username: uniqueName() }, /missing the property 'password'/],
    ];
    for (const [body, message] of cases) {
      const res = await call(url, Routes.SIGNUP, body);
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.equal(errorOf(res).code, 'request:invalid');
      assert.match(errorOf(res).message, message);
    }
    const notJson = await fetch(`${url}${Routes.SIGNUP}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"username": ',
    });
    assert.equal(notJson.status, 400);
    assert.equal(
      ((await notJson.json()) as { error: { code: string } }).error.code,
      'request:invalid',
    );
    assert.equal((await call(url, Routes.HEALTH)).status, 200, 'still serving');
  });
});

describe('login', () => {
  it('logs in by username, email (any case) and number, and /me returns the user', async () => {
    const username = uniqueName('lee');
    await call(url, Routes.SIGNUP, {
      username,
      email: `${username}@example.com`,
      number: '+15551230002',
      password: PASSWORD,
    });
    for (const identity of [username, `${username.toUpperCase()}@EXAMPLE.COM`, '+15551230002']) {
      const res = await call<TokenResponse>(url, Routes.LOGIN, { identity, password: PASSWORD });
      assert.equal(res.status, 200, identity);
      assert.equal(res.body.tokenType, 'Bearer');
      assert.ok(res.body.expiresIn > 0 && res.body.expiresIn <= 900);
      assert.match(res.body.refreshToken, /^[A-Za-z0-9_-]{43}$/, '32 bytes base64url');
      assert.ok(res.body.refreshExpiresIn > 0);
      assert.equal(res.body.user.username, username);
      const me = await call<{ user: UserInfo }>(
        url,
        Routes.ME,
        undefined,
        bearer(res.body.accessToken),
      );
      assert.equal(me.status, 200);
      assert.equal(me.body.user.id, res.body.user.id);
    }
  });

  it('answers a wrong password and an unknown user alike, after similar work', async () => {
    const username = uniqueName('wp');
    await call(url, Routes.SIGNUP, { username, password: PASSWORD });
    // The work is the gateway's CPU time, all its threads (Argon2 runs in libuv's pool): unlike
    // the time a reply takes, it does not grow when the machine is busy with something else.
    const work = async (identity: string) => {
      const start = cpuTimeMs(gateway.process.pid!);
      const res = await call(url, Routes.LOGIN, { identity, password: 'not-the-password-1' });
      return { ms: cpuTimeMs(gateway.process.pid!) - start, res };
    };
    const wrong = [];
    const unknown = [];
    for (let i = 0; i < 3; i++) {
      wrong.push(await work(username));
      unknown.push(await work(uniqueName('nobody')));
    }
    for (const { res } of [...wrong, ...unknown]) {
      assert.equal(res.status, 401);
      assert.deepEqual(errorOf(res), {
        code: 'auth:invalidCredentials',
        message: 'the identity or the password is wrong',
      });
    }
    const median = (xs: Array<{ ms: number }>) => xs.map((x) => x.ms).sort((a, b) => a - b)[1]!;
    // An Argon2 verification at these settings is tens of ms of CPU; a login that skips it, one.
    assert.ok(
      median(unknown) > median(wrong) * 0.5,
      `unknown user ${median(unknown).toFixed(1)} ms of CPU vs wrong password ${median(wrong).toFixed(1)} ms`,
    );
  });

  it('/me refuses a missing, malformed or foreign token', async () => {
    const missing = await call(url, Routes.ME);
    assert.equal(missing.status, 401);
    assert.equal(errorOf(missing).code, 'auth:required');
    assert.equal(missing.headers.get('www-authenticate'), 'Bearer');
    const garbage = await call(url, Routes.ME, undefined, bearer('not.a.jwt'));
    assert.equal(garbage.status, 401);
    assert.equal(errorOf(garbage).code, 'auth:tokenInvalid');
  });
});

describe('refresh and logout', () => {
  it('rotates: a refresh gives a new pair and spends the old refresh token', async () => {
    const first = await signupAndLogin(url);
    const res = await call<TokenResponse>(url, Routes.REFRESH, {
      refreshToken: first.refreshToken,
    });
    assert.equal(res.status, 200);
    assert.notEqual(res.body.refreshToken, first.refreshToken);
    assert.notEqual(res.body.accessToken, first.accessToken);
    assert.equal(res.body.user.id, first.user.id);
    const me = await call(url, Routes.ME, undefined, bearer(res.body.accessToken));
    assert.equal(me.status, 200);
    const next = await call<TokenResponse>(url, Routes.REFRESH, {
      refreshToken: res.body.refreshToken,
    });
    assert.equal(next.status, 200, 'the new one works once');
  });

  it('reusing a spent refresh token revokes the family and closes its sockets with 4003; other sessions go on', async () => {
    const username = uniqueName('reuse');
    const first = await signupAndLogin(url, username);
    const other = await login(url, username); // a second session of the same user
    const rotated = (
      await call<TokenResponse>(url, Routes.REFRESH, { refreshToken: first.refreshToken })
    ).body;
    const socket = await connect(url, rotated.accessToken);
    const bystander = await connect(url, other.accessToken);

    const reuse = await call(url, Routes.REFRESH, { refreshToken: first.refreshToken });
    assert.equal(reuse.status, 401);
    assert.equal(errorOf(reuse).code, 'auth:refreshReused');

    const closed = await socket.closed;
    assert.equal(closed.code, CloseCodes.SESSION_REVOKED);
    const child = await call(url, Routes.REFRESH, { refreshToken: rotated.refreshToken });
    assert.equal(errorOf(child).code, 'auth:refreshInvalid', 'the whole family is revoked');
    const me = await call(url, Routes.ME, undefined, bearer(rotated.accessToken));
    assert.equal(me.status, 401);
    assert.equal(errorOf(me).code, 'auth:tokenInvalid', 'its access tokens stop working');

    const pong = await bystander.request({ type: 'ping' });
    assert.equal(pong.ok, true, 'the other session is untouched');
    bystander.close();
  });

  it('an unknown refresh token is auth:refreshInvalid', async () => {
    const res = await call(url, Routes.REFRESH, { refreshToken: 'x'.repeat(43) });
    assert.equal(res.status, 401);
    assert.equal(errorOf(res).code, 'auth:refreshInvalid');
  });

  it('logout revokes the session and closes its sockets with 4003', async () => {
    const tokens = await signupAndLogin(url);
    const socket = await connect(url, tokens.accessToken);
    const res = await fetch(`${url}${Routes.LOGOUT}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ refreshToken: tokens.refreshToken }),
    });
    assert.equal(res.status, 204);
    assert.equal((await socket.closed).code, CloseCodes.SESSION_REVOKED);
    const refresh = await call(url, Routes.REFRESH, { refreshToken: tokens.refreshToken });
    assert.equal(errorOf(refresh).code, 'auth:refreshInvalid');
    const me = await call(url, Routes.ME, undefined, bearer(tokens.accessToken));
    assert.equal(errorOf(me).code, 'auth:tokenInvalid');
    const handshake = connect(url, tokens.accessToken);
    await assert.rejects(handshake, (e: { status: number }) => e.status === 401);
  });
});

describe('app-signed tickets', () => {
  const ticketFor = (userId: string, extra: Partial<Parameters<typeof signUserTicket>[0]> = {}) =>
    signUserTicket({ appKey: APP_KEY, appSecret: APP_SECRET, userId, ...extra });

  it('logs a user in with a ticket, creating the user the first time', async () => {
    const userId = uniqueName('tk');
    const first = await call<TokenResponse>(url, Routes.LOGIN, {
      ticket: ticketFor(userId, { displayName: 'Tik Tok' }),
    });
    assert.equal(first.status, 200, JSON.stringify(first.body));
    assert.equal(first.body.user.username, userId);
    assert.equal(first.body.user.displayName, 'Tik Tok');
    const again = await call<TokenResponse>(url, Routes.LOGIN, { ticket: ticketFor(userId) });
    assert.equal(again.body.user.id, first.body.user.id, 'the same user the second time');
    const socket = await connect(url, again.body.accessToken);
    assert.equal((await socket.request({ type: 'ping' })).ok, true);
    socket.close();
  });

  it('refuses a tampered ticket with auth:ticketInvalid', async () => {
    const ticket = ticketFor(uniqueName('tamper'));
    const [body, signature] = ticket.split('.') as [string, string];
    const payload = JSON.parse(Buffer.from(body, 'base64url').toString()) as { userId: string };
    payload.userId = 'admin';
    const forged = `${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${signature}`;
    const flipped = `${body}.${signature.slice(0, -2)}${signature.endsWith('AA') ? 'BB' : 'AA'}`;
    const wrongSecret = signUserTicket({
      appKey: APP_KEY,
      appSecret: 'another-secret-entirely',
      userId: 'eve1',
    });
    for (const bad of [forged, flipped, wrongSecret, 'garbage', `${body}.`]) {
      const res = await call(url, Routes.LOGIN, { ticket: bad });
      assert.equal(res.status, 401, bad);
      assert.equal(errorOf(res).code, 'auth:ticketInvalid');
    }
  });

  it('refuses a ticket for another app key', async () => {
    const res = await call(url, Routes.LOGIN, {
      ticket: signUserTicket({ appKey: 'other-app', appSecret: APP_SECRET, userId: 'mallory' }),
    });
    assert.equal(errorOf(res).code, 'auth:ticketInvalid');
    assert.match(errorOf(res).message, /another app key/);
  });

  it('refuses an expired ticket with auth:ticketExpired', async () => {
    const now = Math.floor(Date.now() / 1000);
    const res = await call(url, Routes.LOGIN, {
      ticket: ticketFor(uniqueName('old'), { issuedAt: now - 120, ttlSeconds: 60 }),
    });
    assert.equal(res.status, 401);
    assert.equal(errorOf(res).code, 'auth:ticketExpired');
  });

  it('signUserTicket refuses a lifetime over an hour', () => {
    assert.throws(() => ticketFor('someone', { ttlSeconds: 3601 }), /ttlSeconds/);
  });
});

describe('rate limiting of the auth routes', () => {
  it('answers 429 rate:limited past the limit, and keeps serving other routes', async () => {
    const limited = await startGateway(['--auth-rate-limit', '3']);
    try {
      const statuses = [];
      let last;
      for (let i = 0; i < 5; i++) {
        last = await call(limited.url, Routes.LOGIN, { identity: 'x', password: 'y' });
        statuses.push(last.status);
      }
      assert.deepEqual(statuses, [401, 401, 401, 429, 429]);
      assert.equal(errorOf(last!).code, 'rate:limited');
      assert.ok(last!.headers.get('retry-after'), 'says when to retry');
      assert.equal((await call(limited.url, Routes.HEALTH)).status, 200);
    } finally {
      await limited.stop();
    }
  });

  /** The statuses of `count` logins that say they come from `client` (X-Forwarded-For). */
  const logins = async (url: string, client: string, count: number) => {
    const statuses = [];
    for (let i = 0; i < count; i++)
      statuses.push(
        (
          await call(
            url,
            Routes.LOGIN,
            { identity: 'x', password: 'y' },
            { 'x-forwarded-for': client },
          )
        ).status,
      );
    return statuses;
  };

  it('behind a trusted proxy (--trust-proxy), limits each client named by X-Forwarded-For', async () => {
    const proxied = await startGateway(['--auth-rate-limit', '2', '--trust-proxy', 'loopback']);
    try {
      assert.deepEqual(await logins(proxied.url, '203.0.113.1', 3), [401, 401, 429]);
      assert.deepEqual(await logins(proxied.url, '203.0.113.2', 2), [401, 401], 'another client');
      assert.deepEqual(
        await logins(proxied.url, '198.51.100.7, 203.0.113.1', 1),
        [429],
        'the address the trusted proxy saw counts, not what the client wrote before it',
      );
    } finally {
      await proxied.stop();
    }
  });

  it('ignores X-Forwarded-For from a connection that is not a trusted proxy', async () => {
    for (const args of [[], ['--trust-proxy', '192.0.2.10']]) {
      const direct = await startGateway(['--auth-rate-limit', '2', ...args]);
      try {
        assert.deepEqual(await logins(direct.url, '203.0.113.1', 2), [401, 401]);
        assert.deepEqual(
          await logins(direct.url, '203.0.113.2', 1),
          [429],
          `a new X-Forwarded-For is the same client (${args.join(' ') || 'no --trust-proxy'})`,
        );
      } finally {
        await direct.stop();
      }
    }
  });
});
