/**
 * WAL checkpoints off the event loop.
 *
 * In WAL mode every commit appends to the `-wal` file; a checkpoint copies those pages back
 * into the database and syncs both files to disk. SQLite runs one automatically in the
 * connection that commits once the WAL passes 1,000 pages, and better-sqlite3 is synchronous,
 * so with one connection the gateway's event loop waited for those syncs: every few hundred
 * messages, milliseconds during which no socket was served (most of a message's time on
 * average, and the p99 latency).
 *
 * A {@link Checkpointer} runs them in a worker thread instead, on its own connection to the
 * same file: `PRAGMA wal_checkpoint(PASSIVE)` every `intervalMs`, which never blocks the
 * writer (it copies what it can and leaves the rest for the next one). The main connection's
 * own automatic checkpoint stays, at a much higher threshold, as a safety net should the
 * worker stop or fall behind.
 *
 * The worker's code is a short script evaluated by `node:worker_threads` (no file to ship or
 * build), loading the same `better-sqlite3` as the main thread.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/** How often the worker checkpoints, ms. */
export const CHECKPOINT_INTERVAL_MS = 250;

/**
 * The main connection's automatic checkpoint threshold, in pages, while a worker checkpoints
 * (SQLite's default is 1,000): only reached if the worker stops or falls far behind.
 */
export const FALLBACK_AUTOCHECKPOINT_PAGES = 20_000;

const script = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file, { fileMustExist: true });
db.pragma('busy_timeout = 5000');
const checkpoint = () => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch (error) {
    parentPort.postMessage({ error: String(error && error.message || error) });
  }
};
const timer = setInterval(checkpoint, workerData.intervalMs);
parentPort.on('message', (message) => {
  if (message !== 'close') return;
  clearInterval(timer);
  db.close();
  parentPort.close();
});
`;

/** Options of {@link Checkpointer.start}. */
export interface CheckpointerOptions {
  /** The database file (not `:memory:`), in WAL mode already. */
  file: string;
  intervalMs?: number;
  /** Told when a checkpoint fails (the next one tries again). */
  onError?: (message: string) => void;
  /**
   * Told when the worker ended without being stopped (it failed to start or crashed): the
   * main connection should checkpoint by itself again.
   */
  onLost?: () => void;
}

/** A worker thread that checkpoints a WAL database. */
export class Checkpointer {
  readonly #worker: Worker;
  readonly #exited: Promise<void>;
  #stopping = false;

  private constructor(worker: Worker, options: CheckpointerOptions) {
    this.#worker = worker;
    this.#exited = new Promise((resolve) =>
      worker.once('exit', () => {
        if (!this.#stopping) options.onLost?.();
        resolve();
      }),
    );
    worker.on('message', (message: { error?: string }) => {
      if (message.error) options.onError?.(message.error);
    });
    worker.on('error', (error) => options.onError?.(error.message));
  }

  /** Starts the worker (it opens its connection on its own thread). */
  static start(options: CheckpointerOptions): Checkpointer {
    const worker = new Worker(script, {
      eval: true,
      workerData: {
        driver: createRequire(import.meta.url).resolve('better-sqlite3'),
        file: options.file,
        intervalMs: options.intervalMs ?? CHECKPOINT_INTERVAL_MS,
      },
    });
    // Never what keeps a process alive.
    worker.unref();
    return new Checkpointer(worker, options);
  }

  /** Stops the worker and closes its connection. */
  async stop(): Promise<void> {
    this.#stopping = true;
    // Unreferenced, it would not keep the process waiting for its own exit.
    this.#worker.ref();
    this.#worker.postMessage('close');
    await this.#exited;
  }
}
