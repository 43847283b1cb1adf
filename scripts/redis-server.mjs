/**
 * Finds the `redis-server` the Node tests start: `REDIS_SERVER`, else one on the PATH (Debian's
 * package puts it in /usr/bin).
 */
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

function executable(path) {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The path of a `redis-server` executable, or undefined. */
export function findRedisServer() {
  if (process.env.REDIS_SERVER) {
    return executable(process.env.REDIS_SERVER) ? process.env.REDIS_SERVER : undefined;
  }
  for (const dir of ['/usr/bin', '/usr/local/bin', ...(process.env.PATH ?? '').split(delimiter)]) {
    if (dir && executable(join(dir, 'redis-server'))) return join(dir, 'redis-server');
  }
  return undefined;
}
