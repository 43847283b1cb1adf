/**
 * The presence registry (who is online on any node), both implementations through one suite:
 * the in-process `MemoryPresenceRegistry` and `RedisPresenceRegistry` against a real
 * `redis-server` started for this file (each test on keys of its own). Then what only the
 * shared one does: two nodes see each other's users, a node that stops refreshing has its users
 * lapse (announced once, by the node that sweeps), a node that shuts down leaves at once, and a
 * node whose lease was swept while it lived comes back.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  MemoryPresenceRegistry,
  RedisPresenceRegistry,
  type NodePresence,
  type PresenceRegistry,
} from '../../server/presence/registry.js';
import { closeRedis, connectRedis, type RedisClient } from '../../server/redis.js';
import { startRedis, type RedisServer } from '../helpers/redis.js';
import { pause } from '../helpers/users.js';

let redis: RedisServer;
const clients: RedisClient[] = [];
const registries: RedisPresenceRegistry[] = [];
/** Each registry's own connection. */
const clientOf = new Map<RedisPresenceRegistry, RedisClient>();
let prefixes = 0;

const entry = (over: Partial<NodePresence> = {}): NodePresence => ({
  inCall: false,
  available: false,
  updatedAt: 1,
  ...over,
});

/** A node's registry on a connection of its own, on `prefix` (one per test). */
async function redisNode(prefix: string, ttlMs = 60_000): Promise<RedisPresenceRegistry> {
  const client = await connectRedis(redis.url, () => {});
  clients.push(client);
  const registry = new RedisPresenceRegistry(client, { prefix, ttlMs, refreshMs: 3_600_000 });
  await registry.start();
  registries.push(registry);
  clientOf.set(registry, client);
  return registry;
}

const implementations: Array<{ name: string; make(): Promise<PresenceRegistry> }> = [
  { name: 'MemoryPresenceRegistry', make: async () => new MemoryPresenceRegistry() },
  { name: 'RedisPresenceRegistry', make: () => redisNode(`test${++prefixes}:`) },
];

before(async () => {
  redis = await startRedis();
});
after(async () => {
  for (const r of registries) await r.close().catch(() => {});
  await Promise.all(clients.map(closeRedis));
  await redis?.stop();
});

for (const impl of implementations) {
  describe(impl.name, () => {
    it('knows the users set online, with their entry, until set to null', async () => {
      const registry = await impl.make();
      assert.deepEqual(await registry.online([]), new Map());
      await registry.set('ann', entry({ available: true, updatedAt: 5 }));
      await registry.set('bob', entry({ inCall: true }));
      assert.deepEqual(
        await registry.online(['ann', 'bob', 'eve', 'ann']),
        new Map([
          ['ann', entry({ available: true, updatedAt: 5 })],
          ['bob', entry({ inCall: true })],
        ]),
      );
      await registry.set('ann', entry({ updatedAt: 6 }));
      await registry.set('bob', null);
      await registry.set('eve', null);
      assert.deepEqual(
        await registry.online(['ann', 'bob']),
        new Map([['ann', entry({ updatedAt: 6 })]]),
      );
    });

    it('lists the users available, each once, and no longer once unavailable or offline', async () => {
      const registry = await impl.make();
      assert.deepEqual(await registry.available(), []);
      await registry.set('ann', entry({ available: true }));
      await registry.set('bob', entry());
      await registry.set('cy', entry({ available: true, inCall: true }));
      assert.deepEqual((await registry.available()).sort(), ['ann', 'cy']);
      await registry.set('ann', entry());
      await registry.set('cy', null);
      await registry.set('bob', entry({ available: true }));
      assert.deepEqual(await registry.available(), ['bob']);
    });
  });
}

