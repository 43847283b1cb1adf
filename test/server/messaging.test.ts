/**
 * Conversations and messages against the built gateway (a child process): delivery to every
 * device, storing once per client id (at once, and across a crash between storing and
 * replying), sequence numbers without gaps, history pages, receipts, typing, authorisation,
 * and the limits.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MAX_TEXT_LENGTH } from '../../core/protocol/constants.js';
import type { Conversation, Message } from '../../core/protocol/schema.js';
import { login, type TestSocket } from '../helpers/client.js';
import { persistentDatabase, startGateway, type Gateway } from '../helpers/gateway.js';
import { codeOf, device, newUser, ok, pause, type TestUser } from '../helpers/users.js';

let gateway: Gateway;
let url: string;
const sockets: TestSocket[] = [];

before(async () => {
  // Generous limits: these tests send hundreds of frames; the limits have their own tests.
  gateway = await startGateway(['--frame-rate-limit', '100000', '--message-rate-limit', '0']);
  url = gateway.url;
});
after(async () => {
  for (const s of sockets) s.close();
  assert.equal(await gateway.stop(), 0);
});

async function open(user: TestUser, services?: string[], at = url): Promise<TestSocket> {
  const socket = await device(at, user, services);
  sockets.push(socket);
  return socket;
}

async function conversationWith(socket: TestSocket, destination: string): Promise<Conversation> {
  return ok<{ conversation: Conversation }>(
    await socket.request({ type: 'conversation.open', destination }),
  ).conversation;
}

const text = (t: string) => [{ type: 'text', text: t }];

async function send(
  socket: TestSocket,
  conversationId: string,
  body: string,
  clientId: string = randomUUID(),
): Promise<Record<string, unknown>> {
  return socket.request({ type: 'message.send', conversationId, clientId, parts: text(body) });
}

const messageOf = (reply: Record<string, unknown>) => ok<{ message: Message }>(reply).message;

async function history(socket: TestSocket, conversationId: string, extra = {}) {
  return ok<{ messages: Message[]; hasMore: boolean }>(
    await socket.request({ type: 'message.history', conversationId, ...extra }),
  );
}

describe('conversations', () => {
  it('opens one conversation per pair, whoever opens it, and tells the other side once', async () => {
    const alice = await newUser(url);
    const bob = await newUser(url);
    const a = await open(alice);
    const b = await open(bob);
    const first = await conversationWith(a, bob.name);
    assert.equal(first.type, 'im');
    assert.deepEqual(
      first.members.map((m) => m.userId).sort(),
      [alice.name, bob.name].sort(),
      'members go by their usernames',
    );
    const announced = await b.event('conversation:new');
    assert.equal((announced.conversation as Conversation).id, first.id);
    assert.equal((await conversationWith(a, bob.name)).id, first.id, 'idempotent');
    assert.equal((await conversationWith(b, alice.name.toUpperCase())).id, first.id, 'either way');
    await pause(50);
    assert.equal(b.pending.filter((f) => f.event === 'conversation:new').length, 0, 'told once');
  });

  it('refuses an unknown destination, yourself, and a chat without conversation.create', async () => {
    const alice = await newUser(url);
    const a = await open(alice);
    const unknown = await a.request({ type: 'conversation.open', destination: 'nobody-here' });
    assert.equal(codeOf(unknown), 'conversation:unknownDestination');
    assert.match((unknown.error as { message: string }).message, /nobody-here/);
    assert.equal(
      codeOf(await a.request({ type: 'conversation.open', destination: alice.name })),
      'request:invalid',
    );
    const bob = await newUser(url);
    assert.equal(
      codeOf(
        await a.request({
          type: 'conversation.open',
          destination: bob.name,
          conversationType: 'chat',
        }),
      ),
      'request:invalid',
    );
    const group = await a.request({ type: 'conversation.create', members: [bob.name, 'ghost-1'] });
    assert.equal(codeOf(group), 'conversation:unknownDestination');
    assert.match((group.error as { message: string }).message, /ghost-1/);
  });

  it('creates a group: every member is told, and lists it with unread counts and the last message', async () => {
    const [alice, bob, carol] = [await newUser(url), await newUser(url), await newUser(url)];
    const a = await open(alice);
    const b = await open(bob);
    const c = await open(carol);
    const group = ok<{ conversation: Conversation }>(
      await a.request({
        type: 'conversation.create',
        members: [bob.name, carol.name],
        name: 'Trio',
      }),
    ).conversation;
    assert.equal(group.type, 'chat');
    assert.equal(group.name, 'Trio');
    assert.equal(group.members.length, 3);
    for (const s of [b, c])
      assert.equal(((await s.event('conversation:new')).conversation as Conversation).id, group.id);

    await send(a, group.id, 'one');
    await send(a, group.id, 'two');
    await send(b, group.id, 'three');
    const listed = ok<{ conversations: Conversation[] }>(
      await c.request({ type: 'conversation.list' }),
    ).conversations;
    const seen = listed.find((x) => x.id === group.id)!;
    assert.equal(seen.unread, 3);
    assert.equal(seen.lastSeq, 3);
    assert.equal(seen.lastMessage?.parts[0]?.text, 'three');
    assert.equal(seen.lastMessage?.sender, bob.name);
    const bobs = ok<{ conversations: Conversation[] }>(
      await b.request({ type: 'conversation.list' }),
    ).conversations.find((x) => x.id === group.id)!;
    assert.equal(bobs.unread, 2, 'own messages are not unread');
  });
});

describe('sending', () => {
  it('replies with the stored message and pushes it once to every other device of both users', async () => {
    const alice = await newUser(url);
    const bob = await newUser(url);
    const a1 = await open(alice);
    const a2 = await open(alice);
    const aChatless = await open(alice, ['call']);
    const b1 = await open(bob);
    const b2 = await open(bob);
    const conversation = await conversationWith(a1, bob.name);
    const message = messageOf(await send(a1, conversation.id, 'hello'));
    assert.equal(message.seq, 1);
    assert.equal(message.sender, alice.name);
    assert.equal(message.conversationId, conversation.id);
    for (const s of [a2, b1, b2]) {
      const pushed = (await s.event('message:new')).message as Message;
      assert.deepEqual(pushed, message);
    }
    await pause(100);
    for (const s of [a1, a2, b1, b2, aChatless])
      assert.equal(s.pending.filter((f) => f.event === 'message:new').length, 0, 'once each');
  });

  it('stores the same client id sent three times at once only once', async () => {
    const alice = await newUser(url);
    const bob = await newUser(url);
    const a = await open(alice);
    const b = await open(bob);
    const conversation = await conversationWith(a, bob.name);
    const clientId = randomUUID();
    const replies = await Promise.all([
      send(a, conversation.id, 'once', clientId),
      send(a, conversation.id, 'once', clientId),
      send(a, conversation.id, 'once', clientId),
    ]);
    const messages = replies.map(messageOf);
    assert.equal(new Set(messages.map((m) => m.id)).size, 1, 'one server id');
    assert.deepEqual(
      messages.map((m) => m.seq),
      [1, 1, 1],
    );
    const stored = await history(b, conversation.id, { afterSeq: 0 });
    assert.equal(stored.messages.length, 1);
    assert.equal(stored.messages[0]!.id, messages[0]!.id);
    const next = messageOf(await send(a, conversation.id, 'next'));
    assert.equal(next.seq, 2, 'no gap after the duplicates');
  });

  it('refuses a client id already used in another conversation', async () => {
    const alice = await newUser(url);
    const bob = await newUser(url);
    const carol = await newUser(url);
    const a = await open(alice);
    const withBob = await conversationWith(a, bob.name);
    const withCarol = await conversationWith(a, carol.name);
    const clientId = randomUUID();
    messageOf(await send(a, withBob.id, 'for bob', clientId));
    assert.equal(codeOf(await send(a, withCarol.id, 'for carol', clientId)), 'request:invalid');
  });

  it('gives messages time-ordered ids (UUIDv7): each sorts after the one before', async () => {
    const alice = await newUser(url);
    const bob = await newUser(url);
    const a = await open(alice);
    const conversation = await conversationWith(a, bob.name);
    const ids: string[] = [];
    for (let i = 0; i < 20; i++) ids.push(messageOf(await send(a, conversation.id, `m${i}`)).id);
    for (const id of ids)
      assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.deepEqual([...ids].sort(), ids);
  });

  it('stores 1,000 messages in the order they were sent, numbered 1 to 1,000 without gaps', async () => {
    const alice = await newUser(url);
    const bob = await newUser(url);
    const a = await open(alice);
    const b = await open(bob, ['call']);
    const conversation = await conversationWith(a, bob.name);
    for (let i = 1; i <= 1000; i++) {
      const message = messageOf(await send(a, conversation.id, `m${i}`));
      assert.equal(message.seq, i);
    }
    const all: Message[] = [];
    let page = await history(b, conversation.id, { afterSeq: 0, limit: 300 });
    all.push(...page.messages);
    while (page.hasMore) {
      page = await history(b, conversation.id, { afterSeq: all.at(-1)!.seq, limit: 300 });
      all.push(...page.messages);
    }
    assert.equal(all.length, 1000);
    assert.ok(all.every((m, i) => m.seq === i + 1 && m.parts[0]!.text === `m${i + 1}`));
  });

  it('numbers concurrent sends from several devices without a gap or a duplicate', async () => {
    const alice = await newUser(url);
    const bob = await newUser(url);
    const devices = [await open(alice), await open(alice), await open(bob), await open(bob)];
    const conversation = await conversationWith(devices[0]!, bob.name);
    const replies = await Promise.all(
      devices.flatMap((d, n) =>
        Array.from({ length: 50 }, (_, i) => send(d, conversation.id, `d${n}-${i}`)),
      ),
    );
    const seqs = replies
      .map(messageOf)
      .map((m) => m.seq)
      .sort((x, y) => x - y);
    assert.deepEqual(
      seqs,
      Array.from({ length: 200 }, (_, i) => i + 1),
    );
  });
});

describe('history', () => {
  it('pages forward after a seq and backward before one, always ascending', async () => {
    const alice = await newUser(url);
    const bob = await newUser(url);
    const a = await open(alice);
    const conversation = await conversationWith(a, bob.name);
    for (let i = 1; i <= 25; i++) await send(a, conversation.id, `m${i}`);
    const seqs = (p: { messages: Message[] }) => p.messages.map((m) => m.seq);

    const forward = await history(a, conversation.id, { afterSeq: 20, limit: 3 });
    assert.deepEqual(seqs(forward), [21, 22, 23]);
    assert.equal(forward.hasMore, true);
    const end = await history(a, conversation.id, { afterSeq: 23, limit: 3 });
    assert.deepEqual(seqs(end), [24, 25]);
    assert.equal(end.hasMore, false);

    const older = await history(a, conversation.id, { beforeSeq: 11, limit: 4 });
    assert.deepEqual(seqs(older), [7, 8, 9, 10], 'the newest before 11, ascending');
    assert.equal(older.hasMore, true);
    const oldest = await history(a, conversation.id, { beforeSeq: 3, limit: 4 });
    assert.deepEqual(seqs(oldest), [1, 2]);
    assert.equal(oldest.hasMore, false);

    const latest = await history(a, conversation.id, { limit: 2 });
    assert.deepEqual(seqs(latest), [24, 25], 'neither: the newest page');
    assert.equal(
      codeOf(
        await a.request({
          type: 'message.history',
          conversationId: conversation.id,
          afterSeq: 1,
          beforeSeq: 5,
        }),
      ),
      'request:invalid',
    );
  });
});

describe('receipts and typing', () => {
  it('moves watermarks forward only, and tells the members when they move', async () => {
    const alice = await newUser(url);
    const bob = await newUser(url);
    const a = await open(alice);
    const b = await open(bob);
    const conversation = await conversationWith(a, bob.name);
    await b.event('conversation:new');
    for (let i = 1; i <= 3; i++) await send(a, conversation.id, `m${i}`);
    const receipt = (kind: string, seq: number) =>
      b.request({ type: 'message.receipt', conversationId: conversation.id, kind, seq });

    ok(await receipt('delivered', 3));
    const delivered = await a.event('message:receipt');
    assert.deepEqual(
      [delivered.userId, delivered.deliveredSeq, delivered.readSeq],
      [bob.name, 3, 0],
    );
    ok(await receipt('delivered', 1));
    ok(await receipt('read', 2));
    const read = await a.event('message:receipt');
    assert.deepEqual([read.deliveredSeq, read.readSeq], [3, 2], 'delivered did not go back');
    ok(await receipt('read', 99));
    const clamped = await a.event('message:receipt');
    assert.deepEqual([clamped.deliveredSeq, clamped.readSeq], [3, 3], 'not past the last seq');
    await pause(50);
    assert.equal(
      a.pending.filter((f) => f.event === 'message:receipt').length,
      0,
      'no event when nothing moved',
    );
    const listed = ok<{ conversations: Conversation[] }>(
      await b.request({ type: 'conversation.list' }),
    ).conversations.find((c) => c.id === conversation.id)!;
    assert.equal(listed.unread, 0);
  });

  it('relays typing to the other members only', async () => {
    const alice = await newUser(url);
    const bob = await newUser(url);
    const a1 = await open(alice);
    const a2 = await open(alice);
    const b = await open(bob);
    const conversation = await conversationWith(a1, bob.name);
    ok(await b.request({ type: 'typing', conversationId: conversation.id, active: true }));
    for (const s of [a1, a2]) {
      const typing = await s.event('typing');
      assert.deepEqual(
        [typing.conversationId, typing.userId, typing.active],
        [conversation.id, bob.name, true],
      );
    }
    await pause(50);
    assert.equal(b.pending.filter((f) => f.event === 'typing').length, 0, 'not to the typist');
    assert.equal((await history(a1, conversation.id)).messages.length, 0, 'never stored');
  });
});

describe('authorisation', () => {
  it('a non-member can neither read, post, mark nor type, and cannot tell the conversation exists', async () => {
    const alice = await newUser(url);
    const bob = await newUser(url);
    const mallory = await newUser(url);
    const a = await open(alice);
    const m = await open(mallory);
    const conversation = await conversationWith(a, bob.name);
    await send(a, conversation.id, 'private');
    const attempts = (conversationId: string) => [
      { type: 'message.history', conversationId, afterSeq: 0 },
      { type: 'message.send', conversationId, clientId: randomUUID(), parts: text('hi') },
      { type: 'message.receipt', conversationId, kind: 'read', seq: 1 },
      { type: 'typing', conversationId, active: true },
    ];
    for (const frame of attempts(conversation.id)) {
      const reply = await m.request(frame);
      assert.equal(codeOf(reply), 'conversation:notFound', frame.type);
    }
    for (const frame of attempts('no-such-conversation')) {
      const reply = await m.request(frame);
      assert.equal(codeOf(reply), 'conversation:notFound', `${frame.type}: the same answer`);
    }
    const listed = ok<{ conversations: Conversation[] }>(
      await m.request({ type: 'conversation.list' }),
    ).conversations;
    assert.deepEqual(listed, []);
    assert.equal((await history(a, conversation.id)).messages.length, 1, 'nothing was added');
  });
});

describe('limits', () => {
  it('refuses text over MAX_TEXT_LENGTH with message:tooLarge, and takes text at the limit', async () => {
    const alice = await newUser(url);
    const bob = await newUser(url);
    const a = await open(alice);
    const conversation = await conversationWith(a, bob.name);
    const tooLarge = await send(a, conversation.id, 'x'.repeat(MAX_TEXT_LENGTH + 1));
    assert.equal(codeOf(tooLarge), 'message:tooLarge');
    assert.match((tooLarge.error as { message: string }).message, /at most 16384 characters/);
    assert.equal(messageOf(await send(a, conversation.id, 'x'.repeat(MAX_TEXT_LENGTH))).seq, 1);
  });

  it('limits messages per user across devices (message:rateLimited), and the refused ones go through later', async () => {
    const limited = await startGateway(); // the default limits: 30 messages/s, bursts of 60
    try {
      const alice = await newUser(limited.url);
      const bob = await newUser(limited.url);
      const a1 = await open(alice, undefined, limited.url);
      const a2 = await open(alice, undefined, limited.url);
      const conversation = await conversationWith(a1, bob.name);
      // 38 frames from each socket stay within the socket's own frame limit (bursts of 40).
      const sends = [a1, a2].flatMap((s) =>
        Array.from({ length: 38 }, () => {
          const clientId = randomUUID();
          return send(s, conversation.id, 'burst', clientId).then((reply) => ({
            reply,
            clientId,
            s,
          }));
        }),
      );
      const results = await Promise.all(sends);
      const refused = results.filter((r) => codeOf(r.reply) === 'message:rateLimited');
      const stored = results.filter((r) => r.reply.ok === true);
      assert.equal(refused.length + stored.length, 76);
      assert.ok(refused.length >= 10, `some were refused (${refused.length})`);
      assert.match(
        (refused[0]!.reply.error as { message: string }).message,
        /at most 30 per second/,
      );
      const seqs = stored.map((r) => messageOf(r.reply).seq).sort((x, y) => x - y);
      assert.deepEqual(
        seqs,
        Array.from({ length: stored.length }, (_, i) => i + 1),
        'the refused ones took no seq',
      );
      await pause(1100);
      for (const r of refused.slice(0, 10))
        assert.equal(
          messageOf(await send(r.s, conversation.id, 'burst', r.clientId)).conversationId,
          conversation.id,
        );
    } finally {
      await limited.stop();
    }
  });
});

describe('a crash between storing and replying', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'comms-kit-crash-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('the retried send after the restart returns the message stored before the crash', async () => {
    const db = await persistentDatabase(dir);
    const faulty = await startGateway(['--db', db], { env: { COMMS_FAULT: 'exit-after-store' } });
    const alice = await newUser(faulty.url);
    const bob = await newUser(faulty.url);
    const a = await device(faulty.url, alice);
    const conversation = await conversationWith(a, bob.name);
    const clientId = randomUUID();
    a.ws.send(
      JSON.stringify({
        v: 1,
        id: 'lost',
        type: 'message.send',
        conversationId: conversation.id,
        clientId,
        parts: text('survives'),
      }),
    );
    const [code] =
      faulty.process.exitCode !== null
        ? [faulty.process.exitCode]
        : ((await once(faulty.process, 'exit')) as [number | null]);
    assert.equal(code, 70, 'the process exited after storing');
    await a.closed;
    assert.equal(a.pending.filter((f) => f.re === 'lost').length, 0, 'and before replying');

    const restarted = await startGateway(['--db', db]);
    try {
      const tokens = await login(restarted.url, alice.name);
      const again = await device(restarted.url, { ...alice, tokens });
      const first = messageOf(await send(again, conversation.id, 'survives', clientId));
      assert.equal(first.seq, 1);
      assert.equal(first.clientId, clientId);
      const second = messageOf(await send(again, conversation.id, 'survives', clientId));
      assert.deepEqual(second, first, 'the same message each time');
      const stored = await history(again, conversation.id, { afterSeq: 0 });
      assert.deepEqual(stored.messages, [first], 'stored once');
      assert.equal(messageOf(await send(again, conversation.id, 'next')).seq, 2);
      again.close();
    } finally {
      assert.equal(await restarted.stop(), 0);
    }
  });
});
