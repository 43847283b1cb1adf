/**
 * Checks shared by the messaging benchmarks.
 */
import WebSocket from 'ws';
import { PROTOCOL_VERSION, Routes } from '../../core/protocol/constants.js';
import type { Probes } from './probes.js';

/**
 * Whether the shared protocol schema (`core/protocol/schema.ts`, `RequestFrames`) defines a
 * request that carries a chat message: a type naming `message` or `chat`. Returns the failed
 * check, or null.
 */
export async function missingMessageRequest(probes: Probes): Promise<string | null> {
  const types = await probes.requestTypes();
  return types.some((type) => /message|chat/i.test(type))
    ? null
    : `the protocol defines no message request (RequestFrames: ${types.join(', ')})`;
}

/** A socket that resolves replies by id and hands events to a listener. */
export class Peer {
  readonly socket: WebSocket;
  #counter = 0;
  readonly #pending = new Map<string, (frame: Record<string, unknown>) => void>();
  onEvent: (frame: Record<string, unknown>) => void = () => undefined;

  private constructor(socket: WebSocket) {
    this.socket = socket;
    socket.on('message', (data) => {
      const frame = JSON.parse(String(data)) as Record<string, unknown>;
      const resolve = typeof frame.re === 'string' ? this.#pending.get(frame.re) : undefined;
      if (resolve) {
        this.#pending.delete(frame.re as string);
        resolve(frame);
      } else this.onEvent(frame);
    });
  }

  static open(url: string, protocols: string[]): Promise<Peer> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url, protocols, { perMessageDeflate: false });
      socket.once('open', () => resolve(new Peer(socket)));
      socket.once('error', reject);
    });
  }

  request(frame: Record<string, unknown>): Promise<Record<string, unknown>> {
    const id = `r${++this.#counter}`;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, (reply) =>
        reply.ok === true ? resolve(reply) : reject(new Error(JSON.stringify(reply.error))),
      );
      this.socket.send(JSON.stringify({ v: PROTOCOL_VERSION, id, ...frame }));
    });
  }
}

export async function account(server: string, username: string, password: string): Promise<string> {
  const post = async (path: string, body: unknown) => {
    const res = await fetch(server + path, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`${path} answered ${res.status}: ${await res.text()}`);
    return res.json() as Promise<{ accessToken: string }>;
  };
  await post(Routes.SIGNUP, { username, password, displayName: username });
  return (await post(Routes.LOGIN, { identity: username, password })).accessToken;
}
