/**
 * `comms-kit/core` alone: `core/index.ts` bundled with its dependencies (nanoevents,
 * webrtc-adapter's factory, sdp-transform), minified with the CDN build's Vite settings, in
 * memory. What a page pays that uses the headless SDK without the elements.
 *
 * Target: ≤ 20 KB gzip. No baseline. Deterministic: one build.
 */
import type { Benchmark } from './lib/benchmark.js';
import { budgets, bundleCore, measure } from './lib/size.js';

export const coreSize: Benchmark = {
  name: 'core-size',
  title: 'comms-kit/core bundle size',
  timeoutMs: () => 120e3,
  async run(context, record) {
    context.log('bundling core/index.ts');
    const core = measure(await bundleCore());
    const note = 'deterministic: one build';
    record.figure('core.gzip', 'core bundle, gzip', 'B', [core.gzip], note);
    record.figure('core.brotli', 'core bundle, brotli', 'B', [core.brotli], note);
    record.target('core.gzip', '<=', budgets.coreGzip, 'B', 'core ≤ 20 KB gzip');
    record.notes.push(`raw: ${core.raw} B`);
  },
};
