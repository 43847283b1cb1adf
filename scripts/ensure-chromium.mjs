/**
 * Makes sure a Chrome/Chromium is there for the browser tests. When none is found it installs
 * Debian's `chromium` if it can (root and apt-get), otherwise it stops with what to install.
 * Browser tests are never skipped silently.
 */
import { execFileSync } from 'node:child_process';
import { findChrome } from './chrome.mjs';

const found = findChrome();
if (found) {
  process.exit(0);
}

if (process.env.CHROME_PATH) {
  console.error(`CHROME_PATH=${process.env.CHROME_PATH} is not an executable file.`);
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
  console.log("No Chrome/Chromium found: installing Debian's chromium (apt-get install chromium)…");
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  try {
    execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
    execFileSync('apt-get', ['install', '-y', '-qq', 'chromium'], { stdio: 'inherit', env });
  } catch {
    console.error('Installing chromium with apt-get failed (see above).');
    process.exit(1);
  }
  if (findChrome()) process.exit(0);
  console.error('apt-get installed chromium, but no executable was found at /usr/bin/chromium.');
  process.exit(1);
}

console.error(`The browser tests need Chrome or Chromium, and none was found.
Install one, then run the tests again:
  Debian/Ubuntu:  sudo apt-get install chromium
  elsewhere:      install Chrome or Chromium and set CHROME_PATH=/path/to/chrome`);
process.exit(1);
