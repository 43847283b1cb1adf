/**
 * Load generator, run as a child process (`node --import tsx bench/load/idle-sockets.ts`) so
 * its sockets and its CPU are not the measured server's. Driven over IPC:
 *
 * - `{type: 'open', url, protocols, count, offset, concurrency}`: opens `count` WebSockets to
 *   `url` (127.0.0.1 only), socket `i` offering `protocols[i % protocols.length]`, at most
 *   `concurrency` handshakes at a time; each sends one `ping` and waits for its reply, so an
 *   open socket is one the server accepted and answered. Then they stay idle. Answers
 *   `{type: 'opened', held, failed, errors: [[message, count]…], ms}`.
 * - `{type: 'close'}`: terminates every socket, answers `{type: 'closed'}` and exits.
 */
import type WebSocket from 'ws';
import { openAndPing } from '../lib/gateway.js';

/** What the parent sends. */
export type GeneratorCommand =
  | {
      type: 'open';
      url: string;
      protocols: string[][];
      count: number;
      offset: number;
      concurrency: number;
    }
  | { type: 'close' };

/** What the generator answers. */
export type GeneratorReport =
  | {
      type: 'opened';
      held: number;
      failed: number;
      /** Each distinct failure message and how many sockets it failed. */
      errors: Array<[message: string, count: number]>;
      ms: number;
    }
  | { type: 'closed' };

const sockets: WebSocket[] = [];

function send(report: GeneratorReport): void {
  process.send?.(report);
}

async function open(command: Extract<GeneratorCommand, { type: 'open' }>): Promise<void> {
  const { url, protocols, count, offset, concurrency } = command;
  if (!/^ws:\/\/127\.0\.0\.1[:/]/.test(url)) throw new Error(`refusing a non-loopback url: ${url}`);
  const start = performance.now();
  const errors = new Map<string, number>();
  let next = 0;
  let failed = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      try {
        const id = `s${offset + i}`;
        sockets.push(
          await openAndPing(url, protocols[(offset + i) % protocols.length]!, {
            id,
            timeoutMs: 30e3,
          }),
        );
      } catch (error) {
        failed++;
        const message = (error as Error).message;
        errors.set(message, (errors.get(message) ?? 0) + 1);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  send({
    type: 'opened',
    held: sockets.length,
    failed,
    errors: [...errors],
    ms: performance.now() - start,
  });
}

process.on('message', (command: GeneratorCommand) => {
  if (command.type === 'open') {
    open(command).catch((error: Error) => {
      send({ type: 'opened', held: 0, failed: command.count, errors: [[error.message, 1]], ms: 0 });
    });
  } else if (command.type === 'close') {
    for (const socket of sockets) socket.terminate();
    sockets.length = 0;
    send({ type: 'closed' });
    process.disconnect();
  }
});
