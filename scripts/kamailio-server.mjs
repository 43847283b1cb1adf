/**
 * Finds what the SIP tests run: `kamailio` (`KAMAILIO`, else /usr/sbin/kamailio from Debian's
 * package, /usr/local/sbin, or on the PATH) with the modules the project's configuration loads
 * (`websocket.so` from kamailio-websocket-modules, `auth_ephemeral.so` from
 * kamailio-autheph-modules, `evapi.so` and `jansson.so` from kamailio-extra-modules) in its
 * module directory.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { findExecutable } from './system.mjs';

/** The modules beyond Debian's `kamailio` package that deploy/kamailio/kamailio.cfg loads. */
export const EXTRA_MODULES = ['websocket.so', 'auth_ephemeral.so', 'evapi.so', 'jansson.so'];

/** The path of a `kamailio` executable, or undefined. */
export function findKamailio() {
  return findExecutable({
    envVar: 'KAMAILIO',
    paths: ['/usr/sbin/kamailio', '/usr/local/sbin/kamailio'],
    names: ['kamailio'],
  });
}

/**
 * The module directory of `kamailio` (`KAMAILIO_MODULES`, else Debian's multiarch directory,
 * else `lib/kamailio/modules` beside its prefix), or undefined when none holds the modules.
 */
export function findKamailioModules(bin = findKamailio()) {
  if (!bin) return undefined;
  const prefix = dirname(dirname(bin));
  const candidates = [
    process.env.KAMAILIO_MODULES,
    `/usr/lib/${process.arch === 'arm64' ? 'aarch64' : 'x86_64'}-linux-gnu/kamailio/modules`,
    join(prefix, 'lib64/kamailio/modules'),
    join(prefix, 'lib/kamailio/modules'),
  ].filter(Boolean);
  return candidates.find((dir) => EXTRA_MODULES.every((m) => existsSync(join(dir, m))));
}
