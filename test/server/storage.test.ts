/**
 * The storage conformance suite: every {@link Storage} method's behaviour, run against both
 * implementations, SQLite (`:memory:`) and PostgreSQL (a throwaway cluster of this file's own,
 * a fresh database per test). Then what only a shared database has to get right: two
 * PostgreSQL storages (two pools, as two gateway nodes) appending to one conversation,
 * spending one refresh token, opening one conversation and migrating one database at once;
 * and a database that does not answer.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { SqliteStorage } from '../../server/storage/sqlite/index.js';
import {
  DatabaseUnavailableError,
  PostgresStorage,
  type PostgresOptions,
} from '../../server/storage/postgres/index.js';
import { migrations } from '../../server/storage/postgres/migrations.js';
import {
  IdentityConflictError,
  type AppendResult,
  type CallRecordEntry,
  type ContactRecord,
  type NewMessage,
  type Storage,
  type UserSearchCondition,
} from '../../server/storage/types.js';
import {
  reachPostgres,
  startPostgres,
  type PostgresRoute,
  type PostgresServer,
} from '../helpers/postgres.js';
import { freePort } from '../helpers/server-process.js';
import { userRecord } from '../helpers/records.js';

let cluster: PostgresServer;
/** The cluster as the storages reach it: directly, or through what a test file put between. */
let server: PostgresRoute;
before(async () => {
  cluster = await startPostgres();
  server = await reachPostgres(cluster);
});
after(async () => {
  await server?.stop();
  await cluster?.stop();
});

/** A storage on `url`, with the options the route asks for. */
const openPostgres = (options: PostgresOptions) =>
  PostgresStorage.open({ ...server.options, ...options });

const user = userRecord;

const message = (
  id: string,
  senderId: string,
  clientId: string,
  conversationId = 'c',
  timestamp = 5,
): NewMessage => ({
  id,
  conversationId,
  clientId,
  senderId,
  parts: [{ type: 'text', text: id }],
  timestamp,
});

const contact = (ownerId: string, contactId: string, primaryContact: string, at = 1) =>
  ({
    ownerId,
    contactId,
    primaryContact,
    fields: { firstName: contactId },
    createdAt: at,
    updatedAt: at,
  }) satisfies ContactRecord;

const record = (
  id: string,
  userId: string,
  startTime: number,
  fields: Partial<CallRecordEntry> = {},
): CallRecordEntry => ({
  id,
  userId,
  callId: `call-${id}`,
  direction: 'outgoing',
  remoteParticipant: { id: 'bob', displayName: 'Bob' },
  media: { audio: true, video: false },
  startTime,
  answerTime: startTime + 1,
  endTime: startTime + 10,
  duration: 9,
  result: 'answered',
  statusCode: 200,
  reasonText: 'OK',
  ...fields,
});

const backends: { name: string; open: () => Promise<Storage> }[] = [
  { name: 'SQLite', open: async () => SqliteStorage.open({ file: ':memory:' }) },
  {
    name: 'PostgreSQL',
    open: async () => openPostgres({ url: await server.createDatabase() }),
  },
];

