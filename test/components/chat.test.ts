/**
 * `<comms-chat>` in real Chromium against the real gateway (fresh database, loopback): two
 * users, each with a real client, each with their own `<comms-chat>`.
 */
import { expect, fixture, html } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import '../../components/client/comms-client.js';
import '../../components/chat/comms-chat.js';
import type { CommsChat } from '../../components/chat/chat.js';
import { linkify } from '../../components/chat/linkify.js';
import { dayOf, threadItems } from '../../components/chat/thread.js';
import { CommsChatRequestEvent } from '../../components/shared/events.js';
import { createClient, type ClientState, type CommsClient } from '../../core/index.js';
import type { ConversationEntry, MessageView } from '../../core/conversation/types.js';
import { Store } from '../../core/store.js';
import { uniqueName } from '../helpers/gateway.browser.js';
import { PASSWORD, chatTestBed } from '../helpers/chat-bed.js';
import { until } from '../helpers/waits.js';
import { $, $$, must, settled, text } from '../helpers/elements.js';
import { setupIgnoreWindowResizeObserverLoopErrors } from '@lit-labs/virtualizer/support/resize-observer-errors.js';

// The virtualizer measures rows with a ResizeObserver; Chromium reports the benign "loop
// completed with undelivered notifications" on window.onerror, which Mocha would count as a
// failure. The virtualizer's own helper ignores exactly that message.
setupIgnoreWindowResizeObserverLoopErrors(beforeEach, afterEach);

/** The texts of the messages rendered in the thread. */
const shown = (el: Element) => $$(el, '[part~="message"] [part="text"]').map((p) => p.textContent);
const statuses = (el: Element) => $$(el, '[part="status"]').map((s) => s.dataset.status);

const frame = () => new Promise((resolve) => requestAnimationFrame(resolve));

