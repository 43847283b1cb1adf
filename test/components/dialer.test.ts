import { expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import { createClient, type CommsClient } from '../../core/index.js';
import '../../components/client/comms-client.js';
import '../../components/dialer/comms-dialer.js';
import type { CommsDialer } from '../../components/dialer/dialer.js';
import type { CommsDialEvent, CommsDtmfEvent } from '../../components/shared/events.js';
import { LONG_PRESS_MS } from '../../components/shared/keypad.js';
import { nextEvent, until } from '../helpers/waits.js';
import { connectedCall, pair, type Pair } from '../helpers/calls.js';
import { startGateway, uniqueName, type TestGateway } from '../helpers/gateway.browser.js';

const $ = <T extends Element = HTMLElement>(el: Element, selector: string) =>
  el.shadowRoot!.querySelector<T>(selector)!;
const text = (el: Element, selector: string) => $(el, selector).textContent!.trim();

async function type(el: CommsDialer, value: string) {
  const input = $<HTMLInputElement>(el, 'input');
  input.focus();
  input.select();
  await sendKeys({ press: 'Backspace' });
  if (value) await sendKeys({ type: value });
  await el.updateComplete;
}

describe('<comms-dialer>', function () {
  this.timeout(30000);
  let users: Pair;

  beforeEach(() => {
    users = pair();
  });
  afterEach(async () => {
    await users.teardown();
  });

  it('is accessible, empty and with an invalid value, in English and French', async () => {
    const el = await fixture<CommsDialer>(
      html`<comms-dialer .client=${users.a.client}></comms-dialer>`,
    );
    await expect(el).to.be.accessible();
    await type(el, '+12');
    await expect(el).to.be.accessible();
    el.setAttribute('lang', 'fr');
    await Promise.resolve(); // the lang observer's turn
    await el.updateComplete;
    expect(text(el, 'label')).to.equal('Numéro, nom d’utilisateur ou adresse SIP');
    await expect(el).to.be.accessible();
  });

  it('validates as typed and says why a value cannot be called', async () => {
    const el = await fixture<CommsDialer>(
      html`<comms-dialer .client=${users.a.client}></comms-dialer>`,
    );
    const input = $<HTMLInputElement>(el, 'input');
    const call = $(el, '[part="call-button"]');
    expect(call.getAttribute('aria-disabled')).to.equal('true');

    const cases: Array<[string, RegExp]> = [
      ['+12', /\+ and 7 to 15 digits/],
      ['sip:no spaces@x', /sip:alice@example\.com/],
      ['bob@example.com', /sip:alice@example\.com/],
      ['al', /3 to 32 characters/],
      ['al!ce', /letters, digits/],
      ['tel:abc', /tel:\+15551234567/],
    ];
    for (const [value, reason] of cases) {
      await type(el, value);
      expect(text(el, '[part="hint"]'), value).to.match(reason);
      expect(input.getAttribute('aria-invalid'), value).to.equal('true');
      expect(call.getAttribute('aria-disabled'), value).to.equal('true');
    }

    await type(el, '+1 555 123 4567');
    expect(text(el, '[part="hint"]')).to.equal('Will call +15551234567');
    expect(input.getAttribute('aria-invalid')).to.equal('false');
    expect(call.getAttribute('aria-disabled')).to.equal('false');
    expect(call.getAttribute('aria-label')).to.equal('Call +15551234567');

    await type(el, 'SIP:bob@example.com');
    expect(text(el, '[part="hint"]')).to.equal('Will call sip:bob@example.com');
  });

  it('cleans pasted numbers and typed invisible characters', async () => {
    const el = await fixture<CommsDialer>(
      html`<comms-dialer .client=${users.a.client}></comms-dialer>`,
    );
    const input = $<HTMLInputElement>(el, 'input');
    input.focus();
    const data = new DataTransfer();
    data.setData('text/plain', '  +1 (555) 123-4567\u200b ');
    input.dispatchEvent(
      new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }),
    );
    await el.updateComplete;
    expect(el.value).to.equal('+15551234567');
    expect(input.value).to.equal('+15551234567');

    input.value = '\u200balice\u0007';
    input.dispatchEvent(new InputEvent('input', { bubbles: true }));
    await el.updateComplete;
    expect(el.value).to.equal('alice');
    expect(input.value).to.equal('alice');
  });

  it('types with the keypad by click and keyboard; holding 0 gives +', async () => {
    const el = await fixture<CommsDialer>(
      html`<comms-dialer .client=${users.a.client}></comms-dialer>`,
    );
    const key = (k: string) => $<HTMLButtonElement>(el, `[part="key"][data-key="${k}"]`);
    key('1').click();
    key('#').click();
    await el.updateComplete;
    expect(el.value).to.equal('1#');

    key('5').focus();
    await sendKeys({ type: '42*' });
    expect(el.value).to.equal('1#42*');
    await sendKeys({ type: '+' });
    expect(el.value).to.equal('1#42*+');

    el.value = '';
    const zero = key('0');
    const started = performance.now();
    zero.dispatchEvent(new PointerEvent('pointerdown', { bubbles: true }));
    await waitUntil(() => el.value === '+', 'holding 0 gives +', { timeout: 3000 });
    expect(performance.now() - started).to.be.at.least(LONG_PRESS_MS - 20);
    zero.click(); // the click that ends the long press adds nothing
    expect(el.value).to.equal('+');
    zero.dispatchEvent(new PointerEvent('pointerdown', { bubbles: true }));
    zero.click(); // a short press is a 0
    expect(el.value).to.equal('+0');
    expect(zero.textContent!.replace(/\s+/g, ' ').trim()).to.equal('0 + (hold for +)');
  });

  it('dispatches comms-dial and <comms-client> starts the call on the other side', async () => {
    const { a, b } = users;
    const provider = await fixture(
      html`<comms-client .client=${a.client}><comms-dialer></comms-dialer></comms-client>`,
    );
    const el = provider.querySelector('comms-dialer')!;
    await el.updateComplete;
    await type(el, b.id);
    const dial = oneEvent(el, 'comms-dial') as Promise<CommsDialEvent>;
    const ringing = nextEvent(b.client, 'call:receive');
    $(el, '[part="video-call-button"]').click();
    const event = await dial;
    expect(event.detail).to.deep.equal({ destination: b.id, video: true });
    expect(event.cancelable && event.bubbles && event.composed).to.equal(true);
    const { callId } = await ringing;
    expect(b.client.call.getById(callId)!.mediaOffered).to.deep.equal({ audio: true, video: true });
    expect(a.client.call.getById(callId)!.to).to.equal(b.id);
    await a.client.call.end(callId);
  });

  it('a page that calls preventDefault on comms-dial stops the call', async () => {
    const { a, b } = users;
    const provider = await fixture(
      html`<comms-client .client=${a.client}><comms-dialer></comms-dialer></comms-client>`,
    );
    const el = provider.querySelector('comms-dialer')!;
    const seen: string[] = [];
    const stop = (e: CommsDialEvent) => {
      seen.push(e.detail.destination);
      e.preventDefault();
    };
    document.addEventListener('comms-dial', stop);
    try {
      el.value = b.id;
      await el.updateComplete;
      const callId = await el.dial(false);
      expect(callId).to.equal(undefined);
      expect(seen).to.deep.equal([b.id]);
      await Promise.resolve(); // the provider's turn comes after the dispatch
      expect(a.client.call.getAll()).to.deep.equal([]);
      expect(b.client.call.getAll()).to.deep.equal([]);
    } finally {
      document.removeEventListener('comms-dial', stop);
    }
    // Without the listener the same dial goes through.
    const callId = await el.dial(false);
    expect(a.client.call.getById(callId!)!.to).to.equal(b.id);
    await a.client.call.end(callId!);
  });

  it('without a provider, carries out the request on its own client and shows failures', async () => {
    const { a, b } = users;
    const el = await fixture<CommsDialer>(
      html`<comms-dialer .client=${a.client} value=${b.id}></comms-dialer>`,
    );
    const callId = await el.dial(false);
    expect(a.client.call.getById(callId!)!.state).to.be.oneOf([
      'Initiating',
      'Initiated',
      'Ringing',
    ]);
    await a.client.call.end(callId!);

    const lonely = createClient({ logs: { logLevel: 'silent' } });
    try {
      el.client = lonely;
      await el.updateComplete;
      expect(await el.dial(false)).to.equal(undefined);
      await el.updateComplete;
      expect(text(el, '[part="error"]')).to.match(/not connected to a server/);
    } finally {
      await lonely.destroy();
    }
  });

  it('while a call is connected the keypad sends DTMF to it', async () => {
    const { a, b } = users;
    const callId = await connectedCall(a, b);
    const el = await fixture<CommsDialer>(html`<comms-dialer .client=${a.client}></comms-dialer>`);
    expect($(el, '[part="keypad"]').getAttribute('aria-label')).to.equal(
      'Keypad: sends tones to Bob Builder',
    );
    const requested = oneEvent(el, 'comms-dtmf') as Promise<CommsDtmfEvent>;
    const played = nextEvent(a.client, 'call:dtmf', (p) => p.tone === '7');
    $<HTMLButtonElement>(el, '[data-key="7"]').click();
    expect((await requested).detail).to.deep.equal({ callId, tone: '7' });
    expect((await played).callId).to.equal(callId);
    const hash = nextEvent(a.client, 'call:dtmf', (p) => p.tone === '#');
    $<HTMLButtonElement>(el, '[data-key="#"]').click();
    await hash;
    await el.updateComplete;
    expect(text(el, '[part="dtmf"] .tones')).to.equal('Tones sent: 7#');
    expect(text(el, '[part="dtmf"] span')).to.equal('Keypad: sends tones to Bob Builder');
    expect(el.value, 'tones do not go into the field').to.equal('');

    // On hold, the keypad types again.
    await a.client.call.hold(callId);
    await el.updateComplete;
    $<HTMLButtonElement>(el, '[data-key="7"]').click();
    expect(el.value).to.equal('7');
    await a.client.call.end(callId);
  });

  it('shows an offline connection honestly and disables calling with the reason', async () => {
    const client = createClient({ server: 'http://127.0.0.1:9', logs: { logLevel: 'silent' } });
    try {
      const el = await fixture<CommsDialer>(
        html`<comms-dialer .client=${client} value="alice"></comms-dialer>`,
      );
      expect(el.shadowRoot!.querySelector('[part="connection"]')).to.equal(null);
      await client.connect({ bearerAccessToken: 'token' }, { services: [] }).catch(() => undefined);
      await until(client, (s) => s.connection.status === 'disconnected' && !!s.connection.error);
      await el.updateComplete;
      expect(text(el, '[part="connection"]')).to.match(
        /^Offline: the server cannot be reached\.\s+\(.+\)$/,
      );
      const call = $(el, '[part="call-button"]');
      expect(call.getAttribute('aria-disabled')).to.equal('true');
      expect(call.getAttribute('aria-describedby')).to.equal('connection-reason');
      expect(await el.dial(false)).to.equal(undefined);
      await expect(el).to.be.accessible();
    } finally {
      await client.destroy();
    }
  });
});

