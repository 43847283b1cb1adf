import { expect, fixture, html } from '@open-wc/testing';
import { html as litHtml, LitElement } from 'lit';
import type { ClientState } from '../../core/index.js';
import '../../components/client/comms-client.js';
import type { CommsClientElement } from '../../components/client/client.js';
import { Announcer } from '../../components/shared/announcer.js';
import { connectionView } from '../../components/shared/connection.js';
import { initialConnectionState } from '../../core/transport/connection.js';
import {
  CommsCallRequestEvent,
  CommsHangupEvent,
  CommsHoldEvent,
  CommsMuteEvent,
  NO_CLIENT,
} from '../../components/shared/events.js';
import '../../components/dialer/comms-dialer.js';
import {
  availableLanguages,
  loadLanguage,
  registerCatalog,
  resolveLang,
  translate,
} from '../../components/shared/i18n.js';
import { en } from '../../components/shared/messages.js';
import { nextEvent, until } from '../helpers/waits.js';
import { connectedCall, pair, reach, type Pair } from '../helpers/calls.js';

class AnnouncingElement extends LitElement {
  readonly announcer = new Announcer(this);
  protected override render() {
    return litHtml`${this.announcer.render()}`;
  }
}
customElements.define('test-announcing', AnnouncingElement);

describe('shared element infrastructure', function () {
  this.timeout(20000);

  describe('message catalog', () => {
    // First: French must not have been loaded by anything before it.
    it('loads French on demand: an element under lang="fr" waits for it and renders French from its first render', async () => {
      const frenchFetched = () =>
        performance
          .getEntriesByType('resource')
          .some((entry) => entry.name.includes('/messages.fr.'));
      expect(availableLanguages()).to.include.members(['en', 'fr']);
      expect(frenchFetched(), 'French fetched before any element asked for it').to.equal(false);

      const host = await fixture<HTMLDivElement>(html`<div lang="fr"></div>`);
      const el = document.createElement('comms-dialer');
      // What the shadow root holds after each render, from the first on.
      const renders: string[] = [];
      const seen = new MutationObserver(() => renders.push(el.shadowRoot!.innerHTML));
      host.append(el);
      seen.observe(el.shadowRoot!, {
        childList: true,
        subtree: true,
        characterData: true,
        attributes: true,
      });
      await el.updateComplete;
      seen.disconnect();
      expect(frenchFetched(), 'French fetched for the element').to.equal(true);
      const label = el.shadowRoot!.querySelector('label')!.textContent!.trim();
      expect(label).to.equal('Numéro, nom d’utilisateur ou adresse SIP');
      expect(renders.length).to.be.greaterThan(0);
      expect(renders.filter((r) => r.includes(en['dialer.destination']))).to.deep.equal([]);
      await expect(el).to.be.accessible();
    });

    it('finds the nearest lang up the tree, across shadow roots, else English', async () => {
      const outer = await fixture<HTMLDivElement>(html`<div lang="fr-CA"><span></span></div>`);
      const host = document.createElement('div');
      outer.append(host);
      const inner = host.attachShadow({ mode: 'open' });
      inner.innerHTML = '<p><b></b></p>';
      expect(resolveLang(inner.querySelector('b')!)).to.equal('fr-CA');
      inner.querySelector('p')!.setAttribute('lang', 'en-GB');
      expect(resolveLang(inner.querySelector('b')!)).to.equal('en-GB');
      const loose = document.createElement('i');
      expect(resolveLang(loose)).to.equal('en');
    });

    it('translates with parameters, falls back to the base language, then English', async () => {
      await loadLanguage('fr-CA');
      expect(translate('fr-CA', 'call.heldRemotely', { name: 'Bob' })).to.equal(
        'Mis en attente par Bob',
      );
      expect(translate('de', 'callView.hangup')).to.equal('End call');
      registerCatalog('de', { 'callView.hangup': 'Auflegen' });
      expect(translate('de-AT', 'callView.hangup')).to.equal('Auflegen');
      expect(translate('de', 'callView.hold')).to.equal('Hold');
    });

    it('French has every English key, each translated', async () => {
      const { fr } = await import('../../components/shared/messages.fr.js');
      expect(Object.keys(fr).sort()).to.deep.equal(Object.keys(en).sort());
      const neutral = ['callView.bitrate', 'devices.unnamed', 'recent.outcome', 'inbox.details'];
      const same = (Object.keys(en) as Array<keyof typeof en>).filter(
        (k) => en[k] === fr[k] && !neutral.includes(k),
      );
      expect(same).to.deep.equal([]);
    });
  });

  describe('connection display rule', () => {
    const state = (connection: Partial<ClientState['connection']>, auth = 'authenticated') =>
      ({
        connection: {
          ...initialConnectionState,
          ...connection,
        },
        auth: { status: auth },
      }) as unknown as ClientState;

    it('claims nothing for a client that never connected', () => {
      expect(connectionView(state({}, 'none'))).to.include({ status: 'idle', reason: null });
      expect(connectionView(undefined)).to.include({ status: 'idle', reason: null });
    });
    it('online when connected', () => {
      expect(connectionView(state({ status: 'connected' }))).to.include({
        status: 'online',
        reason: null,
      });
    });
    it('blocks while connecting, reconnecting or offline, with the reason', () => {
      expect(connectionView(state({ status: 'connecting' }))).to.include({
        status: 'connecting',
        reason: 'connection.connecting',
      });
      const again = connectionView(state({ status: 'reconnecting', attempt: 3 }));
      expect(again).to.deep.include({ status: 'reconnecting', params: { attempt: 3 } });
      expect(connectionView(state({ status: 'reconnecting', online: false }))).to.include({
        status: 'offline',
        reason: 'connection.browserOffline',
      });
      expect(connectionView(state({ lastCloseCode: 1006 }))).to.include({
        status: 'offline',
        reason: 'connection.lost',
      });
      const failed = connectionView(
        state({ error: { code: 'connection:lost', message: 'gave up after 5 attempts' } }),
      );
      expect(failed).to.deep.include({
        status: 'offline',
        reason: 'connection.failed',
        detail: 'gave up after 5 attempts',
      });
    });
  });

  describe('live region', () => {
    it('joins what is announced in one task and announces a repeat again', async () => {
      const el = await fixture<AnnouncingElement>(html`<test-announcing></test-announcing>`);
      const polite = el.shadowRoot!.querySelector('[role="status"]')!;
      const assertive = el.shadowRoot!.querySelector('[role="alert"]')!;
      expect(polite.getAttribute('aria-live')).to.equal('polite');
      el.announcer.announce('Connected');
      el.announcer.announce('Microphone muted');
      el.announcer.announce('Incoming call', true);
      await Promise.resolve();
      await el.updateComplete;
      expect(polite.textContent!.trim()).to.equal('Connected. Microphone muted');
      expect(assertive.textContent!.trim()).to.equal('Incoming call');
      const first = polite.textContent;
      el.announcer.announce('Connected. Microphone muted');
      await Promise.resolve();
      await el.updateComplete;
      expect(polite.textContent, 'the same words again are a change').not.to.equal(first);
    });
  });

  describe('<comms-client> carries out intent events', () => {
    let users: Pair;
    beforeEach(() => {
      users = pair();
    });
    afterEach(async () => {
      await users.teardown();
    });

    it('from any element inside it, after the dispatch, unless prevented', async () => {
      const { a, b } = users;
      const callId = await connectedCall(a, b);
      const provider = await fixture<CommsClientElement>(
        html`<comms-client .client=${a.client}><button>inside</button></comms-client>`,
      );
      const button = provider.querySelector('button')!;

      // Prevented by the page (a listener above the provider): nothing happens.
      const stop = (e: Event) => e.preventDefault();
      document.addEventListener('comms-hold', stop, { once: true });
      const prevented = new CommsHoldEvent({ callId, hold: true });
      button.dispatchEvent(prevented);
      expect(await prevented.settle()).to.deep.equal({ status: 'prevented' });
      expect(a.client.call.getById(callId)!.localHold).to.equal(false);

      const mute = new CommsMuteEvent({ callId, muted: true });
      const muted = nextEvent(a.client, 'media:muted');
      button.dispatchEvent(mute);
      expect(mute.claimed).to.equal(true);
      await muted;
      expect(await mute.settle()).to.deep.equal({ status: 'done', value: undefined });

      const hangup = new CommsHangupEvent({ callId });
      button.dispatchEvent(hangup);
      await reach(b.client, callId, 'Ended');
      await reach(a.client, callId, 'Ended');
    });

    it('comms-call-request from a page element starts a call (as a contact in a roster would)', async () => {
      const { a, b } = users;
      const provider = await fixture<CommsClientElement>(
        html`<comms-client .client=${a.client}><li>Bob</li></comms-client>`,
      );
      const ringing = nextEvent(b.client, 'call:receive');
      const request = new CommsCallRequestEvent({ destination: b.id, video: false });
      provider.querySelector('li')!.dispatchEvent(request);
      const outcome = await request.settle();
      const { callId } = await ringing;
      expect(outcome).to.deep.equal({ status: 'done', value: callId });
      expect(b.client.call.getById(callId)!.mediaOffered).to.deep.equal({
        audio: true,
        video: false,
      });
      await a.client.call.end(callId);
    });

    it('reports a failure as the outcome, and no client as element:noClient', async () => {
      const provider = await fixture<CommsClientElement>(
        html`<comms-client .client=${users.a.client}><i></i></comms-client>`,
      );
      const event = new CommsHangupEvent({ callId: 'no-such-call' });
      provider.querySelector('i')!.dispatchEvent(event);
      const outcome = await event.settle();
      expect(outcome.status).to.equal('failed');
      expect(outcome.status === 'failed' && outcome.error.code).to.equal('call:unknown');

      const orphan = new CommsHangupEvent({ callId: 'x' });
      document.body.dispatchEvent(orphan);
      const none = await orphan.settle();
      expect(none.status === 'failed' && none.error.code).to.equal(NO_CLIENT);
    });

    it('leaves alone a request from an element that has its own client', async () => {
      const { a, b } = users;
      const callId = await connectedCall(a, b);
      const provider = await fixture<CommsClientElement>(
        html`<comms-client .client=${b.client}><i></i></comms-client>`,
      );
      const origin = provider.querySelector('i')! as HTMLElement & { activeClient?: unknown };
      origin.activeClient = a.client;
      const event = new CommsHoldEvent({ callId, hold: true });
      origin.dispatchEvent(event);
      expect(event.claimed).to.equal(false);
      event.claim(a.client);
      await event.settle();
      await until(b.client, (s) => s.call.calls[callId]!.remoteHold);
      expect(a.client.call.getById(callId)!.localHold).to.equal(true);
    });
  });
});