describe('<comms-chat>', function () {
  this.timeout(60000);
  const bed = chatTestBed('chat');
  const { user, device, chat } = bed;

  async function type(el: CommsChat, keys: string) {
    must<HTMLTextAreaElement>(el, '[part="input"]').focus();
    await sendKeys({ type: keys });
  }

  async function pairChatting() {
    const alice = await user();
    const bob = await user();
    const a = await device(alice);
    const b = await device(bob);
    const chatA = await chat(a, `destination="${bob}"`);
    const chatB = await chat(b, `destination="${alice}"`);
    return { alice, bob, a, b, chatA, chatB };
  }

  it('is accessible: empty, with the new-conversation panel, with a thread, narrow', async () => {
    const alice = await user();
    const a = await device(alice);
    const el = await chat(a);
    expect(text($(el, '.list'))).to.contain('No conversations yet.');
    await expect(el).to.be.accessible();

    must(el, '[part="new-button"]').click();
    await settled(el, () => !!$(el, '[part="new"]'), 'the panel opens');
    expect(must(el, '[part="new-button"]').getAttribute('aria-expanded')).to.equal('true');
    await expect(el).to.be.accessible();
    // Escape closes it, back to its button.
    must<HTMLInputElement>(el, '[part="search"]').focus();
    await sendKeys({ press: 'Escape' });
    await settled(el, () => !$(el, '[part="new"]'), 'Escape closes the panel');
    expect(el.shadowRoot!.activeElement).to.equal($(el, '[part="new-button"]'));

    const bob = await user();
    el.open(bob);
    await settled(el, () => !!$(el, '[part="composer"]'), 'the thread opens');
    await type(el, 'hello');
    await sendKeys({ press: 'Enter' });
    await settled(el, () => statuses(el).includes('sent'), 'the message is stored');
    expect(text($(el, '[part="conversation"] [part="name"]'))).to.equal(`Name ${bob}`);
    expect(must(el, '[part="input"]').getAttribute('placeholder'), 'says who it goes to').to.equal(
      `Message to Name ${bob}`,
    );
    await expect(el).to.be.accessible();

    const narrow = await chat(a, `destination="${bob}"`, 320);
    await settled(narrow, () => shown(narrow).length === 1, 'the thread shows');
    expect(getComputedStyle(must(narrow, '.list')).display, 'one pane at 320 px').to.equal('none');
    await expect(narrow).to.be.accessible();
    must(narrow, '[part="back-button"]').click();
    await settled(
      narrow,
      () => getComputedStyle(must(narrow, '.thread')).display === 'none',
      'list',
    );
    expect(getComputedStyle(must(narrow, '.list')).display).to.not.equal('none');
    await expect(narrow).to.be.accessible();
  });

  it('Enter sends: the message appears once on the other side, announced, and comes back read', async () => {
    const { alice, chatA, chatB } = await pairChatting();
    await type(chatA, 'hello bob');
    await sendKeys({ press: 'Enter' });
    expect(must<HTMLTextAreaElement>(chatA, '[part="input"]').value, 'composer cleared').to.equal(
      '',
    );
    await settled(chatB, () => shown(chatB).includes('hello bob'), 'bob sees it');
    expect(text($(chatB, '[role="status"]'))).to.equal(`New message from Name ${alice}: hello bob`);
    // Bob's thread is visible, so it is marked read and Alice sees the receipt.
    await settled(chatA, () => statuses(chatA).join() === 'read', 'alice sees it read');
    expect(text($(chatA, '[part="status"]'))).to.equal('Read');
    expect(shown(chatB)).to.deep.equal(['hello bob']);
    expect(shown(chatA)).to.deep.equal(['hello bob']);
    expect(text($(chatA, '[role="status"]')), 'own messages are not announced').to.equal('');
  });

  it('the list shows presence, the last message and unread; showing the thread clears it', async () => {
    const alice = await user();
    const bob = await user();
    const carol = await user();
    const a = await device(alice);
    const b = await device(bob);
    // The gateway shows presence between users who have each other as contacts.
    await a.contacts.add({ primaryContact: bob });
    await b.contacts.add({ primaryContact: alice });
    const el = await chat(a, `destination="${carol}"`);
    b.conversation.get(alice).createMessage({ type: 'text', text: 'ping from bob' }).send();
    const row = () => $$(el, '[part="conversation"]').find((r) => text(r).includes(`Name ${bob}`));
    await settled(
      el,
      () => !!row()?.querySelector('[part="unread"]'),
      'bob’s conversation is unread',
    );
    expect(row()!.querySelector('[part="unread"] [aria-hidden="true"]')!.textContent).to.equal('1');
    expect(text(row()!.querySelector('[part="unread"] .visually-hidden'))).to.equal('1 unread');
    expect(text(row()!.querySelector('[part="preview"]'))).to.equal('ping from bob');
    await settled(
      el,
      () => row()!.querySelector<HTMLElement>('[part="presence"]')!.dataset.status === 'open',
      'bob shows online',
    );
    expect(text(row() ?? null)).to.contain('online');
    // What Bob is doing shows as <comms-presence> shows it: the activity's colour and words.
    const colour = () =>
      getComputedStyle(row()!.querySelector('[part="presence"]')!).backgroundColor;
    const online = colour();
    await b.presence.update('open', 'on-the-phone');
    await settled(
      el,
      () =>
        row()!.querySelector<HTMLElement>('[part="presence"]')!.dataset.activity === 'on-the-phone',
      'bob shows on the phone',
    );
    expect(text(row() ?? null)).to.contain('On the phone');
    expect(colour(), 'the busy colour, not the online one').to.not.equal(online);
    await b.presence.update('open', 'available');
    await settled(
      el,
      () => !row()!.querySelector<HTMLElement>('[part="presence"]')!.dataset.activity,
      'bob shows available again',
    );
    expect(text(row() ?? null)).to.contain('online');
    expect(colour()).to.equal(online);
    expect(a.conversation.get(bob).unread, 'not read while another thread is shown').to.equal(1);

    // New conversation lists the contacts.
    must(el, '[part="new-button"]').click();
    await settled(el, () => !!$(el, '[part="person"]'), 'the contacts show');
    // Named by what it shows (axe: label-content-name-mismatch), after a hidden "Chat with".
    const people = $$(el, '[part="person"]');
    expect(people.map((p) => p.getAttribute('aria-label'))).to.deep.equal([null]);
    expect(people.map((p) => p.textContent!.replace(/\s+/g, ' ').trim())).to.deep.equal([
      `Chat with ${bob} ${bob}`,
    ]);
    await expect(el).to.be.accessible();
    must(el, '[part="new-button"]').click();

    row()!.click();
    await settled(el, () => el.conversation === a.conversation.get(bob).id, 'bob’s thread opens');
    await settled(el, () => !row()!.querySelector('[part="unread"]'), 'read once shown');
    await until(b, () => b.conversation.get(alice).getMessages()[0]?.status === 'read');
    await b.disconnect();
    await settled(
      el,
      () => row()!.querySelector<HTMLElement>('[part="presence"]')!.dataset.status === 'closed',
      'bob shows offline',
    );
  });

  it('speaks the language of its lang attribute', async () => {
    const alice = await user();
    const a = await device(alice);
    const host = await fixture<HTMLDivElement>(html`<div lang="fr" style="width: 800px"></div>`);
    host.innerHTML = '<comms-chat></comms-chat>';
    const el = host.firstElementChild as CommsChat;
    el.client = a;
    await settled(el, () => text($(el, '.list')).includes('Aucune conversation'), 'French');
    expect(text($(el, '[part="new-button"]'))).to.equal('Nouvelle conversation');
  });

  it('Shift+Enter adds a line; typing shows on the other side', async () => {
    const { alice, chatA, chatB } = await pairChatting();
    await type(chatA, 'line one');
    await settled(
      chatB,
      () => text($(chatB, '[part="typing"]')) === `Name ${alice} is typing…`,
      'bob sees alice typing',
    );
    await sendKeys({ down: 'Shift' });
    await sendKeys({ press: 'Enter' });
    await sendKeys({ up: 'Shift' });
    await sendKeys({ type: 'line two' });
    const field = must<HTMLTextAreaElement>(chatA, '[part="input"]');
    expect(field.value).to.equal('line one\nline two');
    expect(shown(chatA), 'nothing sent yet').to.deep.equal([]);
    await sendKeys({ press: 'Enter' });
    await settled(chatB, () => shown(chatB).length === 1, 'bob gets it');
    expect(shown(chatB)).to.deep.equal(['line one\nline two']);
    await settled(chatB, () => text($(chatB, '[part="typing"]')) === '', 'typing stops on send');
  });

  it('a message that cannot be sent shows why and a Retry that sends it', async () => {
    const alice = await user();
    const carol = uniqueName('later');
    const a = await device(alice);
    const el = await chat(a, `destination="${carol}"`);
    await type(el, 'are you there?');
    await sendKeys({ press: 'Enter' });
    await settled(el, () => statuses(el).join() === 'failed', 'the send fails');
    expect(text($(el, '[part="status"]'))).to.match(/^Not sent: /);
    const retry = must(el, '[part="retry-button"]');
    expect(retry.getAttribute('aria-label')).to.equal('Retry sending “are you there?”');
    await expect(el).to.be.accessible();

    await user(carol);
    retry.click();
    await settled(el, () => statuses(el).join() === 'sent', 'the retry is stored');
    expect($(el, '[part="retry-button"]')).to.equal(null);
    expect(shown(el)).to.deep.equal(['are you there?']);
  });

  it('offline, the composer still sends into the outbox and says so; it goes out on reconnect', async () => {
    const { chatA, chatB } = await pairChatting();
    await bed.gateway.kill();
    await settled(chatA, () => !!$(chatA, '[part="queued"]'), 'the queued notice shows');
    const dot = () => $(chatA, '[part="thread"] [part="presence"]')?.dataset.status;
    expect(dot(), 'what was known of Bob may be old now').to.equal('unknown');
    await type(chatA, 'sent while offline');
    await sendKeys({ press: 'Enter' });
    await settled(chatA, () => statuses(chatA).join() === 'queued', 'waits for the connection');
    expect(text($(chatA, '[part="status"]'))).to.equal('Waiting for the connection');
    await bed.gateway.revive();
    await settled(chatB, () => shown(chatB).includes('sent while offline'), 'bob gets it');
    await settled(chatA, () => !$(chatA, '[part="queued"]'), 'the notice goes');
  });

  it('when its user signs out and another signs in, shows the list and nothing of the first', async () => {
    const alice = await user();
    const bob = await user();
    const carol = await user();
    const a = await device(alice);
    const el = await chat(a, `destination="${bob}"`);
    await type(el, 'a draft of alice');
    a.conversation.get(bob).createMessage({ type: 'text', text: 'alice to bob' }).send();
    await settled(el, () => shown(el).includes('alice to bob'), 'the thread shows it');
    await a.auth.logout();
    await settled(el, () => !!$(el, '[part="thread"] [part="empty"]'), 'the thread closes');
    await a.connect({ username: carol, password: PASSWORD });
    await settled(el, () => !!$(el, '[part="list"]'), 'the list shows');
    expect(el.shadowRoot!.textContent).not.to.include('alice to bob');
    expect($$(el, '[part~="conversation"]')).to.have.length(0);
    // Carol opening a conversation with Bob starts with an empty composer.
    el.open(bob);
    await settled(el, () => !!$(el, '[part~="input"]'), 'the composer shows');
    expect(($(el, '[part~="input"]') as unknown as HTMLTextAreaElement).value).to.equal('');
  });

  it('links become safe anchors; markup stays text', async () => {
    const { chatA, chatB } = await pairChatting();
    const evil =
      '<img src=x onerror="window.__chatPwned=1"> see https://example.com/a?b=1. javascript:alert(1)';
    const field = must<HTMLTextAreaElement>(chatA, '[part="input"]');
    field.value = evil;
    field.dispatchEvent(new InputEvent('input', { bubbles: true, composed: true }));
    field.focus();
    await sendKeys({ press: 'Enter' });
    await settled(chatB, () => shown(chatB).length === 1, 'bob gets it');
    const message = must(chatB, '[part~="message"] [part="text"]');
    expect(message.textContent).to.equal(evil);
    expect(message.querySelector('img'), 'no element from the text').to.equal(null);
    const links = [...message.querySelectorAll('a')];
    expect(links.map((a) => a.getAttribute('href'))).to.deep.equal(['https://example.com/a?b=1']);
    expect(links[0]!.textContent).to.equal('https://example.com/a?b=1');
    expect(links[0]!.getAttribute('rel')).to.equal('noopener noreferrer');
    expect(links[0]!.getAttribute('target')).to.equal('_blank');
    expect((window as { __chatPwned?: number }).__chatPwned).to.equal(undefined);
  });

  it('loads older messages when the thread is scrolled to the top', async () => {
    const alice = await user();
    const bob = await user();
    const a = await device(alice);
    const b1 = await device(bob);
    const conversation = a.conversation.get(bob);
    for (let i = 1; i <= 80; i++)
      conversation.createMessage({ type: 'text', text: `m${i}` }).send();
    await until(b1, () => b1.conversation.get(alice).getMessages().length === 80);
    await b1.conversation.get(alice).markRead();
    // A new device of Bob starts after what Bob has read: the history loads on demand.
    const b2 = await device(bob);
    const el = await chat(b2, `destination="${alice}"`);
    await settled(el, () => shown(el).includes('m80'), 'the newest page shows at the bottom');
    const entry = () => b2.conversation.get(alice);
    expect(entry().getMessages().length, 'one page').to.equal(50);
    expect(entry().hasOlder).to.equal(true);
    const scroller = must(el, '[part="messages"]');
    scroller.scrollTop = 0;
    await settled(el, () => entry().getMessages().length === 80, 'the rest loads');
    expect(entry().hasOlder).to.equal(false);
    await settled(
      el,
      () => {
        scroller.scrollTop = 0;
        return shown(el).includes('m1');
      },
      'the first message shows',
    );
    expect(shown(el).filter((t) => t === 'm1')).to.have.length(1);
  });

  it('the destination attribute opens a conversation; comms-chat-request opens another', async () => {
    const alice = await user();
    const bob = await user();
    const carol = await user();
    const a = await device(alice);
    const host = await fixture<HTMLElement>(html`
      <comms-client .client=${a}>
        <comms-chat destination=${bob}></comms-chat>
        <button type="button">Chat with Carol</button>
      </comms-client>
    `);
    const el = host.querySelector('comms-chat')!;
    await settled(
      el,
      () =>
        text($(el, '#thread-title')).startsWith(`Name ${bob}`) ||
        text($(el, '#thread-title')).startsWith(bob),
      'bob opens',
    );
    expect(el.conversation).to.equal(bob);

    const button = host.querySelector('button')!;
    button.addEventListener('click', () =>
      button.dispatchEvent(new CommsChatRequestEvent({ destination: carol })),
    );
    button.click();
    await settled(el, () => el.conversation === carol, 'carol opens');
    expect(text($(el, '#thread-title'))).to.contain(carol);
    expect(a.conversation.getAll().map((c) => c.destination)).to.have.members([bob, carol]);

    // "New conversation" from the directory goes through the same request.
    const dora = await user(uniqueName('dora'));
    must(el, '[part="new-button"]').click();
    await settled(el, () => !!$(el, '[part="search"]'), 'the search shows');
    must<HTMLInputElement>(el, '[part="search"]').focus();
    // It searches as one types (no Enter), and says what it found.
    await sendKeys({ type: dora });
    await settled(el, () => $$(el, '[part="person"]').length > 0, 'the directory answers');
    expect($$(el, '[part="person"] .name').map((p) => text(p))).to.deep.equal([`Name ${dora}`]);
    await settled(el, () => text($(el, '[role="status"]')) === 'People found: 1', 'announced');
    must(el, '[part="person"]').click();
    await settled(el, () => el.conversation === dora, 'dora opens');
  });
});

