import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import ts from 'typescript';
import type * as Core from '../../core/index.js';
import type * as Local from '../../core/local.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  version: string;
  exports: Record<string, string | Record<string, string>>;
  bin: Record<string, string>;
  customElements: string;
  sideEffects: string[];
};

/** The elements exported one by one: `<name>` of every `comms-kit/elements/<name>`. */
const elementNames = Object.keys(pkg.exports).flatMap((key) => {
  const name = /^\.\/elements\/(.+)$/.exec(key)?.[1];
  return name ? [name] : [];
});
/** Every tag the components define: `components/<name>/comms-<name>.ts`, one per folder. */
const definedTags = readdirSync(join(root, 'components'), { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .flatMap((entry) =>
    existsSync(join(root, 'components', entry.name, `comms-${entry.name}.ts`))
      ? [`comms-${entry.name}`]
      : [],
  );
const sorted = (items: Iterable<string>) => [...new Set(items)].sort();

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

  it('comms-kit/local resolves to the in-page backend, which takes the client from comms-kit/core', async () => {
    // Node's rules, as a user's import resolves (Vite, webpack and esbuild follow the same map).
    const resolved = fileURLToPath(import.meta.resolve('comms-kit/local'));
    assert.equal(resolved, join(root, 'dist', 'core', 'local.js'));
    // Run-time specifiers: the built declarations do not exist yet when the typecheck runs.
    const [localSpecifier, coreSpecifier, rootSpecifier] = [
      'comms-kit/local',
      'comms-kit/core',
      'comms-kit',
    ];
    const local = (await import(localSpecifier)) as typeof Local;
    const core = (await import(coreSpecifier)) as typeof Core;
    const main = (await import(rootSpecifier)) as Record<string, unknown>;
    assert.deepEqual(Object.keys(local).sort(), ['createLocalHub', 'scriptUser']);
    for (const name of ['createLocalHub', 'scriptUser']) {
      assert.ok(!(name in core), `comms-kit/core exports ${name}`);
      assert.ok(!(name in main), `comms-kit exports ${name}`);
    }
    // One core: the scripted user's client is an instance of comms-kit/core's class, and a
    // client from there joins the same hub and hears the user.
    const hub = local.createLocalHub();
    const quiet = { logs: { logLevel: 'silent' as const } };
    const bob = await local.scriptUser(hub, { id: 'bob', displayName: 'Bob' }, quiet);
    assert.ok(bob.client instanceof core.CommsClient, "the scripted user's client is another copy");
    const ada = core.createClient(quiet);
    ada.useLocalBackend(hub, { id: 'ada', displayName: 'Ada' });
    await ada.connect();
    const heard = new Promise<string>((resolve) => {
      const check = () => {
        const [message] = ada.conversation.get('bob').getMessages();
        const part = message?.parts[0];
        if (part?.type === 'text') resolve(part.text);
      };
      ada.on('messages:change', check);
      check();
    });
    await bob.say('ada', 'hello from the hub');
    assert.equal(await heard, 'hello from the hub');
    await Promise.all([bob.goAway(), ada.destroy()]);
  });

  it('comms-kit/local has its declaration file, found by TypeScript', () => {
    const from = join(root, 'test', 'node', 'user.ts');
    const expected = join(root, 'dist', 'types', 'core', 'local.d.ts');
    for (const [module, moduleResolution] of [
      [ts.ModuleKind.NodeNext, ts.ModuleResolutionKind.NodeNext],
      [ts.ModuleKind.ESNext, ts.ModuleResolutionKind.Bundler],
    ] as const) {
      const { resolvedModule } = ts.resolveModuleName(
        'comms-kit/local',
        from,
        { module, moduleResolution },
        ts.sys,
      );
      assert.equal(resolvedModule?.resolvedFileName, expected, `(${moduleResolution})`);
    }
    const declaration = readFileSync(expected, 'utf8');
    for (const name of ['createLocalHub', 'scriptUser', 'LocalHub', 'LocalHubOptions']) {
      assert.match(declaration, new RegExp(`\\b${name}\\b`), `${expected} names ${name}`);
    }
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

  it('exports one subpath per element, comms-kit/elements/<name>, for every element and no more', () => {
    assert.deepEqual(sorted(elementNames), [
      'call-view',
      'chat',
      'client',
      'device-picker',
      'dialer',
      'login',
      'presence',
      'voicemail',
    ]);
    assert.deepEqual(sorted(elementNames.map((name) => `comms-${name}`)), sorted(definedTags));
  });

  it('comms-kit/elements/<name> resolves through the exports to its built define module, and nothing deeper does', () => {
    for (const name of elementNames) {
      // Self-reference, as a user's import resolves (Node's rules; Vite, webpack and esbuild
      // follow the same exports map).
      const resolved = fileURLToPath(import.meta.resolve(`comms-kit/elements/${name}`));
      assert.equal(resolved, join(root, 'dist', 'components', name, `comms-${name}.js`));
      assert.ok(existsSync(resolved), `${resolved} exists`);
    }
    for (const specifier of [
      'comms-kit/elements/shared',
      'comms-kit/elements/comms-dialer',
      'comms-kit/dist/components/dialer/comms-dialer.js',
    ]) {
      assert.throws(
        () => import.meta.resolve(specifier),
        { code: 'ERR_PACKAGE_PATH_NOT_EXPORTED' },
        specifier,
      );
    }
  });

  it('each element subpath has its declaration file, found by TypeScript, which maps its tag to its class', () => {
    const from = join(root, 'test', 'node', 'user.ts');
    for (const moduleResolution of [
      ts.ModuleResolutionKind.NodeNext,
      ts.ModuleResolutionKind.Bundler,
    ]) {
      const options: ts.CompilerOptions = {
        module:
          moduleResolution === ts.ModuleResolutionKind.Bundler
            ? ts.ModuleKind.ESNext
            : ts.ModuleKind.NodeNext,
        moduleResolution,
      };
      for (const name of elementNames) {
        const specifier = `comms-kit/elements/${name}`;
        const { resolvedModule } = ts.resolveModuleName(specifier, from, options, ts.sys);
        const expected = join(root, 'dist', 'types', 'components', name, `comms-${name}.d.ts`);
        assert.equal(
          resolvedModule?.resolvedFileName,
          expected,
          `${specifier} (${moduleResolution})`,
        );
        const declaration = readFileSync(expected, 'utf8');
        assert.match(declaration, new RegExp(`'comms-${name}': Comms\\w+;`), expected);
        assert.match(declaration, /export \{ Comms\w+ \};/, expected);
      }
    }
  });

  it('each element subpath imports, transitively, no define module but its own', () => {
    const defineModules = new Set(
      elementNames.map((name) => join(root, 'dist', 'components', name, `comms-${name}.js`)),
    );
    for (const name of elementNames) {
      const entry = join(root, 'dist', 'components', name, `comms-${name}.js`);
      const reached = new Set<string>();
      const defines: string[] = [];
      const visit = (file: string) => {
        if (reached.has(file)) return;
        reached.add(file);
        const code = readFileSync(file, 'utf8');
        for (const [, tag] of code.matchAll(/customElements\.define\(\s*["']([^"']+)["']/g)) {
          defines.push(tag!);
        }
        // Static imports only: `import()` loads later and defines nothing (it is checked too).
        for (const [, spec] of code.matchAll(/(?:from|import)\s*["'](\.[^"']+)["']/g)) {
          visit(join(dirname(file), spec!));
        }
        for (const [, spec] of code.matchAll(/import\(\s*["'](\.[^"']+)["']\s*\)/g)) {
          visit(join(dirname(file), spec!));
        }
      };
      visit(entry);
      const others = [...reached].filter((f) => f !== entry && defineModules.has(f));
      assert.deepEqual(others, [], `${name} imports other define modules`);
      assert.ok(!reached.has(join(root, 'dist', 'components', 'all.js')), `${name} imports all.js`);
      assert.deepEqual(defines, [`comms-${name}`], `what importing ${name} defines`);
      assert.ok(reached.size > 5, `${name}: only ${reached.size} modules followed`);
    }
  });

  it('the manifest and docs/elements.md list the same elements as the exports', () => {
    const manifest = JSON.parse(readFileSync(join(root, pkg.customElements), 'utf8')) as {
      modules: Array<{ declarations?: Array<{ tagName?: string }> }>;
    };
    const tags = sorted(elementNames.map((name) => `comms-${name}`));
    const manifestTags = manifest.modules
      .flatMap((m) => m.declarations ?? [])
      .flatMap((d) => (d.tagName ? [d.tagName] : []));
    assert.deepEqual(sorted(manifestTags), tags, 'tags in custom-elements.json');
    const doc = readFileSync(join(root, 'docs', 'elements.md'), 'utf8');
    const sections = [...doc.matchAll(/^## `<(comms-[a-z-]+)>`$/gm)].map((m) => m[1]!);
    assert.deepEqual(sorted(sections), tags, 'sections of docs/elements.md');
    const imports = [...doc.matchAll(/comms-kit\/elements\/([a-z-]+)/g)].map((m) => m[1]!);
    assert.deepEqual(sorted(imports), sorted(elementNames), 'imports named in docs/elements.md');
    // Its table of imports: each subpath next to the tag it defines.
    for (const name of elementNames) {
      assert.match(
        doc,
        new RegExp(`\\| \`comms-kit/elements/${name}\` +\\| \`<comms-${name}>\``),
        `docs/elements.md's import table has ${name}`,
      );
    }
  });
});
