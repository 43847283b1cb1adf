/**
 * Makes sure PostgreSQL's server programs (`initdb`, `postgres`) are there for the Node tests of
 * the PostgreSQL storage (each test file starts its own throwaway cluster on a free loopback
 * port). When none is found it installs Debian's `postgresql` if it can (root and apt-get),
 * otherwise it stops with what to install. Those tests are never skipped silently.
 */
import { findPostgresBin } from './postgres-server.mjs';
import { ensureInstalled } from './system.mjs';

ensureInstalled({
  find: findPostgresBin,
  envVar: 'POSTGRES_INITDB',
  debianPackage: 'postgresql',
  program: 'PostgreSQL (initdb and postgres)',
  missing: `The Node tests need PostgreSQL's server programs (initdb and postgres, version 13 or
newer), and none were found. Install them, then run the tests again:
  Debian/Ubuntu:  sudo apt-get install postgresql
  macOS:          brew install postgresql
  elsewhere:      install PostgreSQL and set POSTGRES_INITDB=/path/to/bin/initdb
                  (the postgres executable beside it)`,
});
