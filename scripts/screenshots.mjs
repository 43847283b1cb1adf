/**
 * `npm run screenshots`: renders every element in its main states, light and dark (and
 * some at a 320 px phone width), to `screenshots/<state>-<scheme>.png`. It loads the CDN build
 * (`dist/cdn/comms-kit.iife.js`, built by the npm script first; the IIFE carries the in-page
 * backend, `CommsKit.createLocalHub`) into a page served on loopback, and drives real calls
 * between two clients on an in-page hub, with Chromium's fake camera and microphone. It uses
 * the Chrome that the tests use (`scripts/chrome.mjs`); it never downloads a browser.
 *
 *   node scripts/screenshots.mjs [filter]   only the states whose name contains `filter`
 *   node scripts/screenshots.mjs --demo     the demo with two people in a video call and a
 *                                           chat, from the built gateway (`npm run build`
 *                                           first), to docs/images/demo.png; its sign-in
 *                                           page, dark and 320 px views to screenshots/demo-*
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { chromeArgs, findChrome } from './chrome.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'screenshots');
const bundle = join(root, 'dist/cdn/comms-kit.iife.js');
const filter = process.argv[2] ?? '';
if (filter === '--demo') {
  await captureDemo();
  process.exit(0);
}

/** The page: the bundle, a stage, and the scenarios (run in the browser). */
const page = String.raw`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
  :root { color-scheme: light dark; }
  body { margin: 0; background: Canvas; color: CanvasText; font: 15px system-ui, sans-serif; }
  #stage { padding: 16px; display: grid; gap: 16px; width: max-content; max-width: 100vw; box-sizing: border-box; }
  #stage > * { width: var(--w, 420px); max-width: calc(100vw - 32px); }
</style>
<script src="/comms-kit.iife.js"></script>
</head>
<body>
<main id="stage"></main>
<script>
const K = window.CommsKit;
const stage = document.getElementById('stage');
const until = (client, predicate) =>
  new Promise((resolve) => {
    if (predicate(client.store.getState())) return resolve();
    const stop = client.store.subscribe((s) => {
      if (predicate(s)) { stop(); resolve(); }
    });
  });
const frame = () => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
async function settled(el, predicate) {
  for (let i = 0; i < 400; i++) {
    await el.updateComplete;
    if (predicate()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  const text = (el.shadowRoot?.textContent ?? '').replace(/\s+/g, ' ').slice(0, 300);
  throw new Error('the element never reached the state to capture; it shows: ' + text);
}
const q = (el, sel) => el.shadowRoot.querySelector(sel);
/** Two users (and a \`join\` for more) on one in-page hub, each connected to it. */
async function users() {
  const hub = K.createLocalHub({ multiCall: true, noAnswerTimeout: 600000 });
  const join = async (id, name) => {
    const client = K.createClient({ logs: { logLevel: 'silent' } });
    client.useLocalBackend(hub, { id, displayName: name });
    await client.connect();
    return { client, id, name };
  };
  return { join, a: await join('alice', 'Alice Liddell'), b: await join('bob', 'Bob Builder') };
}
function add(tag, client, attrs = {}) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  if (client) el.client = client;
  stage.append(el);
  return el;
}
async function connected(from, to, media = { audio: true }) {
  const callId = from.client.call.make(to.id, media);
  await until(to.client, (s) => s.call.calls[callId]?.state === 'Ringing');
  await to.client.call.answer(callId, media);
  await until(from.client, (s) => s.call.calls[callId]?.state === 'Connected');
  return callId;
}
async function videoShows(el) {
  await settled(el, () => (q(el, '[part="remote-video"] video')?.videoWidth ?? 0) > 0);
}
async function graphed(el) {
  await settled(el, () => (q(el, '[part="graph"] .kbps')?.getAttribute('points') ?? '').split(' ').length >= 6);
}
/** Makes two users contacts of each other (so each sees the other's presence). */
async function befriend(x, y) {
  await x.client.contacts.add({ primaryContact: y.id });
  await y.client.contacts.add({ primaryContact: x.id });
}
/** \`from\` sends \`text\` to \`to\`, and waits until it was stored. */
async function send(from, to, text) {
  const message = from.client.conversation.get(to.id).createMessage({ type: 'text', text }).send();
  await until(from.client, () =>
    from.client.conversation.get(to.id).getMessages().some((m) => m.clientId === message.clientId && m.status !== 'pending'),
  );
}
function hideDevices() {
  const hidden = ['audioinput', 'videoinput', 'audiooutput'].map((kind) => ({ deviceId: '', groupId: '', kind, label: '', toJSON() { return {}; } }));
  navigator.mediaDevices.enumerateDevices = async () => hidden;
}

window.scenarios = {
  async 'dialer'() {
    const { a } = await users();
    await add('comms-dialer', a.client).updateComplete;
  },
  async 'dialer-invalid'() {
    const { a } = await users();
    await add('comms-dialer', a.client, { value: '+12' }).updateComplete;
  },
  async 'dialer-valid'() {
    const { a } = await users();
    await add('comms-dialer', a.client, { value: '+1 (555) 123-4567' }).updateComplete;
  },
  async 'dialer-dtmf'() {
    const { a, b } = await users();
    await connected(a, b);
    const el = add('comms-dialer', a.client);
    await el.updateComplete;
    for (const k of ['1', '2', '#']) q(el, '[data-key="' + k + '"]').click();
    await settled(el, () => !!q(el, '[part="dtmf"]'));
  },
  async 'dialer-offline'() {
    const client = K.createClient({ server: 'http://127.0.0.1:9', logs: { logLevel: 'silent' } });
    await client.connect({ bearerAccessToken: 'x' }, { services: [] }).catch(() => undefined);
    const el = add('comms-dialer', client, { value: 'alice' });
    await settled(el, () => !!q(el, '[part="connection"]'));
  },
  async 'dialer-fr'() {
    const { a } = await users();
    stage.lang = 'fr';
    await add('comms-dialer', a.client, { value: 'al' }).updateComplete;
  },
  async 'call-empty'() {
    const { a } = await users();
    await add('comms-call-view', a.client).updateComplete;
  },
  async 'call-incoming'() {
    const { a, b } = await users();
    const el = add('comms-call-view', b.client, { silent: '' });
    a.client.call.make(b.id, { audio: true, video: true });
    await settled(el, () => !!q(el, '[part="incoming"]'));
  },
  async 'call-outgoing'() {
    const { a, b } = await users();
    const el = add('comms-call-view', a.client);
    const id = a.client.call.make(b.id, { audio: true });
    await until(a.client, (s) => s.call.calls[id]?.state === 'Ringing');
    await settled(el, () => /Ringing/.test(q(el, '[part="stage"] [part="state"]').textContent));
  },
  async 'call-audio'() {
    const { a, b } = await users();
    await connected(a, b);
    const el = add('comms-call-view', a.client, { 'stats-interval': '200' });
    await graphed(el);
  },
  async 'call-video'() {
    const { a, b } = await users();
    await connected(a, b, { audio: true, video: true });
    const el = add('comms-call-view', a.client, { 'stats-interval': '200' });
    await videoShows(el);
    await settled(el, () => (q(el, '[part="local-video"] video')?.videoWidth ?? 0) > 0);
    await graphed(el);
  },
  async 'call-held'() {
    const { a, b } = await users();
    const id = await connected(a, b);
    await b.client.call.hold(id);
    await until(a.client, (s) => s.call.calls[id].remoteHold);
    const el = add('comms-call-view', a.client, { 'stats-interval': '0' });
    await settled(el, () => /Held by/.test(q(el, '[part="stage"] [part="state"]').textContent));
  },
  async 'call-keypad'() {
    const { a, b } = await users();
    await connected(a, b);
    const el = add('comms-call-view', a.client, { 'stats-interval': '0' });
    await el.updateComplete;
    q(el, '[part~="keypad-toggle"]').click();
    await el.updateComplete;
  },
  async 'call-two'() {
    const { a, b, join } = await users();
    const c = await join('carol', 'Carol Danvers');
    await connected(b, a);
    const el = add('comms-call-view', a.client, { 'stats-interval': '0' });
    c.client.call.make(a.id, { audio: true });
    await settled(el, () => !!q(el, '[part="incoming"]'));
    q(el, '[part~="answer-button"]').click();
    await settled(el, () => el.shadowRoot.querySelectorAll('[part="call-item"]').length === 2 && !q(el, '[part="incoming"]'));
    await until(a.client, (s) => Object.values(s.call.calls).some((c) => c.localHold));
    await el.updateComplete;
  },
  async 'call-ended'() {
    const { a, b } = await users();
    const el = add('comms-call-view', a.client);
    const id = a.client.call.make(b.id, { audio: true });
    await until(b.client, (s) => s.call.calls[id]?.state === 'Ringing');
    await b.client.call.reject(id);
    await settled(el, () => !!q(el, '[part="ended"]'));
  },
  async 'devices'() {
    const { a } = await users();
    const el = add('comms-device-picker', a.client, { 'storage-key': 'screenshots' });
    await settled(el, () => (q(el, '[part="preview"]')?.videoWidth ?? 0) > 0 && el.level > 0);
    await frame();
  },
  async 'devices-allow'() {
    hideDevices();
    const { a } = await users();
    const el = add('comms-device-picker', a.client, { 'storage-key': 'screenshots' });
    await settled(el, () => !!q(el, '[part="allow-button"]'));
  },
  async 'devices-denied'() {
    hideDevices();
    navigator.permissions.query = async () => ({ state: 'denied' });
    const { a } = await users();
    const el = add('comms-device-picker', a.client, { 'storage-key': 'screenshots' });
    await settled(el, () => /blocked/.test(q(el, '[part="permission"]')?.textContent ?? ''));
  },
  async 'chat-list'() {
    const { a, b, join } = await users();
    const c = await join('carol', 'Carol Danvers');
    await befriend(a, b);
    await send(b, a, 'Are we still on for the review at 3?');
    await send(c, a, 'Here are the slides: https://example.com/deck');
    await send(c, a, 'Call me when you can.');
    const el = add('comms-chat', a.client);
    await settled(el, () => el.shadowRoot.querySelectorAll('[part~="conversation"]').length >= 2);
  },
  async 'chat-thread'() {
    const { a, b } = await users();
    await befriend(a, b);
    await send(b, a, 'Morning! Did you see the new build?');
    await send(a, b, 'Yes, the call view looks great. Release notes: https://example.com/notes');
    await send(b, a, 'Nice.\nShall we ship it on Friday?');
    await b.client.conversation.get(a.id).sendTyping(true);
    const el = add('comms-chat', a.client, { destination: b.id });
    await settled(el, () => /Friday/.test(el.shadowRoot.textContent) && !!q(el, '[part~="typing"]'));
  },
  async 'chat-empty'() {
    const { a } = await users();
    await add('comms-chat', a.client).updateComplete;
  },
  async 'chat-group-new'() {
    const { a, b, join } = await users();
    const c = await join('carol', 'Carol Danvers');
    await a.client.contacts.add({ primaryContact: b.id, firstName: 'Bob', lastName: 'Builder' });
    await a.client.contacts.add({ primaryContact: c.id, firstName: 'Carol', lastName: 'Danvers' });
    const el = add('comms-chat', a.client);
    await el.updateComplete;
    q(el, '[part~="new-group-button"]').click();
    await settled(el, () => !!q(el, '[part~="group-name"]') && !!q(el, '[part~="group-person"]'));
    const name = q(el, '[part~="group-name"]');
    name.value = 'Release crew';
    name.dispatchEvent(new InputEvent('input', { bubbles: true, composed: true }));
    for (const box of el.shadowRoot.querySelectorAll('[part~="group-person"] input')) box.click();
    await settled(el, () => el.shadowRoot.querySelectorAll('[part~="chip"]').length === 2);
    name.blur();
  },
  async 'chat-group'() {
    const { a, b, join } = await users();
    const c = await join('carol', 'Carol Danvers');
    await befriend(a, b);
    const group = await a.client.conversation.create([b.id, c.id], { name: 'Release crew' });
    for (const [who, text] of [[b, 'Build 42 is green.'], [c, 'Release notes are ready: https://example.com/notes'], [a, 'Thanks both, shipping at 3.']]) {
      await until(who.client, (s) => !!s.conversations.byKey[group.id]);
      const message = who.client.conversation.getById(group.id).createMessage({ type: 'text', text }).send();
      await until(who.client, (s) => s.conversations.byKey[group.id].messages.some((m) => m.clientId === message.clientId && m.status !== 'pending'));
    }
    const el = add('comms-chat', a.client, { destination: group.id });
    await settled(el, () => /shipping at 3/.test(el.shadowRoot.textContent) && !!q(el, '[part~="members-button"]'));
    q(el, '[part~="members-button"]').click();
    await settled(el, () => /Bob Builder\s*online/.test(q(el, '[part~="members"]')?.textContent ?? ''));
  },
  async 'presence'() {
    const { a, b, join } = await users();
    const c = await join('carol', 'Carol Danvers');
    const d = await join('dave', 'Dave Lister');
    await befriend(a, b);
    await befriend(a, c);
    await a.client.contacts.add({ primaryContact: d.id, firstName: 'Dave', lastName: 'Lister' });
    await b.client.presence.update('open', 'busy', 'In a meeting until 3');
    await c.client.presence.update('open', 'away');
    await a.client.presence.update('open', 'available', 'Working on the release');
    const el = add('comms-presence', a.client);
    await settled(el, () => /In a meeting/.test(el.shadowRoot.textContent) && /Dave/.test(el.shadowRoot.textContent));
  },
  async 'presence-empty'() {
    const { a } = await users();
    const el = add('comms-presence', a.client);
    await settled(el, () => /No contacts yet/.test(el.shadowRoot.textContent));
  },
  async 'login'() {
    await add('comms-login', K.createClient({ logs: { logLevel: 'silent' } })).updateComplete;
  },
  async 'login-signup'() {
    await add('comms-login', K.createClient({ logs: { logLevel: 'silent' } }), { mode: 'signup' }).updateComplete;
  },
  async 'login-fr'() {
    stage.lang = 'fr';
    await add('comms-login', K.createClient({ logs: { logLevel: 'silent' } })).updateComplete;
  },
};
window.run = async (name) => {
  await window.scenarios[name]();
  await document.fonts.ready;
  await frame();
};
</script>
</body>
</html>`;

