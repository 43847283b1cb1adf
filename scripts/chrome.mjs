/**
 * Finds the Chrome or Chromium the tests drive: `CHROME_PATH`, else Debian's
 * `/usr/bin/chromium`, else another Chrome found on the machine.
 */
import { findExecutable } from './system.mjs';

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

/** The path of a Chrome/Chromium executable, or undefined. */
export function findChrome() {
  return findExecutable({ envVar: 'CHROME_PATH', paths: candidates, names });
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
