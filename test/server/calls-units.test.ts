/**
 * The call layers on their own: call records in the SQLite storage, the in-process call store
 * (atomic changes, per-user index, mailboxes), destinations, and TURN credentials.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { SqliteStorage } from '../../server/storage/sqlite/index.js';
import type { CallRecordEntry, NewUser } from '../../server/storage/types.js';
import { MemoryCallStore, deviceKey, type ActiveCall } from '../../server/calls/store.js';
import { destinationLookup } from '../../server/calls/service.js';
import { readHistoryQuery, turnCredentials } from '../../server/calls/routes.js';

const user = (id: string): NewUser => ({
  id,
  username: id,
  email: null,
  number: null,
  displayName: id,
  passwordHash: null,
  createdAt: 1,
});

const record = (
  id: string,
  userId: string,
  startTime: number,
  extra: Partial<CallRecordEntry> = {},
): CallRecordEntry => ({
  id,
  userId,
  callId: `call-${id}`,
  direction: 'outgoing',
  remoteParticipant: { id: 'other', displayName: 'Other' },
  media: { audio: true, video: false },
  startTime,
  answerTime: null,
  endTime: startTime + 1000,
  duration: 0,
  result: 'noAnswer',
  statusCode: 408,
  reasonText: 'No answer',
  ...extra,
});

describe('call records in SqliteStorage', () => {
  it('stores, pages newest first, counts and deletes per user', async () => {
    const s = SqliteStorage.open({ file: ':memory:' });
    await s.createUser(user('ann'));
    await s.createUser(user('bob'));
    await s.insertCallRecords([
      record('r1', 'ann', 100),
      record('r2', 'ann', 300, {
        direction: 'incoming',
        answerTime: 310,
        duration: 5,
        result: 'answered',
        media: { audio: true, video: true },
      }),
      record('r3', 'ann', 200),
      record('r4', 'bob', 300),
    ]);
    const page = await s.listCallRecords('ann', { limit: 2, offset: 0 });
    assert.equal(page.total, 3);
    assert.deepEqual(
      page.records.map((r) => r.id),
      ['r2', 'r3'],
    );
    assert.deepEqual(page.records[0], {
      ...record('r2', 'ann', 300),
      direction: 'incoming',
      answerTime: 310,
      duration: 5,
      result: 'answered',
      media: { audio: true, video: true },
    });
    assert.deepEqual(
      (await s.listCallRecords('ann', { limit: 2, offset: 2 })).records.map((r) => r.id),
      ['r1'],
    );
    assert.equal(await s.hasCallRecord('call-r4'), true);
    assert.equal(await s.hasCallRecord('call-none'), false);

    assert.equal(await s.deleteCallRecord('ann', 'r4'), false, 'not ann’s');
    assert.equal(await s.deleteCallRecord('ann', 'r1'), true);
    assert.equal(await s.deleteCallRecord('ann', 'r1'), false, 'gone');
    assert.equal(await s.deleteCallRecords('ann'), 2);
    assert.equal((await s.listCallRecords('ann', { limit: 10, offset: 0 })).total, 0);
    assert.equal((await s.listCallRecords('bob', { limit: 10, offset: 0 })).total, 1);
    await s.close();
  });

  it('writes a call’s records all or none, and refuses an unknown result', async () => {
    const s = SqliteStorage.open({ file: ':memory:' });
    await s.createUser(user('ann'));
    await assert.rejects(
      s.insertCallRecords([
        record('ok', 'ann', 1),
        record('bad', 'ann', 2, { result: 'exploded' as CallRecordEntry['result'] }),
      ]),
      /CHECK constraint/,
    );
    assert.equal((await s.listCallRecords('ann', { limit: 10, offset: 0 })).total, 0);
    await s.close();
  });
});

const activeCall = (id: string, caller = 'ann', callee = 'bob'): ActiveCall => ({
  id,
  caller: {
    userId: caller,
    id: caller,
    displayName: caller,
    device: { userId: caller, connId: 'c1', correlator: 'k1' },
  },
  callee: { userId: callee, id: callee, displayName: callee },
  devices: [{ userId: callee, connId: 'c2', correlator: 'k2', state: 'ringing' }],
  media: { audio: true, video: false },
  startTime: 1,
  answerTime: null,
});

describe('MemoryCallStore', () => {
  it('inserts once, hands out copies, and indexes calls by user', async () => {
    const store = new MemoryCallStore();
    assert.equal(await store.insert(activeCall('x')), true);
    assert.equal(await store.insert(activeCall('x')), false);
    const copy = (await store.get('x'))!;
    copy.answerTime = 5;
    assert.equal((await store.get('x'))!.answerTime, null, 'a copy, not the stored call');
    assert.deepEqual(
      (await store.ofUser('bob')).map((c) => c.id),
      ['x'],
    );
    assert.deepEqual(await store.ofUser('eve'), []);
  });

  it('changes a call atomically: of two racing decisions, the second sees the first', async () => {
    const store = new MemoryCallStore();
    await store.insert(activeCall('x'));
    const answer = (call: ActiveCall) =>
      call.answerTime === null
        ? { next: { ...call, answerTime: 10 }, result: 'won' }
        : { next: call, result: 'lost' };
    const results = await Promise.all([store.change('x', answer), store.change('x', answer)]);
    assert.deepEqual(results, ['won', 'lost']);
    assert.equal(await store.change('y', answer), undefined, 'no such call');
    assert.equal(await store.change('x', (c) => ({ next: null, result: c.id })), 'x');
    assert.equal(await store.get('x'), undefined);
    assert.deepEqual(await store.ofUser('ann'), [], 'the index forgets it');
    assert.deepEqual(store.size, { calls: 0, mailboxes: 0 });
  });

  it('keeps events for an away device until they expire, and hands them out once', async () => {
    const store = new MemoryCallStore();
    const key = deviceKey('bob', 'k2');
    await store.enqueue(key, { event: 'call:offer', payload: { n: 1 } }, 1000);
    await store.enqueue(key, { event: 'call:ended', payload: { n: 2 } }, 3000);
    await store.enqueue(deviceKey('eve', 'k'), { event: 'call:ended', payload: {} }, 500);
    assert.deepEqual(await store.dequeue(key, 2000), [{ event: 'call:ended', payload: { n: 2 } }]);
    assert.deepEqual(await store.dequeue(key, 2000), []);
    assert.equal(store.size.mailboxes, 0, 'expired mailboxes are dropped');
  });
});

describe('destinations', () => {
  it('reads usernames, numbers, tel: and sip: URIs', () => {
    assert.deepEqual(destinationLookup('Alice'), [{ username: 'alice' }]);
    assert.deepEqual(destinationLookup('+15551234567'), [{ number: '+15551234567' }]);
    assert.deepEqual(destinationLookup('tel:+15551234567;phone-context=x'), [
      { number: '+15551234567' },
    ]);
    assert.deepEqual(destinationLookup('sip:Bob@pbx.example.com;transport=ws'), [
      { username: 'bob' },
    ]);
    assert.deepEqual(destinationLookup('sip:+15551234567@pbx.example.com'), [
      { number: '+15551234567' },
    ]);
  });
});

describe('call history query', () => {
  it('reads limit and offset with defaults and bounds', () => {
    assert.deepEqual(readHistoryQuery({}), { limit: 50, offset: 0 });
    assert.deepEqual(readHistoryQuery({ limit: '200', offset: '7' }), { limit: 200, offset: 7 });
    assert.throws(() => readHistoryQuery({ limit: '0' }), /limit must be a whole number from 1/);
    assert.throws(() => readHistoryQuery({ offset: ['1', '2'] }), /offset/);
  });
});

describe('turnCredentials', () => {
  it('makes coturn REST-API credentials, and none without a secret', () => {
    const now = Date.UTC(2030, 0, 1);
    const made = turnCredentials({ secret: 's', urls: ['turn:t:3478'], ttl: 60 }, 'u-1', now);
    const username = `${now / 1000 + 60}:u-1`;
    assert.deepEqual(made, {
      iceServers: [
        {
          urls: ['turn:t:3478'],
          username,
          credential: createHmac('sha1', 's').update(username).digest('base64'),
        },
      ],
      ttl: 60,
    });
    assert.deepEqual(turnCredentials(undefined, 'u-1', now).iceServers, []);
  });
});
