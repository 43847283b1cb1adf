/**
 * The demo (`demo/index.html`, served at `/`) as people use it, in Debian's Chromium driven by
 * Playwright with fake camera and microphone, against the built gateway (what `npm start`
 * serves) on a free loopback port with a fresh database. The page is comms-kit's own elements,
 * so every step goes through them: `<comms-login>`, `<comms-presence>`, `<comms-call-view>`,
 * `<comms-chat>`, `<comms-device-picker>` (Playwright's CSS selectors pierce their open shadow
 * roots).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { chromium, type Browser, type BrowserContextOptions, type Page } from 'playwright-core';
import { startGateway, type Gateway } from '../helpers/gateway.js';
import { chromeArgs, findChrome } from '../../scripts/chrome.mjs';

const PASSWORD = 'correct horse battery staple';
const SESSION_KEY = 'comms-kit:session';
const axePath = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

/**
 * Run in the page during a call (a string: tsx would add helpers to a function that the page
 * lacks): waits until inbound audio bytes grow, then until the remote audio that
 * `<comms-call-view>` plays carries sound (RMS over 0.01; the fake microphone beeps).
 */
const AUDIO_FLOWS = `(async () => {
  const client = document.querySelector('comms-client').activeClient;
  const call = client.call.getAll().find((c) => c.state === 'Connected');
  if (!call) return { bytes: false, rms: 0 };
  const received = async () => {
    let total = 0;
    (await client.call.getStats(call.id)).forEach((s) => {
      if (s.type === 'inbound-rtp' && s.kind === 'audio') total += s.bytesReceived ?? 0;
    });
    return total;
  };
  const tick = () => new Promise((r) => setTimeout(r, 100));
  const first = await received();
  while ((await received()) <= first + 1000) await tick();
  const audio = document
    .querySelector('comms-call-view')
    .shadowRoot.querySelector('[part="audio"] audio');
  const stream = audio?.srcObject;
  if (!stream?.getAudioTracks().length) return { bytes: true, rms: 0 };
  const context = new AudioContext();
  await context.resume();
  const analyser = context.createAnalyser();
  analyser.fftSize = 2048;
  context.createMediaStreamSource(stream).connect(analyser);
  const samples = new Float32Array(analyser.fftSize);
  let rms = 0;
  while (rms <= 0.01) {
    await tick();
    analyser.getFloatTimeDomainData(samples);
    rms = Math.sqrt(samples.reduce((sum, v) => sum + v * v, 0) / samples.length);
  }
  await context.close();
  return { bytes: true, rms };
})()`;

/** A page of the demo, and what went wrong in it (console errors, uncaught exceptions). */
interface Opened {
  page: Page;
  errors: string[];
}