for (const backend of backends) {
  describe(`Storage conformance: ${backend.name}`, () => {
    /** A fresh storage for one test, closed after it. */
    async function withStorage(test: (s: Storage) => Promise<void>) {
      const s = await backend.open();
      try {
        await test(s);
      } finally {
        await s.close();
      }
    }

    async function withUsers(test: (s: Storage) => Promise<void>) {
      await withStorage(async (s) => {
        await s.createUser(user('a', { username: 'ann', displayName: 'Ann Lee' }));
        await s.createUser(user('b', { username: 'bob', email: 'bob@x.example' }));
        await s.createUser(user('c', { number: '+15550000003', displayName: 'Cy Young Jr' }));
        await test(s);
      });
    }

    it('answers a ping; a closed storage rejects, and closes once', async () => {
      const s = await backend.open();
      await s.ping();
      await Promise.all([s.close(), s.close()]);
      await assert.rejects(s.ping());
      await assert.rejects(s.appendMessage(message('m', 'a', 'k')));
      await s.close(); // a second close does nothing
    });

    it('keeps the first value of a setting, also when two are set at once', async () => {
      await withStorage(async (s) => {
        assert.equal(await s.getSetting('k'), undefined);
        assert.equal(await s.setSettingIfAbsent('k', 'one'), 'one');
        assert.equal(await s.setSettingIfAbsent('k', 'two'), 'one');
        assert.equal(await s.getSetting('k'), 'one');
        const both = await Promise.all([
          s.setSettingIfAbsent('j', 'x'),
          s.setSettingIfAbsent('j', 'y'),
        ]);
        assert.equal(both[0], both[1]);
      });
    });

    it('creates and finds users; identities unique, username and email case-insensitively', async () => {
      await withStorage(async (s) => {
        const created = await s.createUser(
          user('a', {
            username: 'ann',
            email: 'ann@x.example',
            number: '+15550000001',
            displayName: 'Ann',
            passwordHash: '$argon2id$x',
            createdAt: 7,
          }),
        );
        assert.deepEqual(created, {
          id: 'a',
          username: 'ann',
          email: 'ann@x.example',
          number: '+15550000001',
          displayName: 'Ann',
          passwordHash: '$argon2id$x',
          createdAt: 7,
          updatedAt: 7,
        });
        for (const [fields, field] of [
          [{ username: 'ANN' }, 'username'],
          [{ email: 'Ann@X.example' }, 'email'],
          [{ number: '+15550000001' }, 'number'],
        ] as const) {
          await assert.rejects(s.createUser(user('b', fields)), (e: unknown) => {
            assert.ok(e instanceof IdentityConflictError);
            assert.equal(e.field, field);
            return true;
          });
        }
        await assert.rejects(
          s.createUser(user('a', { username: 'other' })),
          (e: unknown) => !(e instanceof IdentityConflictError),
          'a taken id is not an identity conflict',
        );
        assert.equal((await s.findUser({ id: 'a' }))?.username, 'ann');
        assert.equal((await s.findUser({ username: 'ANN' }))?.id, 'a');
        assert.equal((await s.findUser({ email: 'ANN@x.example' }))?.id, 'a');
        assert.equal((await s.findUser({ number: '+15550000001' }))?.id, 'a');
        assert.equal(await s.findUser({ username: 'nobody' }), undefined);
        await s.createUser(user('b', { number: '+15550000002' }));
        assert.deepEqual((await s.findUsers(['b', 'a', 'zz'])).map((u) => u.id).sort(), ['a', 'b']);
        assert.deepEqual(await s.findUsers([]), []);
        const renamed = await s.updateDisplayName('a', 'Ann Lee', 9);
        assert.deepEqual(
          [renamed?.displayName, renamed?.createdAt, renamed?.updatedAt],
          ['Ann Lee', 7, 9],
        );
        assert.equal(await s.updateDisplayName('zz', 'x', 9), undefined);
      });
    });

    it('searches users by substrings of their fields, derived names included', async () => {
      await withUsers(async (s) => {
        const ids = async (...conditions: UserSearchCondition[]) =>
          (await s.searchUsers(conditions, 10)).map((u) => u.id);
        assert.deepEqual(await ids({ fields: ['username'], text: 'BO' }), ['b']);
        assert.deepEqual(await ids({ fields: ['firstName'], text: 'cy' }), ['c']);
        assert.deepEqual(await ids({ fields: ['lastName'], text: 'young jr' }), ['c']);
        assert.deepEqual(await ids({ fields: ['lastName'], text: 'ann' }), [], 'not the first');
        assert.deepEqual(await ids({ fields: ['number'], text: '0003' }), ['c']);
        assert.deepEqual(await ids({ fields: ['email'], text: '@X.EX' }), ['b']);
        assert.deepEqual(await ids({ fields: ['username'], text: '%' }), [], 'wildcards are text');
        assert.deepEqual(await ids({ fields: ['username'], text: '_' }), []);
        assert.deepEqual(await ids(), ['a', 'b', 'c'], 'no condition: everyone');
        assert.deepEqual(
          await ids({ fields: ['username', 'displayName'], text: 'n' }),
          ['a', 'c'],
          'any of the fields (bob has no n; Cy Young Jr has)',
        );
        assert.deepEqual(
          await ids({ fields: ['displayName'], text: 'n' }, { fields: ['username'], text: 'a' }),
          ['a'],
          'every condition',
        );
        assert.deepEqual(await ids({ fields: ['username'], text: 'BOB', whole: true }), ['b']);
        assert.deepEqual(await ids({ fields: ['username'], text: 'bo', whole: true }), []);
        assert.deepEqual(await ids({ fields: ['firstName'], text: 'Ann', whole: true }), ['a']);
        assert.deepEqual(await ids({ fields: ['number'], text: '+15550000003', whole: true }), [
          'c',
        ]);
        assert.deepEqual(await ids({ fields: ['id'], text: 'b', whole: true }), ['b']);
        assert.deepEqual(
          (await s.searchUsers([], 2)).map((u) => u.id),
          ['a', 'b'],
          'ordered by username (then id), at most the limit',
        );
      });
    });

    it('spends a refresh token once; then reports reuse, revocation and expiry; prunes', async () => {
      await withUsers(async (s) => {
        await s.createRefreshFamily({ id: 'f', userId: 'a', createdAt: 0 });
        assert.deepEqual(await s.getRefreshFamily('f'), {
          id: 'f',
          userId: 'a',
          createdAt: 0,
          revokedAt: null,
          revokedReason: null,
        });
        const token = (id: string, expiresAt = 1000, parentId: string | null = null) => ({
          id,
          tokenHash: `h-${id}`,
          familyId: 'f',
          parentId,
          userId: 'a',
          createdAt: 0,
          expiresAt,
        });
        await s.createRefreshToken(token('t1'));
        await s.createRefreshToken(token('t2', 10));
        await s.createRefreshToken(token('t3', 1000, 't1'));
        assert.deepEqual(await s.findRefreshToken('h-t3'), {
          ...token('t3', 1000, 't1'),
          usedAt: null,
          revoked: false,
        });
        const spent = await s.consumeRefreshToken('h-t1', 5);
        assert.equal(spent.status, 'ok');
        assert.equal('token' in spent && spent.token.usedAt, 5);
        assert.equal((await s.findRefreshToken('h-t1'))?.usedAt, 5);
        const again = await s.consumeRefreshToken('h-t1', 6);
        assert.equal(again.status, 'reused');
        assert.equal('token' in again && again.token.id, 't1');
        assert.equal((await s.consumeRefreshToken('h-t2', 10)).status, 'expired');
        assert.equal((await s.consumeRefreshToken('nope', 5)).status, 'unknown');
        assert.equal(await s.revokeRefreshFamily('f', 'test', 7), true);
        assert.equal(await s.revokeRefreshFamily('f', 'test', 8), false, 'only once');
        assert.equal(await s.revokeRefreshFamily('nope', 'test', 8), false);
        assert.equal((await s.findRefreshToken('h-t3'))?.revoked, true);
        assert.equal((await s.consumeRefreshToken('h-t3', 9)).status, 'revoked');
        const family = await s.getRefreshFamily('f');
        assert.deepEqual([family?.revokedAt, family?.revokedReason], [7, 'test']);
        await s.createRefreshFamily({ id: 'g', userId: 'a', createdAt: 0 });
        await s.createRefreshToken({ ...token('t4', 5000), familyId: 'g' });
        assert.equal(await s.pruneRefreshTokens(2000), 3);
        assert.equal(await s.getRefreshFamily('f'), undefined, 'an empty family goes too');
        assert.equal((await s.getRefreshFamily('g'))?.id, 'g', 'a family with a live token stays');
        assert.equal((await s.findRefreshToken('h-t4'))?.id, 't4');
      });
    });

    it('keeps call records: newest first, paged, counted, deleted; all of a call or none', async () => {
      await withUsers(async (s) => {
        await s.insertCallRecords([
          record('r1', 'a', 100, { callId: 'x' }),
          record('r2', 'b', 100, {
            callId: 'x',
            direction: 'incoming',
            media: { audio: true, video: true },
            answerTime: null,
            endTime: null,
            duration: 0,
            result: 'missed',
            statusCode: 480,
            reasonText: 'Temporarily Unavailable',
          }),
        ]);
        await s.insertCallRecords([record('r3', 'a', 300), record('r4', 'a', 200)]);
        await s.insertCallRecords([record('r5', 'a', 300)]);
        const all = await s.listCallRecords('a', { limit: 10, offset: 0 });
        assert.equal(all.total, 4);
        assert.deepEqual(
          all.records.map((r) => r.id),
          ['r5', 'r3', 'r4', 'r1'],
          'newest first; of one start time, the later stored first',
        );
        assert.deepEqual(all.records.at(-1), record('r1', 'a', 100, { callId: 'x' }));
        const bob = await s.listCallRecords('b', { limit: 10, offset: 0 });
        assert.deepEqual(bob.records[0]?.media, { audio: true, video: true });
        assert.deepEqual(
          [bob.records[0]?.answerTime, bob.records[0]?.result, bob.records[0]?.statusCode],
          [null, 'missed', 480],
        );
        const page = await s.listCallRecords('a', { limit: 2, offset: 1 });
        assert.deepEqual([page.records.map((r) => r.id), page.total], [['r3', 'r4'], 4]);
        assert.deepEqual(await s.listCallRecords('a', { limit: 2, offset: 10 }), {
          records: [],
          total: 4,
        });
        await assert.rejects(
          s.insertCallRecords([record('r6', 'a', 400), record('r1', 'b', 400)]),
          'a record id taken',
        );
        assert.equal(await s.hasCallRecord('call-r6'), false, 'none of that call was stored');
        assert.equal(await s.hasCallRecord('x'), true);
        assert.equal(await s.deleteCallRecord('b', 'r1'), false, "not b's record");
        assert.equal(await s.deleteCallRecord('a', 'r1'), true);
        assert.equal(await s.hasCallRecord('x'), true, "b's record of the call is still there");
        assert.equal(await s.deleteCallRecords('a'), 3);
        assert.equal(await s.deleteCallRecords('a'), 0);
        assert.equal((await s.listCallRecords('a', { limit: 10, offset: 0 })).total, 0);
      });
    });

    it('keeps voicemails per recipient: newest first, audio apart, heard once, deleted; a full mailbox refuses', async () => {
      await withUsers(async (s) => {
        const bytes = (n: number, seed: number) =>
          Uint8Array.from({ length: n }, (_, i) => (i + seed) & 0xff);
        const vm = (id: string, to: string, from: string, at: number, audio: Uint8Array) => ({
          id,
          recipientId: to,
          senderId: from,
          from: { id: from === 'a' ? 'ann' : 'bob', displayName: `Sender ${from}` },
          callId: id === 'v1' ? 'call-1' : null,
          contentType: 'audio/webm',
          durationMs: 1500,
          createdAt: at,
          audio,
        });
        assert.equal(await s.insertVoicemail(vm('v1', 'b', 'a', 100, bytes(300, 1)), 2), true);
        assert.equal(await s.insertVoicemail(vm('v2', 'b', 'c', 200, bytes(5, 7)), 2), true);
        assert.equal(
          await s.insertVoicemail(vm('v3', 'b', 'a', 300, bytes(5, 9)), 2),
          false,
          'the mailbox holds 2',
        );
        assert.equal(await s.insertVoicemail(vm('v4', 'a', 'b', 300, bytes(5, 9)), 2), true);
        const listed = await s.listVoicemails('b');
        assert.deepEqual(
          listed.map((v) => v.id),
          ['v2', 'v1'],
          'newest first; the refused one was not stored',
        );
        assert.deepEqual(listed[1], {
          id: 'v1',
          recipientId: 'b',
          senderId: 'a',
          from: { id: 'ann', displayName: 'Sender a' },
          callId: 'call-1',
          contentType: 'audio/webm',
          size: 300,
          durationMs: 1500,
          createdAt: 100,
          heardAt: null,
        });
        assert.equal('audio' in listed[1]!, false, 'the list carries no audio');
        const found = await s.getVoicemailAudio('b', 'v1');
        assert.deepEqual(new Uint8Array(found!.audio), bytes(300, 1));
        assert.equal(found!.voicemail.size, 300);
        assert.equal(await s.getVoicemailAudio('a', 'v1'), undefined, "not a's voicemail");
        assert.equal(await s.markVoicemailHeard('a', 'v1', 500), undefined, "not a's voicemail");
        assert.equal((await s.markVoicemailHeard('b', 'v1', 500))?.heardAt, 500);
        assert.equal((await s.markVoicemailHeard('b', 'v1', 900))?.heardAt, 500, 'the first time');
        assert.equal(await s.markVoicemailHeard('b', 'nope', 900), undefined);
        assert.equal(await s.deleteVoicemail('a', 'v1'), false, "not a's voicemail");
        assert.equal(await s.deleteVoicemail('b', 'v1'), true);
        assert.equal(await s.deleteVoicemail('b', 'v1'), false);
        assert.equal(await s.getVoicemailAudio('b', 'v1'), undefined);
        assert.equal(
          await s.insertVoicemail(vm('v3', 'b', 'a', 300, bytes(5, 9)), 2),
          true,
          'room again',
        );
        assert.deepEqual(
          (await s.listVoicemails('b')).map((v) => v.id),
          ['v3', 'v2'],
        );
        assert.deepEqual(
          (await s.listVoicemails('a')).map((v) => v.id),
          ['v4'],
        );
        assert.deepEqual(await s.listVoicemails('c'), []);
        // Many at once into one mailbox never overfill it.
        const results = await Promise.all(
          Array.from({ length: 6 }, (_, i) =>
            s.insertVoicemail(vm(`w${i}`, 'c', 'a', 1000 + i, bytes(3, i)), 4),
          ),
        );
        assert.equal(results.filter(Boolean).length, 4);
        assert.equal((await s.listVoicemails('c')).length, 4);
      });
    });

    it('opens one direct conversation per pair and type, from either side, also at once', async () => {
      await withUsers(async (s) => {
        const [one, two, three] = await Promise.all([
          s.openDirectConversation({ id: 'c1', type: 'im', userIds: ['a', 'b'], now: 1 }),
          s.openDirectConversation({ id: 'c2', type: 'im', userIds: ['b', 'a'], now: 2 }),
          s.openDirectConversation({ id: 'c3', type: 'sms', userIds: ['a', 'b'], now: 3 }),
        ]);
        assert.deepEqual(
          [one.created, two.created, three.created].filter(Boolean).length,
          2,
          'one of the im opens created it',
        );
        assert.equal(one.conversation.id, two.conversation.id);
        assert.equal(three.conversation.id, 'c3', 'sms is its own conversation');
        const imId = one.conversation.id;
        assert.deepEqual(
          { ...one.conversation, id: 'x', createdAt: 0 },
          { id: 'x', type: 'im', name: null, lastSeq: 0, createdAt: 0 },
        );
        assert.deepEqual(
          (await s.listMembers(imId)).map((m) => [m.userId, m.username, m.displayName]),
          [
            ['a', 'ann', 'Ann Lee'],
            ['b', 'bob', 'b'],
          ],
        );
        const self = await s.openDirectConversation({
          id: 'me',
          type: 'im',
          userIds: ['a', 'a'],
          now: 4,
        });
        assert.equal(self.created, true);
        assert.deepEqual(
          (await s.listMembers('me')).map((m) => m.userId),
          ['a'],
          'a conversation with oneself has one member',
        );
      });
    });

    it('creates group conversations; unknown ones are undefined or empty', async () => {
      await withUsers(async (s) => {
        const group = await s.createConversation({
          id: 'g',
          type: 'chat',
          name: 'Team',
          memberIds: ['a', 'b', 'c', 'a'],
          now: 10,
        });
        assert.deepEqual(group, { id: 'g', type: 'chat', name: 'Team', lastSeq: 0, createdAt: 10 });
        assert.deepEqual(await s.getConversation('g'), group);
        const members = await s.listMembers('g');
        assert.deepEqual(
          members.map((m) => [m.userId, m.deliveredSeq, m.readSeq, m.joinedAt]),
          [
            ['a', 0, 0, 10],
            ['b', 0, 0, 10],
            ['c', 0, 0, 10],
          ],
        );
        assert.equal(await s.getConversation('nope'), undefined);
        assert.deepEqual(await s.listMembers('nope'), []);
        assert.equal(await s.summarizeConversation('nope', 'a'), undefined);
      });
    });

    it('appends once per sender and client id, numbering without gaps', async () => {
      await withUsers(async (s) => {
        await s.openDirectConversation({ id: 'c', type: 'im', userIds: ['a', 'b'], now: 1 });
        const results = await Promise.all([
          s.appendMessage(message('m1', 'a', 'k')),
          s.appendMessage(message('m2', 'a', 'k')),
          s.appendMessage(message('m3', 'a', 'k')),
          s.appendMessage(message('m4', 'b', 'k')),
        ]);
        assert.deepEqual(
          results.map((r) => [r.status, r.message.id, r.message.seq]),
          [
            ['stored', 'm1', 1],
            ['duplicate', 'm1', 1],
            ['duplicate', 'm1', 1],
            ['stored', 'm4', 2],
          ],
          "another sender's client id is another message",
        );
        assert.deepEqual(results[0]!.message, { ...message('m1', 'a', 'k'), seq: 1 });
        // Sent again later, in another conversation: still the stored one.
        await s.createConversation({ id: 'g', type: 'chat', name: null, memberIds: ['a'], now: 1 });
        const later = await s.appendMessage(message('m9', 'a', 'k', 'g'));
        assert.deepEqual(
          [later.status, later.message.id, later.message.conversationId],
          ['duplicate', 'm1', 'c'],
        );
        await assert.rejects(s.appendMessage(message('m5', 'a', 'z', 'nope')));
        assert.equal((await s.getConversation('c'))?.lastSeq, 2, 'a failed append takes no seq');
        // One failing append in a group commit leaves the others of its batch stored, in order.
        const mixed = await Promise.allSettled([
          s.appendMessage(message('m6', 'a', 'k6')),
          s.appendMessage(message('m7', 'a', 'k7', 'nope')),
          s.appendMessage(message('m8', 'b', 'k8')),
        ]);
        assert.deepEqual(
          mixed.map((r) =>
            r.status === 'fulfilled' ? [r.value.message.id, r.value.message.seq] : 'rejected',
          ),
          [['m6', 3], 'rejected', ['m8', 4]],
        );
        assert.equal((await s.getConversation('g'))?.lastSeq, 0);
      });
    });

    it('numbers many concurrent appends in the order they were made', async () => {
      await withUsers(async (s) => {
        await s.openDirectConversation({ id: 'c', type: 'im', userIds: ['a', 'b'], now: 1 });
        await s.openDirectConversation({ id: 'd', type: 'sms', userIds: ['a', 'b'], now: 1 });
        const first = await Promise.all(
          Array.from({ length: 50 }, (_, i) =>
            s.appendMessage(message(`m${i}`, i % 2 ? 'a' : 'b', `k${i}`, i % 5 ? 'c' : 'd')),
          ),
        );
        // And more while the first are committing.
        const second = await Promise.all(
          Array.from({ length: 30 }, (_, i) =>
            s.appendMessage(message(`n${i}`, 'a', `n${i}`, 'c')),
          ),
        );
        const inC = [...first, ...second].filter((r) => r.message.conversationId === 'c');
        assert.deepEqual(
          inC.map((r) => r.message.seq),
          inC.map((_, i) => i + 1),
        );
        const history = await s.messagesAfter('c', 0, 1000);
        assert.deepEqual(
          history.messages.map((m) => m.id),
          inC.map((r) => r.message.id),
        );
        assert.equal((await s.getConversation('d'))?.lastSeq, 10);
      });
    });

    it('pages history after and before a seq, ascending, saying whether more lie beyond', async () => {
      await withUsers(async (s) => {
        await s.openDirectConversation({ id: 'c', type: 'im', userIds: ['a', 'b'], now: 1 });
        for (let i = 1; i <= 7; i++) await s.appendMessage(message(`m${i}`, 'a', `k${i}`));
        const seqs = (page: { messages: { seq: number }[]; hasMore: boolean }) => [
          page.messages.map((m) => m.seq),
          page.hasMore,
        ];
        assert.deepEqual(seqs(await s.messagesAfter('c', 0, 3)), [[1, 2, 3], true]);
        assert.deepEqual(seqs(await s.messagesAfter('c', 4, 3)), [[5, 6, 7], false]);
        assert.deepEqual(seqs(await s.messagesAfter('c', 7, 3)), [[], false]);
        assert.deepEqual(seqs(await s.messagesBefore('c', 8, 3)), [[5, 6, 7], true]);
        assert.deepEqual(seqs(await s.messagesBefore('c', 4, 3)), [[1, 2, 3], false]);
        assert.deepEqual(seqs(await s.messagesBefore('c', 1, 3)), [[], false]);
        assert.deepEqual(
          seqs(await s.messagesBefore('c', Number.MAX_SAFE_INTEGER, 2)),
          [[6, 7], true],
          'any safe integer is a seq to page from (a client asks for the newest so)',
        );
        assert.deepEqual(seqs(await s.messagesAfter('c', Number.MAX_SAFE_INTEGER, 2)), [[], false]);
        assert.deepEqual(seqs(await s.messagesAfter('nope', 0, 3)), [[], false]);
        const [m] = (await s.messagesAfter('c', 1, 1)).messages;
        assert.deepEqual(m, { ...message('m2', 'a', 'k2'), seq: 2 });
      });
    });

    it('summarises conversations as each member sees them, the most recently active first', async () => {
      await withUsers(async (s) => {
        await s.openDirectConversation({ id: 'old', type: 'im', userIds: ['a', 'b'], now: 1 });
        await s.createConversation({
          id: 'g',
          type: 'chat',
          name: 'G',
          memberIds: ['a', 'b', 'c'],
          now: 50,
        });
        await s.openDirectConversation({ id: 'quiet', type: 'sms', userIds: ['a', 'c'], now: 20 });
        await s.appendMessage(message('m1', 'a', 'k1', 'old', 100));
        await s.appendMessage(message('m2', 'b', 'k2', 'old', 101));
        await s.appendMessage(message('m3', 'b', 'k3', 'old', 102));
        await s.appendMessage(message('m4', 'c', 'k4', 'g', 60));
        const list = await s.listConversations('a');
        assert.deepEqual(
          list.map((x) => [x.conversation.id, x.conversation.lastSeq, x.unread, x.lastMessage?.id]),
          [
            ['old', 3, 2, 'm3'],
            ['g', 1, 1, 'm4'],
            ['quiet', 0, 0, undefined],
          ],
        );
        assert.deepEqual(
          list[1]!.members.map((m) => m.userId),
          ['a', 'b', 'c'],
        );
        assert.deepEqual(list[0]!.lastMessage, { ...message('m3', 'b', 'k3', 'old', 102), seq: 3 });
        assert.deepEqual(
          (await s.listConversations('b')).map((x) => [x.conversation.id, x.unread]),
          [
            ['old', 1],
            ['g', 1],
          ],
        );
        assert.deepEqual(await s.listConversations('zz'), []);
        await s.advanceWatermark('old', 'a', 'read', 2);
        const seen = await s.summarizeConversation('old', 'a');
        assert.equal(seen?.unread, 1, 'm3 only');
        assert.equal(seen?.members.find((m) => m.userId === 'a')?.readSeq, 2);
        assert.equal(await s.summarizeConversation('old', 'c'), undefined, 'not a member');
      });
    });

    it('moves watermarks forward only, up to the last seq; read implies delivered', async () => {
      await withUsers(async (s) => {
        await s.openDirectConversation({ id: 'c', type: 'im', userIds: ['a', 'b'], now: 1 });
        for (const k of ['1', '2', '3']) await s.appendMessage(message(k, 'a', k));
        const mark = async (kind: 'delivered' | 'read', seq: number) => {
          const r = await s.advanceWatermark('c', 'b', kind, seq);
          return [r?.member.deliveredSeq, r?.member.readSeq, r?.changed];
        };
        assert.deepEqual(await mark('delivered', 2), [2, 0, true]);
        assert.deepEqual(await mark('delivered', 1), [2, 0, false]);
        assert.deepEqual(await mark('read', 1), [2, 1, true]);
        assert.deepEqual(await mark('read', Number.MAX_SAFE_INTEGER), [3, 3, true]);
        assert.deepEqual(await mark('read', 2), [3, 3, false]);
        const r = await s.advanceWatermark('c', 'b', 'read', 3);
        assert.deepEqual(
          [r?.member.userId, r?.member.username, r?.member.conversationId],
          ['b', 'bob', 'c'],
        );
        assert.equal(await s.advanceWatermark('c', 'c', 'read', 1), undefined, 'not a member');
        assert.equal(await s.advanceWatermark('nope', 'a', 'read', 1), undefined);
        assert.deepEqual(
          (await s.listMembers('c')).map((m) => [m.userId, m.deliveredSeq, m.readSeq]),
          [
            ['a', 0, 0],
            ['b', 3, 3],
          ],
        );
      });
    });

    it('stores presence, replacing what was there', async () => {
      await withUsers(async (s) => {
        assert.deepEqual(await s.getPresence(['a']), []);
        assert.deepEqual(await s.getPresence([]), []);
        const p = { userId: 'a', status: 'open', activity: 'busy', note: 'n', updatedAt: 5 };
        await s.savePresence(p);
        await s.savePresence({
          userId: 'b',
          status: 'closed',
          activity: '',
          note: '',
          updatedAt: 6,
        });
        await s.savePresence({ ...p, note: 'later', updatedAt: 7 });
        const got = await s.getPresence(['a', 'b', 'c']);
        assert.deepEqual(
          got.sort((x, y) => x.userId.localeCompare(y.userId)),
          [
            { ...p, note: 'later', updatedAt: 7 },
            { userId: 'b', status: 'closed', activity: '', note: '', updatedAt: 6 },
          ],
        );
      });
    });

    it('keeps address books: unique contactId and primaryContact (case-insensitively) per owner', async () => {
      await withUsers(async (s) => {
        assert.equal(await s.addContact(contact('a', 'x', 'BOB', 2)), 'ok');
        assert.equal(await s.addContact(contact('a', 'x', 'someone')), 'exists', 'same contactId');
        assert.equal(await s.addContact(contact('a', 'y', 'bob')), 'exists', 'same person');
        assert.equal(await s.addContact(contact('a', 'z', '+15550000003', 1)), 'ok');
        assert.equal(await s.addContact(contact('b', 'x', 'ann')), 'ok', "another owner's book");
        assert.deepEqual(
          (await s.listContacts('a')).map((c) => c.contactId),
          ['z', 'x'],
          'oldest first',
        );
        assert.deepEqual((await s.listContacts('a'))[1], contact('a', 'x', 'BOB', 2));
        assert.equal(await s.countContacts('a'), 2);
        assert.equal(await s.countContacts('c'), 0);
        assert.equal(
          await s.updateContact({
            ownerId: 'a',
            contactId: 'x',
            primaryContact: 'bob@x.example',
            fields: { firstName: 'Bobby', tags: ['w'] },
            updatedAt: 9,
          }),
          'ok',
        );
        assert.deepEqual(
          (await s.listContacts('a')).find((c) => c.contactId === 'x'),
          {
            ownerId: 'a',
            contactId: 'x',
            primaryContact: 'bob@x.example',
            fields: { firstName: 'Bobby', tags: ['w'] },
            createdAt: 2,
            updatedAt: 9,
          },
          'createdAt kept',
        );
        assert.equal(
          await s.updateContact({ ...contact('a', 'x', '+15550000003'), updatedAt: 10 }),
          'exists',
          "another contact's primaryContact",
        );
        assert.equal(
          await s.updateContact({ ...contact('a', 'nope', 'someone'), updatedAt: 10 }),
          'notFound',
        );
        assert.equal(await s.removeContact('a', 'z'), true);
        assert.equal(await s.removeContact('a', 'z'), false);
        assert.equal(await s.countContacts('a'), 1);
      });
    });

    it('finds mutual contacts by username, id, email or number, case-insensitively', async () => {
      await withUsers(async (s) => {
        assert.equal(await s.addContact(contact('a', 'x', 'BOB')), 'ok');
        assert.equal(await s.addContact(contact('a', 'z', '+15550000003')), 'ok');
        assert.deepEqual(await s.mutualContacts('a', ['b', 'c']), [], 'one way is not enough');
        await s.addContact(contact('b', 'x', 'A'));
        assert.deepEqual(await s.mutualContacts('a', ['b', 'c']), ['b']);
        assert.deepEqual(await s.mutualContacts('b', ['a']), ['a']);
        assert.deepEqual(await s.mutualContacts('a', []), []);
        await s.addContact(contact('c', 'y', 'ann'));
        assert.deepEqual((await s.mutualContacts('a', ['b', 'c', 'zz'])).sort(), ['b', 'c']);
        await s.updateContact({ ...contact('b', 'x', 'bob@x.example'), updatedAt: 2 });
        assert.deepEqual(await s.mutualContacts('b', ['a']), [], 'b no longer has a');
        assert.equal(await s.removeContact('a', 'z'), true);
        assert.deepEqual(await s.mutualContacts('c', ['a']), []);
      });
    });
  });
}

