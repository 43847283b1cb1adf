/**
 * The demo as a person uses it, in Debian's Chromium driven by Playwright: two pages, two new
 * accounts; one calls the other, the call connects with audio flowing, they chat, one hangs up.
 * Runs against the built gateway (what `npm start` serves) on a free loopback port.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startGateway, type Gateway } from '../helpers/gateway.js';
import { chromeArgs, findChrome } from '../../scripts/chrome.mjs';

const PASSWORD = 'correct horse battery staple';

describe('the demo, as two people use it', { timeout: 120_000 }, () => {
  let gateway: Gateway;
  let browser: Browser;

  before(async () => {
    gateway = await startGateway(['--db', ':memory:', '--auth-rate-limit', '0']);
    browser = await chromium.launch({ executablePath: findChrome(), args: chromeArgs });
  });
  after(async () => {
    await browser?.close();
    await gateway?.stop();
  });

  async function signUp(page: Page, username: string, displayName: string): Promise<void> {
    await page.goto(gateway.url);
    await page.click('#auth-toggle');
    await page.fill('input[name=username]', username);
    await page.fill('input[name=password]', PASSWORD);
    await page.fill('input[name=displayName]', displayName);
    await page.click('#auth-submit');
    await page.waitForSelector('#app:not([hidden])');
  }

  it('fits a 320 px wide phone, light and dark, without sideways scrolling', async () => {
    for (const colorScheme of ['light', 'dark'] as const) {
      const context = await browser.newContext({
        viewport: { width: 320, height: 640 },
        colorScheme,
      });
      const page = await context.newPage();
      await signUp(
        page,
        `narrow${colorScheme}${Date.now().toString(36)}`,
        'A person with a long name',
      );
      await page.press('#search-input', 'Enter');
      await page.waitForSelector('#people li');
      assert.equal(await page.evaluate(() => document.documentElement.scrollWidth), 320);
      // Every card stays inside the page's padding.
      const overflowing = await page.evaluate(() => {
        const main = document.querySelector('main')!;
        const right =
          main.getBoundingClientRect().right - parseFloat(getComputedStyle(main).paddingRight);
        return [...document.querySelectorAll('#app .card')]
          .filter((card) => card.getBoundingClientRect().right > right + 0.5)
          .map((card) => card.className);
      });
      assert.deepEqual(overflowing, []);
      await context.close();
    }
  });

  it('sign up, call with audio flowing, chat, hang up', async () => {
    const run = Date.now().toString(36);
    const [ada, bob] = [`ada${run}`, `bob${run}`];
    const pageA = await (await browser.newContext()).newPage();
    const pageB = await (await browser.newContext()).newPage();
    await signUp(pageB, bob, 'Bob');
    await signUp(pageA, ada, 'Ada');

    // Ada finds Bob (by his display name, not yet a contact) and calls him.
    await pageA.fill('#search-input', '');
    await pageA.press('#search-input', 'Enter');
    const bobOnA = `#people li[data-user="${bob}"]`;
    assert.equal(await pageA.textContent(`${bobOnA} .name`), 'Bob');
    assert.match((await pageA.textContent(`${bobOnA} .presence`)) ?? '', /Not in your contacts/);
    await pageA.click(`${bobOnA} button.call`);
    await pageB.waitForSelector('#incoming:not([hidden])');
    assert.match((await pageB.textContent('#incoming-text')) ?? '', /Ada is calling/);
    await pageB.click('#answer');
    await pageA.waitForFunction(() =>
      document.querySelector('#call-state')?.textContent?.startsWith('In a call'),
    );

    // Audio flows into Ada's page: inbound RTP bytes grow.
    const bytes = () =>
      pageA.evaluate(async () => {
        const client = (
          window as unknown as {
            commsClient: {
              call: {
                getAll(): Array<{ id: string; state: string }>;
                getStats(id: string): Promise<RTCStatsReport>;
              };
            };
          }
        ).commsClient;
        const call = client.call.getAll().find((c) => c.state === 'Connected');
        if (!call) return 0;
        let total = 0;
        (await client.call.getStats(call.id)).forEach(
          (s: { type: string; kind?: string; bytesReceived?: number }) => {
            if (s.type === 'inbound-rtp' && s.kind === 'audio') total += s.bytesReceived ?? 0;
          },
        );
        return total;
      });
    const first = await bytes();
    await pageA.waitForTimeout(700);
    assert.ok((await bytes()) > first + 1000, 'remote audio is flowing');

    // Calling and answering made them contacts both ways: each sees the other on the phone.
    const presenceOf = (page: Page, user: string, text: string) =>
      page.waitForFunction(
        ([selector, expected]) => document.querySelector(selector!)?.textContent === expected,
        [`#people li[data-user="${user}"] .presence`, text],
      );
    await presenceOf(pageA, bob, 'On the phone');
    await presenceOf(pageB, ada, 'On the phone');
    assert.equal(await pageA.getAttribute(`${bobOnA} .dot`, 'class'), 'dot on-the-phone');

    // They chat; Bob sees Ada's message once, and Ada sees it read.
    await pageA.click(`${bobOnA} .person`);
    assert.equal(await pageA.textContent('#chat-title'), 'Chat with Bob');
    await pageA.fill('#composer-input', 'Hello Bob');
    await pageA.press('#composer-input', 'Enter');
    await pageB.waitForFunction(
      (user) =>
        document.querySelector(`#people li[data-user="${user}"] .badge`)?.textContent ===
        '1 unread',
      ada,
    );
    await pageB.click(`#people li[data-user="${ada}"] .person`);
    assert.equal(await pageB.textContent('#chat-title'), 'Chat with Ada');
    assert.equal(await pageB.textContent(`#people li[data-user="${ada}"] .badge`), '');
    await pageB.waitForFunction(() => document.querySelectorAll('#messages li').length === 1);
    assert.match((await pageB.textContent('#messages li')) ?? '', /Hello Bob/);
    await pageA.waitForFunction(() =>
      document.querySelector('#messages li small')?.textContent?.includes('read'),
    );

    // Bob hangs up; both pages show the call ended.
    await pageB.click('#hangup');
    await pageA.waitForFunction(() =>
      document.querySelector('#status')?.textContent?.startsWith('Call ended'),
    );
    assert.equal(await pageA.isHidden('#call'), true);
    await presenceOf(pageA, bob, 'Available');
    await presenceOf(pageB, ada, 'Available');
  });
});
