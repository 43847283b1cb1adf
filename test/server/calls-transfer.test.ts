/**
 * Call transfer and call waiting against a real gateway started in this process with a
 * `ManualClock`: who may transfer, what the transferee and the target are told, the records
 * of a transferred call, a transfer that fails (declined, never placed), and `multiCall`.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { ManualClock, RunningServer } from '../../server/index.js';
import { startClockedServer } from '../helpers/clocked-server.js';
import { connect, type TestSocket } from '../helpers/client.js';
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

const { user, device, invite, ringing, connected, codeOf, ended, silent, recordOf, summary } =
  callKit({ url: () => url, sockets });

describe('transfer', () => {
  /** Alice calls Bob (answered); Carol is online. */
  async function three() {
    const alice = await user('Alice A.');
    const bob = await user('Bob B.');
    const carol = await user('Carol C.');
    const a = await device(alice);
    const b = await device(bob);
    const c = await device(carol);
    const callId = await connected(a, bob, b);
    return { alice, bob, carol, a, b, c, callId };
  }

  it('direct: the transferee calls the target; on answer the call ends "Transferred" and the records say to whom', async () => {
    const { alice, bob, carol, a, b, c, callId } = await three();
    const reply = await a.request({
      type: 'call.transfer',
      callId,
      destination: carol.user.username!,
    });
    assert.equal(reply.ok, true, JSON.stringify(reply));
    const refer = await b.event('call:transfer');
    assert.deepEqual(
      { callId: refer.callId, to: refer.to, referredBy: refer.referredBy },
      {
        callId,
        to: carol.user.username,
        referredBy: { id: alice.user.username, displayName: 'Alice A.' },
      },
    );
    const link = { callId, transferId: refer.transferId };

    // Only the transferee may carry the transfer out, and only to its target.
    const dave = await user();
    const d = await device(dave);
    const stranger = await invite(d, carol.user.username!, { transfer: link });
    assert.equal(codeOf(stranger.reply), 'call:unknown');
    const elsewhere = await invite(b, dave.user.username!, { transfer: link });
    assert.equal(codeOf(elsewhere.reply), 'call:unknown');

    const { callId: newId, reply: invited } = await invite(b, carol.user.username!, {
      transfer: link,
    });
    assert.equal(invited.ok, true, JSON.stringify(invited));
    const incoming = await c.event('call:incoming');
    assert.equal(incoming.callId, newId);
    assert.deepEqual(incoming.transfer, {
      referredBy: { id: alice.user.username, displayName: 'Alice A.' },
      replaces: null,
    });
    assert.equal(
      (await c.request({ type: 'call.answer', callId: newId, sdp: 'v=0 answer' })).ok,
      true,
    );
    const done = await a.next((f) => f.event === 'call:transferred');
    assert.deepEqual({ callId: done.callId, error: done.error }, { callId, error: undefined });
    assert.deepEqual(await ended(a, callId), { statusCode: 200, reasonText: 'Transferred' });
    assert.deepEqual(await ended(b, callId), { statusCode: 200, reasonText: 'Transferred' });

    assert.deepEqual(summary(await recordOf(alice, callId)), {
      direction: 'outgoing',
      result: 'answered',
      statusCode: 200,
      reasonText: 'Transferred to Carol C.',
    });
    assert.deepEqual(summary(await recordOf(bob, callId)), {
      direction: 'incoming',
      result: 'answered',
      statusCode: 200,
      reasonText: 'Transferred to Carol C. by Alice A.',
    });
    // Bob and Carol go on talking.
    const live = await server.app.gateway.calls.calls();
    assert.deepEqual(
      live.filter((x) => x.id === callId || x.id === newId).map((x) => x.id),
      [newId],
    );
    await b.request({ type: 'call.end', callId: newId });
    await ended(c, newId);
  });

  it('the callee may transfer too: the caller is then the one who calls the target', async () => {
    const { alice, bob, carol, a, b, c, callId } = await three();
    const reply = await b.request({
      type: 'call.transfer',
      callId,
      destination: carol.user.username!,
    });
    assert.equal(reply.ok, true, JSON.stringify(reply));
    const refer = await a.event('call:transfer');
    assert.deepEqual(refer.referredBy, { id: bob.user.username, displayName: 'Bob B.' });
    const { callId: newId } = await invite(a, carol.user.username!, {
      transfer: { callId, transferId: refer.transferId },
    });
    await c.event('call:incoming');
    await c.request({ type: 'call.answer', callId: newId, sdp: 'v=0 answer' });
    const done = await b.next((f) => f.event === 'call:transferred');
    assert.equal(done.error, undefined);
    assert.deepEqual(await ended(a, callId), { statusCode: 200, reasonText: 'Transferred' });
    assert.equal((await recordOf(bob, callId)).reasonText, 'Transferred to Carol C.');
    assert.equal((await recordOf(alice, callId)).reasonText, 'Transferred to Carol C. by Bob B.');
    await a.request({ type: 'call.end', callId: newId });
    await ended(c, newId);
  });

  it('a target that declines fails the transfer (call:transferFailed) and the call goes on', async () => {
    const { carol, a, b, c, callId } = await three();
    await a.request({ type: 'call.transfer', callId, destination: carol.user.username! });
    const refer = await b.event('call:transfer');
    const again = await a.request({
      type: 'call.transfer',
      callId,
      destination: carol.user.username!,
    });
    assert.equal(codeOf(again), 'call:transferPending');
    const { callId: newId } = await invite(b, carol.user.username!, {
      transfer: { callId, transferId: refer.transferId },
    });
    await c.event('call:incoming');
    await c.request({ type: 'call.reject', callId: newId });
    const done = await a.next((f) => f.event === 'call:transferred');
    assert.equal((done.error as { code: string }).code, 'call:transferFailed');
    assert.match((done.error as { message: string }).message, /Carol C\..*Rejected/);
    const live = await server.app.gateway.calls.calls();
    assert.ok(live.some((x) => x.id === callId && x.transfer === undefined));
    await a.request({ type: 'call.end', callId });
    await ended(b, callId);
  });

  it('a transferee that never calls the target: the transfer fails after the no-answer timeout', async () => {
    const { carol, a, b, c, callId } = await three();
    await a.request({ type: 'call.transfer', callId, destination: carol.user.username! });
    const refer = await b.event('call:transfer');
    clock.advance(30_000);
    const done = await a.next((f) => f.event === 'call:transferred');
    assert.deepEqual(done.error, {
      code: 'call:transferFailed',
      message: `Bob B. did not call ${carol.user.username}: the transfer timed out`,
    });
    // Too late: the transfer is over, so its call is refused; the call goes on.
    const late = await invite(b, carol.user.username!, {
      transfer: { callId, transferId: refer.transferId },
    });
    assert.equal(codeOf(late.reply), 'call:unknown');
    await silent(c, late.callId);
    await a.request({ type: 'call.offer', callId, sdp: 'v=0 again', hold: false });
    assert.equal((await b.event('call:offer')).sdp, 'v=0 again');
  });

  it('refuses a stranger, an unknown or present destination, an unanswered call, and bad frames', async () => {
    const { alice, bob, a, b, callId } = await three();
    const eve = await device(await user());
    const stranger = await eve.request({
      type: 'call.transfer',
      callId,
      destination: alice.user.username!,
    });
    assert.equal(codeOf(stranger), 'call:unknown');
    const nobody = await a.request({ type: 'call.transfer', callId, destination: 'nobody-at-all' });
    assert.equal(codeOf(nobody), 'call:unknownDestination');
    const present = await b.request({
      type: 'call.transfer',
      callId,
      destination: alice.user.username!,
    });
    assert.equal(codeOf(present), 'call:invalidDestination');
    const both = await a.request({
      type: 'call.transfer',
      callId,
      destination: bob.user.username!,
      otherCallId: randomUUID(),
    });
    assert.equal(codeOf(both), 'request:invalid');
    const neither = await a.request({ type: 'call.transfer', callId });
    assert.equal(codeOf(neither), 'request:invalid');
    const notMine = await a.request({ type: 'call.transfer', callId, otherCallId: randomUUID() });
    assert.equal(codeOf(notMine), 'call:unknown');

    const dave = await user();
    const d = await device(dave);
    const c2 = await device(await user());
    const ringingId = await ringing(c2, dave, [d]);
    const early = await c2.request({
      type: 'call.transfer',
      callId: ringingId,
      destination: alice.user.username!,
    });
    assert.equal(codeOf(early), 'call:invalidState');
    // The call is unharmed: it still relays.
    await a.request({ type: 'call.offer', callId, sdp: 'v=0 again', hold: false });
    assert.equal((await b.event('call:offer')).sdp, 'v=0 again');
  });
});