describe('the demo, as people use it', { timeout: 180_000 }, () => {
  let gateway: Gateway;
  let browser: Browser;
  let runs = 0;
  /** A user name no other test of this run has taken. */
  const fresh = (name: string) => `${name}${Date.now().toString(36)}${runs++}`;

  before(async () => {
    gateway = await startGateway();
    browser = await chromium.launch({ executablePath: findChrome(), args: chromeArgs });
  });
  after(async () => {
    await browser?.close();
    await gateway?.stop();
  });

  /** The demo in a new browser context (its own storage: a second person). */
  async function open(options: BrowserContextOptions = {}): Promise<Opened> {
    const context = await browser.newContext(options);
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(gateway.url);
    await page.waitForSelector('body[data-view="signed-out"]');
    return { page, errors };
  }

  /** Creates an account through `<comms-login>` and waits for the signed-in layout. */
  async function signUp(page: Page, username: string, displayName: string): Promise<void> {
    await page.click('comms-login [part~="mode-button"]');
    await page.fill('comms-login input[name="username"]', username);
    await page.fill('comms-login input[name="password"]', PASSWORD);
    await page.fill('comms-login input[name="displayName"]', displayName);
    await page.click('comms-login [part~="submit-button"]');
    await page.waitForSelector('body[data-view="signed-in"]');
  }

  /** Finds `username` with the roster's search and adds them. */
  async function addContact(page: Page, username: string): Promise<void> {
    await page.fill('comms-presence [part~="search-input"]', username);
    await page.click(
      `comms-presence [part~="result"][data-user="${username}"] [part~="add-button"]`,
    );
    await page.waitForSelector(`comms-presence [part~="contact"][data-user="${username}"]`);
  }

  /** The page is no wider than its viewport (no sideways scrolling). */
  const scrollWidth = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth);

  /** axe-core's violations on the page as it is now (shadow roots included). */
  async function axeViolations(page: Page): Promise<string[]> {
    if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ path: axePath });
    return page.evaluate(async () => {
      const { violations } = await (
        window as unknown as {
          axe: {
            run(context: Document): Promise<{
              violations: Array<{ id: string; nodes: Array<{ target: unknown[] }> }>;
            }>;
          };
        }
      ).axe.run(document);
      return violations.map((v) => `${v.id}: ${JSON.stringify(v.nodes.map((n) => n.target))}`);
    });
  }

  it('two people sign up, add each other, call with audio flowing, chat, hang up', async () => {
    const [ada, bob] = [fresh('ada'), fresh('bob')];
    const a = await open();
    const b = await open({ viewport: { width: 320, height: 640 } }); // Bob is on a phone
    await signUp(a.page, ada, 'Ada Lovelace');
    await signUp(b.page, bob, 'Bob Builder');
    // The header says who is signed in.
    assert.equal(await a.page.textContent('#me-name'), 'Ada Lovelace');
    assert.equal(await a.page.textContent('#me-id'), `@${ada}`);

    // Each finds the other with the roster's search and adds them.
    await addContact(a.page, bob);
    await addContact(b.page, ada);

    // Ada calls Bob from her roster; Bob's phone switches to its Calls tab, rings, and he
    // answers there.
    await a.page.click(
      `comms-presence [part~="contact"][data-user="${bob}"] [part~="call-button"]`,
    );
    await b.page.waitForSelector('comms-call-view [part~="incoming"]');
    assert.match(
      (await b.page.textContent('comms-call-view [part~="incoming"]')) ?? '',
      /Ada Lovelace/,
    );
    await b.page.click('comms-call-view [part~="answer-button"]');
    for (const { page } of [a, b]) await page.waitForSelector('comms-call-view [part~="timer"]');
    assert.match(
      (await a.page.textContent('comms-call-view [part~="stage"] [part~="name"]')) ?? '',
      /Bob Builder/,
    );

    // Audio flows into Ada's page: inbound RTP bytes grow, and the remote audio the call view
    // plays carries sound (the fake microphone's beep).
    const flowing = (await a.page.evaluate(AUDIO_FLOWS)) as { bytes: boolean; rms: number };
    assert.equal(flowing.bytes, true, 'inbound audio bytes grow');
    assert.ok(flowing.rms > 0.01, 'the remote audio carries sound');

    // Ada opens the chat with Bob from the roster and writes; Bob sees it once; Ada sees it read.
    await a.page.click(
      `comms-presence [part~="contact"][data-user="${bob}"] [part~="chat-button"]`,
    );
    await a.page.fill('comms-chat [part~="input"]', 'Hello Bob <b>not bold</b>');
    await a.page.press('comms-chat [part~="input"]', 'Enter');
    await b.page.click('[role="tab"][aria-controls="chat"]');
    await b.page.click('comms-chat [part~="conversation"]');
    const bobsMessages = b.page.locator('comms-chat [part~="message"]');
    await bobsMessages.first().waitFor();
    assert.equal(await bobsMessages.count(), 1, 'the message appears once');
    assert.match((await bobsMessages.textContent()) ?? '', /Hello Bob <b>not bold<\/b>/);
    await a.page.waitForSelector(
      'comms-chat [part~="message"] [part~="status"][data-status="read"]',
    );
    assert.equal(
      await b.page.locator('comms-chat [part~="message"] b').count(),
      0,
      'text, not HTML',
    );

    // Bob goes back to Calls with the keyboard (arrow keys move between the tabs) and hangs
    // up; both call views say the call ended.
    await b.page.focus('[role="tab"][aria-selected="true"]');
    await b.page.keyboard.press('ArrowLeft');
    assert.equal(await b.page.getAttribute('#tab-calls', 'aria-selected'), 'true');
    assert.equal(await b.page.evaluate(() => document.activeElement?.id), 'tab-calls');
    await b.page.click('comms-call-view [part~="hangup"]');
    for (const { page } of [a, b]) await page.waitForSelector('comms-call-view [part~="ended"]');
    for (const { page } of [a, b]) {
      assert.equal(await page.isHidden('comms-call-view [part~="stage"]'), true, 'no call shown');
      const live = await page.evaluate(
        `document.querySelector('comms-client').activeClient.call.getAll().filter((c) => c.state !== 'Ended').length`,
      );
      assert.equal(live, 0, 'no call left in the client');
    }

    for (const { errors } of [a, b]) assert.deepEqual(errors, []);
  });

  it('Bob declines; Ada leaves him a voicemail; his inbox lists it, and he plays it', async () => {
    const [ada, bob] = [fresh('vmada'), fresh('vmbob')];
    const a = await open();
    const b = await open({ viewport: { width: 320, height: 640 } });
    await signUp(a.page, ada, 'Ada Lovelace');
    await signUp(b.page, bob, 'Bob Builder');
    await b.page.click('[role="tab"][aria-controls="calls"]');
    await b.page.waitForSelector('comms-voicemail [part~="empty"]');
    await b.page.click('[role="tab"][aria-controls="people"]');

    // Ada calls Bob by user name from the dialer; he declines.
    await a.page.fill('comms-dialer [part~="input"]', bob);
    await a.page.click('comms-dialer [part~="call-button"]');
    await b.page.click('comms-call-view [part~="reject-button"]');
    // She records a voicemail (the fake microphone's beep) and sends it.
    await a.page.click('comms-call-view [part~="voicemail-button"]');
    await a.page.waitForFunction(() =>
      /0:01/.test(
        document
          .querySelector('comms-call-view')
          ?.shadowRoot?.querySelector('[part~="voicemail-status"]')?.textContent ?? '',
      ),
    );
    await a.page.click('comms-call-view [part~="voicemail-stop"]');
    await a.page.click('comms-call-view [part~="voicemail-send"]');

    // Bob's Calls tab counts it; his inbox shows it without a reload, new; playing it marks it
    // heard.
    /** The Calls tab, by the accessible name Chromium computes for it. */
    const callsTab = (name: string) => b.page.getByRole('tab', { name, exact: true });
    await b.page.waitForSelector('#calls-badge:not([hidden])');
    assert.equal(await b.page.textContent('#calls-badge'), '1');
    // The badge is hidden from assistive technology; the tab's name says it in words.
    assert.equal(await callsTab('Calls (new voicemails: 1)').count(), 1);
    assert.deepEqual(await axeViolations(b.page), [], 'the tabs with a count pass axe');
    await b.page.click('#tab-calls');
    const row = b.page.locator('comms-voicemail [part~="voicemail"]');
    await row.waitFor();
    assert.match((await row.textContent()) ?? '', /Ada Lovelace/);
    assert.equal(await row.getAttribute('data-unheard'), 'true');
    await b.page.click('comms-voicemail [part~="play-button"]');
    await b.page.waitForSelector('comms-voicemail audio');
    await b.page.waitForFunction(
      () =>
        (document.querySelector('comms-voicemail')?.shadowRoot?.querySelector('audio')
          ?.currentTime ?? 0) > 0.2,
    );
    await b.page.waitForSelector('comms-voicemail [part~="voicemail"]:not([data-unheard])');
    await b.page.waitForSelector('#calls-badge[hidden]', { state: 'attached' });
    assert.equal(await callsTab('Calls').count(), 1);
    assert.equal(await scrollWidth(b.page), 320, 'the inbox fits the phone');
    assert.deepEqual(await axeViolations(b.page), [], 'the inbox passes axe');

    for (const { errors } of [a, b]) assert.deepEqual(errors, []);
    for (const { page } of [a, b]) await page.context().close();
  });

  it('keeps the session across a reload; signing out shows the sign-in form and forgets it', async () => {
    const { page, errors } = await open();
    await signUp(page, fresh('cleo'), 'Cleo');
    assert.ok(await page.evaluate((key) => sessionStorage.getItem(key), SESSION_KEY));
    // The first-visit tip says how to call yourself; dismissed, it stays away.
    assert.match((await page.textContent('#tip')) ?? '', /second window/);
    await page.click('#tip-close');
    assert.equal(await page.isHidden('#tip'), true);

    await page.reload();
    await page.waitForSelector('body[data-view="signed-in"]');
    assert.equal(await page.textContent('#me-name'), 'Cleo');
    assert.equal(await page.locator('comms-login').isVisible(), false);
    assert.equal(await page.isHidden('#tip'), true);

    await page.click('#sign-out');
    await page.waitForSelector('body[data-view="signed-out"]');
    await page.locator('comms-login [part~="form"]').waitFor();
    assert.equal(await page.evaluate((key) => sessionStorage.getItem(key), SESSION_KEY), null);
    await page.reload();
    await page.waitForSelector('body[data-view="signed-out"]');
    await page.locator('comms-login [part~="form"]').waitFor();
    assert.deepEqual(errors, []);
  });

  it('speaks French when asked (its own texts and the elements’), and remembers it', async () => {
    const { page, errors } = await open();
    const texts = () =>
      page.evaluate(() => ({
        lang: document.documentElement.lang,
        title: document.querySelector('#intro-title')?.textContent,
        button: document.querySelector('#lang')?.getAttribute('aria-label'),
      }));
    assert.deepEqual(await texts(), {
      lang: 'en',
      title: 'Calls and chat, in a few HTML tags.',
      button: 'FR – Français',
    });
    const submit = 'comms-login [part~="submit-button"]';
    assert.equal((await page.textContent(submit))?.trim(), 'Sign in');
    await page.click('#lang');
    assert.deepEqual(await texts(), {
      lang: 'fr',
      title: 'Appels et messages, en quelques balises HTML.',
      button: 'EN – English',
    });
    await page.waitForFunction((selector) => {
      const [host, part] = selector.split(' ');
      const el = document.querySelector(host!)?.shadowRoot?.querySelector(part!);
      return el?.textContent?.trim() === 'Se connecter';
    }, 'comms-login [part~="submit-button"]');
    await page.reload();
    await page.waitForSelector('body[data-view="signed-out"]');
    assert.equal((await texts()).lang, 'fr', 'remembered across a reload');
    await signUp(page, fresh('elodie'), 'Élodie');
    assert.equal((await page.textContent('#tab-people'))?.trim(), 'Personnes');
    assert.equal(
      (await page.textContent('comms-chat [part="new-button"]'))?.trim(),
      'Nouvelle conversation',
    );
    assert.deepEqual(await axeViolations(page), [], 'French, signed in');
    await page.click('#lang');
    assert.equal((await page.textContent('#tab-people'))?.trim(), 'People');
    assert.deepEqual(errors, []);
    await page.context().close();
  });

  it('fits a 320 px wide phone, light and dark: signed out, and each pane signed in', async () => {
    for (const colorScheme of ['light', 'dark'] as const) {
      const { page } = await open({ viewport: { width: 320, height: 640 }, colorScheme });
      assert.equal(await scrollWidth(page), 320, `${colorScheme}, signed out`);
      await signUp(page, fresh(`narrow${colorScheme}`), 'Somebody With A Rather Long Name');
      await page.fill('comms-presence [part~="search-input"]', 'narrow');
      await page.locator('comms-presence [part~="result"]').first().waitFor();
      for (const pane of ['people', 'calls', 'chat']) {
        await page.click(`[role="tab"][aria-controls="${pane}"]`);
        assert.equal(await page.isVisible(`#${pane}`), true, `${pane} shows`);
        assert.equal(await scrollWidth(page), 320, `${colorScheme}, ${pane}`);
        // The tabs too: everything in a landmark (the tab list is in the workspace's <main>).
        assert.deepEqual(await axeViolations(page), [], `${colorScheme}, 320 px, ${pane}`);
      }
      // One pane at a time on a phone.
      assert.equal(await page.isVisible('#people'), false);
      await page.context().close();
    }
  });

  it('has no axe violations: signed out, signed in, and with the devices dialog open', async () => {
    for (const colorScheme of ['light', 'dark'] as const) {
      const { page, errors } = await open({ colorScheme });
      assert.deepEqual(await axeViolations(page), [], `${colorScheme}, signed out`);
      await signUp(page, fresh(`axe${colorScheme}`), 'Axel');
      await page.waitForSelector('comms-presence [part~="empty"]');
      assert.deepEqual(await axeViolations(page), [], `${colorScheme}, signed in`);

      // The devices dialog: modal, labelled, its preview runs only while it is open.
      await page.click('#settings-button');
      await page.waitForSelector('dialog#settings[open]');
      await page.waitForFunction(
        () =>
          ((
            document
              .querySelector('comms-device-picker')
              ?.shadowRoot?.querySelector('[part="preview"]') as HTMLVideoElement | null
          )?.videoWidth ?? 0) > 0,
      );
      assert.deepEqual(await axeViolations(page), [], `${colorScheme}, devices dialog`);
      await page.keyboard.press('Escape');
      await page.waitForSelector('dialog#settings:not([open])', { state: 'attached' });
      assert.equal(await page.evaluate(() => document.activeElement?.id), 'settings-button');
      // The dialog's `close` event (which stops the preview) comes in a task after it closes.
      await page.waitForFunction(
        () =>
          (document.querySelector('comms-device-picker') as HTMLElement & { noPreview: boolean })
            .noPreview === true,
      );
      assert.deepEqual(errors, []);
      await page.context().close();
    }
  });
});
