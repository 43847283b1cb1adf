/**
 * The Storybook catalog builds and its stories render. It builds the static Storybook (what
 * `npm run build-storybook` makes) into a temp folder, serves it on loopback, and opens it in
 * Debian's Chromium with fake camera and microphone (one page, stories switched as the
 * Storybook UI switches them). Every story must render its element (text in its shadow root)
 * without an uncaught error or a console error; the connected video call must show Bob's
 * (fake) camera; the theme and language globals must reach the elements; and the reconnecting
 * story, pointed at a real gateway, must show the client really waiting to reconnect.
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

/** Runs Node with `args` in the package root; rejects with the output if it fails. */
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
  type: 'story' | 'docs';
}

/**
 * In the page: shows story `storyId` as the Storybook UI does (over its channel), and resolves
 * with `rendered` once it rendered (loaders and play function done), or with what went wrong.
 * A string, so the test's compiler adds no helper the page lacks.
 */
const showStory = new Function(
  'storyId',
  `return new Promise((resolve) => {
    const channel = window.__STORYBOOK_ADDONS_CHANNEL__;
    const failures = ['storyErrored', 'storyThrewException', 'playFunctionThrewException'];
    const done = (outcome) => {
      channel.off('storyRendered', rendered);
      for (const event of failures) channel.off(event, failed);
      clearTimeout(timer);
      resolve(outcome);
    };
    const rendered = (id) => id === storyId && done('rendered');
    const failed = (...args) => done('failed: ' + JSON.stringify(args));
    const timer = setTimeout(() => done('not rendered within 15 s'), 15000);
    channel.on('storyRendered', rendered);
    for (const event of failures) channel.on(event, failed);
    channel.emit('setCurrentStory', { storyId, viewMode: 'story' });
  })`,
) as (storyId: string) => Promise<string>;

/** In the page: the text in the shadow root of the first element matching `selector`. */
const shadowText = (page: Page, selector: string) =>
  page.evaluate(
    (s) => document.querySelector(s)?.shadowRoot?.textContent?.replace(/\s+/g, ' ').trim() ?? '',
    `#storybook-root ${selector}`,
  );

/** The elements a story shows (`<comms-client>` only renders its slot, so not it). */
const ELEMENTS = ':is(comms-dialer, comms-call-view, comms-device-picker)';

/** Refused connections, which only the offline stories make, and on purpose. */
const refused = (error: string) => /ERR_CONNECTION_REFUSED|WebSocket connection to/.test(error);

