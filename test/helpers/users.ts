/**
 * Users and their devices for the messaging, presence and contacts tests: a signed-up user,
 * and sockets subscribed to services (one per device).
 */
import { randomUUID } from 'node:crypto';
import type { Message, TokenResponse } from '../../core/protocol/schema.js';
import { connect, signupAndLogin, uniqueName, type TestSocket } from './client.js';

export interface TestUser {
  /** The username, which is the user's id on the wire. */
  name: string;
  /** The internal id (the token's `sub`). */
  id: string;
  tokens: TokenResponse;
}

/** Signs up and logs in a new user. */
export async function newUser(url: string, prefix = 'u'): Promise<TestUser> {
  const name = uniqueName(prefix);
  const tokens = await signupAndLogin(url, name);
  return { name, id: tokens.user.id, tokens };
}

let correlators = 0;

/** A device of `user`: a socket subscribed to `services` (none: not subscribed). */
export async function device(
  url: string,
  user: TestUser,
  services: string[] = ['chat', 'presence'],
): Promise<TestSocket> {
  const socket = await connect(url, user.tokens.accessToken);
  if (services.length) {
    const reply = await socket.request({
      type: 'subscribe',
      services,
      clientCorrelator: `device-${++correlators}`,
    });
    if (reply.ok !== true) throw new Error(`subscribe failed: ${JSON.stringify(reply)}`);
  }
  return socket;
}

/** The reply's payload, asserting it succeeded. */
export function ok<T = Record<string, unknown>>(reply: Record<string, unknown>): T {
  if (reply.ok !== true) throw new Error(`request failed: ${JSON.stringify(reply)}`);
  return reply as T;
}

/** The reply's error code (undefined when it succeeded). */
export const codeOf = (reply: Record<string, unknown>): string | undefined =>
  (reply.error as { code?: string } | undefined)?.code;

/** Resolves after `ms` (to show that something does not arrive). */
export const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A bound no timeout-based failure in these tests comes near (their timeouts are a second). */
export const GENEROUS_MS = 20_000;

/** `promise`, or a failure naming `what` when it has not settled within {@link GENEROUS_MS}. */
export async function within<T>(what: string, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${what}: still waiting after ${GENEROUS_MS} ms`)),
      GENEROUS_MS,
    );
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** Sends a text message (its text: its clientId) to `conversationId`; resolves with the reply. */
export const sendText = (socket: TestSocket, conversationId: string, clientId = randomUUID()) =>
  socket.request({
    type: 'message.send',
    conversationId,
    clientId,
    parts: [{ type: 'text', text: clientId }],
  });

/** The seqs of a conversation's messages (up to 100), as `socket` reads its history. */
export const seqsOf = async (socket: TestSocket, conversationId: string) =>
  ok<{ messages: Message[] }>(
    await socket.request({ type: 'message.history', conversationId, afterSeq: 0, limit: 100 }),
  ).messages.map((m) => m.seq);
