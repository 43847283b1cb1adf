/**
 * The gateway's connections to Redis (`--redis-url`), shared by the distributed bus
 * (`bus/redis.ts`), call store (`calls/redis-store.ts`) and presence registry
 * (`presence/registry.ts`). The client is node-redis
 * (`@redis/client`).
 *
 * A Redis that does not answer at start is an error ({@link RedisUnavailableError}): the
 * gateway does not start half-connected. Once connected, a lost connection is retried for as
 * long as it takes (backoff up to 2 s); meanwhile commands fail at once (no offline queue, so
 * a request waits for nothing) and each failure is reported through `onError`, never thrown
 * at the process.
 */
import { createClient, type RedisClientType } from '@redis/client';

/** A connected client (RESP3, no modules). */
export type RedisClient = RedisClientType;

/** Thrown at start when Redis cannot be reached at the URL given. */
export class RedisUnavailableError extends Error {
  readonly code = 'server:redisUnavailable';
  constructor(url: string, cause: unknown) {
    super(
      `cannot reach Redis at ${redactRedisUrl(url)}: ${(cause as Error)?.message || String(cause)}; start it, or correct --redis-url (COMMS_REDIS_URL)`,
      { cause },
    );
    this.name = 'RedisUnavailableError';
  }
}

/** The URL without its password (for logs and messages). */
export function redactRedisUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (!parsed.password) return url;
    parsed.password = '***';
    return parsed.toString();
  } catch {
    return url;
  }
}

/** Checks a Redis URL; throws an Error naming it when it is not `redis://` or `rediss://`. */
export function validateRedisUrl(url: string): void {
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    parsed = undefined;
  }
  if (!parsed || !['redis:', 'rediss:'].includes(parsed.protocol) || !parsed.hostname)
    throw new Error(
      `'${redactRedisUrl(url)}' is not a Redis URL: use redis://host:port (or rediss:// for TLS)`,
    );
}

/** Delay before reconnect attempt `retries` (0-based), ms: 50, 100, 200, … up to 2 s. */
const backoff = (retries: number) => Math.min(50 * 2 ** retries, 2000);

/**
 * Connects a client to `url`. Rejects with {@link RedisUnavailableError} when the first
 * connection fails; after that, reconnects on its own and reports errors to `onError`.
 */
export async function connectRedis(
  url: string,
  onError: (error: unknown) => void,
  name = 'comms-kit',
): Promise<RedisClient> {
  validateRedisUrl(url);
  let connected = false;
  const client: RedisClient = createClient({
    url,
    name,
    disableOfflineQueue: true,
    socket: {
      connectTimeout: 5000,
      reconnectStrategy: (retries, cause) => (connected ? backoff(retries) : cause),
    },
  });
  client.on('error', (error: unknown) => {
    if (connected) onError(error);
  });
  try {
    await client.connect();
  } catch (error) {
    client.destroy();
    throw new RedisUnavailableError(url, error);
  }
  connected = true;
  return client;
}

/** Closes a client: waits for its replies when it is up, drops it when it is not. */
export async function closeRedis(client: RedisClient): Promise<void> {
  if (!client.isOpen) return;
  if (client.isReady) {
    try {
      await client.close();
      return;
    } catch {
      // fall through: the connection went away meanwhile
    }
  }
  client.destroy();
}
