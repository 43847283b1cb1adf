import { html, nothing, type PropertyValues } from 'lit';
import type { CommsClient } from '../../core/client.js';
import { ErrorCodes } from '../../core/errors.js';
import type { DirectoryUser, Presence } from '../../core/protocol/schema.js';
import { CommsElement } from '../shared/comms-element.js';
import { StoreController } from '../shared/store-controller.js';
import { LocalizeController } from '../shared/i18n.js';
import { Announcer } from '../shared/announcer.js';
import {
  connectionView,
  renderConnectionNotice,
  sameConnectionView,
} from '../shared/connection.js';
import {
  CommsCallRequestEvent,
  CommsChatRequestEvent,
  CommsContactAddEvent,
  CommsContactRemoveEvent,
  CommsPresenceSetEvent,
  type CommsRequestEvent,
  type RequestOutcome,
} from '../shared/events.js';
import { describeError } from '../shared/errors.js';
import { icon } from '../shared/icons.js';
import { tokens } from '../shared/tokens.js';
import { DirectorySearch } from '../shared/directory-search.js';
import {
  CHOICES,
  choiceOf,
  presenceState,
  presenceText,
  rosterEntries,
  rosterSlice,
  sameRosterSlice,
  type Choice,
  type RosterEntry,
} from './roster.js';
import { styles } from './presence.styles.js';

/** The least time between two announcements of contacts' changes, ms. */
const ANNOUNCE_GAP = 5000;
/** How often contacts whose presence is not shared yet are asked again, ms. */
const RECHECK_INTERVAL = 60000;

/**
 * Contacts and presence: your own status (Available, Busy, Away, Out to lunch, On vacation,
 * Appear offline) and a free-text note; the roster of your contacts with their presence (a
 * coloured dot and words: available, busy, on the phone…) and note, online first, then by
 * name; per contact, audio call, video call, chat, and remove (after a confirmation); and a
 * directory search to add people. Contacts who come online or go away are announced politely
 * (at most one announcement every 5 seconds).
 *
 * With the gateway's default presence scope, a contact's presence shows once both of you
 * have each other as contacts; until then the roster says it is not shared.
 *
 * @tag comms-presence
 * @event comms-presence-set - Request: set your presence to `detail.status`, `detail.activity`, `detail.note`. Cancelable; carried out as `client.presence.update`.
 * @event comms-contact-add - Request: add `detail.primaryContact` (a user id, with `firstName`, `lastName`) to the address book. Cancelable; `client.contacts.add`.
 * @event comms-contact-remove - Request: remove contact `detail.contactId`. Cancelable; `client.contacts.remove`.
 * @event comms-call-request - Request: call `detail.destination` (`detail.video` for video). Cancelable; `client.call.make`.
 * @event comms-chat-request - Request: chat with `detail.destination`. Cancelable; `client.conversation.get`.
 * @csspart base - The element's box.
 * @csspart announcer - The visually hidden live regions.
 * @csspart connection - The connection notice (offline, reconnecting).
 * @csspart signed-out - The notice shown before sign-in.
 * @csspart self - Your status and note.
 * @csspart status-select - Your status.
 * @csspart note-input - Your note.
 * @csspart save-button - Saves the note.
 * @csspart roster - The list of contacts.
 * @csspart contact - One contact (a list item).
 * @csspart dot - A contact's presence dot (`data-state`: available, busy, away, on-the-phone, offline, hidden…).
 * @csspart name - A contact's name.
 * @csspart status - A contact's presence in words.
 * @csspart note - A contact's note.
 * @csspart actions - A contact's buttons.
 * @csspart call-button - Audio call.
 * @csspart video-button - Video call.
 * @csspart chat-button - Chat.
 * @csspart remove-button - Remove (asks first).
 * @csspart confirm - The removal question and its buttons.
 * @csspart confirm-button - Confirms the removal.
 * @csspart cancel-button - Keeps the contact.
 * @csspart empty - Shown when there are no contacts.
 * @csspart search - The directory search.
 * @csspart search-input - The search field.
 * @csspart search-status - Searching, how many were found, or none.
 * @csspart results - The people found.
 * @csspart result - One person found.
 * @csspart add-button - Adds a person found to the contacts.
 * @csspart error - Why the last action failed.
 * @cssproperty --comms-presence-width - The element's maximum width (default 28rem).
 * @cssproperty --comms-presence-available - The dot of an available contact (default: the success colour).
 * @cssproperty --comms-presence-busy - The dot of a busy or on-the-phone contact (default: the danger colour).
 * @cssproperty --comms-presence-away - The dot of an away contact (default #c77c02).
 * @cssproperty --comms-presence-offline - The dot of an offline contact (default: the muted text colour).
 */
