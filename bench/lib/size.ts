/**
 * Bundle sizes, shared by the size benchmarks (`bench/cdn-size.ts`, `bench/core-size.ts`) and
 * the size budget in `npm test` (`test/node/size.test.ts`), so both measure the same way.
 *
 * - Compression: gzip at level 9 and brotli at quality 11 (what a CDN serves for a static
 *   file), with `node:zlib`. 1 KB = 1,000 bytes.
 * - Bundles made here (the core alone, the dependency baseline) go through Vite with the
 *   settings of the `cdn` mode in `vite.config.ts` (library mode, ES module, `es2022`, the
 *   default minifier, `NODE_ENV=production`), in memory, so they compare with the CDN build.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import minifyHtmlLiterals from '@lit-labs/rollup-plugin-minify-html-literals';
import ts from 'typescript';
import { build, minifySync, type PluginOption } from 'vite';
import { cdnBundling, cdnPlugins } from '../../vite.config.js';

/** The repository root. */
export const root = fileURLToPath(new URL('../../', import.meta.url));

/** 1 KB, in bytes. */
export const KB = 1000;

/**
 * The size targets (gzip bytes) from issue 8, judged on the initial load (see
 * {@link BundleSizes}: what is loaded by `import()` only when needed is not counted, and
 * `test/node/size.test.ts` checks that it is loaded only then). `npm run bench` judges these.
 * The core's is met (19.95 KB since the ninth round; it was at 19.94 KB until the logout and
 * store fixes: see `ceilings.coreGzip`); the CDN's two are not.
 */
export const budgets = {
  /** The CDN bundle's initial load. */
  cdnGzip: 45 * KB,
  /** comms-kit's own code in that initial load: it minus the dependency baseline. */
  ownGzip: 24 * KB,
  /** `comms-kit/core` alone, with its dependencies: its initial load. */
  coreGzip: 20 * KB,
} as const;

/**
 * The ceilings `npm test` enforces: the sizes measured when they were last set, plus a little
 * room. They stop silent growth while the targets above are out of reach; raising one is a
 * deliberate change, made in its own commit that says why. "Initial" and "total" are as in
 * {@link BundleSizes}.
 *
 * History: 60 → 84 KB (CDN) when the call elements landed; 52 KB (core) with calls and
 * messaging. Lowered when the CDN module became fully minified, Lit templates minified, and
 * webrtc-adapter's shims and sdp-transform loaded on demand (measured: CDN initial 57.8, with
 * lazy chunks 72.7; core initial 30.2, with lazy chunks 45.0 KB). Raised when the chat,
 * presence and login elements landed (CDN 91.5 KB); CDN lowered again when the French catalog
 * and the chat's virtualizer moved to chunks loaded on demand (79.1 KB). Lowered in the third
 * round (call operations and the in-page gateway's protocol loaded on demand, the client's
 * namespaces forwarded by one helper: CDN initial 74.5, with lazy chunks 109.9; core initial
 * 31.7, with lazy chunks 53.8 KB). CDN raised with group chat and UUIDv7 clientIds (77.3 and
 * 113.0 KB; core 32.2 and 54.4 KB, within its ceilings). Initial loads lowered, totals raised,
 * in the fourth round (the call engine loaded on demand: CDN initial 77.74 → 74.09, with lazy
 * chunks 113.39 → 115.63; core initial 32.37 → 28.72, with lazy chunks 54.48 → 56.60 KB).
 * Lowered in the fifth round, when the in-page backend became `comms-kit/local` (`local.js` on
 * the CDN): CDN initial 75.58 → 72.24, with lazy chunks 119.88 → 112.04; core initial 29.60 →
 * 26.40, with lazy chunks 60.26 → 52.67 KB. Initial loads lowered in the sixth round (the
 * conversation and media managers loaded on demand: CDN initial 72.24 → 69.04, with lazy chunks
 * 112.04 → 114.52; core initial 26.40 → 23.18, with lazy chunks 52.67 → 55.00 KB).
 */
