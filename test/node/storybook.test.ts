/**
 * The Storybook catalog builds and its stories render: it builds the static Storybook (what
 * `npm run build-storybook` makes) into a temp folder, serves it on loopback, and opens every
 * story's iframe in Debian's Chromium with fake camera and microphone. Each story must render
 * its element (content in its shadow root) without an uncaught error or a console error; the
 * connected video call must show Bob's (fake) camera; the theme and language globals must
 * reach the elements; and the reconnecting story, pointed at a real gateway, must show the
 * client really waiting to reconnect.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import Fastify, { type FastifyInstance } from 'fastify';
import fastifyStatic from '@fastify/static';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startGateway, type Gateway } from '../helpers/gateway.js';
import { chromeArgs, findChrome } from '../../scripts/chrome.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));
const storybookPackage = createRequire(import.meta.url)('storybook/package.json') as {
  bin: string | Record<string, string>;
};
/** The `storybook` command (what `npm run build-storybook` runs). */
const storybookBin = join(
  root,
  'node_modules/storybook',
  typeof storybookPackage.bin === 'string' ? storybookPackage.bin : storybookPackage.bin.storybook!,
);

/** Runs `command` with Node in the package root; rejects with its output if it fails. */
async function run(args: string[]): Promise<void> {
  const child = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const [code] = (await once(child, 'exit')) as [number | null];
  if (code !== 0) throw new Error(`${args.join(' ')} exited with ${code}:\n${output}`);
}

interface IndexEntry {
  id: string;
  title: string;
  name: string;
  type: 'story' | 'docs';
}

/** What a story's page reports: the element's shadow content, and what went wrong. */
interface Rendered {
  shadowText: string;
  errors: string[];
}