export class CommsPresence extends CommsElement {
  static override styles = [tokens, styles];

  static override properties = {
    noSearch: { type: Boolean, attribute: 'no-search', reflect: true },
    noVideo: { type: Boolean, attribute: 'no-video', reflect: true },
    /** @private */
    _confirming: { state: true, attribute: false },
    /** @private */
    _active: { state: true, attribute: false },
    /** @private */
    _choice: { state: true, attribute: false },
    /** @private */
    _note: { state: true, attribute: false },
    /** @private */
    _loaded: { state: true, attribute: false },
    /** @private */
    _hidden: { state: true, attribute: false },
    /** @private */
    _error: { state: true, attribute: false },
  };

  /** Hides the directory search (the roster and your status remain). */
  declare noSearch: boolean;

  /** Hides the video call buttons. */
  declare noVideo: boolean;

  /** @internal */
  /** @internal */
  /** @internal */
  /** @internal */
  declare _confirming: string | undefined;
  /** @internal */
  declare _active: string | undefined;
  /** @internal */
  declare _choice: Choice | undefined;
  /** @internal */
  declare _note: string | undefined;
  /** @internal */
  declare _loaded: boolean;
  /** @internal */
  declare _hidden: ReadonlySet<string>;
  /** @internal */
  declare _error: string | undefined;

