/**
 * Makes sure a Chrome/Chromium is there for the browser tests. When none is found it installs
 * Debian's `chromium` if it can (root and apt-get), otherwise it stops with what to install.
 * Browser tests are never skipped silently.
 */
import { findChrome } from './chrome.mjs';
import { ensureInstalled } from './system.mjs';

ensureInstalled({
  find: findChrome,
  envVar: 'CHROME_PATH',
  debianPackage: 'chromium',
  program: 'Chrome/Chromium',
  missing: `The browser tests need Chrome or Chromium, and none was found.
Install one, then run the tests again:
  Debian/Ubuntu:  sudo apt-get install chromium
  elsewhere:      install Chrome or Chromium and set CHROME_PATH=/path/to/chrome`,
});
