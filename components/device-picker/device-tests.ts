/**
 * The device picker's own test streams: a camera preview and a microphone level meter. They
 * are taken with `getUserMedia` directly, never enter the client's state, and are released as
 * soon as the picker stops showing them.
 */

/** Stops every track of a stream. */
function release(stream: MediaStream | undefined): void {
  for (const track of stream?.getTracks() ?? []) track.stop();
}

/** A live preview of one camera in a `<video>` element. */
export class CameraPreview {
  #stream: MediaStream | undefined;
  #deviceId: string | null | undefined;
  #video: HTMLVideoElement | undefined;
  #generation = 0;

  /** The camera shown now (`null`: the default), or `undefined` when none is shown. */
  get deviceId(): string | null | undefined {
    return this.#stream ? this.#deviceId : undefined;
  }

  /** Shows `deviceId` (`null`: the default camera) in `video`; does nothing if it already does. */
  async show(video: HTMLVideoElement, deviceId: string | null): Promise<void> {
    if (this.#video === video && this.#deviceId === deviceId && this.#stream) return;
    this.stop();
    const generation = ++this.#generation;
    this.#video = video;
    this.#deviceId = deviceId;
    try {
      const stream = await navigator.mediaDevices.getUserMedia({
        video: deviceId ? { deviceId: { exact: deviceId } } : true,
        audio: false,
      });
      if (generation !== this.#generation) return release(stream);
      this.#stream = stream;
      video.srcObject = stream;
      await video.play().catch(() => undefined);
    } catch {
      if (generation === this.#generation) this.#video = undefined;
    }
  }

  stop(): void {
    this.#generation++;
    release(this.#stream);
    this.#stream = undefined;
    if (this.#video) this.#video.srcObject = null;
    this.#video = undefined;
  }
}

/** Measures a microphone's level (0–1) and reports it every animation frame. */
export class LevelMeter {
  #stream: MediaStream | undefined;
  #context: AudioContext | undefined;
  #frame = 0;
  #deviceId: string | null | undefined;
  #generation = 0;

  /** The microphone measured now (`null`: the default), or `undefined`. */
  get deviceId(): string | null | undefined {
    return this.#stream ? this.#deviceId : undefined;
  }

  /** Measures `deviceId` (`null`: the default microphone), calling `onLevel` each frame. */
  async start(deviceId: string | null, onLevel: (level: number) => void): Promise<void> {
    if (this.#stream && this.#deviceId === deviceId) return;
    this.stop();
    const generation = ++this.#generation;
    this.#deviceId = deviceId;
    try {
      const stream = await navigator.mediaDevices.getUserMedia({
        audio: deviceId ? { deviceId: { exact: deviceId } } : true,
        video: false,
      });
      if (generation !== this.#generation) return release(stream);
      this.#stream = stream;
      const context = new AudioContext();
      this.#context = context;
      const analyser = context.createAnalyser();
      analyser.fftSize = 1024;
      context.createMediaStreamSource(stream).connect(analyser);
      const samples = new Float32Array(analyser.fftSize);
      const tick = () => {
        analyser.getFloatTimeDomainData(samples);
        let sum = 0;
        for (const v of samples) sum += v * v;
        const rms = Math.sqrt(sum / samples.length);
        onLevel(Math.min(1, rms * 4));
        this.#frame = requestAnimationFrame(tick);
      };
      void context.resume().catch(() => undefined);
      tick();
    } catch {
      // No microphone or no permission: the meter stays at zero.
    }
  }

  stop(): void {
    this.#generation++;
    cancelAnimationFrame(this.#frame);
    release(this.#stream);
    this.#stream = undefined;
    const context = this.#context;
    this.#context = undefined;
    if (context && context.state !== 'closed') void context.close().catch(() => undefined);
  }
}
