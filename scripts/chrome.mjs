/**
 * Finds the Chrome or Chromium the tests drive: `CHROME_PATH`, else Debian's
 * `/usr/bin/chromium`, else another Chrome found on the machine.
 */
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

const candidates = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome-stable',
  '/usr/bin/google-chrome',
  '/opt/google/chrome/chrome',
  '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
  '/Applications/Chromium.app/Contents/MacOS/Chromium',
];
const names = ['chromium', 'chromium-browser', 'google-chrome-stable', 'google-chrome', 'chrome'];

function executable(path) {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The path of a Chrome/Chromium executable, or undefined. */
export function findChrome() {
  if (process.env.CHROME_PATH) {
    return executable(process.env.CHROME_PATH) ? process.env.CHROME_PATH : undefined;
  }
  const found = candidates.find(executable);
  if (found) return found;
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    for (const name of names) if (dir && executable(join(dir, name))) return join(dir, name);
  }
  return undefined;
}

/**
 * Flags for every Chromium the project starts: fake camera and microphone (real
 * RTCPeerConnections, no prompts) and nothing that reaches the network.
 */
export const chromeArgs = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
  '--use-fake-ui-for-media-stream',
  '--use-fake-device-for-media-stream',
  '--autoplay-policy=no-user-gesture-required',
];
