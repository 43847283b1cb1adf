/**
 * The bus, both implementations through one suite ("both run by the same tests"): the embedded
 * `MemoryBus` and `RedisBus` against a real `redis-server` started for this file. Then what
 * only Redis has: a Redis that is not there at start, and one that goes away and comes back.
 */
import { after, before, describe, it } from 'node:test';
import { setTimeout as pause } from 'node:timers/promises';
import assert from 'node:assert/strict';
import { MemoryBus } from '../../server/bus/memory.js';
import { RedisBus } from '../../server/bus/redis.js';
import type { Bus, BusHandler, BusMessage } from '../../server/bus/types.js';
import { RedisUnavailableError } from '../../server/redis.js';
import { startRedis, type RedisServer } from '../helpers/redis.js';

/** A handler that keeps what it gets, and lets a test await the n-th message. */
function collector() {
  const got: BusMessage[] = [];
  const waiting: Array<{ n: number; resolve: () => void }> = [];
  const handler: BusHandler = (m) => {
    got.push(m);
    for (const w of waiting.filter((w) => got.length >= w.n)) {
      waiting.splice(waiting.indexOf(w), 1);
      w.resolve();
    }
  };
  const count = (n: number) =>
    got.length >= n
      ? Promise.resolve()
      : new Promise<void>((resolve) => waiting.push({ n, resolve }));
  return { got, handler, count };
}

const message: BusMessage = { type: 'session.revoked', userId: 'u', familyId: 'f', reason: 'r' };
let channels = 0;
/** A channel name no other test uses (the Redis server is shared by the file). */
const fresh = (name = 'c') => `test:${name}:${++channels}`;

interface Implementation {
  name: string;
  /** Two nodes' buses: the same one for the embedded bus, two connections for Redis. */
  nodes(onError?: (error: unknown) => void): Promise<[Bus & { channelCount: number }, Bus]>;
  /** How many connections listen on `channel` in Redis (none for the embedded bus). */
  listeners?(channel: string): Promise<number>;
}

let redis: RedisServer;
const opened: Bus[] = [];

const implementations: Implementation[] = [
  {
    name: 'MemoryBus',
    async nodes(onError) {
      const bus = new MemoryBus(onError);
      return [bus, bus];
    },
  },
  {
    name: 'RedisBus',
    async nodes(onError) {
      const one = await RedisBus.connect(redis.url, onError);
      const two = await RedisBus.connect(redis.url, onError);
      opened.push(one, two);
      return [one, two];
    },
    async listeners(channel) {
      const bus = opened[0] as RedisBus;
      const counts = (await bus.client.pubSubNumSub(channel)) as Record<string, number>;
      return Number(counts[channel] ?? 0);
    },
  },
];

before(async () => {
  redis = await startRedis();
});
after(async () => {
  await Promise.all(opened.map((b) => b.close()));
  await redis?.stop();
});