/** Each capture: the scenario, and the widths to take it at (px; the stage's element width). */
const captures = [
  ['dialer', [420, 320]],
  ['dialer-invalid', [420]],
  ['dialer-valid', [420]],
  ['dialer-dtmf', [420]],
  ['dialer-offline', [420]],
  ['dialer-fr', [420]],
  ['call-empty', [420]],
  ['call-incoming', [420, 320]],
  ['call-outgoing', [420]],
  ['call-audio', [420]],
  ['call-video', [560, 320]],
  ['call-held', [420]],
  ['call-keypad', [420]],
  ['call-two', [420]],
  ['call-ended', [420]],
  ['devices', [420, 320]],
  ['devices-allow', [420]],
  ['devices-denied', [420]],
  ['chat-list', [640, 320]],
  ['chat-thread', [640, 320]],
  ['chat-empty', [420]],
  ['chat-group-new', [640, 320]],
  ['chat-group', [640, 320]],
  ['presence', [420, 320]],
  ['presence-empty', [420]],
  ['login', [420]],
  ['login-signup', [420, 320]],
  ['login-fr', [420]],
].filter(([name]) => name.includes(filter));

const server = createServer((request, response) => {
  if (request.url === '/comms-kit.iife.js') {
    response.setHeader('content-type', 'text/javascript');
    response.end(readFileSync(bundle));
  } else {
    response.setHeader('content-type', 'text/html; charset=utf-8');
    response.end(page);
  }
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const url = `http://127.0.0.1:${server.address().port}/`;

const executablePath = findChrome();
if (!executablePath) {
  server.close();
  throw new Error(
    'No Chrome/Chromium found: run `node scripts/ensure-chromium.mjs` or set CHROME_PATH.',
  );
}
const browser = await chromium.launch({ executablePath, args: chromeArgs, headless: true });
mkdirSync(out, { recursive: true });
let failures = 0;
try {
  for (const colorScheme of ['light', 'dark']) {
    for (const [name, widths] of captures) {
      for (const width of widths) {
        const context = await browser.newContext({
          colorScheme,
          viewport: { width: width + 32, height: 900 },
          deviceScaleFactor: 1,
        });
        const tab = await context.newPage();
        const errors = [];
        tab.on('pageerror', (error) => errors.push(error.message));
        const file = join(out, `${name}${width === 320 ? '-320' : ''}-${colorScheme}.png`);
        try {
          await tab.goto(url);
          await tab.evaluate(
            (w) => document.documentElement.style.setProperty('--w', `${w}px`),
            width,
          );
          await tab.evaluate((n) => window.run(n), name);
          await tab.locator('#stage').screenshot({ path: file, animations: 'disabled' });
          console.log(
            `${errors.length ? '!' : '✓'} ${file.slice(root.length + 1)}${errors.length ? `  (${errors.join('; ')})` : ''}`,
          );
        } catch (error) {
          failures++;
          console.error(`✗ ${name} ${colorScheme} ${width}: ${error.message.split('\n')[0]}`);
        } finally {
          await context.close();
        }
      }
    }
  }
} finally {
  await browser.close();
  server.close();
}
if (failures) {
  console.error(`${failures} screenshot(s) failed`);
  process.exitCode = 1;
}

/**
 * The demo as it looks in use: the built gateway on a free loopback port with an in-memory
 * database, Ada and Bob signed up through `<comms-login>` in two browser contexts, each adding
 * the other from the roster's search, Ada calling Bob with video from the roster and the two
 * chatting. Ada's page is saved to docs/images/demo.png (1280 × 800, light); the same page
 * dark, and a third person's page at 320 px (light and dark, each of the phone's panes), go
 * to screenshots/demo-*.png for a look.
 */
async function captureDemo() {
  const { spawn } = await import('node:child_process');
  const gateway = spawn(
    process.execPath,
    [join(root, 'dist/node/server/bin.js'), '--port', '0', '--db', ':memory:'],
    { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, LOG_LEVEL: 'silent' } },
  );
  const base = await new Promise((resolve, reject) => {
    let output = '';
    gateway.stdout.on('data', (chunk) => {
      output += chunk;
      const match = /listening on (http:\/\/\S+)/.exec(output);
      if (match) resolve(match[1]);
    });
    gateway.on('exit', (code) => reject(new Error(`the gateway exited with ${code}`)));
  });
  const browser = await chromium.launch({ executablePath: findChrome(), args: chromeArgs });
  mkdirSync(out, { recursive: true });
  try {
    const open = async (options = {}) =>
      (
        await browser.newContext({
          colorScheme: 'light',
          viewport: { width: 1280, height: 800 },
          deviceScaleFactor: 1,
          ...options,
        })
      ).newPage();
    const signUp = async (tab, username, name) => {
      await tab.goto(base);
      await tab.click('comms-login [part~="mode-button"]');
      await tab.fill('comms-login input[name="username"]', username);
      await tab.fill('comms-login input[name="password"]', 'correct horse battery staple');
      await tab.fill('comms-login input[name="displayName"]', name);
      await tab.click('comms-login [part~="submit-button"]');
      await tab.waitForSelector('body[data-view="signed-in"]');
    };
    const addContact = async (tab, username) => {
      await tab.fill('comms-presence [part~="search-input"]', username);
      await tab.click(
        `comms-presence [part~="result"][data-user="${username}"] [part~="add-button"]`,
      );
      await tab.waitForSelector(`comms-presence [part~="contact"][data-user="${username}"]`);
    };
    const shoot = async (tab, file) => {
      await tab.screenshot({ path: file, animations: 'disabled' });
      console.log(`✓ ${file.slice(root.length + 1)}`);
    };

    // The signed-out page first.
    const welcome = await open();
    await welcome.goto(base);
    await welcome.waitForSelector('body[data-view="signed-out"]');
    await shoot(welcome, join(out, 'demo-signin-light.png'));
    await welcome.emulateMedia({ colorScheme: 'dark' });
    await shoot(welcome, join(out, 'demo-signin-dark.png'));
    await welcome.setViewportSize({ width: 320, height: 640 });
    await shoot(welcome, join(out, 'demo-signin-320-dark.png'));

    const ada = await open();
    const bob = await open();
    await signUp(bob, 'bob', 'Bob Builder');
    await signUp(ada, 'ada', 'Ada Lovelace');
    await addContact(ada, 'bob');
    await addContact(bob, 'ada');
    // Ada added Bob before he added her: his presence reaches her once he adds her.
    await ada.waitForSelector(
      'comms-presence [part~="contact"][data-user="bob"][data-state="available"]',
    );
    await ada.click('comms-presence [part~="contact"][data-user="bob"] [part~="video-button"]');
    await bob.click('comms-call-view [part~="answer-video-button"]');
    await ada.waitForSelector('comms-call-view [part~="timer"]');
    await ada.click('comms-presence [part~="contact"][data-user="bob"] [part~="chat-button"]');
    await ada.fill('comms-chat [part~="input"]', 'Hi Bob! Can you see the new call view?');
    await ada.press('comms-chat [part~="input"]', 'Enter');
    await bob.click('comms-chat [part~="conversation"]');
    await bob.fill('comms-chat [part~="input"]', 'Yes, and your video is crisp.');
    await bob.press('comms-chat [part~="input"]', 'Enter');
    await ada.waitForFunction(
      () =>
        document.querySelector('comms-chat')?.shadowRoot?.querySelectorAll('[part~="message"]')
          .length === 2,
    );
    await ada.waitForSelector(
      'comms-presence [part~="contact"][data-user="bob"][data-state="on-the-phone"]',
    );
    await ada.waitForFunction(() => {
      const view = document.querySelector('comms-call-view')?.shadowRoot;
      const video = (part) => view?.querySelector(`[part~="${part}"] video`)?.videoWidth ?? 0;
      return video('remote-video') > 0 && video('local-video') > 0;
    });
    await ada.waitForFunction(
      () =>
        (
          document
            .querySelector('comms-call-view')
            ?.shadowRoot?.querySelector('[part="graph"] .kbps')
            ?.getAttribute('points') ?? ''
        ).split(' ').length >= 4,
    );
    await ada.click('#tip-close'); // the first-visit tip, dismissed
    await ada.evaluate(() => document.activeElement?.blur());
    const file = join(root, 'docs/images/demo.png');
    mkdirSync(dirname(file), { recursive: true });
    await shoot(ada, file);
    await ada.emulateMedia({ colorScheme: 'dark' });
    await shoot(ada, join(out, 'demo-dark.png'));

    // A phone: Bob's page at 320 px, each pane.
    await bob.setViewportSize({ width: 320, height: 640 });
    for (const colorScheme of ['light', 'dark']) {
      await bob.emulateMedia({ colorScheme });
      for (const pane of ['people', 'calls', 'chat']) {
        await bob.click(`[role="tab"][aria-controls="${pane}"]`);
        await shoot(bob, join(out, `demo-320-${pane}-${colorScheme}.png`));
      }
    }
    await bob.setViewportSize({ width: 1280, height: 800 });
    await bob.click('#settings-button');
    await bob.waitForFunction(
      () => (document.querySelector('comms-device-picker')?.level ?? 0) > 0,
    );
    await shoot(bob, join(out, 'demo-devices-dark.png'));
  } finally {
    await browser.close();
    gateway.kill('SIGTERM');
  }
}
