/**
 * CDN bundle size: `dist/cdn/comms-kit.js` (every element, the core, Lit, @lit/context,
 * nanoevents, webrtc-adapter's browser detection) and the chunks it loads on demand
 * (webrtc-adapter's shims, sdp-transform), gzip and brotli. See `BundleSizes` in
 * `bench/lib/size.ts`:
 * - initial load: `comms-kit.js` and whatever it imports statically (nothing, today): what a page
 *   fetches before any element is defined. The targets are judged on this, because the lazy
 *   chunks are fetched only by the code that needs them (`getBrowserDetails()` for the shims, a
 *   call with SDP handlers for sdp-transform), which a test checks (`test/node/size.test.ts`).
 * - total: every chunk, each compressed on its own.
 *
 * Baseline, built in the same run: what the initial load imports from Lit, @lit/context,
 * webrtc-adapter and nanoevents (found by walking the static imports from `cdn.ts`; an
 * `import()` is not followed), bundled alone with the same Vite settings. "comms-kit's own
 * code" is the initial load minus the baseline (compressed separately, so an estimate: the two
 * share a compression window in the bundle).
 *
 * Also shown, without a target: the IIFE build (`comms-kit.iife.js`, for a classic `<script>`),
 * which cannot load chunks, so it carries everything (the in-page backend too); and
 * `local.js`, the in-page backend (`comms-kit/local`) a page loads next to `comms-kit.js`, alone
 * (it imports the core from `comms-kit.js`) and with its lazy chunk (the in-page gateway's
 * protocol).
 *
 * The notes carry the breakdown by package and folder (`breakdown`). Targets: initial load
 * ≤ 45 KB gzip; own code ≤ 24 KB gzip. Sizes are deterministic: one run.
 */
import type { Benchmark } from './lib/benchmark.js';
import {
  breakdown,
  budgets,
  bundleBaseline,
  bundleCdn,
  bundleSizes,
  cdnIifePath,
  cdnLocalPath,
  formatBreakdown,
  measure,
  readCdnBundle,
  readCdnChunks,
} from './lib/size.js';

export const cdnSize: Benchmark = {
  name: 'cdn-size',
  title: 'CDN bundle size',
  timeoutMs: () => 120e3,
  async run(context, record) {
    const cdn = bundleSizes(readCdnChunks());
    context.log('bundling the baseline (lit, @lit/context, webrtc-adapter, nanoevents)');
    const baseline = bundleSizes(await bundleBaseline()).initial;
    const note = 'deterministic: one build';
    record.figure('cdn.gzip', 'CDN bundle, initial load, gzip', 'B', [cdn.initial.gzip], note);
    record.figure(
      'cdn.brotli',
      'CDN bundle, initial load, brotli',
      'B',
      [cdn.initial.brotli],
      note,
    );
    record.figure('cdn.total.gzip', 'CDN bundle with its lazy chunks, gzip', 'B', [cdn.total.gzip]);
    const iife = measure(readCdnBundle(cdnIifePath));
    record.figure('iife.gzip', 'CDN IIFE bundle (everything), gzip', 'B', [iife.gzip], note);
    const local = bundleSizes(readCdnChunks(cdnLocalPath, ['comms-kit.js']));
    record.figure('local.gzip', 'CDN local.js (in-page backend), beside comms-kit.js, gzip', 'B', [
      local.initial.gzip,
    ]);
    record.figure('local.total.gzip', 'CDN local.js with its lazy chunk, gzip', 'B', [
      local.total.gzip,
    ]);
    record.baseline('baseline.gzip', 'Lit+context+adapter+nanoevents, gzip', 'B', [baseline.gzip]);
    record.baseline('baseline.brotli', 'Lit+context+adapter+nanoevents, brotli', 'B', [
      baseline.brotli,
    ]);
    record.figure('own.gzip', "comms-kit's own code, gzip", 'B', [
      cdn.initial.gzip - baseline.gzip,
    ]);
    record.figure('own.brotli', "comms-kit's own code, brotli", 'B', [
      cdn.initial.brotli - baseline.brotli,
    ]);
    record.ratio('cdn/baseline.gzip', 'CDN bundle ÷ baseline, gzip', 'cdn.gzip', 'baseline.gzip');
    record.target('cdn.gzip', '<=', budgets.cdnGzip, 'B', 'CDN initial load ≤ 45 KB gzip');
    record.target('own.gzip', '<=', budgets.ownGzip, 'B', 'own code ≤ 24 KB gzip');
    record.notes.push(
      `raw: initial ${cdn.initial.raw} B, baseline ${baseline.raw} B; gzip level 9, brotli quality 11; 1 KB = 1,000 B`,
      `lazy chunks: ${cdn.lazy.map((c) => `${c.fileName} ${c.sizes.gzip} B gzip`).join(', ') || 'none'}`,
    );
    context.log('bundling cdn.ts unminified for the breakdown');
    record.notes.push(
      `where the bytes go (each group minified and gzipped alone):\n${formatBreakdown(breakdown(await bundleCdn({ minify: false })))}`,
    );
  },
};