export const ceilings = {
  /**
   * The CDN ES module's initial load (`comms-kit.js` and its static imports). Set at 60 KB
   * (57.8 KB measured) when the shims and sdp-transform moved to lazy chunks; raised to 94 KB
   * when the elements built alongside landed (91.5 KB measured): `<comms-chat>` with
   * @lit-labs/virtualizer (~8 KB) and its texts (~10 KB), `<comms-presence>` and
   * `<comms-login>` (~11 KB with texts), call transfer and recent calls (~3 KB), and the
   * in-page backend's messaging (~6 KB; the CDN exports `createLocalHub`). Lowered to 82 KB
   * (79.1 KB measured) when the French catalog (−3.2 KB) and @lit-labs/virtualizer (−9.2 KB)
   * became chunks loaded on demand. Lowered to 76 KB (74.5 KB measured) in the third round;
   * raised to 79 KB (77.3 KB measured) when `<comms-chat>` learnt to create groups and show
   * their members (+2.2 KB: the New group form, the members list and 20 texts) and the core
   * made its clientIds UUIDv7s with the `uuid` package (+0.6 KB; the gateway stores a
   * time-ordered clientId at half the cost of a random one). Lowered to 76 KB (74.09 KB
   * measured) when the call engine became a chunk loaded on demand (−3.65 KB). Lowered to 74 KB
   * (72.24 KB measured; 75.58 before) when the in-page backend left for `local.js`. Lowered to
   * 71 KB (69.04 KB measured; 72.24 before) when the conversation and media managers became
   * chunks loaded on demand. Lowered to 70 KB (68.03 KB measured; 69.53 before) when
   * webrtc-adapter's browser detection went into the entry alone and the clientIds' UUIDv7
   * left `uuid` (seventh round). Lowered to 68 KB (66.61 KB measured) when the people features
   * (presence, contacts, the directory, call history) became a chunk loaded on demand. Lowered
   * to 67 KB (66.11 KB measured) when the gateway's call signalling joined the call engine.
   * Raised to 68 KB (67.12 KB measured; 66.00 before) with voicemail (+1.1 KB: the core's
   * `voicemail` façade, the call view's loader of its voicemail controls and their English
   * texts; the rest is in two chunks). Raised to 70 KB (69.09 KB measured; 67.41 before) with
   * `<comms-voicemail>`, the inbox (+1.7 KB: the element, its 17 English texts, the two intent
   * events and the feed loader it shares with the dialer).
   */
  cdnGzip: 70 * KB,
  /**
   * The CDN ES module with every lazy chunk (106.4 KB measured when set; 107.1 KB since the
   * French catalog and the virtualizer are chunks of their own, each compressed alone). Raised
   * to 111 KB when the call engine's rarely used operations became a chunk of their own
   * (109.5 KB measured: −1.5 KB initial, +1.3 KB total, the chunk compressed alone and the
   * engine's interface to it); 109.9 KB measured at the end of the third round. Raised to
   * 115 KB (113.0 KB measured) with group creation and UUIDv7 clientIds (see `cdnGzip`).
   * Raised to 118 KB (115.63 KB measured; 113.39 before) when the call engine became a chunk
   * of its own: the chunk compressed alone, the names it imports from the entry, and the
   * client's side that loads it (`core/call/lazy-manager.ts`). Raised to 122 KB (119.80 KB
   * measured; 115.63 before) with `call.join` (the WebAudio mix in the operations' chunk, and
   * Merge calls in `<comms-call-view>`), `playAudioFile`, call reports and custom parameters:
   * +1.4 KB initial (74.09 → 75.50 KB), the rest in the lazy call chunks. Lowered to 114 KB
   * (112.04 KB measured; 119.88 before) when the in-page backend and its protocol's chunk left
   * for `local.js`. Raised to 117 KB (114.52 KB measured; 112.04 before) when the conversation
   * and media managers became chunks of their own (−3.20 KB initial, +2.48 KB total: two more
   * chunks compressed alone, the names they import from the entry, and their loaders).
   * Raised to 122 KB (120.93 KB measured; 116.16 before) with voicemail: the core's voicemail
   * manager (its own chunk, 2.4 KB alone: the mailbox, MediaRecorder, uploads), the call view's
   * voicemail controls (their own chunk) and what the initial load gained (see `cdnGzip`).
   * Raised to 124 KB (123.46 KB measured; 121.67 before) with `<comms-voicemail>` (see
   * `cdnGzip`; its French texts are in the French catalog's chunk). Raised to 125 KB (124.10
   * KB measured; 123.73 before) when the call engine's chunk learnt to resolve glare (both
   * parties holding at once) on every backend; the initial load did not change.
   */
  cdnTotalGzip: 125 * KB,
  /**
   * `comms-kit/core`'s initial load, every export bundled. Set at 32 KB (30.2 KB measured);
   * raised to 38 KB (36.4 KB measured) with the in-page backend's messaging (~6 KB, absent
   * from a page that never calls `createLocalHub`: test/node/local-backend-size.test.ts) and
   * call transfer. Lowered to 33 KB (31.7 KB measured) in the third round. Lowered to 30 KB
   * (28.72 KB measured; 32.37 before) when the call engine became a chunk loaded on demand.
   * Lowered to 28 KB (26.40 KB measured; 29.60 before) when the in-page backend became
   * `comms-kit/local`. Lowered to 25 KB (23.18 KB measured; 26.40 before) when the
   * conversation and media managers became chunks loaded on demand. Lowered to 23 KB
   * (21.81 KB measured; 23.30 before) in the seventh round (see `cdnGzip`). Lowered to 21.5 KB
   * (20.34 KB measured; 21.51 before) with the people features' chunk. Lowered to 20 KB, the
   * target (19.88 KB measured; 19.78 KB once the engine fetched the TURN credentials), when the
   * gateway's call signalling went into the call engine's chunk. Raised to 20.5 KB (20.40 KB
   * measured) with voicemail: the `voicemail` namespace's façade (`get()` counts the seeds'
   * indicators from the state, events held until its chunk is here) and the wire's voicemail
   * error codes, +0.62 KB. Lowered to 20 KB, the target (19.94 KB measured; 20.46 before), in
   * the eighth round: the call engine's loader a `LazyFeature`, the namespaces generated from
   * tables of their methods, presence checked against the seeds' constants, the engine's
   * held signalling through one Proxy (docs/benchmarks.md). Raised to 20.1 KB (20.04 KB
   * measured) the same day for a privacy fix: a client whose user logs out, or on which
   * another user connects, drops the first user's data and the managers that held it, their
   * unsent messages with them (`#forgetUser` in core/client.ts, `LazyFeature.reset`), +0.10 KB.
   * Raised to 20.2 KB (20.10 KB measured) with the store's fix the same day (a listener's own
   * update is told to every listener after the change under way: `Store.update`) and logout
   * hanging up the calls first (its code in the call engine's chunk), +0.06 KB. Lowered to
   * 20 KB, the target (19.95 KB measured; 20.12 before), in the ninth round: the call state
   * check (`assertTransition`) and the voicemail limits (`core/protocol/voicemail-limits.ts`)
   * in the chunks that use them, `call.reportEvents` made from the list of its names, and a
   * few one-line indirections and repeated code folded (docs/benchmarks.md).
   */
  coreGzip: 20 * KB,
  /**
   * `comms-kit/core` with every lazy chunk (51.2 KB measured when set). Raised to 55 KB with
   * the call operations' chunk (53.1 KB measured; see `cdnTotalGzip`); 53.8 KB measured at
   * the end of the third round. Raised to 58 KB (56.60 KB measured; 54.48 before) with the
   * call engine's chunk (see `cdnTotalGzip`). Raised to 60 KB (58.16 KB measured; 56.60
   * before) with `call.join`: the WebAudio mix and the joined call's legs, +1.56 KB in the
   * operations' chunk, loaded on demand (the initial load is unchanged: 28.72 KB). Raised to
   * 62 KB (60.26 KB measured) with `playAudioFile`, call reports and custom parameters
   * (+2.1 KB, most of it in the call engine's and its operations' chunks; the initial load
   * 28.72 → 29.60 KB: `getReport`'s and `setCustomParameters`' front and their constants).
   * Lowered to 55 KB (52.67 KB measured; 60.26 before) when the in-page backend and its
   * protocol's chunk became `comms-kit/local`. Raised to 57 KB (55.27 KB measured; 55.00 with
   * the managers' chunks alone) with `call.forward`, whose engine code is in the call engine's
   * chunk (the initial load: 23.18 → 23.30 KB). 56.10 KB measured with the people features'
   * chunk (+0.9 KB: the chunk compressed alone and its loaders). Raised to 60 KB (59.14 KB
   * measured; 56.09 before) with voicemail: its manager is a chunk of its own (2.42 KB alone),
   * and the initial load gained the `voicemail` namespace's façade (see `coreGzip`). 59.24 KB
   * measured once merged with the seventh round's last steps.
   */
  coreTotalGzip: 60 * KB,
  /**
   * `dist/cdn/local.js` (the in-page backend, `comms-kit/local`) without `comms-kit.js`, whose
   * core it imports: 4.57 KB measured when set. Its core is `comms-kit.js`'s; were it to bundle a
   * copy (the client alone is ~25 KB), this would say so before anything else.
   */
  cdnLocalGzip: 6 * KB,
  /**
   * `comms-kit/sip` (calls over SIP) bundled alone: SIP.js and the SIP call signalling, what a
   * page that imports it adds to `comms-kit/core`. 53.4 KB measured when set (SIP.js's user
   * agent, its grammar and transaction layer are most of it); 56.1 KB with forward and transfer,
   * when it went from 56 to 58 KB.
   */
  sipGzip: 58 * KB,
} as const;

