/**
 * Every story of the chat, presence and login elements and the two-people scene renders
 * accessibly, at 320 px, in dark and in French, with no uncaught or console error
 * (`test/helpers/storybook.ts`); the login stories that need a gateway are shown with one by
 * `storybook.test.ts`. Two stories are also driven: the two-people scene (Bob writes and calls)
 and the failed message (Retry sends it).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { openCatalog, renderGroups, storiesOf } from '../helpers/storybook.js';

describe('the Storybook catalog: chat, presence and login stories', { timeout: 120_000 }, () => {
  const catalog = openCatalog();

  it('renders every story accessibly, at 320 px, without an error, in dark and in French', async () => {
    const ids = storiesOf(catalog, renderGroups.messaging);
    assert.ok(ids.length >= 15, `only ${ids.length} chat, presence and login stories`);
    assert.deepEqual(await catalog.renderEach(ids), []);
  });

  it('shows Bob’s messages in the two-people scene, and his call after `callAfter` seconds', async () => {
    await catalog.load('scenes-two-people--bob-writes-then-calls', '&args=callAfter:0');
    // Each element shows its part: the message, Bob calling, his note.
    const shown = {
      'comms-chat': 'Have you got a minute?',
      'comms-call-view': 'Bob Builder',
      'comms-presence': 'Building a shed',
    };
    for (const [tag, text] of Object.entries(shown)) {
      await catalog.page.waitForFunction(
        ([t, x]) => !!document.querySelector(t!)?.shadowRoot?.textContent?.includes(x!),
        [tag, text],
      );
    }
  });

  it('sends the failed message again with Retry, once Carol has an account', async () => {
    await catalog.load('elements-chat--failed-message');
    const status = () =>
      catalog.page.evaluate(
        () =>
          document
            .querySelector('comms-chat')!
            .shadowRoot!.querySelector<HTMLElement>('[part~="status"]')!.dataset.status,
      );
    assert.equal(await status(), 'failed');
    await catalog.page.evaluate(() =>
      document
        .querySelector('comms-chat')!
        .shadowRoot!.querySelector<HTMLButtonElement>('[part~="retry-button"]')!
        .click(),
    );
    await catalog.page.waitForFunction(
      () =>
        document
          .querySelector('comms-chat')!
          .shadowRoot!.querySelector<HTMLElement>('[part~="status"]')!.dataset.status === 'sent',
    );
  });
});
