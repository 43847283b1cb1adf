/**
 * Makes sure `redis-server` is there for the Node tests of the distributed bus and call store
 * (each test file starts its own on a free loopback port). When none is found it installs
 * Debian's `redis-server` if it can (root and apt-get), otherwise it stops with what to
 * install. Those tests are never skipped silently.
 */
import { execFileSync } from 'node:child_process';
import { findRedisServer } from './redis-server.mjs';

if (findRedisServer()) process.exit(0);

if (process.env.REDIS_SERVER) {
  console.error(`REDIS_SERVER=${process.env.REDIS_SERVER} is not an executable file.`);
  process.exit(1);
}

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
let hasApt = false;
try {
  execFileSync('sh', ['-c', 'command -v apt-get'], { stdio: 'ignore' });
  hasApt = true;
} catch {
  hasApt = false;
}

if (isRoot && hasApt) {
  console.log(
    "No redis-server found: installing Debian's redis-server (apt-get install redis-server)…",
  );
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  try {
    execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
    execFileSync('apt-get', ['install', '-y', '-qq', 'redis-server'], { stdio: 'inherit', env });
  } catch {
    console.error('Installing redis-server with apt-get failed (see above).');
    process.exit(1);
  }
  if (findRedisServer()) process.exit(0);
  console.error('apt-get installed redis-server, but no redis-server executable was found.');
  process.exit(1);
}

console.error(`The Node tests need redis-server (Redis 6.2 or newer), and none was found.
Install it, then run the tests again:
  Debian/Ubuntu:  sudo apt-get install redis-server
  macOS:          brew install redis
  elsewhere:      install Redis and set REDIS_SERVER=/path/to/redis-server`);
process.exit(1);
