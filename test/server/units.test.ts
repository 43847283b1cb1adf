/**
 * Layers on their own: the SQLite storage (migrations, identities, refresh-token spending, group
 * commits; what both storages share is `storage.test.ts`),
 * the origin check, the manual clock, record ids and frames serialised ahead.
 */
import { describe, it } from 'node:test';
import { mkdtempSync, statSync } from 'node:fs';
import { setTimeout as pause } from 'node:timers/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { SqliteStorage, migrate } from '../../server/storage/sqlite/index.js';
import { migrations, type Migration } from '../../server/storage/sqlite/migrations.js';
import { IdentityConflictError } from '../../server/storage/types.js';
import { originCheck, validateOrigins } from '../../server/http/origins.js';
import { ManualClock } from '../../server/clock.js';
import { newRecordId } from '../../server/ids.js';
import { Serialized, eventFrame } from '../../server/ws/connection.js';
import { userRecord } from '../helpers/records.js';

const user = userRecord;

describe('SqliteStorage', () => {
  it('migrates once, to the newest version, and refuses a newer database', () => {
    const db = new Database(':memory:');
    assert.equal(migrate(db, migrations).length, migrations.length);
    assert.equal(migrate(db, migrations).length, 0, 'a second run applies nothing');
    assert.equal(db.pragma('user_version', { simple: true }), migrations.at(-1)!.version);
    db.pragma('user_version = 999');
    assert.throws(() => migrate(db, migrations), /schema version 999, newer than this gateway/);
    db.close();
  });

  it('keeps identities unique, username and email case-insensitively', async () => {
    const s = SqliteStorage.open({ file: ':memory:' });
    await s.createUser(
      user('a', { username: 'ann', email: 'ann@x.example', number: '+15550000001' }),
    );
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
    assert.equal((await s.findUser({ username: 'ann' }))?.id, 'a');
    assert.equal((await s.findUser({ email: 'ANN@x.example' }))?.id, 'a');
    await s.close();
  });

  it('spends a refresh token once; then reports reuse, revocation and expiry', async () => {
    const s = SqliteStorage.open({ file: ':memory:' });
    await s.createUser(user('u', { username: 'u1' }));
    await s.createRefreshFamily({ id: 'f', userId: 'u', createdAt: 0 });
    const token = (id: string, expiresAt = 1000) => ({
      id,
      tokenHash: `h-${id}`,
      familyId: 'f',
      parentId: null,
      userId: 'u',
      createdAt: 0,
      expiresAt,
    });
    await s.createRefreshToken(token('t1'));
    await s.createRefreshToken(token('t2', 10));
    await s.createRefreshToken(token('t3'));
    assert.equal((await s.consumeRefreshToken('h-t1', 5)).status, 'ok');
    assert.equal((await s.consumeRefreshToken('h-t1', 6)).status, 'reused');
    assert.equal((await s.consumeRefreshToken('h-t2', 10)).status, 'expired');
    assert.equal((await s.consumeRefreshToken('nope', 5)).status, 'unknown');
    assert.equal(await s.revokeRefreshFamily('f', 'test', 7), true);
    assert.equal(await s.revokeRefreshFamily('f', 'test', 8), false, 'only once');
    assert.equal((await s.consumeRefreshToken('h-t3', 9)).status, 'revoked');
    assert.equal((await s.getRefreshFamily('f'))?.revokedReason, 'test');
    assert.equal(await s.pruneRefreshTokens(2000), 3);
    assert.equal(await s.getRefreshFamily('f'), undefined, 'an empty family goes too');
    await s.close();
  });

  it('keeps the first value of a setting', async () => {
    const s = SqliteStorage.open({ file: ':memory:' });
    assert.equal(await s.setSettingIfAbsent('k', 'one'), 'one');
    assert.equal(await s.setSettingIfAbsent('k', 'two'), 'one');
    await s.close();
    await assert.rejects(s.ping(), 'closed storage rejects');
  });
});