describe('linkify', () => {
  it('links written-out http(s) addresses only, without trailing punctuation', () => {
    const links = (t: string) =>
      linkify(t).flatMap((token) => (token.type === 'link' ? [token.href] : []));
    expect(links('see https://a.example/x.')).to.deep.equal(['https://a.example/x']);
    expect(links('(http://a.example/b_(c)) and')).to.deep.equal(['http://a.example/b_(c)']);
    expect(
      links('javascript:alert(1) data:text/html,x www.a.example ftp://a.example'),
    ).to.deep.equal([]);
    expect(links('"https://a.example/?q=1&r=2"')).to.deep.equal(['https://a.example/?q=1&r=2']);
    expect(linkify('a https://a.example b').map((t) => t.text)).to.deep.equal([
      'a ',
      'https://a.example',
      ' b',
    ]);
  });
});

describe('threadItems', () => {
  it('puts one day separator before each local day, also when times go back', () => {
    const at = (d: number, h: number, m = 0) => new Date(2026, 2, d, h, m).getTime();
    const times = [
      at(1, 9),
      at(1, 23, 59),
      at(2, 0),
      at(2, 0, 1),
      at(1, 12), // out of order: a new separator
      at(29, 1), // 29 March: daylight saving starts in much of Europe
      at(29, 23),
      at(30, 0, 30),
    ];
    const messages = times.map((timestamp, i) => ({ clientId: `c${i}`, timestamp }));
    const items = threadItems(messages as unknown as MessageView[]);
    // The reference: a separator wherever a message's day differs from the previous one's.
    const expected: string[] = [];
    times.forEach((time, i) => {
      if (i === 0 || dayOf(time) !== dayOf(times[i - 1]!)) expected.push(`day:${dayOf(time)}`);
      expected.push(`m:c${i}`);
    });
    expect(items.map((item) => item.key)).to.deep.equal(expected);
    expect(items.filter((item) => item.kind === 'day')).to.have.length(5);
  });
});

