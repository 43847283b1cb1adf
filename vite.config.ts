/**
 * Serving (`vite`, and the browser tests through it) uses one dev configuration. Three builds,
 * chosen by `--mode`:
 * - `lib`: the npm output for browsers and bundlers (`.`, `./core`, `./elements`, and
 *   `./elements/<name>`: one define module each), ES modules with their module structure kept
 *   so `sideEffects` tree-shaking works; dependencies external.
 * - `server`: the gateway for Node (`./server`, the `comms-kit-server` bin) in `dist/node/`,
 *   dependencies external.
 * - `cdn`: one self-contained, minified ES module and one IIFE (global `CommsKit`).
 * Declarations come from `tsc -p tsconfig.build.json`.
 *
 * `cdnBundling` is shared with the size measurements (`bench/lib/size.ts`), so what they bundle
 * in memory is minified exactly as the CDN build is.
 */
import { builtinModules } from 'node:module';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import minifyHtmlLiterals from '@lit-labs/rollup-plugin-minify-html-literals';
import { defineConfig, type PluginOption, type UserConfig } from 'vite';

const root = new URL('./', import.meta.url);
const pkg = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as {
  dependencies: Record<string, string>;
};
const deps = Object.keys(pkg.dependencies);
const external = (id: string) =>
  id.startsWith('node:') ||
  builtinModules.includes(id) ||
  deps.some((d) => id === d || id.startsWith(`${d}/`));

/**
 * The define modules, `components/<name>/comms-<name>.ts`: each is an entry of the `lib` build
 * of its own (`comms-kit/elements/<name>` in `package.json`'s `exports`), so it is emitted at
 * `dist/components/<name>/comms-<name>.js` whatever `components/all.ts` imports.
 */
