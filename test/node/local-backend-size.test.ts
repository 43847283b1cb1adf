/**
 * The in-page backend ships in `comms-kit/core` but costs nothing to a page that never calls
 * `createLocalHub`: bundled from the core's entry with only `createClient` used, none of its
 * code is there. With `createLocalHub` used, its gateway's protocol (`protocol.ts`) is still a
 * lazy chunk, out of the initial load. Uses the size benchmark's bundler (bench/lib/size.ts:
 * the CDN build's settings, minified). A check of what is in the bundle, not a timing.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { bundle, bundleSizes, formatKB, type Chunk } from '../../bench/lib/size.js';

/** Every chunk's code, lazy ones too. */
const allCode = (chunks: Chunk[]) => chunks.map((c) => c.code).join('\n');

/** Texts only the in-page backend contains (its hub and its gateway). */
const markers = ['the in-page hub is unreachable', 'the call was answered on another device'];
/** A text only the protocol half of the in-page gateway (`protocol.ts`) contains. */
const protocolMarker = 'is not carried as a frame by the in-page backend';

describe('the in-page backend and the core bundle', () => {
  it('is left out of a page that uses only createClient, and present once createLocalHub is used', async (t) => {
    const withoutChunks = await bundle({
      source: "import { createClient } from './core/index.ts'; export const api = [createClient];",
    });
    const withHubChunks = await bundle({
      source:
        "import { createClient, createLocalHub } from './core/index.ts'; export const api = [createClient, createLocalHub];",
    });
    const [without, withHub] = [allCode(withoutChunks), allCode(withHubChunks)];
    const [plain, hub] = [bundleSizes(withoutChunks).total, bundleSizes(withHubChunks).total];
    t.diagnostic(
      `createClient only: ${formatKB(plain.gzip)} gzip; the hub adds ${formatKB(hub.gzip - plain.gzip)}`,
    );
    // The protocol half of its gateway is a lazy chunk, fetched when a client joins the hub.
    const initialCode = withHubChunks
      .filter((c) => !bundleSizes(withHubChunks).lazy.some((l) => l.fileName === c.fileName))
      .map((c) => c.code)
      .join('\n');
    assert.ok(withHub.includes(protocolMarker), 'the protocol is missing from the hub bundle');
    assert.ok(!initialCode.includes(protocolMarker), "the protocol is in the hub's initial load");
    for (const marker of markers) {
      assert.ok(
        !without.includes(marker),
        `'${marker}' is in a bundle that never calls createLocalHub`,
      );
      assert.ok(withHub.includes(marker), `'${marker}' is missing from a bundle that uses the hub`);
    }
  });
});
