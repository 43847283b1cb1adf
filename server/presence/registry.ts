/**
 * Who is online, across gateway nodes: each node records the users it holds online (a socket
 * subscribed to `presence`, or the grace period after the last one), with what only that node
 * knows of them (a call it signals, an available socket). Two implementations, as for the bus
 * and the call store: {@link MemoryPresenceRegistry} (one node, in this process) and
 * {@link RedisPresenceRegistry} (`--redis-url`: every node sharing one Redis sees the same).
 */
import { randomUUID } from 'node:crypto';
import type { RedisClient } from '../redis.js';

/** Default seconds a node's users stay online in Redis after its last refresh. */
export const DEFAULT_PRESENCE_TTL = 30;

/** What one node knows of a user it holds online. */
export interface NodePresence {
  /** In a call signalled through this node. */
  inCall: boolean;
  /** With an available socket on this node. */
  available: boolean;
  /** When what watchers see of the user last changed on this node (ms). */
  updatedAt: number;
}

/** Told of users that went offline without their node saying so (it died). */
export type LapsedHandler = (userIds: string[]) => void;

/** The users online on any node. */
export interface PresenceRegistry {
  /** Records this node's knowledge of `userId` (null: this node does not hold them online). */
  set(userId: string, entry: NodePresence | null): Promise<void>;
  /**
   * Of `userIds`, those online on some node, each with the nodes' knowledge merged: in a call
   * or available on any node, the latest `updatedAt`.
   */
  online(userIds: string[]): Promise<Map<string, NodePresence>>;
  /** The users available (with an available socket) on some node, each once. */
  available(): Promise<string[]>;
  /** Calls `handler` with the users who go offline because their node stopped refreshing. */
  onLapsed(handler: LapsedHandler): void;
  /**
   * Forgets this node's users at once (shutdown). Resolves with those of them now online on no
   * node, whom watchers must be told about.
   */
  close(): Promise<string[]>;
}

/** Merges what several nodes know of one user. */
export function mergePresence(entries: NodePresence[]): NodePresence {
  return {
    inCall: entries.some((e) => e.inCall),
    available: entries.some((e) => e.available),
    updatedAt: Math.max(...entries.map((e) => e.updatedAt)),
  };
}

/** One node: the users this process holds online. Nothing lapses. */
export class MemoryPresenceRegistry implements PresenceRegistry {
  private readonly entries = new Map<string, NodePresence>();

  async set(userId: string, entry: NodePresence | null): Promise<void> {
    if (entry) this.entries.set(userId, { ...entry });
    else this.entries.delete(userId);
  }

  async online(userIds: string[]): Promise<Map<string, NodePresence>> {
    const found = new Map<string, NodePresence>();
    for (const id of userIds) {
      const entry = this.entries.get(id);
      if (entry) found.set(id, { ...entry });
    }
    return found;
  }

  async available(): Promise<string[]> {
    return [...this.entries].filter(([, entry]) => entry.available).map(([id]) => id);
  }

  onLapsed(): void {}

  /** Nobody else watches from another node: there is no one to tell. */
  async close(): Promise<string[]> {
    this.entries.clear();
    return [];
  }
}

// ── Redis ────────────────────────────────────────────────────────────────────

/** Now on the Redis server's clock (ms), so that the nodes' clocks do not matter. */
const NOW = `
redis.replicate_commands()
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`;

/** Of the users in table `users` (as keys), those in no live node's hash, as a list. */
const OFFLINE = `
local live = redis.call('ZRANGEBYSCORE', KEYS[1], now, '+inf')
local out = {}
for u in pairs(users) do
  local on = false
  for _, node in ipairs(live) do
    if redis.call('HEXISTS', ARGV[1] .. node, u) == 1 then on = true break end
  end
  if not on then out[#out + 1] = u end
end
return out`;

/** KEYS: nodes; ARGV: node hash prefix, user ids…. Per live node, HMGET of the users. */
const READ = `${NOW}
local live = redis.call('ZRANGEBYSCORE', KEYS[1], now, '+inf')
local out = {}
for _, node in ipairs(live) do
  out[#out + 1] = redis.call('HMGET', ARGV[1] .. node, unpack(ARGV, 2))
end
return out`;

