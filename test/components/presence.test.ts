/**
 * <comms-presence> against the real gateway (fresh database, loopback) in Chromium: your status
 * and note reaching another user's roster, the directory search, adding and removing contacts,
 * and the call and chat intents.
 */
import { expect, fixture, html, oneEvent } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import '../../components/presence/comms-presence.js';
import type { CommsPresence } from '../../components/presence/presence.js';
import type {
  CommsCallRequestEvent,
  CommsChatRequestEvent,
  CommsContactAddEvent,
  CommsContactRemoveEvent,
  CommsPresenceSetEvent,
} from '../../components/shared/events.js';
import { createClient, type CommsClient } from '../../core/index.js';
import { $, must, root, settled, shown } from '../helpers/elements.js';
import { startGateway, uniqueName, type TestGateway } from '../helpers/gateway.browser.js';
import { until } from '../helpers/waits.js';

const PASSWORD = 'correct horse battery staple';

const text = (el: Element, selector: string) =>
  (must(el, selector).textContent ?? '').replace(/\s+/g, ' ').trim();
const row = (el: Element, userId: string) => `[part~="contact"][data-user="${userId}"]`;
const names = (el: Element) =>
  [...root(el).querySelectorAll('[part~="contact"] [part="name"]')].map((n) => n.textContent);
const polite = (el: Element) => text(el, '[role="status"]');

