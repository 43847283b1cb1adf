import { html, nothing, type PropertyValues } from 'lit';
import type { CallObject } from '../../core/call/types.js';
import { states } from '../../core/call/states.js';
import { CommsElement } from '../shared/comms-element.js';
import { StoreController } from '../shared/store-controller.js';
import { LocalizeController, type MessageKey } from '../shared/i18n.js';
import {
  connectionView,
  renderConnectionNotice,
  sameConnectionView,
} from '../shared/connection.js';
import { CommsDialEvent, CommsDtmfEvent, type RequestOutcome } from '../shared/events.js';
import { Keypad, keypadStyles } from '../shared/keypad.js';
import { icon } from '../shared/icons.js';
import { tokens } from '../shared/tokens.js';
import { describeError } from '../shared/errors.js';
import { checkDestination, cleanPasted, cleanTyped } from './destination.js';
import { Announcer } from '../shared/announcer.js';
import { FeedLoader } from '../shared/feed-loader.js';
import { historyFeed, recentCall, recentCalls, sameRecent, type RecentCall } from './recent.js';
import { styles } from './dialer.styles.js';

/** How a recent call that was not answered ended, in words (answered ones say nothing more). */
const RECENT_OUTCOMES: Partial<Record<RecentCall['result'], MessageKey>> = {
  rejected: 'recent.declined',
  forwarded: 'recent.forwarded',
  busy: 'recent.busy',
  noAnswer: 'recent.noAnswer',
  unavailable: 'recent.unavailable',
  cancelled: 'recent.cancelled',
  failed: 'recent.failed',
};

/** The call the keypad sends tones to: connected, and held by neither side. */
function dtmfTarget(calls: Record<string, CallObject> | undefined): CallObject | undefined {
  return Object.values(calls ?? {}).find(
    (c) => c.state === states.CONNECTED && !c.localHold && !c.remoteHold,
  );
}

/**
 * A dialer: a destination field that takes a user name, an E.164 number or a SIP URI and
 * says as you type why a value cannot be called; a phone keypad (hold 0 or type `+` for `+`);
 * audio and video call buttons. While a call is connected, the keypad sends DTMF tones to it.
 * Recent calls (the core's call history, fetched when the client is connected; the gateway
 * pushes each later call's record) are listed newest first, missed incoming calls marked, each
 * with a button that calls back. A call missed from now on is announced ("Missed call from
 * Ada"), also one missed while busy in another call.
 *
 * @tag comms-dialer
 * @event comms-dial - Request: call `detail.destination` (normalized), `detail.video` true for a video call. Cancelable; carried out as `client.call.make`.
 * @event comms-dtmf - Request: send `detail.tone` on call `detail.callId`. Cancelable; carried out as `client.call.sendDTMF`.
 * @csspart announcer - The visually hidden live regions (missed calls).
 * @csspart form - The form around everything.
 * @csspart label - The destination field's label.
 * @csspart input - The destination field.
 * @csspart backspace - The button that deletes the last character.
 * @csspart hint - What the value will call, or why it cannot be called.
 * @csspart connection - The connection notice (offline, reconnecting).
 * @csspart keypad - The keypad (a group of buttons).
 * @csspart key - Each keypad button.
 * @csspart dtmf - The tones sent to the connected call.
 * @csspart actions - The row of call buttons.
 * @csspart call-button - The audio call button.
 * @csspart video-call-button - The video call button.
 * @csspart error - Why the last call could not start.
 * @csspart recent - The recent calls list (when there is call history).
 * @csspart recent-call - One recent call (a list item; `data-missed` on missed incoming calls).
 * @csspart redial - The button that calls a recent call back.
 * @csspart missed - The "Missed" mark of a missed incoming call.
 * @cssproperty --comms-dialer-width - The dialer's maximum width (default 22rem).
 * @cssproperty --comms-keypad-key-size - The keypad buttons' height (default 3.25rem).
 */
export class CommsDialer extends CommsElement {
  static override styles = [tokens, keypadStyles, styles];

  static override properties = {
    value: { type: String },
    noVideo: { type: Boolean, attribute: 'no-video', reflect: true },
    noKeypad: { type: Boolean, attribute: 'no-keypad', reflect: true },
    /** @private */
    _error: { state: true, attribute: false },
    /** @private */
    _tones: { state: true, attribute: false },
    /** @private */
    _busy: { state: true, attribute: false },
  };

  /** The destination as typed (the initial value can be set with the attribute). */
  declare value: string;

  /** Hides the video call button. */
  declare noVideo: boolean;

