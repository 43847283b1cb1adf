/**
 * What the gateway's call tests share: users, subscribed sockets, invites, calls ringing and
 * answered, endings and the records (CDRs) over REST, against one running gateway.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Routes } from '../../core/protocol/constants.js';
import type { CallRecord, TokenResponse } from '../../core/protocol/schema.js';
import { PASSWORD, call, connect, uniqueName, type TestSocket } from './client.js';

type Frame = Record<string, unknown>;

/** The helpers, for the gateway at `env.url()`; every socket opened goes into `env.sockets`. */
export function callKit(env: { url: () => string; sockets: TestSocket[] }) {
  /** A signed-up, logged-in user. */
  async function user(displayName?: string): Promise<TokenResponse> {
    const username = uniqueName('call');
    const signup = await call(env.url(), Routes.SIGNUP, {
      username,
      password: PASSWORD,
      ...(displayName && { displayName }),
    });
    assert.equal(signup.status, 201);
    return (
      await call<TokenResponse>(env.url(), Routes.LOGIN, { identity: username, password: PASSWORD })
    ).body;
  }

  /** A socket of `who` subscribed to `call` with `correlator` (a new device unless given). */
  async function device(who: TokenResponse, correlator = randomUUID()): Promise<TestSocket> {
    const socket = await connect(env.url(), who.accessToken);
    env.sockets.push(socket);
    const reply = await socket.request({
      type: 'subscribe',
      services: ['call'],
      clientCorrelator: correlator,
    });
    assert.equal(reply.ok, true);
    return socket;
  }

  const media = { audio: true, video: false };

  /** Sends `call.invite` from `from` to `to`; returns the call id and the reply. */
  async function invite(from: TestSocket, to: string, extra: Frame = {}) {
    const callId = randomUUID();
    const reply = await from.request({
      type: 'call.invite',
      callId,
      to,
      sdp: 'v=0 offer',
      media,
      ...extra,
    });
    return { callId, reply };
  }

  /** A calls B on each of B's devices, which all ring. */
  async function ringing(a: TestSocket, b: TokenResponse, bDevices: TestSocket[]) {
    const { callId, reply } = await invite(a, b.user.username!);
    assert.equal(reply.ok, true, JSON.stringify(reply));
    for (const d of bDevices) {
      const incoming = await d.event('call:incoming');
      assert.equal(incoming.callId, callId);
      assert.equal((await d.request({ type: 'call.ringing', callId })).ok, true);
    }
    for (const _ of bDevices) await a.event('call:ringing');
    return callId;
  }

  /** A calls B, B answers on `bDevice`. */
  async function connected(a: TestSocket, b: TokenResponse, bDevice: TestSocket) {
    const callId = await ringing(a, b, [bDevice]);
    const reply = await bDevice.request({ type: 'call.answer', callId, sdp: 'v=0 answer' });
    assert.equal(reply.ok, true, JSON.stringify(reply));
    const answered = await a.event('call:answered');
    assert.equal(answered.sdp, 'v=0 answer');
    return callId;
  }

  const codeOf = (reply: Frame) => (reply.error as { code: string } | undefined)?.code;

  /** An ended event's status and reason. */
  async function ended(socket: TestSocket, callId: string) {
    const e = await socket.next((f) => f.event === 'call:ended' && f.callId === callId);
    return { statusCode: e.statusCode, reasonText: e.reasonText };
  }

  /** No frame about `callId` arrives within a short while. */
  async function silent(socket: TestSocket, callId: string, ms = 150) {
    await new Promise((r) => setTimeout(r, ms));
    const got = socket.pending.filter((f) => f.callId === callId);
    assert.deepEqual(got, [], 'no frame about the call');
  }

  /** A REST request with the user's bearer token. */
  async function rest<T = Frame>(
    who: TokenResponse,
    method: 'GET' | 'DELETE',
    path: string,
  ): Promise<{ status: number; body: T }> {
    const res = await fetch(`${env.url()}${path}`, {
      method,
      headers: { authorization: `Bearer ${who.accessToken}` },
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : null) as T };
  }

  /** The user's records (first page of 200). */
  async function records(who: TokenResponse): Promise<CallRecord[]> {
    const res = await rest<{ records: CallRecord[] }>(who, 'GET', `${Routes.CALLS}?limit=200`);
    assert.equal(res.status, 200);
    return res.body.records;
  }

  /** The user's record of `callId`, waiting a little for it to be written. */
  async function recordOf(who: TokenResponse, callId: string): Promise<CallRecord> {
    for (let i = 0; i < 50; i++) {
      const found = (await records(who)).filter((r) => r.callId === callId);
      if (found.length) {
        assert.equal(found.length, 1, 'one record per party');
        return found[0]!;
      }
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error(`no record of ${callId}`);
  }

  /** The parts of a record a test states. */
  const summary = (r: CallRecord) => ({
    direction: r.direction,
    result: r.result,
    statusCode: r.statusCode,
    reasonText: r.reasonText,
  });

  return {
    user,
    device,
    media,
    invite,
    ringing,
    connected,
    codeOf,
    ended,
    silent,
    rest,
    records,
    recordOf,
    summary,
  };
}