/** The dependencies of the baseline bundle: what the CDN bundle carries that is not ours. */
export const baselinePackages = ['lit', '@lit/context', 'webrtc-adapter', 'nanoevents'] as const;

/** Sizes of one piece of code, in bytes. */
export interface Sizes {
  raw: number;
  gzip: number;
  brotli: number;
}

/** The raw, gzip (level 9) and brotli (quality 11) sizes of `code`. */
export function measure(code: string | Buffer): Sizes {
  const buffer = typeof code === 'string' ? Buffer.from(code) : code;
  return {
    raw: buffer.length,
    gzip: gzipSync(buffer, { level: 9 }).length,
    brotli: brotliCompressSync(buffer, {
      params: {
        [constants.BROTLI_PARAM_QUALITY]: 11,
        [constants.BROTLI_PARAM_SIZE_HINT]: buffer.length,
      },
    }).length,
  };
}

/** Formats bytes as KB with two decimals, e.g. `27.72 KB`. */
export function formatKB(bytes: number): string {
  return `${(bytes / KB).toFixed(2)} KB`;
}

/** The CDN bundle `npm run build` writes. */
export const cdnBundlePath = join(root, 'dist', 'cdn', 'comms-kit.js');

/**
 * The CDN's in-page backend (`comms-kit/local`), an ES module a page loads next to
 * `comms-kit.js`, whose core it imports from there.
 */
