/** Types of `scripts/redis-server.mjs`, for TypeScript callers (the test helpers). */

/** The path of a `redis-server` executable, or undefined. */
export function findRedisServer(): string | undefined;
