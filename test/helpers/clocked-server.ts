/**
 * The gateway started in this process for tests that move time themselves: a free loopback
 * port, a fresh in-memory database, no logs, no auth rate limit, and a `ManualClock`.
 * `options` add to or override these.
 */
import {
  ManualClock,
  startServer,
  type RunningServer,
  type ServerOptions,
} from '../../server/index.js';

export async function startClockedServer(
  options: ServerOptions = {},
): Promise<{ clock: ManualClock; server: RunningServer }> {
  const clock = new ManualClock();
  const server = await startServer({
    port: 0,
    db: ':memory:',
    logLevel: false,
    authRateLimit: false,
    clock,
    ...options,
  });
  return { clock, server };
}