for (const impl of implementations) {
  describe(impl.name, () => {
    it('delivers a copy to each subscriber of the channel, later, and stops on unsubscribe', async () => {
      const [bus] = await impl.nodes();
      const c = fresh();
      const other = fresh('other');
      const a = collector();
      const marker = collector();
      const off = await bus.subscribe(c, a.handler);
      await bus.subscribe(other, () => assert.fail('wrong channel'));
      const published = { ...message };
      const publishing = bus.publish(c, published);
      assert.equal(a.got.length, 0, 'not synchronously');
      await publishing;
      await a.count(1);
      assert.deepEqual(a.got, [message]);
      assert.notEqual(a.got[0], published, 'a copy, as over the network');
      assert.equal(bus.channelCount, 2);
      await off();
      assert.equal(bus.channelCount, 1, 'the channel is dropped with its last subscriber');
      // Published after the unsubscribe, and before a marker on another channel: by the time
      // the marker is in, it would have been too.
      const m = fresh('marker');
      await bus.subscribe(m, marker.handler);
      await bus.publish(c, message);
      await bus.publish(m, message);
      await marker.count(1);
      assert.equal(a.got.length, 1);
    });

    it('delivers what one node publishes to the subscribers on another', async () => {
      const [one, two] = await impl.nodes();
      const c = fresh();
      const a = collector();
      const b = collector();
      await one.subscribe(c, a.handler);
      await two.subscribe(c, b.handler);
      await two.publish(c, message);
      await Promise.all([a.count(1), b.count(1)]);
      assert.deepEqual([a.got, b.got], [[message], [message]]);
    });

    it('keeps the order of a channel’s messages', async () => {
      const [one, two] = await impl.nodes();
      const c = fresh();
      const a = collector();
      await two.subscribe(c, a.handler);
      const sent = Array.from({ length: 200 }, (_, i) => ({ ...message, reason: `r${i}` }));
      await Promise.all(sent.map((m) => one.publish(c, m)));
      await a.count(sent.length);
      assert.deepEqual(a.got, sent);
    });

    it('counts subscriptions: the same handler twice is two, each stops on its own', async () => {
      const [bus] = await impl.nodes();
      const c = fresh();
      const a = collector();
      const [off1, off2] = await Promise.all([
        bus.subscribe(c, a.handler),
        bus.subscribe(c, a.handler),
      ]);
      await bus.publish(c, message);
      await a.count(2);
      await off1();
      await off1();
      assert.equal(bus.channelCount, 1, 'a second call of the same unsubscribe does nothing');
      await bus.publish(c, { ...message, reason: 'second' });
      await a.count(3);
      if (impl.listeners) assert.equal(await impl.listeners(c), 1, 'one SUBSCRIBE for both');
      await off2();
      assert.equal(bus.channelCount, 0);
      if (impl.listeners) assert.equal(await impl.listeners(c), 0, 'unsubscribed in Redis too');
      // Subscribed again after the last one left: the channel is listened to again.
      const again = await bus.subscribe(c, a.handler);
      await bus.publish(c, { ...message, reason: 'third' });
      await a.count(4);
      assert.deepEqual(
        a.got.map((m) => (m as typeof message).reason),
        ['r', 'r', 'second', 'third'],
      );
      await again();
    });

    it('gives each handler its own copy, as the message was when published', async () => {
      const [bus] = await impl.nodes();
      const c = fresh();
      const a = collector();
      await bus.subscribe(c, a.handler);
      await bus.subscribe(c, a.handler);
      const published = { ...message };
      const publishing = bus.publish(c, published);
      published.reason = 'changed after publishing';
      await publishing;
      await a.count(2);
      assert.deepEqual(a.got, [message, message]);
      assert.notEqual(a.got[0], a.got[1], 'two handlers, two copies');
    });

    it('copies nested values too, so a change after publishing reaches no handler', async () => {
      const [bus] = await impl.nodes();
      const c = fresh();
      const a = collector();
      await bus.subscribe(c, a.handler);
      await bus.subscribe(c, a.handler);
      const presence = { status: 'open', activity: 'available', note: 'here' };
      const published = { type: 'presence.changed', userId: 'u', presence: { ...presence } };
      const publishing = bus.publish(c, published as BusMessage);
      published.presence.note = 'changed after publishing';
      await publishing;
      await a.count(2);
      assert.deepEqual(
        a.got.map((m) => (m as typeof published).presence),
        [presence, presence],
      );
      const [first, second] = a.got as Array<typeof published>;
      assert.notEqual(first!.presence, second!.presence, 'two handlers, two copies');
    });

    it('a throwing handler does not stop the others; the error handler is told', async () => {
      const errors: unknown[] = [];
      const [bus] = await impl.nodes((e) => errors.push(e));
      const c = fresh();
      const a = collector();
      await bus.subscribe(c, () => {
        throw new Error('boom');
      });
      await bus.subscribe(c, a.handler);
      await bus.publish(c, message);
      await a.count(1);
      assert.equal(errors.length, 1);
      assert.match((errors[0] as Error).message, /boom/);
    });

    it('once closed, refuses to publish or subscribe', async () => {
      const [bus] = await impl.nodes();
      await bus.close();
      await assert.rejects(bus.publish(fresh(), message), /the bus is closed/);
      await assert.rejects(
        bus.subscribe(fresh(), () => {}),
        /the bus is closed/,
      );
      await bus.close();
    });
  });
}

describe('RedisBus and an absent or failing Redis', () => {
  it('refuses to start when Redis does not answer, naming the URL', async () => {
    const gone = await startRedis();
    await gone.stop();
    await assert.rejects(RedisBus.connect(gone.url), (error: unknown) => {
      assert.ok(error instanceof RedisUnavailableError);
      assert.equal(error.code, 'server:redisUnavailable');
      assert.ok(error.message.includes(`redis://127.0.0.1:${gone.port}`), error.message);
      return true;
    });
  });

  it('refuses a URL that is not a Redis URL', async () => {
    await assert.rejects(RedisBus.connect('http://127.0.0.1:6379'), /is not a Redis URL/);
  });

  it('reports a lost connection, fails fast meanwhile, and resumes when Redis is back', async () => {
    const own = await startRedis();
    const errors: unknown[] = [];
    const bus = await RedisBus.connect(own.url, (e) => errors.push(e));
    try {
      const c = fresh();
      const a = collector();
      await bus.subscribe(c, a.handler);
      await own.stop();
      await assert.rejects(bus.publish(c, message), 'a publish fails at once while Redis is away');
      assert.ok(errors.length > 0, 'the lost connection is reported');
      // The same port again: the bus reconnects and listens to its channels again.
      const back = await startRedis({ port: own.port });
      try {
        // Publish until one comes through: the bus reconnects (backoff) and subscribes again.
        while (!a.got.length) {
          await bus.publish(c, message).catch(() => {});
          await Promise.race([a.count(1), pause(20)]);
        }
        assert.deepEqual(a.got[0], message);
      } finally {
        await bus.close();
        await back.stop();
      }
    } finally {
      await bus.close();
    }
  });
});
