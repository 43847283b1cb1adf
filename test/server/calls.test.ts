/**
 * Calls against a real gateway started in this process with a `ManualClock` (so the no-answer
 * timeout and the reconnect grace pass at once), plus the built gateway for `--call-timeout`:
 * signalling between the parties only, every ending with its status code and the record (CDR)
 * each party gets, devices coming back within the grace, call history over REST, and TURN
 * credentials.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, randomUUID } from 'node:crypto';
import { Routes } from '../../core/protocol/constants.js';
import type { CallRecord, TokenResponse } from '../../core/protocol/schema.js';
import {
  type ManualClock,
  SqliteStorage,
  startServer,
  userChannel,
  type BusMessage,
  type RunningServer,
} from '../../server/index.js';
import { startClockedServer } from '../helpers/clocked-server.js';
import { parseCommandLine } from '../../server/cli.js';
import { startGateway } from '../helpers/gateway.js';
import { callKit } from '../helpers/call-server.js';
import {
  PASSWORD,
  call,
  connect,
  signupAndLogin,
  uniqueName,
  type TestSocket,
} from '../helpers/client.js';

type Frame = Record<string, unknown>;
const recordIn = (f: Frame) => f.record as CallRecord;

let server: RunningServer;
let clock: ManualClock;
let url: string;
const sockets: TestSocket[] = [];

before(async () => {
  ({ clock, server } = await startClockedServer({
    turnSecret: 'coturn-shared-secret',
    turnUrls: ['turn:turn.example.com:3478', 'turns:turn.example.com:5349'],
    turnTtl: 600,
  }));
  url = server.url;
});
after(async () => {
  for (const s of sockets) s.close();
  await server.close();
});

const {
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
} = callKit({ url: () => url, sockets });

// ── tests ────────────────────────────────────────────────────────────────────

describe('a call from invite to hang-up', () => {
  it('rings, answers, relays, and ends with 200; both parties get an answered record', async () => {
    const alice = await user('Alice A.');
    const bob = await user('Bob B.');
    const a = await device(alice);
    const b = await device(bob);
    const start = clock.now();
    const { callId, reply } = await invite(a, bob.user.username!, {
      displayName: 'Alice on the go',
      customParameters: [{ name: 'X-Topic', value: 'lunch' }],
    });
    assert.deepEqual(reply.to, { id: bob.user.username, displayName: 'Bob B.' });
    const incoming = await b.event('call:incoming');
    assert.deepEqual(
      {
        callId: incoming.callId,
        from: incoming.from,
        sdp: incoming.sdp,
        media: incoming.media,
        customParameters: incoming.customParameters,
      },
      {
        callId,
        from: { id: alice.user.username, displayName: 'Alice on the go' },
        sdp: 'v=0 offer',
        media,
        customParameters: [{ name: 'X-Topic', value: 'lunch' }],
      },
    );
    await b.request({ type: 'call.ringing', callId });
    assert.equal((await a.event('call:ringing')).callId, callId);

    clock.advance(2000);
    const answer = await b.request({
      type: 'call.answer',
      callId,
      sdp: 'v=0 answer',
      customParameters: [{ name: 'X-Ok', value: '1' }],
    });
    assert.equal(answer.ok, true);
    const answered = await a.event('call:answered');
    assert.deepEqual(answered.customParameters, [{ name: 'X-Ok', value: '1' }]);

    // Renegotiation and candidates go to the other party.
    await a.request({ type: 'call.offer', callId, sdp: 'v=0 hold', hold: true });
    assert.deepEqual((await b.event('call:offer')).hold, true);
    await b.request({ type: 'call.answerOffer', callId, sdp: 'v=0 held' });
    assert.equal((await a.event('call:answer')).sdp, 'v=0 held');
    const candidate = { candidate: 'candidate:1 1 udp 1 10.0.0.1 5000 typ host', sdpMid: '0' };
    await b.request({ type: 'call.candidate', callId, candidate });
    assert.deepEqual((await a.event('call:candidate')).candidate, candidate);
    await a.request({ type: 'call.candidate', callId, candidate: null });
    assert.equal((await b.event('call:candidate')).candidate, null);

    clock.advance(65_000);
    assert.equal((await a.request({ type: 'call.end', callId })).ok, true);
    assert.deepEqual(await ended(b, callId), {
      statusCode: 200,
      reasonText: 'Ended by the other party',
    });
    await silent(a, callId);

    const mine = await recordOf(alice, callId);
    assert.deepEqual(summary(mine), {
      direction: 'outgoing',
      result: 'answered',
      statusCode: 200,
      reasonText: 'Call ended',
    });
    assert.deepEqual(mine.remoteParticipant, { id: bob.user.username, displayName: 'Bob B.' });
    assert.deepEqual(mine.media, media);
    assert.equal(mine.startTime, start);
    assert.equal(mine.answerTime, start + 2000);
    assert.equal(mine.endTime, start + 67_000);
    assert.equal(mine.duration, 65);
    const theirs = await recordOf(bob, callId);
    assert.deepEqual(summary(theirs), {
      direction: 'incoming',
      result: 'answered',
      statusCode: 200,
      reasonText: 'Ended by the other party',
    });
    assert.deepEqual(theirs.remoteParticipant, {
      id: alice.user.username,
      displayName: 'Alice on the go',
    });
    assert.notEqual(theirs.id, mine.id);
    assert.equal(theirs.duration, 65);

    // The call is gone: more signalling is refused.
    const late = await b.request({ type: 'call.end', callId });
    assert.equal(codeOf(late), 'call:unknown');
    assert.equal((await server.app.gateway.calls.calls()).length, 0);
  });

  it('relays custom parameters, alone and with renegotiations, to the other party', async () => {
    const alice = await user();
    const bob = await user();
    const a = await device(alice);
    const b = await device(bob);
    const callId = await connected(a, bob, b);
    const gps = [{ name: 'X-GPS', value: '42.686032,23.344565' }];
    assert.equal(
      (await a.request({ type: 'call.parameters', callId, customParameters: gps })).ok,
      true,
    );
    const sent = await b.event('call:parameters');
    assert.equal(sent.callId, callId);
    assert.deepEqual(sent.customParameters, gps);
    await b.request({
      type: 'call.offer',
      callId,
      sdp: 'v=0 hold',
      hold: true,
      customParameters: [{ name: 'X-Why', value: 'hold' }],
    });
    assert.deepEqual((await a.event('call:offer')).customParameters, [
      { name: 'X-Why', value: 'hold' },
    ]);
    await a.request({ type: 'call.answerOffer', callId, sdp: 'v=0 held', customParameters: gps });
    assert.deepEqual((await b.event('call:answer')).customParameters, gps);
    // Without parameters, a renegotiation carries none.
    await a.request({ type: 'call.offer', callId, sdp: 'v=0 again', hold: false });
    assert.equal((await b.event('call:offer')).customParameters, undefined);
    // The schema's limits: 16 parameters, names of 1 to 64 characters.
    for (const customParameters of [
      Array.from({ length: 17 }, (_, i) => ({ name: `X-${i}`, value: '' })),
      [{ name: '', value: 'x' }],
      [{ name: 'X-Long', value: 'x'.repeat(1025) }],
    ]) {
      const reply = await a.request({ type: 'call.parameters', callId, customParameters });
      assert.equal(codeOf(reply), 'frame:invalid');
    }
    await a.request({ type: 'call.end', callId });
    await ended(b, callId);
  });

  it('the callee hanging up tells the caller 200 "Ended by the other party"', async () => {
    const alice = await user();
    const bob = await user();
    const a = await device(alice);
    const b = await device(bob);
    const callId = await connected(a, bob, b);
    await b.request({ type: 'call.end', callId });
    assert.deepEqual(await ended(a, callId), {
      statusCode: 200,
      reasonText: 'Ended by the other party',
    });
    assert.equal((await recordOf(bob, callId)).reasonText, 'Call ended');
    assert.equal((await recordOf(alice, callId)).reasonText, 'Ended by the other party');
  });

  it('finds the callee by number (E.164 and tel:) and by the user part of a sip: URI', async () => {
    const alice = await user();
    const number = `+1555${String(Date.now()).slice(-7)}`;
    const username = uniqueName('num');
    await call(url, Routes.SIGNUP, { username, number, password: PASSWORD });
    const carol = (
      await call<TokenResponse>(url, Routes.LOGIN, { identity: username, password: PASSWORD })
    ).body;
    const a = await device(alice);
    const c = await device(carol);
    for (const to of [number, `tel:${number}`, `sip:${username}@example.com`]) {
      const { callId, reply } = await invite(a, to);
      assert.deepEqual(reply.to, { id: username, displayName: username }, to);
      assert.equal((await c.event('call:incoming')).callId, callId);
      await a.request({ type: 'call.end', callId });
      await ended(c, callId);
    }
  });
});

describe('endings before the answer', () => {
  it('reject: 603 to the caller and the other devices; both records say rejected', async () => {
    const alice = await user();
    const bob = await user();
    const a = await device(alice);
    const b1 = await device(bob);
    const b2 = await device(bob);
    const callId = await ringing(a, bob, [b1, b2]);
    assert.equal((await b1.request({ type: 'call.reject', callId })).ok, true);
    assert.deepEqual(await ended(a, callId), { statusCode: 603, reasonText: 'Rejected' });
    assert.deepEqual(await ended(b2, callId), { statusCode: 603, reasonText: 'Rejected' });
    await silent(b1, callId);
    assert.deepEqual(summary(await recordOf(alice, callId)), {
      direction: 'outgoing',
      result: 'rejected',
      statusCode: 603,
      reasonText: 'Rejected',
    });
    assert.equal((await recordOf(bob, callId)).result, 'rejected');
  });

  it('call.end from a ringing device rejects the call (603)', async () => {
    const alice = await user();
    const bob = await user();
    const a = await device(alice);
    const b = await device(bob);
    const callId = await ringing(a, bob, [b]);
    await b.request({ type: 'call.end', callId });
    assert.equal((await ended(a, callId)).statusCode, 603);
  });

  it('cancel: the caller ending before the answer tells every ringing device 487', async () => {
    const alice = await user();
    const bob = await user();
    const a = await device(alice);
    const b1 = await device(bob);
    const b2 = await device(bob);
    const callId = await ringing(a, bob, [b1, b2]);
    await a.request({ type: 'call.end', callId });
    for (const b of [b1, b2])
      assert.deepEqual(await ended(b, callId), {
        statusCode: 487,
        reasonText: 'Cancelled by the caller',
      });
    await silent(a, callId);
    assert.deepEqual(summary(await recordOf(alice, callId)), {
      direction: 'outgoing',
      result: 'cancelled',
      statusCode: 487,
      reasonText: 'Cancelled by the caller',
    });
    const missed = await recordOf(bob, callId);
    assert.deepEqual(summary(missed), {
      direction: 'incoming',
      result: 'missed',
      statusCode: 487,
      reasonText: 'Cancelled by the caller',
    });
    assert.equal(missed.answerTime, null);
    assert.equal(missed.duration, 0);
  });

  it('no answer: after the timeout (30 s by default) both sides get 408', async () => {
    const alice = await user();
    const bob = await user();
    const a = await device(alice);
    const b = await device(bob);
    const callId = await ringing(a, bob, [b]);
    clock.advance(29_000);
    await silent(a, callId);
    clock.advance(1000);
    assert.deepEqual(await ended(a, callId), { statusCode: 408, reasonText: 'No answer' });
    assert.deepEqual(await ended(b, callId), { statusCode: 408, reasonText: 'No answer' });
    assert.equal((await recordOf(alice, callId)).result, 'noAnswer');
    assert.deepEqual(summary(await recordOf(bob, callId)), {
      direction: 'incoming',
      result: 'missed',
      statusCode: 408,
      reasonText: 'No answer',
    });
  });

  it('an answered call is not ended by the no-answer timer', async () => {
    const alice = await user();
    const bob = await user();
    const a = await device(alice);
    const b = await device(bob);
    const callId = await connected(a, bob, b);
    clock.advance(120_000);
    await silent(a, callId);
    await silent(b, callId, 0);
    await a.request({ type: 'call.end', callId });
    await ended(b, callId);
  });

  it('busy: calling someone in an answered call ends with 486; their devices do not ring', async () => {
    const alice = await user();
    const bob = await user();
    const carol = await user();
    const a = await device(alice);
    const b = await device(bob);
    const c = await device(carol);
    const first = await connected(a, bob, b);
    const { callId, reply } = await invite(c, bob.user.username!);
    assert.equal(reply.ok, true, 'the invite itself is accepted');
    assert.deepEqual(await ended(c, callId), { statusCode: 486, reasonText: 'Busy' });
    await silent(b, callId);
    assert.deepEqual(summary(await recordOf(carol, callId)), {
      direction: 'outgoing',
      result: 'busy',
      statusCode: 486,
      reasonText: 'Busy',
    });
    assert.equal((await recordOf(bob, callId)).result, 'missed');
    // Each party's devices are told of their record at once: bob, who never rang, too.
    const pushed = async (socket: TestSocket) =>
      (await socket.next((f) => f.event === 'callHistory:new' && recordIn(f).callId === callId))
        .record as CallRecord;
    assert.deepEqual(await pushed(c), await recordOf(carol, callId));
    assert.deepEqual(await pushed(b), await recordOf(bob, callId));
    // The first call goes on; once it ends, bob can be called again.
    await b.request({ type: 'call.offer', callId: first, sdp: 'v=0 x', hold: false });
    assert.equal((await a.event('call:offer')).callId, first);
    await a.request({ type: 'call.end', callId: first });
    await ended(b, first);
    const again = await ringing(c, bob, [b]);
    await c.request({ type: 'call.end', callId: again });
  });

  it('ringing does not make a callee busy (only an answered call does)', async () => {
    const alice = await user();
    const bob = await user();
    const carol = await user();
    const a = await device(alice);
    const b = await device(bob);
    const c = await device(carol);
    const first = await ringing(a, bob, [b]);
    const second = await ringing(c, bob, [b]);
    await a.request({ type: 'call.end', callId: first });
    await c.request({ type: 'call.end', callId: second });
  });

  it('not available: a callee with no socket subscribed to calls gets no ring; the caller 480', async () => {
    const alice = await user();
    const bob = await user();
    const a = await device(alice);
    const unsubscribed = await connect(url, bob.accessToken);
    sockets.push(unsubscribed);
    const { callId, reply } = await invite(a, bob.user.username!);
    assert.equal(reply.ok, true);
    assert.deepEqual(await ended(a, callId), { statusCode: 480, reasonText: 'Not available' });
    await silent(unsubscribed, callId);
    assert.equal((await recordOf(alice, callId)).result, 'noAnswer');
    assert.equal((await recordOf(bob, callId)).result, 'missed');
  });

  it('an unknown destination is refused with call:unknownDestination, and no record is kept', async () => {
    const alice = await user();
    const a = await device(alice);
    const { callId, reply } = await invite(a, 'nobody-here-at-all');
    assert.equal(codeOf(reply), 'call:unknownDestination');
    assert.ok(!(await records(alice)).some((r) => r.callId === callId));
  });

  it('a call id that is not a UUID is refused with frame:invalid', async () => {
    const alice = await user();
    const bob = await user();
    const a = await device(alice);
    const reply = await a.request({
      type: 'call.invite',
      callId: 'not-a-uuid',
      to: bob.user.username,
      sdp: 'v=0',
      media,
    });
    assert.equal(codeOf(reply), 'frame:invalid');
    assert.match((reply.error as { message: string }).message, /^\/callId: /);
  });

  it('a call id in use, or used before, is refused with call:exists', async () => {
    const alice = await user();
    const bob = await user();
    const a = await device(alice);
    const b = await device(bob);
    const callId = await ringing(a, bob, [b]);
    const again = await a.request({
      type: 'call.invite',
      callId,
      to: bob.user.username,
      sdp: 'v=0',
      media,
    });
    assert.equal(codeOf(again), 'call:exists');
    await a.request({ type: 'call.end', callId });
    await ended(b, callId);
    await recordOf(alice, callId);
    const reused = await a.request({
      type: 'call.invite',
      callId,
      to: bob.user.username,
      sdp: 'v=0',
      media,
    });
    assert.equal(codeOf(reused), 'call:exists');
  });
});

describe('several devices', () => {
  it('rings every device; the first answer wins, the others stop with 200 "Answered on another device"', async () => {
    const alice = await user();
    const bob = await user();
    const a = await device(alice);
    const b1 = await device(bob);
    const b2 = await device(bob);
    const callId = await ringing(a, bob, [b1, b2]);

    // Before the answer, the caller's candidates reach every ringing device.
    await a.request({ type: 'call.candidate', callId, candidate: null });
    await b1.event('call:candidate');
    await b2.event('call:candidate');

    assert.equal((await b2.request({ type: 'call.answer', callId, sdp: 'v=0 b2' })).ok, true);
    assert.equal((await a.event('call:answered')).sdp, 'v=0 b2');
    assert.deepEqual(await ended(b1, callId), {
      statusCode: 200,
      reasonText: 'Answered on another device',
    });
    const late = await b1.request({ type: 'call.answer', callId, sdp: 'v=0 b1' });
    assert.equal(codeOf(late), 'call:alreadyAnswered');
    assert.match((late.error as { message: string }).message, /another device/);
    const twice = await b2.request({ type: 'call.answer', callId, sdp: 'v=0 b2' });
    assert.equal(codeOf(twice), 'call:alreadyAnswered');

    // After it, only the answering device gets the caller's signalling.
    await a.request({ type: 'call.candidate', callId, candidate: null });
    await b2.event('call:candidate');
    await a.request({ type: 'call.offer', callId, sdp: 'v=0 re', hold: false });
    await b2.event('call:offer');
    await silent(b1, callId);
    // The stopped device can no longer signal in the call.
    const offer = await b1.request({ type: 'call.offer', callId, sdp: 'v=0', hold: false });
    assert.equal(codeOf(offer), 'call:unknown');

    await a.request({ type: 'call.end', callId });
    assert.equal((await ended(b2, callId)).statusCode, 200);
    await silent(b1, callId, 50);
    const bobs = (await records(bob)).filter((r) => r.callId === callId);
    assert.equal(bobs.length, 1, 'one record for the callee, not one per device');
    assert.equal(bobs[0]!.result, 'answered');
  });

  it('answers racing on two devices: exactly one wins', async () => {
    const alice = await user();
    const bob = await user();
    const a = await device(alice);
    const b1 = await device(bob);
    const b2 = await device(bob);
    const callId = await ringing(a, bob, [b1, b2]);
    const replies = await Promise.all(
      [b1, b2].map((b) => b.request({ type: 'call.answer', callId, sdp: 'v=0' })),
    );
    assert.deepEqual(replies.map((r) => r.ok).sort(), [false, true]);
    assert.equal(codeOf(replies.find((r) => !r.ok)!), 'call:alreadyAnswered');
    await a.event('call:answered');
    await a.request({ type: 'call.end', callId });
  });

  it('does not ring the caller’s own socket when a user calls their other device', async () => {
    const alice = await user();
    const a1 = await device(alice);
    const a2 = await device(alice);
    const { callId } = await invite(a1, alice.user.username!);
    assert.equal((await a2.event('call:incoming')).callId, callId);
    await silent(a1, callId);
    await a1.request({ type: 'call.end', callId });
    assert.equal((await ended(a2, callId)).statusCode, 487);
  });
});

describe('only the call’s parties signal in it', () => {
  it('refuses a stranger and another socket of the same user with call:unknown; the call goes on', async () => {
    const alice = await user();
    const bob = await user();
    const eve = await user();
    const a = await device(alice);
    const b = await device(bob);
    const e = await device(eve);
    const aElsewhere = await device(alice);
    const callId = await connected(a, bob, b);
    const frames: Frame[] = [
      { type: 'call.offer', callId, sdp: 'v=0 evil', hold: false },
      { type: 'call.answerOffer', callId, sdp: 'v=0 evil' },
      { type: 'call.parameters', callId, customParameters: [{ name: 'X-Evil', value: '1' }] },
      { type: 'call.candidate', callId, candidate: null },
      { type: 'call.ringing', callId },
      { type: 'call.answer', callId, sdp: 'v=0 evil' },
      { type: 'call.reject', callId },
      { type: 'call.end', callId },
    ];
    for (const intruder of [e, aElsewhere]) {
      for (const frame of frames) {
        const reply = await intruder.request(frame);
        assert.equal(codeOf(reply), 'call:unknown', `${String(frame.type)} refused`);
      }
    }
    // The same answer as for a call that does not exist: nothing tells the two apart.
    const none = await e.request({ type: 'call.end', callId: randomUUID() });
    assert.equal(codeOf(none), 'call:unknown');
    await silent(a, callId);
    await silent(b, callId, 0);
    // The call is unharmed.
    await a.request({ type: 'call.offer', callId, sdp: 'v=0 real', hold: false });
    assert.equal((await b.event('call:offer')).sdp, 'v=0 real');
    await b.request({ type: 'call.end', callId });
    assert.equal((await ended(a, callId)).statusCode, 200);
  });

  it('refuses what a party may not do with request:invalid', async () => {
    const alice = await user();
    const bob = await user();
    const a = await device(alice);
    const b = await device(bob);
    const callId = await ringing(a, bob, [b]);
    const cases: Array<[TestSocket, Frame]> = [
      [a, { type: 'call.answer', callId, sdp: 'v=0' }],
      [a, { type: 'call.reject', callId }],
      [a, { type: 'call.ringing', callId }],
      [a, { type: 'call.offer', callId, sdp: 'v=0', hold: false }],
      [b, { type: 'call.answerOffer', callId, sdp: 'v=0' }],
      [a, { type: 'call.parameters', callId, customParameters: [] }],
    ];
    for (const [socket, frame] of cases)
      assert.equal(codeOf(await socket.request(frame)), 'request:invalid', String(frame.type));
    await b.request({ type: 'call.answer', callId, sdp: 'v=0' });
    await a.event('call:answered');
    assert.equal(codeOf(await b.request({ type: 'call.reject', callId })), 'request:invalid');
    await a.request({ type: 'call.end', callId });
    await ended(b, callId);
  });
});

describe('sockets that close', () => {
  it('a device that reconnects within the grace keeps its call and gets what it missed', async () => {
    const alice = await user();
    const bob = await user();
    const a = await device(alice);
    const correlator = randomUUID();
    const b = await device(bob, correlator);
    const callId = await connected(a, bob, b);
    b.ws.terminate();
    await b.closed;
    await new Promise((r) => setTimeout(r, 20));
    // While it is away, the caller's offer waits for it.
    await a.request({ type: 'call.offer', callId, sdp: 'v=0 while away', hold: true });
    clock.advance(9000);
    await silent(a, callId);
    const back = await device(bob, correlator);
    assert.equal((await back.event('call:offer')).sdp, 'v=0 while away');
    clock.advance(5000); // past the first grace: nothing ends
    await silent(a, callId);
    await back.request({ type: 'call.answerOffer', callId, sdp: 'v=0 ok' });
    assert.equal((await a.event('call:answer')).sdp, 'v=0 ok');
    await back.request({ type: 'call.end', callId });
    assert.equal((await ended(a, callId)).statusCode, 200);
  });

  it('a device that does not come back ends its call after the grace (408), and learns it later', async () => {
    const alice = await user();
    const bob = await user();
    const a = await device(alice);
    const correlator = randomUUID();
    const b = await device(bob, correlator);
    const callId = await connected(a, bob, b);
    b.close();
    await b.closed;
    await new Promise((r) => setTimeout(r, 20));
    clock.advance(9999);
    await silent(a, callId);
    clock.advance(1);
    assert.deepEqual(await ended(a, callId), {
      statusCode: 408,
      reasonText: 'The other party’s connection was lost',
    });
    assert.deepEqual(summary(await recordOf(alice, callId)), {
      direction: 'outgoing',
      result: 'answered',
      statusCode: 408,
      reasonText: 'The other party’s connection was lost',
    });
    assert.equal((await recordOf(bob, callId)).result, 'answered');
    const late = await device(bob, correlator);
    assert.deepEqual(await ended(late, callId), {
      statusCode: 408,
      reasonText: 'Connection to the server lost',
    });
  });

  it('a client’s own disconnect (1000) ends its calls at once', async () => {
    const alice = await user();
    const bob = await user();
    const a = await device(alice);
    const b = await device(bob);
    const callId = await connected(a, bob, b);
    a.ws.close(1000);
    assert.equal((await ended(b, callId)).statusCode, 408);
  });

  it('the caller gone before the answer ends the ringing; the last ringing device gone ends it 480', async () => {
    const alice = await user();
    const bob = await user();
    const a = await device(alice);
    const b = await device(bob);
    const callId = await ringing(a, bob, [b]);
    a.ws.close(1000);
    assert.equal((await ended(b, callId)).statusCode, 408);
    assert.equal((await recordOf(alice, callId)).result, 'failed');
    assert.equal((await recordOf(bob, callId)).result, 'missed');

    const a2 = await device(alice);
    const second = await ringing(a2, bob, [b]);
    b.ws.close(1000);
    assert.deepEqual(await ended(a2, second), { statusCode: 480, reasonText: 'Not available' });
  });
});

describe('presence hook', () => {
  it('publishes call.activity when a user enters and leaves an answered call', async () => {
    const alice = await user();
    const bob = await user();
    const a = await device(alice);
    const b = await device(bob);
    const seen: BusMessage[] = [];
    const { bus } = server.app.gateway;
    const stop = await Promise.all(
      [alice, bob].map((u) => bus.subscribe(userChannel(u.user.id), (m) => seen.push(m))),
    );
    const activity = () =>
      seen.filter((m) => m.type === 'call.activity').map((m) => JSON.stringify(m));
    const callId = await ringing(a, bob, [b]);
    assert.deepEqual(activity(), [], 'ringing is not being in a call');
    await b.request({ type: 'call.answer', callId, sdp: 'v=0' });
    await a.event('call:answered');
    assert.deepEqual(
      activity().sort(),
      [
        JSON.stringify({ type: 'call.activity', userId: alice.user.id, inCall: true }),
        JSON.stringify({ type: 'call.activity', userId: bob.user.id, inCall: true }),
      ].sort(),
    );
    seen.length = 0;
    await a.request({ type: 'call.end', callId });
    await ended(b, callId);
    await new Promise((r) => setTimeout(r, 10));
    assert.deepEqual(
      activity().sort(),
      [
        JSON.stringify({ type: 'call.activity', userId: alice.user.id, inCall: false }),
        JSON.stringify({ type: 'call.activity', userId: bob.user.id, inCall: false }),
      ].sort(),
    );
    await Promise.all(stop.map((s) => s()));
  });
});

describe('call history over REST', () => {
  it('pages newest first with a total, and each user sees only their own records', async () => {
    const alice = await user();
    const bob = await user();
    const carol = await user();
    const a = await device(alice);
    const b = await device(bob);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const { callId } = await invite(a, bob.user.username!);
      await b.event('call:incoming');
      await a.request({ type: 'call.end', callId });
      await ended(b, callId);
      ids.push(callId);
      clock.advance(1000);
    }
    const page = await rest<{ records: CallRecord[]; total: number }>(
      alice,
      'GET',
      `${Routes.CALLS}?limit=2&offset=1`,
    );
    assert.equal(page.status, 200);
    assert.equal(page.body.total, 5);
    assert.deepEqual(
      page.body.records.map((r) => r.callId),
      [ids[3], ids[2]],
    );
    const all = await rest<{ records: CallRecord[]; total: number }>(alice, 'GET', Routes.CALLS);
    assert.equal(all.body.records.length, 5, 'default limit 50');
    const none = await rest<{ records: CallRecord[]; total: number }>(carol, 'GET', Routes.CALLS);
    assert.deepEqual(none.body, { records: [], total: 0 });

    // Delete one: it is gone for alice only.
    const target = all.body.records[0]!;
    assert.equal((await rest(alice, 'DELETE', `${Routes.CALLS}/${target.id}`)).status, 204);
    assert.equal((await records(alice)).length, 4);
    assert.ok(
      (await records(bob)).some((r) => r.callId === target.callId),
      'bob keeps his',
    );
    // Another user's record id is not found, and stays.
    const bobsRecord = (await records(bob))[0]!;
    const foreign = await rest<{ error: { code: string } }>(
      alice,
      'DELETE',
      `${Routes.CALLS}/${bobsRecord.id}`,
    );
    assert.equal(foreign.status, 404);
    assert.equal(foreign.body.error.code, 'request:notFound');
    assert.ok((await records(bob)).some((r) => r.id === bobsRecord.id));
    const again = await rest(alice, 'DELETE', `${Routes.CALLS}/${target.id}`);
    assert.equal(again.status, 404);

    // Delete all: alice's are gone, bob's stay.
    assert.equal((await rest(alice, 'DELETE', Routes.CALLS)).status, 204);
    assert.deepEqual((await rest(alice, 'GET', Routes.CALLS)).body, { records: [], total: 0 });
    assert.equal((await records(bob)).length, 5);
  });

  it('refuses bad paging and a missing token', async () => {
    const alice = await user();
    for (const query of ['limit=0', 'limit=201', 'limit=x', 'offset=-1', 'limit=1.5', 'page=2']) {
      const res = await rest<{ error: { code: string; message: string } }>(
        alice,
        'GET',
        `${Routes.CALLS}?${query}`,
      );
      assert.equal(res.status, 400, query);
      assert.equal(res.body.error.code, 'request:invalid', query);
      assert.match(res.body.error.message, /querystring/, query);
    }
    for (const [method, path] of [
      ['GET', Routes.CALLS],
      ['DELETE', Routes.CALLS],
      ['DELETE', `${Routes.CALLS}/x`],
      ['GET', Routes.TURN],
    ] as const) {
      const res = await fetch(`${url}${path}`, { method });
      assert.equal(res.status, 401, `${method} ${path}`);
      assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'auth:required');
    }
  });

  it('lets a browser on an allowed origin delete (CORS preflight allows DELETE)', async () => {
    const res = await fetch(`${url}${Routes.CALLS}`, {
      method: 'OPTIONS',
      headers: {
        origin: 'http://localhost:8000',
        'access-control-request-method': 'DELETE',
        'access-control-request-headers': 'authorization',
      },
    });
    assert.ok(res.status < 300, String(res.status));
    assert.match(res.headers.get('access-control-allow-methods') ?? '', /DELETE/);
  });
});

describe('TURN credentials', () => {
  it('answers coturn shared-secret credentials that verify with HMAC-SHA1', async () => {
    const alice = await user();
    const res = await rest<{
      iceServers: Array<{ urls: string[]; username: string; credential: string }>;
      ttl: number;
    }>(alice, 'GET', Routes.TURN);
    assert.equal(res.status, 200);
    assert.equal(res.body.ttl, 600);
    const [server_] = res.body.iceServers;
    assert.deepEqual(server_!.urls, ['turn:turn.example.com:3478', 'turns:turn.example.com:5349']);
    const [expiry, userId] = server_!.username.split(':');
    assert.equal(userId, alice.user.id);
    assert.equal(Number(expiry), Math.floor(clock.now() / 1000) + 600);
    const expected = createHmac('sha1', 'coturn-shared-secret')
      .update(server_!.username)
      .digest('base64');
    assert.equal(server_!.credential, expected);
    const forged = createHmac('sha1', 'another-secret').update(server_!.username).digest('base64');
    assert.notEqual(server_!.credential, forged);
  });

  it('answers no ICE servers on a gateway without a TURN secret', async () => {
    const plain = await startServer({ port: 0, db: ':memory:', logLevel: false });
    try {
      const username = uniqueName('turn');
      const tokens = await signupAndLogin(plain.url, username);
      const res = await fetch(`${plain.url}${Routes.TURN}`, {
        headers: { authorization: `Bearer ${tokens.accessToken}` },
      });
      assert.equal(res.status, 200);
      const body = (await res.json()) as { iceServers: unknown[]; ttl: number };
      assert.deepEqual(body.iceServers, []);
      assert.ok(body.ttl > 0);
    } finally {
      await plain.close();
    }
  });
});

describe('shutdown', () => {
  it('ends live calls and writes their records (503)', async () => {
    const storage = SqliteStorage.open({ file: ':memory:' });
    const own = await startServer({ port: 0, storage, logLevel: false, authRateLimit: false });
    const alice = await signupAndLogin(own.url, uniqueName('sd'));
    const bob = await signupAndLogin(own.url, uniqueName('sd'));
    const open = async (t: TokenResponse) => {
      const s = await connect(own.url, t.accessToken);
      await s.request({ type: 'subscribe', services: ['call'], clientCorrelator: randomUUID() });
      return s;
    };
    const a = await open(alice);
    const b = await open(bob);
    const callId = randomUUID();
    await a.request({ type: 'call.invite', callId, to: bob.user.username, sdp: 'v=0', media });
    await b.event('call:incoming');
    await b.request({ type: 'call.answer', callId, sdp: 'v=0' });
    await own.close();
    const { records: mine } = await storage.listCallRecords(alice.user.id, {
      limit: 10,
      offset: 0,
    });
    assert.equal(mine.length, 1);
    assert.deepEqual(
      { result: mine[0]!.result, statusCode: mine[0]!.statusCode },
      { result: 'answered', statusCode: 503 },
    );
    await storage.close();
  });
});

describe('the command line', () => {
  it('reads the call and TURN settings from flags and the environment', () => {
    const fromFlags = parseCommandLine([
      '--call-timeout',
      '5',
      '--call-grace',
      '0',
      '--turn-secret',
      's3cret',
      '--turn-urls',
      'turn:a.example:3478, turns:a.example:5349',
      '--turn-ttl',
      '3600',
    ]);
    assert.equal(fromFlags.kind, 'run');
    if (fromFlags.kind !== 'run') return;
    assert.equal(fromFlags.options.callTimeout, 5);
    assert.equal(fromFlags.options.callGrace, 0);
    assert.equal(fromFlags.options.turnSecret, 's3cret');
    assert.deepEqual(fromFlags.options.turnUrls, ['turn:a.example:3478', 'turns:a.example:5349']);
    assert.equal(fromFlags.options.turnTtl, 3600);
    const fromEnv = parseCommandLine([], {
      COMMS_CALL_TIMEOUT: '45',
      COMMS_TURN_SECRET: 'x',
      COMMS_TURN_URLS: 'turn:b.example',
    });
    assert.ok(fromEnv.kind === 'run');
    assert.equal(fromEnv.options.callTimeout, 45);
    assert.deepEqual(fromEnv.options.turnUrls, ['turn:b.example']);
  });

  it('refuses wrong values naming the flag', () => {
    const cases: Array<[string[], RegExp]> = [
      [['--call-timeout', '0'], /--call-timeout must be a whole number from 1/],
      [['--call-timeout', 'soon'], /--call-timeout/],
      [['--call-grace', '-1'], /--call-grace/],
      [['--turn-secret', 'x'], /--turn-secret and --turn-urls/],
      [['--turn-urls', 'turn:a'], /--turn-secret and --turn-urls/],
      [['--turn-secret', 'x', '--turn-urls', 'http://a'], /not a TURN URL/],
      [['--turn-ttl', '5'], /--turn-ttl/],
    ];
    for (const [argv, message] of cases) assert.throws(() => parseCommandLine(argv, {}), message);
  });
});

describe('the built gateway with --call-timeout', () => {
  it('ends an unanswered call after the configured seconds', async () => {
    const gateway = await startGateway(['--call-timeout', '1']);
    try {
      const alice = await signupAndLogin(gateway.url, uniqueName('to'));
      const bob = await signupAndLogin(gateway.url, uniqueName('to'));
      const open = async (t: TokenResponse) => {
        const s = await connect(gateway.url, t.accessToken);
        await s.request({ type: 'subscribe', services: ['call'], clientCorrelator: randomUUID() });
        return s;
      };
      const a = await open(alice);
      const b = await open(bob);
      const callId = randomUUID();
      const started = Date.now();
      await a.request({ type: 'call.invite', callId, to: bob.user.username, sdp: 'v=0', media });
      await b.event('call:incoming');
      const e = await a.event('call:ended', 3000);
      const elapsed = Date.now() - started;
      assert.equal(e.statusCode, 408);
      assert.ok(elapsed >= 900 && elapsed < 2500, `ended after ${elapsed} ms`);
      assert.equal((await b.event('call:ended')).statusCode, 408);
      a.close();
      b.close();
    } finally {
      assert.equal(await gateway.stop(), 0);
    }
  });
});
