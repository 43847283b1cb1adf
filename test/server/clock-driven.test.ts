/**
 * What depends on time, against a real gateway started in this process (`startServer`) with a
 * `ManualClock`, so minutes pass at once: access-token expiry at the handshake and on open
 * sockets, `token.update`, subscriptions (correlators, replacement, expiry, extension), and
 * forged JWTs signed with the server's own key.
 */
import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SignJWT, UnsecuredJWT } from 'jose';
import { CloseCodes, Routes } from '../../core/protocol/constants.js';
import type { Subscription, TokenResponse } from '../../core/protocol/schema.js';
import type { ManualClock, RunningServer } from '../../server/index.js';
import { startClockedServer } from '../helpers/clocked-server.js';
import { SIGNING_KEY_SETTING } from '../../server/auth/tokens.js';
import {
  call,
  connect,
  errorOf,
  login,
  refusal,
  signupAndLogin,
  uniqueName,
  type TestSocket,
} from '../helpers/client.js';

const TTL = 60; // access-token lifetime in this server, seconds

let server: RunningServer;
let clock: ManualClock;
let url: string;
const sockets: TestSocket[] = [];

before(async () => {
  ({ clock, server } = await startClockedServer({ accessTokenTtl: TTL }));
  url = server.url;
});
after(async () => {
  for (const s of sockets) s.close();
  await server.close();
});

async function open(token: string): Promise<TestSocket> {
  const socket = await connect(url, token);
  sockets.push(socket);
  return socket;
}

const subscriptionOf = (reply: Record<string, unknown>) => reply.subscription as Subscription;

describe('forged and expired access tokens', () => {
  let key: Uint8Array;
  let tokens: TokenResponse;
  const claims = () => ({ fam: 'x', sub: tokens.user.id });
  beforeEach(async () => {
    key = new Uint8Array(
      Buffer.from((await server.app.gateway.storage.getSetting(SIGNING_KEY_SETTING))!, 'base64url'),
    );
    tokens = await signupAndLogin(url);
  });

  const sign = (payload: Record<string, unknown>, signingKey = key, header = { alg: 'HS256' }) =>
    new SignJWT(payload)
      .setProtectedHeader(header)
      .setIssuedAt(Math.floor(clock.now() / 1000))
      .setExpirationTime(Math.floor(clock.now() / 1000) + 60)
      .setJti('j')
      .sign(signingKey);

  it('the server’s own key signs a token it accepts (the forging below is sound)', async () => {
    const fam = JSON.parse(
      Buffer.from(tokens.accessToken.split('.')[1]!, 'base64url').toString(),
    ).fam;
    const good = await new SignJWT({ fam })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(tokens.user.id)
      .setIssuer('comms-kit')
      .setAudience('comms-kit')
      .setIssuedAt(Math.floor(clock.now() / 1000))
      .setExpirationTime(Math.floor(clock.now() / 1000) + 60)
      .setJti('j')
      .sign(key);
    const socket = await open(good);
    assert.equal((await socket.request({ type: 'ping' })).ok, true);
  });

  it('refuses alg none, a wrong key, a wrong aud or iss, and a changed payload', async () => {
    const fam = JSON.parse(
      Buffer.from(tokens.accessToken.split('.')[1]!, 'base64url').toString(),
    ).fam;
    const base = { ...claims(), fam, sub: tokens.user.id };
    const forged = {
      'alg none': new UnsecuredJWT(base)
        .setIssuer('comms-kit')
        .setAudience('comms-kit')
        .setSubject(tokens.user.id)
        .setIssuedAt()
        .setExpirationTime('1m')
        .encode(),
      'wrong key': await new SignJWT(base)
        .setProtectedHeader({ alg: 'HS256' })
        .setIssuer('comms-kit')
        .setAudience('comms-kit')
        .setSubject(tokens.user.id)
        .setIssuedAt(Math.floor(clock.now() / 1000))
        .setExpirationTime(Math.floor(clock.now() / 1000) + 60)
        .setJti('j')
        .sign(new Uint8Array(32).fill(7)),
      'wrong aud': await sign({ ...base, iss: 'comms-kit', aud: 'someone-else' }),
      'wrong iss': await sign({ ...base, iss: 'someone-else', aud: 'comms-kit' }),
      'HS512 with the right key': await sign({ ...base, iss: 'comms-kit', aud: 'comms-kit' }, key, {
        alg: 'HS512',
      }),
      'changed payload': (() => {
        const [h, p, s] = tokens.accessToken.split('.') as [string, string, string];
        const payload = JSON.parse(Buffer.from(p, 'base64url').toString());
        payload.sub = 'someone-else';
        return `${h}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${s}`;
      })(),
    };
    for (const [name, token] of Object.entries(forged)) {
      const refused = await refusal(connect(url, token));
      assert.equal(refused.status, 401, name);
      assert.equal(refused.error.code, 'auth:tokenInvalid', name);
      const me = await call(url, Routes.ME, undefined, { authorization: `Bearer ${token}` });
      assert.equal(errorOf(me).code, 'auth:tokenInvalid', `${name} on /me`);
    }
    const socket = await open(tokens.accessToken);
    assert.equal((await socket.request({ type: 'ping' })).ok, true, 'the real token still works');
  });

  it('refuses an expired token with 401 auth:tokenExpired', async () => {
    const bystander = await open(tokens.accessToken);
    const stale = await login(url, tokens.user.username!);
    clock.advance((TTL + 1) * 1000);
    const refused = await refusal(connect(url, stale.accessToken));
    assert.equal(refused.status, 401);
    assert.equal(refused.error.code, 'auth:tokenExpired');
    const me = await call(url, Routes.ME, undefined, {
      authorization: `Bearer ${stale.accessToken}`,
    });
    assert.equal(errorOf(me).code, 'auth:tokenExpired');
    assert.equal((await bystander.closed).code, CloseCodes.TOKEN_EXPIRED, 'open sockets close too');
    const fresh = await open((await login(url, tokens.user.username!)).accessToken);
    assert.equal((await fresh.request({ type: 'ping' })).ok, true, 'the server keeps serving');
  });
});

