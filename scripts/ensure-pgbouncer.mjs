/**
 * Makes sure `pgbouncer` is there for the Node tests of the PostgreSQL storage behind a
 * connection pooler (each test file that needs one starts its own, on a free loopback port, in
 * front of its own throwaway cluster). When none is found it installs Debian's `pgbouncer` if
 * it can (root and apt-get), otherwise it stops with what to install. Those tests are never
 * skipped silently.
 */
import { findPgBouncer } from './pgbouncer-server.mjs';
import { ensureInstalled } from './system.mjs';

ensureInstalled({
  find: findPgBouncer,
  envVar: 'PGBOUNCER',
  debianPackage: 'pgbouncer',
  program: 'pgbouncer',
  missing: `The Node tests need pgbouncer (PgBouncer 1.18 or newer), and none was found.
Install it, then run the tests again:
  Debian/Ubuntu:  sudo apt-get install pgbouncer
  macOS:          brew install pgbouncer
  elsewhere:      install PgBouncer and set PGBOUNCER=/path/to/pgbouncer`,
});
