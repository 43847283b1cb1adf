/**
 * The conversation manager's delivery rules, one layer at a time: a small in-memory stand-in
 * for the gateway's messaging (stores once per client id, numbers messages, pages history)
 * drives the manager directly. The real gateway runs the same behaviours in
 * test/conformance/messaging.*.
 */
import { expect } from '@open-wc/testing';
import { ConversationManager } from '../../core/conversation/manager.js';
import { initialConversationsState } from '../../core/conversation/state.js';
import { CommsError } from '../../core/errors.js';
import { createLogger } from '../../core/logger.js';
import { defaultRuntime } from '../../core/platform/runtime.js';
import { Store } from '../../core/store.js';
import type { ClientState } from '../../core/state.js';
import type { FeatureContext } from '../../core/feature.js';
import type { ConnectionManager } from '../../core/transport/connection.js';
import type { Conversation, Message } from '../../core/protocol/schema.js';

/** The gateway's messaging rules, in memory. */
class FakeGateway {
  connected = true;
  conversation: Conversation = {
    id: 'c1',
    type: 'im',
    name: null,
    members: [
      { userId: 'alice', displayName: 'Alice', deliveredSeq: 0, readSeq: 0 },
      { userId: 'bob', displayName: 'Bob', deliveredSeq: 0, readSeq: 0 },
    ],
    lastSeq: 0,
    lastMessage: null,
    unread: 0,
    createdAt: 1,
  };
  messages: Message[] = [];
  stores = 0;
  /** When set, the next send is stored but its reply is lost (the connection drops). */
  loseNextReply = false;
  refuse: string | undefined;
  /** How many sends to refuse as rate-limited (nothing stored) before accepting again. */
  rateLimitNext = 0;
  requests: string[] = [];

  store(sender: string, clientId: string, text: string): Message {
    const existing = this.messages.find((m) => m.clientId === clientId);
    if (existing) return existing;
    this.stores++;
    const message: Message = {
      id: `m${this.messages.length + 1}`,
      clientId,
      conversationId: 'c1',
      seq: this.messages.length + 1,
      sender,
      parts: [{ type: 'text', text }],
      timestamp: Date.now(),
    };
    this.messages.push(message);
    this.conversation = { ...this.conversation, lastSeq: message.seq, lastMessage: message };
    return message;
  }

  async request(input: Record<string, unknown>): Promise<unknown> {
    this.requests.push(String(input.type));
    if (!this.connected) throw new CommsError('connection:notConnected', 'not connected');
    switch (input.type) {
      case 'conversation.open':
      case 'conversation.create':
        return { conversation: this.conversation };
      case 'conversation.list': {
        // As the gateway counts: others' messages after this user's read watermark.
        const readSeq = this.conversation.members.find((m) => m.userId === 'alice')!.readSeq;
        const unread = this.messages.filter((m) => m.sender !== 'alice' && m.seq > readSeq);
        return { conversations: [{ ...this.conversation, unread: unread.length }] };
      }
      case 'message.send': {
        if (this.refuse) throw new CommsError(this.refuse, 'refused');
        if (this.rateLimitNext > 0) {
          this.rateLimitNext--;
          throw new CommsError('message:rateLimited', 'too many messages');
        }
        const parts = input.parts as Array<{ text: string }>;
        const message = this.store('alice', String(input.clientId), parts[0]!.text);
        if (this.loseNextReply) {
          this.loseNextReply = false;
          this.connected = false;
          throw new CommsError('request:timeout', 'no reply');
        }
        return { message };
      }
      case 'message.history': {
        const limit = Number(input.limit ?? 100);
        if (input.afterSeq !== undefined) {
          const after = this.messages.filter((m) => m.seq > Number(input.afterSeq));
          return { messages: after.slice(0, limit), hasMore: after.length > limit };
        }
        const before = this.messages.filter((m) => m.seq < Number(input.beforeSeq));
        return { messages: before.slice(-limit), hasMore: before.length > limit };
      }
      case 'message.receipt':
      case 'typing':
        return {};
      default:
        throw new Error(`unexpected ${String(input.type)}`);
    }
  }
}

function setup() {
  const gateway = new FakeGateway();
  const events: Array<[string, unknown]> = [];
  const store = new Store({ conversations: initialConversationsState } as unknown as ClientState);
  const ctx: FeatureContext = {
    runtime: defaultRuntime(),
    config: () => ({}),
    store,
    emit: (type, params) => events.push([type, params]),
    on: () => () => undefined,
    log: createLogger({ type: 'test' }, () => ({ logLevel: 'silent' })),
  };
  const connection = {
    request: (input: Record<string, unknown>) => gateway.request(input),
    get connected() {
      return gateway.connected;
    },
  } as unknown as ConnectionManager;
  const manager = new ConversationManager(ctx, connection, () => 'alice');
  return { gateway, manager, events, store };
}