describe('access-token expiry on an open socket', () => {
  it('closes with 4001 when the token lapses', async () => {
    const tokens = await signupAndLogin(url);
    const socket = await open(tokens.accessToken);
    clock.advance((TTL - 1) * 1000);
    assert.equal((await socket.request({ type: 'ping' })).ok, true, 'open before expiry');
    clock.advance(2000);
    assert.equal((await socket.closed).code, CloseCodes.TOKEN_EXPIRED);
  });

  it('token.update with a newer token keeps the socket open past the first token’s expiry', async () => {
    const tokens = await signupAndLogin(url);
    const socket = await open(tokens.accessToken);
    clock.advance(30_000);
    const refreshed = (
      await call<TokenResponse>(url, Routes.REFRESH, { refreshToken: tokens.refreshToken })
    ).body;
    const reply = await socket.request({
      type: 'token.update',
      accessToken: refreshed.accessToken,
    });
    assert.equal(reply.ok, true);
    assert.equal(reply.expiresAt, (Math.floor(clock.now() / 1000) + TTL) * 1000);
    clock.advance(40_000); // 70 s: past the first token
    assert.equal((await socket.request({ type: 'ping' })).ok, true, 'still open');
    clock.advance(25_000); // 95 s: past the second
    assert.equal((await socket.closed).code, CloseCodes.TOKEN_EXPIRED);
  });

  it('token.update refuses another user’s token and a bad one, and the socket goes on', async () => {
    const tokens = await signupAndLogin(url);
    const other = await signupAndLogin(url);
    const socket = await open(tokens.accessToken);
    const foreign = await socket.request({ type: 'token.update', accessToken: other.accessToken });
    assert.equal((foreign.error as { code: string }).code, 'auth:tokenInvalid');
    assert.match((foreign.error as { message: string }).message, /another user/);
    const bad = await socket.request({ type: 'token.update', accessToken: 'x.y.z' });
    assert.equal((bad.error as { code: string }).code, 'auth:tokenInvalid');
    assert.equal((await socket.request({ type: 'ping' })).ok, true);
  });
});

