/**
 * Voicemail end to end in the browser, against the real gateway: a caller records a message
 * from the (fake) microphone with MediaRecorder, leaves it; the recipient, who never used the
 * voicemail namespace (its chunk not loaded), gets `voicemail:change` with the seeds' counts,
 * fetches the recording, marks it heard (their other device follows), deletes it; a stranger
 * reads nothing; the in-page hub refuses with `voicemail:notSupported`.
 */
import { expect } from '@open-wc/testing';
import type { CommsClient, VoicemailIndicators } from '../../core/index.js';
import { createClient } from '../../core/index.js';
import { createLocalHub } from '../../core/local.js';
import { startGateway, uniqueName, type TestGateway } from '../helpers/gateway.browser.js';
import { failRequests } from '../helpers/network.browser.js';
import { nextEvent } from '../helpers/waits.js';

const PASSWORD = 'correct horse battery staple';

/** The loudest sample of a recording, decoded by the browser (0: silence or nothing). */
async function loudness(audio: Blob): Promise<{ duration: number; peak: number }> {
  const context = new OfflineAudioContext(1, 48000, 48000);
  const buffer = await context.decodeAudioData(await audio.arrayBuffer());
  let peak = 0;
  for (const sample of buffer.getChannelData(0)) peak = Math.max(peak, Math.abs(sample));
  return { duration: buffer.duration, peak };
}

/** The next `voicemail:change` whose indicators satisfy `test`. */
function change(
  client: CommsClient,
  test: (v: VoicemailIndicators) => boolean,
): Promise<VoicemailIndicators> {
  return new Promise((resolve) => {
    const off = client.on('voicemail:change', (v) => {
      if (!test(v)) return;
      off();
      resolve(v);
    });
  });
}