const texts = (manager: ConversationManager) =>
  manager.entries()[0]!.messages.map((m) => `${m.parts[0]!.text}:${m.status}`);

describe('ConversationManager delivery', () => {
  it('a send while disconnected waits as pending, then goes out once, in order', async () => {
    const { gateway, manager } = setup();
    gateway.connected = false;
    const entry = manager.ensureDirect('bob');
    manager.send(entry.key, [{ type: 'text', text: 'one' }]);
    manager.send(entry.key, [{ type: 'text', text: 'two' }]);
    expect(texts(manager)).to.deep.equal(['one:pending', 'two:pending']);
    gateway.connected = true;
    await manager.sync();
    await until(() => manager.pendingCount === 0);
    expect(texts(manager)).to.deep.equal(['one:sent', 'two:sent']);
    expect(gateway.messages.map((m) => m.parts[0]!.text)).to.deep.equal(['one', 'two']);
    expect(gateway.stores).to.equal(2);
  });

  it('a reply lost after storing is retried with the same client id and shown once', async () => {
    const { gateway, manager } = setup();
    const entry = manager.ensureDirect('bob');
    gateway.loseNextReply = true;
    manager.send(entry.key, [{ type: 'text', text: 'hello' }]);
    await until(() => !gateway.connected);
    expect(texts(manager)).to.deep.equal(['hello:pending']);
    gateway.connected = true;
    await manager.sync();
    await until(() => manager.pendingCount === 0);
    expect(gateway.stores).to.equal(1);
    expect(texts(manager)).to.deep.equal(['hello:sent']);
  });

  it('places received messages by sequence: duplicates ignored, a gap back-filled', async () => {
    const { gateway, manager } = setup();
    await manager.sync();
    const m1 = gateway.store('bob', crypto.randomUUID(), 'a');
    const m2 = gateway.store('bob', crypto.randomUUID(), 'b');
    const m3 = gateway.store('bob', crypto.randomUUID(), 'c');
    manager.handleEvent({ v: 1, type: 'event', event: 'message:new', message: m1 });
    await until(() => manager.entries()[0]!.lastSeq === 1);
    manager.handleEvent({ v: 1, type: 'event', event: 'message:new', message: m1 }); // duplicate
    manager.handleEvent({ v: 1, type: 'event', event: 'message:new', message: m3 }); // gap: 2 missing
    await until(() => manager.entries()[0]!.lastSeq === 3);
    manager.handleEvent({ v: 1, type: 'event', event: 'message:new', message: m2 }); // late copy of 2
    expect(manager.entries()[0]!.messages.map((m) => m.parts[0]!.text)).to.deep.equal([
      'a',
      'b',
      'c',
    ]);
    expect(manager.entries()[0]!.unread).to.equal(3);
  });

  it('counts a message that came live once, and one caught up after a reconnect once', async () => {
    const { gateway, manager } = setup();
    await manager.sync();
    const live = gateway.store('bob', crypto.randomUUID(), 'live');
    manager.handleEvent({ v: 1, type: 'event', event: 'message:new', message: live });
    await until(() => manager.entries()[0]!.lastSeq === 1);
    expect(manager.entries()[0]!.unread).to.equal(1);
    gateway.connected = false;
    gateway.store('bob', crypto.randomUUID(), 'while away');
    gateway.store('bob', crypto.randomUUID(), 'and again');
    gateway.connected = true;
    await manager.sync(); // the list says 3 unread; the catch-up places 2 and 3
    await until(() => manager.entries()[0]!.lastSeq === 3);
    expect(manager.entries()[0]!.unread).to.equal(3);
    // A message that then comes live counts.
    const next = gateway.store('bob', crypto.randomUUID(), 'next');
    manager.handleEvent({ v: 1, type: 'event', event: 'message:new', message: next });
    await until(() => manager.entries()[0]!.lastSeq === 4);
    expect(manager.entries()[0]!.unread).to.equal(4);
  });

  it('catches up 1,000 messages after a reconnect, in pages, each once and in order', async () => {
    const { gateway, manager } = setup();
    await manager.sync();
    gateway.connected = false;
    for (let i = 1; i <= 1000; i++) gateway.store('bob', crypto.randomUUID(), `m${i}`);
    gateway.connected = true;
    await manager.sync();
    await until(() => manager.entries()[0]!.lastSeq === 1000);
    const seqs = manager.entries()[0]!.messages.map((m) => m.seq);
    expect(seqs).to.have.length(1000);
    expect(seqs.every((s, i) => s === i + 1)).to.equal(true);
    expect(gateway.requests.filter((r) => r === 'message.history').length).to.be.at.least(5);
  });

  it('marks sent messages delivered and read from the receipts', async () => {
    const { gateway, manager } = setup();
    const entry = manager.ensureDirect('bob');
    manager.send(entry.key, [{ type: 'text', text: 'hi' }]);
    await until(() => manager.pendingCount === 0);
    const receipt = (deliveredSeq: number, readSeq: number) =>
      manager.handleEvent({
        v: 1,
        type: 'event',
        event: 'message:receipt',
        conversationId: 'c1',
        userId: 'bob',
        deliveredSeq,
        readSeq,
      });
    receipt(1, 0);
    expect(texts(manager)).to.deep.equal(['hi:delivered']);
    receipt(1, 1);
    expect(texts(manager)).to.deep.equal(['hi:read']);
    expect(gateway.stores).to.equal(1);
  });

  it('makes time-ordered clientIds (UUIDv7), each after the one before', async () => {
    const { manager } = setup();
    const entry = manager.ensureDirect('bob');
    const ids = Array.from(
      { length: 20 },
      (_, i) => manager.send(entry.key, [{ type: 'text', text: `m${i}` }]).clientId,
    );
    for (const id of ids)
      expect(id).to.match(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect([...ids].sort()).to.deep.equal(ids);
  });

  it('a refused send shows as failed with the reason, and retry sends it again', async () => {
    const { gateway, manager, events } = setup();
    const entry = manager.ensureDirect('bob');
    gateway.refuse = 'conversation:forbidden';
    const view = manager.send(entry.key, [{ type: 'text', text: 'no' }]);
    await until(() => manager.entries()[0]!.messages[0]!.status === 'failed');
    expect(manager.entries()[0]!.messages[0]!.error?.code).to.equal('conversation:forbidden');
    expect(events.some(([type]) => type === 'messages:error')).to.equal(true);
    gateway.refuse = undefined;
    manager.retry(manager.entries()[0]!.key, view.clientId);
    await until(() => manager.entries()[0]!.messages[0]!.status === 'sent');
    expect(gateway.stores).to.equal(1);
  });

  it('a rate-limited send waits and goes again, in order, without a reconnect', async () => {
    const { gateway, manager } = setup();
    const entry = manager.ensureDirect('bob');
    gateway.rateLimitNext = 2;
    manager.send(entry.key, [{ type: 'text', text: 'one' }]);
    manager.send(entry.key, [{ type: 'text', text: 'two' }]);
    await until(() => manager.pendingCount === 0);
    expect(texts(manager)).to.deep.equal(['one:sent', 'two:sent']);
    expect(gateway.messages.map((m) => m.parts[0]!.text)).to.deep.equal(['one', 'two']);
    expect(gateway.requests.filter((r) => r === 'message.send').length).to.equal(4);
  });

  it('sends a delivered receipt for messages from others only', async () => {
    const { gateway, manager } = setup();
    await manager.sync();
    const entry = manager.ensureDirect('bob');
    manager.send(entry.key, [{ type: 'text', text: 'mine' }]);
    await until(() => manager.pendingCount === 0);
    expect(gateway.requests).not.to.include('message.receipt');
    const theirs = gateway.store('bob', crypto.randomUUID(), 'theirs');
    manager.handleEvent({ v: 1, type: 'event', event: 'message:new', message: theirs });
    await until(() => gateway.requests.includes('message.receipt'));
  });

  it('refuses an empty or oversized text before sending', () => {
    const { manager } = setup();
    const entry = manager.ensureDirect('bob');
    expect(() => manager.send(entry.key, [{ type: 'text', text: '' }])).to.throw(/non-empty text/);
    expect(() =>
      manager.send(entry.key, [{ type: 'text', text: 'x'.repeat(16 * 1024 + 1) }]),
    ).to.throw(/at most 16384/);
  });
});

/** Waits (by polling microtasks and short timers) until `condition` holds; fails after 5 s. */
async function until(condition: () => boolean): Promise<void> {
  const started = performance.now();
  while (!condition()) {
    if (performance.now() - started > 5000) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 5));
  }
}
