/**
 * Calls and local devices, in real Chromium with its fake devices, over the in-page hub: a call
 * follows `media.changeInputDevices`, and goes on with the default device when the one it used
 * goes away (the call engine does both: they load with it).
 */
import { expect } from '@open-wc/testing';
import { connectedCall, pair, type Pair } from '../helpers/calls.js';
import { nextEvent } from '../helpers/waits.js';

/** Every local track the page's getUserMedia hands out, to end one as an unplugged device does. */
function watchTracks(): { tracks: MediaStreamTrack[]; restore(): void } {
  const tracks: MediaStreamTrack[] = [];
  const devices = navigator.mediaDevices;
  const real = devices.getUserMedia.bind(devices);
  devices.getUserMedia = async (constraints) => {
    const stream = await real(constraints);
    tracks.push(...stream.getTracks());
    return stream;
  };
  return {
    tracks,
    restore: () => delete (devices as { getUserMedia?: unknown }).getUserMedia,
  };
}

describe('calls and local devices', function () {
  this.timeout(30000);
  let users: Pair;
  let watched: ReturnType<typeof watchTracks>;

  beforeEach(() => {
    users = pair();
    watched = watchTracks();
  });
  afterEach(async () => {
    watched.restore();
    await users.teardown();
  });

  it('a call whose microphone goes away goes on with the default one', async () => {
    const { a, b } = users;
    const input1 = (await navigator.mediaDevices.enumerateDevices()).find(
      (d) => d.label === 'Fake Audio Input 1',
    )!.deviceId;
    const callId = await connectedCall(a, b, {
      audio: true,
      audioOptions: { deviceId: input1 },
    } as { audio: boolean });
    const [before] = a.client.call.getById(callId)!.localTracks;
    expect(a.client.media.getTrackById(before!)!.deviceId).to.equal(input1);
    const gone = watched.tracks.find((t) => t.id === before);
    expect(gone, 'the call sends a track from getUserMedia').to.not.equal(undefined);

    const replaced = nextEvent(a.client, 'call:trackReplaced');
    gone!.stop();
    gone!.dispatchEvent(new Event('ended')); // what Chromium fires when the device goes
    const { newTrackId, oldTrack } = await replaced;
    expect(oldTrack!.id).to.equal(before);
    const call = a.client.call.getById(callId)!;
    expect(call.state).to.equal('Connected');
    expect(call.localTracks).to.deep.equal([newTrackId]);
    const now = a.client.media.getTrackById(newTrackId!)!;
    expect(now.deviceId).to.equal('default');
    expect(now.state).to.equal('live');
    await a.client.call.end(callId);
  });

  it("a track that is not the call's ends: the call keeps its own", async () => {
    const { a, b } = users;
    const callId = await connectedCall(a, b);
    const [audio] = a.client.call.getById(callId)!.localTracks;
    let replaced = 0;
    a.client.on('call:trackReplaced', () => replaced++);
    await a.client.media.createLocalMedia({ audio: true }); // a preview, outside the call
    const preview = watched.tracks.at(-1)!;
    expect(preview.id).to.not.equal(audio);
    const ended = nextEvent(a.client, 'media:trackEnded');
    preview.dispatchEvent(new Event('ended'));
    expect((await ended).trackId).to.equal(preview.id);
    await new Promise((r) => setTimeout(r, 200)); // a replacement would have started by now
    expect(replaced).to.equal(0);
    expect(a.client.call.getById(callId)!.localTracks).to.deep.equal([audio]);
    await a.client.call.end(callId);
  });
});
