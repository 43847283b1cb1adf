/**
 * One immutable state tree for the whole client; each feature owns a slice. Readers either
 * read `getState()` or `select()` a slice: they receive the current value first, then every
 * change of that slice (compared with `Object.is` unless told otherwise).
 */

/** Receives the new state and the one it replaced. */
export type StoreListener<S> = (state: S, previous: S) => void;

/** The read side of a store, as exposed on the client. */
export interface ReadableStore<S> {
  /** The current state. Never mutate it. */
  getState(): S;
  /** Calls `listener` after every change. Returns the function that stops it. */
  subscribe(listener: StoreListener<S>): () => void;
  /**
   * Calls `listener` with `selector(state)` now, then whenever that value changes.
   * Returns the function that stops it.
   */
  select<T>(
    selector: (state: S) => T,
    listener: (value: T, previous: T | undefined) => void,
    equals?: (a: T, b: T) => boolean,
  ): () => void;
}

/** A store: the read side plus `update`, which only the client's own features call. */
export class Store<S> implements ReadableStore<S> {
  #state: S;
  readonly #listeners = new Set<StoreListener<S>>();
  /** Listeners are being told of a change (an update meanwhile is told after them). */
  #notifying = false;

  constructor(initial: S) {
    this.#state = initial;
  }

  getState(): S {
    return this.#state;
  }

  /**
   * Replaces the state with `recipe(state)`; listeners run only when it really changed. A
   * listener that updates the state again does not interrupt the others: each is told of this
   * change, then all of them of the next, in order, so none is left with a stale state.
   */
  update(recipe: (state: S) => S): void {
    const previous = this.#state;
    const next = recipe(previous);
    if (Object.is(next, previous)) return;
    this.#state = next;
    if (this.#notifying) return; // the round under way goes on to this state when it ends
    this.#notifying = true;
    try {
      for (let told = previous; told !== this.#state;) {
        const state = this.#state;
        for (const listener of [...this.#listeners]) listener(state, told);
        told = state;
      }
    } finally {
      this.#notifying = false;
    }
  }

  subscribe(listener: StoreListener<S>): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  select<T>(
    selector: (state: S) => T,
    listener: (value: T, previous: T | undefined) => void,
    equals: (a: T, b: T) => boolean = Object.is,
  ): () => void {
    let current = selector(this.#state);
    listener(current, undefined);
    return this.subscribe((state) => {
      const next = selector(state);
      if (equals(next, current)) return;
      const previous = current;
      current = next;
      listener(next, previous);
    });
  }

  /** Drops every listener (used by `destroy()`). */
  clear(): void {
    this.#listeners.clear();
  }
}
