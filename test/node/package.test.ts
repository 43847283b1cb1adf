import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import type * as Core from '../../core/index.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  version: string;
  exports: Record<string, string | Record<string, string>>;
  bin: Record<string, string>;
  customElements: string;
  sideEffects: string[];
};

describe('the package', () => {
  it('importing comms-kit/core in Node does not touch window or document, and a client works there', async () => {
    const touched: string[] = [];
    for (const name of ['window', 'document', 'customElements', 'HTMLElement']) {
      Object.defineProperty(globalThis, name, {
        configurable: true,
        get() {
          touched.push(name);
          return undefined;
        },
      });
    }
    let core: typeof Core;
    try {
      // Through the package's own exports map, as a user imports it (resolved at run time:
      // the built declarations do not exist yet when the typecheck runs).
      const specifier = 'comms-kit/core';
      core = (await import(specifier)) as typeof Core;
    } finally {
      for (const name of ['window', 'document', 'customElements', 'HTMLElement']) {
        delete (globalThis as Record<string, unknown>)[name];
      }
    }
    assert.deepEqual(touched, []);
    // Creating a client reads the environment (online/offline events) and works without a DOM.
    const client = core.createClient({ logs: { logLevel: 'silent' } });
    assert.equal(client.getVersion(), pkg.version);
    assert.equal(client.connection.getSocketState().status, 'disconnected');
    await client.destroy();
  });

  it('the core version constant matches package.json', async () => {
    const { version } = await import('../../core/version.js');
    assert.equal(version, pkg.version);
  });

  it('every path in exports, bin and customElements exists after the build', () => {
    const paths: string[] = [pkg.customElements, ...Object.values(pkg.bin)];
    for (const target of Object.values(pkg.exports)) {
      if (typeof target === 'string') paths.push(target);
      else paths.push(...Object.values(target));
    }
    for (const path of paths) assert.ok(existsSync(join(root, path)), `${path} exists`);
  });

  it('comms-kit/core pulls in no Lit', () => {
    const seen = new Set<string>();
    const visit = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      const code = readFileSync(file, 'utf8');
      assert.ok(!/from ['"](lit|@lit\/)/.test(code), `${file} imports Lit`);
      for (const [, spec] of code.matchAll(/from ['"](\.[^'"]+)['"]/g)) {
        visit(join(file, '..', spec!));
      }
    };
    visit(join(root, 'dist/core/index.js'));
    assert.ok(seen.size > 3);
  });

  it('the manifest documents <comms-client>', () => {
    const manifest = JSON.parse(readFileSync(join(root, pkg.customElements), 'utf8')) as {
      modules: Array<{
        declarations?: Array<{ tagName?: string; attributes?: Array<{ name: string }> }>;
      }>;
    };
    const declaration = manifest.modules
      .flatMap((m) => m.declarations ?? [])
      .find((d) => d.tagName === 'comms-client');
    assert.ok(declaration, 'comms-client is declared');
    const attributes = declaration.attributes?.map((a) => a.name) ?? [];
    assert.ok(attributes.includes('server'));
    assert.ok(attributes.includes('log-level'));
  });
});
