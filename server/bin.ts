#!/usr/bin/env node
/**
 * `comms-kit-server`: runs the gateway until SIGTERM or SIGINT, then shuts down gracefully
 * (stops accepting, closes sockets with SERVICE_RESTART, closes the storage) and exits 0.
 */
import { version } from '../core/version.js';
import { UsageError, parseCommandLine, usage } from './cli.js';
import { PortInUseError, RedisUnavailableError, startServer } from './index.js';

function fail(message: string): never {
  process.stderr.write(`comms-kit-server: ${message}\n`);
  process.exit(1);
}

let command;
try {
  command = parseCommandLine(process.argv.slice(2));
} catch (error) {
  if (error instanceof UsageError) fail(`${error.message}\n\n${usage}`);
  throw error;
}

if (command.kind === 'help') {
  process.stdout.write(usage);
  process.exit(0);
}
if (command.kind === 'version') {
  process.stdout.write(`${version}\n`);
  process.exit(0);
}

try {
  const server = await startServer(command.options);
  process.stdout.write(`comms-kit gateway ${version} listening on ${server.url}\n`);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) {
      server.app.log.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    stopping = true;
    server.app.log.info({ signal }, 'shutting down');
    server.close().then(
      () => process.exit(0),
      (error: unknown) => {
        server.app.log.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
} catch (error) {
  if (error instanceof PortInUseError) fail(error.message);
  if (error instanceof RedisUnavailableError) fail(`${error.message} [${error.code}]`);
  fail(`could not start: ${(error as Error).message}`);
}
