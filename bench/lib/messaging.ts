/**
 * Checks shared by the messaging benchmarks.
 */
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
