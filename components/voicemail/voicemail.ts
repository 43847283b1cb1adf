import { html, nothing } from 'lit';
import type { BasicError } from '../../core/errors.js';
import type { Voicemail } from '../../core/voicemail/types.js';
import { CommsElement } from '../shared/comms-element.js';
import { StoreController } from '../shared/store-controller.js';
import { FeedLoader, type Feed } from '../shared/feed-loader.js';
import { LocalizeController } from '../shared/i18n.js';
import { Announcer } from '../shared/announcer.js';
import { describeError } from '../shared/errors.js';
import {
  CommsCallRequestEvent,
  CommsVoicemailHeardEvent,
  type CommsRequestEvent,
  CommsVoicemailRemoveEvent,
  type RequestOutcome,
} from '../shared/events.js';
import { icon } from '../shared/icons.js';
import { tokens } from '../shared/tokens.js';
import { formatDuration } from '../shared/time.js';
import { styles } from './voicemail.styles.js';

/** The mailbox, read once (unless the client holds it), for a {@link FeedLoader}. */
const voicemailFeed: Feed<Voicemail> = {
  read: (client) => (client.voicemail.get().lastUpdated ? null : client.voicemail.fetch()),
  items: (state) => state.voicemail.voicemails,
};

/** Who left a voicemail, in words. */
const nameOf = (v: Voicemail) => v.from.displayName || v.from.id;

/**
 * The signed-in user's voicemail inbox: the mailbox (`client.voicemail`), newest first, each
 * with who left it, when, how long, and whether it was heard; play it (which marks it heard),
 * call back, or delete it (after a confirmation). The mailbox is read once the client is
 * connected for a user; voicemails left later arrive by themselves (the gateway pushes them)
 * and are announced ("New voicemail from Ada"), as is a deletion. On a backend without
 * voicemail (the in-page hub) it says so.
 *
 * @tag comms-voicemail
 * @event comms-voicemail-heard - Request: mark `detail.voicemailId` heard (when it is played). Cancelable; carried out as `client.voicemail.markHeard`.
 * @event comms-voicemail-remove - Request: delete `detail.voicemailId`. Cancelable; carried out as `client.voicemail.remove`.
 * @event comms-call-request - Request: call the one who left a voicemail back (`detail.destination`). Cancelable; carried out as `client.call.make`.
 * @csspart announcer - The visually hidden live regions.
 * @csspart base - The section around everything.
 * @csspart heading - The title, with the count of new voicemails.
 * @csspart empty - The text shown when the mailbox is empty (or voicemail is not available).
 * @csspart list - The list of voicemails.
 * @csspart voicemail - One voicemail (a list item; `data-unheard` until heard).
 * @csspart name - Who left it.
 * @csspart details - When, and how long.
 * @csspart new - The "New" mark of a voicemail not heard.
 * @csspart play-button - Plays (or stops) it.
 * @csspart call-button - Calls its sender back.
 * @csspart delete-button - Asks to delete it.
 * @csspart confirm - The deletion question and its buttons.
 * @csspart confirm-button - Deletes it.
 * @csspart cancel-button - Keeps it.
 * @csspart player - The audio player of the voicemail playing.
 * @csspart error - Why the last action failed.
 * @cssproperty --comms-voicemail-width - The element's maximum width (default 28rem).
 */
export class CommsVoicemail extends CommsElement {
  static override styles = [tokens, styles];

  static override properties = {
    /** @private */
    _playing: { state: true, attribute: false },
    /** @private */
    _confirming: { state: true, attribute: false },
    /** @private */
    _error: { state: true, attribute: false },
    /** @private */
    _unavailable: { state: true, attribute: false },
  };

  /** @internal The voicemail playing, and its recording's object URL. */
  declare _playing: { id: string; url: string } | undefined;
  /** @internal The voicemail whose deletion is being confirmed. */
  declare _confirming: string | undefined;
  /** @internal */
  declare _error: string | undefined;
  /** @internal The backend has no voicemail. */
  declare _unavailable: boolean;