/**
 * One layer: a 10,000-message conversation is set in a real Store (sending 10,000 messages
 * through the gateway would test the gateway); the element is the unit.
 */
describe('<comms-chat> with 10,000 messages', () => {
  it('renders only a window of rows, at the end first, and the start after scrolling up', async () => {
    const real = createClient({ logs: { logLevel: 'silent' } });
    const base = real.store.getState();
    void real.destroy();
    const start = Date.UTC(2026, 0, 1);
    const messages: MessageView[] = Array.from({ length: 10000 }, (_, i) => ({
      messageId: `m${i + 1}`,
      clientId: `c${i + 1}`,
      conversationId: 'c1',
      seq: i + 1,
      sender: i % 3 ? 'bob' : 'me',
      parts: [{ type: 'text', text: `message ${i + 1}` }],
      timestamp: start + i * 60_000,
      isOwn: i % 3 === 0,
      isPending: false,
      read: true,
      status: 'read',
      error: null,
    }));
    const entry: ConversationEntry = {
      key: 'c1',
      id: 'c1',
      type: 'im',
      destination: 'bob',
      name: null,
      members: [],
      messages,
      lastSeq: 10000,
      hasOlder: false,
      unread: 0,
      typing: [],
      createdAt: start,
    };
    const store = new Store<ClientState>({ ...base, conversations: { byKey: { c1: entry } } });
    const client = { store, destroyed: false } as unknown as CommsClient;
    const host = await fixture<HTMLDivElement>(html`<div style="width: 800px"></div>`);
    host.innerHTML = '<comms-chat></comms-chat>';
    const el = host.firstElementChild as CommsChat;
    el.client = client;
    el.open('c1');
    await settled(el, () => shown(el).includes('message 10000'), 'the newest message shows');
    const rows = $$(el, '[part="messages"] > [role="listitem"]').length;
    expect(rows, 'a window, not 10,000 rows').to.be.within(1, 200);
    expect(shown(el)).to.not.include('message 1');

    const scroller = must(el, '[part="messages"]');
    for (let i = 0; i < 20 && !shown(el).includes('message 1'); i++) {
      scroller.scrollTop = 0;
      await frame();
      await frame();
    }
    expect(shown(el)).to.include('message 1');
    expect($$(el, '[part="messages"] > [role="listitem"]').length).to.be.within(1, 200);
    expect(text($(el, '[part="day"]'))).to.match(/2026/);
  });
});

