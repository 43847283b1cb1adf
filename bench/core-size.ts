/**
 * `comms-kit/core` alone: `core/index.ts` bundled with its dependencies (nanoevents,
 * webrtc-adapter, sdp-transform), minified with the CDN build's Vite settings, in memory. What
 * a page pays that uses the headless SDK without the elements.
 *
 * webrtc-adapter's shims and sdp-transform are loaded with `import()`, so they are chunks of
 * their own: the figure judged is the initial load (the entry chunk and its static imports),
 * and the total with the lazy chunks is shown beside it (see `BundleSizes` in
 * `bench/lib/size.ts`). The notes carry the breakdown by package and folder.
 *
 * Also shown, without a target: a page whose only use of the core is `createClient` (bundled
 * from source the same way), which a bundler trims of what the client does not reach (the
 * constants, SDP handlers and helpers exported beside it). The in-page backend is not in the
 * core at all: it is `comms-kit/local` (its CDN file is measured by `cdn-size`).
 *
 * Target: initial load ≤ 20 KB gzip. No baseline. Deterministic: one build.
 */
import type { Benchmark } from './lib/benchmark.js';
import {
  breakdown,
  budgets,
  bundle,
  bundleCore,
  bundleSizes,
  formatBreakdown,
} from './lib/size.js';

/** A page whose only use of the core is a client. */
const clientOnly = `import { createClient } from '/core/index.ts';
globalThis.client = createClient({});`;

export const coreSize: Benchmark = {
  name: 'core-size',
  title: 'comms-kit/core bundle size',
  timeoutMs: () => 120e3,
  async run(context, record) {
    context.log('bundling core/index.ts');
    const core = bundleSizes(await bundleCore());
    const note = 'deterministic: one build';
    record.figure('core.gzip', 'core bundle, initial load, gzip', 'B', [core.initial.gzip], note);
    record.figure('core.brotli', 'core bundle, initial load, brotli', 'B', [core.initial.brotli]);
    record.figure('core.total.gzip', 'core bundle with its lazy chunks, gzip', 'B', [
      core.total.gzip,
    ]);
    const page = bundleSizes(await bundle({ source: clientOnly }));
    record.figure('client.gzip', 'a page using createClient alone, initial load, gzip', 'B', [
      page.initial.gzip,
    ]);
    record.target('core.gzip', '<=', budgets.coreGzip, 'B', 'core initial load ≤ 20 KB gzip');
    record.notes.push(
      `raw: initial ${core.initial.raw} B, total ${core.total.raw} B`,
      `lazy chunks: ${core.lazy.map((c) => `${c.fileName} ${c.sizes.gzip} B gzip`).join(', ') || 'none'}`,
      `where the bytes go (each group minified and gzipped alone):\n${formatBreakdown(breakdown(await bundleCore({ minify: false })))}`,
    );
  },
};
