/**
 * Call forwarding (`call.forward`) against a real gateway started in this process with a
 * `ManualClock`: who may forward, what the forwarding callee's devices, the caller and the
 * destination are told, the caller's offer and candidates handed on to the destination, the
 * no-answer timeout, forwarding twice, and the records.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ManualClock, RunningServer } from '../../server/index.js';
import { startClockedServer } from '../helpers/clocked-server.js';
import type { TestSocket } from '../helpers/client.js';
import { callKit } from '../helpers/call-server.js';

let server: RunningServer;
let clock: ManualClock;
let url: string;
const sockets: TestSocket[] = [];

before(async () => {
  ({ clock, server } = await startClockedServer());
  url = server.url;
});
after(async () => {
  for (const s of sockets) s.close();
  await server.close();
});

const { user, device, ringing, connected, codeOf, ended, silent, records, recordOf, summary } =
  callKit({ url: () => url, sockets });

/** A trickled candidate, numbered. */
const candidate = (n: number) => ({
  candidate: `candidate:${n} 1 udp 2122260223 192.0.2.${n % 250} ${50000 + n} typ host`,
  sdpMid: '0',
  sdpMLineIndex: 0,
});

const live = async (callId: string) =>
  (await server.app.gateway.calls.calls()).find((c) => c.id === callId);

