/**
 * The call conformance suite: what a user of comms-kit sees in calls, whatever backend carries
 * the signalling. Each backend runs it (calls.local.test.ts, calls.gateway.test.ts) with real
 * RTCPeerConnections and Chromium's fake camera and microphone.
 */
import { expect } from '@open-wc/testing';
import type {
  BasicError,
  CallState,
  CommsClient,
  CommsError,
  IceCollectionInfo,
} from '../../core/index.js';
import { Transitions } from '../../core/index.js';
import { nextEvent, until } from '../helpers/waits.js';
import {
  bytesReceived,
  hearsAudio,
  liveTrack,
  loudestOver,
  measureFor,
  remoteAudio,
  toneFile,
  turnsSilent,
} from '../helpers/media.js';

/** What a backend provides to the suite. */
export interface CallBackend {
  /** A connected client for a new user (`multiCall`: its `call.multiCall` from the start). */
  user(options?: { multiCall?: boolean }): Promise<{ client: CommsClient; id: string }>;
  /** Another connected device of the user `id`. */
  device(id: string): Promise<CommsClient>;
  /** How long an unanswered call rings on this backend (the suite waits for it). */
  noAnswerTimeout: number;
  /**
   * False when the backend carries only complete descriptions (SIP): candidates travel in the
   * offer, never trickled.
   */
  trickle?: boolean;
  /**
   * A third party tries to send signalling into `callId` (a renegotiation offer, or a transfer
   * of it to `transferTo`, or with `how` 'forward' a forward to it); resolves with the refusal.
   */
  intrude(callId: string, transferTo?: string, how?: 'transfer' | 'forward'): Promise<BasicError>;
  teardown(): Promise<void>;
}

const stateOf = (client: CommsClient, callId: string) => client.call.getById(callId)?.state;
const reach = (client: CommsClient, callId: string, state: CallState) =>
  until(client, (s) => s.call.calls[callId]?.state === state);

async function expectError(run: () => unknown, code: string): Promise<CommsError> {
  try {
    await run();
  } catch (error) {
    expect((error as CommsError).code, (error as Error).message).to.equal(code);
    return error as CommsError;
  }
  throw new Error(`expected an error with code ${code}`);
}

