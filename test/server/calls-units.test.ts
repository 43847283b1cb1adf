/**
 * The call layers on their own: call records in the SQLite storage, destinations, and TURN
 * credentials. The call stores have their own suite (`call-store.test.ts`).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { SqliteStorage } from '../../server/storage/sqlite/index.js';
import type { CallRecordEntry, NewUser } from '../../server/storage/types.js';
import { destinationLookup } from '../../server/calls/service.js';
import { readHistoryQuery, turnCredentials } from '../../server/calls/routes.js';
import { userRecord } from '../helpers/records.js';

const user = (id: string): NewUser => userRecord(id, { username: id });

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
