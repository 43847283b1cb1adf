/**
 * Finds the PostgreSQL server programs the Node tests run (`initdb`, then `postgres`, from the
 * same folder): `POSTGRES_INITDB`, else Debian's newest `/usr/lib/postgresql/<version>/bin/`,
 * else /usr/local/bin or the PATH (Homebrew and others put them there).
 */
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { executable, findExecutable } from './system.mjs';

/** Debian's installed server versions' `initdb`, newest first. */
function debianInitdbs() {
  let versions = [];
  try {
    versions = readdirSync('/usr/lib/postgresql');
  } catch {
    return [];
  }
  return versions
    .filter((v) => /^\d+(\.\d+)?$/.test(v))
    .sort((a, b) => Number(b) - Number(a))
    .map((v) => `/usr/lib/postgresql/${v}/bin/initdb`);
}

/**
 * The folder holding `initdb` and `postgres`, or undefined.
 * @returns {string | undefined}
 */
export function findPostgresBin() {
  const initdb = findExecutable({
    envVar: 'POSTGRES_INITDB',
    paths: [...debianInitdbs(), '/usr/local/bin/initdb'],
    names: ['initdb'],
  });
  if (!initdb) return undefined;
  const bin = dirname(initdb);
  return executable(join(bin, 'postgres')) ? bin : undefined;
}
