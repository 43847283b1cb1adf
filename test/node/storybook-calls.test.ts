/**
 * Every story of the call elements (call view, client, device picker, dialer) renders its
 * element accessibly, at 320 px, in dark and in French, with no uncaught or console error
 * (`test/helpers/storybook.ts`). The chat, presence and login stories are rendered by
 * `storybook-messaging.test.ts`: each file has its own 20 s in `npm run test:node`.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { openCatalog, renderGroups, storiesOf } from '../helpers/storybook.js';

describe('the Storybook catalog: call stories', { timeout: 120_000 }, () => {
  const catalog = openCatalog();

  it('renders every story accessibly, at 320 px, without an error, in dark and in French', async () => {
    const ids = storiesOf(catalog, renderGroups.calls);
    assert.ok(ids.length >= 20, `only ${ids.length} call stories`);
    assert.deepEqual(await catalog.renderEach(ids), []);
  });
});
