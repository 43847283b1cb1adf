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
const out = '/tmp/scratch/shots';
async function captureDemo() {
  const { spawn } = await import('node:child_process');
  const { mkdtempSync } = await import('node:fs');
  const data = mkdtempSync('/tmp/scratch/gw-');
  let gateway;
  const startGateway = () => {
    gateway = spawn(
      process.execPath,
      [join(root, 'dist/node/server/bin.js'), '--port', '18999', '--data', data],
      { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, LOG_LEVEL: 'silent' } },
    );
    return new Promise((resolve, reject) => {
      let output = '';
      gateway.stdout.on('data', (chunk) => {
        output += chunk;
        const match = /listening on (http:\/\/\S+)/.exec(output);
        if (match) resolve(match[1]);
      });
      gateway.on('exit', (code) => reject(new Error(`the gateway exited with ${code}`)));
    });
  };
  const base = await startGateway();
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
    // Ada added Bob before he added her: her roster asks again every minute, a reload at once.
    const t0 = Date.now();
    try {
      await ada.waitForSelector('comms-presence [part~="contact"][data-user="bob"][data-state="available"]', { timeout: 15000 });
      console.log('ada sees bob available after', Date.now() - t0, 'ms');
    } catch { console.log('ada does NOT see bob available after 15 s'); }
    await shoot(ada, join(out, 'ada-roster.png'));
    await ada.click('comms-presence [part~="contact"][data-user="bob"] [part~="chat-button"]');
    await ada.fill('comms-chat [part~="input"]', 'before the restart');
    await ada.press('comms-chat [part~="input"]', 'Enter');
    await ada.waitForTimeout(500);
    gateway.kill('SIGTERM');
    await new Promise((r) => gateway.on('exit', r));
    await ada.waitForTimeout(3000);
    await shoot(ada, join(out, 'ada-gateway-down.png'));
    await ada.fill('comms-chat [part~="input"]', 'while it was down');
    await ada.press('comms-chat [part~="input"]', 'Enter');
    await ada.waitForTimeout(500);
    await shoot(ada, join(out, 'ada-sent-while-down.png'));
    gateway.removeAllListeners('exit');
    await startGateway();
    const t1 = Date.now();
    try {
      await bob.waitForFunction(() => (document.querySelector('comms-chat')?.shadowRoot?.textContent ?? '').includes('while it was down'), null, { timeout: 60000 });
      console.log('bob got the message sent while down after', Date.now() - t1, 'ms');
    } catch { console.log('bob never got the message sent while down'); }
    try {
      await ada.waitForSelector('comms-presence [part~="contact"][data-user="bob"][data-state="available"]', { timeout: 30000 });
      console.log('ada sees bob available again after', Date.now() - t1, 'ms');
    } catch { console.log('ada does not see bob available after the restart'); }
    await shoot(ada, join(out, 'ada-after-restart.png'));
    await shoot(bob, join(out, 'bob-after-restart.png'));
    const info = await bob.evaluate(() => {
      const c = document.querySelector('comms-client').activeClient;
      const st = c.store.getState();
      return JSON.stringify({ convs: st.conversations ? Object.keys(st.conversations) : null, keys: Object.keys(st), conv: Object.values(st.conversations?.byId ?? st.conversations ?? {}).map((x) => ({ id: x.id ?? x.conversationId, unread: x.unreadCount ?? x.unread, n: (x.messages ?? []).length, msgs: (x.messages ?? []).map((m) => [m.seq, m.clientId, m.parts?.[0]?.text, m.status ?? m.state]) })) });
    });
    console.log(info.slice(0, 3000));
    await bob.click('comms-chat [part~="conversation"]');
    await bob.waitForTimeout(800);
    await shoot(bob, join(out, 'bob-thread.png'));
  } finally {
    await browser.close();
    gateway?.kill('SIGTERM');
  }
}
await captureDemo();
