#!/usr/bin/env node
/**
 * `comms-kit-server`: runs the gateway. Flags win over environment variables.
 */
import { parseArgs } from 'node:util';
import { version } from '../core/version.js';
import { PortInUseError, startServer } from './index.js';

const usage = `comms-kit-server ${version}: the comms-kit gateway

Usage: comms-kit-server [options]

Options:
  --port, -p <n>     TCP port (env PORT; default 8080; 0 picks a free port)
  --host <addr>      interface to listen on (env HOST; default 127.0.0.1)
  --log-level <lvl>  fatal|error|warn|info|debug|trace|silent (env LOG_LEVEL; default info)
  --help, -h         show this help
  --version, -v      show the version
`;

function fail(message: string): never {
  process.stderr.write(`comms-kit-server: ${message}\n`);
  process.exit(1);
}

let values: ReturnType<typeof parse>['values'];
function parse() {
  return parseArgs({
    options: {
      port: { type: 'string', short: 'p' },
      host: { type: 'string' },
      'log-level': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
      version: { type: 'boolean', short: 'v' },
    },
    strict: true,
  });
}
try {
  values = parse().values;
} catch (error) {
  fail(`${(error as Error).message}\n\n${usage}`);
}

if (values.help) {
  process.stdout.write(usage);
  process.exit(0);
}
if (values.version) {
  process.stdout.write(`${version}\n`);
  process.exit(0);
}

const portText = values.port ?? process.env.PORT ?? '8080';
const port = Number(portText);
if (!/^\d+$/.test(portText) || port > 65535)
  fail(`--port must be a whole number from 0 to 65535; got '${portText}'`);
const host = values.host ?? process.env.HOST ?? '127.0.0.1';
const logLevel = values['log-level'] ?? process.env.LOG_LEVEL ?? 'info';

try {
  const server = await startServer({
    port,
    host,
    logLevel: logLevel === 'silent' ? false : logLevel,
  });
  process.stdout.write(`comms-kit gateway ${version} listening on ${server.url}\n`);
  const stop = (signal: string) => {
    server.app.log.info({ signal }, 'shutting down');
    server.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
} catch (error) {
  if (error instanceof PortInUseError) fail(error.message);
  fail(`could not start: ${(error as Error).message}`);
}
