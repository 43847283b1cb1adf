/** Types of `scripts/coturn-server.mjs`, for TypeScript callers (the test helpers). */

/** The path of a `turnserver` executable, or undefined. */
export function findTurnServer(): string | undefined;

/** The path of a `turnutils_uclient` executable, or undefined. */
export function findTurnClient(): string | undefined;