  /** Hides the keypad (the field and the call buttons remain). */
  declare noKeypad: boolean;

  /** @internal */
  declare _error: string | undefined;
  /** @internal */
  declare _tones: { callId: string; tones: string } | undefined;
  /** @internal */
  declare _busy: boolean;

  readonly #l10n = new LocalizeController(this);
  readonly #calls = new StoreController(this, (s) => s.call.calls);
  readonly #connection = new StoreController(this, connectionView, sameConnectionView);
  readonly #recent = new StoreController(this, (s) => recentCalls(s, 5), sameRecent);
  readonly #keypad = new Keypad((key) => this.#press(key));
  readonly #announcer = new Announcer(this);

  constructor() {
    super();
    // Keeps the call history behind the recent calls loaded, and tells of calls missed since.
    new FeedLoader(this, historyFeed, (records) => {
      const state = this.activeClient?.store.getState();
      if (!state) return;
      for (const record of records) {
        const call = recentCall(state, record);
        if (call.missed)
          this.#announcer.announce(this.#l10n.t('recent.missedFrom', { name: call.name }));
      }
    });
    this.value = '';
    this.noVideo = false;
    this.noKeypad = false;
    this._busy = false;
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#keypad.cancel();
  }

  /** What was announced was about the user who left. */
  protected override forgetUser(): void {
    this.#announcer.clear();
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('value')) this._error = undefined;
    const target = dtmfTarget(this.#calls.value);
    if (this._tones && this._tones.callId !== target?.id) this._tones = undefined;
  }

