/**
 * The WebSocket endpoint against the built gateway (a child process, fresh in-memory database):
 * handshake checks, frame handling and rate limits. Every refusal is followed by a request
 * from a bystander socket, opened first, to show the server keeps serving.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CloseCodes, MAX_FRAME_BYTES, WS_SUBPROTOCOL } from '../../core/protocol/constants.js';
import type { TokenResponse } from '../../core/protocol/schema.js';
import { startGateway, type Gateway } from '../helpers/gateway.js';
import {
  call,
  connect,
  errorOf,
  refusal,
  signupAndLogin,
  type TestSocket,
} from '../helpers/client.js';

let gateway: Gateway;
let url: string;
let tokens: TokenResponse;
let bystander: TestSocket;

before(async () => {
  gateway = await startGateway();
  url = gateway.url;
  tokens = await signupAndLogin(url);
  bystander = await connect(url, (await signupAndLogin(url)).accessToken);
});
after(async () => {
  bystander.close();
  assert.equal(await gateway.stop(), 0);
});

/** The bystander still gets answers. */
async function stillServing() {
  const reply = await bystander.request({ type: 'ping' });
  assert.equal(reply.ok, true, 'the server still serves another client');
}

describe('handshake', () => {
  it('accepts the bearer subprotocol, selects comms-kit.v1, and answers ping', async () => {
    const socket = await connect(url, tokens.accessToken);
    assert.equal(socket.ws.protocol, WS_SUBPROTOCOL);
    const before = Date.now();
    const reply = await socket.request({ id: 'p1', type: 'ping' });
    assert.equal(reply.v, 1);
    assert.equal(reply.re, 'p1');
    assert.equal(reply.ok, true);
    assert.ok((reply.time as number) >= before - 1000);
    socket.close();
  });

  it('accepts the token in ?access_token= (query mode)', async () => {
    const socket = await connect(url, tokens.accessToken, { mode: 'query' });
    assert.equal((await socket.request({ type: 'ping' })).ok, true);
    socket.close();
  });

  it('refuses a missing token with 401 auth:required', async () => {
    const refused = await refusal(connect(url, undefined));
    assert.equal(refused.status, 401);
    assert.equal(refused.error.code, 'auth:required');
    await stillServing();
  });

  it('refuses a garbage token with 401 auth:tokenInvalid', async () => {
    const refused = await refusal(connect(url, 'abc.def.ghi'));
    assert.equal(refused.status, 401);
    assert.equal(refused.error.code, 'auth:tokenInvalid');
    await stillServing();
  });

  it('refuses a foreign Origin with 403 origin:forbidden', async () => {
    const refused = await refusal(
      connect(url, tokens.accessToken, { origin: 'https://evil.example' }),
    );
    assert.equal(refused.status, 403);
    assert.equal(refused.error.code, 'origin:forbidden');
    assert.match(refused.error.message, /--origin https:\/\/evil\.example/);
    await stillServing();
  });

  it('accepts localhost origins on any port and the server’s own origin', async () => {
    for (const origin of ['http://localhost:5173', 'http://127.0.0.1:9', url]) {
      const socket = await connect(url, tokens.accessToken, { origin });
      socket.close();
    }
  });

  it('refuses subprotocols without comms-kit.v1 with 400 request:invalid', async () => {
    const refused = await refusal(
      connect(url, undefined, { protocols: [`bearer.${tokens.accessToken}`] }),
    );
    assert.equal(refused.status, 400);
    assert.equal(refused.error.code, 'request:invalid');
    await stillServing();
  });

  it('answers a plain GET with 426', async () => {
    const res = await call(url, '/v1/ws');
    assert.equal(res.status, 426);
    assert.equal(errorOf(res).code, 'request:invalid');
  });
});

