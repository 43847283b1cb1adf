/**
 * One element per import, as a user of a bundler gets it: a page whose only code is
 * `import 'comms-kit/elements/<name>'`, bundled through the package's `exports` and
 * `sideEffects` from the built files (`bundleImports` in `bench/lib/size.ts`: Vite with the CDN
 * build's settings), runs in Chromium and defines exactly that tag, of the eight, and the
 * element renders. Controls: `comms-kit/elements` defines all eight, and two subpaths define
 * both. esbuild, a second bundler, keeps the one define too. Runs after `npm run build`.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { build } from 'esbuild';
import type { Browser } from 'playwright-core';
import { launchChromium } from '../../bench/lib/chromium.js';
import { bundleImports, elementSubpaths, root } from '../../bench/lib/size.js';
import { startStaticServer, type StaticServer } from '../../bench/lib/static-server.js';

/** Every tag the components define (one `components/<name>/comms-<name>.ts` per folder). */
const tags = readdirSync(join(root, 'components'), { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && entry.name !== 'shared')
  .map((entry) => `comms-${entry.name}`);

/** The pages: a name and the specifiers it imports. */
const pages: Record<string, string[]> = {
  ...Object.fromEntries(elementSubpaths().map((name) => [name, [`comms-kit/elements/${name}`]])),
  'client-and-dialer': ['comms-kit/elements/client', 'comms-kit/elements/dialer'],
  all: ['comms-kit/elements'],
};

/**
 * The page: loads its bundle, then reports which of the eight tags are defined and, for each
 * defined one, whether an instance put in the page rendered into its shadow root.
 */
const html = (name: string, entry: string) => `<!doctype html><html lang="en"><head>
<meta charset="utf-8"><title>${name}</title></head><body><script type="module">
  const tags = ${JSON.stringify(tags)};
  await import('/bundles/${name}/${entry}');
  const defined = tags.filter((tag) => customElements.get(tag) !== undefined);
  const rendered = [];
  for (const tag of defined) {
    const element = document.body.appendChild(document.createElement(tag));
    await element.updateComplete;
    if (element.shadowRoot && element.shadowRoot.childNodes.length > 0) rendered.push(tag);
  }
  window.result = { defined, rendered };
</script></body></html>`;

describe('one element per import (comms-kit/elements/<name>), bundled, in Chromium', () => {
  let dir: string;
  let server: StaticServer;
  let browser: Browser;

  before(async () => {
    assert.equal(tags.length, 8, `tags: ${tags.join(', ')}`);
    dir = mkdtempSync(join(tmpdir(), 'comms-kit-element-imports-'));
    const served: Record<string, string> = {};
    for (const [name, specifiers] of Object.entries(pages)) {
      const chunks = await bundleImports(specifiers);
      for (const chunk of chunks) {
        const file = join(dir, name, chunk.fileName);
        mkdirSync(dirname(file), { recursive: true });
        writeFileSync(file, chunk.code);
      }
      const entry = chunks.find((c) => c.isEntry)!.fileName;
      served[`/${name}.html`] = html(name, entry);
    }
    server = await startStaticServer({ pages: served, prefix: '/bundles/', dir });
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** Loads one page in a fresh context; its defined and rendered tags, and any page error. */
  async function load(name: string): Promise<{ defined: string[]; rendered: string[] }> {
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (error) => errors.push(error.message));
      await page.goto(`${server.url}/${name}.html`);
      await page.waitForFunction('window.result || null');
      assert.deepEqual(errors, [], `errors on ${name}`);
      return (await page.evaluate('window.result')) as { defined: string[]; rendered: string[] };
    } finally {
      await context.close();
    }
  }

  for (const name of elementSubpaths()) {
    it(`comms-kit/elements/${name} defines <comms-${name}> and no other element`, async () => {
      const { defined, rendered } = await load(name);
      assert.deepEqual(defined, [`comms-${name}`]);
      assert.deepEqual(rendered, [`comms-${name}`]);
    });
  }

  it('comms-kit/elements/client and comms-kit/elements/dialer define those two', async () => {
    const { defined, rendered } = await load('client-and-dialer');
    assert.deepEqual(defined.sort(), ['comms-client', 'comms-dialer']);
    assert.deepEqual(rendered.sort(), ['comms-client', 'comms-dialer']);
  });

  it('comms-kit/elements defines all eight (the check sees every tag)', async () => {
    const { defined, rendered } = await load('all');
    assert.deepEqual(defined.sort(), [...tags].sort());
    assert.deepEqual(rendered.sort(), [...tags].sort());
  });
});

describe('one element per import, bundled by esbuild', () => {
  it('comms-kit/elements/<name> keeps the define of <comms-<name>> and of no other element', async () => {
    for (const name of elementSubpaths()) {
      const result = await build({
        stdin: { contents: `import 'comms-kit/elements/${name}';`, resolveDir: root },
        bundle: true,
        write: false,
        format: 'esm',
        minify: true,
        logLevel: 'silent',
        outdir: join(root, 'dist', 'esbuild-check'), // not written (write: false)
      });
      const code = result.outputFiles.map((file) => file.text).join('\n');
      const defined = [...code.matchAll(/customElements\.define\("(comms-[a-z-]+)"/g)].map(
        (match) => match[1],
      );
      assert.deepEqual(defined, [`comms-${name}`], `what esbuild keeps for ${name}`);
    }
  });
});
