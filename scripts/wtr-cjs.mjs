/**
 * A @web/dev-server plugin that serves CommonJS dependencies as ES modules, the way Vite's
 * dependency pre-bundling does for the build: each listed module is bundled by esbuild behind
 * an entry that re-exports its names (read by loading the module in Node) and its default.
 */
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { build } from 'esbuild';

const identifier = /^[A-Za-z_$][\w$]*$/;

/** @param {string[]} specifiers module specifiers as the code imports them */
export function cjsToEsm(specifiers) {
  const require = createRequire(resolve('package.json'));
  const files = new Map(specifiers.map((s) => [require.resolve(s), s]));
  const cache = new Map();
  return {
    name: 'cjs-to-esm',
    async serve(context) {
      const file = resolve('.' + decodeURIComponent(context.path));
      const specifier = files.get(file);
      if (!specifier) return undefined;
      if (!cache.has(file)) {
        const names = Object.keys(require(specifier)).filter(
          (n) => n !== 'default' && n !== '__esModule' && identifier.test(n),
        );
        const path = JSON.stringify(file);
        const result = await build({
          stdin: {
            contents: `export { ${names.join(', ')} } from ${path};\nimport m from ${path};\nexport default m;`,
            resolveDir: process.cwd(),
          },
          bundle: true,
          format: 'esm',
          platform: 'browser',
          target: 'es2022',
          write: false,
          logLevel: 'silent',
        });
        cache.set(file, result.outputFiles[0].text);
      }
      return { body: cache.get(file), type: 'js' };
    },
  };
}
