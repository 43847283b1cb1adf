import { html, type ReactiveController, type ReactiveControllerHost } from 'lit';

/**
 * A live region for an element's announcements (incoming call, call state, mute): two
 * visually hidden regions rendered by `render()`, polite (`role="status"`) and assertive
 * (`role="alert"`). Announcements made in one task are joined; the same text announced again
 * is announced again. Render `announcer.render()` once, unconditionally, so the regions exist
 * before anything is announced.
 */
export class Announcer implements ReactiveController {
  /** The text of the polite region (the last announcement). */
  polite = '';
  /** The text of the assertive region. */
  assertive = '';

  readonly #host: ReactiveControllerHost;
  #pending: { polite: string[]; assertive: string[] } | undefined;
  #flip = false;

  constructor(host: ReactiveControllerHost) {
    this.#host = host;
    host.addController(this);
  }

  hostConnected(): void {}

  /** Announces `message` (assertively for what needs attention now, such as an incoming call). */
  announce(message: string, assertive = false): void {
    if (!message) return;
    if (!this.#pending) {
      this.#pending = { polite: [], assertive: [] };
      queueMicrotask(() => this.#commit());
    }
    this.#pending[assertive ? 'assertive' : 'polite'].push(message);
  }

  /** Empties both regions (what they said was about a user who left), and what was pending. */
  clear(): void {
    this.#pending = undefined;
    this.polite = '';
    this.assertive = '';
    this.#host.requestUpdate();
  }

  #commit(): void {
    const pending = this.#pending;
    this.#pending = undefined;
    if (!pending) return;
    // A trailing no-break space alternates so the same words count as a change.
    this.#flip = !this.#flip;
    const tail = this.#flip ? '' : '\u00a0';
    if (pending.polite.length) this.polite = pending.polite.join('. ') + tail;
    if (pending.assertive.length) this.assertive = pending.assertive.join('. ') + tail;
    this.#host.requestUpdate();
  }

  /** The two regions. */
  render() {
    return html`<div class="visually-hidden" part="announcer">
      <div role="status" aria-live="polite" aria-atomic="true">${this.polite}</div>
      <div role="alert" aria-live="assertive" aria-atomic="true">${this.assertive}</div>
    </div>`;
  }
}
