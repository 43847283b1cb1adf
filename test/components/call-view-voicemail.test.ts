/**
 * `<comms-call-view>`'s "Leave a voicemail" against the real gateway: offered after an outgoing
 * call the callee declined (not after an answered one), recorded from the fake microphone,
 * stopped, sent with the keyboard alone, each step announced and accessible; the callee's
 * client counts it, with the call's id. In French too.
 */
import { expect, fixture, html } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import '../../components/call-view/comms-call-view.js';
import type { CommsCallView } from '../../components/call-view/call-view.js';
import { offersVoicemail } from '../../components/call-view/call-state.js';
import type { CallObject, CommsClient } from '../../core/index.js';
import { createClient } from '../../core/index.js';
import { startGateway, uniqueName, type TestGateway } from '../helpers/gateway.browser.js';
import { nextEvent, until } from '../helpers/waits.js';
import { settled, shown } from '../helpers/elements.js';

const PASSWORD = 'correct horse battery staple';

const part = (el: Element, name: string) =>
  el.shadowRoot!.querySelector<HTMLElement>(`[part~="${name}"]`);
const polite = (el: Element) => shown(el, '[role="status"]');

describe('<comms-call-view> leaves a voicemail', function () {
  this.timeout(40000);
  let gateway: TestGateway;
  const clients: CommsClient[] = [];

  before(async () => {
    gateway = await startGateway();
  });
  after(async () => {
    await Promise.all(clients.splice(0).map((c) => c.destroy()));
    await gateway.stop();
  });

  async function user(prefix: string): Promise<{ client: CommsClient; id: string }> {
    const id = uniqueName(prefix);
    const client = createClient({ server: gateway.url, logs: { logLevel: 'silent' } });
    clients.push(client);
    await client.auth.signup({ username: id, password: PASSWORD, displayName: `User ${id}` });
    await client.connect({ username: id, password: PASSWORD }, { services: ['call', 'chat'] });
    return { client, id };
  }

  /** A calls B and B declines: resolves with the call's id once A's call has ended. */
  async function declinedCall(a: CommsClient, b: CommsClient, bId: string): Promise<string> {
    const received = nextEvent(b, 'call:receive');
    const callId = a.call.make(bId, { audio: true });
    await received;
    await until(b, (s) => s.call.calls[callId]?.state === 'Ringing');
    await b.call.reject(callId);
    await until(a, (s) => s.call.calls[callId]?.state === 'Ended');
    return callId;
  }

  async function view(client: CommsClient, lang = 'en') {
    const host = await fixture<HTMLDivElement>(html`<div lang=${lang}></div>`);
    host.innerHTML = '<comms-call-view stats-interval="0"></comms-call-view>';
    const el = host.firstElementChild as CommsCallView;
    el.client = client;
    await el.updateComplete;
    return el;
  }

  it('once its user signs out, the declined call and its offer are gone', async () => {
    const alice = await user('cvo');
    const bob = await user('cvp');
    const el = await view(alice.client);
    await declinedCall(alice.client, bob.client, bob.id);
    await settled(el, () => !!part(el, 'voicemail-button'), 'the offer shows');
    await alice.client.auth.logout();
    await settled(el, () => !part(el, 'ended'), 'the ended notice goes');
    expect(part(el, 'voicemail-button')).to.equal(null);
    expect(el.shadowRoot!.textContent).not.to.include(bob.id);
  });

  it('offers it after a declined call; records, stops and sends with the keyboard, announced', async () => {
    const alice = await user('cva');
    const bob = await user('cvb');
    const el = await view(alice.client);
    const callId = await declinedCall(alice.client, bob.client, bob.id);

    await settled(el, () => !!part(el, 'voicemail-button'), 'the offer is shown');
    const offer = part(el, 'voicemail-button')!;
    expect(offer.textContent!.trim()).to.equal('Leave a voicemail');
    await expect(el).to.be.accessible();

    offer.focus();
    await sendKeys({ press: 'Enter' });
    await settled(el, () => !!part(el, 'voicemail-stop'), 'recording');
    expect(polite(el)).to.contain(`Recording a voicemail for User ${bob.id}`);
    expect(el.shadowRoot!.activeElement).to.equal(part(el, 'voicemail-stop'));
    expect(part(el, 'voicemail')!.getAttribute('aria-label')).to.equal(
      `Voicemail for User ${bob.id}`,
    );
    await expect(el).to.be.accessible();

    // Speak for a second and a half (the fake microphone's tone), then stop.
    await settled(
      el,
      () => /Recording 0:01/.test(part(el, 'voicemail-status')!.textContent!),
      'a second recorded',
    );
    await new Promise((resolve) => setTimeout(resolve, 500));
    await sendKeys({ press: 'Enter' });
    await settled(el, () => !!part(el, 'voicemail-send'), 'recorded');
    expect(polite(el)).to.match(/Voicemail recorded, [12] seconds/);
    expect(el.shadowRoot!.activeElement).to.equal(part(el, 'voicemail-send'));
    expect(part(el, 'voicemail-preview')!.getAttribute('src')).to.match(/^blob:/);
    await expect(el).to.be.accessible();

    const counted = nextEvent(bob.client, 'voicemail:change');
    await sendKeys({ press: 'Enter' });
    await settled(el, () => polite(el).includes(`Voicemail sent to User ${bob.id}`), 'sent');
    expect(part(el, 'voicemail-status')!.textContent).to.contain('Voicemail sent');
    expect((await counted).voice).to.deep.equal({ new: 1, old: 0, urgent: 0 });
    const [left] = bob.client.voicemail.getAll();
    expect(left!.callId).to.equal(callId);
    expect(left!.from.id).to.equal(alice.id);
    expect(left!.durationMs).to.be.within(1000, 3000);
    expect(left!.size).to.be.above(1000);
  });

  it('discards a recording; speaks French; offers nothing after an answered call', async () => {
    const alice = await user('cvc');
    const bob = await user('cvd');
    const el = await view(alice.client, 'fr');
    await declinedCall(alice.client, bob.client, bob.id);
    await settled(el, () => !!part(el, 'voicemail-button'), 'the offer is shown');
    expect(part(el, 'voicemail-button')!.textContent!.trim()).to.equal('Laisser un message vocal');
    part(el, 'voicemail-button')!.click();
    await settled(el, () => !!part(el, 'voicemail-discard'), 'recording');
    expect(polite(el)).to.contain('Enregistrement d’un message vocal');
    part(el, 'voicemail-discard')!.click();
    await settled(el, () => !!part(el, 'voicemail-button'), 'back to the offer');
    expect(bob.client.voicemail.getAll()).to.deep.equal([]);

    const ended = (statusCode: number, extra: Partial<CallObject> = {}) =>
      ({
        direction: 'outgoing',
        answerTime: null,
        transition: { statusCode, reasonText: '' },
        ...extra,
      }) as CallObject;
    expect([408, 480, 486, 603].map((code) => offersVoicemail(ended(code)))).to.deep.equal([
      true,
      true,
      true,
      true,
    ]);
    expect(offersVoicemail(ended(487)), 'cancelled by the caller').to.equal(false);
    expect(offersVoicemail(ended(200, { answerTime: 5 })), 'answered').to.equal(false);
    expect(offersVoicemail(ended(603, { direction: 'incoming' })), 'incoming').to.equal(false);
  });
});
