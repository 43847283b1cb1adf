/**
 * Finds the coturn programs the tests run: `turnserver` (`TURNSERVER`, else one in /usr/bin,
 * Debian's `coturn` package, /usr/local/bin or on the PATH) and its test client
 * `turnutils_uclient`, from the same package (beside that `turnserver`, else on the PATH).
 */
import { dirname, join } from 'node:path';
import { findExecutable } from './system.mjs';

/** The path of a `turnserver` executable, or undefined. */
export function findTurnServer() {
  return findExecutable({
    envVar: 'TURNSERVER',
    paths: ['/usr/bin/turnserver', '/usr/local/bin/turnserver', '/opt/homebrew/bin/turnserver'],
    names: ['turnserver'],
  });
}

/** The path of a `turnutils_uclient` executable, or undefined. */
export function findTurnClient() {
  const server = findTurnServer();
  const beside = server && join(dirname(server), 'turnutils_uclient');
  return findExecutable({
    envVar: 'TURNUTILS_UCLIENT',
    paths: beside ? [beside] : [],
    names: ['turnutils_uclient'],
  });
}
