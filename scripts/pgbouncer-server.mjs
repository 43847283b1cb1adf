/**
 * Finds the `pgbouncer` the Node tests put in front of their throwaway PostgreSQL cluster:
 * `PGBOUNCER`, else one in /usr/sbin (Debian's package), /usr/local/bin or on the PATH.
 */
import { findExecutable } from './system.mjs';

/** The path of a `pgbouncer` executable, or undefined. */
export function findPgBouncer() {
  return findExecutable({
    envVar: 'PGBOUNCER',
    paths: ['/usr/sbin/pgbouncer', '/usr/local/bin/pgbouncer', '/opt/homebrew/bin/pgbouncer'],
    names: ['pgbouncer'],
  });
}
