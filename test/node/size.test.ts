/**
 * The size budget: `npm test` fails when the CDN bundle or the core bundle grows past its gzip
 * budget (issue 8). Sizes are deterministic, so these are checks, not timings; they measure
 * with the benchmarks' own code (`bench/lib/size.ts`). Runs after `npm run build`.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  budgets,
  bundleCore,
  formatKB,
  measure,
  readCdnBundle,
  type Sizes,
} from '../../bench/lib/size.js';

function report(what: string, sizes: Sizes, budget: number): string {
  return `${what}: ${formatKB(sizes.gzip)} gzip (${sizes.gzip} B; brotli ${formatKB(sizes.brotli)}), budget ${formatKB(budget)} gzip`;
}

describe('size budget', () => {
  it(`the CDN bundle (dist/cdn/comms-kit.js) is at most ${formatKB(budgets.cdnGzip)} gzip`, (t) => {
    const sizes = measure(readCdnBundle());
    t.diagnostic(report('CDN bundle', sizes, budgets.cdnGzip));
    assert.ok(
      sizes.gzip <= budgets.cdnGzip,
      report('CDN bundle over budget', sizes, budgets.cdnGzip),
    );
  });

  it(`comms-kit/core bundled alone is at most ${formatKB(budgets.coreGzip)} gzip`, async (t) => {
    const sizes = measure(await bundleCore());
    t.diagnostic(report('core bundle', sizes, budgets.coreGzip));
    assert.ok(
      sizes.gzip <= budgets.coreGzip,
      report('core bundle over budget', sizes, budgets.coreGzip),
    );
  });
});
