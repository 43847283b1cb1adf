/**
 * The per-user limit shared by the gateway nodes (`RedisKeyedRateLimit`), against a real
 * `redis-server` started for this file: the same bucket as the node's own `KeyedRateLimit`
 * (both through one suite), counted once for all the limiters on one Redis, and counted by the
 * node alone while Redis is away. Each test on a name of its own.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RedisKeyedRateLimit } from '../../server/redis-rate-limit.js';
import { closeRedis, connectRedis, type RedisClient } from '../../server/redis.js';
import { KeyedRateLimit, type KeyedLimit } from '../../server/ws/rate-limit.js';
import { startRedis, type RedisServer } from '../helpers/redis.js';
import { pause } from '../helpers/users.js';

let redis: RedisServer;
const clients: RedisClient[] = [];
let names = 0;

/** A node's connection of its own. */
async function client(): Promise<RedisClient> {
  const c = await connectRedis(redis.url, () => {});
  clients.push(c);
  return c;
}

before(async () => {
  redis = await startRedis();
});
after(async () => {
  await Promise.all(clients.map(closeRedis));
  await redis?.stop();
});

/** `count` takes of `key`, one after the other. */
async function takes(limit: KeyedLimit, key: string, count: number): Promise<boolean[]> {
  const answers = [];
  for (let i = 0; i < count; i++) answers.push(await limit.take(key));
  return answers;
}

const implementations: Array<{
  name: string;
  make(perSecond: number, burst: number): Promise<KeyedLimit>;
}> = [
  {
    name: 'KeyedRateLimit',
    make: async (perSecond, burst) => new KeyedRateLimit(perSecond, burst),
  },
  {
    name: 'RedisKeyedRateLimit',
    make: async (perSecond, burst) =>
      new RedisKeyedRateLimit(await client(), { name: `t${++names}`, perSecond, burst }),
  },
];

for (const impl of implementations) {
  describe(impl.name, () => {
    it('lets a burst through, then one per interval', async () => {
      const limit = await impl.make(5, 3);
      assert.deepEqual(await takes(limit, 'ada', 4), [true, true, true, false]);
      // Another key has a bucket of its own.
      assert.deepEqual(await takes(limit, 'bob', 1), [true]);
      await pause(250); // one token back (200 ms), not two
      assert.deepEqual(await takes(limit, 'ada', 2), [true, false]);
    });

    it('fills the bucket again, up to the burst and no more', async () => {
      const limit = await impl.make(10, 2);
      assert.deepEqual(await takes(limit, 'ada', 3), [true, true, false]);
      await pause(500); // 5 tokens' worth of time: the bucket holds 2
      assert.deepEqual(await takes(limit, 'ada', 3), [true, true, false]);
    });
  });
}

describe('RedisKeyedRateLimit', () => {
  it('counts a key once for every node on the same Redis, each name apart', async () => {
    const name = `shared${++names}`;
    const one = new RedisKeyedRateLimit(await client(), { name, perSecond: 0.1, burst: 3 });
    const two = new RedisKeyedRateLimit(await client(), { name, perSecond: 0.1, burst: 3 });
    const other = new RedisKeyedRateLimit(await client(), {
      name: `${name}-other`,
      perSecond: 0.1,
      burst: 3,
    });
    assert.deepEqual(
      [await one.take('ada'), await two.take('ada'), await one.take('ada')],
      [true, true, true],
    );
    assert.equal(await two.take('ada'), false, 'the fourth, on either node, is refused');
    assert.equal(await one.take('ada'), false);
    assert.equal(await other.take('ada'), true, 'another limit counts on its own');
  });

  it('loads its script again when Redis no longer has it (a restart, SCRIPT FLUSH)', async () => {
    const c = await client();
    const limit = new RedisKeyedRateLimit(c, { name: `flush${++names}`, perSecond: 0.1, burst: 2 });
    assert.equal(await limit.take('ada'), true);
    await c.scriptFlush();
    assert.deepEqual(await takes(limit, 'ada', 2), [true, false], 'and counts on where it was');
  });

  it('keeps no key once the bucket is full again', async () => {
    const c = await client();
    const name = `expiry${++names}`;
    const limit = new RedisKeyedRateLimit(c, { name, perSecond: 20, burst: 2 });
    await limit.take('ada');
    const key = `comms:limit:${name}:ada`;
    const ttl = await c.pTTL(key);
    assert.ok(ttl > 0 && ttl <= 50, `expires when full again (${ttl} ms)`);
    await pause(120);
    assert.equal(await c.exists(key), 0);
  });

  it('counts on the node alone while Redis does not answer, and says so', async () => {
    const own = await startRedis();
    const c = await connectRedis(own.url, () => {});
    clients.push(c);
    const errors: unknown[] = [];
    const limit = new RedisKeyedRateLimit(c, {
      name: 'away',
      perSecond: 0.1,
      burst: 2,
      onError: (error) => errors.push(error),
    });
    assert.equal(await limit.take('ada'), true);
    await own.stop();
    // The node's own bucket starts full: the limit still holds, per node.
    assert.deepEqual(await takes(limit, 'ada', 3), [true, true, false]);
    assert.equal(errors.length, 3, 'each take that Redis did not answer is reported');
  });

  it('refuses a limit that would let nothing or everything through', async () => {
    const c = await client();
    assert.throws(
      () => new RedisKeyedRateLimit(c, { name: 'x', perSecond: 0, burst: 2 }),
      /perSecond > 0 and burst ≥ 1; got 0 and 2/,
    );
    assert.throws(
      () => new RedisKeyedRateLimit(c, { name: 'x', perSecond: 1, burst: 0.5 }),
      RangeError,
    );
  });
});
