/**
 * The guides stay true to the code: docs/deploy.md lists every flag and environment variable the
 * CLI reads (and no flag it does not have); docs/theming.md lists every `--comms-*` custom
 * property of the design tokens and the elements' manifest (and none that does not exist); the
 * guides link to each other and from README.md.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseCommandLine, usage } from '../../server/cli.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const read = (path: string) => readFileSync(join(root, path), 'utf8');
const unique = (items: Iterable<string>) => [...new Set(items)].sort();

describe('docs/deploy.md', () => {
  const doc = read('docs/deploy.md');
  const table = doc.slice(doc.indexOf('## Configuration'), doc.indexOf('## Behind a reverse'));
  const flags = unique(usage.match(/--[a-z][a-z-]+/g) ?? []);
  const cliSource = read('server/cli.ts');
  const variables = unique(cliSource.match(/\b(?:PORT|HOST|LOG_LEVEL|COMMS_[A-Z_]+)\b/g) ?? []);

  it('the CLI has the flags and variables this test reads', () => {
    assert.ok(flags.includes('--turn-secret') && flags.length > 15, flags.join(' '));
    assert.ok(variables.includes('COMMS_APP_SECRET') && variables.length > 15);
    // Every flag in the usage is one the parser knows (else the test reads the wrong list).
    for (const flag of flags) {
      try {
        parseCommandLine([flag, '1'], {});
      } catch (error) {
        assert.doesNotMatch((error as Error).message, /unknown option/i, flag);
      }
    }
  });

  it('lists every flag and variable of the CLI', () => {
    const missing = [...flags, ...variables].filter((name) => !table.includes(`\`${name}\``));
    assert.deepEqual(missing, [], `missing from docs/deploy.md: ${missing.join(', ')}`);
  });

  it('names no flag the CLI does not have', () => {
    const documented = unique(table.match(/`(--[a-z][a-z-]+)/g)?.map((m) => m.slice(1)) ?? []);
    const unknown = documented.filter((flag) => !flags.includes(flag));
    assert.deepEqual(unknown, [], `not CLI flags: ${unknown.join(', ')}`);
  });
});

describe('docs/theming.md', () => {
  const doc = read('docs/theming.md');
  const manifest = read('custom-elements.json');
  const tokens = read('components/shared/tokens.ts');
  const real = unique([
    ...(tokens.match(/--comms-[a-z0-9-]+/g) ?? []),
    ...(manifest.match(/"--comms-[a-z0-9-]+"/g)?.map((m) => m.slice(1, -1)) ?? []),
  ]);

  it('lists every --comms-* custom property of the tokens and the manifest', () => {
    assert.ok(real.length > 10, `found ${real.length}`);
    const missing = real.filter((name) => !doc.includes(`\`${name}\``));
    assert.deepEqual(missing, [], `missing from docs/theming.md: ${missing.join(', ')}`);
  });

  it('names no custom property that does not exist', () => {
    const documented = unique(doc.match(/--comms-[a-z0-9-]+/g) ?? []);
    const unknown = documented.filter((name) => !real.includes(name) && !name.endsWith('-'));
    assert.deepEqual(unknown, [], `not in the code: ${unknown.join(', ')}`);
  });
});

describe('the guides', () => {
  const guides = ['getting-started.md', 'api-mapping.md', 'deploy.md', 'theming.md', 'security.md'];
  it('are linked from README.md and from getting-started.md', () => {
    const readme = read('README.md');
    const start = read('docs/getting-started.md');
    for (const guide of guides) {
      assert.ok(readme.includes(`](docs/${guide}`), `README.md links ${guide}`);
      if (guide !== 'getting-started.md')
        assert.ok(start.includes(`](${guide}`), `getting-started.md links ${guide}`);
    }
  });
  it('link only to files that exist', () => {
    for (const guide of guides) {
      const text = read(`docs/${guide}`);
      for (const [, target] of text.matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)) {
        if (/^[a-z]+:/.test(target!)) continue;
        assert.doesNotThrow(() => read(join('docs', target!)), `${guide} links ${target}`);
      }
    }
  });
});