describe('voicemail over the real gateway', function () {
  this.timeout(30000);
  let gateway: TestGateway;
  const clients: CommsClient[] = [];

  before(async () => {
    gateway = await startGateway();
  });
  after(async () => {
    await Promise.all(clients.splice(0).map((c) => c.destroy()));
    await gateway.stop();
  });

  async function signup(prefix: string): Promise<string> {
    const id = uniqueName(prefix);
    const client = createClient({ server: gateway.url, logs: { logLevel: 'silent' } });
    await client.auth.signup({ username: id, password: PASSWORD, displayName: `User ${id}` });
    await client.destroy();
    return id;
  }

  async function device(id: string): Promise<CommsClient> {
    const client = createClient({ server: gateway.url, logs: { logLevel: 'silent' } });
    clients.push(client);
    await client.connect({ username: id, password: PASSWORD }, { services: ['chat'] });
    return client;
  }

  // First: no client of this page may have loaded the voicemail manager before it.
  it('when its chunk cannot be fetched, a method rejects with network:error and emits voicemail:error; the next use fetches it', async () => {
    const client = await device(await signup('vmf'));
    const failing = await failRequests('*/core/voicemail/manager.ts*');
    const errors: string[] = [];
    client.on('voicemail:error', ({ error }) => errors.push(error.code));
    try {
      const error = await client.voicemail.fetch().then(
        () => null,
        (e: unknown) => e as { code: string; message: string },
      );
      expect(error?.code).to.equal('network:error');
      expect(error?.message).to.match(/voicemail manager could not be loaded/);
      expect(errors).to.deep.equal(['network:error']);
      expect(await failing.held()).to.have.length(1);
    } finally {
      await failing.release();
    }
    await client.voicemail.fetch();
    expect(client.voicemail.get().lastUpdated).to.be.above(0);
    expect(errors).to.deep.equal(['network:error']);
  });

  it('records from the microphone, leaves it; the recipient counts, hears, marks heard, deletes', async () => {
    const [aliceId, bobId, carolId] = (await Promise.all(
      ['vma', 'vmb', 'vmc'].map((p) => signup(p)),
    )) as [string, string, string];
    const alice = await device(aliceId);
    const bob = await device(bobId);
    const bobsLaptop = await device(bobId);
    const carol = await device(carolId);

    // Nothing read yet: the seeds' shape, from the state, synchronously.
    expect(bob.voicemail.get()).to.deep.equal({
      lastUpdated: 0,
      newMessagesWaiting: false,
      totalVoice: 0,
      unheardVoice: 0,
      voice: { new: 0, old: 0, urgent: 0 },
      fax: { new: 0, old: 0, urgent: 0 },
      multimedia: { new: 0, old: 0, urgent: 0 },
    });

    // Record 1.5 s from the fake microphone; the recorder stops by itself at its longest.
    const recording = await alice.voicemail.record({ maxDurationMs: 1500 });
    expect(recording.state).to.equal('recording');
    expect(recording.mimeType).to.match(/^audio\/webm/);
    const { audio, durationMs } = await new Promise<{ audio: Blob; durationMs: number }>(
      (resolve, reject) => {
        const check = () =>
          recording.state === 'stopped'
            ? recording.stop().then(resolve, reject)
            : setTimeout(check, 100);
        check();
      },
    );
    expect(durationMs).to.be.within(1400, 1500);
    expect(audio.type).to.match(/^audio\/webm/);
    const sound = await loudness(audio);
    expect(sound.duration).to.be.above(1);
    expect(sound.peak, 'the fake microphone’s tone was recorded').to.be.above(0.05);

    // Leaving it: bob's devices count it (bob never used `voicemail`: the event is held while
    // its manager loads, and applied).
    const bobCounts = change(bob, (v) => v.totalVoice === 1);
    const laptopCounts = change(bobsLaptop, (v) => v.totalVoice === 1);
    const left = await alice.voicemail.leave(bobId, audio, { durationMs });
    expect(left.to.id).to.equal(bobId);
    for (const counts of await Promise.all([bobCounts, laptopCounts]))
      expect([counts.newMessagesWaiting, counts.unheardVoice, counts.voice]).to.deep.equal([
        true,
        1,
        { new: 1, old: 0, urgent: 0 },
      ]);
    const [pushed] = bob.voicemail.getAll();
    expect(pushed!.id).to.equal(left.id);
    expect(pushed!.from.id).to.equal(aliceId);
    expect(pushed!.size).to.equal(audio.size);

    // The seeds' fetch: the server's mailbox, with when it was read.
    const fetched = nextEvent(bob, 'voicemail:change');
    const indicators = await bob.voicemail.fetch();
    expect((await fetched).lastUpdated).to.equal(indicators.lastUpdated);
    expect(indicators.lastUpdated).to.be.above(0);
    expect(indicators.totalVoice).to.equal(1);
    expect(bob.voicemail.get()).to.deep.equal(indicators);

    // The recording, byte for byte, and it plays.
    const heard = await bob.voicemail.getAudio(left.id);
    expect(heard.type).to.equal('audio/webm');
    expect(new Uint8Array(await heard.arrayBuffer())).to.deep.equal(
      new Uint8Array(await audio.arrayBuffer()),
    );
    expect((await loudness(heard)).peak).to.be.above(0.05);

    // A stranger (the sender too) reads nothing of it; the error is emitted and thrown.
    for (const other of [carol, alice]) {
      const error = nextEvent(other, 'voicemail:error');
      const refusal = await other.voicemail.getAudio(left.id).then(
        () => null,
        (e: { code: string }) => e,
      );
      expect(refusal?.code).to.equal('voicemail:notFound');
      expect((await error).error.code).to.equal('voicemail:notFound');
      expect(await other.voicemail.list()).to.deep.equal([]);
    }

    // Marked heard on one device: both count it old.
    const laptopHeard = change(bobsLaptop, (v) => v.voice.old === 1);
    const marked = await bob.voicemail.markHeard(left.id);
    expect(marked.heardAt).to.be.a('number');
    expect(bob.voicemail.get().voice).to.deep.equal({ new: 0, old: 1, urgent: 0 });
    expect(bob.voicemail.get().newMessagesWaiting).to.equal(false);
    expect((await laptopHeard).unheardVoice).to.equal(0);

    // Deleted: gone on both.
    const laptopEmpty = change(bobsLaptop, (v) => v.totalVoice === 0);
    await bob.voicemail.remove(left.id);
    expect(bob.voicemail.get().totalVoice).to.equal(0);
    await laptopEmpty;
    const again = await bob.voicemail.getAudio(left.id).catch((e: { code: string }) => e);
    expect((again as { code: string }).code).to.equal('voicemail:notFound');
  });

  it('refuses before uploading what the gateway would refuse, and passes on its refusals', async () => {
    const aliceId = await signup('vra');
    const alice = await device(aliceId);
    const webm = new Blob([new Uint8Array([0x1a, 0x45, 0xdf, 0xa3, 1, 2, 3])], {
      type: 'audio/webm',
    });
    const code = (p: Promise<unknown>) =>
      p.then(
        () => 'none',
        (e: { code: string }) => e.code,
      );
    expect(await code(alice.voicemail.leave(aliceId, webm, { durationMs: 1000 }))).to.equal(
      'voicemail:toSelf',
    );
    expect(
      await code(alice.voicemail.leave('nobody-at-all-here', webm, { durationMs: 1000 })),
    ).to.equal('voicemail:unknownRecipient');
    expect(
      await code(
        alice.voicemail.leave('x', new Blob(['hi'], { type: 'text/plain' }), { durationMs: 9 }),
      ),
    ).to.equal('voicemail:unsupportedType');
    expect(
      await code(
        alice.voicemail.leave('x', new Blob([], { type: 'audio/webm' }), { durationMs: 9 }),
      ),
    ).to.equal('voicemail:empty');
    expect(await code(alice.voicemail.leave('x', webm, { durationMs: 120_001 }))).to.equal(
      'voicemail:tooLong',
    );
    expect(
      await code(
        alice.voicemail.leave(
          'x',
          new Blob([new Uint8Array(1024 * 1024 + 1)], { type: 'audio/webm' }),
          {
            durationMs: 9,
          },
        ),
      ),
    ).to.equal('voicemail:tooLarge');
    expect(await code(alice.voicemail.markHeard(''))).to.equal('argument:invalid');
  });

  it('says voicemail needs the gateway on the in-page hub', async () => {
    const hub = createLocalHub();
    const client = createClient({ logs: { logLevel: 'silent' } });
    clients.push(client);
    client.useLocalBackend(hub, { id: 'ada', displayName: 'Ada' });
    const error = nextEvent(client, 'voicemail:error');
    const refusal = await client.voicemail
      .fetch()
      .catch((e: { code: string; message: string }) => e);
    expect((refusal as { code: string }).code).to.equal('voicemail:notSupported');
    expect((refusal as { message: string }).message).to.match(/in-page hub/);
    expect((await error).error.code).to.equal('voicemail:notSupported');
    expect(client.voicemail.get().totalVoice).to.equal(0);
  });
});
