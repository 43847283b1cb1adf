/**
 * Layers on their own: the SQLite storage (migrations, identities, refresh-token spending),
 * the memory bus, the origin check and the manual clock.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { SqliteStorage, migrate } from '../../server/storage/sqlite/index.js';
import { migrations } from '../../server/storage/sqlite/migrations.js';
import { IdentityConflictError, type NewUser } from '../../server/storage/types.js';
import { MemoryBus } from '../../server/bus/memory.js';
import type { BusMessage } from '../../server/bus/types.js';
import { originCheck, validateOrigins } from '../../server/http/origins.js';
import { ManualClock } from '../../server/clock.js';

const user = (id: string, fields: Partial<NewUser> = {}): NewUser => ({
  id,
  username: null,
  email: null,
  number: null,
  displayName: id,
  passwordHash: null,
  createdAt: 1,
  ...fields,
});

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

describe('MemoryBus', () => {
  const message: BusMessage = { type: 'session.revoked', userId: 'u', familyId: 'f', reason: 'r' };

  it('delivers a copy to each subscriber of the channel, later, and stops on unsubscribe', async () => {
    const bus = new MemoryBus();
    const got: BusMessage[] = [];
    const off = await bus.subscribe('c', (m) => got.push(m));
    await bus.subscribe('other', () => assert.fail('wrong channel'));
    const publishing = bus.publish('c', message);
    assert.equal(got.length, 0, 'not synchronously');
    await publishing;
    assert.deepEqual(got, [message]);
    assert.notEqual(got[0], message, 'a copy, as over the network');
    await off();
    await bus.publish('c', message);
    assert.equal(got.length, 1);
    assert.equal(bus.channelCount, 1);
  });

  it('a throwing handler does not stop the others', async () => {
    const errors: unknown[] = [];
    const bus = new MemoryBus((e) => errors.push(e));
    let delivered = 0;
    await bus.subscribe('c', () => {
      throw new Error('boom');
    });
    await bus.subscribe('c', () => delivered++);
    await bus.publish('c', message);
    assert.equal(delivered, 1);
    assert.equal(errors.length, 1);
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
