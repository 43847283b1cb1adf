/**
 * The Storybook catalog builds and its stories work (`test/helpers/storybook.ts` serves the
 * static catalog and opens it in Debian's Chromium with fake camera and microphone): a story
 * for each element; changing a control or the story closes the previous scene's calls; the
 * connected video call shows Bob's (fake) camera; the theme and language globals reach the
 * elements; and the stories that need a gateway, given a real one, show the client really
 * waiting to reconnect and the login form's real answers. Every story's rendering (accessible,
 * 320 px, no error, dark and French) is checked by `storybook-calls.test.ts` and
 * `storybook-messaging.test.ts`: each file has its own 20 s in `npm run test:node`.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { axePath, gatewayStories, openCatalog, renderGroups } from '../helpers/storybook.js';

describe('the Storybook catalog', { timeout: 120_000 }, () => {
  const catalog = openCatalog({ gateway: true });

  it('has stories for each element, each rendered by one of the rendering files', (t) => {
    t.diagnostic(
      catalog.reused ? 'catalog: storybook-static/ (fresh)' : 'catalog: built for this run',
    );
    const titles = [...new Set(catalog.stories.map((s) => s.title))].sort();
    assert.deepEqual(titles, [
      'Elements/Call view',
      'Elements/Chat',
      'Elements/Client',
      'Elements/Device picker',
      'Elements/Dialer',
      'Elements/Login',
      'Elements/Presence',
      'Elements/Voicemail',
      'Scenes/Two people',
    ]);
    assert.deepEqual(Object.values(renderGroups).flat().sort(), titles);
    assert.ok(catalog.stories.length >= 45, `only ${catalog.stories.length} stories`);
  });

  it('closes the calls of a story when a control changes or another story is shown', async () => {
    const story = 'elements-call-view--two-calls';
    await catalog.load(story);
    const open = () =>
      catalog.page.evaluate(
        () =>
          (window as unknown as { __peers: RTCPeerConnection[] }).__peers.filter(
            (pc) => pc.connectionState !== 'closed',
          ).length,
      );
    const calls = await open();
    assert.ok(calls >= 4, 'two calls, each with two ends');
    // A control changed: the scene is built again, and the previous one's calls end.
    const before = await catalog.page.evaluate(() =>
      document.querySelector('comms-call-view')!.getAttribute('stats-interval'),
    );
    assert.equal(before, '1000');
    assert.equal(
      await catalog.updateArgs({ storyId: story, updatedArgs: { statsInterval: 500 } }),
      'rendered',
    );
    await catalog.page.waitForFunction((n) => {
      const peers = (window as unknown as { __peers: RTCPeerConnection[] }).__peers;
      return (
        peers.length >= 2 * n && peers.filter((pc) => pc.connectionState !== 'closed').length === n
      );
    }, calls);
    assert.equal(
      await catalog.page.evaluate(() =>
        document.querySelector('comms-call-view')!.getAttribute('stats-interval'),
      ),
      '500',
    );
    assert.equal(await catalog.show('elements-dialer--empty'), 'rendered');
    await catalog.page.waitForFunction(() =>
      (window as unknown as { __peers: RTCPeerConnection[] }).__peers.every(
        (pc) => pc.connectionState === 'closed',
      ),
    );
  });

  it('carries real video in the connected video call', async () => {
    const before = catalog.errors.length;
    assert.equal(await catalog.show('elements-call-view--connected-video'), 'rendered');
    await catalog.page.waitForFunction(() => {
      const view = document.querySelector('comms-call-view');
      const video = view?.shadowRoot?.querySelector<HTMLVideoElement>(
        '[part="remote-video"] video',
      );
      return (video?.videoWidth ?? 0) > 0;
    });
    assert.deepEqual(catalog.errors.slice(before), []);
  });

  it('applies the theme and language globals to the elements', async () => {
    const before = catalog.errors.length;
    const look = async (globals: string) => {
      await catalog.load('elements-dialer--typing-a-name', `&globals=${globals}`);
      const background = await catalog.page.evaluate(() => {
        const input = document.querySelector('comms-dialer')!.shadowRoot!.querySelector('input')!;
        return getComputedStyle(input).backgroundColor;
      });
      return { background, text: await catalog.shadowText('comms-dialer') };
    };
    const light = await look('theme:light;lang:en');
    const dark = await look('theme:dark;lang:fr');
    assert.equal(light.background, 'rgb(255, 255, 255)');
    assert.equal(dark.background, 'rgb(27, 27, 31)');
    assert.match(light.text, /Will call bob/);
    assert.match(dark.text, /Appellera bob/);
    assert.deepEqual(catalog.errors.slice(before), []);
  });

  it('shows a client really waiting to reconnect to a real gateway', async () => {
    const before = catalog.errors.length;
    await catalog.load(
      'elements-client--reconnecting',
      `&args=gatewayPort:${new URL(catalog.gateway.url).port}`,
    );
    await catalog.page.waitForFunction(
      () =>
        !!document
          .querySelector('comms-dialer')
          ?.shadowRoot?.querySelector('[part="connection"][data-status="reconnecting"]'),
    );
    assert.match(await catalog.shadowText('comms-dialer'), /Reconnecting \(attempt 1\)/);
    assert.deepEqual(catalog.errors.slice(before), []);
  });

  it('shows the gateway’s answers in the login stories: a wrong password, a weak password', async () => {
    const port = new URL(catalog.gateway.url).port;
    const expected: Record<string, RegExp> = {
      'elements-login--wrong-password': /The user name or password is wrong\./,
      'elements-login--weak-password': /Choose a stronger password: \S/,
    };
    for (const [id, text] of Object.entries(expected)) {
      const before = catalog.errors.length;
      await catalog.load(id, `&args=gatewayPort:${port}`);
      await catalog.page.addScriptTag({ path: axePath });
      assert.match(await catalog.shadowText('comms-login'), text, id);
      assert.deepEqual(await catalog.audit(), [], `${id}: axe`);
      const unexpected = catalog.errors.slice(before).filter((e) => !gatewayStories[id]!.test(e));
      assert.deepEqual(unexpected, [], id);
    }
  });

  it('shows voicemails Ada really left Bob on a real gateway, and an empty mailbox', async () => {
    const port = new URL(catalog.gateway.url).port;
    const before = catalog.errors.length;
    await catalog.load('elements-voicemail--inbox', `&args=gatewayPort:${port}`);
    await catalog.page.waitForFunction(
      () =>
        document
          .querySelector('comms-voicemail')
          ?.shadowRoot?.querySelectorAll('[part~="voicemail"]').length === 3,
    );
    const inbox = await catalog.shadowText('comms-voicemail');
    assert.match(inbox, /Voicemail\s*3 new/);
    // Newest first: 3 s, 4 s, 2 s.
    assert.deepEqual(
      [...inbox.matchAll(/\b0:0(\d)\b/g)].map((m) => m[1]),
      ['3', '4', '2'],
    );
    await catalog.page.addScriptTag({ path: axePath });
    assert.deepEqual(await catalog.audit(), [], 'inbox: axe');
    await catalog.load('elements-voicemail--empty', `&args=gatewayPort:${port}`);
    await catalog.page.waitForFunction(
      () =>
        !!document.querySelector('comms-voicemail')?.shadowRoot?.querySelector('[part~="empty"]'),
    );
    assert.match(await catalog.shadowText('comms-voicemail'), /No voicemails\./);
    assert.deepEqual(catalog.errors.slice(before), []);
  });
});
