/**
 * Chromium for the browser benchmarks: the project's browser (`scripts/chrome.mjs`: CHROME_PATH,
 * else Debian's `/usr/bin/chromium`) driven by playwright-core, with the project's flags. Never
 * downloads a browser.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { chromium, type Browser } from 'playwright-core';
import { chromeArgs, findChrome } from '../../scripts/chrome.mjs';

/** The Chrome/Chromium executable; throws, saying what to do, when there is none. */
export function chromePath(): string {
  const path = findChrome();
  if (!path) {
    throw new Error(
      'no Chrome/Chromium found: run `node scripts/ensure-chromium.mjs` or set CHROME_PATH',
    );
  }
  return path;
}

/** Launches headless Chromium with the project's flags, and `extraArgs` after them. */
export function launchChromium(extraArgs: string[] = []): Promise<Browser> {
  return chromium.launch({
    executablePath: chromePath(),
    args: [...chromeArgs, ...extraArgs],
    headless: true,
  });
}

/** The browser's version (e.g. `156.0.8078.79`), from `--version`; null when there is none. */
export async function chromiumVersion(): Promise<string | null> {
  const path = findChrome();
  if (!path) return null;
  try {
    const { stdout } = await promisify(execFile)(path, ['--version'], { timeout: 10e3 });
    return /\d+(\.\d+)+/.exec(stdout)?.[0] ?? stdout.trim();
  } catch {
    return null;
  }
}
