/**
 * Makes sure coturn's `turnserver` and `turnutils_uclient` are there for the tests of calls
 * through a TURN relay (each test file, and the browser run, starts its own on a free loopback
 * port). When they are not found it installs Debian's `coturn` if it can (root and apt-get),
 * otherwise it stops with what to install. Those tests are never skipped silently.
 *
 * Debian's package enables a `coturn` service (systemd starts it at once: every address, port
 * 3478, `/etc/turnserver.conf`). The tests never use it, and a TURN server nobody configured
 * should not be left running: after installing, the service is stopped and disabled.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { findTurnClient, findTurnServer } from './coturn-server.mjs';
import { ensureInstalled } from './system.mjs';

ensureInstalled({
  find: () => findTurnServer() && findTurnClient(),
  envVar: 'TURNSERVER',
  debianPackage: 'coturn',
  program: 'turnserver and turnutils_uclient',
  afterInstall() {
    // Without systemd running (containers), nothing started it: the package's init script
    // starts it only with TURNSERVER_ENABLED=1 in /etc/default/coturn, off by default.
    if (!existsSync('/run/systemd/system')) return;
    try {
      execFileSync('systemctl', ['disable', '--now', 'coturn.service'], { stdio: 'inherit' });
    } catch {
      console.error('Stopping the coturn service the package started failed (see above).');
    }
  },
  missing: `The tests of calls through TURN need coturn 4.6 or newer (turnserver and
turnutils_uclient), and none was found. Install it, then run the tests again:
  Debian/Ubuntu:  sudo apt-get install coturn   (then: sudo systemctl disable --now coturn)
  macOS:          brew install coturn
  elsewhere:      install coturn and set TURNSERVER=/path/to/turnserver
                  (TURNUTILS_UCLIENT=/path/to/turnutils_uclient if it is not beside it)`,
});
