/**
 * `<comms-voicemail>`, the inbox, against the real gateway: Ada leaves Bob voicemails (WAV
 * tones through the core), Bob's inbox lists them newest first, plays one (heard: the gateway
 * and the element say so), deletes one after a confirmation (kept on Escape), calls back, hears
 * of a new one as it arrives, forgets everything when he signs out; in French too; axe passes.
 */
import { expect, fixture, html, oneEvent } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import '../../components/voicemail/comms-voicemail.js';
import type { CommsVoicemail } from '../../components/voicemail/voicemail.js';
import type { CommsCallRequestEvent } from '../../components/shared/events.js';
import { createClient, type CommsClient } from '../../core/index.js';
import { startGateway, uniqueName, type TestGateway } from '../helpers/gateway.browser.js';
import { $, $$, settled, shown, text } from '../helpers/elements.js';
import { toneWav } from '../helpers/media.js';
import { until } from '../helpers/waits.js';
import { pair } from '../helpers/calls.js';

const PASSWORD = 'correct horse battery staple';
const polite = (el: Element) => shown(el, '[role="status"]');
const rows = (el: Element) => $$(el, '[part~="voicemail"]');

describe('<comms-voicemail>', function () {
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

  async function user(prefix: string, name: string) {
    const id = uniqueName(prefix);
    const client = createClient({ server: gateway.url, logs: { logLevel: 'silent' } });
    clients.push(client);
    await client.auth.signup({ username: id, password: PASSWORD, displayName: name });
    await client.connect({ username: id, password: PASSWORD }, { services: ['call', 'chat'] });
    return { client, id };
  }

  /** Ada and Bob; Ada has left Bob a 2 s voicemail, then a 3 s one. */
  async function mailbox(prefix: string) {
    const ada = await user(`${prefix}a`, 'Ada Lovelace');
    const bob = await user(`${prefix}b`, 'Bob Builder');
    await ada.client.voicemail.leave(bob.id, toneWav(2), { durationMs: 2000 });
    await ada.client.voicemail.leave(bob.id, toneWav(3), { durationMs: 3000 });
    return { ada, bob };
  }

  async function inbox(client: CommsClient, lang = 'en') {
    const host = await fixture<HTMLDivElement>(html`<div lang=${lang}></div>`);
    host.innerHTML = '<comms-voicemail></comms-voicemail>';
    const el = host.firstElementChild as CommsVoicemail;
    el.client = client;
    // Read: the mailbox came, and the element has taken note of what was in it.
    await until(client, (s) => s.voicemail.lastUpdated > 0);
    await new Promise((resolve) => setTimeout(resolve));
    await el.updateComplete;
    return el;
  }

  it('lists the voicemails newest first: who, when, how long, new; accessible', async () => {
    const { bob } = await mailbox('vl');
    const el = await inbox(bob.client);
    await settled(el, () => rows(el).length === 2, 'both listed');
    expect(text($(el, '[part~="heading"]'))).to.equal('Voicemail 2 new');
    const [first, second] = rows(el);
    expect(text(first!.querySelector('[part~="name"]'))).to.equal('Ada Lovelace');
    // Left today: the time alone (as 7:47 PM), then how long.
    expect(text(first!.querySelector('[part~="details"]'))).to.match(
      /^\d{1,2}:\d{2}\s?[AP]M · 0:03$/,
    );
    expect(text(second!.querySelector('[part~="details"]'))).to.match(/ · 0:02$/);
    expect(first!.dataset.unheard).to.equal('true');
    expect(text(first!.querySelector('[part~="new"]'))).to.equal('New');
    expect(first!.querySelector('[part~="play-button"]')!.getAttribute('aria-label')).to.equal(
      'Play voicemail from Ada Lovelace',
    );
    expect(first!.querySelector('[part~="call-button"]')!.getAttribute('aria-label')).to.equal(
      'Call Ada Lovelace back',
    );
    await expect(el).to.be.accessible();
  });

  it('plays one: its recording in a player, marked heard on the gateway; stops', async () => {
    const { bob } = await mailbox('vp');
    const el = await inbox(bob.client);
    await settled(el, () => rows(el).length === 2, 'both listed');
    const [newest] = bob.client.voicemail.getAll();
    const heard = oneEvent(el, 'comms-voicemail-heard');
    const play = rows(el)[0]!.querySelector<HTMLButtonElement>('[part~="play-button"]')!;
    play.click();
    expect((await heard).detail.voicemailId).to.equal(newest!.id);
    await settled(el, () => !!$(el, 'audio'), 'the player shows');
    const audio = $<HTMLAudioElement>(el, 'audio')!;
    expect(audio.src).to.match(/^blob:/);
    await settled(el, () => audio.currentTime > 0.2, 'it plays');
    expect(play.getAttribute('aria-pressed')).to.equal('true');
    expect(play.getAttribute('aria-label')).to.equal('Stop voicemail from Ada Lovelace');
    await settled(el, () => !rows(el)[0]!.dataset.unheard, 'heard');
    expect(text($(el, '[part~="heading"]'))).to.equal('Voicemail 1 new');
    const [onServer] = await bob.client.voicemail.list();
    expect(onServer!.heardAt).to.be.a('number');
    await expect(el).to.be.accessible();

    play.click();
    await settled(el, () => !$(el, 'audio'), 'stopped');
    expect(play.getAttribute('aria-pressed')).to.equal('false');

    // Two asked for at once: the last one asked for plays, alone.
    const older = rows(el)[1]!;
    play.click();
    older.querySelector<HTMLButtonElement>('[part~="play-button"]')!.click();
    await settled(el, () => !!older.querySelector('audio'), 'the second plays');
    await new Promise((resolve) => setTimeout(resolve, 300)); // the first one's recording comes
    await el.updateComplete;
    expect($$(el, 'audio')).to.have.length(1);
    expect(play.getAttribute('aria-pressed')).to.equal('false');
  });

  it('deletes one after asking (Escape keeps it), announced; calls back', async () => {
    const { ada, bob } = await mailbox('vd');
    const el = await inbox(bob.client);
    await settled(el, () => rows(el).length === 2, 'both listed');
    const [newest, oldest] = bob.client.voicemail.getAll();

    const remove = () => rows(el)[0]!.querySelector<HTMLButtonElement>('[part~="delete-button"]')!;
    remove().click();
    await settled(el, () => !!$(el, '[part~="confirm"]'), 'asked');
    expect(shown(el, '[part~="confirm"]')).to.contain('Delete this voicemail?');
    expect(el.shadowRoot!.activeElement).to.equal($(el, '[part~="cancel-button"]'));
    await expect(el).to.be.accessible();
    await sendKeys({ press: 'Escape' });
    await settled(el, () => !$(el, '[part~="confirm"]'), 'kept');
    expect(el.shadowRoot!.activeElement).to.equal(remove());
    expect(rows(el)).to.have.length(2);

    const removed = oneEvent(el, 'comms-voicemail-remove');
    remove().click();
    await settled(el, () => !!$(el, '[part~="confirm-button"]'), 'asked again');
    $(el, '[part~="confirm-button"]')!.click();
    expect((await removed).detail.voicemailId).to.equal(newest!.id);
    await settled(el, () => rows(el).length === 1, 'gone');
    expect(rows(el)[0]!.dataset.id).to.equal(oldest!.id);
    expect(polite(el)).to.contain('Voicemail from Ada Lovelace deleted');
    expect(el.shadowRoot!.activeElement).to.equal(
      rows(el)[0]!.querySelector('[part~="play-button"]'),
    );
    expect((await bob.client.voicemail.list()).map((v) => v.id)).to.deep.equal([oldest!.id]);

    // Calling back asks for a call to the one who left it (the page may take it over).
    el.addEventListener('comms-call-request', (e) => e.preventDefault(), { once: true });
    const request = oneEvent(el, 'comms-call-request');
    rows(el)[0]!.querySelector<HTMLButtonElement>('[part~="call-button"]')!.click();
    expect(((await request) as unknown as CommsCallRequestEvent).detail).to.deep.equal({
      destination: ada.id,
      video: false,
    });
  });

  it('shows and announces one left while open; forgets all when its user signs out', async () => {
    const ada = await user('vna', 'Ada Lovelace');
    const bob = await user('vnb', 'Bob Builder');
    const el = await inbox(bob.client);
    expect(shown(el, '[part~="empty"]')).to.equal('No voicemails.');
    await ada.client.voicemail.leave(bob.id, toneWav(1), { durationMs: 1000 });
    await settled(el, () => rows(el).length === 1, 'it arrives');
    expect(polite(el)).to.contain('New voicemail from Ada Lovelace');

    await bob.client.auth.logout();
    await settled(el, () => rows(el).length === 0, 'the list empties');
    expect(polite(el)).to.equal('');
    expect(el.shadowRoot!.textContent).not.to.include('Ada Lovelace');
  });

  it('on the in-page hub, which has no voicemail, says so', async () => {
    const users = pair();
    try {
      const host = await fixture<HTMLDivElement>(html`<div></div>`);
      host.innerHTML = '<comms-voicemail></comms-voicemail>';
      const el = host.firstElementChild as CommsVoicemail;
      el.client = users.a.client;
      await settled(el, () => /not available/.test(shown(el, '[part~="empty"]')), 'says so');
      expect(shown(el, '[part~="empty"]')).to.equal('Voicemail is not available on this server.');
      expect(shown(el, '[part~="error"]')).to.equal('');
      await expect(el).to.be.accessible();
    } finally {
      await users.teardown();
    }
  });

  it('speaks French', async () => {
    const { bob } = await mailbox('vf');
    const el = await inbox(bob.client, 'fr');
    await settled(el, () => rows(el).length === 2, 'both listed');
    expect(text($(el, '[part~="heading"]'))).to.equal('Messagerie vocale 2 nouveau(x)');
    expect(
      rows(el)[0]!.querySelector('[part~="delete-button"]')!.getAttribute('aria-label'),
    ).to.equal('Supprimer le message vocal de Ada Lovelace');
    await until(bob.client, (s) => s.voicemail.voicemails.length === 2);
    await expect(el).to.be.accessible();
  });
});