export function callConformance(name: string, setup: () => Promise<CallBackend>): void {
  describe(`calls over the ${name} backend`, function () {
    this.timeout(30000);
    let backend: CallBackend;

    before(async () => {
      backend = await setup();
    });
    after(async () => {
      await backend.teardown();
    });

    /** A calls B until both see it ringing. */
    async function ringingCall(media = { audio: true }) {
      const a = await backend.user();
      const b = await backend.user();
      const received = nextEvent(b.client, 'call:receive');
      const callId = a.client.call.make(b.id, media);
      await received;
      await reach(b.client, callId, 'Ringing');
      await reach(a.client, callId, 'Ringing');
      return { a, b, callId };
    }

    /** A calls B; B answers; both connected. */
    async function connectedCall(media = { audio: true }) {
      const { a, b, callId } = await ringingCall(media);
      await b.client.call.answer(callId, media);
      await reach(a.client, callId, 'Connected');
      return { a, b, callId };
    }

    it('make → ringing → answer → connected, with audio flowing both ways', async () => {
      const { a, b, callId } = await connectedCall();
      const callA = a.client.call.getById(callId)!;
      const callB = b.client.call.getById(callId)!;
      expect(callA).to.include({
        direction: 'outgoing',
        to: b.id,
        state: 'Connected',
        localHold: false,
        remoteHold: false,
      });
      expect(callB).to.include({ direction: 'incoming', from: a.id, state: 'Connected' });
      expect(callB.mediaOffered).to.deep.equal({ audio: true, video: false });
      expect(callA.localTracks).to.have.length(1);

      await until(a.client, (s) => s.call.calls[callId]!.remoteTracks.length === 1);
      await until(b.client, (s) => s.call.calls[callId]!.remoteTracks.length === 1);
      // The remote audio really carries sound, and bytes keep arriving.
      expect(
        await hearsAudio(await liveTrack(a.client, remoteAudio(a.client, callId)!)),
      ).to.be.greaterThan(0.01);
      expect(
        await hearsAudio(await await liveTrack(b.client, remoteAudio(b.client, callId)!)),
      ).to.be.greaterThan(0.01);
      const first = bytesReceived(await b.client.call.getStats(callId));
      await measureFor(500);
      const second = bytesReceived(await b.client.call.getStats(callId));
      expect(second).to.be.greaterThan(first);
      await a.client.call.end(callId);
      const ended = await reach(b.client, callId, 'Ended');
      expect(ended.call.calls[callId]!.transition?.statusCode).to.equal(200);
      expect(a.client.call.getById(callId)!.mediaConnectionState).to.equal('closed');
    });

    it('hold stops media both ways, unhold resumes it; both sides see the flags', async () => {
      const { a, b, callId } = await connectedCall();
      await until(b.client, (s) => s.call.calls[callId]!.remoteTracks.length === 1);
      const remoteHeld = until(b.client, (s) => s.call.calls[callId]!.remoteHold);
      await a.client.call.hold(callId);
      await remoteHeld;
      expect(a.client.call.getById(callId)).to.include({
        state: 'On Hold',
        localHold: true,
        remoteHold: false,
      });
      expect(b.client.call.getById(callId)).to.include({
        state: 'On Hold',
        localHold: false,
        remoteHold: true,
      });
      const held1 = bytesReceived(await b.client.call.getStats(callId));
      await measureFor(600);
      const held2 = bytesReceived(await b.client.call.getStats(callId));
      expect(held2 - held1, 'no audio while held').to.be.lessThan(200);

      await expectError(() => a.client.call.hold(callId), 'call:invalidState');
      const resumed = until(b.client, (s) => !s.call.calls[callId]!.remoteHold);
      await a.client.call.unhold(callId);
      await resumed;
      expect(a.client.call.getById(callId)!.state).to.equal('Connected');
      expect(b.client.call.getById(callId)!.state).to.equal('Connected');
      await until(b.client, (s) => s.call.calls[callId]!.remoteTracks.length === 1);
      expect(
        await hearsAudio(await liveTrack(b.client, remoteAudio(b.client, callId)!)),
      ).to.be.greaterThan(0.01);
      const after1 = bytesReceived(await b.client.call.getStats(callId));
      await measureFor(500);
      expect(bytesReceived(await b.client.call.getStats(callId))).to.be.greaterThan(after1 + 1000);
      await a.client.call.end(callId);
    });

    it('both parties hold at once (glare), and resume at once, twice: both calls end up held both ways, then resumed', async function () {
      // Over SIP each glare costs the caller's wait of 2.1–4 s (RFC 3261 §14.1).
      this.timeout(60000);
      const { a, b, callId } = await connectedCall();
      await until(b.client, (s) => s.call.calls[callId]!.remoteTracks.length === 1);
      for (let round = 0; round < 2; round++) {
        await Promise.all([a.client.call.hold(callId), b.client.call.hold(callId)]);
        for (const client of [a.client, b.client])
          await until(client, (s) => s.call.calls[callId]!.remoteHold);
        for (const client of [a.client, b.client])
          expect(client.call.getById(callId)).to.include({
            state: 'On Hold',
            localHold: true,
            remoteHold: true,
          });
        await Promise.all([a.client.call.unhold(callId), b.client.call.unhold(callId)]);
        for (const client of [a.client, b.client]) {
          await until(client, (s) => !s.call.calls[callId]!.remoteHold);
          expect(client.call.getById(callId)).to.include({
            state: 'Connected',
            localHold: false,
            remoteHold: false,
          });
        }
      }
      await until(b.client, (s) => s.call.calls[callId]!.remoteTracks.length === 1);
      expect(
        await hearsAudio(await liveTrack(b.client, remoteAudio(b.client, callId)!)),
      ).to.be.greaterThan(0.01);
      await a.client.call.end(callId);
    });

    it('custom parameters: set on the call, sent alone and with renegotiations, cleared', async () => {
      const { a, b, callId } = await ringingCall();
      const received: Array<{ callId: string; customParameters: unknown }> = [];
      b.client.on('call:customParameters', (event) => received.push(event));
      const gps = [{ name: 'X-GPS', value: '42.686032,23.344565' }];
      // Not before the answer: there is no other party yet.
      a.client.call.setCustomParameters(callId, gps);
      await expectError(() => a.client.call.sendCustomParameters(callId), 'call:invalidState');
      await b.client.call.answer(callId, { audio: true });
      await reach(a.client, callId, 'Connected');
      expect(a.client.call.getById(callId)!.customParameters).to.deep.equal(gps);

      const sent = nextEvent(b.client, 'call:customParameters');
      await a.client.call.sendCustomParameters(callId);
      expect(await sent).to.deep.equal({ callId, customParameters: gps });
      // Received parameters are an event, not the receiver's own parameters.
      expect(b.client.call.getById(callId)!.customParameters).to.deep.equal([]);

      // A renegotiation carries them (here: hold), and the answer to it the other side's.
      const fromB = [{ name: 'X-Agent', value: 'desk 4' }];
      b.client.call.setCustomParameters(callId, fromB);
      const withHold = nextEvent(b.client, 'call:customParameters');
      const answered = nextEvent(a.client, 'call:customParameters');
      await a.client.call.hold(callId);
      expect(await withHold).to.deep.equal({ callId, customParameters: gps });
      expect(await answered).to.deep.equal({ callId, customParameters: fromB });
      await until(b.client, (s) => s.call.calls[callId]!.remoteHold);
      // So does the other side's own renegotiation.
      const offered = nextEvent(a.client, 'call:customParameters');
      await b.client.call.hold(callId);
      expect(await offered).to.deep.equal({ callId, customParameters: fromB });

      // Cleared: later renegotiations carry none.
      a.client.call.setCustomParameters(callId);
      expect(a.client.call.getById(callId)!.customParameters).to.deep.equal([]);
      const count = received.length;
      await a.client.call.unhold(callId);
      await b.client.call.unhold(callId);
      await reach(b.client, callId, 'Connected');
      await reach(a.client, callId, 'Connected');
      expect(received).to.have.length(count);

      // Bad input: a clear error, nothing changed.
      for (const bad of [
        [{ name: '', value: 'x' }],
        [{ name: 'X-Long', value: 'x'.repeat(1025) }],
        Array.from({ length: 17 }, (_, i) => ({ name: `X-${i}`, value: '' })),
        'X-GPS',
      ])
        await expectError(
          () => b.client.call.setCustomParameters(callId, bad as typeof gps),
          'argument:invalid',
        );
      expect(b.client.call.getById(callId)!.customParameters).to.deep.equal(fromB);
      await expectError(
        () => a.client.call.setCustomParameters('no-such-call', gps),
        'call:unknown',
      );
      await expectError(() => a.client.call.sendCustomParameters('no-such-call'), 'call:unknown');
      await a.client.call.end(callId);
      await reach(b.client, callId, 'Ended');
      await expectError(() => a.client.call.setCustomParameters(callId, gps), 'call:unknown');
    });

    it('reports each side’s operations and the call’s timings', async () => {
      const { a, b, callId } = await ringingCall();
      // Before the answer: what happened so far.
      const early = a.client.call.getReport(callId);
      expect(early).to.include({ callId, direction: 'outgoing' });
      expect(early.timeline.map((e) => e.type)).to.deep.equal(['MAKE']);
      expect(early.end).to.equal(undefined);
      await b.client.call.answer(callId, { audio: true });
      await reach(a.client, callId, 'Connected');
      await until(a.client, (s) => s.call.calls[callId]!.mediaConnectionState === 'connected');
      await a.client.call.hold(callId);
      await until(b.client, (s) => s.call.calls[callId]!.remoteHold);
      await a.client.call.unhold(callId);
      await until(b.client, (s) => !s.call.calls[callId]!.remoteHold);
      // A failed operation is in the timeline with its error, and has no duration metric.
      await a.client.call.hold(callId);
      await expectError(
        () => a.client.call.directTransfer(callId, 'nobody-here-at-all'),
        'call:unknownDestination',
      );
      await a.client.call.end(callId);
      await reach(b.client, callId, 'Ended');

      const mine = a.client.call.getReport(callId);
      const { reportEvents, metrics } = a.client.call;
      expect(mine.timeline.map((e) => [e.type, e.isLocal])).to.deep.equal([
        [reportEvents.MAKE, true],
        [reportEvents.HOLD, true],
        [reportEvents.UNHOLD, true],
        [reportEvents.HOLD, true],
        [reportEvents.DIRECT_TRANSFER, true],
        [reportEvents.END, true],
      ]);
      for (const event of mine.timeline) expect(event.end).to.be.at.least(event.start);
      expect(mine.timeline[4]!.error?.code).to.equal('call:unknownDestination');
      const call = a.client.call.getById(callId)!;
      expect(mine).to.include({ start: call.startTime, end: call.endTime });
      const metric = (report: typeof mine, type: string) =>
        report.metrics.find((m) => m.type === type)?.data;
      expect(metric(mine, metrics.CALL_DURATION)).to.equal(call.endTime! - call.startTime);
      const ringing = metric(mine, metrics.TIME_TO_RINGING)!;
      const answered = metric(mine, metrics.TIME_TO_ANSWER)!;
      expect(ringing).to.be.a('number');
      expect(answered).to.be.at.least(ringing);
      expect(metric(mine, metrics.TIME_TO_MEDIA_CONNECTED)).to.be.a('number');
      const durations = mine.metrics.filter((m) => m.type === metrics.OPERATION_DURATION);
      expect(durations.map((m) => m.operation)).to.deep.equal([
        'MAKE',
        'HOLD',
        'UNHOLD',
        'HOLD',
        'END',
      ]);

      // The other side: its ringing feedback (automatic) and answer, the renegotiations it
      // handled (not its own), its timings.
      const theirs = b.client.call.getReport(callId);
      expect(theirs.direction).to.equal('incoming');
      expect(theirs.timeline.map((e) => [e.type, e.isLocal])).to.deep.equal([
        [reportEvents.SEND_RINGING_FEEDBACK, true],
        [reportEvents.ANSWER, true],
        [reportEvents.REMOTE_HOLD, false],
        [reportEvents.REMOTE_UNHOLD, false],
        [reportEvents.REMOTE_HOLD, false],
      ]);
      const theirCall = b.client.call.getById(callId)!;
      expect(metric(theirs, metrics.TIME_FROM_RECEIVE_TO_ANSWER)).to.equal(
        theirCall.answerTime! - theirCall.startTime,
      );
      expect(metric(theirs, metrics.TIME_TO_RINGING)).to.equal(undefined);
      await expectError(() => a.client.call.getReport('no-such-call'), 'call:unknown');
    });

    it('plays an audio file to the other party instead of the microphone, then puts it back', async () => {
      const { a, b, callId } = await connectedCall();
      await until(b.client, (s) => s.call.calls[callId]!.remoteTracks.length === 1);
      const heard = await liveTrack(b.client, remoteAudio(b.client, callId)!);
      const mic = a.client.call.getById(callId)!.localTracks[0]!;
      // With A's microphone muted, B hears nothing; then the file, then nothing again.
      a.client.media.muteTracks([mic]);
      await measureFor(300);
      expect(await loudestOver(heard, 500), 'silence with the mic muted').to.be.lessThan(0.01);
      let started: { duration: number } | undefined;
      const played = a.client.call
        .playAudioFile(callId, toneFile(2))
        .onPlaying((info) => (started = info));
      expect(await hearsAudio(heard, 3000), 'the file, at B').to.be.greaterThan(0.01);
      expect(started?.duration).to.be.closeTo(2, 0.05);
      await played;
      await measureFor(300);
      expect(await loudestOver(heard, 500), 'the muted mic is back').to.be.lessThan(0.01);
      a.client.media.unmuteTracks([mic]);
      expect(await hearsAudio(heard), 'the mic, unmuted').to.be.greaterThan(0.01);
      expect(
        a.client.call
          .getReport(callId)
          .timeline.filter((e) => e.type === 'PLAY_AUDIO')
          .map((e) => Boolean(e.end && !e.error)),
      ).to.deep.equal([true]);

      // A file that cannot be played: a clear error, and the microphone is still sent.
      await expectError(
        () => a.client.call.playAudioFile(callId, '/no-such-file.wav'),
        'call:audioFileFailed',
      );
      await measureFor(300);
      expect(await hearsAudio(heard), 'the mic, after a failed file').to.be.greaterThan(0.01);
      await a.client.call.hold(callId);
      await expectError(
        () => a.client.call.playAudioFile(callId, toneFile(1)),
        'call:invalidState',
      );
      await a.client.call.end(callId);
    });

    it('sends DTMF with telephone-event negotiated and refuses invalid tones', async () => {
      const { a, callId } = await connectedCall();
      const tones: string[] = [];
      a.client.on('call:dtmf', ({ tone }) => tones.push(tone));
      await a.client.call.sendDTMF(callId, '1#', 80, 50);
      expect(tones).to.deep.equal(['1', '#']);
      await expectError(() => a.client.call.sendDTMF(callId, '12x'), 'call:invalidDTMF');
      expect(a.client.call.getById(callId)!.state).to.equal('Connected');
      await a.client.call.end(callId);
    });

    it('video added mid-call appears on the far side, and goes away when stopped', async () => {
      const { a, b, callId } = await connectedCall();
      const added = nextEvent(b.client, 'call:tracksAdded', ({ trackIds }) =>
        trackIds.some((id) => b.client.media.getTrackById(id)?.kind === 'video'),
      );
      await a.client.call.startVideo(callId);
      const { trackIds } = await added;
      const videoId = trackIds.find((id) => b.client.media.getTrackById(id)?.kind === 'video')!;
      const container = document.createElement('div');
      document.body.append(container);
      expect(
        await decodedWidth(b.client, videoId, container),
        'the far side decodes frames',
      ).to.be.greaterThan(0);

      const removed = nextEvent(b.client, 'call:tracksRemoved', (p) =>
        p.trackIds.includes(videoId),
      );
      await a.client.call.stopVideo(callId);
      await removed;
      expect(b.client.call.getById(callId)!.remoteTracks).not.to.include(videoId);
      expect(
        a.client.call
          .getById(callId)!
          .localTracks.map((id) => a.client.media.getTrackById(id)?.kind),
      ).to.deep.equal(['audio']);
      b.client.media.removeTracks([videoId], container);
      expect(container.querySelector('video')).to.equal(null);
      container.remove();
      await a.client.call.end(callId);
    });

    it('a shared screen arrives on the far side as video, and goes away when stopped', async () => {
      const { a, b, callId } = await connectedCall();
      const added = nextEvent(b.client, 'call:tracksAdded', ({ trackIds }) =>
        trackIds.some((id) => b.client.media.getTrackById(id)?.kind === 'video'),
      );
      await a.client.call.startScreenshare(callId);
      const screenId = a.client.call
        .getById(callId)!
        .localTracks.find((id) => a.client.media.getTrackById(id)?.type === 'screen');
      expect(screenId, 'a local screen track').to.be.a('string');
      const { trackIds } = await added;
      const remoteId = trackIds.find((id) => b.client.media.getTrackById(id)?.kind === 'video')!;
      const container = document.createElement('div');
      document.body.append(container);
      expect(
        await decodedWidth(b.client, remoteId, container),
        'the far side decodes the screen',
      ).to.be.greaterThan(0);

      const removed = nextEvent(b.client, 'call:tracksRemoved', (p) =>
        p.trackIds.includes(remoteId),
      );
      await a.client.call.stopScreenshare(callId);
      await removed;
      expect(a.client.call.getById(callId)!.localTracks).not.to.include(screenId);
      b.client.media.removeTracks([remoteId], container);
      container.remove();
      await a.client.call.end(callId);
    });

    it('a rejected call ends on both sides with 603', async () => {
      const { a, b, callId } = await ringingCall();
      await b.client.call.reject(callId);
      const ended = await reach(a.client, callId, 'Ended');
      expect(ended.call.calls[callId]!.transition?.statusCode).to.equal(603);
      expect(stateOf(b.client, callId)).to.equal('Ended');
    });

    it('an ignored call stops ringing here only; the caller cancelling reaches other devices', async () => {
      const { a, b, callId } = await ringingCall();
      await b.client.call.ignore(callId);
      expect(stateOf(b.client, callId)).to.equal('Ended');
      expect(stateOf(a.client, callId)).to.equal('Ringing');
      await a.client.call.end(callId);
      expect(stateOf(a.client, callId)).to.equal('Ended');
    });

    it('a call cancelled before it is answered shows Cancelled (487) to the callee', async () => {
      const { a, b, callId } = await ringingCall();
      await a.client.call.end(callId);
      const cancelled = await reach(b.client, callId, 'Cancelled');
      expect(cancelled.call.calls[callId]!.transition?.statusCode).to.equal(487);
    });

    it('calling someone who is in a call (without call.multiCall) ends with busy (486)', async () => {
      const { b, callId } = await connectedCall();
      const c = await backend.user();
      const second = c.client.call.make(b.id, { audio: true });
      const busy = await reach(c.client, second, 'Ended');
      expect(busy.call.calls[second]!.transition?.statusCode).to.equal(486);
      expect(stateOf(b.client, callId)).to.equal('Connected');
      await b.client.call.end(callId);
    });

    it('with call.multiCall a callee in a call rings for a second one, and can take it', async () => {
      const a = await backend.user();
      const b = await backend.user({ multiCall: true });
      const first = nextEvent(b.client, 'call:receive');
      const callId = a.client.call.make(b.id, { audio: true });
      await first;
      await reach(b.client, callId, 'Ringing');
      await b.client.call.answer(callId, { audio: true });
      await reach(a.client, callId, 'Connected');

      const c = await backend.user();
      const second = nextEvent(b.client, 'call:receive');
      const waiting = c.client.call.make(b.id, { audio: true });
      expect((await second).callId).to.equal(waiting);
      await reach(c.client, waiting, 'Ringing');
      expect(stateOf(b.client, callId)).to.equal('Connected');
      await b.client.call.hold(callId);
      await b.client.call.answer(waiting, { audio: true });
      await reach(c.client, waiting, 'Connected');
      expect(stateOf(a.client, callId)).to.equal('On Hold');

      await b.client.call.end(callId);
      await b.client.call.end(waiting);
    });

    it('an unanswered call ends with no answer (408) on both sides', async () => {
      const a = await backend.user();
      const b = await backend.user();
      const received = nextEvent(b.client, 'call:receive');
      const callId = a.client.call.make(b.id, { audio: true });
      await received;
      const ended = await reach(a.client, callId, 'Ended');
      expect(ended.call.calls[callId]!.transition?.statusCode).to.equal(408);
      const missed = await until(b.client, (s) =>
        ['Ended', 'Cancelled'].includes(s.call.calls[callId]!.state),
      );
      expect(missed.call.calls[callId]!.transition, 'the callee is told why').to.include(
        Transitions.NO_ANSWER,
      );
    });

    it('rings every device of the callee; the first answer wins and the others stop', async () => {
      const a = await backend.user();
      const b = await backend.user();
      const b2 = await backend.device(b.id);
      const ringing1 = nextEvent(b.client, 'call:receive');
      const ringing2 = nextEvent(b2, 'call:receive');
      const callId = a.client.call.make(b.id, { audio: true });
      await Promise.all([ringing1, ringing2]);
      await reach(b.client, callId, 'Ringing');
      await reach(b2, callId, 'Ringing');
      await b2.call.answer(callId, { audio: true });
      await reach(a.client, callId, 'Connected');
      const elsewhere = await until(b.client, (s) =>
        ['Ended', 'Cancelled'].includes(s.call.calls[callId]!.state),
      );
      expect(elsewhere.call.calls[callId]!.transition?.reasonText).to.match(/another device/);
      await a.client.call.end(callId);
      await reach(b2, callId, 'Ended');
    });

    it('refuses bad input clearly and leaves the call unharmed', async () => {
      const { a, b, callId } = await connectedCall();
      await expectError(() => a.client.call.make('not a destination!'), 'call:invalidDestination');
      await expectError(() => a.client.call.make('bob', {}), 'argument:invalid');
      // The same custom parameters the gateway refuses, refused by every backend before sending.
      await expectError(
        () =>
          a.client.call.make(
            b.id,
            { audio: true },
            { customParameters: [{ name: '', value: '' }] },
          ),
        'argument:invalid',
      );
      await expectError(() => a.client.call.answer(callId), 'call:invalidState');
      await expectError(() => a.client.call.hold('no-such-call'), 'call:unknown');
      await expectError(() => a.client.call.unhold(callId), 'call:invalidState');
      const refusal = await backend.intrude(callId);
      expect(refusal.code).to.match(/^call:(unknown|notParty|forbidden)/);
      expect(stateOf(a.client, callId)).to.equal('Connected');
      expect(stateOf(b.client, callId)).to.equal('Connected');

      const nobody = a.client.call.make('nobody-here-at-all', { audio: true });
      const failed = await until(a.client, (s) => s.call.calls[nobody]?.state === 'Ended');
      expect(failed.call.calls[nobody]!.transition?.statusCode).to.equal(404);
      expect(stateOf(a.client, callId)).to.equal('Connected');
      await a.client.call.end(callId);
    });

    it('replaces the microphone track without renegotiating, and the far side still hears it', async () => {
      const { a, b, callId } = await connectedCall();
      const old = a.client.call.getById(callId)!.localTracks[0]!;
      const replaced = nextEvent(a.client, 'call:trackReplaced');
      const newId = await a.client.call.replaceTrack(callId, old, { audio: true });
      expect((await replaced).newTrackId).to.equal(newId);
      expect(a.client.call.getById(callId)!.localTracks).to.deep.equal([newId]);
      expect(a.client.media.getTrackById(old)).to.equal(undefined);
      await until(b.client, (s) => s.call.calls[callId]!.remoteTracks.length === 1);
      expect(
        await hearsAudio(await liveTrack(b.client, remoteAudio(b.client, callId)!)),
      ).to.be.greaterThan(0.01);
      await a.client.call.end(callId);
    });

    it('a camera that goes away mid-call is replaced from the default device; the call goes on', async () => {
      const { a, b, callId } = await connectedCall();
      await a.client.call.startVideo(callId);
      const videoId = a.client.call
        .getById(callId)!
        .localTracks.find((t) => a.client.media.getTrackById(t)?.kind === 'video')!;
      const camera = await liveTrack(a.client, videoId);
      const replaced = nextEvent(a.client, 'call:trackReplaced');
      // What the browser fires when the device is unplugged.
      camera.dispatchEvent(new Event('ended'));
      const { newTrackId, oldTrack } = await replaced;
      expect(oldTrack?.id).to.equal(videoId);
      expect(a.client.call.getById(callId)!.localTracks).to.include(newTrackId);
      expect(a.client.call.getById(callId)!.state).to.equal('Connected');
      expect(b.client.call.getById(callId)!.state).to.equal('Connected');
      await a.client.call.end(callId);
    });

    it('with complete candidates (trickleIceMode NONE) the check function decides, and media flows', async () => {
      const a = await backend.user();
      const b = await backend.user();
      const checks: string[] = [];
      const check = (info: IceCollectionInfo) => {
        checks.push(info.reason);
        return info.iceGatheringState === 'complete'
          ? { type: 'StartCall' as const }
          : { type: 'Wait' as const };
      };
      for (const client of [a.client, b.client]) {
        client.updateConfig({
          call: { trickleIceMode: 'NONE', iceCollectionCheckFunction: check },
        });
      }
      const received = nextEvent(b.client, 'call:receive');
      const callId = a.client.call.make(b.id, { audio: true });
      await received;
      await reach(b.client, callId, 'Ringing');
      await b.client.call.answer(callId, { audio: true });
      await reach(a.client, callId, 'Connected');
      expect(checks).to.include('IceGatheringStateChanged');
      await until(b.client, (s) => s.call.calls[callId]!.remoteTracks.length === 1);
      expect(
        await hearsAudio(await liveTrack(b.client, remoteAudio(b.client, callId)!)),
      ).to.be.greaterThan(0.01);
      await a.client.call.end(callId);

      // A check that refuses the candidates fails the call clearly.
      a.client.updateConfig({
        call: {
          iceCollectionCheckFunction: () => ({ type: 'Error', error: 'no relay candidate' }),
        },
      });
      const failed = nextEvent(a.client, 'call:start', (p) => p.error !== undefined);
      const refused = a.client.call.make(b.id, { audio: true });
      const { error } = await failed;
      expect(error?.code).to.equal('call:iceCollectionFailed');
      expect(error?.message).to.contain('no relay candidate');
      expect(a.client.call.getById(refused)!.state).to.equal('Ended');
    });

    it('mutes and unmutes a local track, reports codecs and stats', async () => {
      const { a, callId } = await connectedCall();
      const track = a.client.call.getById(callId)!.localTracks[0]!;
      const muted = nextEvent(a.client, 'media:muted');
      a.client.media.muteTracks([track]);
      expect((await muted).trackId).to.equal(track);
      expect(a.client.media.getTrackById(track)!.muted).to.equal(true);
      a.client.media.unmuteTracks([track]);
      expect(a.client.media.getTrackById(track)!.muted).to.equal(false);
      const codecs = await a.client.call.getAvailableCodecs('audio');
      expect(codecs.map((c) => c.mimeType)).to.include('audio/opus');
      const stats = nextEvent(a.client, 'call:statsReceived');
      await a.client.call.getStats(callId);
      expect((await stats).result).to.be.instanceOf(RTCStatsReport);
      await a.client.call.end(callId);
    });

    /** A's operations of `type` on `callId`, as `START`/`FINISH` (with error code) strings. */
    /** A on two connected calls: with B (`withB`, A calls) and with C (`withC`, A calls). */
    async function callsWithBAndC() {
      const { a, b, callId: withB } = await connectedCall();
      const c = await backend.user();
      const rings = nextEvent(c.client, 'call:receive');
      const withC = a.client.call.make(c.id, { audio: true });
      await rings;
      await reach(c.client, withC, 'Ringing');
      await c.client.call.answer(withC, { audio: true });
      await reach(a.client, withC, 'Connected');
      return { a, b, c, withB, withC };
    }

    function operations(client: CommsClient, type: string) {
      const seen: string[] = [];
      client.on('call:operation', (p) => {
        if (p.operation === type)
          seen.push(`${p.callId} ${p.transition}${p.error ? ` ${p.error.code}` : ''}`);
      });
      return seen;
    }

    describe('transfer', () => {
      /** B and C hear each other on `callId`. */
      async function connectedWithAudio(b: CommsClient, c: CommsClient, callId: string) {
        await reach(b, callId, 'Connected');
        await reach(c, callId, 'Connected');
        for (const client of [b, c]) {
          await until(client, (s) => s.call.calls[callId]!.remoteTracks.length === 1);
          expect(
            await hearsAudio(await liveTrack(client, remoteAudio(client, callId)!)),
          ).to.be.greaterThan(0.01);
        }
      }

      it('direct: A transfers B to C; B and C talk, A’s call ends as transferred', async () => {
        const { a, b, callId } = await connectedCall();
        const c = await backend.user();
        const ops = operations(a.client, 'DIRECT_TRANSFER');
        await a.client.call.hold(callId);
        const rings = nextEvent(c.client, 'call:receive');
        const transferred = a.client.call.directTransfer(callId, c.id);
        const { callId: newId } = await rings;
        expect(newId).not.to.equal(callId);
        const incoming = c.client.call.getById(newId)!;
        expect(incoming.from).to.equal(b.id);
        expect(incoming.transfer).to.deep.equal({
          referredBy: { id: a.id, displayName: `User ${a.id}` },
          replaces: null,
        });
        expect(b.client.call.getById(newId)!.transfer?.replaces).to.equal(callId);
        await reach(c.client, newId, 'Ringing');
        await c.client.call.answer(newId, { audio: true });
        await transferred;

        const ended = a.client.call.getById(callId)!;
        expect(ended.state).to.equal('Ended');
        expect(ended.transition).to.deep.equal({ statusCode: 200, reasonText: 'Transferred' });
        const old = await reach(b.client, callId, 'Ended');
        expect(old.call.calls[callId]!.transition?.reasonText).to.equal('Transferred');
        expect(ops).to.deep.equal([`${callId} START`, `${callId} FINISH`]);
        await connectedWithAudio(b.client, c.client, newId);
        // B keeps one call: the one with C.
        expect(
          b.client.call.getAll().filter((x) => !['Ended', 'Cancelled'].includes(x.state)),
        ).to.have.length(1);
        await b.client.call.end(newId);
        await reach(c.client, newId, 'Ended');
      });

      it('consultative: A, on calls with B and C, connects B and C and leaves', async () => {
        const { a, b, c, withB, withC } = await callsWithBAndC();
        const ops = operations(a.client, 'CONSULTATIVE_TRANSFER');
        await expectError(
          () => a.client.call.consultativeTransfer(withB, withC),
          'call:invalidState',
        );
        await a.client.call.hold(withB);
        await a.client.call.hold(withC);
        const takesIt = nextEvent(c.client, 'call:receive');
        await a.client.call.consultativeTransfer(withB, withC);
        const { callId: newId } = await takesIt;
        expect(c.client.call.getById(newId)!.transfer).to.deep.equal({
          referredBy: { id: a.id, displayName: `User ${a.id}` },
          replaces: withC,
        });
        for (const id of [withB, withC]) {
          expect(a.client.call.getById(id)!.state).to.equal('Ended');
          expect(a.client.call.getById(id)!.transition?.reasonText).to.equal('Transferred');
        }
        expect(ops).to.have.members([
          `${withB} START`,
          `${withB} FINISH`,
          `${withC} START`,
          `${withC} FINISH`,
        ]);
        await reach(b.client, withB, 'Ended');
        await reach(c.client, withC, 'Ended');
        await connectedWithAudio(b.client, c.client, newId);
        await c.client.call.end(newId);
        await reach(b.client, newId, 'Ended');
      });

      it('refuses a transfer by a stranger, to nobody, or of a call not held; the call is unharmed', async () => {
        const { a, b, callId } = await connectedCall();
        const c = await backend.user();
        await expectError(() => a.client.call.directTransfer(callId, c.id), 'call:invalidState');
        const refusal = await backend.intrude(callId, c.id);
        expect(refusal.code, refusal.message).to.equal('call:unknown');

        await a.client.call.hold(callId);
        const unknown = await expectError(
          () => a.client.call.directTransfer(callId, 'nobody-here-at-all'),
          'call:unknownDestination',
        );
        expect(unknown.message).to.contain('nobody-here-at-all');
        await expectError(
          () => a.client.call.directTransfer(callId, b.id),
          'call:invalidDestination',
        );

        // The target declines: the transfer fails clearly and the call is as it was.
        const rings = nextEvent(c.client, 'call:receive');
        const transfer = a.client.call.directTransfer(callId, c.id);
        const { callId: newId } = await rings;
        await reach(c.client, newId, 'Ringing');
        await c.client.call.reject(newId);
        const failed = await expectError(() => transfer, 'call:transferFailed');
        expect(failed.message).to.match(/Rejected/);
        await reach(b.client, newId, 'Ended');
        expect(a.client.call.getById(callId)).to.include({ state: 'On Hold', localHold: true });
        expect(b.client.call.getById(callId)).to.include({ state: 'On Hold', remoteHold: true });

        await a.client.call.unhold(callId);
        await reach(b.client, callId, 'Connected');
        await until(b.client, (s) => s.call.calls[callId]!.remoteTracks.length === 1);
        expect(
          await hearsAudio(await liveTrack(b.client, remoteAudio(b.client, callId)!)),
        ).to.be.greaterThan(0.01);
        await a.client.call.end(callId);
      });
    });

    describe('forward', () => {
      /** A and `other` hear each other on `callId`. */
      async function talking(a: CommsClient, other: CommsClient, callId: string) {
        await reach(a, callId, 'Connected');
        await reach(other, callId, 'Connected');
        for (const client of [a, other]) {
          await until(client, (s) => s.call.calls[callId]!.remoteTracks.length === 1);
          expect(
            await hearsAudio(await liveTrack(client, remoteAudio(client, callId)!)),
          ).to.be.greaterThan(0.01);
        }
      }
      const party = (id: string) => ({ id, displayName: `User ${id}` });

      it('B forwards A’s ringing call to C: B’s call ends as forwarded, A’s rings at C with the same id, and A and C talk once C answers', async () => {
        // A's offer carries no candidates: C gets them only trickled, those A sent B before the
        // forward handed on by the backend, later ones straight (test/server/calls-forward and
        // test/core/local-backend prove the handing on; this proves the call connects). A
        // backend that does not trickle sends them in the offer, which C must get as it was.
        const a = await backend.user();
        if (backend.trickle !== false)
          a.client.call.setSdpHandlers([
            (sdp, info) => {
              if (info.step === 'send' && info.endpoint === 'local')
                for (const m of sdp.media) {
                  delete m.candidates;
                  delete m.endOfCandidates;
                }
              return sdp;
            },
          ]);
        const b = await backend.user();
        const received = nextEvent(b.client, 'call:receive');
        const callId = a.client.call.make(b.id, { audio: true });
        await received;
        await reach(b.client, callId, 'Ringing');
        await reach(a.client, callId, 'Ringing');
        const c = await backend.user();
        const ops = operations(b.client, 'FORWARD');
        const endedAtB = nextEvent(b.client, 'call:stateChange');
        const told = nextEvent(a.client, 'call:forwarded');
        const rings = nextEvent(c.client, 'call:receive');
        await b.client.call.forward(callId, c.id);
        const forwarding = { by: party(b.id), to: party(c.id) };

        // B: Ended, 302 Forwarded, with the operation framed and its duration reported.
        const change = await endedAtB;
        expect(change.callId).to.equal(callId);
        expect(change.transition).to.deep.equal({ statusCode: 302, reasonText: 'Forwarded' });
        expect(b.client.call.getById(callId)).to.deep.include({
          state: 'Ended',
          transition: { statusCode: 302, reasonText: 'Forwarded' },
          forwarded: [forwarding],
        });
        expect(ops).to.deep.equal([`${callId} START`, `${callId} FINISH`]);
        const report = b.client.call.getReport(callId);
        expect(report.timeline.map((e) => e.type)).to.include('FORWARD');
        expect(
          report.metrics.some(
            (m) => m.type === b.client.call.metrics.OPERATION_DURATION && m.operation === 'FORWARD',
          ),
        ).to.equal(true);

        // A: told, the same call still ringing, now at C.
        expect(await told).to.deep.equal({ callId, ...forwarding });
        expect(a.client.call.getById(callId)).to.deep.include({
          state: 'Ringing',
          direction: 'outgoing',
          forwarded: [forwarding],
          remoteParticipant: { displayNumber: c.id, displayName: `User ${c.id}` },
        });

        // C: the same call, from A, saying who forwarded it.
        expect((await rings).callId).to.equal(callId);
        expect(c.client.call.getById(callId)).to.deep.include({
          from: a.id,
          direction: 'incoming',
          forwarded: [forwarding],
        });
        await reach(c.client, callId, 'Ringing');
        await c.client.call.answer(callId, { audio: true });
        await talking(a.client, c.client, callId);
        // C's connection got the candidates A had trickled to B (handed on by the backend), not
        // only the peer-reflexive ones ICE checks would discover.
        const remote: string[] = [];
        (await c.client.call.getStats(callId)).forEach(
          (r: { type: string; candidateType?: string }) => {
            if (r.type === 'remote-candidate') remote.push(r.candidateType ?? '');
          },
        );
        expect(
          remote.filter((type) => type !== 'prflx'),
          `remote: ${remote.join()}`,
        ).not.to.be.empty;
        expect(b.client.call.getById(callId)!.state).to.equal('Ended');
        await a.client.call.end(callId);
        await reach(c.client, callId, 'Ended');
      });

      it('forwards twice (B → C → D): D answers and A and D talk', async () => {
        const { a, b, callId } = await ringingCall();
        const c = await backend.user();
        const d = await backend.user();
        const atC = nextEvent(c.client, 'call:receive');
        await b.client.call.forward(callId, c.id);
        await atC;
        await reach(c.client, callId, 'Ringing');
        const atD = nextEvent(d.client, 'call:receive');
        await c.client.call.forward(callId, d.id);
        await atD;
        const hops = [
          { by: party(b.id), to: party(c.id) },
          { by: party(c.id), to: party(d.id) },
        ];
        expect(d.client.call.getById(callId)!.forwarded).to.deep.equal(hops);
        await until(a.client, (s) => s.call.calls[callId]!.forwarded?.length === 2);
        expect(a.client.call.getById(callId)!.forwarded).to.deep.equal(hops);
        expect(c.client.call.getById(callId)!.transition?.statusCode).to.equal(302);
        await reach(d.client, callId, 'Ringing');
        await d.client.call.answer(callId, { audio: true });
        await talking(a.client, d.client, callId);
        await d.client.call.end(callId);
        await reach(a.client, callId, 'Ended');
      });

      it('refuses a connected or outgoing call, oneself, the caller, nobody and a stranger; the call still rings', async () => {
        const { a, b, callId } = await ringingCall();
        const c = await backend.user();
        await expectError(() => a.client.call.forward(callId, c.id), 'call:invalidState');
        await expectError(() => b.client.call.forward('no-such-call', c.id), 'call:unknown');
        await expectError(() => b.client.call.forward(callId, ''), 'call:invalidDestination');
        await expectError(() => b.client.call.forward(callId, b.id), 'call:invalidDestination');
        await expectError(() => b.client.call.forward(callId, a.id), 'call:invalidDestination');
        const nobody = await expectError(
          () => b.client.call.forward(callId, 'nobody-here-at-all'),
          'call:unknownDestination',
        );
        expect(nobody.message).to.contain('nobody-here-at-all');
        const refusal = await backend.intrude(callId, c.id, 'forward');
        expect(refusal.code, refusal.message).to.equal('call:unknown');

        // Nothing reached C; the call still rings at B, who answers; then it cannot be forwarded.
        expect(c.client.call.getById(callId)).to.equal(undefined);
        expect(stateOf(b.client, callId)).to.equal('Ringing');
        expect(a.client.call.getById(callId)!.forwarded).to.equal(undefined);
        await b.client.call.answer(callId, { audio: true });
        await reach(a.client, callId, 'Connected');
        await expectError(() => b.client.call.forward(callId, c.id), 'call:invalidState');
        await a.client.call.end(callId);
        await reach(b.client, callId, 'Ended');
      });
    });

    describe('join', () => {
      type User = Awaited<ReturnType<CallBackend['user']>>;

      /** A is in a call with B and one with C, both held by A. */
      async function twoHeldCalls() {
        const { a, b, c, withB, withC } = await callsWithBAndC();
        await a.client.call.hold(withB);
        await a.client.call.hold(withC);
        await reach(b.client, withB, 'On Hold');
        await reach(c.client, withC, 'On Hold');
        return { a, b, c, withB, withC };
      }

      /** The remote audio `user` receives on `callId`, once it is there. */
      async function heard(user: User, callId: string) {
        await until(user.client, (s) => s.call.calls[callId]!.remoteTracks.length === 1);
        return liveTrack(user.client, remoteAudio(user.client, callId)!);
      }

      it('joins two held calls into one audio call; both remote parties are taken off hold', async () => {
        const { a, b, c, withB, withC } = await twoHeldCalls();
        const ops = operations(a.client, 'JOIN');
        const remoteOps = [b, c].map((u) => operations(u.client, 'REMOTE_UNHOLD'));
        const announced = nextEvent(a.client, 'call:join');
        const ended = [withB, withC].map((id) =>
          nextEvent(a.client, 'call:stateChange', (p) => p.callId === id),
        );
        const joinedId = await a.client.call.join(withB, withC);

        expect((await announced).callId).to.equal(joinedId);
        expect(joinedId).not.to.be.oneOf([withB, withC]);
        const joined = a.client.call.getById(joinedId)!;
        expect(joined).to.include({ state: 'Connected', localHold: false, remoteHold: false });
        expect(joined.joined).to.deep.equal({
          callIds: [withB, withC],
          participants: [
            { displayNumber: b.id, displayName: `User ${b.id}` },
            { displayNumber: c.id, displayName: `User ${c.id}` },
          ],
        });
        // Audio only: this user's microphone, and what each remote party sends.
        expect(joined.localTracks).to.have.length(1);
        expect(joined.remoteTracks).to.have.length(2);
        for (const id of [...joined.localTracks, ...joined.remoteTracks])
          expect(a.client.media.getTrackById(id)).to.include({ kind: 'audio', callId: joinedId });
        for (const [i, id] of [withB, withC].entries()) {
          expect((await ended[i])!).to.deep.include({
            previous: { state: 'On Hold' },
            transition: { statusCode: 200, reasonText: 'Joined' },
          });
          expect(a.client.call.getById(id)).to.include({ state: 'Ended' });
        }
        expect(ops).to.have.members([
          `${withB} START`,
          `${withB} FINISH`,
          `${withC} START`,
          `${withC} FINISH`,
        ]);
        // The remote parties: their call goes on, off hold (a remote unhold to them).
        for (const [user, id, seen] of [
          [b, withB, remoteOps[0]!],
          [c, withC, remoteOps[1]!],
        ] as const) {
          await reach(user.client, id, 'Connected');
          expect(user.client.call.getById(id)).to.include({ remoteHold: false, localHold: false });
          expect(seen).to.deep.equal([`${id} START`, `${id} FINISH`]);
        }
        // Video cannot be added and the joined call is not held.
        await expectError(() => a.client.call.startVideo(joinedId), 'call:invalidState');
        await expectError(() => a.client.call.hold(joinedId), 'call:invalidState');
        await a.client.call.end(joinedId);
      });

      it("mixes in A's browser: C hears B through A, B hears C, and A's mute silences A in both", async () => {
        const { a, b, c, withB, withC } = await twoHeldCalls();
        const joinedId = await a.client.call.join(withB, withC);
        await reach(b.client, withB, 'Connected');
        await reach(c.client, withC, 'Connected');
        // Every fake microphone plays the same beep: with A's muted, what C hears comes from B.
        const mic = a.client.call.getById(joinedId)!.localTracks[0]!;
        a.client.media.muteTracks([mic]);
        const atC = await heard(c, withC);
        const atB = await heard(b, withB);
        expect(await hearsAudio(atC), 'C hears B through A').to.be.greaterThan(0.01);
        const bMic = b.client.call.getById(withB)!.localTracks[0]!;
        b.client.media.muteTracks([bMic]);
        await turnsSilent(atC); // B muted, A muted: nothing left for C
        expect(await hearsAudio(atB), 'B hears C through A').to.be.greaterThan(0.01);
        b.client.media.unmuteTracks([bMic]);
        expect(await hearsAudio(atC), 'C hears B again').to.be.greaterThan(0.01);
        // A's microphone back: A hears both, and C hears A even once B has gone quiet.
        a.client.media.unmuteTracks([mic]);
        b.client.media.muteTracks([bMic]);
        expect(await hearsAudio(atC), 'C hears A').to.be.greaterThan(0.01);
        b.client.media.unmuteTracks([bMic]);
        for (const id of a.client.call.getById(joinedId)!.remoteTracks)
          expect(await hearsAudio(await liveTrack(a.client, id)), 'A hears both').to.be.greaterThan(
            0.01,
          );
        await a.client.call.end(joinedId);
      });

      it('refuses calls not held, the same call twice and unknown ids; the calls are unharmed', async () => {
        const { a, b, withB, withC } = await callsWithBAndC();
        const ops = operations(a.client, 'JOIN');
        const notHeld = await expectError(
          () => a.client.call.join(withB, withC),
          'call:invalidState',
        );
        expect(notHeld.message).to.contain(withB);
        await a.client.call.hold(withB);
        const second = await expectError(
          () => a.client.call.join(withB, withC),
          'call:invalidState',
        );
        expect(second.message).to.contain(withC);
        const twice = await expectError(() => a.client.call.join(withB, withB), 'argument:invalid');
        expect(twice.message).to.contain('two different calls');
        const unknown = await expectError(
          () => a.client.call.join(withB, 'no-such-call'),
          'call:unknown',
        );
        expect(unknown.message).to.contain('no-such-call');
        expect(ops).to.deep.equal([]);
        expect(a.client.call.getById(withB)).to.include({ state: 'On Hold', localHold: true });
        expect(a.client.call.getById(withC)).to.include({ state: 'Connected' });
        expect(b.client.call.getById(withB)).to.include({ state: 'On Hold', remoteHold: true });
        expect(a.client.call.getAll().filter((x) => x.joined)).to.deep.equal([]);
        await a.client.call.end(withB);
        await a.client.call.end(withC);
      });

      it('a join that fails midway leaves both calls held as they were; a second try works', async () => {
        const { a, b, c, withB, withC } = await twoHeldCalls();
        let fail = true;
        a.client.call.setSdpHandlers([
          (sdp) => {
            if (fail) throw new Error('refused on purpose');
            return sdp;
          },
        ]);
        const ops = operations(a.client, 'JOIN');
        const announced = nextEvent(a.client, 'call:join');
        const error = await expectError(
          () => a.client.call.join(withB, withC),
          'sdp:handlerFailed',
        );
        expect(error.message).to.contain('refused on purpose');
        expect((await announced).error?.code).to.equal('sdp:handlerFailed');
        expect(ops).to.have.members([
          `${withB} START`,
          `${withB} FINISH sdp:handlerFailed`,
          `${withC} START`,
          `${withC} FINISH sdp:handlerFailed`,
        ]);
        for (const id of [withB, withC])
          expect(a.client.call.getById(id)).to.include({ state: 'On Hold', localHold: true });
        expect(a.client.call.getAll().filter((x) => x.joined)).to.deep.equal([]);
        expect(b.client.call.getById(withB)).to.include({ remoteHold: true });
        expect(c.client.call.getById(withC)).to.include({ remoteHold: true });
        // Each call sends its own microphone again: resumed, B hears A.
        fail = false;
        await a.client.call.unhold(withB);
        expect(await hearsAudio(await heard(b, withB)), 'B hears A').to.be.greaterThan(0.01);
        await a.client.call.hold(withB);

        const joinedId = await a.client.call.join(withB, withC);
        expect(a.client.call.getById(joinedId)).to.include({ state: 'Connected' });
        await reach(b.client, withB, 'Connected');
        await reach(c.client, withC, 'Connected');
        expect(await hearsAudio(await heard(c, withC)), 'C hears A').to.be.greaterThan(0.01);
        await a.client.call.end(joinedId);
      });

      it('answers a party’s hold and resume; goes on with C when B hangs up, and ends when C does', async () => {
        const { a, b, c, withB, withC } = await twoHeldCalls();
        const joinedId = await a.client.call.join(withB, withC);
        await reach(c.client, withC, 'Connected');
        // C holds and resumes: A's engine answers the offers of a call the joined call carries.
        await c.client.call.hold(withC);
        expect(c.client.call.getById(withC)).to.include({ state: 'On Hold', localHold: true });
        await c.client.call.unhold(withC);
        expect(c.client.call.getById(withC)).to.include({ state: 'Connected' });
        expect(a.client.call.getById(joinedId)).to.include({ state: 'Connected' });
        const removed = nextEvent(a.client, 'call:tracksRemoved', (p) => p.callId === joinedId);
        await b.client.call.end(withB);
        await removed;
        const joined = a.client.call.getById(joinedId)!;
        expect(joined.state).to.equal('Connected');
        expect(joined.joined).to.deep.equal({
          callIds: [withC],
          participants: [{ displayNumber: c.id, displayName: `User ${c.id}` }],
        });
        expect(joined.remoteTracks).to.have.length(1);
        expect(await hearsAudio(await heard(c, withC)), 'C still hears A').to.be.greaterThan(0.01);
        expect(
          await hearsAudio(await liveTrack(a.client, joined.remoteTracks[0]!)),
          'A still hears C',
        ).to.be.greaterThan(0.01);
        await c.client.call.end(withC);
        const over = await reach(a.client, joinedId, 'Ended');
        expect(over.call.calls[joinedId]!.transition?.statusCode).to.equal(200);
        expect(over.call.calls[joinedId]!.remoteTracks).to.deep.equal([]);
      });

      it("ending the joined call ends both remote parties' calls", async () => {
        const { a, b, c, withB, withC } = await twoHeldCalls();
        const joinedId = await a.client.call.join(withB, withC);
        // The backend still carries both calls: neither remote party saw an end.
        await reach(b.client, withB, 'Connected');
        await reach(c.client, withC, 'Connected');
        await a.client.call.end(joinedId);
        expect(a.client.call.getById(joinedId)).to.include({
          state: 'Ended',
          mediaConnectionState: 'closed',
        });
        for (const [user, id] of [
          [b, withB],
          [c, withC],
        ] as const) {
          const ended = await reach(user.client, id, 'Ended');
          expect(ended.call.calls[id]!.transition?.statusCode).to.equal(200);
        }
      });
    });
  });
}

/** Renders a remote video track into `container` and resolves with its width once decoded. */
async function decodedWidth(
  client: CommsClient,
  trackId: string,
  container: HTMLElement,
): Promise<number> {
  await client.media.renderTracks([trackId], container);
  const video = container.querySelector('video')!;
  await new Promise<void>((resolve) =>
    video.videoWidth > 0
      ? resolve()
      : video.addEventListener('resize', () => resolve(), { once: true }),
  );
  return video.videoWidth;
}