describe('<comms-dialer> recent calls, over a real gateway', function () {
  this.timeout(30000);
  const PASSWORD = 'correct horse battery staple';
  let gateway: TestGateway;
  const clients: CommsClient[] = [];

  before(async () => {
    gateway = await startGateway();
  });
  after(async () => {
    await Promise.all(clients.map((c) => c.disconnect().then(() => c.destroy())));
    await gateway.stop();
  });

  async function device(username: string): Promise<CommsClient> {
    const client = createClient({ server: gateway.url, logs: { logLevel: 'silent' } });
    clients.push(client);
    await client.connect(
      { username, password: PASSWORD },
      { services: ['call'], clientCorrelator: `device-${clients.length}` },
    );
    return client;
  }

  async function user(displayName: string) {
    const id = uniqueName('recent');
    const signup = createClient({ server: gateway.url, logs: { logLevel: 'silent' } });
    await signup.auth.signup({ username: id, password: PASSWORD, displayName });
    await signup.destroy();
    return { id, client: await device(id) };
  }

  const items = (el: CommsDialer) => [
    ...el.shadowRoot!.querySelectorAll<HTMLElement>('[part="recent-call"]'),
  ];
  const words = (li: HTMLElement) => li.textContent!.replace(/\s+/g, ' ').trim();
  const said = (el: CommsDialer) => el.shadowRoot!.querySelector('[role="status"]')!.textContent;

  it('lists the calls just made, newest first, the missed one marked, a declined one said; redial dials', async () => {
    const alice = await user('Alice Liddell');
    const bob = await user('Bob Builder');
    const el = await fixture<CommsDialer>(
      html`<comms-dialer .client=${alice.client}></comms-dialer>`,
    );
    expect($(el, '[part="recent"]'), 'no calls yet').to.equal(null);

    // Bob calls and gives up: a missed call for Alice.
    const rings = nextEvent(alice.client, 'call:receive');
    const missed = bob.client.call.make(alice.id, { audio: true });
    await rings;
    await until(alice.client, (s) => s.call.calls[missed]?.state === 'Ringing');
    await bob.client.call.end(missed);
    await waitUntil(() => items(el).length === 1, 'the missed call is listed', { timeout: 10000 });
    await waitUntil(
      () => said(el) === 'Missed call from Bob Builder',
      'the missed call is announced',
    );

    // Alice calls Bob, who answers; Alice hangs up.
    const answered = nextEvent(bob.client, 'call:receive');
    const callId = alice.client.call.make(bob.id, { audio: true });
    await answered;
    await until(bob.client, (s) => s.call.calls[callId]?.state === 'Ringing');
    await bob.client.call.answer(callId, { audio: true });
    await until(alice.client, (s) => s.call.calls[callId]?.state === 'Connected');
    await alice.client.call.end(callId);
    await waitUntil(() => items(el).length === 2, 'the call is listed', { timeout: 10000 });

    // Bob calls again, and Alice declines: the entry says so.
    const again = nextEvent(alice.client, 'call:receive');
    const declined = bob.client.call.make(alice.id, { audio: true });
    await again;
    await until(alice.client, (s) => s.call.calls[declined]?.state === 'Ringing');
    await alice.client.call.reject(declined);
    await waitUntil(() => items(el).length === 3, 'the declined call is listed', {
      timeout: 10000,
    });

    const [rejected, latest, earlier] = items(el);
    expect(words(rejected!)).to.equal('Bob Builder Incoming · declined');
    expect(rejected!.hasAttribute('data-missed')).to.equal(false);
    expect(words(latest!)).to.equal('Bob Builder Outgoing');
    expect(latest!.hasAttribute('data-missed')).to.equal(false);
    expect(words(earlier!)).to.equal('Bob Builder Missed');
    expect(earlier!.getAttribute('data-missed')).to.equal('true');
    const redial = latest!.querySelector<HTMLButtonElement>('[part="redial"]')!;
    expect(redial.getAttribute('aria-label')).to.equal('Call Bob Builder again');
    await expect(el).to.be.accessible();

    const dial = oneEvent(el, 'comms-dial') as Promise<CommsDialEvent>;
    el.addEventListener('comms-dial', (e) => e.preventDefault(), { once: true });
    redial.click();
    expect((await dial).detail).to.deep.equal({ destination: bob.id, video: false });
  });

  it('a call this user forwarded says so', async () => {
    const erin = await user('Erin Example');
    const fred = await user('Fred Flint');
    const gina = await user('Gina Gray');
    const el = await fixture<CommsDialer>(
      html`<comms-dialer .client=${erin.client}></comms-dialer>`,
    );
    const rings = nextEvent(erin.client, 'call:receive');
    const callId = fred.client.call.make(erin.id, { audio: true });
    await rings;
    await until(erin.client, (s) => s.call.calls[callId]?.state === 'Ringing');
    const forwarded = nextEvent(gina.client, 'call:receive');
    await erin.client.call.forward(callId, gina.id);
    await forwarded;
    await waitUntil(() => items(el).length === 1, 'the call is listed', { timeout: 10000 });
    expect(words(items(el)[0]!)).to.equal('Fred Flint Incoming · forwarded');
    await fred.client.call.end(callId);
  });

  it('a call to someone with no device online says "not available", as the call view does', async () => {
    const hana = await user('Hana Hill');
    const ivan = await user('Ivan Ives');
    await ivan.client.disconnect();
    const el = await fixture<CommsDialer>(
      html`<comms-dialer .client=${hana.client}></comms-dialer>`,
    );
    const callId = hana.client.call.make(ivan.id, { audio: true });
    await until(hana.client, (s) => s.call.calls[callId]?.state === 'Ended');
    await waitUntil(() => items(el).length === 1, 'the call is listed', { timeout: 10000 });
    expect(words(items(el)[0]!)).to.equal('Ivan Ives Outgoing · not available');
    el.setAttribute('lang', 'fr');
    await waitUntil(() => words(items(el)[0]!) === 'Ivan Ives Sortant · indisponible', 'in French');
  });

  it('a call missed while busy in another call is listed and announced at once', async () => {
    const kim = await user('Kim Kay');
    const lee = await user('Lee Lo');
    const max = await user('Max Mo');
    const el = await fixture<CommsDialer>(
      html`<comms-dialer .client=${kim.client}></comms-dialer>`,
    );
    const rings = nextEvent(kim.client, 'call:receive');
    const first = lee.client.call.make(kim.id, { audio: true });
    await rings;
    await until(kim.client, (s) => s.call.calls[first]?.state === 'Ringing');
    await kim.client.call.answer(first, { audio: true });
    await until(lee.client, (s) => s.call.calls[first]?.state === 'Connected');

    const busy = max.client.call.make(kim.id, { audio: true });
    await until(max.client, (s) => s.call.calls[busy]?.state === 'Ended');
    await waitUntil(() => items(el).length === 1, 'the missed call is listed', { timeout: 10000 });
    expect(words(items(el)[0]!)).to.equal('Max Mo Missed');
    await waitUntil(() => said(el) === 'Missed call from Max Mo', 'announced');
    await lee.client.call.end(first);
  });

  it('after another user signs in on the same client, lists their calls', async () => {
    const nora = await user('Nora North');
    const omar = await user('Omar Ode');
    const el = await fixture<CommsDialer>(
      html`<comms-dialer .client=${nora.client}></comms-dialer>`,
    );
    const rings = nextEvent(omar.client, 'call:receive');
    const callId = nora.client.call.make(omar.id, { audio: true });
    await rings;
    await until(omar.client, (s) => s.call.calls[callId]?.state === 'Ringing');
    await nora.client.call.end(callId);
    await waitUntil(() => items(el).length === 1, 'Nora’s call is listed', { timeout: 10000 });

    await nora.client.auth.logout();
    await waitUntil(() => items(el).length === 0, 'nothing of Nora’s is left');
    await nora.client.connect({ username: omar.id, password: PASSWORD }, { services: ['call'] });
    await waitUntil(() => items(el).length === 1, 'Omar’s history is fetched', { timeout: 10000 });
    expect(words(items(el)[0]!)).to.equal('Nora North Missed');
    expect(said(el), 'a missed call loaded with the history is not news').to.equal('');
  });

  it('loads the history when it connects to a client that has none loaded', async () => {
    const carol = await user('Carol Danvers');
    const dave = await user('Dave Bowman');
    const rings = nextEvent(dave.client, 'call:receive');
    const callId = carol.client.call.make(dave.id, { audio: true });
    await rings;
    await until(dave.client, (s) => s.call.calls[callId]?.state === 'Ringing');
    await dave.client.call.reject(callId);
    await until(carol.client, (s) => s.call.calls[callId]?.state === 'Ended');

    const laptop = await device(carol.id);
    expect(laptop.call.history.get()).to.deep.equal([]);
    const el = await fixture<CommsDialer>(html`<comms-dialer .client=${laptop}></comms-dialer>`);
    await waitUntil(() => items(el).length === 1, 'the history is fetched', { timeout: 10000 });
    expect(words(items(el)[0]!)).to.equal('Dave Bowman Outgoing · declined');
    el.setAttribute('lang', 'fr');
    await waitUntil(() => words(items(el)[0]!) === 'Dave Bowman Sortant · refusé', 'in French');
  });
});