export const cdnLocalPath = join(root, 'dist', 'cdn', 'local.js');

/** The same as an IIFE (global `CommsKit`), for a classic `<script>`. */
export const cdnIifePath = join(root, 'dist', 'cdn', 'comms-kit.iife.js');

/**
 * The CDN bundle's code (or the IIFE's); throws, saying what to run, when it has not been
 * built.
 */
export function readCdnBundle(path = cdnBundlePath): Buffer {
  if (!existsSync(path)) {
    throw new Error(`${relative(root, path)} does not exist: run \`npm run build\``);
  }
  return readFileSync(path);
}

const virtualEntry = 'virtual:comms-kit-bench-entry';

/** One output file of a bundle. */
export interface Chunk {
  fileName: string;
  code: string;
  /** The file a page loads (`<script type="module" src>`, or the `import` of the package). */
  isEntry: boolean;
  /** Chunks this one imports statically: they load with it. */
  imports: string[];
  /** Chunks this one loads with `import()`: only when the code that needs them runs. */
  dynamicImports: string[];
  /** The code each source module contributed, by module id (empty for a bundle read from disk). */
  modules: Record<string, string>;
}

/**
 * The sizes of a bundle split into lazy chunks:
 * - `initial`: what loading the entry fetches before any of its code runs, the entry chunk and
 *   every chunk it imports statically, transitively, compressed together as one file (the
 *   targets are judged on this);
 * - `total`: every chunk, the lazy ones too, each compressed on its own, added up;
 * - `lazy`: each chunk loaded only by `import()`, with its sizes.
 * A bundle with no lazy chunks has `initial` = `total`.
 */
