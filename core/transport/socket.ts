/**
 * One open WebSocket to the gateway (or the in-page hub's socket), speaking the protocol: each request gets exactly one
 * reply, matched by id; pushed events go to `onEvent`. It knows nothing of reconnecting.
 */
import { PROTOCOL_VERSION } from '../protocol/constants.js';
import type { EventFrame, ReplyPayload, RequestFrame, RequestType } from '../protocol/schema.js';
import { CommsError, ErrorCodes } from '../errors.js';
import type { Logger } from '../logger.js';
import type { Runtime, TimerHandle } from '../platform/runtime.js';
import type { SocketLike } from './types.js';

/** A request as the caller gives it: the frame without `v` and `id`. */
export type RequestInput<T extends RequestType> = Omit<RequestFrame<T>, 'v' | 'id'> & { type: T };

interface Pending {
  resolve(payload: unknown): void;
  reject(error: CommsError): void;
  timer: TimerHandle;
}

/** Handlers a {@link GatewaySocket} calls. */
export interface SocketHandlers {
  onEvent(frame: EventFrame): void;
  onClose(code: number, reason: string): void;
}

let nextSocketId = 0;

export class GatewaySocket {
  readonly #ws: SocketLike;
  readonly #runtime: Runtime;
  readonly #log: Logger;
  readonly #timeout: () => number;
  readonly #pending = new Map<string, Pending>();
  readonly #prefix = `s${++nextSocketId}`;
  #counter = 0;
  #closed = false;

  constructor(
    ws: SocketLike,
    handlers: SocketHandlers,
    runtime: Runtime,
    log: Logger,
    timeout: () => number,
  ) {
    this.#ws = ws;
    this.#runtime = runtime;
    this.#log = log;
    this.#timeout = timeout;
    ws.onmessage = (message) => this.#receive(message.data, handlers);
    ws.onclose = (event) => {
      this.#closed = true;
      this.#failAll(
        new CommsError(
          ErrorCodes.NOT_CONNECTED,
          `the connection closed (${event.code}) before a reply came`,
        ),
      );
      handlers.onClose(event.code, event.reason);
    };
    ws.onerror = () => this.#log.debug('websocket error');
  }

  /** True until the socket closed. */
  get open(): boolean {
    return !this.#closed && this.#ws.readyState === 1;
  }

  /** Sends a request and resolves with the reply's payload, or rejects with its error. */
  request<T extends RequestType>(input: RequestInput<T>): Promise<ReplyPayload<T>> {
    if (!this.open) {
      return Promise.reject(
        new CommsError(ErrorCodes.NOT_CONNECTED, `cannot send '${input.type}': not connected`),
      );
    }
    const id = `${this.#prefix}-${++this.#counter}`;
    return new Promise<ReplyPayload<T>>((resolve, reject) => {
      const timer = this.#runtime.setTimeout(() => {
        this.#pending.delete(id);
        reject(
          new CommsError(
            ErrorCodes.REQUEST_TIMEOUT,
            `no reply to '${input.type}' within ${this.#timeout()} ms`,
          ),
        );
      }, this.#timeout());
      this.#pending.set(id, { resolve: resolve as (p: unknown) => void, reject, timer });
      this.#ws.send(JSON.stringify({ ...input, v: PROTOCOL_VERSION, id }));
    });
  }

  /** Closes the socket (the `onClose` handler still runs). */
  close(code = 1000, reason = ''): void {
    if (this.#closed) return;
    try {
      this.#ws.close(code, reason);
    } catch {
      this.#ws.close();
    }
  }

  #receive(data: unknown, handlers: SocketHandlers): void {
    let frame: Record<string, unknown>;
    try {
      frame = JSON.parse(String(data)) as Record<string, unknown>;
    } catch {
      this.#log.warn('ignored a frame that is not JSON');
      return;
    }
    if (frame.type === 'event') {
      handlers.onEvent(frame as unknown as EventFrame);
      return;
    }
    const id = typeof frame.re === 'string' ? frame.re : undefined;
    const pending = id ? this.#pending.get(id) : undefined;
    if (!pending || !id) {
      if (frame.ok === false) this.#log.warn('the server refused a frame', frame.error);
      return;
    }
    this.#pending.delete(id);
    this.#runtime.clearTimeout(pending.timer);
    if (frame.ok === true) {
      const { v: _v, re: _re, ok: _ok, ...payload } = frame;
      pending.resolve(payload);
    } else {
      const error = frame.error as { code?: string; message?: string } | undefined;
      pending.reject(
        new CommsError(
          error?.code ?? ErrorCodes.PROTOCOL_ERROR,
          error?.message ?? 'the server refused the request',
        ),
      );
    }
  }

  #failAll(error: CommsError): void {
    for (const pending of this.#pending.values()) {
      this.#runtime.clearTimeout(pending.timer);
      pending.reject(error);
    }
    this.#pending.clear();
  }
}
