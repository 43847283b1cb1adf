/**
 * The checks that decide whether a feature exists yet, so a benchmark reports "not built"
 * until it does and starts measuring the day it lands, with no flag to flip. Each asks the real
 * thing: the core's client object, the shared protocol schema, the built manifest, a running
 * gateway. Results are memoized for one `npm run bench`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { probeGateway, type GatewayProbe } from './gateway.js';
import { startMeasuredServer } from './processes.js';
import { root } from './size.js';

/** The public shape of a core client: each namespace and the functions on it. */
export interface CoreShape {
  /** e.g. `{call: ['make', …], conversation: […]}`; `''` holds the client's own methods. */
  namespaces: Record<string, string[]>;
  /** Whether `path` (`'call.make'`, `'getVersion'`) is a function on a fresh client. */
  has(path: string): boolean;
}

/** The memoized checks of one run. */
export interface Probes {
  /** Starts the built gateway once and checks for authenticated WebSockets. */
  gateway(): Promise<GatewayProbe>;
  /** Creates a core client (in Node, from source) and reads its shape. */
  core(): Promise<CoreShape>;
  /** The WebSocket request types the shared protocol schema defines. */
  requestTypes(): Promise<string[]>;
  /** The custom element tags the built manifest (`custom-elements.json`) declares. */
  elementTags(): string[];
}

function memo<T>(make: () => T): () => T {
  let value: { v: T } | undefined;
  return () => (value ??= { v: make() }).v;
}

function functionsOf(value: object): string[] {
  const names = new Set<string>();
  for (let o: object | null = value; o && o !== Object.prototype; o = Object.getPrototypeOf(o)) {
    for (const name of Object.getOwnPropertyNames(o)) {
      if (name === 'constructor') continue;
      const descriptor = Object.getOwnPropertyDescriptor(o, name);
      if (typeof descriptor?.value === 'function') names.add(name);
    }
  }
  return [...names].sort();
}

/** Makes the probes of one run. */
export function createProbes(): Probes {
  return {
    gateway: memo(async () => {
      const server = await startMeasuredServer('gateway');
      try {
        return await probeGateway(server.url);
      } finally {
        await server.stop();
      }
    }),

    core: memo(async () => {
      const core = await import('../../core/index.js');
      const client = core.createClient({ logs: { logLevel: 'silent' } });
      const namespaces: Record<string, string[]> = { '': functionsOf(client) };
      // Namespaces may be fields or getters: read every property name up the prototypes.
      const names = new Set<string>();
      for (
        let o: object | null = client;
        o && o !== Object.prototype;
        o = Object.getPrototypeOf(o)
      ) {
        for (const name of Object.getOwnPropertyNames(o)) names.add(name);
      }
      for (const name of names) {
        let value: unknown;
        try {
          value = (client as unknown as Record<string, unknown>)[name];
        } catch {
          continue;
        }
        if (value && typeof value === 'object') namespaces[name] = functionsOf(value);
      }
      await client.destroy();
      return {
        namespaces,
        has(path: string) {
          const dot = path.lastIndexOf('.');
          const namespace = dot < 0 ? '' : path.slice(0, dot);
          return namespaces[namespace]?.includes(path.slice(dot + 1)) ?? false;
        },
      };
    }),

    requestTypes: memo(async () => {
      const { RequestFrames } = await import('../../core/protocol/schema.js');
      return Object.keys(RequestFrames);
    }),

    elementTags: memo(() => {
      const path = join(root, 'custom-elements.json');
      if (!existsSync(path))
        throw new Error('custom-elements.json does not exist: run `npm run build`');
      const manifest = JSON.parse(readFileSync(path, 'utf8')) as {
        modules: Array<{ declarations?: Array<{ tagName?: string }> }>;
      };
      const tags = manifest.modules.flatMap((m) => m.declarations ?? []).map((d) => d.tagName);
      return [...new Set(tags.filter((t): t is string => Boolean(t)))].sort();
    }),
  };
}
