import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { renderProtocolDoc, target } from '../../scripts/protocol-doc.js';
import { RequestFrames } from '../../core/protocol/schema.js';
import { WireErrorCodes } from '../../core/protocol/constants.js';

describe('docs/protocol.md', () => {
  it('is what scripts/protocol-doc.ts writes from core/protocol/ (run `npm run docs:protocol`)', async () => {
    assert.equal(readFileSync(target, 'utf8'), await renderProtocolDoc());
  });

  it('names every request type and every error code', async () => {
    const doc = await renderProtocolDoc();
    for (const type of Object.keys(RequestFrames))
      assert.ok(doc.includes(`#### \`${type}\``), type);
    for (const code of Object.values(WireErrorCodes)) assert.ok(doc.includes(`\`${code}\``), code);
  });
});
