/**
 * What the test helpers that run a server program of their own (`redis.ts`, `postgres.ts`)
 * share: a free loopback port, and the program started until it says it is ready.
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';

/** A loopback port free at the time of asking (it may be taken before it is used). */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  server.close();
  await once(server, 'close');
  return port;
}

/** A server program started by {@link spawnUntilReady}. */
export interface StartedProgram {
  child: ChildProcess;
  /** Everything it printed so far (standard output and error). */
  output(): string;
  /** Settles when it exits. */
  exited: Promise<unknown>;
  /** It printed `ready` (false: it exited first). */
  started: boolean;
}

/** Runs `command` and resolves once its output matches `ready`, or it has exited. */
export async function spawnUntilReady(
  command: string,
  args: string[],
  options: SpawnOptions,
  ready: RegExp,
): Promise<StartedProgram> {
  const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const exited = once(child, 'exit');
  const started = await new Promise<boolean>((resolve) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (ready.test(output)) resolve(true);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    void exited.then(() => resolve(false));
  });
  return { child, output: () => output, exited, started };
}
