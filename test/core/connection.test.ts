/**
 * The core's auth, connection and services namespaces against the real gateway (a fresh
 * database per run, on loopback), with real WebSockets in Chromium.
 */
import { expect } from '@open-wc/testing';
import { CommsClient, createClient, type ClientConfig, type CommsError } from '../../core/index.js';
import { Transitions } from '../../core/call/signalling.js';
import { startGateway, uniqueName, type TestGateway } from '../helpers/gateway.browser.js';
import { MemoryStorage, nextEvent, until } from '../helpers/waits.js';

const PASSWORD = 'correct horse battery staple';

describe('auth, connection and services (real gateway)', () => {
  let gateway: TestGateway;
  const clients: CommsClient[] = [];

  function client(extra: ClientConfig = {}): CommsClient {
    const c = createClient({
      server: gateway.url,
      logs: { logLevel: 'silent' },
      ...extra,
      connectivity: {
        reconnectDelay: 100,
        reconnectJitter: 0.2,
        pingInterval: 30000,
        ...extra.connectivity,
      },
    });
    clients.push(c);
    return c;
  }

  async function newUser(): Promise<string> {
    const username = uniqueName();
    await client().auth.signup({ username, password: PASSWORD, displayName: `Test ${username}` });
    return username;
  }

  before(async () => {
    gateway = await startGateway();
  });
  after(async () => {
    await gateway.stop();
  });
  afterEach(async () => {
    await Promise.all(
      clients
        .splice(0)
        .map((c) => (c.destroyed ? undefined : c.disconnect().then(() => c.destroy()))),
    );
  });

  describe('signup and connect', () => {
    it('signs up, connects with the password and subscribes to the default services', async () => {
      const username = await newUser();
      const c = client();
      const online = nextEvent(c, 'connection:online');
      const info = await c.connect({ username, password: PASSWORD });
      await online;
      expect(info.username).to.equal(username);
      expect(info.user?.displayName).to.equal(`Test ${username}`);
      expect(info.token).to.be.a('string');
      const subs = c.services.getSubscriptions();
      expect(subs.subscribed).to.have.members(['call', 'chat', 'presence']);
      expect(subs.isPending).to.equal(false);
      expect(subs.available).to.include('smsinbound');
      expect(c.connection.getSocketState()).to.include({ connected: true, status: 'connected' });
      expect(c.store.getState().auth.status).to.equal('authenticated');
    });

    it('refuses a taken username and a weak password with clear codes', async () => {
      const username = await newUser();
      try {
        await client().auth.signup({ username, password: PASSWORD });
        expect.fail('should have been refused');
      } catch (error) {
        expect((error as CommsError).code).to.equal('identity:taken');
      }
      try {
        await client().auth.signup({ username: uniqueName(), password: 'abc' });
        expect.fail('should have been refused');
      } catch (error) {
        expect((error as CommsError).code).to.equal('password:weak');
        expect((error as CommsError).message).to.match(/password/i);
      }
    });

    it('a wrong password rejects connect with auth:invalidCredentials and emits auth:error', async () => {
      const username = await newUser();
      const c = client();
      const authError = nextEvent(c, 'auth:error');
      try {
        await c.connect({ username, password: 'wrong password entirely' });
        expect.fail('should have been refused');
      } catch (error) {
        expect((error as CommsError).code).to.equal('auth:invalidCredentials');
      }
      expect((await authError).error.code).to.equal('auth:invalidCredentials');
      expect(c.connection.getSocketState().connected).to.equal(false);
    });

    it('connect without credentials fails clearly', async () => {
      try {
        await client().connect();
        expect.fail('should have thrown');
      } catch (error) {
        expect((error as CommsError).code).to.equal('auth:noCredentials');
      }
    });

    it('connects with a bearer token obtained elsewhere, in subprotocol and query modes', async () => {
      const username = await newUser();
      const first = client();
      const { token } = await first.connect({ username, password: PASSWORD }, { services: [] });
      for (const mode of ['none', 'query'] as const) {
        const c = client({ connectivity: { webSocketOAuthMode: mode } });
        await c.connect(
          { username, bearerAccessToken: token! },
          { services: ['chat'], clientCorrelator: `bearer-${mode}` },
        );
        expect(c.services.getSubscriptions().subscribed).to.deep.equal(['chat']);
        expect(c.getUserInfo().user?.username).to.equal(username);
      }
    });

    it('connects with an app-signed ticket, creating the user on first use', async () => {
      const userId = uniqueName('app');
      const c = client();
      await c.connect({ hmacToken: await gateway.ticket(userId) }, { services: ['call'] });
      expect(c.getUserInfo().user?.username).to.equal(userId);
      const again = client();
      await again.connect({ userTicket: await gateway.ticket(userId) }, { services: [] });
      expect(again.getUserInfo().user?.id).to.equal(c.getUserInfo().user?.id);
    });

    it('refuses a tampered or expired ticket', async () => {
      const forged = await gateway.ticket(uniqueName('app'), {
        appSecret: 'not-the-secret-at-all-no',
      });
      try {
        await client().connect({ hmacToken: forged });
        expect.fail('should have been refused');
      } catch (error) {
        expect((error as CommsError).code).to.equal('auth:ticketInvalid');
      }
      const expired = await gateway.ticket(uniqueName('app'), { ttlSeconds: -10 });
      try {
        await client().connect({ hmacToken: expired });
        expect.fail('should have been refused');
      } catch (error) {
        expect((error as CommsError).code).to.equal('auth:ticketExpired');
      }
    });

    it('will not change credentials while connected', async () => {
      const username = await newUser();
      const c = client();
      await c.connect({ username, password: PASSWORD }, { services: [] });
      expect(() => c.setCredentials({ username, password: 'other' })).to.throw(
        /disconnect\(\) first/,
      );
    });
  });

  describe('sessions', () => {
    it('a page reload resumes from the saved session without the password', async () => {
      const username = await newUser();
      const storage = new MemoryStorage();
      const first = client({ authentication: { storage } });
      await first.connect({ username, password: PASSWORD }, { services: ['chat'] });
      expect(storage.items.size).to.equal(1);
      await first.destroy(); // the page goes away without logging out

      const reloaded = client({ authentication: { storage } });
      await reloaded.connect(undefined, { services: ['chat'] });
      expect(reloaded.getUserInfo().user?.username).to.equal(username);
      expect(reloaded.services.getSubscriptions().subscribed).to.deep.equal(['chat']);
    });

    it('getSession() and setCredentials({session}) resume in another client (Sinch getSession)', async () => {
      const username = await newUser();
      const first = client();
      await first.connect({ username, password: PASSWORD }, { services: [] });
      const session = first.auth.getSession();
      expect(session?.user.username).to.equal(username);
      const other = client();
      await other.connect({ session: session! }, { services: [] });
      expect(other.getUserInfo().user?.username).to.equal(username);
    });

    it('logout revokes the session: a saved copy no longer works', async () => {
      const username = await newUser();
      const c = client();
      await c.connect({ username, password: PASSWORD }, { services: [] });
      const session = c.auth.getSession()!;
      await c.auth.logout();
      expect(c.store.getState().auth.status).to.equal('none');
      expect(c.connection.getSocketState().status).to.equal('disconnected');
      try {
        await client().connect({ session }, { services: [] });
        expect.fail('should have been refused');
      } catch (error) {
        expect((error as CommsError).code).to.match(/^auth:refresh/);
      }
    });

    it("another user signed in on the same client after logout sees nothing of the first's", async () => {
      const [ada, bob, carol] = [await newUser(), await newUser(), await newUser()];
      const b = client();
      await b.connect({ username: bob, password: PASSWORD });
      const c = client();
      await c.connect({ username: ada, password: PASSWORD });
      await c.contacts.add({ primaryContact: bob, firstName: 'Bob' });
      await c.presence.subscribe([bob]).catch(() => undefined); // not a contact of Bob's: refused
      c.conversation.get(bob).createMessage({ type: 'text', text: 'from ada' }).send();
      await until(c, (s) => Object.values(s.conversations.byKey).some((e) => e.lastSeq === 1));
      // One more, waiting in the outbox: the socket is cut first.
      c.connection.resetConnection();
      c.conversation.get(bob).createMessage({ type: 'text', text: 'ada, unsent' }).send();
      await c.auth.logout();
      const left = c.store.getState();
      expect(Object.keys(left.conversations.byKey), 'conversations after logout').to.deep.equal([]);
      expect(Object.keys(left.contacts.byId), 'contacts after logout').to.deep.equal([]);

      await c.connect({ username: carol, password: PASSWORD });
      await c.contacts.fetch();
      const state = c.store.getState();
      expect(Object.keys(state.conversations.byKey)).to.deep.equal([]);
      expect(Object.keys(state.contacts.byId)).to.deep.equal([]);
      expect(c.conversation.getAll()).to.deep.equal([]);
      // Bob got Ada's message once, and nothing from Carol: Ada's unsent one was not sent as her.
      const fromAda = b.conversation.get(ada);
      await until(b, () => fromAda.getMessages().length === 1);
      await new Promise((r) => setTimeout(r, 300));
      expect(b.conversation.getAll().map((e) => e.destination)).to.deep.equal([ada]);
      expect(fromAda.getMessages().map((m) => m.parts[0]!.text)).to.deep.equal(['from ada']);
    });

    it('another user connecting after a disconnect, without logout, sees nothing of the first', async () => {
      const [ada, bob, carol] = [await newUser(), await newUser(), await newUser()];
      const c = client();
      await c.connect({ username: ada, password: PASSWORD });
      c.conversation.get(bob).createMessage({ type: 'text', text: 'from ada' }).send();
      await until(c, (s) => Object.values(s.conversations.byKey).some((e) => e.lastSeq === 1));
      await c.disconnect();
      expect(c.conversation.getAll(), 'kept across a disconnect').to.have.length(1);
      await c.connect({ username: carol, password: PASSWORD });
      expect(c.conversation.getAll()).to.deep.equal([]);
      // The same user again keeps what it had.
      c.conversation.get(bob).createMessage({ type: 'text', text: 'from carol' }).send();
      await until(c, (s) => Object.values(s.conversations.byKey).some((e) => e.lastSeq === 1));
      await c.disconnect();
      await c.connect({ username: carol, password: PASSWORD });
      expect(c.conversation.getAll()).to.have.length(1);
    });

    it('logout hangs up the calls in progress: the other party sees them hung up', async () => {
      const [ada, bob] = [await newUser(), await newUser()];
      const a = client();
      await a.connect({ username: ada, password: PASSWORD });
      const b = client();
      await b.connect({ username: bob, password: PASSWORD });
      const rings = nextEvent(b, 'call:receive');
      const callId = a.call.make(bob, { audio: true });
      await rings;
      await until(b, (s) => s.call.calls[callId]?.state === 'Ringing');
      await b.call.answer(callId, { audio: true });
      await until(a, (s) => s.call.calls[callId]?.state === 'Connected');
      await a.auth.logout();
      await until(b, (s) => s.call.calls[callId]?.state === 'Ended');
      // Hung up, not lost with the connection.
      expect(b.call.getById(callId)?.transition).to.deep.include(Transitions.ENDED_REMOTELY);
    });

    it('refreshes the token without dropping the socket', async () => {
      const username = await newUser();
      const c = client();
      await c.connect({ username, password: PASSWORD }, { services: ['chat'] });
      const before = c.getUserInfo().token;
      let statusChanges = 0;
      c.on('ws:change', () => statusChanges++);
      await c.auth.refreshToken();
      expect(c.getUserInfo().token).not.to.equal(before);
      // The renewed token was accepted on the open socket: a request still gets its reply.
      await c.services.subscribe(['presence']);
      expect(c.services.getSubscriptions().subscribed).to.have.members(['chat', 'presence']);
      expect(statusChanges).to.equal(0);
    });
  });

  describe('short-lived tokens', () => {
    let shortGateway: TestGateway;
    before(async () => {
      shortGateway = await startGateway(['--access-token-ttl', '4']);
    });
    after(async () => {
      await shortGateway.stop();
    });

    it('renews the access token before it expires, over the open socket, which stays open', async () => {
      const username = uniqueName();
      const signup = createClient({ server: shortGateway.url, logs: { logLevel: 'silent' } });
      await signup.auth.signup({ username, password: PASSWORD });
      await signup.destroy();
      const c = createClient({ server: shortGateway.url, logs: { logLevel: 'silent' } });
      clients.push(c);
      await c.connect({ username, password: PASSWORD }, { services: ['chat'] });
      const first = c.getUserInfo().token;
      let statusChanges = 0;
      c.on('ws:change', () => statusChanges++);
      // The first token lives 4 s; past that the socket would be closed (4001) had it not been
      // renewed and sent over the socket in time.
      await until(
        c,
        (s) => (s.auth.expiresAt ?? 0) > Date.now() + 3000 && c.getUserInfo().token !== first,
      );
      await until(c, () => Date.now() > JSON.parse(atob(first!.split('.')[1]!)).exp * 1000 + 500);
      await c.services.subscribe(['presence']);
      expect(c.connection.getSocketState().status).to.equal('connected');
      expect(statusChanges).to.equal(0);
    });

    it('updateToken gives a bearer client a new token on its open socket', async () => {
      const username = uniqueName();
      const owner = createClient({ server: shortGateway.url, logs: { logLevel: 'silent' } });
      clients.push(owner);
      await owner.auth.signup({ username, password: PASSWORD });
      await owner.connect({ username, password: PASSWORD }, { services: [] });
      const bearer = createClient({ server: shortGateway.url, logs: { logLevel: 'silent' } });
      clients.push(bearer);
      await bearer.connect(
        { bearerAccessToken: owner.getUserInfo().token! },
        { services: ['chat'] },
      );
      await owner.auth.refreshToken();
      bearer.updateToken({ bearerAccessToken: owner.getUserInfo().token! });
      expect(bearer.getUserInfo().token).to.equal(owner.getUserInfo().token);
      expect(() => bearer.updateToken({ bearerAccessToken: '' })).to.throw(/non-empty string/);
      await bearer.services.subscribe(['presence']);
      expect(bearer.connection.getSocketState().status).to.equal('connected');
    });
  });

  describe('subscriptions', () => {
    it('two correlators of one user coexist; a repeated correlator replaces the earlier one', async () => {
      const username = await newUser();
      const phone = client();
      const laptop = client();
      await phone.connect(
        { username, password: PASSWORD },
        { services: ['call'], clientCorrelator: 'phone' },
      );
      await laptop.connect(
        { username, password: PASSWORD },
        { services: ['call'], clientCorrelator: 'laptop' },
      );
      expect(phone.services.getSubscriptions().subscribed).to.deep.equal(['call']);
      expect(laptop.services.getSubscriptions().subscribed).to.deep.equal(['call']);

      const replaced = nextEvent(phone, 'subscription:change', (p) => p.reason !== undefined);
      const newPhone = client();
      await newPhone.connect(
        { username, password: PASSWORD },
        { services: ['call'], clientCorrelator: 'phone' },
      );
      expect((await replaced).reason).to.equal(phone.services.changeReasons.REPLACED);
      expect(phone.services.getSubscriptions().subscribed).to.deep.equal([]);
      expect(laptop.services.getSubscriptions().subscribed).to.deep.equal(['call']);
      expect(newPhone.services.getSubscriptions().subscription?.clientCorrelator).to.equal('phone');
    });

    it('unsubscribes some services, then all', async () => {
      const username = await newUser();
      const c = client();
      await c.connect({ username, password: PASSWORD });
      await c.services.unsubscribe(['chat']);
      expect(c.services.getSubscriptions().subscribed).to.have.members(['call', 'presence']);
      await c.services.unsubscribe();
      expect(c.services.getSubscriptions().subscribed).to.deep.equal([]);
    });

    it('refuses an unknown service and unsubscribing what is not subscribed', async () => {
      const username = await newUser();
      const c = client();
      await c.connect({ username, password: PASSWORD }, { services: ['call'] });
      const error = nextEvent(c, 'subscription:error');
      try {
        await c.services.subscribe(['video-conference']);
        expect.fail('should have thrown');
      } catch (e) {
        expect((e as CommsError).code).to.equal('subscription:unknownService');
        expect((e as CommsError).message).to.contain("'video-conference'");
      }
      expect((await error).error.code).to.equal('subscription:unknownService');
      try {
        await c.services.unsubscribe(['chat']);
        expect.fail('should have thrown');
      } catch (e) {
        expect((e as CommsError).message).to.contain("no subscription for 'chat'");
      }
    });

    it('accepts the seeds’ ServiceDescriptor form and the IM alias', async () => {
      const username = await newUser();
      const c = client();
      await c.connect({ username, password: PASSWORD }, { services: [] });
      await c.services.subscribe([{ service: 'call' }, 'IM']);
      expect(c.services.getSubscriptions().subscribed).to.have.members(['call', 'chat']);
    });
  });

  describe('reconnecting', () => {
    it('after the network drops the socket, comes back subscribed by itself', async () => {
      const username = await newUser();
      const c = client({ connectivity: { reconnectDelay: 300, reconnectJitter: 0.2 } });
      await c.connect(
        { username, password: PASSWORD },
        { services: ['call', 'chat'], clientCorrelator: 'dev-1' },
      );
      const lost = nextEvent(c, 'subscription:change', (p) => p.reason === 'lostConnection');
      const reconnecting = nextEvent(c, 'ws:change', (s) => s.status === 'reconnecting');
      const droppedAt = performance.now();
      expect(await gateway.drop()).to.be.greaterThan(0);
      await lost;
      const state = await reconnecting;
      expect(state.attempt).to.equal(1);
      await nextEvent(c, 'ws:change', (s) => s.status === 'connected');
      const waited = performance.now() - droppedAt;
      expect(waited).to.be.at.least(300 * 0.8 - 20);
      await until(c, (s) => s.services.subscribed.length === 2);
      expect(c.services.getSubscriptions().subscription?.clientCorrelator).to.equal('dev-1');
    });

    it('while the server restarts, backs off as configured, then comes back subscribed', async () => {
      const username = await newUser();
      const c = client({
        connectivity: {
          reconnectDelay: 200,
          reconnectTimeMultiplier: 2,
          reconnectJitter: 0,
          reconnectLimit: 0,
        },
      });
      await c.connect({ username, password: PASSWORD }, { services: ['call'] });
      const planned: Array<{ attempt: number; delay: number }> = [];
      c.store.select(
        (s) => s.connection.nextAttemptAt,
        (at) => {
          if (at !== null)
            planned.push({
              attempt: c.store.getState().connection.attempt,
              delay: at - Date.now(),
            });
        },
      );
      await gateway.kill();
      await until(c, (s) => s.connection.attempt >= 3);
      await gateway.revive();
      await until(
        c,
        (s) => s.connection.status === 'connected' && s.services.subscribed.includes('call'),
      );
      const firstThree = planned.slice(0, 3);
      expect(firstThree.map((p) => p.attempt)).to.deep.equal([1, 2, 3]);
      [200, 400, 800].forEach((expected, i) =>
        expect(firstThree[i]!.delay).to.be.within(expected - 50, expected + 5),
      );
    });

    it('gives up after reconnectLimit attempts with connection:error', async () => {
      const username = await newUser();
      const c = client({
        connectivity: { reconnectDelay: 50, reconnectLimit: 2, reconnectJitter: 0 },
      });
      await c.connect({ username, password: PASSWORD }, { services: [] });
      const gaveUp = nextEvent(c, 'connection:error');
      await gateway.kill();
      try {
        const { error } = await gaveUp;
        expect(error.code).to.equal('connection:lost');
        expect(c.connection.getSocketState().status).to.equal('disconnected');
      } finally {
        await gateway.revive();
      }
    });

    it('resetConnection() drops and restores the socket', async () => {
      const username = await newUser();
      const c = client();
      await c.connect({ username, password: PASSWORD }, { services: ['chat'] });
      const back = nextEvent(c, 'ws:change', (s) => s.status === 'connected');
      c.connection.resetConnection();
      await back;
      await until(c, (s) => s.services.subscribed.includes('chat'));
    });

    it('waits while the browser is offline and reconnects at once when it is back online', async () => {
      const username = await newUser();
      let online = true;
      const c = new CommsClient(
        { server: gateway.url, logs: { logLevel: 'silent' }, connectivity: { reconnectDelay: 50 } },
        { isOnline: () => online },
      );
      clients.push(c);
      await c.connect({ username, password: PASSWORD }, { services: ['chat'] });
      online = false;
      window.dispatchEvent(new Event('offline'));
      await until(c, (s) => s.connection.status === 'reconnecting' && !s.connection.online);
      // The retry timer fires and, offline, plans nothing further: it waits for `online`.
      const waiting = await until(c, (s) => s.connection.nextAttemptAt === null);
      expect(waiting.connection.status).to.equal('reconnecting');
      online = true;
      window.dispatchEvent(new Event('online'));
      await until(
        c,
        (s) => s.connection.status === 'connected' && s.services.subscribed.includes('chat'),
      );
    });

    it('disconnect() closes for good: no reconnecting', async () => {
      const username = await newUser();
      const c = client();
      await c.connect({ username, password: PASSWORD }, { services: ['chat'] });
      await c.disconnect();
      expect(c.connection.getSocketState().status).to.equal('disconnected');
      expect(c.services.getSubscriptions().subscribed).to.deep.equal([]);
      expect(c.getUserInfo().username).to.equal(username);
    });
  });
});