describe('migrations with a gap', () => {
  const table = (version: number): Migration => ({
    version,
    name: `t${version}`,
    sql: `CREATE TABLE t${version} (x INTEGER)`,
  });
  const tables = (db: Database.Database) =>
    db
      .prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE name LIKE 't_'")
      .all()
      .map((r) => r.name)
      .sort();

  it('applies a lower version that arrives after a higher one (branches merged later)', () => {
    const db = new Database(':memory:');
    assert.deepEqual(
      migrate(db, [table(1), table(3)]).map((m) => m.version),
      [1, 3],
    );
    assert.deepEqual(
      migrate(db, [table(1), table(2), table(3)]).map((m) => m.version),
      [2],
      'version 2 is applied after 3',
    );
    assert.deepEqual(tables(db), ['t1', 't2', 't3']);
    assert.equal(db.pragma('user_version', { simple: true }), 3);
    assert.equal(migrate(db, [table(1), table(2), table(3)]).length, 0);
    db.close();
  });

  it('takes a database from before the migrations table as having every version up to user_version', () => {
    const db = new Database(':memory:');
    db.exec(table(1).sql);
    db.exec(table(2).sql);
    db.pragma('user_version = 2');
    assert.deepEqual(
      migrate(db, [table(1), table(2), table(3)]).map((m) => m.version),
      [3],
    );
    assert.deepEqual(tables(db), ['t1', 't2', 't3']);
    db.close();
  });

  it('refuses a database that had a migration this gateway does not know', () => {
    const db = new Database(':memory:');
    migrate(db, [table(1), table(2), table(3)]);
    assert.throws(() => migrate(db, [table(1), table(3)]), /migration 2, which this gateway/);
    db.close();
  });
});

describe('migration 4 (messages clustered by conversation and seq)', () => {
  it('keeps every message and each conversation’s last seq; numbering and clientIds go on', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'comms-kit-m4-')), 'db.sqlite');
    const db = new Database(file);
    migrate(
      db,
      migrations.filter((m) => m.version <= 3),
    );
    db.exec(`
      INSERT INTO users (id, username, display_name, created_at, updated_at)
        VALUES ('a', 'ann', 'Ann', 1, 1), ('b', 'bob', 'Bob', 1, 1);
      INSERT INTO conversations (id, type, pair_key, last_seq, created_at)
        VALUES ('c', 'im', 'im:a:b', 2, 1), ('e', 'sms', 'sms:a:b', 0, 1);
      INSERT INTO conversation_members (conversation_id, user_id, joined_at)
        VALUES ('c', 'a', 1), ('c', 'b', 1), ('e', 'a', 1), ('e', 'b', 1);
      INSERT INTO messages (id, conversation_id, seq, client_id, sender_id, parts, created_at)
        VALUES ('m1', 'c', 1, 'k1', 'a', '[{"type":"text","text":"one"}]', 2),
               ('m2', 'c', 2, 'k2', 'b', '[{"type":"text","text":"two"}]', 3);
    `);
    db.close();
    const applied: number[] = [];
    const s = SqliteStorage.open({ file, onMigrate: (m) => applied.push(m.version) });
    // 4, and every migration after it.
    assert.deepEqual(
      applied,
      migrations.filter((m) => m.version > 3).map((m) => m.version),
    );
    assert.equal(applied[0], 4);
    assert.equal((await s.getConversation('c'))?.lastSeq, 2);
    assert.equal((await s.getConversation('e'))?.lastSeq, 0);
    assert.deepEqual(
      (await s.messagesAfter('c', 0, 10)).messages.map((m) => [m.id, m.seq, m.parts[0]!.text]),
      [
        ['m1', 1, 'one'],
        ['m2', 2, 'two'],
      ],
    );
    const append = (id: string, clientId: string, conversationId = 'c') =>
      s.appendMessage({
        id,
        conversationId,
        clientId,
        senderId: 'a',
        parts: [{ type: 'text', text: id }],
        timestamp: 5,
      });
    assert.deepEqual(
      [(await append('m3', 'k3')).message.seq, (await append('x1', 'k4', 'e')).message.seq],
      [3, 1],
      'each conversation numbers on from its own last message',
    );
    const again = await append('m9', 'k1');
    assert.deepEqual([again.status, again.message.id], ['duplicate', 'm1']);
    assert.equal((await s.summarizeConversation('c', 'b'))?.unread, 2, "ann's m1 and m3");
    await s.close();
  });
});

describe('WAL checkpoints in a worker thread', () => {
  it('copy committed pages into the database file without the committing thread', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'comms-kit-wal-')), 'db.sqlite');
    const s = SqliteStorage.open({ file });
    await s.createUser(user('a', { username: 'ann' }));
    await s.createUser(user('b', { username: 'bob' }));
    await s.openDirectConversation({ id: 'c', type: 'im', userIds: ['a', 'b'], now: 1 });
    const before = statSync(file).size;
    await Promise.all(
      Array.from({ length: 2000 }, (_, i) =>
        s.appendMessage({
          id: `m${i}`,
          conversationId: 'c',
          clientId: `k${i}`,
          senderId: 'a',
          parts: [{ type: 'text', text: 'x'.repeat(200) }],
          timestamp: i,
        }),
      ),
    );
    // ~500 KB of pages, far below the main connection's own checkpoint threshold (20,000
    // pages): only the worker copies them into the database file.
    const deadline = Date.now() + 5000;
    while (statSync(file).size <= before && Date.now() < deadline) await pause(50);
    assert.ok(statSync(file).size > before + 400_000, 'the database file holds the new pages');
    await s.close();
    const reopened = SqliteStorage.open({ file, backgroundCheckpoints: false });
    assert.equal((await reopened.getConversation('c'))?.lastSeq, 2000);
    await reopened.close();
  });
});