export interface BundleSizes {
  initial: Sizes;
  total: Sizes;
  lazy: { fileName: string; sizes: Sizes }[];
}

/** The sizes of `chunks` (see {@link BundleSizes}). */
export function bundleSizes(chunks: Chunk[]): BundleSizes {
  const byName = new Map(chunks.map((c) => [c.fileName, c]));
  const initial = new Set<string>();
  const visit = (name: string) => {
    if (initial.has(name)) return;
    const chunk = byName.get(name);
    if (!chunk) throw new Error(`a chunk imports ${name}, which the bundle does not have`);
    initial.add(name);
    chunk.imports.forEach(visit);
  };
  chunks.filter((c) => c.isEntry).forEach((c) => visit(c.fileName));
  if (initial.size === 0) throw new Error('the bundle has no entry chunk');
  const each = chunks.map((c) => ({ fileName: c.fileName, sizes: measure(c.code) }));
  const total = each.reduce(
    (sum, { sizes }) => ({
      raw: sum.raw + sizes.raw,
      gzip: sum.gzip + sizes.gzip,
      brotli: sum.brotli + sizes.brotli,
    }),
    { raw: 0, gzip: 0, brotli: 0 },
  );
  return {
    initial: measure(
      chunks
        .filter((c) => initial.has(c.fileName))
        .map((c) => c.code)
        .join('\n'),
    ),
    total,
    lazy: each.filter((c) => !initial.has(c.fileName)),
  };
}

