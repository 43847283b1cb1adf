/**
 * Sounds made with WebAudio, so no media files ship: the ringtone and the speaker test chime.
 * They play on a chosen output device where the browser can (`AudioContext.setSinkId`, else an
 * `<audio>` element's `setSinkId`), and report when the browser's autoplay rules block them.
 */

/** What starting a sound did. */
export type SoundStatus = 'playing' | 'blocked' | 'unsupported';

/** A sound: notes of `[frequency Hz, start s, length s]` in a cycle of `cycle` seconds. */
interface Pattern {
  notes: ReadonlyArray<readonly [number, number, number]>;
  cycle: number;
}

/** A two-note ring, twice, then silence (one cycle every 3 s). */
export const RING: Pattern = {
  notes: [
    [880, 0, 0.35],
    [660, 0.4, 0.35],
    [880, 0.9, 0.35],
    [660, 1.3, 0.35],
  ],
  cycle: 3,
};

/** A short rising chime for "play test sound". */
export const CHIME: Pattern = {
  notes: [
    [523.25, 0, 0.25],
    [659.25, 0.22, 0.25],
    [783.99, 0.44, 0.45],
  ],
  cycle: 1.2,
};

type SinkContext = AudioContext & { setSinkId?(id: string): Promise<void> };
type SinkElement = HTMLAudioElement & { setSinkId?(id: string): Promise<void> };

/** True when this browser lets a page choose the output device. */
export function canChooseOutput(): boolean {
  return (
    typeof AudioContext !== 'undefined' &&
    ('setSinkId' in AudioContext.prototype ||
      (typeof HTMLMediaElement !== 'undefined' && 'setSinkId' in HTMLMediaElement.prototype))
  );
}

/** Plays one pattern, once or looping, on one output. */
export class SoundPlayer {
  #context: SinkContext | undefined;
  #element: SinkElement | undefined;
  #out: AudioNode | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #pattern: Pattern | undefined;
  #loop = false;
  #playing = false;

  /** True while a sound is scheduled and the context runs. */
  get playing(): boolean {
    return this.#playing && this.#context?.state === 'running';
  }

  /**
   * Starts `pattern` on the output `sinkId` (the default output when empty). Resolves with
   * `blocked` when the browser waits for a user gesture: call `unlock()` from one.
   */
  async start(
    pattern: Pattern,
    options: { sinkId?: string; loop?: boolean } = {},
  ): Promise<SoundStatus> {
    this.stop();
    const Context = globalThis.AudioContext;
    if (!Context) return 'unsupported';
    const context: SinkContext = new Context();
    this.#context = context;
    this.#pattern = pattern;
    this.#loop = options.loop ?? false;
    this.#playing = true;
    if (options.sinkId) await this.#route(context, options.sinkId);
    if (context.state !== 'running') {
      // Blocked contexts never resolve resume() until a gesture: give it a moment, no more.
      await Promise.race([context.resume(), new Promise((r) => setTimeout(r, 200))]);
    }
    if (this.#context !== context) return 'playing'; // stopped or restarted meanwhile
    if (context.state !== 'running') return 'blocked';
    this.#schedule(context.currentTime + 0.05);
    return 'playing';
  }

  /** Resumes a blocked sound; call it from a user gesture (a click). */
  async unlock(): Promise<SoundStatus> {
    const context = this.#context;
    if (!context) return 'unsupported';
    await context.resume();
    if (context.state !== 'running') return 'blocked';
    if (this.#playing && this.#timer === undefined) this.#schedule(context.currentTime + 0.05);
    return 'playing';
  }

  /** Stops and releases the audio context. */
  stop(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#playing = false;
    const context = this.#context;
    this.#context = undefined;
    this.#out = undefined;
    if (context && context.state !== 'closed') void context.close().catch(() => undefined);
    if (this.#element) {
      this.#element.pause();
      this.#element.srcObject = null;
      this.#element = undefined;
    }
  }

  async #route(context: SinkContext, sinkId: string): Promise<void> {
    try {
      if (typeof context.setSinkId === 'function') {
        await context.setSinkId(sinkId);
        return;
      }
      const element: SinkElement = new Audio();
      if (typeof element.setSinkId !== 'function') return;
      const destination = context.createMediaStreamDestination();
      element.srcObject = destination.stream;
      await element.setSinkId(sinkId);
      this.#element = element;
      this.#out = destination;
      void element.play().catch(() => undefined);
    } catch {
      // The device is gone or not allowed: the default output plays it.
    }
  }

  #schedule(at: number): void {
    const context = this.#context;
    const pattern = this.#pattern;
    if (!context || !pattern || !this.#playing) return;
    const out: AudioNode = this.#out ?? context.destination;
    for (const [frequency, start, length] of pattern.notes) {
      const oscillator = context.createOscillator();
      const gain = context.createGain();
      oscillator.type = 'sine';
      oscillator.frequency.value = frequency;
      const t0 = at + start;
      gain.gain.setValueAtTime(0, t0);
      gain.gain.linearRampToValueAtTime(0.25, t0 + 0.02);
      gain.gain.setValueAtTime(0.25, t0 + length - 0.05);
      gain.gain.linearRampToValueAtTime(0, t0 + length);
      oscillator.connect(gain).connect(out);
      oscillator.start(t0);
      oscillator.stop(t0 + length + 0.01);
    }
    const next = at + pattern.cycle;
    this.#timer = setTimeout(
      () => {
        this.#timer = undefined;
        if (this.#loop) this.#schedule(next);
        else this.#playing = false;
      },
      Math.max(0, (next - context.currentTime - 0.1) * 1000),
    );
  }
}