describe('originCheck', () => {
  it('by default allows the own origin, loopback on any port, and no Origin', () => {
    const check = originCheck();
    assert.equal(check(undefined, 'gw.example:8080'), true);
    assert.equal(check('https://gw.example:8080', 'gw.example:8080'), true);
    assert.equal(check('http://localhost:5173', 'gw.example'), true);
    assert.equal(check('https://127.0.0.1:1', 'gw.example'), true);
    assert.equal(check('http://[::1]:3000', 'gw.example'), true);
    assert.equal(check('https://evil.example', 'gw.example'), false);
    assert.equal(check('null', 'gw.example'), false);
    assert.equal(check('http://localhost.evil.example', 'gw.example'), false);
  });

  it('with a list, allows the own origin and the list only', () => {
    const check = originCheck(['https://app.example', 'https://*.corp.example']);
    assert.equal(check('https://app.example', 'gw'), true);
    assert.equal(check('http://app.example', 'gw'), false, 'scheme matters');
    assert.equal(check('https://a.b.corp.example', 'gw'), true);
    assert.equal(check('https://corp.example', 'gw'), false);
    assert.equal(check('https://evilcorp.example', 'gw'), false);
    assert.equal(check('http://localhost:1', 'gw'), false);
    assert.equal(check('http://gw', 'gw'), true);
    assert.equal(originCheck(['*'])('https://anything.example', 'gw'), true);
  });

  it('refuses entries that are not origins', () => {
    assert.throws(() => validateOrigins(['app.example']), /is not an origin/);
    assert.throws(() => validateOrigins(['ftp://app.example']), /is not an origin/);
  });
});

describe('ManualClock', () => {
  it('runs due timers in order as time advances, skipping cancelled ones', () => {
    const clock = new ManualClock(1000);
    const ran: string[] = [];
    clock.setTimeout(() => ran.push('b'), 200);
    clock.setTimeout(() => ran.push('a'), 100);
    const c = clock.setTimeout(() => ran.push('c'), 150);
    c.cancel();
    clock.advance(199);
    assert.deepEqual(ran, ['a']);
    clock.advance(1);
    assert.deepEqual(ran, ['a', 'b']);
    assert.equal(clock.now(), 1200);
    assert.equal(clock.pending, 0);
  });
});

describe('newRecordId', () => {
  it('makes UUIDv7s that each sort after the one before, across pool refills and within a millisecond', () => {
    const before = Date.now();
    const ids = Array.from({ length: 1000 }, () => newRecordId());
    const after = Date.now();
    for (const id of ids)
      assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    for (let i = 1; i < ids.length; i++)
      assert.ok(ids[i - 1]! < ids[i]!, `${ids[i - 1]} then ${ids[i]}`);
    // 1,000 ids take a few milliseconds: most share one with others.
    const millis = ids.map((id) => parseInt(id.replace(/-/g, '').slice(0, 12), 16));
    assert.ok(new Set(millis).size < ids.length);
    assert.ok(millis[0]! >= before && millis.at(-1)! <= after + 1, 'the time is now');
    // The random tail differs even within one millisecond (the pool's bytes are used once).
    assert.equal(new Set(ids.map((id) => id.slice(-12))).size, ids.length);
  });
});

describe('Serialized', () => {
  const message = {
    id: newRecordId(),
    clientId: '0190b000-0000-7000-8000-000000000abc',
    conversationId: '0190b000-0000-7000-8000-000000000def',
    seq: 7,
    sender: 'ann',
    parts: [{ type: 'text' as const, text: 'quotes " \\ and \n, é, 😀' }],
    timestamp: 1_763_930_000_000,
  };

  it('makes the same event frame as the payload itself', () => {
    assert.equal(
      eventFrame('message:new', new Serialized({ message })),
      eventFrame('message:new', { message }),
    );
    assert.deepEqual(JSON.parse(eventFrame('message:new', new Serialized({ message }))), {
      v: 1,
      type: 'event',
      event: 'message:new',
      message,
    });
  });

  it('leaves no stray comma for an empty payload', () => {
    assert.equal(new Serialized({}).members, '');
    assert.equal(
      new Serialized({ message }).members,
      `,${JSON.stringify({ message }).slice(1, -1)}`,
    );
  });
});
