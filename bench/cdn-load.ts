/**
 * CDN script load → all elements defined, in Chromium.
 *
 * A plain HTML page (from a loopback static server, `cache-control: no-store`) inserts one
 * `<script type="module" src="/cdn/comms-kit.js">` and measures, with `performance.now()` in
 * the page, from just before the insertion to when `customElements.whenDefined` has resolved
 * for every tag the built manifest (`custom-elements.json`) declares. Fetch, parse, compile,
 * evaluate and define: what a page waits for before the elements upgrade.
 *
 * Each run is a first visit in a running browser: a new tab on a site no earlier run used
 * (`http://load-N.test:port/`; `--host-resolver-rules` sends every `*.test` name to 127.0.0.1).
 * A new site gets a renderer process no earlier run used (Chromium gives each site its own
 * process and reuses one only within a site), so V8 has neither compiled nor cached the
 * module; nothing is in the HTTP cache (`no-store`), and the code cache is keyed by site. One
 * warm-up run is discarded. Headless Chromium, project flags (`scripts/chrome.mjs`). Also
 * reported, without a target: the part until the script's last byte arrived (Resource Timing
 * `responseEnd`); the rest is parse, compile, evaluate and define.
 *
 * Also reported without a target, alternating with those runs: the same page in a new browser
 * profile per run (a fresh Playwright context), the method until 2026-11-23. Chromium holds the
 * first script request of a new profile back by ~7 ms (its `requestStart` 11–12 ms after the
 * insertion against 3–5 ms in a running profile, for this bundle and for a module of the same
 * size that only defines the tags alike): a cost of creating the profile, which no visitor pays.
 *
 * Target: median ≤ 30 ms (first visit in a running browser). No baseline.
 */
import { join, relative } from 'node:path';
import type { Browser, BrowserContext } from 'playwright-core';
import { checkAborted, type Benchmark } from './lib/benchmark.js';
import { launchChromium } from './lib/chromium.js';
import { cdnBundlePath, readCdnBundle, root } from './lib/size.js';
import { startStaticServer } from './lib/static-server.js';

const DEFAULT_RUNS = 30;

/**
 * The page: inserts the script; resolves `window.benchLoad` with the ms to every element
 * defined (`total`) and to the script's last byte received (`fetch`, from Resource Timing).
 */
function page(tags: string[]): string {
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>comms-kit CDN load</title></head>
<body>
<script>
  window.benchLoad = new Promise((resolve, reject) => {
    const tags = ${JSON.stringify(tags)};
    const start = performance.now();
    const script = document.createElement('script');
    script.type = 'module';
    script.src = '/cdn/comms-kit.js';
    script.onerror = () => reject(new Error('the bundle did not load'));
    document.head.append(script);
    const timer = setTimeout(() => {
      const missing = tags.filter((tag) => !customElements.get(tag));
      reject(new Error('not defined after 10 s: ' + missing.join(', ')));
    }, 10000);
    Promise.all(tags.map((tag) => customElements.whenDefined(tag))).then(() => {
      const total = performance.now() - start;
      clearTimeout(timer);
      const entry = performance
        .getEntriesByType('resource')
        .find((e) => e.name.endsWith('/cdn/comms-kit.js'));
      resolve({ total, fetch: entry ? entry.responseEnd - start : null });
    });
  });
</script>
</body>
</html>
`;
}

interface Load {
  total: number;
  fetch: number | null;
}

/** Sends every `*.test` host name to 127.0.0.1, so each run can be its own site. */
const resolverRule = '--host-resolver-rules=MAP *.test 127.0.0.1';

/** Loads the page in a new tab of `context`, at `url`; returns the page's figures. */
async function loadIn(context: BrowserContext, url: string): Promise<Load> {
  const tab = await context.newPage();
  try {
    await tab.goto(url);
    return (await tab.evaluate('window.benchLoad')) as Load;
  } finally {
    await tab.close();
  }
}

/** A first visit in a running browser: a new tab on the site `load-<run>.test`. */
function firstVisit(context: BrowserContext, port: number, run: number): Promise<Load> {
  return loadIn(context, `http://load-${run}.test:${port}/`);
}

/** The same page in a new browser profile (the method until 2026-11-23). */
async function newProfile(browser: Browser, url: string): Promise<Load> {
  const context = await browser.newContext();
  try {
    return await loadIn(context, url);
  } finally {
    await context.close();
  }
}

export const cdnLoad: Benchmark = {
  name: 'cdn-load',
  title: 'CDN script load → all elements defined',
  timeoutMs: (options) => 60e3 + (options.runs ?? DEFAULT_RUNS) * 5e3,
  async run(context, record) {
    const tags = context.probes.elementTags();
    if (tags.length === 0) throw new Error('custom-elements.json declares no element');
    const bundle = readCdnBundle().toString();
    const missing = tags.filter((tag) => !bundle.includes(tag));
    if (missing.length > 0)
      throw new Error(`the CDN bundle does not mention ${missing.join(', ')}`);

    const server = await startStaticServer({
      pages: { '/': page(tags) },
      prefix: '/cdn/',
      dir: join(cdnBundlePath, '..'),
    });
    context.defer(() => server.close());
    const browser = await launchChromium([resolverRule]);
    context.defer(() => browser.close());
    const visits = await browser.newContext();
    const port = Number(new URL(server.url).port);

    const runs = context.runs(DEFAULT_RUNS);
    context.log(
      `${runs} first visits (a new site each) alternating with ${runs} loads in new profiles (Chromium ${browser.version()}), tags: ${tags.join(', ')}`,
    );
    // Warm-up: the browser's and the server's code paths.
    await firstVisit(visits, port, 0);
    await newProfile(browser, server.url);
    const loads: Load[] = [];
    const profileLoads: Load[] = [];
    for (let i = 1; i <= runs; i++) {
      checkAborted(context.signal);
      loads.push(await firstVisit(visits, port, i));
      profileLoads.push(await newProfile(browser, server.url));
    }
    record.figure(
      'load.ms',
      'script → elements defined (first visit)',
      'ms',
      loads.map((l) => l.total),
    );
    const fetches = loads.flatMap((l) => (l.fetch === null ? [] : [l.fetch]));
    if (fetches.length > 0) {
      record.figure('fetch.ms', 'of which: script fetched (loopback)', 'ms', fetches);
    }
    record.figure(
      'profile.ms',
      'the same in a new browser profile (method until 2026-11-23)',
      'ms',
      profileLoads.map((l) => l.total),
    );
    record.target('load.ms', '<=', 30, 'ms', '≤ 30 ms');
    record.notes.push(
      `${relative(root, cdnBundlePath)}; ${tags.length} element(s): ${tags.join(', ')}; each run a new tab on a new site (renderer and caches new, browser running), 1 warm-up discarded; in new profiles: a fresh browser context per run`,
    );
  },
};
