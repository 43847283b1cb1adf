/**
 * Features whose code is a chunk of its own in the ES builds, fetched by `import()` when a
 * client first needs it (the call engine, the conversation and media managers, the people
 * features: presence, contacts, the directory and call history, in one chunk; voicemail). The
 * client keeps a `LazyFeature` per feature: its namespace's synchronous answers come from the
 * state until the manager is here (before it, nothing was fetched, sent or rendered), and what
 * needs the manager waits for it (`run`, `later`) or is held and handed to it in order once it
 * has loaded (`hold`; the call engine's loader, `call/lazy-manager.ts`, also holds what the
 * backend delivers and records calls made before the engine).
 */
import { CommsError, ErrorCodes } from './errors.js';
import type { CommsEventMap } from './events.js';
import type { FeatureContext } from './feature.js';

/** The events a feature reports its failures with (`presence:error`, …): `{error}` and no more. */
export type FeatureErrorEvent = {
  [K in keyof CommsEventMap]: {
    error: CommsEventMap[K] extends { error: infer E } ? E : never;
  } extends CommsEventMap[K]
    ? K
    : never;
}[keyof CommsEventMap];

/** A chunk, fetched once per page (every client of the page shares it). */
export class Chunk<M> {
  /** The module, once its chunk has loaded. */
  loaded: M | undefined;
  readonly #what: string;
  readonly #fetch: () => Promise<M>;

  constructor(what: string, fetch: () => Promise<M>) {
    this.#what = what;
    this.#fetch = fetch;
  }

  /**
   * The module: at once when here, else once fetched. A chunk that cannot be fetched rejects
   * with `network:error`; the next call fetches it again.
   */
  load(): Promise<M> {
    if (this.loaded) return Promise.resolve(this.loaded);
    return this.#fetch().then(
      (module) => (this.loaded = module),
      (cause: unknown) => {
        throw new CommsError(
          ErrorCodes.NETWORK_ERROR,
          `the ${this.#what} could not be loaded: ${(cause as Error)?.message ?? String(cause)}`,
          { cause },
        );
      },
    );
  }
}

/** One client's manager of a feature whose code is `chunk`: created when the chunk is here. */
export class LazyFeature<M, T> {
  protected readonly ctx: FeatureContext;
  readonly #chunk: Chunk<M>;
  readonly #create: (module: M) => T;
  readonly #errorEvent: FeatureErrorEvent | undefined;
  #instance: T | undefined;
  #loading: Promise<T> | undefined;
  /** What waits for the manager, in order. */
  readonly #held: Array<(instance: T) => void> = [];
  #disposed = false;

  /**
   * `create` makes this client's manager from the loaded module; `errorEvent` is the event its
   * failures are reported with (see {@link errorEvent}).
   */
  constructor(
    ctx: FeatureContext,
    chunk: Chunk<M>,
    create: (module: M) => T,
    errorEvent?: FeatureErrorEvent,
  ) {
    this.ctx = ctx;
    this.#chunk = chunk;
    this.#create = create;
    this.#errorEvent = errorEvent;
  }

  /** Runs once the manager exists and has taken what was held for it. */
  protected started(_instance: T): void {}

  /** The manager: created at once when the chunk is here (another client of the page loaded it). */
  get current(): T | undefined {
    const module = this.#chunk.loaded;
    if (!this.#instance && module && !this.#disposed) {
      const instance = (this.#instance = this.#create(module));
      for (const use of this.#held.splice(0)) use(instance);
      this.started(instance);
    }
    return this.#instance;
  }

  /** The manager if it was created (never creates it). */
  protected get created(): T | undefined {
    return this.#instance;
  }

  /** The manager, loaded if needed. Rejects with `network:error` when its chunk cannot be fetched. */
  load(): Promise<T> {
    const instance = this.current;
    if (instance) return Promise.resolve(instance);
    return (this.#loading ??= this.#chunk.load().then(
      () => {
        this.#loading = undefined;
        const created = this.current;
        if (!created)
          throw new CommsError(ErrorCodes.CLIENT_DESTROYED, 'the client was destroyed meanwhile');
        return created;
      },
      (error: unknown) => {
        this.#loading = undefined;
        throw error;
      },
    ));
  }

  /**
   * The event `method`'s failures are reported with (the manager emits it for its own), also
   * emitted when the manager cannot be loaded for it: the one given to the constructor, if any.
   */
  protected errorEvent(_method: string): FeatureErrorEvent | undefined {
    return this.#errorEvent;
  }

  /**
   * Runs `use` (for `method`) on the manager: at once when it is here, else once it has loaded.
   * When it cannot be loaded, the promise rejects with `network:error`, reported as the
   * manager's own failures are ({@link errorEvent}).
   */
  run<R>(use: (instance: T) => Promise<R>, method = ''): Promise<R> {
    const instance = this.current;
    return instance
      ? use(instance)
      : this.load().then(use, (error: CommsError) => {
          const event = this.errorEvent(method);
          if (event && !this.#disposed) this.ctx.emit(event, { error: error.toJSON() });
          throw error;
        });
  }

  /**
   * The manager's methods `names`, each run on it at once when it is here (so they check, throw
   * and emit as its own methods do), else once it has loaded: for methods that return a promise.
   */
  later<K extends keyof T & string>(names: readonly K[]): Pick<T, K> {
    return Object.fromEntries(
      names.map((name) => [
        name,
        (...args: unknown[]) =>
          this.run((m) => (m[name] as (...a: unknown[]) => Promise<unknown>).apply(m, args), name),
      ]),
    ) as Pick<T, K>;
  }

  /**
   * Hands `use` the manager at once when it is here; otherwise holds it (in order with what
   * else was held) and starts loading the manager. A chunk that cannot be fetched is logged;
   * what was held waits for the next load.
   */
  hold(use: (instance: T) => void): void {
    const instance = this.current;
    if (instance) return use(instance);
    this.#held.push(use);
    void this.prefetch();
  }

  /**
   * Loads the manager; resolves once it is here, or once its chunk could not be fetched, which
   * is logged (what needs it tries again).
   */
  prefetch(): Promise<void> {
    return this.load().then(
      () => undefined,
      (error: unknown) => {
        if (!this.#disposed)
          this.ctx.log.warn('could not be loaded; the next use tries again', error);
      },
    );
  }

  /**
   * The signed-in user left or changed: the manager (what it caches, watches or holds to send)
   * and what was held for it are dropped; the next use makes a new one.
   */
  reset(): void {
    (this.#instance as { dispose?(): void } | undefined)?.dispose?.();
    this.#instance = undefined;
    this.#held.length = 0;
  }

  /** The client is going: a chunk that arrives later creates nothing. */
  dispose(): void {
    this.#disposed = true;
  }
}
