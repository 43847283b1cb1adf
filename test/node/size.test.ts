/**
 * The size guard: `npm test` fails when the CDN bundle or the core bundle grows past its
 * ceiling, and reports each against its issue-8 target. Sizes are deterministic, so these are
 * checks, not timings; they measure with the benchmarks' own code (`bench/lib/size.ts`). Runs
 * after `npm run build`. The targets are not met yet; the ceilings stop growth meanwhile.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  budgets,
  ceilings,
  bundleCore,
  formatKB,
  measure,
  readCdnBundle,
  type Sizes,
} from '../../bench/lib/size.js';

function report(what: string, sizes: Sizes, ceiling: number, target: number): string {
  const status = sizes.gzip <= target ? 'meets' : 'misses';
  return `${what}: ${formatKB(sizes.gzip)} gzip (${sizes.gzip} B; brotli ${formatKB(sizes.brotli)}); ceiling ${formatKB(ceiling)}; target ${formatKB(target)} (${status} it)`;
}

describe('size budget', () => {
  it(`the CDN bundle (dist/cdn/comms-kit.js) is at most ${formatKB(ceilings.cdnGzip)} gzip`, (t) => {
    const sizes = measure(readCdnBundle());
    t.diagnostic(report('CDN bundle', sizes, ceilings.cdnGzip, budgets.cdnGzip));
    assert.ok(
      sizes.gzip <= ceilings.cdnGzip,
      report('CDN bundle over its ceiling', sizes, ceilings.cdnGzip, budgets.cdnGzip),
    );
  });

  it(`comms-kit/core bundled alone is at most ${formatKB(ceilings.coreGzip)} gzip`, async (t) => {
    const sizes = measure(await bundleCore());
    t.diagnostic(report('core bundle', sizes, ceilings.coreGzip, budgets.coreGzip));
    assert.ok(
      sizes.gzip <= ceilings.coreGzip,
      report('core bundle over its ceiling', sizes, ceilings.coreGzip, budgets.coreGzip),
    );
  });
});
