/**
 * The shared {@link CallStore}: live calls in Redis, so every gateway node sharing it (`--redis-url`)
 * sees the same calls, whichever node holds each party's socket.
 *
 * Keys (under `prefix`, default `comms:`): `call:<id>` the call as JSON text; `calls` the set of
 * call ids; `user-calls:<userId>` the ids of a user's calls; `mailbox:<device key>` a list of
 * queued events as JSON (`{event, payload, expiresAt}`); `mailboxes` a sorted set of the mailbox
 * keys by their latest `expiresAt`; `devices:<userId>` a hash of the user's devices reachable
 * for calls, by socket id (JSON; an expired one is dropped when read).
 *
 * Every write is one Lua script, so each method is atomic on its own. {@link change} is
 * optimistic: it reads the call, lets `decide` choose, and writes only if the call's text is
 * still what it read (compare-and-set in one script); otherwise it reads again and `decide`
 * runs again on the newer call. Expiry of mail follows the caller's clock (`dequeue(key, now)`,
 * as the in-process store); each mailbox also gets a Redis TTL (its `expiresAt` on `clock`,
 * plus a minute), so mail for a device no node ever dequeues again goes away on its own.
 *
 * The scripts name keys they compute (the user index, expired mailboxes), which a single Redis
 * (or a primary with replicas) allows; Redis Cluster is not supported.
 */
import { systemClock, type Clock } from '../clock.js';
import type { RedisClient } from '../redis.js';
import type { ActiveCall, CallChange, CallStore, QueuedEvent, ReachableDevice } from './store.js';

const INSERT = `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('SET', KEYS[1], ARGV[1])
for i = 2, #KEYS do redis.call('SADD', KEYS[i], ARGV[2]) end
return 1`;

/** KEYS: call, calls, old users' sets…, new users' sets…; ARGV: id, read text, new text ('' = remove), old user count. */
const CHANGE = `
if redis.call('GET', KEYS[1]) ~= ARGV[2] then return 0 end
local old = tonumber(ARGV[4])
for i = 3, 2 + old do redis.call('SREM', KEYS[i], ARGV[1]) end
if ARGV[3] == '' then
  redis.call('DEL', KEYS[1])
  redis.call('SREM', KEYS[2], ARGV[1])
else
  redis.call('SET', KEYS[1], ARGV[3])
  for i = 3 + old, #KEYS do redis.call('SADD', KEYS[i], ARGV[1]) end
end
return 1`;

/** KEYS: mailbox, mailboxes; ARGV: entry, expiresAt, ttl ms, device key. */
const ENQUEUE = `
redis.call('RPUSH', KEYS[1], ARGV[1])
local latest = redis.call('ZSCORE', KEYS[2], ARGV[4])
if not latest or tonumber(latest) < tonumber(ARGV[2]) then redis.call('ZADD', KEYS[2], ARGV[2], ARGV[4]) end
if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[3]) then redis.call('PEXPIRE', KEYS[1], ARGV[3]) end
return 1`;

/** KEYS: mailbox, mailboxes; ARGV: device key, now, mailbox key prefix. */
const DEQUEUE = `
local items = redis.call('LRANGE', KEYS[1], 0, -1)
redis.call('DEL', KEYS[1])
redis.call('ZREM', KEYS[2], ARGV[1])
local expired = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', ARGV[2])
for _, key in ipairs(expired) do redis.call('DEL', ARGV[3] .. key) end
if #expired > 0 then redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', ARGV[2]) end
return items`;

/** How long a mailbox outlives its last event's expiry in Redis (a backstop, ms). */
const MAILBOX_MARGIN_MS = 60_000;

export interface RedisCallStoreOptions {
  /** Prefix of every key. Default `comms:`. */
  prefix?: string;
  /** The clock `expiresAt` is on (for the mailboxes' Redis TTL). Default: the system clock. */
  clock?: Clock;
}

type Queued = QueuedEvent & { expiresAt: number };

export class RedisCallStore implements CallStore {
  private readonly client: RedisClient;
  private readonly prefix: string;
  private readonly clock: Clock;

  /** @param client a connected client (the store does not close it) */
  constructor(client: RedisClient, options: RedisCallStoreOptions = {}) {
    this.client = client;
    this.prefix = options.prefix ?? 'comms:';
    this.clock = options.clock ?? systemClock;
  }

  async insert(call: ActiveCall): Promise<boolean> {
    const done = await this.client.eval(INSERT, {
      keys: [this.callKey(call.id), this.key('calls'), ...this.userKeys(call)],
      arguments: [JSON.stringify(call), call.id],
    });
    return done === 1;
  }

