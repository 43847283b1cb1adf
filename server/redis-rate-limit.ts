/**
 * A per-key rate limit shared by the gateway nodes (`--redis-url`): the per-user message and
 * voicemail limits, so a user with devices on several nodes gets the limit once, not once per
 * node.
 *
 * The same token bucket as {@link KeyedRateLimit} (`burst` at once, refilled at `perSecond`),
 * kept in Redis as GCRA does: one key per user holding the time at which the bucket will be full
 * again, moved on by one token's interval per request taken, in one script, on Redis's own clock
 * (`TIME`), so the nodes' clocks do not matter. A key expires when its bucket is full again:
 * idle users cost nothing.
 *
 * When Redis does not answer, the key is counted by the node's own {@link KeyedRateLimit} and
 * the failure is reported: the limit still holds, per node, until Redis is back (as the auth
 * routes' store does).
 */
import { createHash } from 'node:crypto';
import type { RedisClient } from './redis.js';
import { KeyedRateLimit, type KeyedLimit } from './ws/rate-limit.js';

/**
 * KEYS: the bucket; ARGV: one token's interval and the burst's, in µs. 1 when a token was
 * taken, 0 when the bucket is empty. The key holds the µs (Redis clock) at which it is full.
 */
const TAKE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local full = tonumber(redis.call('GET', KEYS[1]) or now)
if full < now then full = now end
local interval = tonumber(ARGV[1])
local after = full + interval
if after - tonumber(ARGV[2]) > now then return 0 end
redis.call('SET', KEYS[1], string.format('%.0f', after), 'PX', math.ceil((after - now) / 1000))
return 1`;
/** The script's digest: sent instead of the script once Redis has it. */
const TAKE_SHA = createHash('sha1').update(TAKE).digest('hex');

export interface RedisRateLimitOptions {
  /** What is limited: part of each key (`<prefix>limit:<name>:<key>`). */
  name: string;
  perSecond: number;
  burst: number;
  /** Prefix of every key. Default `comms:`. */
  prefix?: string;
  /** Told when Redis does not answer (the node counts alone meanwhile). */
  onError?: (error: unknown) => void;
}

/** {@link KeyedLimit} counted in Redis, for every node together. */
export class RedisKeyedRateLimit implements KeyedLimit {
  readonly #client: RedisClient;
  readonly #prefix: string;
  readonly #arguments: string[];
  readonly #local: KeyedRateLimit;
  readonly #onError: (error: unknown) => void;

  constructor(client: RedisClient, options: RedisRateLimitOptions) {
    const { perSecond, burst } = options;
    if (!(perSecond > 0) || !(burst >= 1))
      throw new RangeError(
        `a rate limit needs perSecond > 0 and burst ≥ 1; got ${perSecond} and ${burst}`,
      );
    this.#client = client;
    this.#prefix = `${options.prefix ?? 'comms:'}limit:${options.name}:`;
    const interval = 1_000_000 / perSecond;
    this.#arguments = [String(interval), String(interval * burst)];
    this.#local = new KeyedRateLimit(perSecond, burst);
    this.#onError = options.onError ?? (() => {});
  }

  async take(key: string): Promise<boolean> {
    try {
      const options = { keys: [this.#prefix + key], arguments: this.#arguments };
      let taken;
      try {
        taken = await this.#client.evalSha(TAKE_SHA, options);
      } catch (error) {
        // Not loaded yet (or Redis restarted since): EVAL runs it and keeps it.
        if (!String((error as Error)?.message).startsWith('NOSCRIPT')) throw error;
        taken = await this.#client.eval(TAKE, options);
      }
      return taken === 1;
    } catch (error) {
      this.#onError(error);
      return this.#local.take(key);
    }
  }
}
