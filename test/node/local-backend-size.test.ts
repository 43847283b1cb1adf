/**
 * The in-page backend ships in `comms-kit/core` but costs nothing to a page that never calls
 * `createLocalHub`: bundled from the core's entry with only `createClient` used, none of its
 * code is there. Uses the size benchmark's bundler (bench/lib/size.ts: the CDN build's
 * settings, minified). A check of what is in the bundle, not a timing.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { bundle, formatKB, measure } from '../../bench/lib/size.js';

/** Texts only the in-page backend contains (its hub and its gateway). */
const markers = ['the in-page hub is unreachable', 'the call was answered on another device'];

describe('the in-page backend and the core bundle', () => {
  it('is left out of a page that uses only createClient, and present once createLocalHub is used', async (t) => {
    const without = await bundle({
      source: "import { createClient } from './core/index.ts'; export const api = [createClient];",
    });
    const withHub = await bundle({
      source:
        "import { createClient, createLocalHub } from './core/index.ts'; export const api = [createClient, createLocalHub];",
    });
    const cost = measure(withHub).gzip - measure(without).gzip;
    t.diagnostic(
      `createClient only: ${formatKB(measure(without).gzip)} gzip; the hub adds ${formatKB(cost)}`,
    );
    for (const marker of markers) {
      assert.ok(
        !without.includes(marker),
        `'${marker}' is in a bundle that never calls createLocalHub`,
      );
      assert.ok(withHub.includes(marker), `'${marker}' is missing from a bundle that uses the hub`);
    }
  });
});
