/** Types of `scripts/postgres-server.mjs`, for TypeScript callers (the test helpers). */

/** The folder holding `initdb` and `postgres`, or undefined. */
export function findPostgresBin(): string | undefined;