/** The relative specifiers a built ES module imports, statically and with `import()`. */
function builtImports(code: string): { imports: string[]; dynamicImports: string[] } {
  const source = ts.createSourceFile('chunk.js', code, ts.ScriptTarget.Latest, false);
  const imports: string[] = [];
  const dynamicImports: string[] = [];
  const visit = (node: ts.Node) => {
    if (
      (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) &&
      node.moduleSpecifier &&
      ts.isStringLiteral(node.moduleSpecifier)
    ) {
      imports.push(node.moduleSpecifier.text);
    } else if (
      ts.isCallExpression(node) &&
      node.expression.kind === ts.SyntaxKind.ImportKeyword &&
      node.arguments[0] &&
      ts.isStringLiteralLike(node.arguments[0])
    ) {
      dynamicImports.push(node.arguments[0].text);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  const local = (specifiers: string[]) =>
    specifiers.filter((s) => s.startsWith('./')).map((s) => s.slice(2));
  return { imports: local(imports), dynamicImports: local(dynamicImports) };
}

/**
 * The CDN ES build as `npm run build` wrote it: `comms-kit.js` (or another `entry`) and the
 * chunks it loads (their imports read from the built code); throws, saying what to run, when
 * it has not been built. The files named in `shared` (and what they load) are left out, and out
 * of the chunks' imports: `local.js` is measured without `comms-kit.js`, which a page loads
 * anyway.
 */
export function readCdnChunks(entry = cdnBundlePath, shared: string[] = []): Chunk[] {
  const dir = dirname(entry);
  const chunks: Chunk[] = [];
  const seen = new Set<string>(shared);
  const ours = (names: string[]) => names.filter((name) => !shared.includes(name));
  const read = (fileName: string, isEntry: boolean) => {
    if (seen.has(fileName)) return;
    seen.add(fileName);
    const code = readCdnBundle(join(dir, fileName)).toString('utf8');
    const { imports, dynamicImports } = builtImports(code);
    const chunk = {
      fileName,
      code,
      isEntry,
      modules: {},
      imports: ours(imports),
      dynamicImports: ours(dynamicImports),
    };
    chunks.push(chunk);
    for (const next of [...chunk.imports, ...chunk.dynamicImports]) read(next, false);
  };
  read(relative(dir, entry), true);
  return chunks;
}

/**
 * Bundles an entry (a file under the repository, or source code given as `{source}`, whose
 * imports resolve from the repository root) with every dependency, minified as the CDN build
 * is (`cdnBundling` in `vite.config.ts`), in memory. Returns the chunks: one, unless the code
 * loads some of itself with `import()`. `plugins` run after the CDN build's own.
 */
export async function bundle(
  entry: { file: string } | { source: string },
  { minify = true, plugins: extra = [] }: { minify?: boolean; plugins?: PluginOption[] } = {},
): Promise<Chunk[]> {
  const plugins: PluginOption[] = [...cdnPlugins(), ...extra];
  if ('source' in entry) {
    const source = entry.source;
    plugins.push({
      name: 'comms-kit-bench-entry',
      resolveId: (id) => (id.endsWith(virtualEntry) ? `\0${virtualEntry}` : undefined),
      load: (id) => (id === `\0${virtualEntry}` ? source : undefined),
    });
  }
  const output = await build({
    configFile: false,
    root,
    logLevel: 'silent',
    plugins,
    define: cdnBundling.define,
    build: {
      write: false,
      target: cdnBundling.target,
      minify: true,
      sourcemap: false,
      lib: {
        entry: 'file' in entry ? resolve(root, entry.file) : virtualEntry,
        formats: ['es'],
        fileName: 'bundle',
      },
      rollupOptions: {
        preserveEntrySignatures: cdnBundling.preserveEntrySignatures,
        output: minify ? cdnBundling.output : { minify: false },
      },
    },
  });
  const outputs = Array.isArray(output) ? output : [output];
  const chunks: Chunk[] = outputs
    .flatMap((o) => ('output' in o ? o.output : []))
    .flatMap((c) =>
      c.type === 'chunk'
        ? [
            {
              fileName: c.fileName,
              code: c.code,
              isEntry: c.isEntry,
              imports: c.imports,
              dynamicImports: c.dynamicImports,
              modules: Object.fromEntries(
                Object.entries(c.modules).map(([id, m]) => [id, m.code ?? '']),
              ),
            },
          ]
        : [],
    );
  if (!chunks.some((c) => c.code)) throw new Error('the bundle came out empty');
  return chunks;
}

/** `comms-kit/core` (`core/index.ts`) bundled alone with its dependencies. */
export function bundleCore(options?: { minify?: boolean }): Promise<Chunk[]> {
  return bundle({ file: 'core/index.ts' }, options);
}

/** `comms-kit/sip` (`core/sip.ts`) bundled alone with SIP.js; the core is the page's own. */
export function bundleSip(options?: { minify?: boolean }): Promise<Chunk[]> {
  return bundle({ file: 'core/sip.ts' }, options);
}

/**
 * The CDN entry (`cdn.ts`) bundled in memory as the CDN build is. With `minify: false`, the
 * module map has every module's code (the minifier works on whole chunks), for
 * {@link breakdown}.
 */
export function bundleCdn(options?: { minify?: boolean }): Promise<Chunk[]> {
  return bundle({ file: 'cdn.ts' }, options);
}

/** Where the bytes of a bundle go: one group of source modules. */
export interface BreakdownRow {
  /** A package (`lit`, `webrtc-adapter`…) or a folder of this repository (`core/call`…). */
  group: string;
  modules: number;
  /** Minified, alone. */
  raw: number;
  /** Minified and gzipped alone (level 9). */
  gzip: number;
  /** Whether the group sits in the initial load or only in lazy chunks. */
  lazy: boolean;
}

/** The group a module id belongs to: its package, or its folder under the repository. */
export function moduleGroup(id: string): string {
  if (id.startsWith('\0')) return '(bundler runtime)';
  const clean = id.replace(/^\0/, '').replace(/\?.*$/, '');
  const inPackage = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(clean);
  if (inPackage?.[1]) return inPackage[1];
  const path = relative(root, clean);
  if (path.startsWith('..') || !path.includes('/')) return path.startsWith('..') ? clean : path;
  const parts = path.split('/');
  return parts.length > 2 ? `${parts[0]}/${parts[1]}` : `${parts[0]}/`;
}

/**
 * Where the bytes go: the modules of `chunks` grouped by {@link moduleGroup}, each group's code
 * minified (Vite's minifier) and gzipped on its own, largest first. Compressed alone, each
 * group's gzip is an estimate (in the bundle they share one window): the sum is larger than the
 * bundle, and the shares are what to read.
 */
export function breakdown(chunks: Chunk[]): BreakdownRow[] {
  const sizes = bundleSizes(chunks);
  const lazyFiles = new Set(sizes.lazy.map((c) => c.fileName));
  const groups = new Map<string, { group: string; code: string[]; lazy: boolean }>();
  for (const chunk of chunks) {
    const lazy = lazyFiles.has(chunk.fileName);
    for (const [id, code] of Object.entries(chunk.modules)) {
      const group = moduleGroup(id);
      const key = `${group}${lazy ? ' (lazy)' : ''}`;
      const entry = groups.get(key) ?? { group, code: [], lazy };
      entry.code.push(code);
      groups.set(key, entry);
    }
  }
  return [...groups.values()]
    .map(({ group, code, lazy }) => {
      const minified = minifySync(`${group}.js`, code.join('\n'), {
        module: true,
        // Compressing a group alone would drop the code only other groups use.
        compress: false,
        mangle: true,
      }).code;
      const sizes = measure(minified);
      return { group, modules: code.length, raw: sizes.raw, gzip: sizes.gzip, lazy };
    })
    .sort((a, b) => b.gzip - a.gzip);
}

/** {@link breakdown} as a plain-text table. */
export function formatBreakdown(rows: BreakdownRow[]): string {
  const lines = rows.map(
    (r) =>
      `${r.group.padEnd(34)} ${String(r.modules).padStart(4)} ${formatKB(r.raw).padStart(10)} ${formatKB(r.gzip).padStart(10)}${r.lazy ? '  lazy' : ''}`,
  );
  return [
    `${'group'.padEnd(34)} mods ${'min'.padStart(10)} ${'min+gzip'.padStart(10)}`,
    ...lines,
  ].join('\n');
}

/**
 * What the CDN bundle imports from the baseline packages, found by walking the module graph
 * from `cdn.ts` (value imports only: `import type` and type-only names carry no code). Maps a
 * specifier (e.g. `lit`, `webrtc-adapter/dist/adapter_factory.js`) to the names imported from
 * it (`*` for a namespace import, `default`; an empty set for an import for side effects).
 */
export function baselineImports(entry = 'cdn.ts'): Map<string, Set<string>> {
  const imports = new Map<string, Set<string>>();
  const seen = new Set<string>();
  const isBaseline = (specifier: string) =>
    baselinePackages.some((p) => specifier === p || specifier.startsWith(`${p}/`));
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest);
    for (const statement of source.statements) {
      let specifier: string | undefined;
      const names: string[] = [];
      if (ts.isImportDeclaration(statement) && ts.isStringLiteral(statement.moduleSpecifier)) {
        const clause = statement.importClause;
        if (clause?.isTypeOnly) continue;
        specifier = statement.moduleSpecifier.text;
        if (clause?.name) names.push('default');
        const bindings = clause?.namedBindings;
        if (bindings && ts.isNamespaceImport(bindings)) names.push('*');
        if (bindings && ts.isNamedImports(bindings)) {
          for (const element of bindings.elements) {
            if (!element.isTypeOnly) names.push((element.propertyName ?? element.name).text);
          }
        }
        // `import { type A } from 'x'` imports nothing at run time.
        if (clause && names.length === 0) continue;
      } else if (
        ts.isExportDeclaration(statement) &&
        statement.moduleSpecifier &&
        ts.isStringLiteral(statement.moduleSpecifier)
      ) {
        if (statement.isTypeOnly) continue;
        specifier = statement.moduleSpecifier.text;
        const clause = statement.exportClause;
        if (!clause || ts.isNamespaceExport(clause)) names.push('*');
        else {
          for (const element of clause.elements) {
            if (!element.isTypeOnly) names.push((element.propertyName ?? element.name).text);
          }
          if (names.length === 0) continue;
        }
      }
      if (specifier === undefined) continue;
      if (specifier.startsWith('.')) {
        const target = resolve(dirname(file), specifier.replace(/\.js$/, '.ts'));
        if (existsSync(target)) visit(target);
      } else if (isBaseline(specifier)) {
        const set = imports.get(specifier) ?? new Set<string>();
        for (const name of names) set.add(name);
        imports.set(specifier, set);
      }
    }
  };
  visit(resolve(root, entry));
  return imports;
}