  get #input(): HTMLInputElement | null {
    return this.renderRoot.querySelector('input');
  }

  #onInput(event: InputEvent): void {
    const input = event.target as HTMLInputElement;
    const cleaned = cleanTyped(input.value);
    if (cleaned !== input.value) input.value = cleaned;
    this.value = cleaned;
  }

  #onPaste(event: ClipboardEvent): void {
    const text = event.clipboardData?.getData('text/plain');
    if (text === undefined) return;
    event.preventDefault();
    const input = event.target as HTMLInputElement;
    input.setRangeText(
      cleanPasted(text),
      input.selectionStart ?? input.value.length,
      input.selectionEnd ?? input.value.length,
      'end',
    );
    this.value = cleanTyped(input.value);
  }

  #onSubmit(event: SubmitEvent): void {
    event.preventDefault();
    void this.dial(false);
  }

  #press(key: string): void {
    const target = dtmfTarget(this.#calls.value);
    if (target && key !== '+') {
      void this.#sendTone(target, key);
      return;
    }
    this.value = (this.value ?? '') + key;
  }

  async #sendTone(call: CallObject, tone: string): Promise<void> {
    const previous = this._tones?.callId === call.id ? this._tones.tones : '';
    this._tones = { callId: call.id, tones: previous + tone };
    const outcome = await this.request(new CommsDtmfEvent({ callId: call.id, tone }));
    this.#showFailure(outcome);
  }

  #backspace(): void {
    this.value = (this.value ?? '').slice(0, -1);
    this.#input?.focus();
  }

  #showFailure(outcome: RequestOutcome<unknown>): void {
    this._error =
      outcome.status === 'failed' ? describeError(outcome.error, this.#l10n) : undefined;
  }

  /**
   * Calls the destination typed (as the call buttons do): dispatches `comms-dial` and, unless
   * it is prevented, starts the call. Resolves with the call id, or `undefined` when the value
   * is not a destination, the connection is down, the page prevented it or the call failed.
   */
  async dial(video = false): Promise<string | undefined> {
    const check = checkDestination(this.value ?? '');
    if (check.state !== 'valid' || this.#connection.value?.reason || this._busy) return undefined;
    this._busy = true;
    try {
      const outcome = await this.request(
        new CommsDialEvent({ destination: check.destination, video }),
      );
      this.#showFailure(outcome);
      return outcome.status === 'done' ? outcome.value : undefined;
    } finally {
      this._busy = false;
    }
  }

  /** "Outgoing", "Incoming", or with how an unanswered call ended ("Outgoing · declined"). */
  #direction(r: RecentCall): string {
    const t = this.#l10n.t.bind(this.#l10n);
    const direction = t(r.direction === 'incoming' ? 'recent.incoming' : 'recent.outgoing');
    const outcome = RECENT_OUTCOMES[r.result];
    return outcome ? t('recent.outcome', { direction, outcome: t(outcome) }) : direction;
  }

  #renderRecent(recent: RecentCall[] | undefined) {
    if (!recent?.length) return nothing;
    const t = this.#l10n.t.bind(this.#l10n);
    return html`<section part="recent" aria-label=${t('dialer.recent')}>
      <h3>${t('dialer.recent')}</h3>
      <ul>
        ${recent.map(
          (r) =>
            html`<li part="recent-call" data-missed=${r.missed ? 'true' : nothing}>
              <button
                type="button"
                part="redial"
                aria-label=${t('dialer.redial', { name: r.name })}
                @click=${() => {
                  this.value = r.destination;
                  void this.dial(false);
                }}
              >
                ${icon('call')}<span>${r.name}</span>
              </button>
              <span class="direction">
                ${
                  r.missed
                    ? html`<span part="missed" class="missed">${t('recent.missed')}</span>`
                    : this.#direction(r)
                }
              </span>
            </li>`,
        )}
      </ul>
    </section>`;
  }

  protected override render() {
    const t = this.#l10n.t.bind(this.#l10n);
    const check = checkDestination(this.value ?? '');
    const connection = this.#connection.value;
    const blocked = connection?.reason ?? null;
    const target = dtmfTarget(this.#calls.value);
    const cannotCall = check.state !== 'valid' || !!blocked || this._busy;
    const describedBy = blocked ? 'connection-reason' : 'hint';
    const hint: { key: MessageKey; params?: Record<string, string> } | undefined =
      check.state === 'invalid'
        ? { key: check.reason }
        : check.state === 'valid'
          ? { key: 'dialer.willCall', params: { destination: check.destination } }
          : undefined;
    const destination = check.state === 'valid' ? check.destination : '';
    return html`${this.#announcer.render()}
      <form part="form" class="panel" aria-label=${t('dialer.label')} @submit=${this.#onSubmit}>
        <label part="label" for="destination">${t('dialer.destination')}</label>
        <div class="field">
          <input
            id="destination"
            part="input"
            type="text"
            autocomplete="off"
            autocapitalize="off"
            spellcheck="false"
            enterkeyhint="go"
            placeholder=${t('dialer.placeholder')}
            aria-describedby="hint"
            aria-invalid=${check.state === 'invalid' ? 'true' : 'false'}
            .value=${this.value ?? ''}
            @input=${this.#onInput}
            @paste=${this.#onPaste}
          />
          <button
            type="button"
            part="backspace"
            aria-label=${t('dialer.clear')}
            ?disabled=${!this.value}
            @click=${this.#backspace}
          >
            ${icon('backspace')}
          </button>
        </div>
        <p
          id="hint"
          part="hint"
          class=${check.state === 'invalid' ? 'error' : 'hint'}
          data-state=${check.state}
        >
          ${hint ? t(hint.key, hint.params) : ''}
        </p>
        ${renderConnectionNotice(connection, this.#l10n)}
        ${
          target
            ? html`<p part="dtmf" class="hint">
                <span
                  >${t('keypad.dtmfLabel', { name: target.remoteParticipant.displayName })}</span
                >
                ${
                  this._tones
                    ? html`<span class="tones"
                        >${t('keypad.tonesSent', { tones: this._tones.tones })}</span
                      >`
                    : nothing
                }
              </p>`
            : nothing
        }
        ${
          this.noKeypad
            ? nothing
            : this.#keypad.render({
                label: target
                  ? t('keypad.dtmfLabel', { name: target.remoteParticipant.displayName })
                  : t('keypad.label'),
                l10n: this.#l10n,
                plus: !target,
              })
        }
        <div class="actions" part="actions">
          <button
            type="submit"
            class="success"
            part="call-button"
            aria-disabled=${cannotCall ? 'true' : 'false'}
            aria-label=${destination ? t('dialer.audioCallTo', { destination }) : t('dialer.audioCall')}
            aria-describedby=${describedBy}
          >
            ${icon('call')}<span>${t('dialer.audioCall')}</span>
          </button>
          ${
            this.noVideo
              ? nothing
              : html`<button
                  type="button"
                  part="video-call-button"
                  aria-disabled=${cannotCall ? 'true' : 'false'}
                  aria-label=${
                    destination ? t('dialer.videoCallTo', { destination }) : t('dialer.videoCall')
                  }
                  aria-describedby=${describedBy}
                  @click=${() => void this.dial(true)}
                >
                  ${icon('video')}<span>${t('dialer.videoCall')}</span>
                </button>`
          }
        </div>
        <p part="error" class="error" role="alert">${this._error ?? ''}</p>
        ${this.#renderRecent(this.#recent.value)}
      </form>`;
  }
}