describe('RedisPresenceRegistry between nodes', () => {
  it('a user on one node is online on the other; entries of two nodes merge', async () => {
    const prefix = `test${++prefixes}:`;
    const [one, two] = await Promise.all([redisNode(prefix), redisNode(prefix)]);
    await one.set('ann', entry({ available: true, updatedAt: 3 }));
    assert.deepEqual(
      await two.online(['ann']),
      new Map([['ann', entry({ available: true, updatedAt: 3 })]]),
    );
    await two.set('ann', entry({ inCall: true, updatedAt: 7 }));
    assert.deepEqual(
      await one.online(['ann']),
      new Map([['ann', { inCall: true, available: true, updatedAt: 7 }]]),
    );
    await one.set('ann', null);
    assert.deepEqual(
      await one.online(['ann']),
      new Map([['ann', entry({ inCall: true, updatedAt: 7 })]]),
    );
  });

  it('lists the users available on any live node, once, and none of a lapsed node', async () => {
    const prefix = `test${++prefixes}:`;
    const [dying, two] = await Promise.all([redisNode(prefix, 300), redisNode(prefix)]);
    await dying.set('ann', entry({ available: true }));
    await dying.set('bob', entry({ available: true }));
    await two.set('bob', entry({ available: true }));
    await two.set('cy', entry());
    assert.deepEqual((await two.available()).sort(), ['ann', 'bob']);
    clientOf.get(dying)!.destroy();
    // Once its lease lapses its users are not listed, swept or not (bounded wait).
    for (const deadline = Date.now() + 5000; ; await pause(50)) {
      if (!(await two.available()).includes('ann')) break;
      assert.ok(Date.now() < deadline, 'ann left the list within 5 s');
    }
    assert.deepEqual(await two.available(), ['bob']);
  });

  it('a node that stops refreshing has its users lapse, announced once by a sweeping node', async () => {
    const prefix = `test${++prefixes}:`;
    const [dying, two, three] = await Promise.all([
      redisNode(prefix, 300),
      redisNode(prefix),
      redisNode(prefix),
    ]);
    const told: string[][] = [];
    two.onLapsed((ids) => told.push(ids));
    three.onLapsed((ids) => told.push(ids));
    await dying.set('ann', entry());
    await dying.set('bob', entry());
    await two.set('bob', entry());
    assert.deepEqual([...(await two.online(['ann', 'bob'])).keys()], ['ann', 'bob']);
    // Dies: its connection goes and nothing refreshes its lease any more.
    clientOf.get(dying)!.destroy();
    // Its users read as offline once its lease lapses, before anyone sweeps (bounded wait).
    for (const deadline = Date.now() + 5000; ; await pause(50)) {
      if ((await three.online(['ann'])).size === 0) break;
      assert.ok(Date.now() < deadline, 'ann lapsed within 5 s');
    }
    assert.deepEqual(told, [], 'nobody swept yet');
    // The others refresh and sweep: one of them announces the lapse.
    for (const deadline = Date.now() + 5000; !told.length; await pause(50)) {
      assert.ok(Date.now() < deadline, 'the lapse was announced within 5 s');
      await Promise.all([two.tick(), three.tick()]);
    }
    await Promise.all([two.tick(), three.tick()]);
    assert.deepEqual(told, [['ann']], 'once, and bob is still online on node two');
    assert.deepEqual([...(await three.online(['ann', 'bob'])).keys()], ['bob']);
  });

  it('a node that shuts down leaves at once, naming its users now online nowhere', async () => {
    const prefix = `test${++prefixes}:`;
    const [one, two] = await Promise.all([redisNode(prefix), redisNode(prefix)]);
    await one.set('ann', entry());
    await one.set('bob', entry());
    await two.set('bob', entry());
    assert.deepEqual(await one.close(), ['ann']);
    assert.deepEqual([...(await two.online(['ann', 'bob'])).keys()], ['bob']);
    await one.set('ann', entry());
    assert.deepEqual([...(await two.online(['ann'])).keys()], [], 'closed: writes nothing');
  });

  it('a node whose lease was swept while it lived writes its users again at its next refresh', async () => {
    const prefix = `test${++prefixes}:`;
    const [one, two] = await Promise.all([redisNode(prefix), redisNode(prefix)]);
    await one.set('ann', entry({ available: true }));
    const client = clientOf.get(two)!;
    // As another node's sweep does to a lease that lapsed (Redis away longer than the TTL).
    await client.del(`${prefix}presence:node:${one.nodeId}`);
    await client.zRem(`${prefix}presence:nodes`, one.nodeId);
    assert.deepEqual(await two.online(['ann']), new Map());
    await one.tick();
    assert.deepEqual(await two.online(['ann']), new Map([['ann', entry({ available: true })]]));
  });
});
