/**
 * The messaging, presence, contacts and directory conformance suite (issue 5, issue 7): what
 * users of chat trust or leave, whatever backend carries it. Each backend runs it
 * (messaging.gateway.test.ts: the real gateway, fresh database, real WebSockets;
 * messaging.local.test.ts: the in-page hub), with real clients in Chromium.
 */
import { expect } from '@open-wc/testing';
import type { CommsClient, CommsError } from '../../core/index.js';
import { nextEvent, until } from '../helpers/waits.js';

/** What a backend provides to the suite. */
export interface MessagingBackend {
  /** A new user (an account with no device yet); resolves with their id. */
  user(): Promise<string>;
  /** A new connected device of user `id`, subscribed to call, chat and presence. */
  device(id: string): Promise<CommsClient>;
  /** The backend goes away (connections cut and refused) until `revive`. */
  kill(): Promise<void>;
  revive(): Promise<void>;
  /** Cuts every open connection, as a network failure would; clients reconnect. */
  drop(): Promise<void>;
  teardown(): Promise<void>;
}

/**
 * Backends run the suite with a presence grace period of about a second (the presence test
 * waits for it) and without message rate limits (the 1,000-message test sends as fast as
 * replies come back; the limits have their own tests: test/server/messaging.test.ts,
 * test/core/conversation.test.ts).
 */