describe('frames', () => {
  it('answers malformed JSON with frame:malformed and re: null', async () => {
    const socket = await connect(url, tokens.accessToken);
    socket.sendRaw('{"v":1,"id":"x",');
    const reply = await socket.next();
    assert.deepEqual({ re: reply.re, ok: reply.ok }, { re: null, ok: false });
    assert.equal((reply.error as { code: string }).code, 'frame:malformed');
    socket.sendRaw('[1,2]');
    assert.equal(((await socket.next()).error as { code: string }).code, 'frame:malformed');
    assert.equal((await socket.request({ type: 'ping' })).ok, true, 'the socket stays usable');
    socket.close();
    await stillServing();
  });

  it('answers an unknown type with frame:unknownType, echoing the id', async () => {
    const socket = await connect(url, tokens.accessToken);
    const reply = await socket.request({ id: 'u1', type: 'launch.rockets' });
    assert.equal(reply.re, 'u1');
    assert.equal(reply.ok, false);
    assert.equal((reply.error as { code: string }).code, 'frame:unknownType');
    assert.match((reply.error as { message: string }).message, /expected one of ping, subscribe/);
    socket.close();
    await stillServing();
  });

  it('answers an invalid frame with frame:invalid naming the path', async () => {
    const socket = await connect(url, tokens.accessToken);
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [
        { type: 'subscribe', services: ['bogus'], clientCorrelator: 'c' },
        /^\/services\/0: must be one of "call"/,
      ],
      [{ type: 'subscribe', services: ['call'] }, /^\/clientCorrelator: /],
      [
        { type: 'subscribe', services: ['call'], clientCorrelator: 'c', expires: 5 },
        /^\/expires: /,
      ],
      [{ type: 'ping', extra: 1 }, /^\/extra: /],
      [{ type: 'ping', v: 2 }, /^\/v: /],
    ];
    for (const [frame, message] of cases) {
      const reply = await socket.request(frame);
      assert.equal(reply.ok, false, JSON.stringify(frame));
      const error = reply.error as { code: string; message: string };
      assert.equal(error.code, 'frame:invalid');
      assert.match(error.message, message);
    }
    socket.sendRaw(JSON.stringify({ v: 1, type: 'ping' }));
    const noId = await socket.next();
    assert.equal(noId.re, null, 'no id: re is null');
    assert.equal((noId.error as { code: string }).code, 'frame:invalid');
    socket.close();
    await stillServing();
  });

  it('writes the replies to frames that arrived together in one write, in order', async () => {
    const socket = await connect(url, tokens.accessToken);
    const tcp = socket.tcp!;
    const reads: number[] = [];
    tcp.on('data', (chunk: Buffer) => reads.push(chunk.length));
    tcp.cork();
    const replies = Array.from({ length: 10 }, (_, i) =>
      socket.request({ id: `p${i}`, type: 'ping' }),
    );
    tcp.uncork();
    const answered = await Promise.all(replies);
    assert.deepEqual(
      answered.map((r) => [r.re, r.ok]),
      answered.map((_, i) => [`p${i}`, true]),
    );
    assert.equal(reads.length, 1, `ten replies in one TCP read, not ${reads.length}`);
    socket.close();
    await stillServing();
  });

  it('closes a socket that sends a frame over 64 KiB with 1009', async () => {
    const socket = await connect(url, tokens.accessToken);
    socket.sendRaw(
      JSON.stringify({ v: 1, id: 'big', type: 'ping', pad: 'x'.repeat(MAX_FRAME_BYTES) }),
    );
    assert.equal((await socket.closed).code, CloseCodes.TOO_BIG);
    await stillServing();
  });

  it('answers frames beyond the rate with rate:limited, one reply each, then closes a flood with 1008', async () => {
    const socket = await connect(url, tokens.accessToken);
    const ids = Array.from({ length: 60 }, (_, i) => `f${i}`);
    for (const id of ids) socket.sendRaw(JSON.stringify({ v: 1, id, type: 'ping' }));
    const replies = await Promise.all(ids.map((id) => socket.next((f) => f.re === id)));
    const limited = replies.filter(
      (r) => (r.error as { code?: string } | undefined)?.code === 'rate:limited',
    );
    const ok = replies.filter((r) => r.ok === true);
    assert.equal(ok.length + limited.length, 60, 'exactly one reply per request');
    assert.ok(ok.length >= 40, `the burst of 40 passes (${ok.length} ok)`);
    assert.ok(limited.length >= 10, `the rest is limited (${limited.length} limited)`);
    assert.match((limited[0]!.error as { message: string }).message, /at most 20 per second/);

    for (let i = 0; i < 300 && socket.ws.readyState === socket.ws.OPEN; i++)
      socket.sendRaw(JSON.stringify({ v: 1, id: `g${i}`, type: 'ping' }));
    assert.equal((await socket.closed).code, CloseCodes.POLICY);
    await stillServing();
  });
});

describe('tickets on a server without an app key', () => {
  it('answers auth:ticketsDisabled', async () => {
    const res = await call(url, '/v1/auth/login', { ticket: 'a.b' });
    assert.equal(res.status, 400);
    assert.equal(errorOf(res).code, 'auth:ticketsDisabled');
  });
});