describe('the Storybook catalog', { timeout: 300_000 }, () => {
  let out: string;
  let server: FastifyInstance;
  let base: string;
  let browser: Browser;
  let stories: IndexEntry[];

  before(
    async () => {
      out = mkdtempSync(join(tmpdir(), 'comms-storybook-'));
      // The manifest feeds the controls; `npm test` builds it before the Node tests.
      if (!existsSync(join(root, 'custom-elements.json'))) {
        await run([join(root, 'node_modules/.bin/cem'), 'analyze']);
      }
      await run([storybookBin, 'build', '--output-dir', out, '--quiet', '--disable-telemetry']);
      const index = JSON.parse(readFileSync(join(out, 'index.json'), 'utf8')) as {
        entries: Record<string, IndexEntry>;
      };
      stories = Object.values(index.entries).filter((e) => e.type === 'story');
      server = Fastify();
      await server.register(fastifyStatic, { root: out });
      // Storybook ships favicon.svg; the browser still asks for /favicon.ico.
      server.get('/favicon.ico', (_request, reply) => reply.code(204).send());
      base = await server.listen({ host: '127.0.0.1', port: 0 });
      browser = await chromium.launch({ executablePath: findChrome(), args: chromeArgs });
    },
    { timeout: 120_000 },
  );

  after(async () => {
    await browser?.close();
    await server?.close();
    if (out) rmSync(out, { recursive: true, force: true });
  });

  /**
   * Opens story `id` (with URL `extra` such as `&globals=…`), waits until `ready` holds in the
   * page, and reports. Errors are uncaught exceptions and console errors, except the refused
   * connections a story makes on purpose (`expectRefused`).
   */
  async function open(
    id: string,
    {
      extra = '',
      ready = '',
      expectRefused = false,
    }: { extra?: string; ready?: string; expectRefused?: boolean } = {},
  ): Promise<Rendered & { page: Page }> {
    const context = await browser.newContext({ viewport: { width: 480, height: 900 } });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(`uncaught: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() !== 'error') return;
      const text = message.text();
      if (expectRefused && /ERR_CONNECTION_REFUSED|WebSocket connection to/.test(text)) return;
      const { url } = message.location();
      errors.push(`console: ${text}${url ? ` (${url})` : ''}`);
    });
    await page.goto(`${base}/iframe.html?id=${id}&viewMode=story${extra}`);
    // Storybook shows the story once its loaders ran and it rendered, or shows the error.
    await page.waitForSelector('body.sb-show-main, body.sb-show-errordisplay', { timeout: 60_000 });
    if (await page.$('body.sb-show-errordisplay')) {
      errors.push(`story error: ${await page.textContent('#error-message')}`);
      return { page, shadowText: '', errors };
    }
    await page.waitForFunction(
      () => {
        const root = document.querySelector('#storybook-root');
        const element = root?.querySelector(
          'comms-client, comms-dialer, comms-call-view, comms-device-picker',
        );
        return !!element?.shadowRoot?.childElementCount;
      },
      undefined,
      { timeout: 30_000 },
    );
    if (ready) await page.waitForFunction(ready, undefined, { timeout: 30_000 });
    const shadowText = await page.evaluate(() => {
      const texts: string[] = [];
      for (const el of document.querySelectorAll('#storybook-root *')) {
        if (el.shadowRoot) texts.push(el.shadowRoot.textContent ?? '');
      }
      return texts.join(' ').replace(/\s+/g, ' ').trim();
    });
    return { page, shadowText, errors };
  }

  it('lists a story for each element and its states', () => {
    const titles = new Set(stories.map((s) => s.title));
    assert.deepEqual([...titles].sort(), [
      'Elements/Call view',
      'Elements/Client',
      'Elements/Device picker',
      'Elements/Dialer',
    ]);
    assert.ok(stories.length >= 25, `only ${stories.length} stories`);
  });

  // Every story, one page each: about 17 s, over the 20 s a test file gets in `npm test`,
  // so it runs on demand: STORYBOOK_ALL=1 node --import tsx --test test/node/storybook.test.ts
  it(
    'renders every story without an error',
    { timeout: 120_000, skip: process.env.STORYBOOK_ALL ? false : 'set STORYBOOK_ALL=1' },
    async () => {
      const failures: string[] = [];
      for (const story of stories) {
        // Reconnecting needs a gateway; the last test gives it one.
        if (story.id === 'elements-client--reconnecting') continue;
        const { page, errors } = await open(story.id, { expectRefused: /offline/.test(story.id) });
        if (errors.length) failures.push(`${story.id}: ${errors.join('; ')}`);
        await page.context().close();
      }
      assert.deepEqual(failures, []);
    },
  );

  it('carries real video in the connected video call', async () => {
    const { page, errors } = await open('elements-call-view--connected-video', {
      ready: `(() => {
        const view = document.querySelector('comms-call-view');
        const video = view?.shadowRoot?.querySelector('[part="remote-video"] video');
        return (video?.videoWidth ?? 0) > 0;
      })()`,
    });
    assert.deepEqual(errors, []);
    await page.context().close();
  });

  it('applies the theme and language globals to the elements', async () => {
    const colors = async (extra: string) => {
      const { page, shadowText, errors } = await open('elements-dialer--typing-a-name', { extra });
      const background = await page.evaluate(() => {
        const dialer = document.querySelector('comms-dialer')!;
        const input = dialer.shadowRoot!.querySelector('input')!;
        return getComputedStyle(input).backgroundColor;
      });
      await page.context().close();
      assert.deepEqual(errors, []);
      return { background, shadowText };
    };
    const light = await colors('&globals=theme:light;lang:en');
    const dark = await colors('&globals=theme:dark;lang:fr');
    assert.equal(light.background, 'rgb(255, 255, 255)');
    assert.equal(dark.background, 'rgb(27, 27, 31)');
    assert.match(light.shadowText, /Will call bob/);
    assert.match(dark.shadowText, /Appellera bob/);
  });

  describe('with a gateway', () => {
    let gateway: Gateway;
    before(async () => {
      gateway = await startGateway();
    });
    after(async () => {
      await gateway?.stop();
    });

    it('shows a client really waiting to reconnect', async () => {
      const port = new URL(gateway.url).port;
      const { page, shadowText, errors } = await open('elements-client--reconnecting', {
        extra: `&args=gatewayPort:${port}`,
        ready: `(() => {
          const dialer = document.querySelector('comms-dialer');
          return !!dialer?.shadowRoot?.querySelector('[part="connection"][data-status="reconnecting"]');
        })()`,
      });
      assert.match(shadowText, /Reconnecting \(attempt 1\)/);
      assert.deepEqual(errors, []);
      await page.context().close();
    });
  });
});