describe('forward', () => {
  it('the ringing callee forwards: its devices stop (302), the destination rings with the offer and the candidates sent before, the caller is told; the destination answers', async () => {
    const alice = await user('Alice A.');
    const bob = await user('Bob B.');
    const carol = await user('Carol C.');
    const a = await device(alice);
    const b1 = await device(bob);
    const b2 = await device(bob);
    const c = await device(carol);
    const callId = await ringing(a, bob, [b1, b2]);
    // The caller trickles before the forward: the ringing devices get them, the gateway keeps them.
    for (const sent of [candidate(1), candidate(2), null]) {
      assert.equal((await a.request({ type: 'call.candidate', callId, candidate: sent })).ok, true);
      for (const b of [b1, b2]) assert.deepEqual((await b.event('call:candidate')).candidate, sent);
    }

    const reply = await b1.request({
      type: 'call.forward',
      callId,
      destination: carol.user.username!,
    });
    assert.equal(reply.ok, true, JSON.stringify(reply));
    const forwarding = {
      by: { id: bob.user.username, displayName: 'Bob B.' },
      to: { id: carol.user.username, displayName: 'Carol C.' },
    };
    assert.deepEqual({ by: reply.by, to: reply.to }, forwarding);
    // Bob's other device stops ringing; the one that forwarded learnt it from the reply.
    assert.deepEqual(await ended(b2, callId), { statusCode: 302, reasonText: 'Forwarded' });
    const told = await a.event('call:forwarded');
    assert.deepEqual({ callId: told.callId, by: told.by, to: told.to }, { callId, ...forwarding });

    // Carol rings with Alice's offer, then the candidates Alice sent before the forward.
    const incoming = await c.event('call:incoming');
    assert.equal(incoming.callId, callId);
    assert.equal(incoming.sdp, 'v=0 offer');
    assert.deepEqual(incoming.from, { id: alice.user.username, displayName: 'Alice A.' });
    assert.deepEqual(incoming.forwarded, [forwarding]);
    for (const sent of [candidate(1), candidate(2), null])
      assert.deepEqual((await c.event('call:candidate')).candidate, sent);
    // From now on Alice's candidates go to Carol only.
    await a.request({ type: 'call.candidate', callId, candidate: candidate(3) });
    assert.deepEqual((await c.event('call:candidate')).candidate, candidate(3));

    // Bob's devices are out of the call: no more events, and their signalling is refused.
    const late = await b1.request({ type: 'call.answer', callId, sdp: 'v=0 late' });
    assert.equal(codeOf(late), 'call:unknown');
    await silent(b1, callId);
    await silent(b2, callId);

    assert.equal((await c.request({ type: 'call.ringing', callId })).ok, true);
    await a.event('call:ringing');
    assert.equal((await c.request({ type: 'call.answer', callId, sdp: 'v=0 answer' })).ok, true);
    assert.equal((await a.event('call:answered')).sdp, 'v=0 answer');
    // Answered: the offer and candidates kept for a forward are gone.
    assert.equal((await live(callId))?.offer, undefined);
    await a.request({ type: 'call.end', callId });
    assert.deepEqual(await ended(c, callId), {
      statusCode: 200,
      reasonText: 'Ended by the other party',
    });

    assert.deepEqual(summary(await recordOf(bob, callId)), {
      direction: 'incoming',
      result: 'rejected',
      statusCode: 302,
      reasonText: 'Forwarded to Carol C.',
    });
    const aliceRecord = await recordOf(alice, callId);
    assert.deepEqual(summary(aliceRecord), {
      direction: 'outgoing',
      result: 'answered',
      statusCode: 200,
      reasonText: 'Call ended (forwarded by Bob B.)',
    });
    assert.deepEqual(aliceRecord.remoteParticipant, {
      id: carol.user.username,
      displayName: 'Carol C.',
    });
    assert.deepEqual(summary(await recordOf(carol, callId)), {
      direction: 'incoming',
      result: 'answered',
      statusCode: 200,
      reasonText: 'Ended by the other party (forwarded by Bob B.)',
    });
  });

  it('forwards twice (B → C → D); each destination rings for the full no-answer timeout', async () => {
    const alice = await user('Alice A.');
    const bob = await user('Bob B.');
    const carol = await user('Carol C.');
    const dave = await user('Dave D.');
    const a = await device(alice);
    const b = await device(bob);
    const c = await device(carol);
    const d = await device(dave);
    const callId = await ringing(a, bob, [b]);
    await a.request({ type: 'call.candidate', callId, candidate: candidate(7) });
    await b.event('call:candidate');

    clock.advance(20_000);
    const first = await b.request({
      type: 'call.forward',
      callId,
      destination: carol.user.username!,
    });
    assert.equal(first.ok, true, JSON.stringify(first));
    await c.event('call:incoming');
    assert.deepEqual((await c.event('call:candidate')).candidate, candidate(7));
    clock.advance(20_000); // 40 s since the invite, 20 s at Carol's: still ringing
    assert.ok(await live(callId));
    const second = await c.request({
      type: 'call.forward',
      callId,
      destination: dave.user.username!,
    });
    assert.equal(second.ok, true, JSON.stringify(second));
    const incoming = await d.event('call:incoming');
    assert.deepEqual(
      (incoming.forwarded as Array<{ by: { id: string } }>).map((f) => f.by.id),
      [bob.user.username, carol.user.username],
    );
    assert.deepEqual((await d.event('call:candidate')).candidate, candidate(7));
    const forwarded = await a.next(
      (f) =>
        f.event === 'call:forwarded' &&
        (f.by as { id?: string } | undefined)?.id === carol.user.username,
    );
    assert.equal((forwarded.to as { id: string }).id, dave.user.username);
    // Carol forwarded it: her device is out, like Bob's.
    assert.equal(codeOf(await c.request({ type: 'call.reject', callId })), 'call:unknown');

    clock.advance(29_000);
    assert.ok(await live(callId), 'Dave rings for the full timeout');
    clock.advance(1_000);
    assert.deepEqual(await ended(a, callId), { statusCode: 408, reasonText: 'No answer' });
    assert.deepEqual(await ended(d, callId), { statusCode: 408, reasonText: 'No answer' });
    assert.deepEqual(summary(await recordOf(alice, callId)), {
      direction: 'outgoing',
      result: 'noAnswer',
      statusCode: 408,
      reasonText: 'No answer (forwarded by Bob B., then Carol C.)',
    });
    assert.deepEqual(summary(await recordOf(carol, callId)), {
      direction: 'incoming',
      result: 'rejected',
      statusCode: 302,
      reasonText: 'Forwarded to Dave D.',
    });
    assert.equal((await recordOf(dave, callId)).result, 'missed');
    assert.equal((await records(bob)).filter((r) => r.callId === callId).length, 1);
  });

  it('only the ringing callee may forward, to someone who can be called; a refused forward leaves the call ringing', async () => {
    const alice = await user('Alice A.');
    const bob = await user('Bob B.');
    const carol = await user('Carol C.');
    const a = await device(alice);
    const b = await device(bob);
    const c = await device(carol);
    const callId = await ringing(a, bob, [b]);
    const forward = (socket: TestSocket, destination: string, id = callId) =>
      socket.request({ type: 'call.forward', callId: id, destination });

    // A stranger, even one taking part in other calls, is told there is no such call.
    const eve = await device(await user('Eve E.'));
    assert.equal(codeOf(await forward(eve, carol.user.username!)), 'call:unknown');
    // Another device of Bob's that the call did not ring is a stranger to it too.
    const later = await device(bob);
    assert.equal(codeOf(await forward(later, carol.user.username!)), 'call:unknown');
    // The caller may not forward its own call.
    assert.equal(codeOf(await forward(a, carol.user.username!)), 'request:invalid');
    // Destinations: nobody, the callee, the caller.
    const nobody = await forward(b, 'nobody-at-all');
    assert.equal(codeOf(nobody), 'call:unknownDestination');
    assert.match((nobody.error as { message: string }).message, /nobody-at-all/);
    assert.equal(codeOf(await forward(b, bob.user.username!)), 'call:invalidDestination');
    assert.equal(codeOf(await forward(b, alice.user.username!)), 'call:invalidDestination');
    // Someone in an answered call (no multiCall device) is busy; someone offline unavailable.
    const dave = await user('Dave D.');
    const d = await device(dave);
    const frank = await user('Frank F.');
    const daveCall = await connected(await device(frank), dave, d);
    assert.equal(codeOf(await forward(b, dave.user.username!)), 'call:destinationBusy');
    const offline = await user('Gina G.');
    assert.equal(codeOf(await forward(b, offline.user.username!)), 'call:destinationUnavailable');
    assert.equal(codeOf(await forward(b, carol.user.username!, daveCall)), 'call:unknown');
    assert.equal(codeOf(await b.request({ type: 'call.forward', callId })), 'frame:invalid');

    // Nothing reached Carol or the caller, and the call still rings at Bob's.
    await silent(c, callId);
    assert.ok(!a.pending.some((f) => f.event === 'call:forwarded'));
    assert.equal((await b.request({ type: 'call.answer', callId, sdp: 'v=0 answer' })).ok, true);
    await a.event('call:answered');
    // Answered: too late to forward.
    assert.equal(codeOf(await forward(b, carol.user.username!)), 'call:invalidState');
    await a.request({ type: 'call.end', callId });
    await ended(b, callId);
  });

  it('the caller’s kept candidates are bounded; the callee’s other devices are out of the call once it is forwarded', async () => {
    const alice = await user('Alice A.');
    const bob = await user('Bob B.');
    const carol = await user('Carol C.');
    const a = await device(alice);
    const b1 = await device(bob);
    const b2 = await device(bob);
    const c = await device(carol);
    const callId = await ringing(a, bob, [b1, b2]);
    for (let n = 1; n <= 40; n++)
      await a.request({ type: 'call.candidate', callId, candidate: candidate(n) });
    assert.equal((await live(callId))?.offer?.candidates.length, 32);
    const reply = await b1.request({
      type: 'call.forward',
      callId,
      destination: carol.user.username!,
    });
    assert.equal(reply.ok, true, JSON.stringify(reply));
    await c.event('call:incoming');
    for (let n = 1; n <= 32; n++)
      assert.deepEqual((await c.event('call:candidate')).candidate, candidate(n));
    await silent(c, callId);
    assert.equal(
      codeOf(await b2.request({ type: 'call.forward', callId, destination: alice.user.username! })),
      'call:unknown',
    );
    await a.request({ type: 'call.end', callId });
    assert.deepEqual(await ended(c, callId), {
      statusCode: 487,
      reasonText: 'Cancelled by the caller',
    });
  });
});
