#!/usr/bin/env node
/**
 * `comms-kit-server`: runs the gateway until SIGTERM or SIGINT, then shuts down gracefully
 * (stops accepting, closes sockets with SERVICE_RESTART, closes the storage) and exits 0.
 */
import { version } from '../core/version.js';
import { UsageError, parseCommandLine, usage } from './cli.js';
import {
  DatabaseMisconfiguredError,
  DatabaseUnavailableError,
  PortInUseError,
  RedisUnavailableError,
  startServer,
  type RunningServer,
} from './index.js';

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

// The signal handlers go in before the gateway starts: a SIGTERM that arrives while it starts,
// or right after it says it listens, shuts it down cleanly instead of killing the process.
let server: RunningServer | undefined;
let stopping: string | undefined;
const shutDown = (running: RunningServer, signal: string) => {
  running.app.log.info({ signal }, 'shutting down');
  running.close().then(
    () => process.exit(0),
    (error: unknown) => {
      running.app.log.error({ err: error }, 'shutdown failed');
      process.exit(1);
    },
  );
};
const stop = (signal: string) => {
  if (stopping) {
    server?.app.log.warn({ signal }, 'second signal: exiting now');
    process.exit(1);
  }
  stopping = signal;
  if (server) shutDown(server, signal); // else: once it has started
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);

try {
  server = await startServer(command.options);
} catch (error) {
  if (error instanceof PortInUseError) fail(error.message);
  if (
    error instanceof RedisUnavailableError ||
    error instanceof DatabaseUnavailableError ||
    error instanceof DatabaseMisconfiguredError
  )
    fail(`${error.message} [${error.code}]`);
  fail(`could not start: ${(error as Error).message}`);
}
if (stopping) shutDown(server, stopping);
else process.stdout.write(`comms-kit gateway ${version} listening on ${server.url}\n`);
