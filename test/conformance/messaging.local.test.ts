/**
 * The messaging conformance suite over the in-page hub (issue 7): the same tests as over the
 * gateway, with every frame the hub's sockets carry checked against the protocol schema
 * (core/protocol/schema.ts), as the gateway checks the frames it receives.
 */
import { expect } from '@open-wc/testing';
import { FormatRegistry, type TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { createClient, type CommsClient } from '../../core/index.js';
import { createLocalHub } from '../../core/local.js';
import {
  ErrorReply,
  EventPayloads,
  ReplyPayloads,
  RequestFrames,
  type RequestType,
} from '../../core/protocol/schema.js';
import { messagingConformance } from './messaging.js';

if (!FormatRegistry.Has('uuid'))
  FormatRegistry.Set('uuid', (value) =>
    /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value),
  );

/** Frames that broke the schema, described; and how many were checked. */
const violations: string[] = [];
const checked = { requests: 0, replies: 0, events: 0 };
const types = new Map<string, RequestType>();

function check(frame: Record<string, unknown>, direction: 'in' | 'out'): void {
  const fail = (schema: TSchema, value: unknown, what: string) => {
    if (Value.Check(schema, value)) return;
    const first = [...Value.Errors(schema, value)][0];
    violations.push(`${what}: ${first?.path} ${first?.message} in ${JSON.stringify(frame)}`);
  };
  if (direction === 'in') {
    const type = frame.type as RequestType;
    checked.requests++;
    const schema = RequestFrames[type] as TSchema | undefined;
    if (!schema) violations.push(`unknown request type ${String(type)}`);
    else fail(schema, frame, `request ${type}`);
    types.set(frame.id as string, type);
    return;
  }
  if (frame.type === 'event') {
    checked.events++;
    const { v: _v, type: _t, event, ...payload } = frame;
    const schema = EventPayloads[event as keyof typeof EventPayloads] as TSchema | undefined;
    if (!schema) violations.push(`unknown event ${String(event)}`);
    else fail(schema, payload, `event ${String(event)}`);
    return;
  }
  checked.replies++;
  if (frame.ok === false) return fail(ErrorReply, frame, 'error reply');
  const type = types.get(frame.re as string);
  const { v: _v, re: _re, ok: _ok, ...payload } = frame;
  if (!type) violations.push(`a reply to no request: ${JSON.stringify(frame)}`);
  else fail(ReplyPayloads[type], payload, `reply to ${type}`);
}

messagingConformance('local (in-page)', async () => {
  const hub = createLocalHub({ presenceGrace: 1000, onFrame: check });
  const clients: CommsClient[] = [];
  let counter = 0;
  return {
    async user() {
      const id = `chat-user-${++counter}`;
      hub.addUser({ id, displayName: `Name ${id}` });
      return id;
    },
    async device(id) {
      const client = createClient({
        logs: { logLevel: 'silent' },
        connectivity: { reconnectDelay: 100, reconnectLimit: 0 },
      });
      clients.push(client);
      client.useLocalBackend(hub, { id, displayName: `Name ${id}` });
      await client.connect();
      return client;
    },
    async kill() {
      hub.setReachable(false);
    },
    async revive() {
      hub.setReachable(true);
    },
    async drop() {
      hub.drop();
    },
    async teardown() {
      await Promise.all(clients.map((c) => c.destroy()));
    },
  };
});

describe('the in-page hub speaks the gateway protocol', () => {
  it('every frame of the suite above matched the protocol schema', () => {
    // Run after the suite: it saw thousands of frames (the 1,000-message test alone sends
    // 1,000 requests; its messages reach the offline recipient by history, not as events).
    expect(checked.requests).to.be.greaterThan(1000);
    expect(checked.replies).to.be.greaterThan(1000);
    expect(checked.events).to.be.greaterThan(100);
    expect(violations).to.deep.equal([]);
  });
});