describe('subscriptions', () => {
  it('subscribes with the default lifetime and echoes the grant', async () => {
    const socket = await open((await signupAndLogin(url)).accessToken);
    const reply = await socket.request({
      type: 'subscribe',
      services: ['call', 'chat'],
      clientCorrelator: 'phone',
    });
    assert.equal(reply.ok, true);
    const sub = subscriptionOf(reply);
    assert.deepEqual(sub.services, ['call', 'chat']);
    assert.equal(sub.clientCorrelator, 'phone');
    assert.equal(sub.expires, 3600);
    assert.equal(sub.expiresAt, clock.now() + 3600_000);
    const more = subscriptionOf(
      await socket.request({
        type: 'subscribe',
        services: ['presence'],
        clientCorrelator: 'phone',
      }),
    );
    assert.equal(more.id, sub.id, 'the same correlator on the same socket adds services');
    assert.deepEqual(more.services, ['call', 'chat', 'presence']);
  });

  it('two correlators of one user coexist', async () => {
    const username = uniqueName('two');
    const a = await open((await signupAndLogin(url, username)).accessToken);
    const b = await open((await login(url, username)).accessToken);
    const subA = subscriptionOf(
      await a.request({ type: 'subscribe', services: ['call'], clientCorrelator: 'laptop' }),
    );
    const subB = subscriptionOf(
      await b.request({ type: 'subscribe', services: ['call'], clientCorrelator: 'phone' }),
    );
    assert.notEqual(subA.id, subB.id);
    // Both still hold theirs: extending works on each, and neither was told anything.
    assert.equal((await a.request({ type: 'subscription.extend' })).ok, true);
    assert.equal((await b.request({ type: 'subscription.extend' })).ok, true);
    assert.equal(a.pending.length + b.pending.length, 0, 'no events');
  });

  it('a repeated correlator replaces the earlier subscription, whose socket is told', async () => {
    const username = uniqueName('rep');
    const first = await open((await signupAndLogin(url, username)).accessToken);
    const second = await open((await login(url, username)).accessToken);
    await first.request({ type: 'subscribe', services: ['chat'], clientCorrelator: 'desk' });
    const taken = subscriptionOf(
      await second.request({ type: 'subscribe', services: ['chat'], clientCorrelator: 'desk' }),
    );
    const change = await first.event('subscription:change');
    assert.equal(change.reason, 'replaced');
    assert.equal(change.subscription, null);
    const gone = await first.request({ type: 'subscription.extend' });
    assert.equal((gone.error as { code: string }).code, 'subscription:notFound');
    const kept = subscriptionOf(await second.request({ type: 'subscription.extend' }));
    assert.equal(kept.id, taken.id, 'the new holder keeps it');
    assert.equal(second.pending.length, 0, 'the new holder is told nothing');
  });

  it('another user’s identical correlator replaces nothing', async () => {
    const a = await open((await signupAndLogin(url)).accessToken);
    const b = await open((await signupAndLogin(url)).accessToken);
    await a.request({ type: 'subscribe', services: ['chat'], clientCorrelator: 'same' });
    await b.request({ type: 'subscribe', services: ['chat'], clientCorrelator: 'same' });
    assert.equal((await a.request({ type: 'subscription.extend' })).ok, true);
  });

  it('lapses after `expires` seconds unless extended, telling its socket', async () => {
    let tokens = await signupAndLogin(url);
    const socket = await open(tokens.accessToken);
    // The access token lives 60 s here: keep it fresh as a client does, so only the
    // subscription lapses.
    const advance = async (ms: number) => {
      for (let left = ms; left > 0; left -= 30_000) {
        tokens = (
          await call<TokenResponse>(url, Routes.REFRESH, { refreshToken: tokens.refreshToken })
        ).body;
        assert.equal(
          (await socket.request({ type: 'token.update', accessToken: tokens.accessToken })).ok,
          true,
        );
        clock.advance(Math.min(left, 30_000));
      }
    };
    await socket.request({
      type: 'subscribe',
      services: ['call'],
      clientCorrelator: 'c',
      expires: 60,
    });
    await advance(50_000);
    const extended = subscriptionOf(await socket.request({ type: 'subscription.extend' }));
    assert.equal(extended.expires, 60, 'extends by the lifetime it has');
    assert.equal(extended.expiresAt, clock.now() + 60_000);
    await advance(55_000); // 105 s after subscribing: alive thanks to the extension
    assert.equal(socket.pending.length, 0);
    assert.equal((await socket.request({ type: 'subscription.extend', expires: 120 })).ok, true);
    await advance(119_000);
    assert.equal(socket.pending.length, 0);
    await advance(2_000);
    const change = await socket.event('subscription:change');
    assert.equal(change.reason, 'expired');
    assert.equal(change.subscription, null);
    const gone = await socket.request({ type: 'unsubscribe' });
    assert.equal((gone.error as { code: string }).code, 'subscription:notFound');
  });

  it('unsubscribes some services, then all', async () => {
    const socket = await open((await signupAndLogin(url)).accessToken);
    await socket.request({ type: 'subscribe', services: ['call', 'chat'], clientCorrelator: 'u' });
    const some = await socket.request({ type: 'unsubscribe', services: ['chat'] });
    assert.deepEqual(subscriptionOf(some).services, ['call']);
    const all = await socket.request({ type: 'unsubscribe' });
    assert.equal(all.ok, true);
    assert.equal(all.subscription, null);
  });

  it('closing a socket frees its correlator without telling anyone', async () => {
    const username = uniqueName('free');
    const tokens = await signupAndLogin(url, username);
    const first = await open(tokens.accessToken);
    await first.request({ type: 'subscribe', services: ['call'], clientCorrelator: 'k' });
    first.close();
    await first.closed;
    const second = await open((await login(url, username)).accessToken);
    assert.equal(
      (await second.request({ type: 'subscribe', services: ['call'], clientCorrelator: 'k' })).ok,
      true,
    );
    const registry = server.app.gateway.ws.registry;
    assert.equal(registry.byUser(tokens.user.id).length, 1, 'the closed socket left the registry');
    assert.equal(second.pending.length, 0);
  });
});
