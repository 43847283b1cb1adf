/**
 * The auth routes' per-address limit shared by the gateway nodes (`--redis-url`): a store for
 * `@fastify/rate-limit` that counts in Redis, so an address gets `max` requests per window in
 * all, not `max` on each node.
 *
 * The plugin's own Redis store needs `ioredis`; the gateway's client is node-redis
 * (`@redis/client`), so this is the plugin's documented custom-store interface (`incr`, `read`,
 * `child`) over it: a fixed window per key, one script (`INCR`, and `PEXPIRE` on the window's
 * first request), keys `<prefix>rate:<method><url>-<address>` that expire with their window.
 * The gateway's limits use neither `continueExceeding` nor `exponentialBackoff`; this store
 * refuses them rather than ignore them.
 *
 * When Redis does not answer, the request is counted by the node's own in-memory store (the
 * plugin's `LocalStore`, as without Redis) and the failure is reported: the limit still holds,
 * per node, until Redis is back.
 */
import type { FastifyRateLimitOptions, FastifyRateLimitStore } from '@fastify/rate-limit';
import { createRequire } from 'node:module';
import type { RedisClient } from '../redis.js';

type Result = { current: number; ttl: number };
/** What the plugin passes a store (its global settings, or a route's merged with them). */
interface Settings {
  continueExceeding?: boolean;
  exponentialBackoff?: boolean;
  /** A route's (given to `child`). */
  routeInfo?: { method: string | string[]; url: string };
}
type Callback = (error: Error | null, result?: Result) => void;

/** The plugin's in-memory store (CommonJS, untyped): the fallback while Redis is away. */
const LocalStore = createRequire(import.meta.url)(
  '@fastify/rate-limit/store/LocalStore.js',
) as new (
  continueExceeding: boolean,
  exponentialBackoff: boolean,
) => { incr(key: string, cb: Callback, timeWindow: number, max: number): void };

/** KEYS: the counter; ARGV: window ms. The count so far in the window and its ms left. */
const INCR = `
local current = redis.call('INCR', KEYS[1])
if current == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {current, ttl}`;

/** KEYS: the counter. The count so far and the ms left, without counting. */
const READ = `
local current = redis.call('GET', KEYS[1])
if not current then return {0, 0} end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then ttl = 0 end
return {tonumber(current), ttl}`;

export interface RedisRateLimitStoreOptions {
  /** Prefix of every key. Default `comms:`. */
  prefix?: string;
  /** Told when Redis does not answer (the node counts alone meanwhile). */
  onError?: (error: unknown) => void;
}

/** The store class to pass as `store` to `@fastify/rate-limit`, counting in `client`. */
export function redisRateLimitStore(
  client: RedisClient,
  options: RedisRateLimitStoreOptions = {},
): new (settings: FastifyRateLimitOptions) => FastifyRateLimitStore {
  const prefix = `${options.prefix ?? 'comms:'}rate:`;
  const onError = options.onError ?? (() => {});

  class RedisRateLimitStore {
    readonly #key: string;
    readonly #local = new LocalStore(false, false);

    constructor(settings: Settings, key = prefix) {
      if (settings.continueExceeding || settings.exponentialBackoff)
        throw new Error(
          'the Redis rate-limit store counts fixed windows: continueExceeding and exponentialBackoff are not supported',
        );
      this.#key = key;
    }

    incr(key: string, callback: Callback, timeWindow: number, max: number): void {
      client.eval(INCR, { keys: [this.#key + key], arguments: [String(timeWindow)] }).then(
        (reply) => {
          const [current, ttl] = reply as [number, number];
          callback(null, { current, ttl });
        },
        (error: unknown) => {
          onError(error);
          this.#local.incr(key, callback, timeWindow, max);
        },
      );
    }

    read(key: string, callback: Callback): void {
      client.eval(READ, { keys: [this.#key + key] }).then(
        (reply) => {
          const [current, ttl] = reply as [number, number];
          callback(null, { current, ttl });
        },
        (error: unknown) => callback(error as Error),
      );
    }

    /** The store of one route: its own keys (the plugin passes the route's settings). */
    child(routeOptions: Settings): RedisRateLimitStore {
      const { method = '', url = '' } = routeOptions.routeInfo ?? {};
      return new RedisRateLimitStore(routeOptions, `${prefix}${String(method)}${url}-`);
    }
  }
  return RedisRateLimitStore as unknown as new (
    settings: FastifyRateLimitOptions,
  ) => FastifyRateLimitStore;
}
