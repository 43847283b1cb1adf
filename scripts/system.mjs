/**
 * What the project's scripts need of the machine: finding an executable, and installing a
 * Debian package the tests need when it is missing (as root, with apt-get), or stopping with
 * what to install. Nothing the tests need is ever skipped silently.
 */
import { accessSync, constants } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { delimiter, join } from 'node:path';

/** Whether `path` is an executable file. */
export function executable(path) {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * The executable the variable `envVar` names (undefined when it names none), else the first of
 * `paths`, else one of `names` on the PATH.
 */
export function findExecutable({ envVar, paths = [], names = [] }) {
  const named = process.env[envVar];
  if (named) return executable(named) ? named : undefined;
  const found = paths.find(executable);
  if (found) return found;
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    for (const name of names) if (dir && executable(join(dir, name))) return join(dir, name);
  }
  return undefined;
}

/**
 * Exits 0 when `find()` finds the program. Otherwise installs Debian's `debianPackage` (several:
 * separated by spaces) if it can
 * (root and apt-get), runs `afterInstall()` (e.g. to stop a service the package started) and
 * checks again; else (or when `envVar` names a file that is not an executable) prints what to do
 * and exits 1.
 */
export function ensureInstalled({ find, envVar, debianPackage, program, missing, afterInstall }) {
  if (find()) process.exit(0);
  if (process.env[envVar]) {
    console.error(`${envVar}=${process.env[envVar]} is not an executable file.`);
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
      `No ${program} found: installing Debian's ${debianPackage} (apt-get install ${debianPackage})…`,
    );
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    try {
      execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
      execFileSync('apt-get', ['install', '-y', '-qq', ...debianPackage.split(' ')], {
        stdio: 'inherit',
        env,
      });
    } catch {
      console.error(`Installing ${debianPackage} with apt-get failed (see above).`);
      process.exit(1);
    }
    afterInstall?.();
    if (find()) process.exit(0);
    console.error(`apt-get installed ${debianPackage}, but no ${program} executable was found.`);
    process.exit(1);
  }
  console.error(missing);
  process.exit(1);
}