describe('multiCall (call waiting)', () => {
  it('a callee in a call rings only on its devices subscribed with multiCall; none: busy', async () => {
    const alice = await user();
    const bob = await user();
    const carol = await user();
    const a = await device(alice);
    const b = await device(bob);
    const waiting = await connect(url, bob.accessToken);
    sockets.push(waiting);
    const sub = await waiting.request({
      type: 'subscribe',
      services: ['call'],
      clientCorrelator: randomUUID(),
      multiCall: true,
    });
    assert.equal(sub.ok, true, JSON.stringify(sub));
    // Bob answers Alice on `b`; Carol's call then rings `waiting` only.
    const first = await ringing(a, bob, [b, waiting]);
    await b.request({ type: 'call.answer', callId: first, sdp: 'v=0 answer' });
    await a.event('call:answered');
    const c = await device(carol);
    const { callId: second, reply } = await invite(c, bob.user.username!);
    assert.equal(reply.ok, true);
    const incoming = await waiting.next((f) => f.event === 'call:incoming' && f.callId === second);
    assert.equal(incoming.callId, second);
    await silent(b, second);

    // A callee whose devices do not take a second call is busy.
    const dave = await user();
    const d = await device(dave);
    const { callId: third } = await invite(d, alice.user.username!);
    assert.deepEqual(await ended(d, third), { statusCode: 486, reasonText: 'Busy' });
    await c.request({ type: 'call.end', callId: second });
    await a.request({ type: 'call.end', callId: first });
  });
});
