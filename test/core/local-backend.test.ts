/**
 * The in-page backend beyond what the conformance suites share with the gateway: joining
 * without credentials, the scripted user for stories, presence visibility, leaving the hub.
 * Real clients on a real hub, real peer connections for the call.
 */
import { expect } from '@open-wc/testing';
import { createClient, type CommsClient, type CommsError } from '../../core/index.js';
import { createLocalHub, scriptUser, type LocalHubOptions } from '../../core/local.js';
import { startGateway, uniqueName } from '../helpers/gateway.browser.js';
import { nextEvent, until } from '../helpers/waits.js';

describe('the in-page backend', function () {
  this.timeout(20000);
  const clients: CommsClient[] = [];
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.destroy()));
  });

  async function join(id: string, options: LocalHubOptions = {}) {
    const hub = createLocalHub(options);
    const client = createClient({ logs: { logLevel: 'silent' } });
    clients.push(client);
    client.useLocalBackend(hub, { id, displayName: `User ${id}` });
    await client.connect();
    return { hub, client };
  }

  async function expectCode(promise: Promise<unknown>, code: string): Promise<void> {
    try {
      await promise;
    } catch (error) {
      expect((error as CommsError).code, (error as Error).message).to.equal(code);
      return;
    }
    expect.fail(`expected ${code}`);
  }

  it('connects without credentials and names the user by the party’s id', async () => {
    const { client } = await join('ada');
    expect(client.connection.getSocketState().status).to.equal('connected');
    expect(client.getUserInfo().username).to.equal('ada');
    expect(client.store.getState().users.self, 'users.self names the party').to.equal('ada');
    expect(client.services.getSubscriptions().subscribed).to.have.members([
      'call',
      'chat',
      'presence',
    ]);
  });

  it('is signed in as the party while on the hub, as far as the state tells, and not after leaving', async () => {
    const hub = createLocalHub();
    const client = createClient({ logs: { logLevel: 'silent' } });
    clients.push(client);
    expect(client.store.getState().auth.user).to.equal(null);
    const leave = client.useLocalBackend(hub, { id: 'ada', displayName: 'Ada Lovelace' });
    const { auth } = client.store.getState();
    expect(auth.status).to.equal('authenticated');
    expect(auth.user).to.include({ id: 'ada', username: 'ada', displayName: 'Ada Lovelace' });
    await client.connect();
    leave();
    expect(client.store.getState().auth).to.include({ status: 'none', user: null });
  });

  it('a scripted user shows presence, writes, answers a call and goes away', async () => {
    const { hub, client: ada } = await join('ada', { presenceScope: 'all' });
    const bob = await scriptUser(
      hub,
      { id: 'bob', displayName: 'Bob' },
      { logs: { logLevel: 'silent' } },
    );
    clients.push(bob.client);
    await ada.presence.subscribe(['bob']);

    const busy = nextEvent(
      ada,
      'presence:change',
      (p) => p.userId === 'bob' && p.activity === 'busy',
    );
    await bob.setPresence('busy', 'in a meeting');
    expect((await busy).note).to.equal('in a meeting');

    await bob.say('ada', 'Call me when you can');
    await until(ada, () => ada.conversation.get('bob').getMessages().length === 1);
    const [message] = ada.conversation.get('bob').getMessages();
    expect(message!.sender).to.equal('bob');
    expect(message!.parts[0]!.text).to.equal('Call me when you can');

    bob.answerCalls();
    const onThePhone = nextEvent(
      ada,
      'presence:change',
      (p) => p.userId === 'bob' && p.activity === 'on-the-phone',
    );
    const callId = ada.call.make('bob', { audio: true });
    await until(ada, (s) => s.call.calls[callId]?.state === 'Connected');
    await onThePhone;

    const offline = nextEvent(
      ada,
      'presence:change',
      (p) => p.userId === 'bob' && p.status === 'closed',
    );
    const ended = until(ada, (s) => s.call.calls[callId]?.state === 'Ended');
    await bob.goAway();
    await offline;
    await ended;
  });

  it('a scripted message to nobody is refused with the gateway’s code', async () => {
    const { hub } = await join('ada');
    const bob = await scriptUser(
      hub,
      { id: 'bob', displayName: 'Bob' },
      { logs: { logLevel: 'silent' } },
    );
    clients.push(bob.client);
    await expectCode(bob.say('nobody-here', 'hello?'), 'conversation:unknownDestination');
  });

  it('presence is shared between mutual contacts only, by default, as on the gateway', async () => {
    const { hub, client: ada } = await join('ada');
    const carol = await scriptUser(
      hub,
      { id: 'carol', displayName: 'Carol' },
      { logs: { logLevel: 'silent' } },
    );
    clients.push(carol.client);
    await expectCode(ada.presence.subscribe(['carol']), 'presence:forbidden');
    expect(await ada.presence.fetch(['carol'])).to.deep.equal([]);
    await ada.contacts.add({ primaryContact: 'carol' });
    await expectCode(ada.presence.subscribe(['carol']), 'presence:forbidden');
    await carol.addContacts('ada');
    const [presence] = await ada.presence.subscribe(['carol']);
    expect(presence!.status).to.equal('open');
  });

  it('leaving the hub turns the user offline at once and keeps their messages for later', async () => {
    const { hub, client: ada } = await join('ada', { presenceScope: 'all', presenceGrace: 60000 });
    const dave = createClient({ logs: { logLevel: 'silent' } });
    clients.push(dave);
    const leave = dave.useLocalBackend(hub, { id: 'dave', displayName: 'Dave' });
    await dave.connect();
    await ada.presence.subscribe(['dave']);
    const offline = nextEvent(
      ada,
      'presence:change',
      (p) => p.userId === 'dave' && p.status === 'closed',
    );
    leave();
    await offline;

    ada.conversation.get('dave').createMessage({ type: 'text', text: 'while you were out' }).send();
    await until(ada, () => ada.conversation.get('dave').getMessages()[0]?.status === 'sent');
    dave.useLocalBackend(hub, { id: 'dave', displayName: 'Dave' });
    await dave.connect();
    await until(dave, () => dave.conversation.getAll()[0]?.getMessages().length === 1);
    const [conversation] = dave.conversation.getAll();
    expect(conversation!.getMessages()[0]!.parts[0]!.text).to.equal('while you were out');
    expect(conversation!.unread).to.equal(1);
  });

  it('keeps its connection when the browser reports it is offline: the hub needs no network', async () => {
    const { hub, client: ada } = await join('ada');
    const bob = await scriptUser(
      hub,
      { id: 'bob', displayName: 'Bob' },
      { logs: { logLevel: 'silent' } },
    );
    clients.push(bob.client);
    const changes: string[] = [];
    ada.on('ws:change', ({ status }) => changes.push(status));
    window.dispatchEvent(new Event('offline'));
    try {
      await bob.say('ada', 'still here');
      await until(ada, () => ada.conversation.get('bob').getMessages().length === 1);
      expect(changes, 'the connection was never dropped').to.deep.equal([]);
    } finally {
      window.dispatchEvent(new Event('online'));
    }
  });

  it('seeds a conversation’s history: times kept, unread counted, the pair’s conversation reused', async () => {
    const hub = createLocalHub();
    hub.addUser({ id: 'ada', displayName: 'Ada' });
    hub.addUser({ id: 'bob', displayName: 'Bob' });
    const day = 24 * 3600 * 1000;
    const start = Date.now() - 3 * day;
    const id = hub.seedConversation({
      members: ['ada', 'bob'],
      messages: Array.from({ length: 10000 }, (_, i) => ({
        from: i % 2 ? 'ada' : 'bob',
        text: `message ${i + 1}`,
        at: start + i * 20_000,
      })),
      read: { ada: 9997 },
    });
    const ada = createClient({ logs: { logLevel: 'silent' } });
    clients.push(ada);
    ada.useLocalBackend(hub, { id: 'ada', displayName: 'Ada' });
    await ada.connect();
    // The three unread are caught up (the rest load on demand), with the times they were seeded with.
    await until(ada, (s) => s.conversations.byKey[id]?.lastSeq === 10000);
    const conversation = ada.conversation.getById(id)!;
    // Of the three, only 9999 is Bob's (Ada's own are not unread to her).
    expect(conversation.unread).to.equal(1);
    const held = conversation.getMessages();
    expect(held.map((m) => m.parts[0]!.text)).to.deep.equal([
      'message 9998',
      'message 9999',
      'message 10000',
    ]);
    expect(held[2]!.timestamp).to.equal(start + 9999 * 20_000);
    expect(await conversation.loadOlder(50)).to.equal(50);
    expect(conversation.getMessages()[0]!.parts[0]!.text).to.equal('message 9948');

    // Bob writes: the same one-to-one conversation, next seq.
    const bob = await scriptUser(
      hub,
      { id: 'bob', displayName: 'Bob' },
      { logs: { logLevel: 'silent' } },
    );
    clients.push(bob.client);
    await bob.say('ada', 'and one more');
    await until(ada, (s) => s.conversations.byKey[id]?.lastSeq === 10001);
    expect(ada.conversation.getAll()).to.have.length(1);
  });

  it('refuses a seed naming someone the hub does not know, or a sender who is not a member', () => {
    const hub = createLocalHub();
    hub.addUser({ id: 'ada', displayName: 'Ada' });
    hub.addUser({ id: 'bob', displayName: 'Bob' });
    const codeOf = (run: () => unknown) => {
      try {
        run();
      } catch (error) {
        return [(error as CommsError).code, (error as Error).message];
      }
      return ['no error'];
    };
    const [unknown, why] = codeOf(() =>
      hub.seedConversation({ members: ['ada', 'nobody'], messages: [] }),
    );
    expect(unknown).to.equal('conversation:unknownDestination');
    expect(why).to.contain("'nobody'");
    hub.addUser({ id: 'carol', displayName: 'Carol' });
    const [outsider, which] = codeOf(() =>
      hub.seedConversation({ members: ['ada', 'bob'], messages: [{ from: 'carol', text: 'hi' }] }),
    );
    expect(outsider).to.equal('request:invalid');
    expect(which).to.contain("'carol'");
  });

  it('moves a client connected to the gateway onto the hub', async () => {
    const gateway = await startGateway();
    try {
      const name = uniqueName('moving');
      const password = 'correct horse battery staple';
      const client = createClient({ server: gateway.url, logs: { logLevel: 'silent' } });
      clients.push(client);
      await client.auth.signup({ username: name, password, displayName: 'Mover' });
      await client.connect({ username: name, password });
      expect(client.store.getState().users.self, 'the signed-in user').to.equal(name);
      const hub = createLocalHub();
      const bob = await scriptUser(
        hub,
        { id: 'bob', displayName: 'Bob' },
        { logs: { logLevel: 'silent' } },
      );
      clients.push(bob.client);
      client.useLocalBackend(hub, { id: 'ada', displayName: 'Ada' });
      await client.connect();
      await bob.say('ada', 'on the hub now');
      await until(client, () => client.conversation.get('bob').getMessages().length === 1);
      expect(client.getUserInfo().username).to.equal('ada');
      expect(client.store.getState().users.self, 'then the party').to.equal('ada');
    } finally {
      await gateway.stop();
    }
  });
  it('a forwarded call hands the caller’s offer and the candidates it trickled before to the new callee', async () => {
    // The hub's own signalling, driven as the engines drive it, each device recording what it
    // is told (the conformance suites prove the media; this proves what is handed on).
    const hub = createLocalHub();
    const told = new Map<string, string[]>();
    const device = (id: string) => {
      const seen: string[] = [];
      told.set(id, seen);
      const signalling = hub.register({ id, displayName: `User ${id}` });
      signalling.setHandlers({
        incoming: (call) =>
          seen.push(`incoming ${call.sdp} ${JSON.stringify(call.forwarded ?? [])}`),
        ringing: () => seen.push('ringing'),
        answered: (_, sdp) => seen.push(`answered ${sdp}`),
        ended: (_, t) => seen.push(`ended ${t.statusCode} ${t.reasonText}`),
        offer: () => seen.push('offer'),
        answer: () => seen.push('answer'),
        parameters: () => seen.push('parameters'),
        candidate: (_, c) => seen.push(`candidate ${c?.candidate ?? null}`),
        transferRequested: () => seen.push('transfer'),
        transferCompleted: () => seen.push('transferred'),
        forwarded: (_, f) => seen.push(`forwarded ${f.by.id} → ${f.to.id}`),
      });
      return signalling;
    };
    /** Waits for the hub's deliveries (microtasks) until `check` holds. */
    const delivered = async (check: () => boolean) => {
      for (let i = 0; i < 50 && !check(); i++) await new Promise((r) => setTimeout(r, 0));
      expect(check(), JSON.stringify([...told])).to.equal(true);
    };
    const a = device('fwd-a');
    const b = device('fwd-b');
    const c = device('fwd-c');
    const callId = crypto.randomUUID();
    const media = { audio: true, video: false };
    await a.invite({ callId, to: 'fwd-b', sdp: 'v=0 offer', media, customParameters: [] });
    await a.candidate(callId, { candidate: 'candidate:1' });
    await a.candidate(callId, null);
    await delivered(() => told.get('fwd-b')!.length === 3);
    const forwarding = await b.forward(callId, 'fwd-c');
    expect(forwarding).to.deep.equal({
      by: { id: 'fwd-b', displayName: 'User fwd-b' },
      to: { id: 'fwd-c', displayName: 'User fwd-c' },
    });
    await a.candidate(callId, { candidate: 'candidate:2' });
    await c.answer(callId, 'v=0 answer', []);
    await delivered(() => told.get('fwd-a')!.length === 2);
    const hop = JSON.stringify([forwarding]);
    expect(told.get('fwd-c')).to.deep.equal([
      `incoming v=0 offer ${hop}`,
      'candidate candidate:1',
      'candidate null',
      'candidate candidate:2',
    ]);
    expect(told.get('fwd-a')).to.deep.equal(['forwarded fwd-b → fwd-c', 'answered v=0 answer']);
    expect(told.get('fwd-b')).to.deep.equal([
      'incoming v=0 offer []',
      'candidate candidate:1',
      'candidate null',
    ]);
    for (const s of [a, b, c]) s.unregister();
  });
});
