/**
 * The call store, both implementations through one suite: the in-process `MemoryCallStore` and
 * `RedisCallStore` against a real `redis-server` started for this file (each test on keys of
 * its own). Atomic changes (also between two nodes' connections), the per-user index, and the
 * mailboxes of away devices.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RedisCallStore } from '../../server/calls/redis-store.js';
import {
  MemoryCallStore,
  deviceKey,
  type ActiveCall,
  type CallStore,
} from '../../server/calls/store.js';
import { ManualClock } from '../../server/clock.js';
import { closeRedis, connectRedis, type RedisClient } from '../../server/redis.js';
import { startRedis, type RedisServer } from '../helpers/redis.js';

const activeCall = (id: string, caller = 'ann', callee = 'bob'): ActiveCall => ({
  id,
  caller: {
    userId: caller,
    id: caller,
    displayName: caller,
    device: { userId: caller, connId: 'c1', correlator: 'k1' },
  },
  callee: { userId: callee, id: callee, displayName: callee },
  devices: [{ userId: callee, connId: 'c2', correlator: 'k2', state: 'ringing' }],
  media: { audio: true, video: false },
  startTime: 1,
  answerTime: null,
});

interface Stores {
  /** The store as two nodes see it: the same one in-process, two connections for Redis. */
  one: CallStore;
  two: CallStore;
  size(): Promise<{ calls: number; mailboxes: number; devices: number }>;
}

let redis: RedisServer;
const clients: RedisClient[] = [];
let prefixes = 0;

const implementations: Array<{ name: string; make(): Promise<Stores> }> = [
  {
    name: 'MemoryCallStore',
    async make() {
      const store = new MemoryCallStore();
      return { one: store, two: store, size: async () => store.size };
    },
  },
  {
    name: 'RedisCallStore',
    async make() {
      const [a, b] = await Promise.all([
        connectRedis(redis.url, () => {}),
        connectRedis(redis.url, () => {}),
      ]);
      clients.push(a!, b!);
      // Keys of its own per test, and a clock at 0 (mail expires on the caller's clock).
      const prefix = `test${++prefixes}:`;
      const clock = new ManualClock(0);
      const one = new RedisCallStore(a!, { prefix, clock });
      const two = new RedisCallStore(b!, { prefix, clock });
      return { one, two, size: () => one.size() };
    },
  },
];

before(async () => {
  redis = await startRedis();
});
after(async () => {
  await Promise.all(clients.map(closeRedis));
  await redis?.stop();
});

