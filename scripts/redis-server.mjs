/**
 * Finds the `redis-server` the Node tests start: `REDIS_SERVER`, else one in /usr/bin (Debian's
 * package), /usr/local/bin or on the PATH.
 */
import { findExecutable } from './system.mjs';

/** The path of a `redis-server` executable, or undefined. */
export function findRedisServer() {
  return findExecutable({
    envVar: 'REDIS_SERVER',
    paths: ['/usr/bin/redis-server', '/usr/local/bin/redis-server'],
    names: ['redis-server'],
  });
}