describe('PostgreSQL shared by two nodes', () => {
  /** Two storages on one fresh database: two pools, as two gateway nodes have. */
  async function twoNodes(test: (one: Storage, two: Storage) => Promise<void>) {
    const url = await server.createDatabase();
    const one = await openPostgres({ url });
    const two = await openPostgres({ url });
    try {
      await one.createUser(user('a', { username: 'ann' }));
      await one.createUser(user('b', { username: 'bob' }));
      await test(one, two);
    } finally {
      await Promise.all([one.close(), two.close()]);
    }
  }

  it('numbers appends from both nodes to one conversation without gaps, each node in its order', async () => {
    await twoNodes(async (one, two) => {
      await one.openDirectConversation({ id: 'c', type: 'im', userIds: ['a', 'b'], now: 1 });
      await one.openDirectConversation({ id: 'd', type: 'sms', userIds: ['a', 'b'], now: 1 });
      // Rounds of appends on both nodes at once, to both conversations (in either order: their
      // batches lock the same two rows).
      const results: { node: number; r: AppendResult }[] = [];
      for (let round = 0; round < 8; round++) {
        results.push(
          ...(await Promise.all(
            Array.from({ length: 40 }, (_, i) => {
              const node = i % 2 ? one : two;
              const conversation = (i + round) % 3 ? 'c' : 'd';
              const id = `m${round}-${i}`;
              return node
                .appendMessage(message(id, i % 2 ? 'a' : 'b', id, conversation))
                .then((r) => ({ node: i % 2, r }));
            }),
          )),
        );
      }
      assert.ok(results.every(({ r }) => r.status === 'stored'));
      for (const id of ['c', 'd']) {
        const inIt = results.filter(({ r }) => r.message.conversationId === id);
        const seqs = inIt.map(({ r }) => r.message.seq).sort((x, y) => x - y);
        assert.deepEqual(
          seqs,
          seqs.map((_, i) => i + 1),
          `${id}: 1…n, none twice, none missing`,
        );
        const stored = (await two.messagesAfter(id, 0, 1000)).messages;
        assert.deepEqual(
          stored.map((m) => m.seq),
          seqs,
        );
        for (const node of [0, 1]) {
          const mine = inIt.filter((x) => x.node === node).map(({ r }) => r.message.seq);
          assert.deepEqual(
            mine,
            [...mine].sort((x, y) => x - y),
            `node ${node} keeps its order`,
          );
        }
      }
      assert.equal(
        (await one.getConversation('c'))?.lastSeq,
        (await two.getConversation('c'))?.lastSeq,
      );
    });
  });

  it('stores a message sent to both nodes at once (one clientId) once', async () => {
    await twoNodes(async (one, two) => {
      await one.openDirectConversation({ id: 'c', type: 'im', userIds: ['a', 'b'], now: 1 });
      for (let i = 0; i < 10; i++) {
        const [x, y] = await Promise.all([
          one.appendMessage(message(`x${i}`, 'a', `k${i}`)),
          two.appendMessage(message(`y${i}`, 'a', `k${i}`)),
        ]);
        assert.deepEqual([x.status, y.status].sort(), ['duplicate', 'stored']);
        assert.equal(x.message.id, y.message.id);
        assert.equal(x.message.seq, i + 1);
      }
    });
  });

  it('never overfills a mailbox when both nodes store voicemails into it at once', async () => {
    await twoNodes(async (one, two) => {
      const results = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          (i % 2 ? one : two).insertVoicemail(
            {
              id: `v${i}`,
              recipientId: 'b',
              senderId: 'a',
              from: { id: 'ann', displayName: 'Ann' },
              callId: null,
              contentType: 'audio/ogg',
              durationMs: 1000,
              createdAt: i,
              audio: Uint8Array.of(1, 2, 3),
            },
            3,
          ),
        ),
      );
      assert.equal(results.filter(Boolean).length, 3);
      assert.equal((await two.listVoicemails('b')).length, 3);
    });
  });

  it('spends a refresh token on one node only when both spend it at once', async () => {
    await twoNodes(async (one, two) => {
      await one.createRefreshFamily({ id: 'f', userId: 'a', createdAt: 0 });
      for (let i = 0; i < 20; i++) {
        await one.createRefreshToken({
          id: `t${i}`,
          tokenHash: `h${i}`,
          familyId: 'f',
          parentId: null,
          userId: 'a',
          createdAt: 0,
          expiresAt: 1000,
        });
        const results = await Promise.all([
          one.consumeRefreshToken(`h${i}`, 5),
          two.consumeRefreshToken(`h${i}`, 5),
        ]);
        assert.deepEqual(
          results.map((r) => r.status).sort(),
          ['ok', 'reused'],
          `token ${i}: one spend, one reuse`,
        );
      }
    });
  });

  it('agrees on one direct conversation and one setting when both nodes ask at once', async () => {
    await twoNodes(async (one, two) => {
      const [x, y] = await Promise.all([
        one.openDirectConversation({ id: 'c1', type: 'im', userIds: ['a', 'b'], now: 1 }),
        two.openDirectConversation({ id: 'c2', type: 'im', userIds: ['b', 'a'], now: 1 }),
      ]);
      assert.equal(x.conversation.id, y.conversation.id);
      assert.deepEqual([x.created, y.created].sort(), [false, true]);
      const [s1, s2] = await Promise.all([
        one.setSettingIfAbsent('secret', 'one'),
        two.setSettingIfAbsent('secret', 'two'),
      ]);
      assert.equal(s1, s2);
    });
  });
});

