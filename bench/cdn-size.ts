/**
 * CDN bundle size: `dist/cdn/comms-kit.js` (every element, the core, Lit, @lit/context,
 * webrtc-adapter, nanoevents, sdp-transform), gzip and brotli.
 *
 * Baseline, built in the same run: what the CDN bundle imports from Lit, @lit/context,
 * webrtc-adapter and nanoevents (found by walking the import graph from `cdn.ts`), bundled alone
 * with the same Vite settings. "comms-kit's own code" is the bundle minus the baseline
 * (compressed separately, so an estimate: the two share a compression window in the bundle).
 *
 * Also shown, without a target: the IIFE build (`comms-kit.iife.js`, for a classic `<script>`).
 *
 * Targets: whole bundle ≤ 45 KB gzip; own code ≤ 24 KB gzip. Sizes are deterministic: one run.
 */
import type { Benchmark } from './lib/benchmark.js';
import { budgets, bundleBaseline, cdnIifePath, measure, readCdnBundle } from './lib/size.js';

export const cdnSize: Benchmark = {
  name: 'cdn-size',
  title: 'CDN bundle size',
  timeoutMs: () => 120e3,
  async run(context, record) {
    const cdn = measure(readCdnBundle());
    context.log('bundling the baseline (lit, @lit/context, webrtc-adapter, nanoevents)');
    const baseline = measure(await bundleBaseline());
    const note = 'deterministic: one build';
    record.figure('cdn.gzip', 'CDN bundle, gzip', 'B', [cdn.gzip], note);
    record.figure('cdn.brotli', 'CDN bundle, brotli', 'B', [cdn.brotli], note);
    const iife = measure(readCdnBundle(cdnIifePath));
    record.figure('iife.gzip', 'CDN IIFE bundle, gzip', 'B', [iife.gzip], note);
    record.baseline('baseline.gzip', 'Lit+context+adapter+nanoevents, gzip', 'B', [baseline.gzip]);
    record.baseline('baseline.brotli', 'Lit+context+adapter+nanoevents, brotli', 'B', [
      baseline.brotli,
    ]);
    record.figure('own.gzip', "comms-kit's own code, gzip", 'B', [cdn.gzip - baseline.gzip]);
    record.figure('own.brotli', "comms-kit's own code, brotli", 'B', [
      cdn.brotli - baseline.brotli,
    ]);
    record.ratio('cdn/baseline.gzip', 'CDN bundle ÷ baseline, gzip', 'cdn.gzip', 'baseline.gzip');
    record.target('cdn.gzip', '<=', budgets.cdnGzip, 'B', 'CDN bundle ≤ 45 KB gzip');
    record.target('own.gzip', '<=', budgets.ownGzip, 'B', 'own code ≤ 24 KB gzip');
    record.notes.push(
      `raw: bundle ${cdn.raw} B, baseline ${baseline.raw} B; gzip level 9, brotli quality 11; 1 KB = 1,000 B`,
    );
  },
};
