/**
 * The Storybook catalog for the Node tests (`test/node/storybook*.test.ts`): the static catalog
 * (what `npm run build-storybook` makes) served on loopback and opened in Debian's Chromium with
 * fake camera and microphone, in one page at 320 px where stories are switched as the Storybook
 * UI switches them. The catalog is `storybook-static/` when it was built after every source
 * changed (as in `npm test`); otherwise the first file to need it builds it there (one at a
 * time: a lock folder), so the other files reuse it. Each file has its own 20 s in
 * `npm run test:node`: the rendering of every story is split by title between files.
 */
import { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import Fastify, { type FastifyInstance } from 'fastify';
import fastifyStatic from '@fastify/static';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startGateway, type Gateway } from './gateway.js';
import { chromeArgs, findChrome } from '../../scripts/chrome.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));
const out = join(root, 'storybook-static');
const require = createRequire(import.meta.url);
const storybookPackage = require('storybook/package.json') as {
  bin: string | Record<string, string>;
};
/** The `storybook` command (what `npm run build-storybook` runs). */
const storybookBin = join(
  root,
  'node_modules/storybook',
  typeof storybookPackage.bin === 'string' ? storybookPackage.bin : storybookPackage.bin.storybook!,
);

/** Runs `command` in the package root; rejects with the output if it fails. */
async function run(command: string, args: string[]): Promise<void> {
  const child = spawn(command, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const [code] = (await once(child, 'exit')) as [number | null];
  if (code !== 0) throw new Error(`${command} ${args.join(' ')} exited with ${code}:\n${output}`);
}

/** The latest modification time of `path` (a file, or every file under a folder). */
function newest(path: string): number {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(0, ...readdirSync(path).map((name) => newest(join(path, name))));
}

/** Whether `storybook-static/` was built after every source it comes from changed. */
function staticIsFresh(): boolean {
  const built = newest(join(out, 'index.json'));
  const sources = ['stories', '.storybook', 'components', 'core', 'custom-elements.json'];
  return built > Math.max(...[...sources, 'package-lock.json'].map((p) => newest(join(root, p))));
}

/**
 * Makes sure `storybook-static/` is fresh: builds it when it is not, one test file at a time
 * (the others wait for the lock, then find it fresh). Resolves with whether it was reused.
 */
async function freshCatalog(): Promise<boolean> {
  const lock = join(root, 'node_modules/.cache/comms-storybook-build.lock');
  mkdirSync(join(lock, '..'), { recursive: true });
  for (;;) {
    if (staticIsFresh()) return true;
    try {
      mkdirSync(lock);
    } catch {
      // Another file is building it: look again in a moment. (Polling a lock, not a timing.)
      const since = statSync(lock, { throwIfNoEntry: false })?.mtimeMs;
      if (since !== undefined && Date.now() - since > 120_000)
        rmSync(lock, { recursive: true, force: true }); // left by a killed run
      await sleep(250);
      continue;
    }
    try {
      if (staticIsFresh()) return true;
      // The manifest feeds the controls; `npm test` writes it (`npm run build`) before.
      if (!existsSync(join(root, 'custom-elements.json')))
        await run('npm', ['run', 'build:manifest']);
      await run(process.execPath, [
        storybookBin,
        'build',
        '--output-dir',
        out,
        '--quiet',
        '--disable-telemetry',
      ]);
      return false;
    } finally {
      rmSync(lock, { recursive: true, force: true });
    }
  }
}

export interface IndexEntry {
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

/**
 * In the page: changes the args of the story showing, as a control does, and resolves with
 * `rendered` once it rendered again.
 */
const updateArgs = new Function(
  'change',
  `const { storyId, updatedArgs } = change;
  return new Promise((resolve) => {
    const channel = window.__STORYBOOK_ADDONS_CHANNEL__;
    const rendered = (id) => {
      if (id !== storyId) return;
      channel.off('storyRendered', rendered);
      resolve('rendered');
    };
    channel.on('storyRendered', rendered);
    channel.emit('updateStoryArgs', { storyId, updatedArgs });
  })`,
) as (change: { storyId: string; updatedArgs: Record<string, unknown> }) => Promise<string>;

/** axe-core, the engine of `to.be.accessible()` in the element tests. */
export const axePath = require.resolve('axe-core/axe.min.js');

/** In the page: axe's violations in the story root, as `rule (count): first target`. */
const audit = new Function(
  'disabled',
  `const rules = Object.fromEntries(disabled.map((rule) => [rule, { enabled: false }]));
  return window.axe.run(document.querySelector('#storybook-root'), { rules, resultTypes: ['violations'] }).then((results) =>
    results.violations.map((v) => v.id + ' (' + v.nodes.length + '): ' + v.nodes[0].target.join(' ')),
  );`,
) as (disabled: string[]) => Promise<string[]>;

/**
 * Rules a story is known to break, by story: element issues reported, not fixed here (the
 * stories only show the elements). Each entry names why.
 */
export const knownIssues: Record<string, string[]> = {};

/** The elements a story shows (`<comms-client>` only renders its slot, so not it). */
export const ELEMENTS =
  ':is(comms-dialer, comms-call-view, comms-device-picker, comms-chat, comms-presence, comms-login, comms-voicemail)';

/**
 * The stories that need a gateway (given one by `test/node/storybook.test.ts`, through
 * `gatewayPort`), and the console errors they make on purpose: the browser logs a REST answer
 * of 401 or 400.
 */
export const gatewayStories: Record<string, RegExp | null> = {
  'elements-client--reconnecting': null,
  'elements-login--wrong-password': /status of 401 \(Unauthorized\)/,
  'elements-login--weak-password': /status of 400 \(Bad Request\)/,
  'elements-voicemail--inbox': null,
  'elements-voicemail--empty': null,
};

/** The titles each rendering file shows every story of (together: every title). */
export const renderGroups = {
  calls: ['Elements/Call view', 'Elements/Client', 'Elements/Device picker', 'Elements/Dialer'],
  messaging: [
    'Elements/Chat',
    'Elements/Login',
    'Elements/Presence',
    'Elements/Voicemail',
    'Scenes/Two people',
  ],
};

/** Refused connections, which only the offline stories make, and on purpose. */
const refused = (error: string) => /ERR_CONNECTION_REFUSED|WebSocket connection to/.test(error);

/** The catalog open in one page, for the tests of one file. */
export interface Catalog {
  readonly page: Page;
  /** Uncaught errors and console errors of the page, in order. */
  readonly errors: string[];
  readonly stories: IndexEntry[];
  /** Whether `storybook-static/` was fresh already (else this run built it). */
  readonly reused: boolean;
  /** The real gateway started for the file (with `{ gateway: true }`). */
  readonly gateway: Gateway;
  /** Loads the catalog at story `id` (with URL `extra`), and waits until it rendered. */
  load(id: string, extra?: string): Promise<void>;
  /** Shows story `id` over the channel; `rendered`, or what went wrong. */
  show(id: string): Promise<string>;
  updateArgs(change: { storyId: string; updatedArgs: Record<string, unknown> }): Promise<string>;
  /** The text in the shadow root of the first element matching `selector` in the story. */
  shadowText(selector: string): Promise<string>;
  /** axe's violations in the story root (but the rules `disabled`). */
  audit(disabled?: string[]): Promise<string[]>;
  /**
   * Shows every story of `ids` in turn, in dark and in French, and returns what went wrong:
   * not rendered, no text in its element, an uncaught or console error (a refused connection
   * only in the offline stories), wider than the 320 px screen, an axe violation.
   */
  renderEach(ids: string[]): Promise<string[]>;
}

/** Opens the catalog for the tests of the calling file (`before`/`after` hooks). */
export function openCatalog(options: { gateway?: boolean } = {}): Catalog {
  let server: FastifyInstance;
  let base: string;
  let browser: Browser;
  let gateway: Gateway | undefined;
  let page: Page;
  let stories: IndexEntry[] = [];
  let reused = false;
  const errors: string[] = [];

  before(
    async () => {
      [reused, gateway, browser] = await Promise.all([
        freshCatalog(),
        options.gateway ? startGateway() : undefined,
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
      // A 320 px phone: every element must fit it.
      const context = await browser.newContext({ viewport: { width: 320, height: 800 } });
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
  });

  const catalog: Catalog = {
    get page() {
      return page;
    },
    errors,
    get stories() {
      return stories;
    },
    get reused() {
      return reused;
    },
    get gateway() {
      assert.ok(gateway, 'openCatalog({ gateway: true }) starts a gateway');
      return gateway;
    },
    async load(id, extra = '') {
      await page.goto(`${base}/iframe.html?id=${id}&viewMode=story${extra}`);
      await page.waitForFunction(
        () => document.body.matches('.sb-show-main, .sb-show-errordisplay'),
        undefined,
        { timeout: 30_000 },
      );
      assert.equal(await page.$('body.sb-show-errordisplay'), null, `${id} shows an error`);
      // The body shows the story before its play function ran: wait until the render is done
      // (the phase of Storybook's render after it emits `storyRendered`, as `show` waits for).
      await page.waitForFunction(
        () => {
          const preview = (
            window as { __STORYBOOK_PREVIEW__?: { currentRender?: { phase?: string } } }
          ).__STORYBOOK_PREVIEW__;
          return ['completed', 'afterEach', 'finished'].includes(
            preview?.currentRender?.phase ?? '',
          );
        },
        undefined,
        { timeout: 30_000 },
      );
    },
    show: (id) => page.evaluate(showStory, id),
    updateArgs: (change) => page.evaluate(updateArgs, change),
    shadowText: (selector) =>
      page.evaluate(
        (s) =>
          document.querySelector(s)?.shadowRoot?.textContent?.replace(/\s+/g, ' ').trim() ?? '',
        `#storybook-root ${selector}`,
      ),
    audit: (disabled = []) => page.evaluate(audit, disabled),
    async renderEach(ids) {
      const failures: string[] = [];
      for (const [index, id] of ids.entries()) {
        const before = errors.length;
        if (index === 0) {
          // The globals stay as stories change: every story is seen in dark and in French.
          await catalog.load(id, '&globals=theme:dark;lang:fr');
          await page.addScriptTag({ path: axePath });
        }
        const outcome = index === 0 ? 'rendered' : await catalog.show(id);
        if (outcome !== 'rendered') failures.push(`${id}: ${outcome}`);
        if (!(await catalog.shadowText(ELEMENTS))) failures.push(`${id}: no text in the element`);
        for (const error of errors.slice(before)) {
          if (!(/offline/.test(id) && refused(error))) failures.push(`${id}: ${error}`);
        }
        const overflow = await page.evaluate(
          () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
        );
        if (overflow > 0) failures.push(`${id}: ${overflow} px wider than a 320 px screen`);
        for (const v of await catalog.audit(knownIssues[id] ?? []))
          failures.push(`${id}: axe ${v}`);
      }
      return failures;
    },
  };
  return catalog;
}

/** The stories of `catalog` under `titles` that need no gateway. */
export function storiesOf(catalog: Catalog, titles: string[]): string[] {
  return catalog.stories
    .filter((s) => titles.includes(s.title) && !(s.id in gatewayStories))
    .map((s) => s.id);
}
