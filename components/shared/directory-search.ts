import type { ReactiveController } from 'lit';
import type { DirectoryUser } from '../../core/protocol/schema.js';
import type { ClientHost } from './store-controller.js';

/** How long a search waits after the last keystroke, ms. */
export const SEARCH_DELAY = 300;

/** What the host hears of a search: its answer, or why it failed (only the latest search's). */
export interface SearchListener {
  found(users: DirectoryUser[], query: string): void;
  failed(error: unknown): void;
}

/**
 * The directory search of an element (`client.user.search`), as the user types: `input()` on
 * each keystroke searches 300 ms after the last one, `now()` at once (Enter, a Search button).
 * Holds the query, the latest answer (`undefined` before any, or once the field is emptied)
 * and whether a search is under way; the host re-renders on each change. Only the latest
 * search's answer is kept and told: an earlier one that answers late is dropped.
 *
 * @example
 * #search = new DirectorySearch(this, { found: (users) => …, failed: (error) => … });
 * html`<input .value=${this.#search.query} @input=${(e) => this.#search.input(e.target.value)}>`
 */
export class DirectorySearch implements ReactiveController {
  /** What the user typed. */
  query = '';
  /** The latest answer; `undefined` before the first, after a failure or `reset()`. */
  results: DirectoryUser[] | undefined;
  /** Whether a search is waiting for its delay or for the gateway. */
  searching = false;

  readonly #host: ClientHost;
  readonly #listener: SearchListener;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #seq = 0;

  constructor(host: ClientHost, listener: SearchListener) {
    this.#host = host;
    this.#listener = listener;
    host.addController(this);
  }

  hostDisconnected(): void {
    clearTimeout(this.#timer);
    if (this.searching) this.#seq++;
    this.searching = false;
  }

  /** The field changed: searches for `value` once the user stops typing (none when empty). */
  input(value: string): void {
    this.query = value;
    clearTimeout(this.#timer);
    const seq = ++this.#seq;
    if (!value.trim()) {
      this.results = undefined;
      this.searching = false;
    } else {
      this.searching = true;
      this.#timer = setTimeout(() => void this.#search(value.trim(), seq), SEARCH_DELAY);
    }
    this.#host.requestUpdate();
  }

  /** Searches now, for `query` (by default what was typed); resolves with the answer. */
  now(query = this.query): Promise<DirectoryUser[]> {
    this.query = query;
    clearTimeout(this.#timer);
    return this.#search(query.trim(), ++this.#seq);
  }

  /** Forgets the query and the answer, and any search under way. */
  reset(): void {
    clearTimeout(this.#timer);
    this.#seq++;
    this.query = '';
    this.results = undefined;
    this.searching = false;
    this.#host.requestUpdate();
  }

  async #search(query: string, seq: number): Promise<DirectoryUser[]> {
    const client = this.#host.activeClient;
    if (!client || client.destroyed || !query) {
      this.searching = false;
      this.#host.requestUpdate();
      return [];
    }
    this.searching = true;
    this.#host.requestUpdate();
    try {
      const users = await client.user.search({ name: query });
      if (seq === this.#seq) {
        this.results = users;
        this.#listener.found(users, query);
      }
      return users;
    } catch (error) {
      if (seq === this.#seq) {
        this.results = undefined;
        this.#listener.failed(error);
      }
      return [];
    } finally {
      if (seq === this.#seq) {
        this.searching = false;
        this.#host.requestUpdate();
      }
    }
  }
}