export function messagingConformance(name: string, setup: () => Promise<MessagingBackend>): void {
  describe(`messaging, presence, contacts and directory over the ${name} backend`, function () {
    this.timeout(60000);
    let backend: MessagingBackend;

    before(async () => {
      backend = await setup();
    });
    after(async () => {
      await backend.teardown();
    });

    const user = () => backend.user();
    const device = (id: string) => backend.device(id);

    const texts = (c: CommsClient, destination: string) =>
      c.conversation
        .get(destination)
        .getMessages()
        .map((m) => m.parts[0]!.text);

    it('a message arrives once at every device of the recipient and at the sender’s other device', async () => {
      const alice = await user();
      const bob = await user();
      const a1 = await device(alice);
      const a2 = await device(alice);
      const b1 = await device(bob);
      const b2 = await device(bob);
      const message = a1.conversation
        .get(bob)
        .createMessage({ type: 'text', text: 'hello bob' })
        .send();
      expect(message.status).to.equal('pending');
      for (const [c, other] of [
        [b1, alice],
        [b2, alice],
        [a2, bob],
        [a1, bob],
      ] as const) {
        await until(c, () => texts(c, other).includes('hello bob'));
        expect(texts(c, other)).to.deep.equal(['hello bob']);
      }
      await until(a1, () => a1.conversation.get(bob).getMessages()[0]?.status !== 'pending');
    });

    it('read receipts and typing reach the other side', async () => {
      const alice = await user();
      const bob = await user();
      const a = await device(alice);
      const b = await device(bob);
      a.conversation.get(bob).createMessage({ type: 'text', text: 'read me' }).send();
      await until(b, () => texts(b, alice).length === 1);
      await until(a, () => a.conversation.get(bob).getMessages()[0]?.status === 'delivered');
      expect(b.conversation.get(alice).unread).to.equal(1);
      await b.conversation.get(alice).markRead();
      await until(a, () => a.conversation.get(bob).getMessages()[0]?.status === 'read');
      expect(b.conversation.get(alice).unread).to.equal(0);

      const typing = nextEvent(a, 'typing:change', (e) => e.users.includes(bob));
      await b.conversation.get(alice).sendTyping(true);
      await typing;
      expect(a.conversation.get(bob).typing).to.deep.equal([bob]);
    });

    it('a send during a broken connection is delivered once after the reconnect', async () => {
      const alice = await user();
      const bob = await user();
      const a = await device(alice);
      const b = await device(bob);
      await backend.kill();
      await until(a, (s) => s.connection.status === 'reconnecting');
      a.conversation.get(bob).createMessage({ type: 'text', text: 'while offline' }).send();
      expect(a.conversation.get(bob).getMessages()[0]!.status).to.equal('pending');
      await backend.revive();
      await until(b, () => texts(b, alice).includes('while offline'));
      await until(a, () => a.conversation.get(bob).getMessages()[0]!.status !== 'pending');
      expect(texts(b, alice)).to.deep.equal(['while offline']);
      expect(texts(a, bob)).to.deep.equal(['while offline']);
    });

    it('1,000 messages sent while the recipient is offline arrive once each, in order, counted once', async () => {
      const alice = await user();
      const bob = await user();
      const a = await device(alice);
      const b = await device(bob);
      const chat = a.conversation.get(bob);
      chat.createMessage({ type: 'text', text: 'm0' }).send();
      await until(b, () => texts(b, alice).length === 1);
      await b.disconnect();
      for (let i = 1; i <= 1000; i++) chat.createMessage({ type: 'text', text: `m${i}` }).send();
      await until(a, () =>
        a.conversation
          .get(bob)
          .getMessages()
          .every((m) => !m.isPending),
      );
      await b.connect(undefined, { services: ['chat'] });
      await until(b, () => texts(b, alice).length === 1001);
      const received = texts(b, alice);
      expect(received).to.deep.equal(Array.from({ length: 1001 }, (_, i) => `m${i}`));
      const seqs = b.conversation
        .get(alice)
        .getMessages()
        .map((m) => m.seq);
      expect(new Set(seqs).size).to.equal(1001);
      // Each counted once: m0 as it came, the others from the list's count, not again as the
      // catch-up placed them.
      expect(b.conversation.get(alice).unread).to.equal(1001);
    });

    it('refuses oversized text and an unknown destination clearly', async () => {
      const alice = await user();
      const a = await device(alice);
      expect(() =>
        a.conversation.get('someone').createMessage({ type: 'text', text: 'x'.repeat(16385) }),
      ).to.throw(/at most 16384/);
      const failed = nextEvent(a, 'messages:error');
      a.conversation.get('nobody-at-all-here').createMessage({ type: 'text', text: 'hi?' }).send();
      const { error } = await failed;
      expect(error.code).to.equal('conversation:unknownDestination');
      expect(a.conversation.get('nobody-at-all-here').getMessages()[0]!.status).to.equal('failed');
    });

    it('group conversations deliver to every member', async () => {
      const [alice, bob, carol] = [await user(), await user(), await user()];
      const a = await device(alice);
      const b = await device(bob);
      const c = await device(carol);
      const group = await a.conversation.create([bob, carol], { name: 'Trio' });
      group.createMessage({ type: 'text', text: 'hi all' }).send();
      for (const member of [b, c]) {
        await until(member, () =>
          member.conversation
            .getAll()
            .some((g) => g.name === 'Trio' && g.getMessages().length === 1),
        );
      }
    });

    it('presence: an update reaches subscribers; a disconnect turns the user offline after the grace period', async () => {
      const alice = await user();
      const bob = await user();
      const a = await device(alice);
      const b = await device(bob);
      await a.contacts.add({ primaryContact: bob, firstName: 'Bob' });
      await b.contacts.add({ primaryContact: alice, firstName: 'Alice' });
      await a.presence.subscribe([bob]);
      const busy = nextEvent(
        a,
        'presence:change',
        (p) => p.userId === bob && p.activity === 'busy',
      );
      await b.presence.update('open', 'busy', 'in a meeting');
      expect((await busy).note).to.equal('in a meeting');
      const offline = nextEvent(
        a,
        'presence:change',
        (p) => p.userId === bob && p.status === 'closed',
      );
      await b.disconnect();
      await offline;
    });

    it('availability (Notify): an available client is listed to the others, also after a reconnect', async () => {
      const alice = await user();
      const bob = await user();
      const a = await device(alice);
      const b = await device(bob);
      await a.contacts.add({ primaryContact: bob });
      await b.contacts.add({ primaryContact: alice });
      await b.presence.subscribe([alice]);
      const available = nextEvent(b, 'presence:change', (p) => p.userId === alice && p.available);
      await a.presence.setAvailable(true);
      await available;
      expect((await b.presence.getAvailableClients()).map((c) => c.userId)).to.deep.equal([alice]);
      expect(await a.presence.getAvailableClients()).to.deep.equal([]);

      // The backend keeps availability per socket: after a network cut, the new one is available too.
      const again = nextEvent(b, 'presence:change', (p) => p.userId === alice && p.available);
      await backend.drop();
      await again;
      await until(b, (s) => s.connection.status === 'connected');
      expect((await b.presence.getAvailableClients()).map((c) => c.userId)).to.deep.equal([alice]);
    });

    it('presence: a user in a call shows on the phone, and comes back after it', async () => {
      const alice = await user();
      const bob = await user();
      const a = await device(alice);
      const b = await device(bob);
      await a.contacts.add({ primaryContact: bob, firstName: 'Bob' });
      await b.contacts.add({ primaryContact: alice, firstName: 'Alice' });
      await b.presence.update('open', 'available');
      await a.presence.subscribe([bob]);
      const onThePhone = nextEvent(
        a,
        'presence:change',
        (p) => p.userId === bob && p.activity === 'on-the-phone',
      );
      b.on('call:stateChange', ({ callId }) => {
        const call = b.call.getById(callId);
        if (call?.direction === 'incoming' && call.state === 'Ringing')
          void b.call.answer(callId, { audio: true });
      });
      const callId = a.call.make(bob, { audio: true });
      await until(a, (s) => s.call.calls[callId]?.state === 'Connected');
      await onThePhone;
      const back = nextEvent(
        a,
        'presence:change',
        (p) => p.userId === bob && p.activity === 'available',
      );
      await a.call.end(callId);
      await back;
    });

    it('older messages load on demand on a new device, and a message forwards to someone else', async () => {
      const [alice, bob, carol] = [await user(), await user(), await user()];
      const a = await device(alice);
      const b = await device(bob);
      const chat = a.conversation.get(bob);
      for (let i = 1; i <= 120; i++) chat.createMessage({ type: 'text', text: `old ${i}` }).send();
      await until(b, () => texts(b, alice).length === 120);
      await b.conversation.get(alice).markRead();

      // A new device starts after what the user has read: nothing unread, older on demand.
      const b2 = await device(bob);
      await until(b2, () => b2.conversation.getAll().length === 1);
      const fresh = b2.conversation.getAll()[0]!;
      expect(fresh.getMessages()).to.have.length(0);
      expect(fresh.hasOlder).to.equal(true);
      expect(await fresh.loadOlder(50)).to.equal(50);
      expect(fresh.getMessages().map((m) => m.parts[0]!.text)[0]).to.equal('old 71');
      expect(await fresh.loadOlder(100)).to.equal(70);
      expect(fresh.getMessages()).to.have.length(120);
      expect(fresh.getMessages().map((m) => m.seq)).to.deep.equal(
        Array.from({ length: 120 }, (_, i) => i + 1),
      );
      expect(fresh.hasOlder).to.equal(false);

      const c = await device(carol);
      fresh.getMessages()[119]!.forward(carol);
      await until(c, () => texts(c, bob).includes('old 120'));
    });

    it('contacts and the directory', async () => {
      const alice = await user();
      const bob = await user();
      const a = await device(alice);
      const added = await a.contacts.add({
        primaryContact: bob,
        firstName: 'Bob',
        lastName: 'Builder',
      });
      expect(a.contacts.get(added.contactId)?.lastName).to.equal('Builder');
      await a.contacts.update({ ...added, lastName: 'Marley' });
      const other = await device(alice);
      await other.contacts.refresh();
      expect(other.contacts.getAll().map((c) => c.lastName)).to.deep.equal(['Marley']);
      await a.contacts.remove(added.contactId);
      expect(a.contacts.getAll()).to.deep.equal([]);
      const found = await a.user.search({ userName: bob.slice(0, 10) });
      expect(found.map((u) => u.userId)).to.include(bob);
      try {
        await a.contacts.remove('no-such-contact');
        expect.fail('should have been refused');
      } catch (error) {
        expect((error as CommsError).code).to.equal('contacts:notFound');
      }
    });

    it('a new device shows what arrived while the user was away as unread, once', async () => {
      const alice = await user();
      const bob = await user();
      const a = await device(alice);
      const b1 = await device(bob);
      a.conversation.get(bob).createMessage({ type: 'text', text: 'unread one' }).send();
      a.conversation.get(bob).createMessage({ type: 'text', text: 'unread two' }).send();
      await until(b1, () => texts(b1, alice).length === 2);
      const b2 = await device(bob);
      await until(b2, () => b2.conversation.getAll()[0]?.getMessages().length === 2);
      expect(b2.conversation.getAll()[0]!.unread).to.equal(2);
      expect(b1.conversation.get(alice).unread).to.equal(2);
    });

    it('presence is shared between mutual contacts only', async () => {
      const alice = await user();
      const bob = await user();
      const a = await device(alice);
      const b = await device(bob);
      const refused = async () => {
        try {
          await a.presence.subscribe([bob]);
        } catch (error) {
          return (error as CommsError).code;
        }
        return 'accepted';
      };
      expect(await refused()).to.equal('presence:forbidden');
      expect(await a.presence.fetch([bob])).to.deep.equal([]);
      await a.contacts.add({ primaryContact: bob });
      expect(await refused(), 'one way is not enough').to.equal('presence:forbidden');
      await b.contacts.add({ primaryContact: alice });
      const [presence] = await a.presence.subscribe([bob]);
      expect(presence).to.include({ userId: bob, status: 'open' });
    });

    it('the first to add learns the other’s presence, and its changes, once added back', async () => {
      const alice = await user();
      const bob = await user();
      const a = await device(alice);
      const b = await device(bob);
      await b.presence.update('open', 'busy');
      await a.contacts.add({ primaryContact: bob });
      expect(a.presence.get(bob), 'nothing yet: one way').to.equal(undefined);
      await b.contacts.add({ primaryContact: alice });
      await until(a, (s) => s.presence.users[bob]?.activity === 'busy');
      await b.presence.update('open', 'away');
      await until(a, (s) => s.presence.users[bob]?.activity === 'away');
    });

    it('a status chosen on one device reaches the user’s other devices', async () => {
      const alice = await user();
      const a1 = await device(alice);
      const a2 = await device(alice);
      await a1.presence.update('open', 'busy', 'in a meeting');
      await until(a2, (s) => s.presence.self?.activity === 'busy');
      expect(a2.presence.getSelf()).to.include({ userId: alice, note: 'in a meeting' });
    });

    it('a contact added on one device reaches the user’s other devices by itself', async () => {
      const alice = await user();
      const bob = await user();
      const a1 = await device(alice);
      const a2 = await device(alice);
      const changed = nextEvent(a2, 'contacts:change');
      await a1.contacts.add({ primaryContact: bob, firstName: 'Bob' });
      await changed;
      expect(a2.contacts.getAll().map((c) => c.primaryContact)).to.deep.equal([bob]);
    });

    it('fetches one user from the directory, and null for nobody', async () => {
      const alice = await user();
      const bob = await user();
      const a = await device(alice);
      const found = await a.user.fetch(bob);
      expect(found).to.include({ userId: bob, displayName: `Name ${bob}`, firstName: 'Name' });
      expect(a.user.get(bob)?.displayName).to.equal(`Name ${bob}`);
      expect(await a.user.fetch('nobody-by-this-name')).to.equal(null);
    });
  });
}
