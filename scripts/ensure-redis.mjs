/**
 * Makes sure `redis-server` is there for the Node tests of the distributed bus and call store
 * (each test file starts its own on a free loopback port). When none is found it installs
 * Debian's `redis-server` if it can (root and apt-get), otherwise it stops with what to
 * install. Those tests are never skipped silently.
 */
import { findRedisServer } from './redis-server.mjs';
import { ensureInstalled } from './system.mjs';

ensureInstalled({
  find: findRedisServer,
  envVar: 'REDIS_SERVER',
  debianPackage: 'redis-server',
  program: 'redis-server',
  missing: `The Node tests need redis-server (Redis 6.2 or newer), and none was found.
Install it, then run the tests again:
  Debian/Ubuntu:  sudo apt-get install redis-server
  macOS:          brew install redis
  elsewhere:      install Redis and set REDIS_SERVER=/path/to/redis-server`,
});
