/**
 * The in-page backend is an entry of its own (`comms-kit/local`), not part of `comms-kit/core`:
 * the core bundled with every export (and its lazy chunks) has none of its code. A page that
 * imports `createLocalHub` from `core/local.ts` has it, with its gateway's protocol
 * (`protocol.ts`) still a lazy chunk, out of the initial load. Uses the size benchmark's
 * bundler (bench/lib/size.ts: the CDN build's settings, minified). A check of what is in the
 * bundle, not a timing.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { bundle, bundleCore, bundleSizes, formatKB, type Chunk } from '../../bench/lib/size.js';

/** Every chunk's code, lazy ones too. */
const allCode = (chunks: Chunk[]) => chunks.map((c) => c.code).join('\n');

/** Texts only the in-page backend contains (its hub and its gateway). */
const markers = ['the in-page hub is unreachable', 'the call was answered on another device'];
/** A text only the protocol half of the in-page gateway (`protocol.ts`) contains. */
const protocolMarker = 'is not carried as a frame by the in-page backend';

describe('the in-page backend and the core bundle', () => {
  it('is absent from comms-kit/core, and present, its protocol lazy, in a page that imports comms-kit/local', async (t) => {
    const coreChunks = await bundleCore();
    const withHubChunks = await bundle({
      source:
        "import { createClient } from './core/index.ts'; import { createLocalHub } from './core/local.ts'; export const api = [createClient, createLocalHub];",
    });
    const [core, withHub] = [allCode(coreChunks), allCode(withHubChunks)];
    const [plain, hub] = [bundleSizes(coreChunks).total, bundleSizes(withHubChunks).total];
    t.diagnostic(
      `comms-kit/core, every export: ${formatKB(plain.gzip)} gzip; a page with createClient and createLocalHub: ${formatKB(hub.gzip)}`,
    );
    // The protocol half of its gateway is a lazy chunk, fetched when a hub is created.
    const lazy = new Set(bundleSizes(withHubChunks).lazy.map((l) => l.fileName));
    const initialCode = allCode(withHubChunks.filter((c) => !lazy.has(c.fileName)));
    assert.ok(withHub.includes(protocolMarker), 'the protocol is missing from the hub bundle');
    assert.ok(!initialCode.includes(protocolMarker), "the protocol is in the hub's initial load");
    assert.ok(!core.includes(protocolMarker), 'the protocol is in comms-kit/core');
    for (const marker of markers) {
      assert.ok(!core.includes(marker), `'${marker}' is in comms-kit/core`);
      assert.ok(withHub.includes(marker), `'${marker}' is missing from a bundle that uses the hub`);
    }
  });
});
