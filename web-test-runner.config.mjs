/**
 * Browser tests in real Chromium (Debian's, or CHROME_PATH), with fake media devices so
 * getUserMedia and real RTCPeerConnections work without prompts. One group per area.
 */
import { esbuildPlugin } from '@web/dev-server-esbuild';
import { chromeLauncher } from '@web/test-runner-chrome';
import { chromeArgs, findChrome } from './scripts/chrome.mjs';
import { cjsToEsm } from './scripts/wtr-cjs.mjs';
import { coturnPlugin } from './test/helpers/coturn-plugin.mjs';
import { gatewayPlugin } from './test/helpers/gateway-plugin.mjs';
import { kamailioPlugin } from './test/helpers/kamailio-plugin.mjs';
import { networkPlugin } from './test/helpers/network-plugin.mjs';

const executablePath = findChrome();
if (!executablePath) {
  throw new Error(
    'No Chrome/Chromium found: run `node scripts/ensure-chromium.mjs` or set CHROME_PATH.',
  );
}

export default {
  rootDir: '.',
  nodeResolve: { exportConditions: ['browser', 'development'] },
  plugins: [
    // Browser tests start real gateways (fresh database, loopback) through server commands.
    gatewayPlugin(),
    // Calls relayed through a real coturn (Debian's turnserver, loopback) start one this way.
    coturnPlugin(),
    // Calls over SIP through a real Kamailio (Debian's, loopback) start one this way.
    kamailioPlugin(),
    // Tests of code loaded on demand hold a file's request to act before it arrives.
    networkPlugin(),
    // CommonJS dependencies, served as ES modules as the build bundles them.
    cjsToEsm(['sdp/sdp.js', 'sdp-transform']),
    esbuildPlugin({ ts: true, target: 'es2022', tsconfig: './tsconfig.json' }),
  ],
  browsers: [
    chromeLauncher({ launchOptions: { executablePath, headless: true, args: chromeArgs } }),
  ],
  concurrency: 1,
  testFramework: { config: { timeout: 20000 } },
  testsFinishTimeout: 10 * 60 * 1000,
  groups: [
    { name: 'core', files: 'test/core/**/*.test.ts' },
    { name: 'components', files: 'test/components/**/*.test.ts' },
    { name: 'conformance', files: 'test/conformance/**/*.test.ts' },
    { name: 'e2e', files: ['test/e2e/**/*.test.ts', 'test/e2e/**/*.test.html'] },
  ],
};