const defineModules = Object.fromEntries(
  readdirSync(new URL('./components/', import.meta.url), { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && entry.name !== 'shared')
    .map((entry) => `components/${entry.name}/comms-${entry.name}`)
    .map((name) => [name, `${name}.ts`]),
);

const preserve = {
  preserveModules: true,
  preserveModulesRoot: '.',
  entryFileNames: '[name].js',
};

/**
 * How the CDN build (and the size benchmarks' in-memory bundles) minify. Vite's library mode
 * leaves the whitespace of ES output (and `@__PURE__` comments) for a later bundler; the CDN
 * file is the end product a page loads, so it is minified fully, like the IIFE.
 */
export const cdnBundling = {
  define: { 'process.env.NODE_ENV': JSON.stringify('production') },
  target: 'es2022',
  output: { minify: true, comments: false },
  /**
   * The entry may export more than `cdn.ts` does (internal, minified names), so the modules it
   * shares with its lazy chunks (webrtc-adapter's browser detection, the CommonJS helpers) stay
   * in it instead of becoming more files the first load must fetch.
   */
  preserveEntrySignatures: 'allow-extension',
} as const;

/**
 * The plugins of the CDN build (and of the size benchmarks' bundles): the Lit team's minifier of
 * `html` and `css` tagged templates (html-minifier-next, lightningcss), which keeps Lit's
 * bindings intact. Only this repository's components; a template it cannot minify fails the
 * build rather than passing through silently.
 */
export function cdnPlugins(): PluginOption[] {
  return [
    minifyHtmlLiterals({
      include: ['components/**/*.ts'],
      failOnError: true,
    }) as PluginOption,
    browserDetectionAlone(),
  ];
}

/**
 * `core/platform/browser.ts` takes webrtc-adapter's `detectBrowser` from the adapter's
 * `utils.js`, a module its shims (a lazy chunk) use whole. A bundler does not split a module
 * between chunks: the entry would carry all of `utils.js` (the shims' event wrapping and stats
 * helpers), and the CommonJS helpers would stay there with it. So the detection's import is
 * resolved to a module of its own, `utils.js?detection`: the same file, unchanged, of which
 * tree-shaking keeps `detectBrowser` and `extractVersion`; the shims' chunk keeps its own
 * `utils.js` (the two functions twice, ~0.3 KB, in the ES build's lazy chunk). The IIFE loads
 * no chunks: it does not need this, nor does the npm build (a page's own bundler decides).
 */
function browserDetectionAlone(): PluginOption {
  const importer = fileURLToPath(new URL('core/platform/browser.ts', root));
  return {
    name: 'comms-kit-browser-detection-alone',
    enforce: 'pre',
    async resolveId(source, from, options) {
      if (source !== 'webrtc-adapter/src/js/utils.js' || from !== importer) return null;
      const resolved = await this.resolve(source, from, { ...options, skipSelf: true });
      return resolved && { ...resolved, id: `${resolved.id}?detection` };
    },
  };
}

/**
 * The modules `dist/cdn/local.js` imports from `comms-kit.js` instead of bundling a copy: the
 * ones whose identity matters (`CommsError`, which the client tests with `instanceof`;
 * `createClient`, so `scriptUser`'s clients are the page's), and the call transitions. Every
 * name the in-page backend imports from them is a public export of the CDN module. The rest it
 * imports (protocol constants, presence helpers) are plain values and pure functions, bundled;
 * `test/node/size.test.ts` checks that local.js holds nothing else of the core.
 */
export const cdnSharedModules = ['core/errors.ts', 'core/client.ts', 'core/call/signalling.ts'];

/** Resolves an import of one of {@link cdnSharedModules} to `./comms-kit.js`, external. */
function importFromCdnModule(): PluginOption {
  const shared = new Set(cdnSharedModules.map((file) => fileURLToPath(new URL(file, root))));
  return {
    name: 'comms-kit-import-from-cdn-module',
    enforce: 'pre',
    async resolveId(source, importer, options) {
      if (!importer || !source.startsWith('.')) return null;
      const resolved = await this.resolve(source, importer, { ...options, skipSelf: true });
      return resolved && shared.has(resolved.id)
        ? { id: './comms-kit.js', external: 'relative' }
        : null;
    },
  };
}

/**
 * One of the CDN builds into `dist/cdn` (`first` empties it): an ES module that keeps its
 * entry's signature and may load chunks, or with `iife` a classic script setting that global.
 */
function cdnBuild(o: {
  entry: string;
  fileName: string;
  plugins: PluginOption[];
  first?: boolean;
  iife?: string;
}): UserConfig {
  return {
    define: cdnBundling.define,
    plugins: o.plugins,
    build: {
      outDir: 'dist/cdn',
      emptyOutDir: !!o.first,
      target: cdnBundling.target,
      minify: true,
      rollupOptions: o.iife
        ? { output: cdnBundling.output }
        : {
            preserveEntrySignatures: cdnBundling.preserveEntrySignatures,
            output: cdnBundling.output,
          },
      sourcemap: true,
      lib: {
        entry: o.entry,
        ...(o.iife && { name: o.iife }),
        formats: [o.iife ? 'iife' : 'es'],
        fileName: () => o.fileName,
      },
    },
  };
}

const builds: Record<string, UserConfig> = {
  lib: {
    build: {
      outDir: 'dist',
      emptyOutDir: true,
      target: 'es2022',
      minify: false,
      sourcemap: true,
      lib: {
        entry: {
          index: 'index.ts',
          'core/index': 'core/index.ts',
          'core/local': 'core/local.ts',
          'core/sip': 'core/sip.ts',
          'components/all': 'components/all.ts',
          ...defineModules,
        },
        formats: ['es'],
      },
      rollupOptions: { external, output: preserve },
    },
  },
  server: {
    build: {
      ssr: true,
      // Its own tree: preserved modules it shares with the browser build (core/protocol…)
      // are tree-shaken for Node and must not overwrite the browser build's copies.
      outDir: 'dist/node',
      emptyOutDir: true,
      target: 'node20',
      minify: false,
      sourcemap: true,
      rollupOptions: {
        input: { 'server/index': 'server/index.ts', 'server/bin': 'server/bin.ts' },
        external,
        output: { ...preserve, format: 'es' },
      },
    },
  },
  cdn: cdnBuild({ entry: 'cdn.ts', fileName: 'comms-kit.js', plugins: cdnPlugins(), first: true }),
  /**
   * `dist/cdn/local.js`, built after `cdn` into the same folder: the in-page backend
   * (`comms-kit/local`) for a page that loads it next to `comms-kit.js`, taking the core from
   * there (see {@link cdnSharedModules}). Its own build, not a second entry of `cdn`: with two
   * entries Rolldown moves what they share, and its runtime helpers, out of `comms-kit.js`
   * into more files the first load must fetch.
   */
  'cdn-local': cdnBuild({
    entry: 'core/local.ts',
    fileName: 'local.js',
    plugins: [importFromCdnModule()],
  }),
  /**
   * The IIFE (global `CommsKit`), built after `cdn` into the same folder: it cannot load chunks
   * or a second file sharing its core, so its entry (`cdn-iife.ts`) carries everything, the
   * in-page backend too.
   */
  'cdn-iife': cdnBuild({
    entry: 'cdn-iife.ts',
    fileName: 'comms-kit.iife.js',
    plugins: cdnPlugins(),
    iife: 'CommsKit',
  }),
};

/** `vite` (serve): the dev server for local development. */
const serve: UserConfig = {
  clearScreen: false,
  logLevel: 'warn',
  server: { host: '127.0.0.1' },
  // CommonJS dependencies (webrtc-adapter's factory, sdp-transform) are pre-bundled to ESM.
  optimizeDeps: {
    include: [
      'webrtc-adapter/src/js/adapter_factory.js',
      'webrtc-adapter/src/js/utils.js',
      'sdp-transform',
    ],
  },
};

export default defineConfig(({ command, mode }) => {
  if (command === 'serve') return serve;
  const config = builds[mode];
  if (!config)
    throw new Error(
      `vite.config.ts: unknown mode '${mode}'; use lib, server, cdn, cdn-local or cdn-iife`,
    );
  return config;
});
