/** Types of `scripts/pgbouncer-server.mjs`, for TypeScript callers (the test helpers). */

/** The path of a `pgbouncer` executable, or undefined. */
export function findPgBouncer(): string | undefined;