  async get(callId: string): Promise<ActiveCall | undefined> {
    const text = await this.client.get(this.callKey(callId));
    return text === null ? undefined : (JSON.parse(text) as ActiveCall);
  }

  async change<R>(
    callId: string,
    decide: (call: ActiveCall) => CallChange<R>,
  ): Promise<R | undefined> {
    for (;;) {
      const text = await this.client.get(this.callKey(callId));
      if (text === null) return undefined;
      const call = JSON.parse(text) as ActiveCall;
      const oldUsers = this.userKeys(call);
      const { next, result } = decide(JSON.parse(text) as ActiveCall);
      const done = await this.client.eval(CHANGE, {
        keys: [
          this.callKey(callId),
          this.key('calls'),
          ...oldUsers,
          ...(next ? this.userKeys(next) : []),
        ],
        arguments: [callId, text, next ? JSON.stringify(next) : '', String(oldUsers.length)],
      });
      if (done === 1) return result;
      // Changed by someone else since it was read: decide again on the newer call.
    }
  }

  async ofUser(userId: string): Promise<ActiveCall[]> {
    return this.load(await this.client.sMembers(this.key(`user-calls:${userId}`)));
  }

  async all(): Promise<ActiveCall[]> {
    return this.load(await this.client.sMembers(this.key('calls')));
  }

  async enqueue(key: string, event: QueuedEvent, expiresAt: number): Promise<void> {
    const entry: Queued = { event: event.event, payload: event.payload, expiresAt };
    const ttl = Math.max(expiresAt - this.clock.now(), 0) + MAILBOX_MARGIN_MS;
    await this.client.eval(ENQUEUE, {
      keys: [this.key(`mailbox:${key}`), this.key('mailboxes')],
      arguments: [JSON.stringify(entry), String(expiresAt), String(Math.ceil(ttl)), key],
    });
  }

  async dequeue(key: string, now: number): Promise<QueuedEvent[]> {
    const items = (await this.client.eval(DEQUEUE, {
      keys: [this.key(`mailbox:${key}`), this.key('mailboxes')],
      arguments: [key, String(now), this.key('mailbox:')],
    })) as string[];
    return items
      .map((text) => JSON.parse(text) as Queued)
      .filter((e) => e.expiresAt > now)
      .map(({ event, payload }) => ({ event, payload }));
  }

  async setDevice(device: ReachableDevice): Promise<void> {
    await this.client.hSet(
      this.key(`devices:${device.userId}`),
      device.connId,
      JSON.stringify(device),
    );
  }

  async dropDevice(userId: string, connId: string): Promise<void> {
    await this.client.hDel(this.key(`devices:${userId}`), connId);
  }

  async devicesOf(userId: string, now: number): Promise<ReachableDevice[]> {
    const all = Object.values(await this.client.hGetAll(this.key(`devices:${userId}`))).map(
      (text) => JSON.parse(text) as ReachableDevice,
    );
    const expired = all.filter((d) => d.expiresAt <= now).map((d) => d.connId);
    if (expired.length) await this.client.hDel(this.key(`devices:${userId}`), expired);
    return all.filter((d) => d.expiresAt > now);
  }

  /** How many calls, mailboxes and users with devices it holds (for tests that check nothing leaks). */
  async size(): Promise<{ calls: number; mailboxes: number; devices: number }> {
    const [calls, mailboxes, devices] = await Promise.all([
      this.client.sCard(this.key('calls')),
      this.client.zCard(this.key('mailboxes')),
      this.countDevices(),
    ]);
    return { calls, mailboxes, devices };
  }

  private async countDevices(): Promise<number> {
    let count = 0;
    for await (const keys of this.client.scanIterator({ MATCH: this.key('devices:*') }))
      count += keys.length;
    return count;
  }

  private key(name: string): string {
    return `${this.prefix}${name}`;
  }

  private callKey(callId: string): string {
    return this.key(`call:${callId}`);
  }

  private userKeys(call: ActiveCall): string[] {
    return [...new Set([call.caller.userId, call.callee.userId])].map((u) =>
      this.key(`user-calls:${u}`),
    );
  }

  private async load(ids: string[]): Promise<ActiveCall[]> {
    if (!ids.length) return [];
    const texts = await this.client.mGet(ids.map((id) => this.callKey(id)));
    return texts.filter((t): t is string => t !== null).map((t) => JSON.parse(t) as ActiveCall);
  }
}
