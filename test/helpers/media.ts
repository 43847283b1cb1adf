/**
 * Measuring real media in tests: is audio actually arriving on a remote track, and are bytes
 * flowing on the peer connection. Chromium's fake devices play a beep, so silence is a failure.
 */
import { toneWav } from '../../stories/support/tone.js';
import type { CommsClient } from '../../core/index.js';

/** The id of call `callId`'s remote audio track, if it has one. */
export function remoteAudio(client: CommsClient, callId: string): string | undefined {
  return client.call
    .getById(callId)!
    .remoteTracks.find((t) => client.media.getTrackById(t)?.kind === 'audio');
}

/**
 * The MediaStreamTrack behind a track id, taken the way an application gets at media: render
 * it with `media.renderTracks` into a container and read the element's stream.
 */
export async function liveTrack(client: CommsClient, trackId: string): Promise<MediaStreamTrack> {
  const container = document.createElement('div');
  container.hidden = true;
  document.body.append(container);
  await client.media.renderTracks([trackId], container);
  const element = container.querySelector<HTMLMediaElement>(`[data-track-id="${trackId}"]`);
  const track = (element?.srcObject as MediaStream | null)?.getTracks()[0];
  if (!track) throw new Error(`track ${trackId} did not render`);
  return track;
}

/** Resolves once `track` carries sound (RMS above `threshold`), or rejects after `timeoutMs`. */
export function hearsAudio(
  track: MediaStreamTrack,
  timeoutMs = 8000,
  threshold = 0.01,
): Promise<number> {
  return listen(track, timeoutMs, (rms) => rms > threshold, 'no sound on the track');
}

/**
 * Resolves once `track` has stayed silent (RMS below `threshold`) for 40 readings in a row
 * (two seconds: Chromium's fake microphone beeps every half second), or rejects after
 * `timeoutMs` (it still carries sound).
 */
export function turnsSilent(
  track: MediaStreamTrack,
  timeoutMs = 10000,
  threshold = 0.001,
): Promise<number> {
  let quiet = 0;
  return listen(
    track,
    timeoutMs,
    (rms) => (quiet = rms < threshold ? quiet + 1 : 0) >= 40,
    'the track kept carrying sound',
  );
}

/** Reads `track`'s RMS level every 50 ms until `done(rms)`; resolves with that level. */
async function listen(
  track: MediaStreamTrack,
  timeoutMs: number,
  done: (rms: number) => boolean,
  failure: string,
): Promise<number> {
  // Chromium only feeds remote WebRTC audio into WebAudio when it is also played by an element.
  const element = new Audio();
  element.muted = true;
  element.srcObject = new MediaStream([track]);
  await element.play().catch(() => undefined);
  const context = new AudioContext();
  await context.resume();
  const source = context.createMediaStreamSource(new MediaStream([track]));
  const analyser = context.createAnalyser();
  analyser.fftSize = 2048;
  source.connect(analyser);
  const samples = new Float32Array(analyser.fftSize);
  const started = performance.now();
  try {
    for (;;) {
      analyser.getFloatTimeDomainData(samples);
      const rms = Math.sqrt(samples.reduce((sum, v) => sum + v * v, 0) / samples.length);
      if (done(rms)) return rms;
      if (performance.now() - started > timeoutMs)
        throw new Error(`${failure} within ${timeoutMs} ms (rms ${rms})`);
      await new Promise((r) => setTimeout(r, 50));
    }
  } finally {
    source.disconnect();
    await context.close();
    element.srcObject = null;
  }
}

/** Total bytes received on inbound RTP streams of `kind` in a stats report. */
export function bytesReceived(report: RTCStatsReport, kind: 'audio' | 'video' = 'audio'): number {
  let total = 0;
  report.forEach((stat: { type: string; kind?: string; bytesReceived?: number }) => {
    if (stat.type === 'inbound-rtp' && stat.kind === kind) total += stat.bytesReceived ?? 0;
  });
  return total;
}

/** Waits `ms` (only for measuring a rate over time, never to let things settle). */
export const measureFor = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The loudest RMS on `track` over `ms` (0 for silence), read every 50 ms. */
export async function loudestOver(track: MediaStreamTrack, ms: number): Promise<number> {
  let loudest = 0;
  const end = performance.now() + ms;
  await listen(
    track,
    ms + 5000,
    (rms) => {
      loudest = Math.max(loudest, rms);
      return performance.now() >= end;
    },
    'the track could not be read',
  );
  return loudest;
}

/** A WAV file (16-bit mono PCM) of a `hz` sine for `seconds`, as an object URL. */
export function toneFile(seconds: number, hz = 440, rate = 48000): string {
  return URL.createObjectURL(toneWav(seconds, hz, rate));
}

export { toneWav };
