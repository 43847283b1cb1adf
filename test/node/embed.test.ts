/**
 * The CDN embed page (`demo/embed.html`, served at `/embed.html`) in Debian's Chromium driven by
 * Playwright, against the built gateway on a free loopback port: it loads the CDN build and
 * nothing else, its elements are defined and render, and two people signed in with app-signed
 * tickets in the URL fragment call each other through `<comms-dialer>` and `<comms-call-view>`.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startGateway, type Gateway } from '../helpers/gateway.js';
import { signUserTicket } from '../../server/auth/tickets.js';
import { chromeArgs, findChrome } from '../../scripts/chrome.mjs';

const APP_KEY = 'embed-test';
const APP_SECRET = 'an app secret of the embed test';
const TAGS = [
  'comms-client',
  'comms-login',
  'comms-presence',
  'comms-dialer',
  'comms-call-view',
  'comms-chat',
  'comms-device-picker',
];

/** A page that records every request, WebSocket and error it makes. */
interface Watched {
  page: Page;
  requests: string[];
  sockets: string[];
  errors: string[];
}

describe('the CDN embed page', { timeout: 120_000 }, () => {
  let gateway: Gateway;
  let browser: Browser;

  before(async () => {
    gateway = await startGateway(['--app-key', APP_KEY], { env: { COMMS_APP_SECRET: APP_SECRET } });
    browser = await chromium.launch({ executablePath: findChrome(), args: chromeArgs });
  });
  after(async () => {
    await browser?.close();
    await gateway?.stop();
  });

  async function open(fragment = ''): Promise<Watched> {
    const page = await (await browser.newContext()).newPage();
    const watched: Watched = { page, requests: [], sockets: [], errors: [] };
    page.on('request', (request) => watched.requests.push(request.url()));
    page.on('websocket', (socket) => watched.sockets.push(socket.url()));
    page.on('console', (message) => {
      if (message.type() === 'error') watched.errors.push(message.text());
    });
    page.on('pageerror', (error) => watched.errors.push(error.message));
    await page.goto(`${gateway.url}/embed.html${fragment}`);
    return watched;
  }

  const ticket = (userId: string, displayName: string) =>
    signUserTicket({ appKey: APP_KEY, appSecret: APP_SECRET, userId, displayName });

  /** Every request went to the CDN build, the gateway's API or its WebSocket. */
  function assertOnlyCdnAndGateway({ requests, sockets }: Watched): void {
    const origin = new URL(gateway.url);
    for (const url of requests) {
      const u = new URL(url);
      assert.equal(u.origin, origin.origin, `a request left the gateway: ${url}`);
      assert.match(u.pathname, /^\/(embed\.html$|cdn\/|v1\/)/, `not the CDN or the API: ${url}`);
    }
    assert.ok(
      requests.some((u) => new URL(u).pathname === '/cdn/comms-kit.js'),
      'the CDN module was loaded',
    );
    const scripts = requests.filter((u) => /\.m?js$/.test(new URL(u).pathname));
    assert.ok(
      scripts.every((u) => new URL(u).pathname.startsWith('/cdn/')),
      `scripts from elsewhere than /cdn/: ${scripts.join(', ')}`,
    );
    for (const url of sockets) assert.equal(new URL(url).host, origin.host, `a socket to ${url}`);
  }

  it('loads the CDN build alone; its elements are defined and render; signs up with <comms-login>', async () => {
    const watched = await open();
    const { page } = watched;
    await page.waitForFunction(() =>
      document.getElementById('signin')?.textContent?.startsWith('Not signed in'),
    );
    const rendered = await page.evaluate(
      (tags) =>
        tags.map((tag) => {
          const el = document.querySelector(tag);
          return {
            tag,
            defined: customElements.get(tag) !== undefined,
            upgraded: el instanceof (customElements.get(tag) ?? class {}),
            children: el?.shadowRoot?.childElementCount ?? 0,
            height: el?.getBoundingClientRect().height ?? 0,
          };
        }),
      TAGS,
    );
    for (const { tag, defined, upgraded, children, height } of rendered) {
      assert.ok(defined, `${tag} is defined`);
      assert.ok(upgraded, `${tag} is upgraded`);
      assert.ok(children > 0, `${tag} rendered into its shadow root`);
      if (tag !== 'comms-client') assert.ok(height > 0, `${tag} takes space on the page`);
    }
    // The dialer's field is there to type in.
    assert.equal(await page.locator('comms-dialer [part~="input"]').count(), 1);
    // <comms-login> (the provider's signin slot) creates an account and signs in.
    const username = `cleo${Date.now().toString(36)}`;
    await page.click('comms-login [part~="mode-button"]');
    await page.fill('comms-login input[name="username"]', username);
    await page.fill('comms-login input[name="password"]', 'correct horse battery staple');
    await page.fill('comms-login input[name="displayName"]', 'Cleo');
    await page.click('comms-login [part~="submit-button"]');
    await page.waitForFunction(
      () => document.getElementById('signin')?.textContent === 'Signed in as Cleo.',
    );
    await page.locator('comms-login').waitFor({ state: 'hidden' });
    assertOnlyCdnAndGateway(watched);
    assert.deepEqual(watched.errors, []);
    await page.context().close();
  });

  it('signs in from #ticket=, drops the fragment, and two embeds call each other', async () => {
    const run = Date.now().toString(36);
    const [ada, bob] = [`ada${run}`, `bob${run}`];
    const a = await open(`#ticket=${ticket(ada, 'Ada Lovelace')}`);
    const b = await open(`#ticket=${ticket(bob, 'Bob Builder')}`);
    for (const [{ page }, name] of [
      [a, 'Ada Lovelace'],
      [b, 'Bob Builder'],
    ] as const) {
      await page.waitForFunction(
        (text) => document.getElementById('signin')?.textContent === text,
        `Signed in as ${name}.`,
      );
      assert.equal(new URL(page.url()).hash, '', 'the ticket left the address bar');
    }

    // Ada dials Bob with the dialer; Bob's call view rings and he answers.
    await a.page.fill('comms-dialer [part~="input"]', bob);
    await a.page.click('comms-dialer [part~="call-button"]');
    await b.page.click('comms-call-view [part~="answer-button"]');
    for (const { page } of [a, b]) {
      await page.locator('comms-call-view [part~="timer"]').first().waitFor();
    }
    assert.match((await a.page.textContent('comms-call-view [part~="name"]')) ?? '', /Bob Builder/);

    // Ada hangs up; Bob's view says the call ended.
    await a.page.click('comms-call-view [part~="hangup"]');
    await b.page.locator('comms-call-view [part~="ended"]').waitFor();

    // A reload stays signed in (the session is kept in the tab's sessionStorage).
    await a.page.reload();
    await a.page.waitForFunction(
      () => document.getElementById('signin')?.textContent === 'Signed in as Ada Lovelace.',
    );

    for (const watched of [a, b]) {
      assertOnlyCdnAndGateway(watched);
      assert.ok(watched.sockets.length > 0, 'the page opened the gateway’s WebSocket');
      assert.deepEqual(watched.errors, []);
    }
  });

  it('says why a wrong ticket does not sign in', async () => {
    const watched = await open('#ticket=not-a-ticket');
    await watched.page.waitForFunction(() =>
      document.getElementById('signin')?.textContent?.startsWith('Could not sign in:'),
    );
    assert.match(
      (await watched.page.textContent('#signin')) ?? '',
      /ticket/i,
      'the message names the ticket',
    );
  });
});
