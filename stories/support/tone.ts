/**
 * Sound made in the page: a tone as a WAV recording, for stories (and tests) that need audio a
 * person left, such as a voicemail, without a microphone.
 */

/** A WAV recording (16-bit mono PCM) of a `hz` sine for `seconds`. */
export function toneWav(seconds: number, hz = 440, rate = 48000): Blob {
  const count = Math.round(seconds * rate);
  const view = new DataView(new ArrayBuffer(44 + count * 2));
  const text = (at: number, s: string) =>
    [...s].forEach((c, i) => view.setUint8(at + i, c.charCodeAt(0)));
  text(0, 'RIFF');
  view.setUint32(4, 36 + count * 2, true);
  text(8, 'WAVEfmt ');
  view.setUint32(16, 16, true);
  view.setUint16(20, 1, true);
  view.setUint16(22, 1, true);
  view.setUint32(24, rate, true);
  view.setUint32(28, rate * 2, true);
  view.setUint16(32, 2, true);
  view.setUint16(34, 16, true);
  text(36, 'data');
  view.setUint32(40, count * 2, true);
  for (let i = 0; i < count; i++)
    view.setInt16(44 + i * 2, Math.round(Math.sin((2 * Math.PI * hz * i) / rate) * 16000), true);
  return new Blob([view.buffer], { type: 'audio/wav' });
}
