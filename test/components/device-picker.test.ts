import { expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import '../../components/client/comms-client.js';
import '../../components/device-picker/comms-device-picker.js';
import type { CommsDevicePicker } from '../../components/device-picker/device-picker.js';
import type { CommsDeviceSelectEvent } from '../../components/shared/events.js';
import { createClient, type CommsClient } from '../../core/index.js';
import { nextEvent, until } from '../helpers/waits.js';
import { connectedCall, pair, type Pair } from '../helpers/calls.js';

const $ = <T extends Element = HTMLElement>(el: Element, selector: string) =>
  el.shadowRoot!.querySelector<T>(selector);
const must = <T extends Element = HTMLElement>(el: Element, selector: string) => {
  const found = $<T>(el, selector);
  if (!found) throw new Error(`no ${selector} in <${el.localName}>`);
  return found;
};
const select = (el: Element, kind: string) => must<HTMLSelectElement>(el, `select#select-${kind}`);
const options = (el: Element, kind: string) =>
  [...select(el, kind).options].map((o) => o.textContent!.trim());

let storageCounter = 0;

async function picker(client: CommsClient, key: string, attrs = '') {
  const host = await fixture<HTMLDivElement>(html`<div></div>`);
  host.innerHTML = `<comms-device-picker storage-key="${key}" ${attrs}></comms-device-picker>`;
  const el = host.firstElementChild as CommsDevicePicker;
  el.client = client;
  await ready(el);
  return el;
}

/** Resolves once the picker lists devices. */
async function ready(el: CommsDevicePicker) {
  await waitUntil(
    async () => {
      await el.updateComplete;
      return !!$(el, '.fields:not([hidden]) select#select-microphone');
    },
    'devices listed',
    { timeout: 10000 },
  );
}

/** What a user does: pick an option, and the select fires `change`. */
function choose(el: Element, kind: string, value: string) {
  const list = select(el, kind);
  list.value = value;
  list.dispatchEvent(new Event('change', { bubbles: true }));
}

const idOf = (client: CommsClient, kind: 'microphone' | 'camera' | 'speaker', label: string) =>
  client.media.getDevices()[kind].find((d) => d.label === label)!.deviceId;

describe('<comms-device-picker>', function () {
  this.timeout(30000);
  let users: Pair;
  let key: string;

  beforeEach(() => {
    users = pair();
    key = `comms-kit:test-devices-${++storageCounter}-${Date.now()}`;
  });
  afterEach(async () => {
    localStorage.removeItem(key);
    await users.teardown();
  });

  it('is accessible', async () => {
    const el = await picker(users.a.client, key);
    await expect(el).to.be.accessible();
  });

  it('lists the fake devices, with the system default first', async () => {
    const el = await picker(users.a.client, key);
    expect(options(el, 'microphone')).to.deep.equal([
      'System default (Fake Default Audio Input)',
      'Fake Audio Input 1',
      'Fake Audio Input 2',
    ]);
    expect(options(el, 'camera')).to.deep.equal([
      'System default (fake_device_0)',
      'fake_device_0',
    ]);
    expect(options(el, 'speaker')).to.deep.equal([
      'System default (Fake Default Audio Output)',
      'Fake Audio Output 1',
      'Fake Audio Output 2',
    ]);
    expect(options(el, 'ringer')).to.deep.equal(options(el, 'speaker'));
    for (const kind of ['camera', 'microphone', 'speaker', 'ringer'])
      expect(select(el, kind).value, kind).to.equal('');
    expect(el.value).to.deep.equal({ camera: null, microphone: null, speaker: null, ringer: null });
  });

  it('shows a live camera preview and the microphone level', async () => {
    const el = await picker(users.a.client, key);
    const video = must<HTMLVideoElement>(el, '[part="preview"]');
    await waitUntil(() => video.videoWidth > 0, 'the preview shows frames', { timeout: 10000 });
    await waitUntil(() => el.level > 0.01, 'the meter moves (the fake microphone beeps)', {
      timeout: 10000,
    });
    el.remove();
    expect(video.srcObject, 'the preview is released').to.equal(null);
  });

  it('switching the microphone during a call replaces the sent track', async () => {
    const { a, b } = users;
    const callId = await connectedCall(a, b);
    const el = await picker(a.client, key);
    const before = a.client.call.getById(callId)!.localTracks;
    const input1 = idOf(a.client, 'microphone', 'Fake Audio Input 1');

    let changes = 0;
    el.addEventListener('change', () => changes++);
    const requested = oneEvent(el, 'comms-device-select') as Promise<CommsDeviceSelectEvent>;
    const replaced = nextEvent(a.client, 'call:trackReplaced');
    choose(el, 'microphone', input1);
    expect((await requested).detail).to.deep.equal({ kind: 'microphone', deviceId: input1 });
    const { newTrackId, oldTrack } = await replaced;
    expect(oldTrack!.id).to.equal(before[0]);
    expect(a.client.call.getById(callId)!.localTracks).to.deep.equal([newTrackId]);
    expect(a.client.media.getTrackById(newTrackId!)!.deviceId).to.equal(input1);
    expect(changes).to.equal(1);
    expect(el.value.microphone).to.equal(input1);
    await waitUntil(
      () =>
        el
          .shadowRoot!.querySelector('[role="status"]')!
          .textContent!.includes('Fake Audio Input 1'),
      'the choice is announced',
    );

    // Back to the system default: the call moves to the default microphone.
    const back = nextEvent(a.client, 'call:trackReplaced');
    choose(el, 'microphone', '');
    const { newTrackId: defaultTrack } = await back;
    expect(a.client.media.getTrackById(defaultTrack!)!.deviceId).to.equal('default');
    await until(a.client, (s) => s.media.defaults.microphone === undefined);
    expect(select(el, 'microphone').value).to.equal('');
    expect(changes).to.equal(2);
    await a.client.call.end(callId);
  });

  it('works from the keyboard: arrow keys on a list choose and fire change', async () => {
    const { a } = users;
    const el = await picker(a.client, key);
    const changed = oneEvent(el, 'change');
    select(el, 'microphone').focus();
    await sendKeys({ press: 'ArrowDown' });
    await changed;
    const input1 = idOf(a.client, 'microphone', 'Fake Audio Input 1');
    await until(a.client, (s) => s.media.defaults.microphone === input1);
    expect(el.value.microphone).to.equal(input1);
  });

  it('changes the speaker, inside <comms-client> too', async () => {
    const { a } = users;
    const provider = await fixture(
      html`<comms-client .client=${a.client}
        ><comms-device-picker storage-key=${key}></comms-device-picker
      ></comms-client>`,
    );
    const el = provider.querySelector('comms-device-picker')!;
    await ready(el);
    const output2 = idOf(a.client, 'speaker', 'Fake Audio Output 2');
    choose(el, 'speaker', output2);
    await until(a.client, (s) => s.media.defaults.speaker === output2);
    expect(select(el, 'speaker').value).to.equal(output2);
  });

  it('remembers the choices across reloads and applies them', async () => {
    const { a } = users;
    const el = await picker(a.client, key);
    const input2 = idOf(a.client, 'microphone', 'Fake Audio Input 2');
    const output1 = idOf(a.client, 'speaker', 'Fake Audio Output 1');
    choose(el, 'microphone', input2);
    choose(el, 'ringer', output1);
    await until(a.client, (s) => s.media.defaults.microphone === input2);
    expect(JSON.parse(localStorage.getItem(key)!)).to.deep.equal({
      microphone: input2,
      ringer: output1,
    });
    expect(
      a.client.store.getState().media.defaults.speaker,
      'the ringer is not the speaker',
    ).to.equal(undefined);
    el.remove();

    // A new page: a new client, a new picker.
    const again = createClient({ logs: { logLevel: 'silent' } });
    try {
      const next = await picker(again, key);
      await until(again, (s) => s.media.defaults.microphone === input2);
      await next.updateComplete;
      expect(select(next, 'microphone').value).to.equal(input2);
      expect(select(next, 'ringer').value).to.equal(output1);
      expect(next.value.ringer).to.equal(output1);
    } finally {
      await again.destroy();
    }
  });

  it('follows devices being unplugged and plugged back, without firing change', async () => {
    const { a } = users;
    const el = await picker(a.client, key);
    const input2 = idOf(a.client, 'microphone', 'Fake Audio Input 2');
    choose(el, 'microphone', input2);
    await until(a.client, (s) => s.media.defaults.microphone === input2);
    let changes = 0;
    el.addEventListener('change', () => changes++);

    const real = navigator.mediaDevices.enumerateDevices.bind(navigator.mediaDevices);
    navigator.mediaDevices.enumerateDevices = async () =>
      (await real()).filter((d) => d.deviceId !== input2);
    try {
      const unplugged = nextEvent(a.client, 'devices:change');
      navigator.mediaDevices.dispatchEvent(new Event('devicechange'));
      await unplugged;
      await until(a.client, (s) => s.media.defaults.microphone === undefined);
      await el.updateComplete;
      expect(options(el, 'microphone')).to.deep.equal([
        'System default (Fake Default Audio Input)',
        'Fake Audio Input 1',
        'Chosen microphone (unplugged)',
      ]);
      expect(must(el, '[part="help"]').textContent).to.contain('unplugged');
      await expect(el).to.be.accessible();
    } finally {
      delete (navigator.mediaDevices as { enumerateDevices?: unknown }).enumerateDevices;
    }
    const plugged = nextEvent(a.client, 'devices:change');
    navigator.mediaDevices.dispatchEvent(new Event('devicechange'));
    await plugged;
    await until(a.client, (s) => s.media.defaults.microphone === input2);
    await el.updateComplete;
    expect(select(el, 'microphone').value).to.equal(input2);
    expect(changes, 'nothing the user did').to.equal(0);
  });

  it('asks for access while names are hidden, and helps when access is blocked', async () => {
    const { a } = users;
    const devices = navigator.mediaDevices;
    const hidden = ['audioinput', 'videoinput', 'audiooutput'].map((kind) => ({
      deviceId: '',
      groupId: '',
      kind,
      label: '',
      toJSON: () => ({}),
    })) as MediaDeviceInfo[];
    devices.enumerateDevices = async () => hidden;
    devices.getUserMedia = async () => {
      throw new DOMException('Permission denied', 'NotAllowedError');
    };
    try {
      const host = await fixture<HTMLDivElement>(html`<div></div>`);
      const el = document.createElement('comms-device-picker');
      el.storageKey = key;
      el.client = a.client;
      host.append(el);
      await waitUntil(async () => {
        await el.updateComplete;
        return !!$(el, '[part="allow-button"]');
      }, 'the allow step shows');
      expect(must(el, '[part="permission"]').textContent).to.contain(
        'Allow access to your camera and microphone',
      );
      expect($(el, '.fields')!.hasAttribute('hidden')).to.equal(true);
      await expect(el).to.be.accessible();

      must(el, '[part="allow-button"]').click();
      await waitUntil(async () => {
        await el.updateComplete;
        return /blocked/.test($(el, '[part="permission"]')?.textContent ?? '');
      }, 'the blocked help shows');
      expect(must(el, '[part="permission"]').textContent).to.contain('address bar');
      await expect(el).to.be.accessible();

      // The user allows it in the browser and tries again.
      delete (devices as { enumerateDevices?: unknown }).enumerateDevices;
      delete (devices as { getUserMedia?: unknown }).getUserMedia;
      must(el, '[part="allow-button"]').click();
      await ready(el);
      expect($(el, '[part="permission"]')).to.equal(null);
      expect(options(el, 'microphone')).to.include('Fake Audio Input 1');
    } finally {
      delete (devices as { enumerateDevices?: unknown }).enumerateDevices;
      delete (devices as { getUserMedia?: unknown }).getUserMedia;
    }
  });

  it('speaks French under lang="fr"', async () => {
    const el = await picker(users.a.client, key);
    el.setAttribute('lang', 'fr');
    await Promise.resolve();
    await el.updateComplete;
    expect(must(el, 'label[for="select-microphone"]').textContent!.trim()).to.equal('Micro');
    expect(options(el, 'microphone')[0]).to.equal(
      'Par défaut du système (Fake Default Audio Input)',
    );
  });
});