describe('<comms-presence>', function () {
  this.timeout(40000);
  let gateway: TestGateway;
  let clients: CommsClient[] = [];

  before(async () => {
    gateway = await startGateway(['--presence-grace', '0']);
  });
  after(async () => {
    await gateway.stop();
  });
  afterEach(async () => {
    await Promise.all(clients.map((c) => c.destroy()));
    clients = [];
  });

  /** Signs up a user with this display name; resolves with their user id (the username). */
  async function user(displayName: string): Promise<string> {
    const name = uniqueName(displayName.split(' ')[0]!.toLowerCase());
    const c = createClient({ server: gateway.url, logs: { logLevel: 'silent' } });
    await c.auth.signup({ username: name, password: PASSWORD, displayName });
    await c.destroy();
    return name;
  }

  async function signedIn(username: string): Promise<CommsClient> {
    const c = createClient({ server: gateway.url, logs: { logLevel: 'silent' } });
    clients.push(c);
    await c.connect({ username, password: PASSWORD });
    return c;
  }

  /** Each of `a` and `b` has the other as a contact (so they see each other's presence). */
  async function befriend(a: CommsClient, aId: string, b: CommsClient, bId: string) {
    // The other side first: when `a` adds `b`, `b` already shares their presence with `a`.
    await b.contacts.add({ primaryContact: aId });
    await a.contacts.add({ primaryContact: bId });
  }

  async function presenceOf(client: CommsClient, attrs = '') {
    const host = await fixture<HTMLDivElement>(html`<div></div>`);
    host.innerHTML = `<comms-presence ${attrs}></comms-presence>`;
    const el = host.firstElementChild as CommsPresence;
    el.client = client;
    await el.updateComplete;
    return el;
  }

  it('is accessible: empty, with contacts and search results, and asking to remove', async () => {
    const alice = await user('Alice Liddell');
    const bob = await user('Bob Builder');
    const a = await signedIn(alice);
    const el = await presenceOf(a);
    await settled(
      el,
      () => !!$(el, '[part="empty"]') && text(el, '[part="empty"]').startsWith('No contacts'),
      'empty',
    );
    // It points to the search, which comes after it.
    expect(text(el, '[part="empty"]')).to.contain('Find people below');
    expect(
      must(el, '[part="empty"]').compareDocumentPosition(must(el, '[part="search-input"]')) &
        Node.DOCUMENT_POSITION_FOLLOWING,
    ).to.not.equal(0);
    await expect(el).to.be.accessible();
    // Without the search, it points to nothing.
    el.noSearch = true;
    await el.updateComplete;
    expect(text(el, '[part="empty"]')).to.equal('No contacts yet.');
    el.noSearch = false;
    await el.updateComplete;

    const b = await signedIn(bob);
    await befriend(a, alice, b, bob);
    await settled(el, () => !!$(el, row(el, bob)), 'the contact shows');
    await settled(el, () => shown(el, `${row(el, bob)} [part="status"]`) === 'Available', 'online');
    await el.search(bob);
    await settled(el, () => !!$(el, `[part="result"][data-user="${bob}"]`), 'found');
    await expect(el).to.be.accessible();

    must(el, `${row(el, bob)} [part~="remove-button"]`).click();
    await settled(el, () => !!$(el, '[part="confirm"]'), 'asks first');
    await expect(el).to.be.accessible();
  });

  it('shows your status change and note in the other user’s roster, and announces it', async () => {
    const alice = await user('Alice Liddell');
    const bob = await user('Bob Builder');
    const carol = await user('Aaron Offline');
    const a = await signedIn(alice);
    const b = await signedIn(bob);
    await befriend(a, alice, b, bob);
    // Carol is a mutual contact who is not connected: listed after the online ones.
    const c = await signedIn(carol);
    await befriend(a, alice, c, carol);
    await c.disconnect();

    const viewA = await presenceOf(a);
    const viewB = await presenceOf(b);
    await settled(
      viewA,
      () => shown(viewA, `${row(viewA, bob)} [part="status"]`) === 'Available',
      'bob online',
    );
    await settled(
      viewA,
      () => shown(viewA, `${row(viewA, carol)} [part="status"]`) === 'Offline',
      'carol offline',
    );
    await settled(
      viewA,
      () => names(viewA).join() === 'Bob Builder,Aaron Offline',
      'online first, then by name (names from the directory)',
    );
    expect(must(viewA, `${row(viewA, bob)} [part="dot"]`).dataset.state).to.equal('available');
    expect(must(viewA, `${row(viewA, carol)} [part="dot"]`).dataset.state).to.equal('offline');

    // Bob picks Busy: the request, then Alice's roster, and an announcement on both sides.
    const select = must<HTMLSelectElement>(viewB, '[part="status-select"]');
    expect(select.value).to.equal('available');
    const set = oneEvent(viewB, 'comms-presence-set') as Promise<CommsPresenceSetEvent>;
    select.value = 'busy';
    select.dispatchEvent(new Event('change', { bubbles: true }));
    expect((await set).detail).to.deep.equal({ status: 'open', activity: 'busy', note: '' });
    await settled(
      viewA,
      () => shown(viewA, `${row(viewA, bob)} [part="status"]`) === 'Busy',
      'busy there',
    );
    expect(must(viewA, `${row(viewA, bob)} [part="dot"]`).dataset.state).to.equal('busy');
    await settled(
      viewA,
      () => polite(viewA).includes('Bob Builder is now Busy'),
      'announced there',
    );
    await settled(viewB, () => polite(viewB).includes('Your status is now Busy'), 'confirmed here');

    // A note, saved with Enter.
    const note = must<HTMLInputElement>(viewB, '[part="note-input"]');
    note.focus();
    await sendKeys({ type: 'In a <b>meeting</b>' });
    await sendKeys({ press: 'Enter' });
    await settled(viewA, () => !!$(viewA, `${row(viewA, bob)} [part="note"]`), 'note there');
    expect(text(viewA, `${row(viewA, bob)} [part="note"]`), 'as text, never HTML').to.equal(
      'In a <b>meeting</b>',
    );
    expect($(viewA, `${row(viewA, bob)} [part="note"] b`)).to.equal(null);
    expect(must(viewA, row(viewA, bob)).getAttribute('aria-label')).to.equal(
      'Bob Builder: Busy. In a <b>meeting</b>',
    );
    await settled(viewB, () => polite(viewB).includes('Note saved'), 'note confirmed');

    // Bob goes away entirely: Alice's roster says so, and Bob drops below Carol? No: both offline, by name.
    await b.disconnect();
    await settled(
      viewA,
      () => shown(viewA, `${row(viewA, bob)} [part="status"]`) === 'Offline',
      'offline',
    );
    expect(names(viewA)).to.deep.equal(['Aaron Offline', 'Bob Builder']);
    await settled(viewA, () => polite(viewA).includes('Bob Builder went offline'), 'announced');
  });

  it('says presence is not shared until the contact adds you back', async () => {
    const alice = await user('Alice Liddell');
    const bob = await user('Bob Builder');
    const a = await signedIn(alice);
    await signedIn(bob);
    await a.contacts.add({ primaryContact: bob });
    const el = await presenceOf(a);
    await settled(el, () => !!$(el, row(el, bob)), 'listed');
    await settled(
      el,
      () => shown(el, `${row(el, bob)} [part="status"]`) === 'Presence not shared',
      'hidden',
    );
    expect(must(el, `${row(el, bob)} [part="dot"]`).dataset.state).to.equal('hidden');
  });

  it('searches the directory as you type, adds a contact, and removes it after asking', async () => {
    const alice = await user('Alice Liddell');
    const bob = await user('Bob Builder');
    const a = await signedIn(alice);
    const el = await presenceOf(a);
    await settled(el, () => shown(el, '[part="empty"]').startsWith('No contacts'), 'empty');

    must(el, '[part="search-input"]').focus();
    await sendKeys({ type: bob });
    await settled(el, () => !!$(el, `[part="result"][data-user="${bob}"]`), 'found');
    expect(text(el, '[part="search-status"]')).to.equal('People found: 1');
    expect(text(el, `[part="result"][data-user="${bob}"] .name`)).to.equal('Bob Builder');

    const add = must(el, `[part="result"][data-user="${bob}"] [part~="add-button"]`);
    expect(add.getAttribute('aria-label')).to.equal('Add Bob Builder to contacts');
    const added = oneEvent(el, 'comms-contact-add') as Promise<CommsContactAddEvent>;
    add.click();
    expect((await added).detail).to.deep.equal({
      primaryContact: bob,
      firstName: 'Bob',
      lastName: 'Builder',
    });
    await settled(el, () => !!$(el, row(el, bob)), 'in the roster');
    expect(a.contacts.getAll().map((c) => c.primaryContact)).to.deep.equal([bob]);
    expect(text(el, row(el, bob) + ' [part="name"]')).to.equal('Bob Builder');
    await settled(el, () => polite(el).includes('Bob Builder added to your contacts'), 'announced');
    await settled(
      el,
      () => shown(el, `[part="result"][data-user="${bob}"]`).includes('In your contacts'),
      'the result says so',
    );

    // Nobody matches.
    await el.search('zz-nobody-has-this-name');
    expect(text(el, '[part="search-status"]')).to.equal(
      'Nobody matches “zz-nobody-has-this-name”.',
    );

    // Remove: asks first; Keep leaves it; Remove removes it.
    must(el, `${row(el, bob)} [part~="remove-button"]`).click();
    await settled(el, () => !!$(el, '[part="confirm"]'), 'asks');
    expect(text(el, '[part="confirm"] #confirm-text')).to.equal(
      'Remove Bob Builder from your contacts?',
    );
    expect(root(el).activeElement?.getAttribute('part')).to.equal('cancel-button');
    must(el, '[part~="cancel-button"]').click();
    await settled(el, () => !$(el, '[part="confirm"]'), 'kept');
    expect(a.contacts.getAll()).to.have.length(1);

    must(el, `${row(el, bob)} [part~="remove-button"]`).click();
    await settled(el, () => !!$(el, '[part~="confirm-button"]'), 'asks again');
    const removed = oneEvent(el, 'comms-contact-remove') as Promise<CommsContactRemoveEvent>;
    const contactId = a.contacts.getAll()[0]!.contactId;
    must(el, '[part~="confirm-button"]').click();
    expect((await removed).detail).to.deep.equal({ contactId });
    await until(a, (s) => Object.keys(s.contacts.byId).length === 0);
    await settled(el, () => shown(el, '[part="empty"]').startsWith('No contacts'), 'empty again');
    await settled(el, () => polite(el).includes('Bob Builder removed'), 'announced');
    expect(root(el).activeElement?.id, 'focus goes to the search').to.equal('search');
  });

  it('call, video and chat buttons ask for the right thing', async () => {
    const alice = await user('Alice Liddell');
    const bob = await user('Bob Builder');
    const a = await signedIn(alice);
    const b = await signedIn(bob);
    await befriend(a, alice, b, bob);
    const el = await presenceOf(a);
    await settled(el, () => !!$(el, row(el, bob)), 'listed');

    // The page takes over the calls (no media needed here): the element carries out nothing.
    const stop = (event: Event) => event.preventDefault();
    document.addEventListener('comms-call-request', stop);
    try {
      let request = oneEvent(el, 'comms-call-request') as Promise<CommsCallRequestEvent>;
      must(el, `${row(el, bob)} [part~="call-button"]`).click();
      let event = await request;
      expect(event.detail).to.deep.equal({ destination: bob, video: false });
      expect(event.cancelable && event.bubbles && event.composed).to.equal(true);
      expect((await event.settle()).status).to.equal('prevented');

      request = oneEvent(el, 'comms-call-request') as Promise<CommsCallRequestEvent>;
      must(el, `${row(el, bob)} [part~="video-button"]`).click();
      event = await request;
      expect(event.detail).to.deep.equal({ destination: bob, video: true });
    } finally {
      document.removeEventListener('comms-call-request', stop);
    }
    expect(a.call.getAll()).to.have.length(0);

    const chat = oneEvent(el, 'comms-chat-request') as Promise<CommsChatRequestEvent>;
    must(el, `${row(el, bob)} [part~="chat-button"]`).click();
    const event = await chat;
    expect(event.detail).to.deep.equal({ destination: bob });
    const outcome = await event.settle();
    expect(outcome.status).to.equal('done');
    expect(a.conversation.getAll().map((c) => c.destination)).to.include(bob);

    el.noVideo = true;
    await el.updateComplete;
    expect($(el, `${row(el, bob)} [part~="video-button"]`), 'no-video').to.equal(null);
    expect($(el, `${row(el, bob)} [part~="call-button"]`)).not.to.equal(null);
  });

  it('shows a contact’s presence as soon as they add you back, without asking again', async () => {
    const alice = await user('Alice Liddell');
    const bob = await user('Bob Builder');
    const a = await signedIn(alice);
    const b = await signedIn(bob);
    await b.presence.update('open', 'busy');
    const el = await presenceOf(a);
    await a.contacts.add({ primaryContact: bob });
    const status = () => shown(el, `${row(el, bob)} [part="status"]`);
    await settled(el, () => status() === 'Presence not shared', 'one way: not shared');
    // The element asks again only once a minute; the gateway pushes it at once.
    await b.contacts.add({ primaryContact: alice });
    await settled(el, () => status() === 'Busy', 'shared once Bob adds Alice back');
  });

  it('Appear offline shows you offline to your contacts, until you pick a status again', async () => {
    const alice = await user('Alice Liddell');
    const bob = await user('Bob Builder');
    const a = await signedIn(alice);
    const b = await signedIn(bob);
    await befriend(a, alice, b, bob);
    const viewA = await presenceOf(a);
    const viewB = await presenceOf(b);
    const status = () => shown(viewA, `${row(viewA, bob)} [part="status"]`);
    await settled(viewA, () => status() === 'Available', 'online');

    expect(await viewB.setPresence('offline')).to.equal(true);
    await settled(viewA, () => status() === 'Offline', 'appears offline');
    expect(must<HTMLSelectElement>(viewB, '[part="status-select"]').value).to.equal('offline');
    expect(b.presence.getSelf()?.status).to.equal('closed');

    expect(await viewB.setPresence('away')).to.equal(true);
    await settled(viewA, () => status() === 'Away', 'back, away');
    expect(must(viewA, `${row(viewA, bob)} [part="dot"]`).dataset.state).to.equal('away');
  });

  it('works from the keyboard: arrows move between contacts, Tab reaches their actions', async () => {
    const alice = await user('Alice Liddell');
    const bob = await user('Bob Builder');
    const dan = await user('Dan Dare');
    const a = await signedIn(alice);
    const b = await signedIn(bob);
    const d = await signedIn(dan);
    await befriend(a, alice, b, bob);
    await befriend(a, alice, d, dan);
    const el = await presenceOf(a, 'no-search');
    await settled(el, () => names(el).length === 2, 'listed');
    await settled(el, () => !!$(el, `${row(el, dan)}[data-state="available"]`), 'dan online');
    await settled(el, () => !!$(el, `${row(el, bob)}[data-state="available"]`), 'bob online');
    // Contacts added by id are named once the directory answers (a moment later).
    await settled(el, () => names(el).join() === 'Bob Builder,Dan Dare', 'named, in order');

    const first = must(el, row(el, bob));
    const second = must(el, row(el, dan));
    expect(first.tabIndex).to.equal(0);
    expect(second.tabIndex, 'one row in the tab order').to.equal(-1);
    first.focus();
    await sendKeys({ press: 'ArrowDown' });
    await el.updateComplete;
    expect(root(el).activeElement).to.equal(second);
    expect(second.tabIndex).to.equal(0);
    expect(first.tabIndex).to.equal(-1);
    await sendKeys({ press: 'Home' });
    await el.updateComplete;
    expect(root(el).activeElement).to.equal(first);

    await sendKeys({ press: 'Tab' });
    expect(root(el).activeElement?.getAttribute('part')).to.equal('call-button');
    const chat = oneEvent(el, 'comms-chat-request') as Promise<CommsChatRequestEvent>;
    await sendKeys({ press: 'Tab' });
    await sendKeys({ press: 'Tab' });
    expect(root(el).activeElement?.getAttribute('part')).to.equal('chat-button');
    await sendKeys({ press: 'Enter' });
    expect((await chat).detail.destination).to.equal(bob);

    // Delete on a row asks to remove it; Escape keeps it.
    first.focus();
    await sendKeys({ press: 'Delete' });
    await settled(el, () => !!$(el, '[part="confirm"]'), 'asks');
    await sendKeys({ press: 'Escape' });
    await settled(el, () => !$(el, '[part="confirm"]'), 'kept');
    expect(root(el).activeElement).to.equal(must(el, row(el, bob)));
  });

  it('is honest offline: a notice, and actions that need the server disabled', async () => {
    const own = await startGateway();
    const local: CommsClient[] = [];
    try {
      const make = () => {
        const c = createClient({
          server: own.url,
          logs: { logLevel: 'silent' },
          connectivity: { reconnectDelay: 100, reconnectLimit: 0 },
        });
        local.push(c);
        return c;
      };
      const signup = make();
      const alice = uniqueName('alice');
      const bob = uniqueName('bob');
      for (const name of [alice, bob])
        await signup.auth.signup({ username: name, password: PASSWORD, displayName: name });
      const a = make();
      await a.connect({ username: alice, password: PASSWORD });
      const b = make();
      await b.connect({ username: bob, password: PASSWORD });
      await b.contacts.add({ primaryContact: alice });
      await a.contacts.add({ primaryContact: bob });
      const el = await presenceOf(a);
      const status = () => shown(el, `${row(el, bob)} [part="status"]`);
      await settled(el, () => status() === 'Available', 'listed, online');
      await own.kill();
      await settled(el, () => !!$(el, '[part="connection"]'), 'the notice');
      // What Alice knew of Bob may be old now: no status is shown until she is back.
      await settled(el, () => status() === 'Not known while you are offline', 'stale');
      expect(must(el, `${row(el, bob)} [part="dot"]`).dataset.state).to.equal('unknown');
      const call = must(el, `${row(el, bob)} [part~="call-button"]`);
      expect(call.getAttribute('aria-disabled')).to.equal('true');
      expect(call.getAttribute('aria-describedby')).to.equal('connection-reason');
      expect(must(el, '[part="status-select"]').getAttribute('aria-disabled')).to.equal('true');
      let asked = false;
      el.addEventListener('comms-call-request', () => (asked = true));
      call.click();
      expect(asked).to.equal(false);
      await own.revive();
      await settled(el, () => !$(el, '[part="connection"]'), 'back');
      expect(
        must(el, `${row(el, bob)} [part~="call-button"]`).getAttribute('aria-disabled'),
      ).to.equal('false');
    } finally {
      await Promise.all(local.map((c) => c.destroy()));
      await own.stop();
    }
  });

  it('speaks French', async () => {
    const alice = await user('Alice Liddell');
    const a = await signedIn(alice);
    const host = await fixture<HTMLDivElement>(html`<div lang="fr"></div>`);
    host.innerHTML = '<comms-presence></comms-presence>';
    const el = host.firstElementChild as CommsPresence;
    el.client = a;
    await settled(
      el,
      () => !!$(el, '[part="empty"]') && text(el, '[part="empty"]').startsWith('Aucun'),
      'fr',
    );
    expect(text(el, 'label[for="search"]')).to.equal('Trouver des personnes');
  });

  it('after sign-out and sign-in as someone else on the same client, shows their contacts', async () => {
    const alice = await user('Alice Liddell');
    const bob = await user('Bob Builder');
    const carol = await user('Carol Danvers');
    const a = await signedIn(alice);
    await a.contacts.add({ primaryContact: bob });
    const el = await presenceOf(a);
    await settled(el, () => names(el).join() === 'Bob Builder', 'Alice’s contacts');

    await a.auth.logout();
    await settled(el, () => !!$(el, '[part="signed-out"]'), 'signed out');
    expect($(el, '[part="roster"]')).to.equal(null);

    await a.connect({ username: carol, password: PASSWORD });
    await settled(el, () => shown(el, '[part="empty"]').startsWith('No contacts'), 'Carol’s');
    expect(names(el)).to.deep.equal([]);
  });

  it('asks to sign in when the client is not signed in', async () => {
    const c = createClient({ server: gateway.url, logs: { logLevel: 'silent' } });
    clients.push(c);
    const el = await presenceOf(c);
    expect(text(el, '[part="signed-out"]')).to.equal('Sign in to see your contacts.');
    expect($(el, '[part="roster"]')).to.equal(null);
    await expect(el).to.be.accessible();
  });
});