/** One layer, as above: a small conversation in a real Store. */
describe('<comms-chat> rows', () => {
  it('follow the language and the names: a row shows the new ones after a change', async () => {
    const real = createClient({ logs: { logLevel: 'silent' } });
    const base = real.store.getState();
    void real.destroy();
    const timestamp = new Date(2026, 0, 1, 14, 5).getTime();
    const entry: ConversationEntry = {
      key: 'c1',
      id: 'c1',
      type: 'im',
      destination: 'bob',
      name: null,
      members: [],
      messages: [1, 2, 3].map((i) => ({
        messageId: `m${i}`,
        clientId: `c${i}`,
        conversationId: 'c1',
        seq: i,
        sender: 'bob',
        parts: [{ type: 'text', text: `message ${i}` }],
        timestamp: timestamp + i,
        isOwn: false,
        isPending: false,
        read: true,
        status: 'read',
        error: null,
      })),
      lastSeq: 3,
      hasOlder: false,
      unread: 0,
      typing: [],
      createdAt: timestamp,
    };
    const named = (displayName: string) =>
      ({ bob: { userId: 'bob', displayName } }) as unknown as ClientState['users']['byId'];
    const store = new Store<ClientState>({
      ...base,
      conversations: { byKey: { c1: entry } },
      users: { ...base.users, byId: named('Bob') },
    });
    const host = await fixture<HTMLDivElement>(html`<div lang="en" style="width: 800px"></div>`);
    host.innerHTML = '<comms-chat></comms-chat>';
    const el = host.firstElementChild as CommsChat;
    el.client = { store, destroyed: false } as unknown as CommsClient;
    el.open('c1');
    const newest = () =>
      $$(el, '[part~="message"]').find((m) => m.textContent?.includes('message 3'));
    await settled(el, () => !!newest(), 'the messages show');
    expect(text(newest()!.querySelector('time'))).to.match(/^2:05\sPM$/);
    expect(text(newest()!.querySelector('.visually-hidden'))).to.include('Bob');

    host.lang = 'fr';
    await settled(
      el,
      () => text(newest()?.querySelector('time') ?? null) === '14:05',
      'French time',
    );
    store.update((s) => ({ ...s, users: { ...s.users, byId: named('Robert') } }));
    await settled(
      el,
      () => text(newest()?.querySelector('.visually-hidden') ?? null).includes('Robert'),
      'the new name',
    );
  });
});
