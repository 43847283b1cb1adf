/**
 * Makes sure Kamailio and the modules the project's configuration loads (WebSocket,
 * auth_ephemeral, evapi and jansson for the call events) are there for the tests of calls over SIP (each test file, and the browser
 * run, starts its own on a free loopback port). When they are not found it installs Debian's
 * `kamailio`, `kamailio-websocket-modules`, `kamailio-autheph-modules` and
 * `kamailio-extra-modules` if it can (root and
 * apt-get), otherwise it stops with what to install. Those tests are never skipped silently.
 *
 * Debian's package ships a `kamailio` service; a SIP server nobody configured should not be left
 * running: after installing, the service is stopped and disabled where systemd runs.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { findKamailio, findKamailioModules } from './kamailio-server.mjs';
import { ensureInstalled } from './system.mjs';

ensureInstalled({
  find: () => findKamailio() && findKamailioModules(),
  envVar: 'KAMAILIO',
  debianPackage:
    'kamailio kamailio-websocket-modules kamailio-autheph-modules kamailio-extra-modules',
  program: 'kamailio with its websocket, auth_ephemeral, evapi and jansson modules',
  afterInstall() {
    if (!existsSync('/run/systemd/system')) return;
    try {
      execFileSync('systemctl', ['disable', '--now', 'kamailio.service'], { stdio: 'inherit' });
    } catch {
      console.error('Stopping the kamailio service the package started failed (see above).');
    }
  },
  missing: `The tests of calls over SIP need Kamailio 5.6 or newer with its websocket,
auth_ephemeral, evapi and jansson modules, and none was found. Install them, then run the
tests again:
  Debian/Ubuntu:  sudo apt-get install kamailio kamailio-websocket-modules kamailio-autheph-modules kamailio-extra-modules
                  (then: sudo systemctl disable --now kamailio)
  elsewhere:      install Kamailio with those modules and set KAMAILIO=/path/to/kamailio
                  (KAMAILIO_MODULES=/path/to/modules if they are not found beside it)`,
});
