/**
 * A small static server on 127.0.0.1 for the browser benchmarks: fixed pages by path, plus the
 * files of one folder under a prefix (no listing, no paths outside it). Nothing is cached
 * (`cache-control: no-store`), so every run fetches what it loads.
 */
import { createServer, type Server } from 'node:http';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';

const types: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
};

/** A running static server. */
export interface StaticServer {
  /** `http://127.0.0.1:port`. */
  url: string;
  close(): Promise<void>;
}

/** Serves `pages` (path → HTML, or JavaScript for a path ending in `.js`) and `dir` at `prefix` (e.g. `/cdn/`). */
export async function startStaticServer(options: {
  pages: Record<string, string>;
  prefix: string;
  dir: string;
}): Promise<StaticServer> {
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    const send = (status: number, type: string, body: string | Buffer) => {
      res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
      res.end(body);
    };
    const page = options.pages[path];
    if (page !== undefined) return send(200, types[extname(path)] ?? types['.html']!, page);
    if (!path.startsWith(options.prefix)) return send(404, 'text/plain', 'not found');
    const file = normalize(
      join(options.dir, decodeURIComponent(path.slice(options.prefix.length))),
    );
    if (!file.startsWith(options.dir + sep)) return send(404, 'text/plain', 'not found');
    readFile(file).then(
      (body) => send(200, types[extname(file)] ?? 'application/octet-stream', body),
      () => send(404, 'text/plain', 'not found'),
    );
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