  readonly #l10n = new LocalizeController(this);
  readonly #announcer = new Announcer(this);
  readonly #mailbox = new StoreController(this, (s) => s.voicemail.voicemails);
  #focusAfterRender: string | undefined;
  /** Counts the plays asked for and the stops, so that a late recording is dropped. */
  #asked = 0;
  #dateFormat: { key: string; format: Intl.DateTimeFormat } | undefined;

  constructor() {
    super();
    // Reads the mailbox, and tells of the voicemails left after.
    new FeedLoader(
      this,
      voicemailFeed,
      (arrived) => {
        for (const v of arrived)
          this.#announcer.announce(this.#l10n.t('inbox.arrived', { name: nameOf(v) }));
      },
      (error) => {
        if (error.code === 'voicemail:notSupported') this._unavailable = true;
        else this._error = describeError(error, this.#l10n);
      },
    );
    this._unavailable = false;
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#stop();
  }

  protected override forgetUser(): void {
    this.#stop();
    this.#announcer.clear();
    this._confirming = undefined;
    this._error = undefined;
    this._unavailable = false;
  }

  protected override willUpdate(): void {
    const ids = new Set((this.#mailbox.value ?? []).map((v) => v.id));
    if (this._playing && !ids.has(this._playing.id)) this.#stop();
    if (this._confirming && !ids.has(this._confirming)) this._confirming = undefined;
  }

  protected override updated(): void {
    const selector = this.#focusAfterRender;
    this.#focusAfterRender = undefined;
    if (selector) this.renderRoot.querySelector<HTMLElement>(selector)?.focus();
  }

  async #act<R>(event: CommsRequestEvent<unknown, R>): Promise<RequestOutcome<R>> {
    const outcome = await this.request(event);
    this._error =
      outcome.status === 'failed' ? describeError(outcome.error, this.#l10n) : undefined;
    return outcome;
  }

  /** Stops what plays and lets its recording go. */
  #stop(): void {
    this.#asked++;
    const playing = this._playing;
    if (!playing) return;
    this._playing = undefined;
    URL.revokeObjectURL(playing.url);
  }

  async #play(v: Voicemail): Promise<void> {
    const client = this.activeClient;
    if (!client) return;
    if (this._playing?.id === v.id) {
      this.#stop();
      return;
    }
    this.#stop();
    // Only the last one asked for plays (another click, or the user leaving, wins).
    const asked = ++this.#asked;
    let audio: Blob;
    try {
      audio = await client.voicemail.getAudio(v.id);
    } catch (error) {
      if (asked === this.#asked) this._error = describeError(error as BasicError, this.#l10n);
      return;
    }
    if (asked !== this.#asked || !this.isConnected) return;
    this._error = undefined;
    this._playing = { id: v.id, url: URL.createObjectURL(audio) };
    await this.updateComplete;
    void this.renderRoot
      .querySelector<HTMLAudioElement>('audio')
      ?.play()
      .catch(() => undefined);
    if (v.heardAt === null) void this.#act(new CommsVoicemailHeardEvent({ voicemailId: v.id }));
  }

  #askDelete(v: Voicemail): void {
    this._confirming = v.id;
    this.#focusAfterRender = '[part~="cancel-button"]';
  }

  #keep(v: Voicemail): void {
    this._confirming = undefined;
    this.#focusAfterRender = `[data-id="${CSS.escape(v.id)}"] [part~="delete-button"]`;
  }

  async #delete(v: Voicemail, neighbour: Voicemail | undefined): Promise<void> {
    const outcome = await this.#act(new CommsVoicemailRemoveEvent({ voicemailId: v.id }));
    this._confirming = undefined;
    if (outcome.status !== 'done') return;
    this.#announcer.announce(this.#l10n.t('inbox.deleted', { name: nameOf(v) }));
    this.#focusAfterRender = neighbour
      ? `[data-id="${CSS.escape(neighbour.id)}"] [part~="play-button"]`
      : '[part~="heading"]';
  }

