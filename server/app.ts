import { existsSync } from 'node:fs';
import { join } from 'node:path';
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import fastifyStatic from '@fastify/static';
import { version } from '../core/version.js';
import { packageRoot } from './paths.js';

/** Options of {@link buildApp}. */
export interface AppOptions {
  /** Folder served at `/` (the demo). Default: the package's `demo/`. */
  demoDir?: string;
  /** Folder served at `/cdn/` (the CDN build). Default: the package's `dist/cdn/`. */
  cdnDir?: string;
  /** Pino log level, or `false` for no logs. Default `'info'`. */
  logLevel?: string | false;
}

/**
 * Builds the gateway's HTTP application: health endpoints, the demo at `/` and the CDN build
 * at `/cdn/`. Later features register their REST routes and the WebSocket endpoint here.
 */
export async function buildApp(options: AppOptions = {}): Promise<FastifyInstance> {
  const root = packageRoot();
  const demoDir = options.demoDir ?? join(root, 'demo');
  const cdnDir = options.cdnDir ?? join(root, 'dist', 'cdn');
  const app = Fastify({
    logger: options.logLevel === false ? false : { level: options.logLevel ?? 'info' },
    // Static files and probes are not worth a log line each; API requests log their own.
    logController: new LogController({ disableRequestLogging: true }),
  });

  app.get('/healthz', async () => ({ status: 'ok', version }));

  await app.register(fastifyStatic, { root: demoDir, prefix: '/', index: ['index.html'] });
  if (existsSync(cdnDir)) {
    await app.register(fastifyStatic, {
      root: cdnDir,
      prefix: '/cdn/',
      decorateReply: false,
      setHeaders: (res) => res.setHeader('access-control-allow-origin', '*'),
    });
  } else {
    app.log.warn(`no CDN build at ${cdnDir}: run \`npm run build\` to serve /cdn/`);
  }
  return app;
}