  readonly #l10n = new LocalizeController(this);
  readonly #announcer = new Announcer(this);
  readonly #roster = new StoreController(this, rosterSlice, sameRosterSlice);
  readonly #connection = new StoreController(this, connectionView, sameConnectionView);
  /** The client and connection the roster was last loaded for. */
  #syncedClient: CommsClient | undefined;
  /** The user the roster was last loaded for (another one signing in on the same client starts afresh). */
  #syncedUser: string | undefined;
  #wasOnline = false;
  /** Serialises the presence requests of one client. */
  #watching: Promise<void> = Promise.resolve();
  /** The contacts whose directory entry was asked for (once each). */
  #named = new Set<string>();
  /** The address book the element last watched the presence of. */
  #watchedContacts: unknown;
  /** The users this element subscribed to (it unsubscribes them when they leave the contacts). */
  #mine = new Set<string>();
  /** What each contact's presence was when last seen, to announce changes. */
  #seen = new Map<string, string>();
  #seenClient: CommsClient | undefined;
  #pendingChanges: string[] = [];
  #lastAnnounced = -Infinity;
  #announceTimer: ReturnType<typeof setTimeout> | undefined;
  readonly #search = new DirectorySearch(this, {
    found: (users, query) => {
      this._error = undefined;
      this.#announcer.announce(
        users.length
          ? this.#l10n.t('presence.results', { count: users.length })
          : this.#l10n.t('presence.noResults', { query }),
      );
    },
    failed: (error) => this.#fail(error),
  });
  #recheckTimer: ReturnType<typeof setInterval> | undefined;
  #focusAfterRender: string | undefined;

  constructor() {
    super();
    this.noSearch = false;
    this.noVideo = false;
    this._loaded = false;
    this._hidden = new Set();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    clearTimeout(this.#announceTimer);
    clearInterval(this.#recheckTimer);
    this.#recheckTimer = undefined;
    this.#syncedClient = undefined;
    this.#wasOnline = false;
  }

  protected override willUpdate(_changed: PropertyValues<this>): void {
    this.#unhideShared();
    this.#noticeChanges();
  }

  /** The presence each hidden contact had when it was found hidden (an old one, or none). */
  #hiddenPresence = new Map<string, Presence | undefined>();

  #setHidden(hidden: Set<string>): void {
    const presence = this.#roster.value?.presence ?? {};
    this.#hiddenPresence = new Map([...hidden].map((id) => [id, presence[id]]));
    this._hidden = hidden;
  }

  /**
   * A hidden contact whose presence arrives anew is shown: the server sends it once the two
   * have each other as contacts (it shares presence unasked), without waiting for the recheck.
   */
  #unhideShared(): void {
    const presence = this.#roster.value?.presence;
    if (!presence || !this._hidden.size) return;
    const shared = [...this._hidden].filter(
      (id) => presence[id] !== undefined && presence[id] !== this.#hiddenPresence.get(id),
    );
    if (!shared.length) return;
    for (const id of shared) this.#mine.add(id);
    this.#setHidden(new Set([...this._hidden].filter((id) => !shared.includes(id))));
  }

  protected override updated(): void {
    // After the render: the controllers follow a new client only during the update.
    const client = this.activeClient;
    const online = this.#connection.value?.status === 'online' && !!this.#roster.value?.me;
    const me = this.#roster.value?.me ?? null;
    const someoneElse = !!me && me !== this.#syncedUser;
    if (client !== this.#syncedClient || online !== this.#wasOnline || someoneElse) {
      if (client !== this.#syncedClient || someoneElse) this.#reset();
      this.#syncedClient = client;
      if (me) this.#syncedUser = me;
      this.#wasOnline = online;
      if (client && online) void this.#load(client);
      this.#setRecheck(!!client && online);
    } else if (client && online && this._loaded) {
      // The address book changed (here, on another device, or through the core): watch again.
      const contacts = this.#roster.value?.contacts;
      if (contacts !== this.#watchedContacts) void this.#watch(client);
    }
    const focus = this.#focusAfterRender;
    this.#focusAfterRender = undefined;
    if (focus) this.renderRoot.querySelector<HTMLElement>(focus)?.focus();
  }

  // ── loading and watching ───────────────────────────────────────────────────

  /** The search typed by a user who left (the rest goes when another signs in: `updated`). */
  protected override forgetUser(): void {
    this.#search.reset();
    this.#announcer.clear();
  }

  #reset(): void {
    this.#mine = new Set();
    this.#named = new Set();
    this.#watchedContacts = undefined;
    // Only what differs, so that a first client does not cost another update.
    if (this._loaded) this._loaded = false;
    if (this._hidden.size) this._hidden = new Set();
    if (this.#search.results) this.#search.reset();
    if (this._confirming) this._confirming = undefined;
    if (this._choice) this._choice = undefined;
    if (this._note !== undefined) this._note = undefined;
    if (this._error) this._error = undefined;
  }

  /** Loads the address book, then watches the contacts' presence (after every (re)connect). */
  async #load(client: CommsClient): Promise<void> {
    try {
      await client.contacts.refresh();
    } catch (error) {
      if (client === this.activeClient) this.#failLoad(error);
    }
    if (client !== this.activeClient) return;
    this._loaded = true;
    await this.#watch(client, true);
  }

  /**
   * Watches the presence of every contact this user may see: one `presence.fetch` of those not
   * watched yet (it leaves out who does not share), then `presence.subscribe` of the visible
   * ones. With `all`, everyone is asked again (after a reconnect); removed contacts are
   * unwatched.
   */
  #watch(client: CommsClient, all = false): Promise<void> {
    this.#watching = this.#watching.then(async () => {
      if (client !== this.activeClient || client.destroyed) return;
      const state = client.store.getState();
      this.#watchedContacts = state.contacts.byId;
      const me = rosterSlice(state).me;
      const contacts = [
        ...new Set(Object.values(state.contacts.byId).map((c) => c.primaryContact)),
      ];
      const watched = new Set(state.presence.subscribed);
      const wanted = contacts.filter((id) => all || !watched.has(id));
      const gone = [...this.#mine].filter((id) => !contacts.includes(id));
      try {
        if (gone.length) {
          await client.presence.unsubscribe(gone);
          for (const id of gone) this.#mine.delete(id);
        }
        const ask = [...new Set([...wanted, ...(all && me ? [me] : [])])];
        const visible = ask.length ? (await client.presence.fetch(ask)).map((p) => p.userId) : [];
        const shown = wanted.filter((id) => visible.includes(id));
        if (shown.length) await client.presence.subscribe(shown);
        for (const id of shown) this.#mine.add(id);
        const hidden = new Set([...this._hidden].filter((id) => contacts.includes(id)));
        for (const id of wanted) {
          if (visible.includes(id)) hidden.delete(id);
          else hidden.add(id);
        }
        if (hidden.size !== this._hidden.size || [...hidden].some((id) => !this._hidden.has(id)))
          this.#setHidden(hidden);
        // Names for contacts stored without one (added elsewhere, by id only).
        const users = client.store.getState().users.byId;
        for (const contact of Object.values(state.contacts.byId)) {
          const id = contact.primaryContact;
          if (!contact.firstName && !contact.lastName && !users[id] && !this.#named.has(id)) {
            this.#named.add(id);
            await client.user.fetch(id);
          }
        }
      } catch (error) {
        if (client === this.activeClient) this.#failLoad(error);
      }
    });
    return this.#watching;
  }

  /** While online, asks again every minute about contacts whose presence was not shared. */
  #setRecheck(on: boolean): void {
    clearInterval(this.#recheckTimer);
    this.#recheckTimer = undefined;
    if (!on) return;
    this.#recheckTimer = setInterval(() => {
      const client = this.activeClient;
      if (!client || client.destroyed || this._hidden.size === 0) return;
      void this.#recheck(client);
    }, RECHECK_INTERVAL);
  }

  async #recheck(client: CommsClient): Promise<void> {
    const hidden = [...this._hidden];
    if (!hidden.length) return;
    await this.#watching;
    try {
      const visible = (await client.presence.fetch(hidden)).map((p) => p.userId);
      const shown = hidden.filter((id) => visible.includes(id));
      if (shown.length) await client.presence.subscribe(shown);
      for (const id of shown) this.#mine.add(id);
      this.#setHidden(new Set(hidden.filter((id) => !visible.includes(id))));
    } catch {
      // Asked again at the next interval.
    }
  }

  // ── announcements ──────────────────────────────────────────────────────────

  /** Announces contacts coming online, going offline or changing activity (rate limited). */
  #noticeChanges(): void {
    const client = this.activeClient;
    const slice = this.#roster.value;
    if (client !== this.#seenClient) {
      this.#seenClient = client;
      this.#seen = new Map();
      this.#pendingChanges = [];
    }
    if (!slice) return;
    const ids = new Set<string>();
    for (const entry of rosterEntries(slice, this.#l10n.lang, this._hidden)) {
      ids.add(entry.userId);
      if (!entry.presence) continue;
      const now = presenceState(entry.presence);
      const before = this.#seen.get(entry.userId);
      this.#seen.set(entry.userId, now);
      if (before === undefined || before === now || before === 'hidden') continue;
      const t = this.#l10n.t.bind(this.#l10n);
      const name = entry.name;
      this.#pendingChanges.push(
        now === 'offline'
          ? t('presence.wentOffline', { name })
          : before === 'offline'
            ? t('presence.cameOnline', { name })
            : t('presence.changed', { name, status: presenceText(entry.presence, this.#l10n) }),
      );
    }
    for (const id of [...this.#seen.keys()]) if (!ids.has(id)) this.#seen.delete(id);
    if (this.#pendingChanges.length) this.#scheduleAnnouncement();
  }

  #scheduleAnnouncement(): void {
    if (this.#announceTimer) return;
    const wait = Math.max(0, this.#lastAnnounced + ANNOUNCE_GAP - performance.now());
    const flush = () => {
      this.#announceTimer = undefined;
      const changes = this.#pendingChanges.splice(0);
      if (!changes.length) return;
      this.#lastAnnounced = performance.now();
      this.#announcer.announce(
        changes.length > 3
          ? this.#l10n.t('presence.manyChanged', { count: changes.length })
          : changes.join('. '),
      );
    };
    if (wait === 0) {
      this.#lastAnnounced = performance.now();
      this.#announceTimer = setTimeout(flush, 0);
    } else {
      this.#announceTimer = setTimeout(flush, wait);
    }
  }

  // ── actions ────────────────────────────────────────────────────────────────

  /**
   * A background load or watch failed. When the connection went, the connection notice already
   * says so and the roster loads again on reconnect: no error on top of it.
   */
  #failLoad(error: unknown): void {
    const code = (error as { code?: unknown } | null)?.code;
    if (code === ErrorCodes.NOT_CONNECTED || code === ErrorCodes.CONNECTION_LOST) return;
    this.#fail(error);
  }

  #fail(error: unknown): void {
    const basic =
      typeof error === 'object' && error !== null && 'code' in error
        ? (error as { code: string; message: string })
        : { code: 'unknown', message: String(error) };
    this._error = describeError(basic, this.#l10n);
  }

  async #act<R>(event: CommsRequestEvent<unknown, R>): Promise<RequestOutcome<R>> {
    const outcome = await this.request(event);
    this._error =
      outcome.status === 'failed' ? describeError(outcome.error, this.#l10n) : undefined;
    return outcome;
  }

  get #blocked(): boolean {
    return !!this.#connection.value?.reason;
  }

  /** The choice the status list shows: the last one made here, else the one the server has. */
  #currentChoice(): Choice {
    const slice = this.#roster.value;
    const self = slice?.self ?? (slice?.me ? slice.presence[slice.me] : undefined);
    return this._choice ?? choiceOf(self) ?? 'available';
  }

  #savedNote(): string {
    const slice = this.#roster.value;
    const self = slice?.self ?? (slice?.me ? slice.presence[slice.me] : undefined);
    return self?.note ?? '';
  }

  /**
   * Sets your presence as the status list and note do: dispatches `comms-presence-set` and,
   * unless prevented, updates it. Resolves with whether it was set.
   */
  async setPresence(
    choice: Choice,
    note: string = this._note ?? this.#savedNote(),
  ): Promise<boolean> {
    if (this.#blocked) return false;
    const { status, activity } = CHOICES[choice];
    const noteChanged = note !== this.#savedNote();
    const previous = this._choice;
    this._choice = choice;
    const outcome = await this.#act(new CommsPresenceSetEvent({ status, activity, note }));
    if (outcome.status === 'failed') this._choice = previous;
    if (outcome.status !== 'done') return false;
    this._note = undefined;
    const t = this.#l10n.t.bind(this.#l10n);
    const said = [t('presence.selfSet', { status: t(`presence.option.${choice}`) })];
    if (noteChanged) said.push(t(note ? 'presence.selfNote' : 'presence.selfNoteCleared'));
    this.#announcer.announce(said.join('. '));
    return true;
  }

  #onChoice(event: Event): void {
    void this.setPresence((event.target as HTMLSelectElement).value as Choice);
  }

  #onNoteSubmit(event: SubmitEvent): void {
    event.preventDefault();
    void this.setPresence(this.#currentChoice());
  }

  #call(entry: RosterEntry, video: boolean): void {
    if (this.#blocked) return;
    void this.#act(new CommsCallRequestEvent({ destination: entry.userId, video }));
  }

  #chat(entry: RosterEntry): void {
    void this.#act(new CommsChatRequestEvent({ destination: entry.userId }));
  }

  #askRemove(entry: RosterEntry): void {
    if (this.#blocked) return;
    this._confirming = entry.contact.contactId;
    this._active = entry.userId;
    this.#focusAfterRender = '[part~="cancel-button"]';
  }

  #cancelRemove(entry: RosterEntry): void {
    this._confirming = undefined;
    this.#focusAfterRender = `[part~="contact"][data-user="${CSS.escape(entry.userId)}"]`;
  }

  async #remove(entry: RosterEntry, neighbour: RosterEntry | undefined): Promise<void> {
    if (this.#blocked) return;
    const outcome = await this.#act(
      new CommsContactRemoveEvent({ contactId: entry.contact.contactId }),
    );
    this._confirming = undefined;
    if (outcome.status !== 'done') return;
    this.#announcer.announce(this.#l10n.t('presence.removed', { name: entry.name }));
    this._active = neighbour?.userId;
    this.#focusAfterRender = neighbour
      ? `[part~="contact"][data-user="${CSS.escape(neighbour.userId)}"]`
      : this.noSearch
        ? undefined
        : '#search';
  }

  async #add(user: DirectoryUser): Promise<void> {
    if (this.#blocked) return;
    const outcome = await this.#act(
      new CommsContactAddEvent({
        primaryContact: user.userId,
        ...(user.firstName ? { firstName: user.firstName } : {}),
        ...(user.lastName ? { lastName: user.lastName } : {}),
      }),
    );
    if (outcome.status !== 'done') return;
    this.#announcer.announce(
      this.#l10n.t('presence.added', { name: user.displayName || user.userId }),
    );
  }

  // ── directory search ───────────────────────────────────────────────────────

  /** Searches the directory now (the field does it 300 ms after the last keystroke). */
  search(query: string): Promise<DirectoryUser[]> {
    return this.#search.now(query);
  }

  // ── keyboard ───────────────────────────────────────────────────────────────

  #onRosterKeydown(event: KeyboardEvent, entries: RosterEntry[]): void {
    const row = (event.target as HTMLElement).closest<HTMLElement>('[part~="contact"]');
    if (!row) return;
    const index = entries.findIndex((e) => e.userId === row.dataset.user);
    if (index < 0) return;
    if (event.key === 'Escape' && this._confirming) {
      event.preventDefault();
      this.#cancelRemove(entries[index]!);
      return;
    }
    const onRow = event.target === row;
    let next: number | undefined;
    if (event.key === 'ArrowDown') next = Math.min(entries.length - 1, index + 1);
    else if (event.key === 'ArrowUp') next = Math.max(0, index - 1);
    else if (event.key === 'Home' && onRow) next = 0;
    else if (event.key === 'End' && onRow) next = entries.length - 1;
    else if (event.key === 'Delete' && onRow) {
      event.preventDefault();
      this.#askRemove(entries[index]!);
      return;
    }
    if (next === undefined) return;
    event.preventDefault();
    const target = entries[next]!;
    this._active = target.userId;
    this.#focusAfterRender = `[part~="contact"][data-user="${CSS.escape(target.userId)}"]`;
    this.requestUpdate();
  }

  // ── render ─────────────────────────────────────────────────────────────────

  #renderSelf() {
    const t = this.#l10n.t.bind(this.#l10n);
    const slice = this.#roster.value;
    const self = slice?.self ?? (slice?.me ? slice.presence[slice.me] : undefined);
    const choice = this.#currentChoice();
    const blocked = this.#blocked;
    const onPhone = self?.status === 'open' && self.activity === 'on-the-phone';
    const note = this._note ?? self?.note ?? '';
    return html`<form
      part="self"
      class="self"
      aria-label=${t('presence.me')}
      @submit=${this.#onNoteSubmit}
    >
      <div class="field">
        <label for="status">${t('presence.status')}</label>
        <div class="status-row">
          <span
            class="dot"
            data-state=${CHOICES[choice].status === 'closed' ? 'offline' : CHOICES[choice].activity}
            aria-hidden="true"
          ></span>
          <select
            id="status"
            part="status-select"
            aria-disabled=${blocked ? 'true' : 'false'}
            aria-describedby=${blocked ? 'connection-reason' : onPhone ? 'on-phone' : nothing}
            .value=${choice}
            @change=${(event: Event) => {
              if (blocked) {
                (event.target as HTMLSelectElement).value = choice;
                return;
              }
              this.#onChoice(event);
            }}
          >
            ${(Object.keys(CHOICES) as Choice[]).map(
              (c) =>
                html`<option value=${c} ?selected=${c === choice}>
                  ${t(`presence.option.${c}`)}
                </option>`,
            )}
          </select>
        </div>
        ${
          onPhone
            ? html`<p id="on-phone" class="hint">${t('presence.activity.on-the-phone')}</p>`
            : nothing
        }
      </div>
      <div class="field">
        <label for="note">${t('presence.note')}</label>
        <div class="note-row">
          <input
            id="note"
            part="note-input"
            type="text"
            maxlength="256"
            autocomplete="off"
            placeholder=${t('presence.notePlaceholder')}
            .value=${note}
            @input=${(event: InputEvent) => (this._note = (event.target as HTMLInputElement).value)}
          />
          <button
            type="submit"
            part="save-button"
            aria-disabled=${blocked ? 'true' : 'false'}
            aria-describedby=${blocked ? 'connection-reason' : nothing}
          >
            ${t('presence.saveNote')}
          </button>
        </div>
      </div>
    </form>`;
  }

  #renderEntry(entry: RosterEntry, index: number, entries: RosterEntry[], active: string) {
    const t = this.#l10n.t.bind(this.#l10n);
    const { name, presence, userId } = entry;
    const current = userId === active;
    const tab = current ? 0 : -1;
    const blocked = this.#blocked;
    // While this client is not connected, what it knows of others may be old: no status then.
    const stale = blocked && presence !== undefined;
    const status = stale ? t('presence.unknown') : presenceText(presence, this.#l10n);
    const state = stale ? 'unknown' : presenceState(presence);
    const note = stale ? '' : (presence?.note ?? '');
    const confirming = this._confirming === entry.contact.contactId;
    const describedBy = blocked ? 'connection-reason' : nothing;
    const neighbour = entries[index + 1] ?? entries[index - 1];
    const button = (
      part: string,
      label: string,
      text: string,
      iconName: Parameters<typeof icon>[0] | undefined,
      onClick: () => void,
      options: { className?: string; needsServer?: boolean } = {},
    ) => {
      const off = !!options.needsServer && blocked;
      return html`<button
        type="button"
        part=${part}
        class=${options.className ?? ''}
        tabindex=${tab}
        aria-label=${label}
        aria-disabled=${off ? 'true' : 'false'}
        aria-describedby=${off ? describedBy : nothing}
        @click=${() => {
          this._active = userId;
          if (!off) onClick();
        }}
      >
        ${iconName ? icon(iconName) : nothing}<span class="label">${text}</span>
      </button>`;
    };
    return html`<li
      part="contact"
      class="contact"
      data-user=${userId}
      data-state=${state}
      tabindex=${tab}
      aria-label=${
        note
          ? `${t('presence.contactSummary', { name, status })}. ${note}`
          : t('presence.contactSummary', { name, status })
      }
      @focusin=${() => {
        if (this._active !== userId) this._active = userId;
      }}
    >
      <span part="dot" class="dot" data-state=${state} aria-hidden="true"></span>
      <span class="who">
        <span part="name" class="name">${name}</span>
        <span
          part="status"
          class="status"
          title=${presence ? nothing : t('presence.hiddenHelp', { name })}
          >${status}</span
        >
        ${note ? html`<span part="note" class="note">${note}</span>` : nothing}
      </span>
      ${
        confirming
          ? html`<span part="confirm" class="confirm" role="group" aria-labelledby="confirm-text">
              <span id="confirm-text">${t('presence.confirmRemove', { name })}</span>
              ${button(
                'confirm-button',
                t('presence.removeContact', { name }),
                t('presence.confirmYes'),
                undefined,
                () => void this.#remove(entry, neighbour),
                { className: 'danger', needsServer: true },
              )}
              ${button(
                'cancel-button',
                t('presence.confirmNo'),
                t('presence.confirmNo'),
                undefined,
                () => this.#cancelRemove(entry),
              )}
            </span>`
          : html`<span part="actions" class="actions">
              ${button(
                'call-button',
                t('presence.audioCallTo', { name }),
                t('presence.audioCall'),
                'call',
                () => this.#call(entry, false),
                { className: 'success', needsServer: true },
              )}
              ${
                this.noVideo
                  ? nothing
                  : button(
                      'video-button',
                      t('presence.videoCallTo', { name }),
                      t('presence.videoCall'),
                      'video',
                      () => this.#call(entry, true),
                      { needsServer: true },
                    )
              }
              ${button(
                'chat-button',
                t('presence.chatWith', { name }),
                t('presence.chat'),
                'chat',
                () => this.#chat(entry),
              )}
              ${button(
                'remove-button',
                t('presence.removeContact', { name }),
                t('presence.remove'),
                'close',
                () => this.#askRemove(entry),
                { needsServer: true },
              )}
            </span>`
      }
    </li>`;
  }

  #renderRoster(entries: RosterEntry[]) {
    const t = this.#l10n.t.bind(this.#l10n);
    if (!this._loaded) return html`<p class="hint" part="empty">${t('presence.loading')}</p>`;
    if (!entries.length) {
      const empty = this.noSearch ? 'presence.empty' : 'presence.emptySearch';
      return html`<p class="hint" part="empty">${t(empty)}</p>`;
    }
    const active = entries.some((e) => e.userId === this._active)
      ? this._active!
      : entries[0]!.userId;
    return html`<p id="roster-help" class="visually-hidden">${t('presence.rosterHelp')}</p>
      <ul
        part="roster"
        class="roster"
        aria-label=${t('presence.roster', { count: entries.length })}
        aria-describedby="roster-help"
        @keydown=${(event: KeyboardEvent) => this.#onRosterKeydown(event, entries)}
      >
        ${entries.map((entry, index) => this.#renderEntry(entry, index, entries, active))}
      </ul>`;
  }

  #renderSearch() {
    if (this.noSearch) return nothing;
    const t = this.#l10n.t.bind(this.#l10n);
    const slice = this.#roster.value;
    const inContacts = new Set(
      Object.values(slice?.contacts ?? {}).map((c) => c.primaryContact.toLowerCase()),
    );
    const search = this.#search;
    const results = search.results;
    const blocked = this.#blocked;
    const query = search.query.trim();
    const status = search.searching
      ? t('presence.searching')
      : results === undefined
        ? ''
        : results.length
          ? t('presence.results', { count: results.length })
          : t('presence.noResults', { query });
    return html`<div part="search" class="search" role="search">
      <label for="search">${t('presence.search')}</label>
      <input
        id="search"
        part="search-input"
        type="search"
        autocomplete="off"
        autocapitalize="off"
        spellcheck="false"
        enterkeyhint="search"
        placeholder=${t('presence.searchPlaceholder')}
        aria-describedby=${blocked ? 'search-status connection-reason' : 'search-status'}
        aria-controls="results"
        .value=${search.query}
        @input=${(event: InputEvent) => search.input((event.target as HTMLInputElement).value)}
        @keydown=${(event: KeyboardEvent) => {
          if (event.key === 'Enter') {
            event.preventDefault();
            void search.now();
          }
        }}
      />
      <p id="search-status" part="search-status" class="hint">${status}</p>
      <ul id="results" part="results" class="results" aria-label=${t('presence.search')}>
        ${(results ?? []).map((user) => {
          const name = user.displayName || user.userId;
          const self = user.userId === slice?.me;
          const added = inContacts.has(user.userId.toLowerCase());
          return html`<li part="result" class="result" data-user=${user.userId}>
            <span class="who">
              <span class="name">${name}</span>
              ${user.userName && user.userName !== name ? html`<span class="status">${user.userName}</span>` : nothing}
            </span>
            ${
              self
                ? html`<span class="hint">${t('presence.you')}</span>`
                : added
                  ? html`<span class="hint">${t('presence.inContacts')}</span>`
                  : html`<button
                      type="button"
                      part="add-button"
                      class="accent"
                      aria-label=${t('presence.addContact', { name })}
                      aria-disabled=${blocked ? 'true' : 'false'}
                      aria-describedby=${blocked ? 'connection-reason' : nothing}
                      @click=${() => void this.#add(user)}
                    >
                      ${icon('personAdd')}<span class="label">${t('presence.add')}</span>
                    </button>`
            }
          </li>`;
        })}
      </ul>
    </div>`;
  }

  protected override render() {
    const t = this.#l10n.t.bind(this.#l10n);
    const connection = this.#connection.value;
    const slice = this.#roster.value;
    const signedIn = !!slice?.me && connection?.status !== 'idle';
    const entries = rosterEntries(slice, this.#l10n.lang, this._hidden);
    return html`<section part="base" class="base panel" aria-label=${t('presence.label')}>
      ${this.#announcer.render()} ${renderConnectionNotice(connection, this.#l10n)}
      ${
        signedIn
          ? html`${this.#renderSelf()} ${this.#renderRoster(entries)} ${this.#renderSearch()}`
          : html`<p part="signed-out" class="hint">${t('presence.signedOut')}</p>`
      }
      <p part="error" class="error" role="alert">${this._error ?? ''}</p>
    </section>`;
  }
}