/** An entry module that imports, and re-exports so they stay, the names in `imports`. */
export function baselineSource(imports: Map<string, Set<string>>): string {
  const lines: string[] = [];
  const exported: string[] = [];
  for (const [specifier, names] of [...imports].sort(([a], [b]) => a.localeCompare(b))) {
    const quoted = JSON.stringify(specifier);
    const named: string[] = [];
    for (const name of [...names].sort()) {
      const local = `_${exported.length}`;
      if (name === '*') lines.push(`import * as ${local} from ${quoted};`);
      else if (name === 'default') lines.push(`import ${local} from ${quoted};`);
      else named.push(`${name} as ${local}`);
      exported.push(local);
    }
    if (named.length > 0) lines.push(`import { ${named.join(', ')} } from ${quoted};`);
    if (names.size === 0) lines.push(`import ${quoted};`);
  }
  lines.push(`export { ${exported.join(', ')} };`);
  return `${lines.join('\n')}\n`;
}

/**
 * The baseline bundle: just Lit, @lit/context, webrtc-adapter and nanoevents, limited to what
 * the CDN bundle imports from them, bundled and minified as the CDN bundle is.
 */
export function bundleBaseline(): Promise<Chunk[]> {
  return bundle({ source: baselineSource(baselineImports()) });
}