  /** When a voicemail was left: the time alone today, else the date and the time. */
  #when(ms: number): string {
    const lang = this.#l10n.lang;
    const today = new Date(ms).toDateString() === new Date().toDateString();
    const key = `${lang} ${today}`;
    if (this.#dateFormat?.key !== key)
      this.#dateFormat = {
        key,
        format: new Intl.DateTimeFormat(
          lang,
          today ? { timeStyle: 'short' } : { dateStyle: 'medium', timeStyle: 'short' },
        ),
      };
    return this.#dateFormat.format.format(ms);
  }

  #renderItem(v: Voicemail, neighbour: Voicemail | undefined) {
    const t = this.#l10n.t.bind(this.#l10n);
    const name = nameOf(v);
    const playing = this._playing?.id === v.id;
    const details = t('inbox.details', {
      when: this.#when(v.createdAt),
      duration: formatDuration(v.durationMs),
    });
    return html`<li
      part="voicemail"
      data-id=${v.id}
      data-unheard=${v.heardAt === null ? 'true' : nothing}
      aria-label=${t('inbox.from', { name })}
    >
      <span class="who">
        <span part="name" class="name">${name}</span>
        <span part="details" class="details">${details}</span>
      </span>
      ${v.heardAt === null ? html`<span part="new" class="new">${t('inbox.new')}</span>` : nothing}
      ${
        this._confirming === v.id
          ? html`<span
              part="confirm"
              class="confirm"
              role="group"
              aria-labelledby="confirm-text"
              @keydown=${(event: KeyboardEvent) => {
                if (event.key !== 'Escape') return;
                event.preventDefault();
                this.#keep(v);
              }}
            >
              <span id="confirm-text">${t('inbox.confirm')}</span>
              <button
                type="button"
                part="confirm-button"
                class="danger"
                aria-label=${t('inbox.delete', { name })}
                @click=${() => void this.#delete(v, neighbour)}
              >
                ${t('inbox.confirmDelete')}
              </button>
              <button type="button" part="cancel-button" @click=${() => this.#keep(v)}>
                ${t('inbox.keep')}
              </button>
            </span>`
          : html`<span class="actions">
              <button
                type="button"
                part="play-button"
                aria-label=${t(playing ? 'inbox.stop' : 'inbox.play', { name })}
                aria-pressed=${playing ? 'true' : 'false'}
                @click=${() => void this.#play(v)}
              >
                ${icon(playing ? 'pause' : 'play')}
              </button>
              <button
                type="button"
                part="call-button"
                aria-label=${t('inbox.callBack', { name })}
                @click=${() =>
                  void this.#act(
                    new CommsCallRequestEvent({ destination: v.from.id, video: false }),
                  )}
              >
                ${icon('call')}
              </button>
              <button
                type="button"
                part="delete-button"
                aria-label=${t('inbox.delete', { name })}
                @click=${() => this.#askDelete(v)}
              >
                ${icon('delete')}
              </button>
            </span>`
      }
      ${
        playing
          ? html`<audio
              part="player"
              controls
              src=${this._playing!.url}
              aria-label=${t('inbox.from', { name })}
              @ended=${() => this.#stop()}
            ></audio>`
          : nothing
      }
    </li>`;
  }

  protected override render() {
    const t = this.#l10n.t.bind(this.#l10n);
    const voicemails = this.#mailbox.value ?? [];
    const unheard = voicemails.filter((v) => v.heardAt === null).length;
    return html`${this.#announcer.render()}
      <section part="base" class="panel" aria-labelledby="heading">
        <h3 id="heading" part="heading" tabindex="-1">
          ${t('inbox.title')}
          ${unheard ? html`<span class="count">${t('inbox.unheard', { count: unheard })}</span>` : nothing}
        </h3>
        ${
          voicemails.length
            ? html`<ul part="list">
                ${voicemails.map((v, i) => this.#renderItem(v, voicemails[i + 1] ?? voicemails[i - 1]))}
              </ul>`
            : html`<p part="empty" class="hint">
                ${t(this._unavailable ? 'inbox.unavailable' : 'inbox.empty')}
              </p>`
        }
        <p part="error" class="error" role="alert">${this._error ?? ''}</p>
      </section>`;
  }
}
