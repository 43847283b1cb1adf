import { expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import '../../components/client/comms-client.js';
import '../../components/call-view/comms-call-view.js';
import type { CommsCallView } from '../../components/call-view/call-view.js';
import type {
  CommsCallEndedEvent,
  CommsCallJoinEvent,
  CommsCallReceivedEvent,
  CommsForwardEvent,
  CommsHoldEvent,
  CommsTransferEvent,
} from '../../components/shared/events.js';
import {
  callStates,
  createClient,
  type CallObject,
  type ClientState,
  type CommsClient,
} from '../../core/index.js';
import { Store } from '../../core/store.js';
import { nextEvent, until } from '../helpers/waits.js';
import { hearsAudio } from '../helpers/media.js';
import { connectedCall, pair, reach, type Pair, type Party } from '../helpers/calls.js';

const root = (el: Element) => el.shadowRoot!;
const $ = <T extends Element = HTMLElement>(el: Element, selector: string) =>
  root(el).querySelector<T>(selector);
const must = <T extends Element = HTMLElement>(el: Element, selector: string) => {
  const found = $<T>(el, selector);
  if (!found) throw new Error(`no ${selector} in <${el.localName}>`);
  return found;
};
const text = (el: Element, selector: string) =>
  (must(el, selector).textContent ?? '').replace(/\s+/g, ' ').trim();
const stageState = (el: Element) => text(el, '[part="stage"] [part="state"] > span');
const polite = (el: Element) => text(el, '[role="status"]');
const assertive = (el: Element) => text(el, '[role="alert"][aria-live="assertive"]');

/** Resolves once `predicate()` holds after one of the element's updates. */
async function settled(el: CommsCallView, predicate: () => boolean, message: string) {
  await waitUntil(
    async () => {
      await el.updateComplete;
      return predicate();
    },
    message,
    { timeout: 10000 },
  );
}

async function view(party: Party, attrs = '') {
  const host = await fixture<HTMLDivElement>(html`<div></div>`);
  host.innerHTML = `<comms-call-view stats-interval="250" ${attrs}></comms-call-view>`;
  const el = host.firstElementChild as CommsCallView;
  el.client = party.client;
  await el.updateComplete;
  return el;
}

describe('<comms-call-view>', function () {
  this.timeout(40000);
  let users: Pair;

  beforeEach(() => {
    users = pair();
  });
  afterEach(async () => {
    await users.teardown();
  });

  it('is accessible with no call, ringing, and connected', async () => {
    const { a, b } = users;
    const viewB = await view(b);
    expect(text(viewB, '[part="empty"]')).to.equal('No calls');
    await expect(viewB).to.be.accessible();

    const received = nextEvent(b.client, 'call:receive');
    const callId = a.client.call.make(b.id, { audio: true, video: true });
    await received;
    await settled(viewB, () => !!$(viewB, '[part="incoming"]'), 'the call rings');
    await expect(viewB).to.be.accessible();

    must(viewB, '[part~="answer-button"]').click();
    await reach(a.client, callId, 'Connected');
    await settled(viewB, () => stageState(viewB).startsWith('Connected'), 'connected');
    await expect(viewB).to.be.accessible();
    await a.client.call.end(callId);
  });

  it('rings for a call from the other client: caller, announcement, event, ringtone', async () => {
    const { a, b } = users;
    const viewB = await view(b);
    const notified = oneEvent(viewB, 'comms-call-received') as Promise<CommsCallReceivedEvent>;
    const callId = a.client.call.make(b.id, { audio: true });
    const { detail } = await notified;
    expect(detail).to.deep.equal({ callId, from: a.id });
    await settled(viewB, () => !!$(viewB, '[part="incoming"]'), 'the call rings');
    expect(text(viewB, '[part="incoming"] [part="name"]')).to.equal('Alice Liddell');
    expect(text(viewB, '[part="incoming"] [part="number"]')).to.equal(a.id);
    expect(text(viewB, '[part="incoming"] [part="state"]')).to.equal('Incoming call');
    expect(assertive(viewB)).to.equal('Incoming call from Alice Liddell');
    expect($(viewB, '[part~="answer-video-button"]'), 'no video offered').to.equal(null);
    expect(viewB.ringtone).to.be.oneOf(['playing', 'blocked']);
    await settled(viewB, () => viewB.ringtone === 'playing', 'the ringtone plays');

    must(viewB, '[part~="ignore-button"]').click();
    await reach(b.client, callId, 'Ended');
    await settled(viewB, () => !$(viewB, '[part="incoming"]'), 'ringing stops');
    expect(viewB.ringtone).to.equal('off');
    expect(a.client.call.getById(callId)!.state, 'ignore does not tell the caller').to.equal(
      'Ringing',
    );
    await a.client.call.end(callId);
  });

  it('answer → both sides show connected with the timer running and audio flowing', async () => {
    const { a, b } = users;
    const viewA = await view(a);
    const viewB = await view(b);
    const received = nextEvent(b.client, 'call:receive');
    const callId = a.client.call.make(b.id, { audio: true });
    await received;
    await settled(viewA, () => /Calling|Ringing/.test(stageState(viewA)), 'calling shows');
    expect(polite(viewA)).to.match(/^Calling (Bob Builder|bob-)/);
    await settled(viewB, () => !!$(viewB, '[part="incoming"]'), 'the call rings');

    must(viewB, '[part~="answer-button"]').click();
    await reach(a.client, callId, 'Connected');
    for (const [el, name] of [
      [viewA, 'Bob Builder'],
      [viewB, 'Alice Liddell'],
    ] as const) {
      await settled(el, () => stageState(el).startsWith('Connected'), 'connected');
      expect(text(el, '[part="stage"] [part="name"]')).to.equal(name);
      expect(polite(el)).to.contain(`Connected with ${name}`);
      expect(text(el, '[part="timer"]')).to.match(/^0:0\d$/);
    }
    const first = text(viewA, '[part="timer"]');
    await settled(viewA, () => text(viewA, '[part="timer"]') !== first, 'the timer runs');
    expect(text(viewA, '[part="timer"]')).to.match(/^0:0[1-9]$/);
    expect($(viewB, '[part="incoming"]')).to.equal(null);
    expect(must(viewA, '[part="avatar"]').hidden, 'audio-only shows the avatar').to.equal(false);
    expect(text(viewA, '[part="avatar"]')).to.equal('BB');

    // The remote audio is rendered by the view and carries sound.
    await settled(viewB, () => !!$(viewB, '[part="audio"] audio'), 'remote audio rendered');
    const audio = must<HTMLAudioElement>(viewB, '[part="audio"] audio');
    const track = (audio.srcObject as MediaStream).getAudioTracks()[0]!;
    expect(await hearsAudio(track)).to.be.greaterThan(0.01);
    await a.client.call.end(callId);
  });

  it('mute, hold and end work, and are announced on both sides', async () => {
    const { a, b } = users;
    const callId = await connectedCall(a, b);
    const viewA = await view(a);
    const viewB = await view(b);
    await settled(viewA, () => stageState(viewA).startsWith('Connected'), 'connected');

    const mute = must(viewA, '[part~="mute"]');
    expect(mute.getAttribute('aria-pressed')).to.equal('false');
    mute.click();
    const [audioId] = a.client.call.getById(callId)!.localTracks;
    await until(a.client, (s) => s.media.tracks[audioId!]!.muted);
    await settled(viewA, () => mute.getAttribute('aria-pressed') === 'true', 'mute pressed');
    await settled(viewA, () => polite(viewA) === 'Microphone muted', 'mute announced (alone)');
    mute.click();
    await until(a.client, (s) => !s.media.tracks[audioId!]!.muted);
    await settled(viewA, () => polite(viewA).includes('Microphone on'), 'unmute announced');

    const hold = oneEvent(viewA, 'comms-hold') as Promise<CommsHoldEvent>;
    must(viewA, '[part~="hold"]').click();
    expect((await hold).detail).to.deep.equal({ callId, hold: true });
    await until(b.client, (s) => s.call.calls[callId]!.remoteHold);
    await settled(viewA, () => stageState(viewA) === 'On hold', 'held here');
    await settled(viewB, () => stageState(viewB) === 'Held by Alice Liddell', 'held there');
    expect(polite(viewA)).to.contain('Call with Bob Builder on hold');
    expect(polite(viewB)).to.contain('Alice Liddell put the call on hold');
    expect(must(viewA, '[part~="hold"]').getAttribute('aria-pressed')).to.equal('true');
    expect($(viewA, '[part="timer"]'), 'the timer stays while held').not.to.equal(null);

    must(viewA, '[part~="hold"]').click();
    await until(b.client, (s) => !s.call.calls[callId]!.remoteHold);
    await settled(viewB, () => stageState(viewB) === 'Connected', 'resumed there');
    expect(polite(viewB)).to.contain('Call with Alice Liddell resumed');

    const ended = oneEvent(viewB, 'comms-call-ended') as Promise<CommsCallEndedEvent>;
    must(viewA, '[part~="hangup"]').click();
    await reach(b.client, callId, 'Ended');
    expect((await ended).detail.callId).to.equal(callId);
    await settled(viewA, () => polite(viewA).includes('Call with Bob Builder ended'), 'ended here');
    await settled(
      viewB,
      () => polite(viewB).includes('Call with Alice Liddell ended'),
      'ended there',
    );
    expect(must(viewA, '[part="stage"]').hidden).to.equal(true);
    expect(text(viewB, '[part="ended"] span')).to.equal('Call ended');
  });

  it('works from the keyboard: Tab to Answer, Enter; then Space on Mute', async () => {
    const { a, b } = users;
    const viewB = await view(b);
    const callId = a.client.call.make(b.id, { audio: true });
    await settled(viewB, () => !!$(viewB, '[part="incoming"]'), 'the call rings');
    const before = document.createElement('button');
    viewB.before(before);
    before.focus();
    await sendKeys({ press: 'Tab' });
    expect(root(viewB).activeElement?.getAttribute('part')).to.contain('answer-button');
    await sendKeys({ press: 'Enter' });
    await reach(a.client, callId, 'Connected');
    await settled(viewB, () => !!$(viewB, '[part~="mute"]'), 'controls shown');
    must(viewB, '[part~="mute"]').focus();
    await sendKeys({ press: 'Space' });
    const [audio] = b.client.call.getById(callId)!.localTracks;
    await until(b.client, (s) => s.media.tracks[audio!]!.muted);
    await a.client.call.end(callId);
  });

  it('a declined call shows why on the caller’s side', async () => {
    const { a, b } = users;
    const viewA = await view(a);
    const viewB = await view(b);
    const callId = a.client.call.make(b.id, { audio: true });
    await settled(viewB, () => !!$(viewB, '[part="incoming"]'), 'the call rings');
    must(viewB, '[part~="reject-button"]').click();
    await reach(a.client, callId, 'Ended');
    await settled(viewA, () => !!$(viewA, '[part="ended"]'), 'the end shows');
    expect(text(viewA, '[part="ended"] span')).to.equal('Call ended: declined');
    expect(polite(viewA)).to.contain('Call with Bob Builder ended: declined');
    expect($(viewB, '[part="ended"]'), 'the one who declined sees no notice').to.equal(null);
  });

  it('switching between two calls holds the other', async () => {
    const { a, b } = users;
    const c = users.join('carol', 'Carol Danvers');
    const first = await connectedCall(b, a);
    const viewA = await view(a);
    await settled(viewA, () => stageState(viewA) === 'Connected', 'first call shown');

    const second = c.client.call.make(a.id, { audio: true });
    await settled(viewA, () => !!$(viewA, '[part="incoming"]'), 'the second call rings');
    must(viewA, '[part="incoming"] [part~="answer-button"]').click();
    await reach(c.client, second, 'Connected');
    await until(a.client, (s) => s.call.calls[first]!.localHold);
    await settled(
      viewA,
      () => text(viewA, '[part="stage"] [part="name"]') === 'Carol Danvers',
      'second shown',
    );
    const items = () => [...root(viewA).querySelectorAll('[part="call-item"]')];
    await settled(viewA, () => items().length === 2, 'two calls listed');
    const bob = items().find((li) => li.getAttribute('data-call-id') === first)!;
    expect(bob.textContent).to.contain('On hold');

    const button = bob.querySelector('button')!;
    expect(button.textContent!.replace(/\s+/g, ' ').trim()).to.equal(
      'BB Switch to Bob Builder On hold',
    );
    button.click();
    await until(
      a.client,
      (s) => s.call.calls[second]!.localHold && !s.call.calls[first]!.localHold,
    );
    await settled(
      viewA,
      () => text(viewA, '[part="stage"] [part="name"]') === 'Bob Builder',
      'first shown',
    );
    expect(a.client.call.getById(first)!.state).to.equal('Connected');
    expect(a.client.call.getById(second)!.state).to.equal('On Hold');
    await until(c.client, (s) => s.call.calls[second]!.remoteHold);
    const current = items().find((li) => li.getAttribute('data-call-id') === first)!;
    expect(current.querySelector('button')!.getAttribute('aria-current')).to.equal('true');
    await a.client.call.end(first);
    await a.client.call.end(second);
  });

  it('answering with video shows the remote video large and the local preview', async () => {
    const { a, b } = users;
    const viewB = await view(b);
    const callId = a.client.call.make(b.id, { audio: true, video: true });
    await settled(viewB, () => !!$(viewB, '[part~="answer-video-button"]'), 'video offered');
    expect(text(viewB, '[part="incoming"] [part="state"]')).to.equal('Incoming video call');
    must(viewB, '[part~="answer-video-button"]').click();
    await reach(a.client, callId, 'Connected');
    await settled(viewB, () => !!$(viewB, '[part="remote-video"] video'), 'remote video rendered');
    const video = must<HTMLVideoElement>(viewB, '[part="remote-video"] video');
    await new Promise<void>((resolve) =>
      video.videoWidth > 0
        ? resolve()
        : video.addEventListener('resize', () => resolve(), { once: true }),
    );
    expect(video.videoWidth).to.be.greaterThan(0);
    expect(must(viewB, '[part="avatar"]').hidden).to.equal(true);
    await settled(viewB, () => !!$(viewB, '[part="local-video"] video'), 'local preview');
    expect(must(viewB, '[part~="camera"]').getAttribute('aria-pressed')).to.equal('true');

    // Camera off: the far side loses the video and shows the avatar again.
    const viewA = await view(a);
    await settled(viewA, () => !!$(viewA, '[part="remote-video"] video'), 'A sees B');
    must(viewB, '[part~="camera"]').click();
    await settled(viewA, () => !must(viewA, '[part="avatar"]').hidden, 'A sees the avatar');
    expect($(viewA, '[part="remote-video"] video')).to.equal(null);
    await a.client.call.end(callId);
  });

  it('the keypad sends DTMF, and quality bars and graph follow getStats', async () => {
    const { a, b } = users;
    const callId = await connectedCall(a, b);
    const viewA = await view(a);
    const toggle = must(viewA, '[part~="keypad-toggle"]');
    expect(toggle.getAttribute('aria-expanded')).to.equal('false');
    toggle.click();
    await viewA.updateComplete;
    expect(toggle.getAttribute('aria-expanded')).to.equal('true');
    expect(must(viewA, '#dtmf-keypad').hidden).to.equal(false);
    const tone = nextEvent(a.client, 'call:dtmf');
    must<HTMLButtonElement>(viewA, '#dtmf-keypad [data-key="9"]').click();
    expect(await tone).to.deep.equal({ callId, tone: '9' });

    await settled(
      viewA,
      () =>
        (must(viewA, '[part="graph"] .kbps').getAttribute('points') ?? '').split(' ').length >= 3,
      'three samples',
    );
    const bars = must(viewA, '[part="quality"]');
    expect(Number(bars.dataset.level)).to.be.within(3, 4); // loopback media is good
    expect(bars.getAttribute('aria-label')).to.match(/^Call quality: (good|excellent)$/);
    expect(text(viewA, '[part="quality-details"]')).to.match(
      /^Round trip \d+ ms, loss \d+\.\d %, jitter \d+ ms$/,
    );
    await a.client.call.end(callId);
  });

  it('shows an "enable sound" button when the browser blocks the ringtone', async () => {
    const { a, b } = users;
    const Real = window.AudioContext;
    let allowed = false;
    class Blocked extends Real {
      override get state(): AudioContextState {
        return allowed ? super.state : 'suspended';
      }
      override resume(): Promise<void> {
        return allowed ? super.resume() : new Promise(() => undefined);
      }
    }
    window.AudioContext = Blocked;
    try {
      const viewB = await view(b);
      const callId = a.client.call.make(b.id, { audio: true });
      await settled(viewB, () => !!$(viewB, '[part="enable-sound"]'), 'enable sound offered');
      expect(viewB.ringtone).to.equal('blocked');
      expect(text(viewB, '[part="enable-sound"]')).to.equal('Enable ringtone sound');
      await expect(viewB).to.be.accessible();
      allowed = true; // a click is a user gesture
      must(viewB, '[part="enable-sound"]').click();
      await settled(viewB, () => !$(viewB, '[part="enable-sound"]'), 'sound enabled');
      expect(viewB.ringtone).to.equal('playing');
      await a.client.call.end(callId);
    } finally {
      window.AudioContext = Real;
    }
  });

  it('an outgoing call can be cancelled, and the view speaks French under lang="fr"', async () => {
    const { a, b } = users;
    const host = await fixture<HTMLDivElement>(html`<div lang="fr"></div>`);
    const el = document.createElement('comms-call-view');
    el.client = a.client;
    host.append(el);
    await el.updateComplete;
    expect(text(el, '[part="empty"]')).to.equal('Aucun appel');
    const callId = a.client.call.make(b.id, { audio: true });
    await reach(a.client, callId, 'Ringing');
    await settled(el, () => stageState(el) === 'Ça sonne…', 'ringing in French');
    expect(polite(el)).to.contain('Ça sonne chez Bob Builder');
    const cancel = must(el, '[part~="hangup"]');
    expect(text(el, '[part~="hangup"]')).to.equal('Annuler l’appel');
    cancel.click();
    await reach(b.client, callId, 'Cancelled');
    await settled(el, () => !!$(el, '[part="ended"]'), 'the end shows');
    expect(text(el, '[part="ended"] span')).to.equal('Appel terminé');
  });

  it('inside <comms-client>, answering goes through the provider and can be prevented', async () => {
    const { a, b } = users;
    const provider = await fixture(
      html`<comms-client .client=${b.client}><comms-call-view></comms-call-view></comms-client>`,
    );
    const viewB = provider.querySelector('comms-call-view')!;
    const callId = a.client.call.make(b.id, { audio: true });
    await settled(viewB, () => !!$(viewB, '[part="incoming"]'), 'the call rings');
    const stop = (e: Event) => e.preventDefault();
    document.addEventListener('comms-answer', stop, { once: true });
    must(viewB, '[part~="answer-button"]').click();
    await Promise.resolve();
    expect(b.client.call.getById(callId)!.state).to.equal('Ringing');
    must(viewB, '[part~="answer-button"]').click();
    await reach(a.client, callId, 'Connected');
    await a.client.call.end(callId);
  });
  describe('forward', () => {
    it('from the keyboard: Forward, a destination, Enter; the destination rings and everyone sees who forwarded', async () => {
      const { a, b } = users;
      const c = users.join('carol', 'Carol Danvers');
      const viewA = await view(a);
      const viewB = await view(b);
      const viewC = await view(c);
      const received = nextEvent(b.client, 'call:receive');
      const callId = a.client.call.make(b.id, { audio: true });
      await received;
      await settled(viewB, () => !!$(viewB, '[part="incoming"]'), 'the call rings');
      const toggle = must(viewB, '[part~="forward-toggle"]');
      expect(toggle.getAttribute('aria-expanded')).to.equal('false');
      expect(must(viewB, '[part="forward"]').hidden).to.equal(true);
      toggle.focus();
      await sendKeys({ press: 'Enter' });
      await settled(viewB, () => !must(viewB, '[part="forward"]').hidden, 'the field opens');
      expect(toggle.getAttribute('aria-expanded')).to.equal('true');
      expect(toggle.getAttribute('aria-controls')).to.equal(must(viewB, '[part="forward"]').id);
      expect(root(viewB).activeElement).to.equal(must(viewB, '[part="forward-destination"]'));
      expect(text(viewB, '[part="forward"] label')).to.equal(
        'Forward to (number, user name or SIP address)',
      );
      expect(must(viewB, '[part="forward"]').getAttribute('aria-label')).to.equal(
        'Forward the call from Alice Liddell',
      );
      await expect(viewB).to.be.accessible();

      const requested = oneEvent(viewB, 'comms-forward') as Promise<CommsForwardEvent>;
      const rings = nextEvent(c.client, 'call:receive');
      await sendKeys({ type: c.id });
      await sendKeys({ press: 'Enter' });
      expect((await requested).detail).to.deep.equal({ callId, destination: c.id });
      expect((await rings).callId).to.equal(callId);
      await reach(b.client, callId, 'Ended');
      await settled(viewB, () => !$(viewB, '[part="incoming"]'), 'Bob’s ringing stops');
      await settled(
        viewB,
        () => polite(viewB).includes(`The call from Alice Liddell was forwarded to ${c.id}`),
        'announced',
      );
      // Carol sees who calls, and who forwarded it; Alice sees whom she now rings, and who sent her.
      await settled(viewC, () => !!$(viewC, '[part="incoming"] [part="forwarded-by"]'), 'rings');
      expect(text(viewC, '[part="incoming"] [part="name"]')).to.equal('Alice Liddell');
      expect(text(viewC, '[part="incoming"] [part="forwarded-by"]')).to.equal(
        'Forwarded by Bob Builder',
      );
      await expect(viewC).to.be.accessible();
      await settled(
        viewA,
        () => text(viewA, '[part="stage"] [part="name"]') === 'Carol Danvers',
        'Alice sees the call ring at Carol’s',
      );
      expect(text(viewA, '[part="stage"] [part="forwarded-by"]')).to.equal(
        'Forwarded by Bob Builder',
      );
      must(viewC, '[part~="answer-button"]').click();
      await reach(a.client, callId, 'Connected');
      await settled(viewA, () => stageState(viewA).startsWith('Connected'), 'Alice connected');
      await a.client.call.end(callId);
    });

    it('a refused forward says why and the call rings on', async () => {
      const { a, b } = users;
      const viewB = await view(b);
      const received = nextEvent(b.client, 'call:receive');
      const callId = a.client.call.make(b.id, { audio: true });
      await received;
      await settled(viewB, () => !!$(viewB, '[part="incoming"]'), 'the call rings');
      must(viewB, '[part~="forward-toggle"]').click();
      await settled(viewB, () => !must(viewB, '[part="forward"]').hidden, 'the field opens');
      must<HTMLInputElement>(viewB, '[part="forward-destination"]').value = 'nobody-at-all';
      must(viewB, '[part="forward-button"]').click();
      await settled(viewB, () => text(viewB, '[part="error"]') !== '', 'the error shows');
      expect(text(viewB, '[part="error"]')).to.contain('nobody-at-all');
      expect(b.client.call.getById(callId)!.state).to.equal('Ringing');
      expect(must(viewB, '[part="forward"]').hidden, 'the field stays open').to.equal(false);
      await a.client.call.end(callId);
    });
  });

  describe('transfer', () => {
    it('from the keyboard: Transfer, a destination, Enter; the other party goes to it', async () => {
      const { a, b } = users;
      const c = users.join('carol', 'Carol Danvers');
      const callId = await connectedCall(a, b);
      const viewA = await view(a);
      const viewB = await view(b);
      const viewC = await view(c);
      await settled(viewA, () => stageState(viewA).startsWith('Connected'), 'connected');
      const toggle = must(viewA, '[part~="transfer-toggle"]');
      expect(toggle.getAttribute('aria-expanded')).to.equal('false');
      expect(must(viewA, '[part="transfer"]').hidden).to.equal(true);
      toggle.click();
      await settled(viewA, () => !must(viewA, '[part="transfer"]').hidden, 'the panel opens');
      expect(toggle.getAttribute('aria-expanded')).to.equal('true');
      expect(toggle.getAttribute('aria-controls')).to.equal('transfer-panel');
      expect(root(viewA).activeElement).to.equal(must(viewA, '[part="transfer-destination"]'));
      expect(text(viewA, '[part="transfer"] label')).to.equal(
        'Transfer to (number, user name or SIP address)',
      );
      expect(must(viewA, '[part="transfer"]').getAttribute('aria-label')).to.equal(
        'Transfer Bob Builder',
      );
      expect($(viewA, '[part="transfer-to-call"]'), 'one call: no consultative choice').to.equal(
        null,
      );
      await expect(viewA).to.be.accessible();

      const requested = oneEvent(viewA, 'comms-transfer') as Promise<CommsTransferEvent>;
      const rings = nextEvent(c.client, 'call:receive');
      await sendKeys({ type: c.id });
      await sendKeys({ press: 'Enter' });
      expect((await requested).detail).to.deep.equal({ callId, destination: c.id });
      const { callId: newId } = await rings;
      await reach(c.client, newId, 'Ringing');
      expect(a.client.call.getById(callId)!.localHold, 'held before the transfer').to.equal(true);
      // Carol sees who calls, and who sent them.
      await settled(viewC, () => !!$(viewC, '[part="incoming"] [part="referred-by"]'), 'rings');
      expect(text(viewC, '[part="incoming"] [part="name"]')).to.equal('Bob Builder');
      expect(text(viewC, '[part="incoming"] [part="referred-by"]')).to.equal(
        'Transferred by Alice Liddell',
      );
      await expect(viewC).to.be.accessible();
      // Bob keeps one call in view: the new one, to Carol.
      await settled(
        viewB,
        () => text(viewB, '[part="stage"] [part="name"]') === 'Carol Danvers',
        'Bob sees the call to Carol',
      );
      expect(text(viewB, '[part="stage"] [part="referred-by"]')).to.equal(
        'Transferred by Alice Liddell',
      );
      expect($(viewB, '[part="call-list"]'), 'one call shown').to.equal(null);
      await c.client.call.answer(newId, { audio: true });
      await reach(a.client, callId, 'Ended');
      await reach(b.client, callId, 'Ended');
      await settled(viewB, () => stageState(viewB).startsWith('Connected'), 'Bob connected');
      expect($(viewB, '[part="ended"]'), 'no "call ended" for the replaced call').to.equal(null);
      expect(polite(viewB)).not.to.contain('Call with Alice Liddell ended');
      await settled(
        viewA,
        () => polite(viewA).includes('Bob Builder was transferred'),
        'announced',
      );
      await reach(b.client, newId, 'Connected');
      await b.client.call.end(newId);
    });

    it('a failed transfer says why and leaves the call held', async () => {
      const { a, b } = users;
      const callId = await connectedCall(a, b);
      const viewA = await view(a);
      await settled(viewA, () => stageState(viewA).startsWith('Connected'), 'connected');
      must(viewA, '[part~="transfer-toggle"]').click();
      await settled(viewA, () => !must(viewA, '[part="transfer"]').hidden, 'the panel opens');
      must<HTMLInputElement>(viewA, '[part="transfer-destination"]').value = 'nobody-at-all';
      must(viewA, '[part="transfer-button"]').click();
      await settled(viewA, () => text(viewA, '[part="error"]') !== '', 'the error shows');
      expect(text(viewA, '[part="error"]')).to.contain('nobody-at-all');
      expect(a.client.call.getById(callId)).to.include({ state: 'On Hold', localHold: true });
      expect(must(viewA, '[part="transfer"]').hidden, 'the panel stays open').to.equal(false);
      await a.client.call.end(callId);
    });

    /** Alice on a call with Bob (held) and one with Carol (current), in her call view. */
    async function twoCalls() {
      const { a, b } = users;
      const c = users.join('carol', 'Carol Danvers');
      const withB = await connectedCall(a, b);
      await a.client.call.hold(withB);
      const withC = await connectedCall(a, c);
      const viewA = await view(a);
      await settled(
        viewA,
        () => text(viewA, '[part="stage"] [part="name"]') === 'Carol Danvers',
        'the call with Carol is current',
      );
      return { a, b, c, withB, withC, viewA };
    }

    it('with two calls, "Connect … with …" joins the two other parties (consultative)', async () => {
      const { a, b, c, withB, withC, viewA } = await twoCalls();
      must(viewA, '[part~="transfer-toggle"]').click();
      await settled(viewA, () => !!$(viewA, '[part="transfer-to-call"]'), 'the choice shows');
      const join = must(viewA, '[part="transfer-to-call"]');
      expect(join.textContent!.trim()).to.equal('Connect Carol Danvers with Bob Builder');
      await expect(viewA).to.be.accessible();

      const requested = oneEvent(viewA, 'comms-transfer') as Promise<CommsTransferEvent>;
      // Carol (the other party of the current call) is asked to call Bob, whose client takes it.
      const takes = nextEvent(b.client, 'call:receive');
      join.click();
      expect((await requested).detail).to.deep.equal({ callId: withC, otherCallId: withB });
      const { callId: newId } = await takes;
      await reach(a.client, withB, 'Ended');
      await reach(a.client, withC, 'Ended');
      await reach(b.client, newId, 'Connected');
      await reach(c.client, newId, 'Connected');
      await settled(viewA, () => polite(viewA).includes('Carol Danvers was transferred'), 'said');
      await b.client.call.end(newId);
    });

    it('"Merge calls" from the keyboard makes one audio call of three, shown with both names', async () => {
      const { a, b, c, withB, withC, viewA } = await twoCalls();
      const viewB = await view(b);
      must(viewA, '[part~="transfer-toggle"]').focus();
      await sendKeys({ press: 'Enter' });
      await settled(viewA, () => !!$(viewA, '[part="join-call"]'), 'the choice shows');
      const merge = must(viewA, '[part="join-call"]');
      expect(merge.textContent!.trim()).to.equal('Merge calls with Carol Danvers and Bob Builder');
      expect(merge.dataset.callId).to.equal(withB);
      await expect(viewA).to.be.accessible();

      const requested = oneEvent(viewA, 'comms-call-join') as Promise<CommsCallJoinEvent>;
      merge.focus();
      await sendKeys({ press: 'Enter' });
      expect((await requested).detail).to.deep.equal({ callId: withC, otherCallId: withB });
      await reach(a.client, withB, 'Ended');
      await reach(a.client, withC, 'Ended');
      const joined = a.client.call.getAll().find((x) => x.joined)!;
      expect(joined.state).to.equal('Connected');
      await settled(
        viewA,
        () => text(viewA, '[part="stage"] [part="name"]') === 'Carol Danvers and Bob Builder',
        'the joined call is on the stage with both names',
      );
      expect(must(viewA, '[part="stage"]').dataset.callId).to.equal(joined.id);
      expect(text(viewA, '[part="joined"]')).to.equal('Merged call, audio only');
      const avatars = [...must(viewA, '[part="avatar"]').querySelectorAll('.avatar')];
      expect(
        avatars.map((e) => e.textContent!.trim()),
        'one avatar each',
      ).to.deep.equal(['CD', 'BB']);
      expect($(viewA, '[part="stage"] [part="number"]'), 'no one number').to.equal(null);
      for (const part of ['camera', 'share', 'hold', 'transfer-toggle'])
        expect(must(viewA, `[part~="${part}"]`).getAttribute('aria-disabled'), part).to.equal(
          'true',
        );
      expect(must(viewA, '[part~="mute"]').getAttribute('aria-disabled')).to.equal('false');
      await settled(
        viewA,
        () => polite(viewA).includes('Calls merged: you, Carol Danvers and Bob Builder'),
        'the merge is announced',
      );
      expect(polite(viewA), 'the merged calls’ end is not announced').not.to.contain('ended');
      expect($(viewA, '[part="ended"]')).to.equal(null);
      await expect(viewA).to.be.accessible();
      // Bob sees his call go on, no longer held.
      await settled(viewB, () => stageState(viewB).startsWith('Connected'), 'B is resumed');

      // Mute on the joined call mutes this user's microphone (for both parties).
      must(viewA, '[part~="mute"]').click();
      await settled(viewA, () => polite(viewA).includes('Microphone muted'), 'muted');
      expect(a.client.media.getTrackById(joined.localTracks[0]!)!.muted).to.equal(true);

      // Bob hangs up: the call goes on with Carol, and Bob's leaving is announced.
      await b.client.call.end(withB);
      await settled(
        viewA,
        () => text(viewA, '[part="stage"] [part="name"]') === 'Carol Danvers',
        'Carol stays',
      );
      await settled(viewA, () => polite(viewA).includes('Bob Builder left the call'), 'said');
      must(viewA, '[part~="hangup"]').click();
      await reach(c.client, withC, 'Ended');
      await reach(a.client, joined.id, 'Ended');
    });

    it('"Merge calls" speaks French under lang="fr", and a refused merge says why', async () => {
      const { a, b } = users;
      const c = users.join('carol', 'Carol Danvers');
      const withB = await connectedCall(a, b);
      await a.client.call.hold(withB);
      await connectedCall(a, c);
      const host = await fixture<HTMLDivElement>(html`<div lang="fr"></div>`);
      const el = document.createElement('comms-call-view');
      el.client = a.client;
      host.append(el);
      await settled(el, () => text(el, '[part="stage"] [part="name"]') === 'Carol Danvers', 'C');
      must(el, '[part~="transfer-toggle"]').click();
      await settled(el, () => !!$(el, '[part="join-call"]'), 'the choice shows');
      expect(text(el, '[part="join-call"]')).to.equal(
        'Fusionner les appels avec Carol Danvers et Bob Builder',
      );
      // A page that carries the merge out itself, and fails: the view says why.
      el.addEventListener('comms-call-join', (event) => {
        const request = event as CommsCallJoinEvent;
        request.claim(() => a.client.call.join('no-such-call', request.detail.otherCallId));
      });
      must(el, '[part="join-call"]').click();
      await settled(el, () => text(el, '[part="error"]') !== '', 'the error shows');
      expect(text(el, '[part="error"]')).to.contain('no-such-call');
      expect(must(el, '[part="transfer"]').hidden, 'the panel stays open').to.equal(false);
      expect(a.client.call.getAll().filter((x) => x.joined)).to.deep.equal([]);
    });
  });
});

/**
 * One layer: states a real call cannot be brought into quickly and on purpose (a failed media
 * connection, a lost server connection) are set in a real Store; the element is the unit.
 */
describe('<comms-call-view> in states set by the test', () => {
  const call = (patch: Partial<CallObject> = {}): CallObject => ({
    id: 'call-1',
    direction: 'outgoing',
    from: 'me',
    to: 'dora',
    state: 'Connected',
    mediaConnectionState: 'connected',
    localHold: false,
    remoteHold: false,
    localTracks: [],
    remoteTracks: [],
    mediaOffered: null,
    remoteParticipant: { displayNumber: 'dora', displayName: '<b>Dora</b> & co' },
    bandwidth: {},
    customParameters: [],
    startTime: Date.now(),
    answerTime: Date.now(),
    endTime: null,
    transition: null,
    currentOperations: [],
    ...patch,
  });

  function fake(calls: CallObject[]) {
    const real = createClient({ logs: { logLevel: 'silent' } });
    const base = real.store.getState();
    void real.destroy();
    const store = new Store<ClientState>({
      ...base,
      call: { calls: Object.fromEntries(calls.map((c) => [c.id, c])) },
    });
    const done: string[] = [];
    const client = {
      store,
      destroyed: false,
      call: {
        states: callStates,
        getAll: () => Object.values(store.getState().call.calls),
        getById: (id: string) => store.getState().call.calls[id],
        restartMedia: async (id: string) => void done.push(`restartMedia ${id}`),
        getStats: async () => new Map() as unknown as RTCStatsReport,
      },
      media: { renderTracks: async () => undefined, removeTracks: () => undefined },
    } as unknown as CommsClient;
    const set = (recipe: (s: ClientState) => ClientState) => store.update(recipe);
    return { client, done, set };
  }

  it('renders names as text, offers "Reconnect media" when media failed, and announces it', async () => {
    const { client, done, set } = fake([call()]);
    const el = await fixture<CommsCallView>(
      html`<comms-call-view .client=${client}></comms-call-view>`,
    );
    expect(text(el, '[part="stage"] [part="name"]')).to.equal('<b>Dora</b> & co');
    expect($(el, '[part="stage"] [part="name"] b'), 'no markup from names').to.equal(null);
    expect($(el, '[part="restart-media"]')).to.equal(null);

    set((s) => ({
      ...s,
      call: { calls: { 'call-1': call({ mediaConnectionState: 'disconnected' }) } },
    }));
    await el.updateComplete;
    expect(stageState(el)).to.equal('Reconnecting media…');

    set((s) => ({ ...s, call: { calls: { 'call-1': call({ mediaConnectionState: 'failed' }) } } }));
    await el.updateComplete;
    expect(stageState(el)).to.equal('Media connection lost');
    await Promise.resolve();
    await el.updateComplete;
    expect(polite(el)).to.contain('The media connection with <b>Dora</b> & co was lost');
    await expect(el).to.be.accessible();
    const restart = oneEvent(el, 'comms-media-restart');
    must(el, '[part="restart-media"]').click();
    expect((await restart).detail).to.deep.equal({ callId: 'call-1' });
    await waitUntil(() => done.length === 1, 'restartMedia called');
    expect(done).to.deep.equal(['restartMedia call-1']);
  });

  it('while reconnecting to the server, says so and disables what needs it, with the reason', async () => {
    const ringing = call({
      id: 'call-2',
      direction: 'incoming',
      state: 'Ringing',
      answerTime: null,
      remoteParticipant: { displayNumber: 'eve', displayName: 'Eve' },
    });
    const { client, set } = fake([call(), ringing]);
    const el = await fixture<CommsCallView>(
      html`<comms-call-view .client=${client} silent></comms-call-view>`,
    );
    expect($(el, '[part="connection"]')).to.equal(null);
    set((s) => ({
      ...s,
      connection: { ...s.connection, status: 'reconnecting', attempt: 2, lastCloseCode: 1006 },
    }));
    await el.updateComplete;
    expect(text(el, '[part="connection"]')).to.equal('Connection lost. Reconnecting (attempt 2)…');
    for (const part of ['answer-button', 'reject-button', 'hold']) {
      const button = must(el, `[part~="${part}"]`);
      expect(button.getAttribute('aria-disabled'), part).to.equal('true');
      expect(button.getAttribute('aria-describedby'), part).to.equal('connection-reason');
    }
    for (const part of ['ignore-button', 'hangup']) {
      expect(must(el, `[part~="${part}"]`).getAttribute('aria-disabled'), part).to.equal('false');
    }
    await Promise.resolve();
    await el.updateComplete;
    expect(polite(el)).to.contain('Reconnecting');
    let asked = false;
    el.addEventListener('comms-answer', () => (asked = true));
    must(el, '[part~="answer-button"]').click();
    expect(asked, 'a disabled action does not ask').to.equal(false);
    await expect(el).to.be.accessible();
  });
});
