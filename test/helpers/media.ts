/**
 * Measuring real media in tests: is audio actually arriving on a remote track, and are bytes
 * flowing on the peer connection. Chromium's fake devices play a beep, so silence is a failure.
 */

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
