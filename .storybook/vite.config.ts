/**
 * The Vite configuration Storybook builds the stories with (dev server and static build).
 * Like the package's dev server, it pre-bundles the CommonJS dependencies to ESM. It also
 * serves `custom-elements.json` (written by `npm run build:manifest`, which the Storybook
 * scripts run first) as the module `comms-kit:manifest`, so the type check never depends on a
 * built file, and the dev server reloads when the manifest is written again.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';

const MANIFEST_ID = 'comms-kit:manifest';
const manifestPath = fileURLToPath(new URL('../custom-elements.json', import.meta.url));

function manifest(): Plugin {
  const resolved = `\0${MANIFEST_ID}`;
  return {
    name: 'comms-kit-manifest',
    resolveId: (id) => (id === MANIFEST_ID ? resolved : undefined),
    load(id) {
      if (id !== resolved) return undefined;
      this.addWatchFile(manifestPath);
      let text: string;
      try {
        text = readFileSync(manifestPath, 'utf8');
      } catch {
        throw new Error(
          'custom-elements.json is missing: run `npm run build:manifest` (the storybook scripts do)',
        );
      }
      return `export default ${text};`;
    },
  };
}

export default defineConfig({
  clearScreen: false,
  server: { host: '127.0.0.1' },
  plugins: [manifest()],
  // Storybook's own manager and docs chunks are about 1 MB; ours are far below.
  build: { chunkSizeWarningLimit: 1500 },
  optimizeDeps: {
    include: ['webrtc-adapter/dist/adapter_factory.js', 'sdp-transform'],
  },
});
