/**
 * Contacts and the directory against the built gateway (a child process): the address book
 * kept in step across a user's devices, its errors, directory search and user lookup.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Contact, DirectoryUser } from '../../core/protocol/schema.js';
import { call, login, uniqueName, type TestSocket } from '../helpers/client.js';
import { startGateway, type Gateway } from '../helpers/gateway.js';
import { codeOf, device, newUser, ok, pause, type TestUser } from '../helpers/users.js';

let gateway: Gateway;
let url: string;
const sockets: TestSocket[] = [];

before(async () => {
  gateway = await startGateway();
  url = gateway.url;
});
after(async () => {
  for (const s of sockets) s.close();
  assert.equal(await gateway.stop(), 0);
});

async function open(user: TestUser, services: string[] = []): Promise<TestSocket> {
  const socket = await device(url, user, services);
  sockets.push(socket);
  return socket;
}

describe('contacts', () => {
  it('adds, updates and removes; every other device of the user gets the whole book', async () => {
    const alice = await newUser(url);
    const bob = await newUser(url);
    const laptop = await open(alice);
    const phone = await open(alice, ['chat']);
    const added = ok<{ contact: Contact }>(
      await laptop.request({
        type: 'contacts.add',
        contact: { primaryContact: bob.name, firstName: 'Bob', lastName: 'Builder' },
      }),
    ).contact;
    assert.ok(added.contactId, 'the server made a contactId');
    assert.deepEqual(
      { ...added, contactId: undefined },
      { contactId: undefined, primaryContact: bob.name, firstName: 'Bob', lastName: 'Builder' },
    );
    const pushed = await phone.event('contacts:change');
    assert.deepEqual(pushed.contacts, [added]);

    const updated = ok<{ contact: Contact }>(
      await phone.request({ type: 'contacts.update', contact: { ...added, lastName: 'Marley' } }),
    ).contact;
    assert.equal(updated.lastName, 'Marley');
    assert.deepEqual((await laptop.event('contacts:change')).contacts, [updated]);

    const listed = ok<{ contacts: Contact[] }>(await laptop.request({ type: 'contacts.list' }));
    assert.deepEqual(listed.contacts, [updated]);

    ok(await laptop.request({ type: 'contacts.remove', contactId: added.contactId }));
    assert.deepEqual((await phone.event('contacts:change')).contacts, []);
    await pause(50);
    assert.equal(
      laptop.pending.filter((f) => f.event === 'contacts:change').length,
      0,
      'not to the device that made the change',
    );
  });

  it('keeps a contactId and a person once per book, and says what is missing', async () => {
    const alice = await newUser(url);
    const a = await open(alice);
    ok(
      await a.request({
        type: 'contacts.add',
        contact: { contactId: 'bob', primaryContact: 'bob-the-user' },
      }),
    );
    const sameId = await a.request({
      type: 'contacts.add',
      contact: { contactId: 'bob', primaryContact: 'someone-else' },
    });
    assert.equal(codeOf(sameId), 'contacts:exists');
    assert.match((sameId.error as { message: string }).message, /contactId/);
    const samePerson = await a.request({
      type: 'contacts.add',
      contact: { primaryContact: 'BOB-the-user' },
    });
    assert.equal(codeOf(samePerson), 'contacts:exists');
    assert.equal(
      codeOf(await a.request({ type: 'contacts.remove', contactId: 'no-such-contact' })),
      'contacts:notFound',
    );
    assert.equal(
      codeOf(
        await a.request({
          type: 'contacts.update',
          contact: { contactId: 'nope', primaryContact: 'x' },
        }),
      ),
      'contacts:notFound',
    );
  });

  it('keeps each book to its owner', async () => {
    const alice = await newUser(url);
    const mallory = await newUser(url);
    const a = await open(alice);
    const m = await open(mallory);
    const { contact } = ok<{ contact: Contact }>(
      await a.request({ type: 'contacts.add', contact: { primaryContact: 'friend' } }),
    );
    assert.deepEqual(
      ok<{ contacts: Contact[] }>(await m.request({ type: 'contacts.list' })).contacts,
      [],
    );
    assert.equal(
      codeOf(await m.request({ type: 'contacts.remove', contactId: contact.contactId })),
      'contacts:notFound',
    );
  });
});

describe('directory', () => {
  it('searches by one filter, as a case-insensitive substring, and fetches one user', async () => {
    const signup = await call(url, '/v1/auth/signup', {
      username: `ada${process.pid}`,
      number: `+1555${String(process.pid).padStart(7, '0').slice(-7)}`,
      password: 'violet-lantern-orbit-42',
      displayName: 'Ada King Lovelace',
    });
    assert.equal(signup.status, 201);
    const viewer = await newUser(url);
    const v = await open(viewer);
    const search = async (filters: Record<string, string>, limit?: number) =>
      ok<{ users: DirectoryUser[] }>(
        await v.request({ type: 'directory.search', filters, ...(limit && { limit }) }),
      ).users;
    const ada = `ada${process.pid}`;

    const [found] = await search({ userName: ada.toUpperCase() });
    assert.deepEqual(found, {
      userId: ada,
      userName: ada,
      displayName: 'Ada King Lovelace',
      firstName: 'Ada',
      lastName: 'King Lovelace',
      emailAddress: null,
      phoneNumber: `+1555${String(process.pid).padStart(7, '0').slice(-7)}`,
      photoUrl: null,
    });
    assert.deepEqual(
      (await search({ name: 'king love' })).map((u) => u.userId),
      [ada],
    );
    assert.deepEqual(
      (await search({ firstName: 'ADA' })).map((u) => u.userId),
      [ada],
    );
    assert.deepEqual(
      (await search({ lastName: 'lovelace' })).map((u) => u.userId),
      [ada],
    );
    assert.deepEqual(
      (await search({ lastName: 'ada' })).map((u) => u.userId),
      [],
    );
    assert.deepEqual(
      (await search({ phoneNumber: String(process.pid).padStart(7, '0').slice(-7) })).map(
        (u) => u.userId,
      ),
      [ada],
    );
    assert.deepEqual(
      (await search({ userId: ada })).map((u) => u.userId),
      [ada],
    );
    assert.equal((await search({}, 1)).length, 1, 'no filter: everyone, up to the limit');

    const fetched = ok<{ user: DirectoryUser | null }>(
      await v.request({ type: 'user.fetch', userId: ada }),
    ).user;
    assert.deepEqual(fetched, found);
    assert.equal(
      ok<{ user: DirectoryUser | null }>(
        await v.request({ type: 'user.fetch', userId: 'no-such-user' }),
      ).user,
      null,
    );
  });
});

describe('directory details for contacts only (--directory-details contacts)', () => {
  it('shows a user’s email and number to their mutual contacts and themselves; numbers are found whole only', async () => {
    const privateGateway = await startGateway(['--directory-details', 'contacts']);
    const at = privateGateway.url;
    const openHere = async (user: TestUser) => {
      const socket = await device(at, user, []);
      sockets.push(socket);
      return socket;
    };
    try {
      const name = uniqueName('grace');
      const number = `+1555${String(process.pid).padStart(7, '0').slice(-7)}`;
      const email = `${name}@example.com`;
      const signup = await call(at, '/v1/auth/signup', {
        username: name,
        email,
        number,
        password: 'violet-lantern-orbit-42',
        displayName: 'Grace Hopper',
      });
      assert.equal(signup.status, 201);
      const grace: TestUser = {
        name,
        id: (signup.body as { user: { id: string } }).user.id,
        tokens: await login(at, name, 'violet-lantern-orbit-42'),
      };
      const [friend, admirer, stranger] = [await newUser(at), await newUser(at), await newUser(at)];
      const g = await openHere(grace);
      const f = await openHere(friend);
      const a = await openHere(admirer);
      const s = await openHere(stranger);
      const add = async (socket: TestSocket, who: string) =>
        ok(await socket.request({ type: 'contacts.add', contact: { primaryContact: who } }));
      await add(g, friend.name);
      await add(f, grace.name);
      await add(a, grace.name); // one-sided: Grace did not add the admirer

      const details = async (socket: TestSocket, filters: Record<string, string>) =>
        ok<{ users: DirectoryUser[] }>(
          await socket.request({ type: 'directory.search', filters }),
        ).users.map((u) => [u.userId, u.emailAddress, u.phoneNumber]);
      const shown = [[name, email, number]];
      const hidden = [[name, null, null]];
      assert.deepEqual(await details(f, { name: 'grace hop' }), shown, 'a mutual contact');
      assert.deepEqual(await details(g, { userName: name }), shown, 'oneself');
      assert.deepEqual(await details(a, { name: 'grace hop' }), hidden, 'a one-sided contact');
      assert.deepEqual(await details(s, { name: 'grace hop' }), hidden, 'a stranger');

      const partial = number.slice(2, 8);
      assert.deepEqual(await details(s, { phoneNumber: partial }), [], 'no digit-by-digit search');
      assert.deepEqual(await details(s, { phoneNumber: number }), hidden, 'the whole number');
      assert.deepEqual(
        await details(s, { phoneNumber: `${number.slice(1, 5)} ${number.slice(5)}` }),
        hidden,
        'written without + and with a space',
      );
      const fetched = ok<{ user: DirectoryUser | null }>(
        await s.request({ type: 'user.fetch', userId: email }),
      ).user;
      assert.deepEqual([fetched?.userId, fetched?.emailAddress, fetched?.phoneNumber], hidden[0]);
    } finally {
      await privateGateway.stop();
    }
  });
});