describe('the Storybook catalog', { timeout: 120_000 }, () => {
  let out: string;
  let server: FastifyInstance;
  let base: string;
  let browser: Browser;
  let gateway: Gateway;
  let page: Page;
  /** Uncaught errors and console errors of `page`, in order. */
  const errors: string[] = [];
  let stories: IndexEntry[];

  /** Loads the catalog at story `id` (with URL `extra`), and waits until it rendered. */
  async function load(id: string, extra = ''): Promise<void> {
    await page.goto(`${base}/iframe.html?id=${id}&viewMode=story${extra}`);
    await page.waitForFunction(
      () => document.body.matches('.sb-show-main, .sb-show-errordisplay'),
      undefined,
      { timeout: 30_000 },
    );
    assert.equal(await page.$('body.sb-show-errordisplay'), null, `${id} shows an error`);
  }

  before(
    async () => {
      out = mkdtempSync(join(tmpdir(), 'comms-storybook-'));
      // The manifest feeds the controls; `npm test` writes it (`npm run build`) before.
      if (!existsSync(join(root, 'custom-elements.json')))
        await run([join(root, 'node_modules/.bin/cem'), 'analyze', '--litelement']);
      [, gateway, browser] = await Promise.all([
        run([storybookBin, 'build', '--output-dir', out, '--quiet', '--disable-telemetry']),
        startGateway(),
        chromium.launch({ executablePath: findChrome(), args: chromeArgs }),
      ]);
      const index = JSON.parse(readFileSync(join(out, 'index.json'), 'utf8')) as {
        entries: Record<string, IndexEntry>;
      };
      stories = Object.values(index.entries).filter((e) => e.type === 'story');
      server = Fastify();
      await server.register(fastifyStatic, { root: out });
      // Storybook ships favicon.svg; the browser still asks for /favicon.ico.
      server.get('/favicon.ico', (_request, reply) => reply.code(204).send());
      base = await server.listen({ host: '127.0.0.1', port: 0 });
      const context = await browser.newContext({ viewport: { width: 480, height: 900 } });
      // Every RTCPeerConnection the page makes, to check that stories close theirs.
      await context.addInitScript(`{
        const Native = window.RTCPeerConnection;
        window.__peers = [];
        window.RTCPeerConnection = class extends Native {
          constructor(...args) {
            super(...args);
            window.__peers.push(this);
          }
        };
      }`);
      page = await context.newPage();
      page.on('pageerror', (error) => errors.push(`uncaught: ${error.message}`));
      page.on('console', (message) => {
        if (message.type() === 'error') errors.push(`console: ${message.text()}`);
      });
    },
    { timeout: 120_000 },
  );

  after(async () => {
    await browser?.close();
    await server?.close();
    await gateway?.stop();
    if (out) rmSync(out, { recursive: true, force: true });
  });

  it('has stories for each element', () => {
    const titles = [...new Set(stories.map((s) => s.title))].sort();
    assert.deepEqual(titles, [
      'Elements/Call view',
      'Elements/Client',
      'Elements/Device picker',
      'Elements/Dialer',
    ]);
    assert.ok(stories.length >= 25, `only ${stories.length} stories`);
  });

  it('renders every story without an error, one after another', async () => {
    // Reconnecting needs a gateway: the last test gives it one.
    const ids = stories.map((s) => s.id).filter((id) => id !== 'elements-client--reconnecting');
    const failures: string[] = [];
    for (const [index, id] of ids.entries()) {
      const before = errors.length;
      if (index === 0) await load(id);
      const outcome = index === 0 ? 'rendered' : await page.evaluate(showStory, id);
      if (outcome !== 'rendered') failures.push(`${id}: ${outcome}`);
      if (!(await shadowText(page, ELEMENTS))) failures.push(`${id}: no text in the element`);
      for (const error of errors.slice(before)) {
        if (!(/offline/.test(id) && refused(error))) failures.push(`${id}: ${error}`);
      }
    }
    assert.deepEqual(failures, []);
  });

  it('closes the calls of a story when another is shown', async () => {
    assert.equal(await page.evaluate(showStory, 'elements-call-view--two-calls'), 'rendered');
    const open = () =>
      page.evaluate(
        () =>
          (window as unknown as { __peers: RTCPeerConnection[] }).__peers.filter(
            (pc) => pc.connectionState !== 'closed',
          ).length,
      );
    assert.ok((await open()) >= 4, 'two calls, each with two ends');
    assert.equal(await page.evaluate(showStory, 'elements-dialer--empty'), 'rendered');
    await page.waitForFunction(() =>
      (window as unknown as { __peers: RTCPeerConnection[] }).__peers.every(
        (pc) => pc.connectionState === 'closed',
      ),
    );
  });

  it('carries real video in the connected video call', async () => {
    const before = errors.length;
    assert.equal(await page.evaluate(showStory, 'elements-call-view--connected-video'), 'rendered');
    await page.waitForFunction(() => {
      const view = document.querySelector('comms-call-view');
      const video = view?.shadowRoot?.querySelector<HTMLVideoElement>(
        '[part="remote-video"] video',
      );
      return (video?.videoWidth ?? 0) > 0;
    });
    assert.deepEqual(errors.slice(before), []);
  });

  it('applies the theme and language globals to the elements', async () => {
    const before = errors.length;
    const look = async (globals: string) => {
      await load('elements-dialer--typing-a-name', `&globals=${globals}`);
      const background = await page.evaluate(() => {
        const input = document.querySelector('comms-dialer')!.shadowRoot!.querySelector('input')!;
        return getComputedStyle(input).backgroundColor;
      });
      return { background, text: await shadowText(page, 'comms-dialer') };
    };
    const light = await look('theme:light;lang:en');
    const dark = await look('theme:dark;lang:fr');
    assert.equal(light.background, 'rgb(255, 255, 255)');
    assert.equal(dark.background, 'rgb(27, 27, 31)');
    assert.match(light.text, /Will call bob/);
    assert.match(dark.text, /Appellera bob/);
    assert.deepEqual(errors.slice(before), []);
  });

  it('shows a client really waiting to reconnect to a real gateway', async () => {
    const before = errors.length;
    await load('elements-client--reconnecting', `&args=gatewayPort:${new URL(gateway.url).port}`);
    await page.waitForFunction(
      () =>
        !!document
          .querySelector('comms-dialer')
          ?.shadowRoot?.querySelector('[part="connection"][data-status="reconnecting"]'),
    );
    assert.match(await shadowText(page, 'comms-dialer'), /Reconnecting \(attempt 1\)/);
    assert.deepEqual(errors.slice(before), []);
  });
});