/** The package's `exports` map (`package.json`). */
function packageExports(): Record<string, unknown> {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
    exports: Record<string, unknown>;
  };
  return pkg.exports;
}

/**
 * The elements the package exports one by one: the `<name>` of every `comms-kit/elements/<name>`
 * subpath of `exports` in `package.json`, in its order (each defines `<comms-<name>>`).
 */
export function elementSubpaths(): string[] {
  return Object.keys(packageExports()).flatMap((key) => {
    const name = /^\.\/elements\/([a-z-]+)$/.exec(key)?.[1];
    return name ? [name] : [];
  });
}

/**
 * Bundles a page whose only code is `import '<specifier>'` for each of `specifiers` (e.g.
 * `comms-kit/elements/dialer`), resolved through the package's `exports` to the built files
 * of `npm run build` (`dist/`), as a bundler resolves them for a user of the npm package (and
 * with the package's `sideEffects`). Minified as the CDN build is, the Lit templates of the
 * built elements too (the CDN build's template minifier, given the built files). Throws,
 * saying what to run, when `dist/` has not been built.
 */
export function bundleImports(
  specifiers: string[],
  options?: { minify?: boolean },
): Promise<Chunk[]> {
  if (!existsSync(join(root, 'dist', 'components', 'all.js'))) {
    throw new Error('dist/components/all.js does not exist: run `npm run build`');
  }
  const source = specifiers.map((s) => `import ${JSON.stringify(s)};\n`).join('');
  return bundle(
    { source },
    {
      ...options,
      plugins: [
        minifyHtmlLiterals({
          include: [join(root, 'dist', 'components', '**', '*.js')],
          failOnError: true,
        }) as PluginOption,
      ],
    },
  );
}