/** KEYS: nodes; ARGV: node hash prefix. Per live node, HGETALL of its users. */
const READ_ALL = `${NOW}
local live = redis.call('ZRANGEBYSCORE', KEYS[1], now, '+inf')
local out = {}
for _, node in ipairs(live) do
  out[#out + 1] = redis.call('HGETALL', ARGV[1] .. node)
end
return out`;

/** KEYS: nodes; ARGV: node id, ttl ms. Extends the node's lease: 0 when it had lost it. */
const REFRESH = `${NOW}
if not redis.call('ZSCORE', KEYS[1], ARGV[1]) then return 0 end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
return 1`;

/** KEYS: nodes, node hash; ARGV: node id, ttl ms, then user id and entry pairs. */
const JOIN = `${NOW}
redis.call('DEL', KEYS[2])
for i = 3, #ARGV, 2 do redis.call('HSET', KEYS[2], ARGV[i], ARGV[i + 1]) end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
return 1`;

/** KEYS: nodes; ARGV: node hash prefix. Removes lapsed nodes; returns their users now offline. */
const SWEEP = `${NOW}
local dead = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', '(' .. now)
local users = {}
for _, node in ipairs(dead) do
  local key = ARGV[1] .. node
  for _, u in ipairs(redis.call('HKEYS', key)) do users[u] = true end
  redis.call('DEL', key)
  redis.call('ZREM', KEYS[1], node)
end
${OFFLINE}`;

/** KEYS: nodes, node hash; ARGV: node hash prefix, node id. Returns its users now offline. */
const LEAVE = `${NOW}
local users = {}
for _, u in ipairs(redis.call('HKEYS', KEYS[2])) do users[u] = true end
redis.call('DEL', KEYS[2])
redis.call('ZREM', KEYS[1], ARGV[2])
${OFFLINE}`;

export interface RedisPresenceRegistryOptions {
  /** Prefix of every key. Default `comms:`. */
  prefix?: string;
  /** How long a node's users stay online after its last refresh, ms. */
  ttlMs: number;
  /** How often the node refreshes its lease and sweeps lapsed nodes, ms. Default a third of the TTL. */
  refreshMs?: number;
  /** Told when a refresh or a sweep fails (Redis away): the next period tries again. */
  onError?: (error: unknown) => void;
}

/**
 * The shared registry: each node has a lease, its id in the sorted set `presence:nodes` scored
 * by when it lapses (on the Redis clock), and a hash `presence:node:<id>` of the users it holds
 * online (user id → {@link NodePresence} as JSON). A user is online while some node with a live
 * lease has them in its hash.
 *
 * Every period (`refreshMs`) the node extends its lease and sweeps: one script removes the
 * nodes whose lease lapsed (they died: no shutdown) and returns their users who are online on
 * no other node; the node that ran it tells the watchers (through {@link onLapsed}), so each
 * lapse is announced once, by whichever node saw it first. A node whose own lease lapsed
 * meanwhile (Redis was away longer than the TTL, and another node swept it) writes its hash
 * again and is back. Shutdown ({@link close}) removes the node's lease and hash at once.
 *
 * The scripts name keys they compute (the nodes' hashes): one Redis (or a primary with
 * replicas), not Redis Cluster.
 */
export class RedisPresenceRegistry implements PresenceRegistry {
  /** This node's id (random per process). */
  readonly nodeId = randomUUID();
  private readonly client: RedisClient;
  private readonly prefix: string;
  private readonly ttlMs: number;
  private readonly refreshMs: number;
  private readonly onError: (error: unknown) => void;
  /** This node's entries, to write again after its lease lapsed. */
  private readonly entries = new Map<string, string>();
  private readonly lapsed = new Set<LapsedHandler>();
  /** A write failed (Redis away): the next period writes the whole hash again. */
  private dirty = false;
  private timer: NodeJS.Timeout | undefined;
  private ticking: Promise<void> | undefined;
  private closed = false;

