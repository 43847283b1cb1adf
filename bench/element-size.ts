/**
 * What a page built with a bundler pays for the elements it uses: for each element the package
 * exports one by one (`comms-kit/elements/<name>`, read from `exports` in `package.json`), a
 * page that imports `comms-kit/elements/client` (the provider, and with it the core) and that
 * element, bundled through the package's exports from the built files, with the CDN build's
 * Vite settings, in memory (`bundleImports` in `bench/lib/size.ts`). Gzip:
 * - initial load and total with the lazy chunks, as `cdn-size` and `core-size` define them
 *   (`BundleSizes`);
 * - the element over the provider: that page's initial load minus the initial load of a page
 *   that imports `comms-kit/elements/client` alone (the baseline, bundled in the same run; each
 *   compressed on its own, so an estimate).
 * Also shown: a page that imports `comms-kit/elements` (every element), the same way.
 *
 * No targets: issue 8's targets are on the whole CDN bundle (`cdn-size`). Sizes are
 * deterministic: one build each.
 */
import type { Benchmark } from './lib/benchmark.js';
import { checkAborted } from './lib/benchmark.js';
import { bundleImports, bundleSizes, elementSubpaths, type BundleSizes } from './lib/size.js';

const provider = 'comms-kit/elements/client';

export const elementSize: Benchmark = {
  name: 'element-size',
  title: 'One element through the package exports, bundled',
  timeoutMs: () => 300e3,
  async run(context, record) {
    const names = elementSubpaths();
    if (!names.includes('client')) {
      throw new Error(`package.json exports no ${provider}; elements: ${names.join(', ')}`);
    }
    const note = 'deterministic: one build';
    const lazyNote = (sizes: BundleSizes) =>
      sizes.lazy.map((c) => `${c.fileName} ${c.sizes.gzip} B`).join(', ') || 'none';

    context.log(`bundling a page that imports ${provider}`);
    const alone = bundleSizes(await bundleImports([provider]));
    record.baseline(
      'client.gzip',
      '<comms-client> alone, initial load, gzip',
      'B',
      [alone.initial.gzip],
      note,
    );
    record.figure('client.total.gzip', '<comms-client> alone, with lazy chunks, gzip', 'B', [
      alone.total.gzip,
    ]);
    record.notes.push(
      `<comms-client> alone: initial ${alone.initial.gzip} B gzip, ${alone.initial.brotli} B brotli, ${alone.initial.raw} B raw; lazy chunks: ${lazyNote(alone)}`,
    );

    for (const name of names.filter((n) => n !== 'client')) {
      checkAborted(context.signal);
      const specifier = `comms-kit/elements/${name}`;
      context.log(`bundling a page that imports ${provider} and ${specifier}`);
      const page = bundleSizes(await bundleImports([provider, specifier]));
      const tag = `<comms-${name}>`;
      record.figure(`${name}.gzip`, `client + ${tag}, initial load, gzip`, 'B', [
        page.initial.gzip,
      ]);
      record.figure(`${name}.total.gzip`, `client + ${tag}, with lazy chunks, gzip`, 'B', [
        page.total.gzip,
      ]);
      record.figure(`${name}.own.gzip`, `${tag} over client alone, gzip`, 'B', [
        page.initial.gzip - alone.initial.gzip,
      ]);
      record.notes.push(
        `client + ${tag}: initial ${page.initial.gzip} B gzip, ${page.initial.brotli} B brotli, ${page.initial.raw} B raw; lazy chunks: ${lazyNote(page)}`,
      );
    }

    checkAborted(context.signal);
    context.log('bundling a page that imports comms-kit/elements (every element)');
    const all = bundleSizes(await bundleImports(['comms-kit/elements']));
    record.figure('all.gzip', 'comms-kit/elements (all), initial load, gzip', 'B', [
      all.initial.gzip,
    ]);
    record.figure('all.total.gzip', 'comms-kit/elements (all), with lazy chunks, gzip', 'B', [
      all.total.gzip,
    ]);
    record.notes.push(
      `comms-kit/elements: initial ${all.initial.gzip} B gzip, ${all.initial.brotli} B brotli, ${all.initial.raw} B raw; lazy chunks: ${lazyNote(all)}`,
      'gzip level 9, brotli quality 11; 1 KB = 1,000 B',
    );
  },
};
