/**
 * CDN script load → all elements defined, in Chromium.
 *
 * A plain HTML page (from a loopback static server, `cache-control: no-store`) inserts one
 * `<script type="module" src="/cdn/comms-kit.js">` and measures, with `performance.now()` in
 * the page, from just before the insertion to when `customElements.whenDefined` has resolved
 * for every tag the built manifest (`custom-elements.json`) declares. Fetch, parse, compile,
 * evaluate and define: what a page waits for before the elements upgrade.
 *
 * Each run is a fresh browser context (empty HTTP and code caches) and a fresh page; one
 * warm-up run is discarded. Headless Chromium, project flags (`scripts/chrome.mjs`). Also
 * reported, without a target: the part until the script's last byte arrived (Resource Timing
 * `responseEnd`); the rest is parse, compile, evaluate and define.
 *
 * Target: median ≤ 30 ms. No baseline.
 */
import { join, relative } from 'node:path';
import type { Browser } from 'playwright-core';
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

async function loadOnce(browser: Browser, url: string): Promise<Load> {
  const context = await browser.newContext();
  try {
    const tab = await context.newPage();
    await tab.goto(url);
    return (await tab.evaluate('window.benchLoad')) as Load;
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
    const browser = await launchChromium();
    context.defer(() => browser.close());

    const runs = context.runs(DEFAULT_RUNS);
    context.log(
      `${runs} loads in fresh contexts (Chromium ${browser.version()}), tags: ${tags.join(', ')}`,
    );
    await loadOnce(browser, server.url); // warm-up: browser and server code paths
    const loads: Load[] = [];
    for (let i = 0; i < runs; i++) {
      checkAborted(context.signal);
      loads.push(await loadOnce(browser, server.url));
    }
    record.figure(
      'load.ms',
      'script → elements defined',
      'ms',
      loads.map((l) => l.total),
    );
    const fetches = loads.flatMap((l) => (l.fetch === null ? [] : [l.fetch]));
    if (fetches.length > 0) {
      record.figure('fetch.ms', 'of which: script fetched (loopback)', 'ms', fetches);
    }
    record.target('load.ms', '<=', 30, 'ms', '≤ 30 ms');
    record.notes.push(
      `${relative(root, cdnBundlePath)}; ${tags.length} element(s): ${tags.join(', ')}; fresh context per run, 1 warm-up discarded`,
    );
  },
};