describe('PostgresStorage.open', () => {
  it('migrates a database once when several nodes start at once', async () => {
    const url = await server.createDatabase();
    const applied: number[] = [];
    const nodes = await Promise.all(
      Array.from({ length: 3 }, () =>
        openPostgres({ url, onMigrate: (m) => applied.push(m.version) }),
      ),
    );
    assert.deepEqual(
      applied,
      migrations.map((m) => m.version),
    );
    await Promise.all(nodes.map((n) => n.ping()));
    await Promise.all(nodes.map((n) => n.close()));
    const again: number[] = [];
    const reopened = await openPostgres({ url, onMigrate: (m) => again.push(m.version) });
    assert.deepEqual(again, [], 'nothing left to apply');
    await reopened.close();
  });

  it('refuses a database that had a migration this gateway does not know', async () => {
    const url = await server.createDatabase();
    (await openPostgres({ url })).close();
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query(
      "INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, 'future', 0)",
    );
    await client.end();
    await assert.rejects(
      openPostgres({ url }),
      /schema migration 999, which this gateway does not know/,
    );
  });

  it('rejects with DatabaseUnavailableError, naming the URL without its password', async () => {
    const port = await freePort();
    const url = `postgres://comms:s3cret@127.0.0.1:${port}/comms`;
    await assert.rejects(openPostgres({ url }), (e: unknown) => {
      assert.ok(e instanceof DatabaseUnavailableError);
      assert.equal(e.code, 'server:databaseUnavailable');
      assert.ok(e.message.includes(`postgres://comms:***@127.0.0.1:${port}/comms`), e.message);
      assert.ok(!e.message.includes('s3cret'));
      assert.match(e.message, /ECONNREFUSED/);
      return true;
    });
  });
});