  /** @param client a connected client (the registry does not close it) */
  constructor(client: RedisClient, options: RedisPresenceRegistryOptions) {
    this.client = client;
    this.prefix = options.prefix ?? 'comms:';
    this.ttlMs = options.ttlMs;
    this.refreshMs = options.refreshMs ?? Math.max(1, Math.floor(options.ttlMs / 3));
    this.onError = options.onError ?? (() => {});
  }

  /** Takes the node's lease and starts refreshing it. Rejects when Redis does not answer. */
  async start(): Promise<void> {
    await this.join();
    this.timer = setInterval(() => {
      this.ticking ??= this.tick().finally(() => (this.ticking = undefined));
    }, this.refreshMs);
    this.timer.unref();
  }

  async set(userId: string, entry: NodePresence | null): Promise<void> {
    if (this.closed) return;
    try {
      if (entry) {
        const text = JSON.stringify(entry);
        if (this.entries.get(userId) === text) return;
        this.entries.set(userId, text);
        await this.client.hSet(this.nodeKey(this.nodeId), userId, text);
      } else {
        if (!this.entries.delete(userId)) return;
        await this.client.hDel(this.nodeKey(this.nodeId), userId);
      }
    } catch (error) {
      this.dirty = true;
      throw error;
    }
  }

  async online(userIds: string[]): Promise<Map<string, NodePresence>> {
    const found = new Map<string, NodePresence>();
    const ids = [...new Set(userIds)];
    if (!ids.length) return found;
    const perNode = (await this.client.eval(READ, {
      keys: [this.nodesKey()],
      arguments: [this.nodeKey(''), ...ids],
    })) as Array<Array<string | null>>;
    ids.forEach((id, i) => {
      const entries = perNode
        .map((values) => values[i])
        .filter((v): v is string => typeof v === 'string')
        .map((v) => JSON.parse(v) as NodePresence);
      if (entries.length) found.set(id, mergePresence(entries));
    });
    return found;
  }

  async available(): Promise<string[]> {
    const perNode = (await this.client.eval(READ_ALL, {
      keys: [this.nodesKey()],
      arguments: [this.nodeKey('')],
    })) as string[][];
    const found = new Set<string>();
    for (const pairs of perNode)
      for (let i = 0; i < pairs.length; i += 2)
        if ((JSON.parse(pairs[i + 1]!) as NodePresence).available) found.add(pairs[i]!);
    return [...found];
  }

  onLapsed(handler: LapsedHandler): void {
    this.lapsed.add(handler);
  }

  async close(): Promise<string[]> {
    if (this.closed) return [];
    this.closed = true;
    clearInterval(this.timer);
    await this.ticking;
    this.entries.clear();
    return (await this.client.eval(LEAVE, {
      keys: [this.nodesKey(), this.nodeKey(this.nodeId)],
      arguments: [this.nodeKey(''), this.nodeId],
    })) as string[];
  }

  /** Runs one period now (tests; the timer does it on its own). */
  async tick(): Promise<void> {
    if (this.closed) return;
    try {
      const kept = await this.client.eval(REFRESH, {
        keys: [this.nodesKey()],
        arguments: [this.nodeId, String(this.ttlMs)],
      });
      if (kept !== 1 || this.dirty) await this.join();
      const gone = (await this.client.eval(SWEEP, {
        keys: [this.nodesKey()],
        arguments: [this.nodeKey('')],
      })) as string[];
      if (gone.length) for (const handler of this.lapsed) handler(gone);
    } catch (error) {
      this.onError(error);
    }
  }

  /** Writes this node's hash and takes its lease, in one script. */
  private async join(): Promise<void> {
    this.dirty = false;
    await this.client
      .eval(JOIN, {
        keys: [this.nodesKey(), this.nodeKey(this.nodeId)],
        arguments: [this.nodeId, String(this.ttlMs), ...[...this.entries].flat()],
      })
      .catch((error: unknown) => {
        this.dirty = true;
        throw error;
      });
  }

  private nodesKey(): string {
    return `${this.prefix}presence:nodes`;
  }

  private nodeKey(nodeId: string): string {
    return `${this.prefix}presence:node:${nodeId}`;
  }
}
