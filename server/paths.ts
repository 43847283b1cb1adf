import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The comms-kit package folder, found by walking up from this module, so the server finds
 * `demo/` and `dist/cdn/` both when run from source (`server/`) and built (`dist/node/server/`).
 */
export function packageRoot(from: string = fileURLToPath(import.meta.url)): string {
  let dir = dirname(from);
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      const { name } = JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string };
      if (name === 'comms-kit') return dir;
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`comms-kit: package.json not found above ${from}`);
    dir = parent;
  }
}
