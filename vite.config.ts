/**
 * Serving (`vite`, and the browser tests through it) uses one dev configuration. Three builds,
 * chosen by `--mode`:
 * - `lib`: the npm output for browsers and bundlers (`.`, `./core`, `./elements`), ES modules
 *   with their module structure kept so `sideEffects` tree-shaking works; dependencies external.
 * - `server`: the gateway for Node (`./server`, the `comms-kit-server` bin) in `dist/node/`,
 *   dependencies external.
 * - `cdn`: one self-contained, minified ES module and one IIFE (global `CommsKit`).
 * Declarations come from `tsc -p tsconfig.build.json`.
 */
import { builtinModules } from 'node:module';
import { readFileSync } from 'node:fs';
import { defineConfig, type UserConfig } from 'vite';

const pkg = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as {
  dependencies: Record<string, string>;
};
const deps = Object.keys(pkg.dependencies);
const external = (id: string) =>
  id.startsWith('node:') ||
  builtinModules.includes(id) ||
  deps.some((d) => id === d || id.startsWith(`${d}/`));

const preserve = {
  preserveModules: true,
  preserveModulesRoot: '.',
  entryFileNames: '[name].js',
};

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
          'components/all': 'components/all.ts',
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
  cdn: {
    define: { 'process.env.NODE_ENV': JSON.stringify('production') },
    build: {
      outDir: 'dist/cdn',
      emptyOutDir: true,
      target: 'es2022',
      minify: true,
      sourcemap: true,
      lib: {
        entry: 'cdn.ts',
        name: 'CommsKit',
        formats: ['es', 'iife'],
        fileName: (format) => (format === 'es' ? 'comms-kit.js' : 'comms-kit.iife.js'),
      },
    },
  },
};

/** `vite` (serve): the dev server for local development. */
const serve: UserConfig = {
  clearScreen: false,
  logLevel: 'warn',
  server: { host: '127.0.0.1' },
  // CommonJS dependencies (webrtc-adapter's factory, sdp-transform) are pre-bundled to ESM.
  optimizeDeps: {
    include: ['webrtc-adapter/dist/adapter_factory.js', 'sdp-transform'],
  },
};

export default defineConfig(({ command, mode }) => {
  if (command === 'serve') return serve;
  const config = builds[mode];
  if (!config) throw new Error(`vite.config.ts: unknown mode '${mode}'; use lib, server or cdn`);
  return config;
});