for (const impl of implementations) {
  describe(impl.name, () => {
    it('inserts once, hands out copies, and indexes calls by user', async () => {
      const { one: store, two } = await impl.make();
      assert.equal(await store.insert(activeCall('x')), true);
      assert.equal(await two.insert(activeCall('x')), false, 'not from another node either');
      const copy = (await store.get('x'))!;
      copy.answerTime = 5;
      assert.equal((await store.get('x'))!.answerTime, null, 'a copy, not the stored call');
      assert.deepEqual(await two.get('x'), activeCall('x'), 'the other node sees it as stored');
      assert.deepEqual(
        (await store.ofUser('bob')).map((c) => c.id),
        ['x'],
      );
      assert.deepEqual(await store.ofUser('eve'), []);
      assert.deepEqual(
        (await two.all()).map((c) => c.id),
        ['x'],
      );
    });

    it('changes a call atomically: of two racing decisions, the second sees the first', async () => {
      const { one: store, size } = await impl.make();
      await store.insert(activeCall('x'));
      const answer = (call: ActiveCall) =>
        call.answerTime === null
          ? { next: { ...call, answerTime: 10 }, result: 'won' }
          : { next: call, result: 'lost' };
      const results = await Promise.all([store.change('x', answer), store.change('x', answer)]);
      assert.deepEqual(results, ['won', 'lost']);
      assert.equal(await store.change('y', answer), undefined, 'no such call');
      assert.equal(await store.change('x', (c) => ({ next: null, result: c.id })), 'x');
      assert.equal(await store.get('x'), undefined);
      assert.deepEqual(await store.ofUser('ann'), [], 'the index forgets it');
      assert.deepEqual(await size(), { calls: 0, mailboxes: 0, devices: 0 });
    });

    it('of many decisions racing from two nodes, exactly one wins and none is lost', async () => {
      const { one, two } = await impl.make();
      await one.insert(activeCall('x'));
      // Each adds its device to the call; one of them answers it.
      const join = (n: number) => (call: ActiveCall) => {
        call.devices.push({ userId: 'bob', connId: `d${n}`, correlator: null, state: 'ringing' });
        const won = call.answerTime === null;
        if (won) call.answerTime = n;
        return { next: call, result: won };
      };
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, n) => (n % 2 ? one : two).change('x', join(n))),
      );
      assert.equal(results.filter(Boolean).length, 1, 'one answer wins');
      const call = (await one.get('x'))!;
      assert.equal(call.devices.length, 21, 'every change kept');
      assert.equal(results.indexOf(true), call.answerTime, 'the winner is the one recorded');
    });

    it('moves a call between users’ indexes when its parties change', async () => {
      const { one: store } = await impl.make();
      await store.insert(activeCall('x', 'ann', 'bob'));
      await store.change('x', (c) => ({
        next: { ...c, callee: { ...c.callee, userId: 'cat' } },
        result: null,
      }));
      assert.deepEqual(await store.ofUser('bob'), []);
      assert.deepEqual(
        (await store.ofUser('cat')).map((c) => c.id),
        ['x'],
      );
    });

    it('keeps a ringing call’s offer, candidates and forwards as they were written', async () => {
      const { one, two } = await impl.make();
      const call = activeCall('held');
      call.offer = {
        sdp: 'v=0 offer',
        customParameters: [{ name: 'x', value: '1' }],
        candidates: [],
      };
      assert.equal(await one.insert(call), true);
      const candidate = { candidate: 'candidate:1 1 udp 1 192.0.2.1 5000 typ host', sdpMid: '0' };
      // Candidates kept from both nodes, in order, the end of candidates (null) too.
      for (const [store, kept] of [
        [one, candidate],
        [two, null],
      ] as const)
        await store.change('held', (c) => {
          c.offer!.candidates.push(kept);
          return { next: c, result: null };
        });
      await two.change('held', (c) => {
        c.forwards = [
          { by: { id: 'bob', displayName: 'Bob' }, to: { id: 'cat', displayName: 'Cat' } },
        ];
        c.callee = { userId: 'cat', id: 'cat', displayName: 'Cat' };
        c.devices = [
          { userId: 'cat', connId: 'c3', correlator: 'k3', state: 'ringing', awaitingOffer: true },
        ];
        return { next: c, result: null };
      });
      const read = await one.get('held');
      assert.deepEqual(read?.offer, {
        sdp: 'v=0 offer',
        customParameters: [{ name: 'x', value: '1' }],
        candidates: [candidate, null],
      });
      assert.deepEqual(read?.forwards?.[0]?.to, { id: 'cat', displayName: 'Cat' });
      assert.equal(read?.devices[0]?.awaitingOffer, true);
      // The forwarding callee's index no longer lists it; the destination's does.
      assert.deepEqual(await two.ofUser('bob'), []);
      assert.deepEqual(
        (await two.ofUser('cat')).map((c) => c.id),
        ['held'],
      );
      // Answered: the offer is dropped.
      await one.change('held', (c) => {
        delete c.offer;
        return { next: c, result: null };
      });
      assert.equal((await two.get('held'))?.offer, undefined);
    });

    it('keeps events for an away device until they expire, and hands them out once', async () => {
      const { one, two, size } = await impl.make();
      const key = deviceKey('bob', 'k2');
      await one.enqueue(key, { event: 'call:offer', payload: { n: 1 } }, 100_000);
      await one.enqueue(key, { event: 'call:ended', payload: { n: 2 } }, 300_000);
      await one.enqueue(deviceKey('eve', 'k'), { event: 'call:ended', payload: {} }, 50_000);
      assert.equal((await size()).mailboxes, 2);
      assert.deepEqual(await two.dequeue(key, 200_000), [
        { event: 'call:ended', payload: { n: 2 } },
      ]);
      assert.deepEqual(await one.dequeue(key, 200_000), []);
      assert.equal((await size()).mailboxes, 0, 'expired mailboxes are dropped');
    });

    it('knows the devices reachable for calls, from either node, until they go or expire', async () => {
      const { one, two, size } = await impl.make();
      const device = (connId: string, expiresAt = 10_000) => ({
        userId: 'bob',
        connId,
        correlator: `k-${connId}`,
        multiCall: connId === 'c2',
        expiresAt,
      });
      await one.setDevice(device('c1'));
      await two.setDevice(device('c2'));
      await two.setDevice(device('c3', 500));
      const byConn = (list: Array<{ connId: string }>) =>
        [...list].sort((a, b) => a.connId.localeCompare(b.connId));
      assert.deepEqual(byConn(await one.devicesOf('bob', 1000)), [device('c1'), device('c2')]);
      assert.deepEqual(await two.devicesOf('ann', 1000), []);
      await one.setDevice({ ...device('c1'), multiCall: true });
      await two.dropDevice('bob', 'c2');
      assert.deepEqual(await two.devicesOf('bob', 1000), [{ ...device('c1'), multiCall: true }]);
      await one.dropDevice('bob', 'c1');
      assert.deepEqual(await one.devicesOf('bob', 1000), []);
      assert.equal((await size()).devices, 0, 'nothing left of the user');
    });
  });
}

describe('RedisCallStore in Redis', () => {
  it('gives mailboxes a Redis expiry, so mail nobody dequeues goes away on its own', async () => {
    const client = await connectRedis(redis.url, () => {});
    clients.push(client);
    const store = new RedisCallStore(client, { prefix: 'ttl:', clock: new ManualClock(1000) });
    await store.enqueue('dev', { event: 'call:ended', payload: {} }, 11_000);
    const ttl = await client.pTTL('ttl:mailbox:dev');
    assert.ok(ttl > 60_000 && ttl <= 70_000, `expiry in 10 s plus a minute; got ${ttl} ms`);
  });
});
