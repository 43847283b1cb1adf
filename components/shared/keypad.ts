import { css, html, nothing } from 'lit';
import type { LocalizeController } from './i18n.js';

/** The twelve keys, with the letters printed under the digits. */
export const KEYS: ReadonlyArray<readonly [key: string, letters: string]> = [
  ['1', ''],
  ['2', 'ABC'],
  ['3', 'DEF'],
  ['4', 'GHI'],
  ['5', 'JKL'],
  ['6', 'MNO'],
  ['7', 'PQRS'],
  ['8', 'TUV'],
  ['9', 'WXYZ'],
  ['*', ''],
  ['0', '+'],
  ['#', ''],
];

/** How long 0 must be held to give `+` (ms). */
export const LONG_PRESS_MS = 600;

/**
 * A phone keypad (the dialer's and the call view's): 0–9, * and #; typing those keys while
 * focus is on the keypad presses them; holding 0 (pointer) or typing `+` gives `+` when
 * `plus` is allowed. Each press calls `onKey`.
 */
export class Keypad {
  readonly #onKey: (key: string) => void;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #longPressed = false;

  constructor(onKey: (key: string) => void) {
    this.#onKey = onKey;
  }

  /** Stops a long press under way (call it when the host disconnects). */
  cancel(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #down(key: string, plus: boolean): void {
    this.#longPressed = false;
    if (key !== '0' || !plus) return;
    this.cancel();
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#longPressed = true;
      this.#onKey('+');
    }, LONG_PRESS_MS);
  }

  #click(key: string): void {
    this.cancel();
    if (this.#longPressed) {
      this.#longPressed = false;
      return;
    }
    this.#onKey(key);
  }

  #keydown(event: KeyboardEvent, plus: boolean): void {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (/^[0-9*#]$/.test(event.key) || (plus && event.key === '+')) {
      event.preventDefault();
      this.#onKey(event.key);
    }
  }

  /** The keypad: a labelled group of twelve buttons (`part="keypad"`, each `part="key"`). */
  render(options: { label: string; l10n: LocalizeController; plus: boolean; disabled?: boolean }) {
    const { label, l10n, plus, disabled = false } = options;
    const name = (key: string) =>
      key === '*' ? l10n.t('keypad.star') : key === '#' ? l10n.t('keypad.hash') : undefined;
    return html`<div
      class="keypad"
      part="keypad"
      role="group"
      aria-label=${label}
      @keydown=${(e: KeyboardEvent) => this.#keydown(e, plus)}
    >
      ${KEYS.map(
        ([key, letters]) =>
          html`<button
            type="button"
            part="key"
            data-key=${key}
            aria-label=${name(key) ?? nothing}
            ?disabled=${disabled}
            @pointerdown=${() => this.#down(key, plus)}
            @pointerleave=${() => this.cancel()}
            @click=${() => this.#click(key)}
          >
            <span class="digit">${key}</span>
            <span class="letters">${key === '0' && !plus ? '' : letters}</span>
            ${
              key === '0' && plus
                ? html`<span class="visually-hidden">(${l10n.t('keypad.zeroPlus')})</span>`
                : nothing
            }
          </button>`,
      )}
    </div>`;
  }
}

/** The keypad's styles (include them in the element's styles). */
export const keypadStyles = css`
  .keypad {
    display: grid;
    grid-template-columns: repeat(3, minmax(var(--_control), 1fr));
    gap: var(--_s2);
  }
  .keypad button {
    flex-direction: column;
    gap: 0;
    min-height: var(--comms-keypad-key-size, 3.25rem);
    padding: var(--_s1);
    border-radius: var(--_radius);
  }
  .keypad .digit {
    font-size: 1.25em;
    font-weight: 600;
    line-height: 1.1;
  }
  .keypad .letters {
    font-size: 0.6875em;
    letter-spacing: 0.08em;
    color: var(--_text-muted);
    min-height: 1em;
  }
`;
