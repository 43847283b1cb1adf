import { html, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { keyed } from 'lit/directives/keyed.js';
import { live } from 'lit/directives/live.js';
import type { VisibilityChangedEvent } from '@lit-labs/virtualizer/events.js';
import type * as Virtualizer from './virtualizer.js';
import type { CommsClient } from '../../core/client.js';
import type { ConversationEntry, MessageView } from '../../core/conversation/types.js';
import { CommsElement } from '../shared/comms-element.js';
import { StoreController } from '../shared/store-controller.js';
import { LocalizeController, type MessageKey } from '../shared/i18n.js';
import { Announcer } from '../shared/announcer.js';
import { DirectorySearch } from '../shared/directory-search.js';
import {
  connectionView,
  renderConnectionNotice,
  sameConnectionView,
} from '../shared/connection.js';
import {
  CommsChatRequestEvent,
  CommsGroupCreateEvent,
  CommsMessageRetryEvent,
  CommsMessageSendEvent,
  type RequestOutcome,
} from '../shared/events.js';
import { describeError } from '../shared/errors.js';
import { icon } from '../shared/icons.js';
import { chatIcon } from './icons.js';
import { tokens } from '../shared/tokens.js';
import { linkify } from './linkify.js';
import {
  conversationRef,
  dayOf,
  findConversation,
  lastActivity,
  nameOf,
  samePeople,
  selectPeople,
  threadItems,
  type People,
  type ThreadItem,
} from './thread.js';
import { styles } from './chat.styles.js';

/** A row of the thread, plus the "load older" row at its top. */
type Row = ThreadItem | { kind: 'older'; key: string };

/** The group panel's own error code: fewer than two people chosen. */
const TOO_FEW = 'chat:groupTooFew';
/** Activities the chat names (and colours) beyond "online", as `<comms-presence>` does. */
const SPECIFIC_ACTIVITIES = new Set(['busy', 'on-the-phone', 'away', 'idle', 'lunch', 'vacation']);
/** Width (px) from which the list and the thread stand side by side. */
const WIDE = 640;
/** How long after the last keystroke "typing" is withdrawn (ms). */
const TYPING_IDLE = 4000;
/** How many older messages one scroll to the top loads. */
const OLDER_PAGE = 50;
/** Within this many px of the bottom, the thread follows new messages. */
const STICKY = 48;

const NO_ENTRIES: Record<string, ConversationEntry> = {};
const rowsCache = new WeakMap<readonly MessageView[], ThreadItem[]>();

/** The thread's rows for `entry` (cached per messages array: a 10,000-message list is built once). */
function rowsOf(entry: ConversationEntry): Row[] {
  let rows = rowsCache.get(entry.messages);
  if (!rows) {
    rows = threadItems(entry.messages);
    rowsCache.set(entry.messages, rows);
  }
  return entry.hasOlder ? [{ kind: 'older', key: 'older' }, ...rows] : rows;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** A time (`14:05`) or date (`Thursday, 1 January 2026`) format for `lang`, made once. */
function formatter(lang: string, kind: 'time' | 'date'): Intl.DateTimeFormat {
  const key = `${lang}\n${kind}`;
  let format = formatters.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat(
      lang,
      kind === 'time' ? { timeStyle: 'short' } : { dateStyle: 'full' },
    );
    formatters.set(key, format);
  }
  return format;
}

/**
 * Creates `lang`'s formatters ahead, when the page is idle: a page's first `Intl` formatter
 * costs 10–25 ms (ICU sets up), which opening a thread would otherwise wait for.
 */
function warmFormatters(lang: string): void {
  const warm = () => {
    formatter(lang, 'time');
    formatter(lang, 'date');
  };
  if (typeof requestIdleCallback === 'function') requestIdleCallback(warm, { timeout: 2000 });
  else setTimeout(warm, 0);
}

/** What a message's row shows that takes work to find: kept per message (see `#contentOf`). */
interface MessageContent {
  text: string;
  /** The text as text runs and anchors (linkify). */
  body: (string | TemplateResult)[];
  sender: string;
  time: string;
  datetime: string;
}

/** Someone "New conversation" or "New group" offers: a user id and the name to show. */
interface Person {
  userId: string;
  name: string;
}

/** The other user of a one-to-one conversation, else null. */
function partnerOf(entry: ConversationEntry): string | null {
  return entry.type === 'chat' ? null : entry.destination;
}

/**
 * Chat: the conversation list (the other user's presence, the last message, the unread count)
 * and a thread (day separators, links made clickable safely, each message's state: sending,
 * sent, delivered, read, or not sent with a Retry button; who is typing), with a composer
 * (Enter sends, Shift+Enter adds a line) that keeps working offline: messages wait in the
 * outbox and go out when the connection is back, and the element says so. Older messages load
 * when the thread is scrolled to the top; the thread is virtualised (`@lit-labs/virtualizer`),
 * so 10,000 messages keep only a window of rows in the DOM. A conversation shown while the
 * page is visible is marked read. Narrow (under 640 px) the list and the thread are two panes
 * that switch; wide they stand side by side. New incoming messages are announced politely.
 *
 * "New group" creates a group conversation: an optional name and two or more people chosen
 * (checkboxes) from the contacts or the directory, shown as removable chips; the count is
 * announced. A group's thread shows its name (or its members' names), the member count, which
 * opens the members list with their presence, and the sender's name on others' messages; the
 * list marks groups with a group icon.
 *
 * It opens the conversation named by `destination`, and the one any `comms-chat-request` on
 * the page resolves to (from `<comms-presence>`, a contact list, or the page).
 *
 * @tag comms-chat
 * @event comms-message-send - Request: send `detail.text` in `detail.conversation` (a conversation id or the other user's id). Cancelable; carried out as `createMessage({type: 'text', text}).send()`.
 * @event comms-message-retry - Request: send the failed message `detail.messageId` again. Cancelable; carried out as `message.retry()`.
 * @event comms-chat-request - Request (from "New conversation"): open the one-to-one conversation with `detail.destination`. Cancelable; carried out as `client.conversation.get`.
 * @event comms-group-create - Request (from "New group"): create a group of `detail.members` (user ids) named `detail.name` (optional). Cancelable; carried out as `client.conversation.create(members, {name})`, then the group opens.
 * @csspart base - The element's box (two panes).
 * @csspart announcer - The visually hidden live regions.
 * @csspart connection - The connection notice (offline, reconnecting).
 * @csspart list - The conversation list pane.
 * @csspart new-button - The "New conversation" toggle.
 * @csspart new - The new conversation panel (search, contacts, directory).
 * @csspart search - The search field.
 * @csspart person - A contact or directory user to start a conversation with.
 * @csspart new-group-button - The "New group" toggle.
 * @csspart group - The new group panel (name, chosen people, search, people to choose).
 * @csspart group-name - The group name field.
 * @csspart group-count - How many people are chosen.
 * @csspart chips - The chosen people.
 * @csspart chip - A chosen person.
 * @csspart chip-remove - Removes a chosen person.
 * @csspart group-person - A contact or directory user to choose (a checkbox and its label).
 * @csspart group-error - Why the group could not be created.
 * @csspart create-button - Creates the group.
 * @csspart group-icon - The icon of a group in the list.
 * @csspart conversation - A conversation in the list (a button).
 * @csspart presence - The presence dot (`data-status`: `open`, `closed`, `unknown`; when online and
 *   doing something in particular, `data-activity`: `busy`, `on-the-phone`, `away`, `idle`,
 *   `lunch`, `vacation`).
 * @csspart name - A conversation's name.
 * @csspart preview - The last message in the list.
 * @csspart unread - The unread count.
 * @csspart thread - The thread pane.
 * @csspart back-button - Back to the list (narrow layout).
 * @csspart members-button - A group's member count; shows and hides its members.
 * @csspart members - A group's members list.
 * @csspart member - A member of a group (with a `presence` dot).
 * @csspart messages - The scrolling list of messages.
 * @csspart day - A day separator.
 * @csspart load-older - The "Load older messages" button at the top of the thread.
 * @csspart message - A message (also `own` for the user's own).
 * @csspart own - The user's own messages.
 * @csspart text - A message's text.
 * @csspart link - A link in a message.
 * @csspart meta - A message's time and state.
 * @csspart status - An own message's state (`data-status`: pending, sent, delivered, read, failed).
 * @csspart retry-button - Sends a failed message again.
 * @csspart typing - Who is typing.
 * @csspart composer - The composer form.
 * @csspart input - The message field.
 * @csspart send-button - The send button.
 * @csspart queued - The notice that messages wait for the connection.
 * @csspart error - Why the last action failed.
 * @csspart empty - Shown when no conversation is open (wide layout).
 * @cssproperty --comms-chat-height - The element's height (default 32rem).
 * @cssproperty --comms-chat-list-width - The list pane's width in the wide layout (default 18rem).
 * @cssproperty --comms-chat-own-background - Background of the user's own messages.
 * @cssproperty --comms-chat-own-color - Text color of the user's own messages.
 * @cssproperty --comms-chat-other-background - Background of received messages.
 * @cssproperty --comms-chat-online-color - The presence dot of an online user.
 * @cssproperty --comms-presence-busy - The dot of a busy or on-the-phone user (as in `<comms-presence>`).
 * @cssproperty --comms-presence-away - The dot of an away, idle, out-to-lunch or on-vacation user.
 */
export class CommsChat extends CommsElement {
  static override styles = [tokens, styles];

  static override properties = {
    destination: { type: String, reflect: true },
    /** @private */
    _open: { state: true, attribute: false },
    /** @private */
    _pane: { state: true, attribute: false },
    /** @private */
    _wide: { state: true, attribute: false },
    /** @private */
    _error: { state: true, attribute: false },
    /** @private */
    _picking: { state: true, attribute: false },
    /** @private */
    _loadingOlder: { state: true, attribute: false },
    /** @private */
    _grouping: { state: true, attribute: false },
    /** @private */
    _chosen: { state: true, attribute: false },
    /** @private */
    _groupName: { state: true, attribute: false },
    /** @private */
    _groupError: { state: true, attribute: false },
    /** @private */
    _creating: { state: true, attribute: false },
    /** @private */
    _membersOpen: { state: true, attribute: false },
  };

  /** The other user's id: the element opens the one-to-one conversation with them. */
  declare destination: string | undefined;

  /** @internal */
  declare _open: string | undefined;
  /** @internal */
  declare _pane: 'list' | 'thread';
  /** @internal */
  declare _wide: boolean;
  /** @internal */
  declare _error: string | undefined;
  /** @internal */
  declare _picking: boolean;
  /** @internal */
  declare _loadingOlder: boolean;
  /** @internal */
  declare _grouping: boolean;
  /** @internal */
  declare _chosen: Person[];
  /** @internal */
  declare _groupName: string;
  /** @internal */
  declare _groupError: { code: string; text: string } | undefined;
  /** @internal */
  declare _creating: boolean;
  /** @internal */
  declare _membersOpen: boolean;

  readonly #l10n = new LocalizeController(this);
  readonly #announcer = new Announcer(this);
  /** The directory search of both panels ("New conversation", "New group"). */
  readonly #directory = new DirectorySearch(this, {
    found: (users) => {
      this._error = undefined;
      const t = this.#l10n.t.bind(this.#l10n);
      this.#announcer.announce(
        users.length ? t('chat.results', { count: users.length }) : t('chat.noResults'),
      );
    },
    failed: (error) => {
      this._error = describeError(error as { code: string; message: string }, this.#l10n);
    },
  });
  readonly #conversations = new StoreController(this, (s) => s.conversations.byKey);
  readonly #people = new StoreController(this, selectPeople, samePeople);
  readonly #connection = new StoreController(this, connectionView, sameConnectionView);
  /** The newest seq seen per conversation (by its other user or id), to announce what is new. */
  #seen = new Map<string, number>();
  #seenClient: CommsClient | undefined;
  /** Drafts per conversation. */
  #drafts = new Map<string, string>();

  protected override forgetUser(): void {
    this.#drafts.clear();
    this.#announcer.clear();
    this._open = undefined;
    this._pane = 'list';
    this._error = undefined;
    this._picking = false;
    this.#directory.reset();
    this._grouping = false;
    this._chosen = [];
    this._groupName = '';
    this._groupError = undefined;
    this._membersOpen = false;
  }
  /** The conversation "typing" was sent for, and when to withdraw it. */
  #typing: { ref: string; timer: ReturnType<typeof setTimeout> } | undefined;
  /** `id:seq` last marked read, so one change marks once. */
  #marked = '';
  #presenceAsked = new Set<string>();
  #presenceClient: CommsClient | undefined;
  #resize: ResizeObserver | undefined;
  /** Whether the thread was scrolled to (near) its bottom before the last change. */
  #atBottom = true;
  /** The first row visible in the thread. */
  #firstVisible = 0;
  /** After an update: scroll the thread to its end, or keep the row with this key at the top. */
  #scroll: { to: 'end' } | { to: 'key'; key: string } | undefined;
  #lastRows: Row[] = [];
  /** Each message's row content (`#contentOf`), and what it was worked out for. */
  #contents = new WeakMap<MessageView, MessageContent>();
  #contentScope: {
    lang?: string;
    people?: People | undefined;
    members?: ConversationEntry['members'];
  } = {};

  constructor() {
    super();
    this._pane = 'list';
    this._wide = false;
    this._picking = false;
    this._loadingOlder = false;
    this._grouping = false;
    this._chosen = [];
    this._groupName = '';
    this._creating = false;
    this._membersOpen = false;
  }

  /** The open conversation: its server id, or the other user's id until it has one. */
  get conversation(): string | undefined {
    const entry = this.#entry();
    return entry ? conversationRef(entry) : this._open;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    document.addEventListener(CommsChatRequestEvent.type, this.#onChatRequest);
    document.addEventListener('visibilitychange', this.#onVisibility);
    this.#resize ??= new ResizeObserver(([entry]) => {
      const wide = (entry?.contentRect.width ?? 0) >= WIDE;
      if (wide !== this._wide) this._wide = wide;
    });
    this.#resize.observe(this);
    warmFormatters(this.#l10n.lang);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    document.removeEventListener(CommsChatRequestEvent.type, this.#onChatRequest);
    document.removeEventListener('visibilitychange', this.#onVisibility);
    this.#resize?.disconnect();
    this.#stopTyping();
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('destination') && this.destination) this.open(this.destination);
    this.#noticeMessages();
    const entry = this.#entry();
    if (entry) {
      const rows = rowsOf(entry);
      const grew = rows.length > this.#lastRows.length;
      const newest = rows[rows.length - 1];
      const before = this.#lastRows[this.#lastRows.length - 1];
      const appended = grew && newest?.key !== before?.key;
      if (appended && !this.#scroll) {
        const own = newest?.kind === 'message' && newest.message.isOwn;
        if (this.#atBottom || own) this.#scroll = { to: 'end' };
      }
      this.#lastRows = rows;
    } else {
      this.#lastRows = [];
    }
  }

  protected override updated(): void {
    if (!loadedVirtualizer && this.#entry()) {
      // The first thread shown: its rows render once the virtualizer arrives.
      loadVirtualizer().then(
        () => this.requestUpdate(),
        () => undefined,
      );
    }
    const client = this.activeClient;
    if (client && !client.destroyed) {
      if (this._open && !this.#entry()) this.#ensure(client, this._open);
      this.#markRead(client);
      this.#watchPresence(client);
    }
    this.#applyScroll();
  }

  // ── opening ────────────────────────────────────────────────────────────────

  /**
   * Shows a conversation: `ref` is a conversation id or the other user's id (a one-to-one
   * conversation is opened in the client's state if new).
   */
  open(ref: string): void {
    if (!ref) return;
    const entry = findConversation(this.#conversations.value, ref);
    const next = entry ? conversationRef(entry) : ref;
    if (next !== this.conversation) {
      this.#stopTyping();
      this.#atBottom = true;
      this.#scroll = undefined;
      this.#lastRows = [];
      this._membersOpen = false;
    }
    this._open = next;
    this._pane = 'thread';
    this._picking = false;
    this._grouping = false;
    this._error = undefined;
    const client = this.activeClient;
    if (client && !client.destroyed && !entry) this.#ensure(client, ref);
  }

  /** Shows the conversation list (the narrow layout's other pane). */
  showList(): void {
    this._pane = 'list';
  }

  #ensure(client: CommsClient, ref: string): void {
    try {
      if (!client.conversation.getById(ref)) client.conversation.get(ref);
    } catch (error) {
      this._error = describeError(error as { code: string; message: string }, this.#l10n);
    }
  }

  #entry(): ConversationEntry | undefined {
    return findConversation(this.#conversations.value, this._open);
  }

  /** Another element (or the page) asked to chat with someone: show it once it is carried out. */
  readonly #onChatRequest = (event: CommsChatRequestEvent): void => {
    const client = this.activeClient;
    if (!client) return;
    queueMicrotask(() => {
      if (!event.claimed && !event.defaultPrevented) event.claim(client);
      void event.settle().then((outcome) => {
        if (outcome.status === 'done') this.open(outcome.value);
      });
    });
  };

  readonly #onVisibility = (): void => this.requestUpdate();

  // ── what changed ───────────────────────────────────────────────────────────

  /** Announces new incoming messages (not the user's own; not those there when it started). */
  #noticeMessages(): void {
    const client = this.activeClient;
    const entries = Object.values(this.#conversations.value ?? NO_ENTRIES);
    const prime = client !== this.#seenClient;
    if (prime) {
      this.#seenClient = client;
      this.#seen = new Map();
    }
    const t = this.#l10n.t.bind(this.#l10n);
    for (const entry of entries) {
      const id = entry.destination ?? entry.id ?? entry.key;
      const seen = this.#seen.get(id);
      const newest = entry.lastSeq;
      this.#seen.set(id, Math.max(seen ?? 0, newest));
      // A group someone else made with this user (the one made here is announced as created).
      if (!prime && seen === undefined && entry.type === 'chat' && !this._creating) {
        this.#announcer.announce(t('chat.announce.group', { name: this.#titleOf(entry) }));
      }
      if (prime || seen === undefined || newest <= seen) continue;
      const fresh = entry.messages.filter((m) => !m.isOwn && m.seq !== null && m.seq > seen);
      if (fresh.length === 0) continue;
      const name = nameOf(this.#people.value, entry, fresh[0]!.sender);
      this.#announcer.announce(
        fresh.length === 1
          ? t('chat.announce.message', { name, text: fresh[0]!.parts[0]?.text ?? '' })
          : t('chat.announce.messages', { name, count: fresh.length }),
      );
    }
  }

  /** Marks the open conversation read while the user can see it. */
  #markRead(client: CommsClient): void {
    const entry = this.#entry();
    if (!entry?.id || entry.unread === 0 || !this.#threadVisible()) return;
    const mark = `${entry.id}:${entry.lastSeq}`;
    if (mark === this.#marked) return;
    this.#marked = mark;
    client.conversation
      .getById(entry.id)
      ?.markRead()
      .catch(() => {
        this.#marked = '';
      });
  }

  #threadVisible(): boolean {
    return (
      !!this._open &&
      this.isConnected &&
      (this._wide || this._pane === 'thread') &&
      document.visibilityState === 'visible'
    );
  }

  /**
   * Watches the presence of the other users of one-to-one conversations, and of the open
   * group's members (for the dots).
   */
  #watchPresence(client: CommsClient): void {
    if (client !== this.#presenceClient) {
      this.#presenceClient = client;
      this.#presenceAsked = new Set();
    }
    if (this.#connection.value?.status !== 'online') return;
    const watched = new Set(client.store.getState().presence.subscribed);
    const open = this.#entry();
    const self = this.#people.value?.self;
    const wanted = [
      ...Object.values(this.#conversations.value ?? NO_ENTRIES).map(partnerOf),
      ...(open?.type === 'chat' ? open.members.map((m) => m.userId) : []),
    ].filter(
      (u): u is string => !!u && u !== self && !watched.has(u) && !this.#presenceAsked.has(u),
    );
    // One by one: the gateway refuses a whole list for one user this user may not see.
    for (const u of new Set(wanted)) {
      this.#presenceAsked.add(u);
      client.presence.subscribe([u]).catch((error: { code?: string }) => {
        // Not allowed to see them: the dot stays "unknown". Anything else: ask again later.
        if (error?.code !== 'presence:forbidden') this.#presenceAsked.delete(u);
      });
    }
  }

  // ── scrolling ──────────────────────────────────────────────────────────────

  get #scroller(): HTMLElement | null {
    return this.renderRoot.querySelector<HTMLElement>('[part="messages"]');
  }

  #applyScroll(): void {
    const scroll = this.#scroll;
    const scroller = this.#scroller;
    if (!scroll || !scroller) return;
    const ref = loadedVirtualizer?.virtualizerRef;
    const virtualizer =
      ref && (scroller as unknown as Record<symbol, VirtualizerApi | undefined>)[ref];
    if (!virtualizer) return;
    this.#scroll = undefined;
    const rows = this.#lastRows;
    const index =
      scroll.to === 'end' ? rows.length - 1 : rows.findIndex((r) => r.key === scroll.key);
    if (index < 0) return;
    virtualizer.element(index)?.scrollIntoView({ block: scroll.to === 'end' ? 'end' : 'start' });
  }

  #onScroll(event: Event): void {
    const el = event.currentTarget as HTMLElement;
    this.#atBottom = el.scrollHeight - el.scrollTop - el.clientHeight <= STICKY;
    if (el.scrollTop <= STICKY) void this.loadOlder();
  }

  #onVisibilityChanged(event: VisibilityChangedEvent): void {
    this.#firstVisible = event.first;
    if (event.first === 0) void this.loadOlder();
  }

  /**
   * Loads older messages of the open conversation (as scrolling to the top does), keeping the
   * message at the top of the view where it was. Resolves with how many arrived.
   */
  async loadOlder(): Promise<number> {
    const entry = this.#entry();
    const client = this.activeClient;
    if (!entry?.id || !entry.hasOlder || this._loadingOlder || !client) return 0;
    const anchor = this.#lastRows[Math.max(this.#firstVisible, 1)]?.key;
    this._loadingOlder = true;
    try {
      const count = (await client.conversation.getById(entry.id)?.loadOlder(OLDER_PAGE)) ?? 0;
      if (anchor) this.#scroll = { to: 'key', key: anchor };
      return count;
    } catch (error) {
      this._error = describeError(error as { code: string; message: string }, this.#l10n);
      return 0;
    } finally {
      this._loadingOlder = false;
    }
  }

  // ── composing ──────────────────────────────────────────────────────────────

  #onKeyDown(event: KeyboardEvent): void {
    if (event.key !== 'Enter' || event.shiftKey || event.isComposing) return;
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    event.preventDefault();
    void this.send();
  }

  #onInput(event: InputEvent): void {
    const key = this.#draftKey();
    if (!key) return;
    const text = (event.target as HTMLTextAreaElement).value;
    this.#drafts.set(key, text);
    if (text.trim()) this.#startTyping(key);
    else this.#stopTyping();
  }

  /**
   * The open conversation's key for drafts and typing: the other user's id when there is one,
   * since a new one-to-one conversation gets its server id while the user is typing.
   */
  #draftKey(): string | undefined {
    const entry = this.#entry();
    return entry ? (entry.destination ?? conversationRef(entry)) : this._open;
  }

  #startTyping(ref: string): void {
    const client = this.activeClient;
    if (!client || this.#connection.value?.status !== 'online') return;
    if (this.#typing?.ref !== ref) {
      this.#stopTyping();
      this.#sendTyping(client, ref, true);
    } else {
      clearTimeout(this.#typing.timer);
    }
    this.#typing = { ref, timer: setTimeout(() => this.#stopTyping(), TYPING_IDLE) };
  }

  #stopTyping(): void {
    const typing = this.#typing;
    if (!typing) return;
    this.#typing = undefined;
    clearTimeout(typing.timer);
    const client = this.activeClient;
    if (client && !client.destroyed) this.#sendTyping(client, typing.ref, false);
  }

  #sendTyping(client: CommsClient, ref: string, active: boolean): void {
    try {
      const conversation = client.conversation.getById(ref) ?? client.conversation.get(ref);
      conversation.sendTyping(active).catch(() => undefined);
    } catch {
      // The conversation is gone (client replaced): nothing to tell.
    }
  }

  /**
   * Sends what the composer holds in the open conversation (as Enter does): dispatches
   * `comms-message-send` and, unless it is prevented, queues the message. Resolves with the
   * message's client id, or `undefined` when there was nothing to send or it failed.
   */
  async send(): Promise<string | undefined> {
    const ref = this.conversation;
    const key = this.#draftKey();
    const field = this.renderRoot.querySelector<HTMLTextAreaElement>('[part="input"]');
    const text = field?.value ?? (key ? this.#drafts.get(key) : '') ?? '';
    if (!ref || !key || !text.trim()) return undefined;
    this.#drafts.delete(key);
    if (field) field.value = '';
    this.#stopTyping();
    const outcome = await this.request(new CommsMessageSendEvent({ conversation: ref, text }));
    if (outcome.status !== 'done') {
      // Not sent: give the text back.
      this.#drafts.set(key, text);
      if (field && !field.value) field.value = text;
    }
    this.#show(outcome);
    return outcome.status === 'done' ? outcome.value : undefined;
  }

  #onSubmit(event: SubmitEvent): void {
    event.preventDefault();
    void this.send();
  }

  async #retry(message: MessageView): Promise<void> {
    const ref = this.conversation;
    if (!ref) return;
    const outcome = await this.request(
      new CommsMessageRetryEvent({ conversation: ref, messageId: message.clientId }),
    );
    this.#show(outcome);
  }

  #show(outcome: RequestOutcome<unknown>): void {
    this._error =
      outcome.status === 'failed' ? describeError(outcome.error, this.#l10n) : undefined;
  }

  // ── new conversation ───────────────────────────────────────────────────────

  /** Escape closes the open New conversation or New group panel, back to its button. */
  #onListKeyDown(event: KeyboardEvent): void {
    if (event.key !== 'Escape' || !(this._picking || this._grouping)) return;
    event.preventDefault();
    const button = this._picking ? 'new-button' : 'new-group-button';
    if (this._picking) this.#togglePicker();
    else this.#toggleGroup();
    this.#focusPart(button);
  }

  /** Escape closes the members list, back to its button. */
  #onThreadBarKeyDown(event: KeyboardEvent): void {
    if (event.key !== 'Escape' || !this._membersOpen) return;
    event.preventDefault();
    this._membersOpen = false;
    this.#focusPart('members-button');
  }

  #focusPart(part: string): void {
    void this.updateComplete.then(() =>
      this.renderRoot.querySelector<HTMLElement>(`[part="${part}"]`)?.focus(),
    );
  }

  #togglePicker(): void {
    this._picking = !this._picking;
    this._grouping = false;
    this.#resetSearch(this._picking ? '[part="search"]' : undefined);
  }

  /** Clears the search; focuses `focus` (a selector) once rendered. */
  #resetSearch(focus?: string): void {
    this.#directory.reset();
    if (focus) {
      void this.updateComplete.then(() =>
        this.renderRoot.querySelector<HTMLElement>(focus)?.focus(),
      );
    }
  }

  #search(event: SubmitEvent): void {
    event.preventDefault();
    void this.#directory.now();
  }

  async #startWith(userId: string): Promise<void> {
    const outcome = await this.request(new CommsChatRequestEvent({ destination: userId }));
    if (outcome.status === 'done') this.open(outcome.value);
    this.#show(outcome);
  }

  /** The people both panels offer: the contacts matching the search, and the directory's answer. */
  #candidates(): { contacts: Person[]; results: Person[] | undefined } {
    const people = this.#people.value;
    const query = this.#directory.query.trim().toLowerCase();
    const contacts = Object.values(people?.contacts ?? {})
      .filter((c) => {
        const name = `${c.firstName ?? ''} ${c.lastName ?? ''} ${c.primaryContact}`.toLowerCase();
        return !query || name.includes(query);
      })
      .map((c) => ({
        userId: c.primaryContact,
        name: [c.firstName, c.lastName].filter(Boolean).join(' ') || c.primaryContact,
      }));
    const results = this.#directory.results
      ?.filter((u) => u.userId !== people?.self)
      .map((u) => ({ userId: u.userId, name: u.displayName || u.userId }));
    return { contacts, results };
  }

  // ── new group ──────────────────────────────────────────────────────────────

  #toggleGroup(): void {
    this._grouping = !this._grouping;
    this._picking = false;
    this._chosen = [];
    this._groupName = '';
    this._groupError = undefined;
    this.#resetSearch(this._grouping ? '[part="group-name"]' : undefined);
  }

  #countText(): string {
    const count = this._chosen.length;
    const t = this.#l10n.t.bind(this.#l10n);
    if (count === 0) return t('chat.groupCountNone');
    return count === 1 ? t('chat.groupCountOne') : t('chat.groupCount', { count });
  }

  /** Chooses (or lets go of) someone for the group, and says so. */
  #choose(person: Person, chosen: boolean): void {
    const others = this._chosen.filter((p) => p.userId !== person.userId);
    this._chosen = chosen ? [...others, person] : others;
    if (this._groupError?.code === TOO_FEW && this._chosen.length >= 2) {
      this._groupError = undefined;
    }
    const t = this.#l10n.t.bind(this.#l10n);
    this.#announcer.announce(
      t(chosen ? 'chat.groupAdded' : 'chat.groupRemoved', { name: person.name }),
    );
    this.#announcer.announce(this.#countText());
  }

  /** A chip's remove button: lets go of the person, and keeps the focus among the chips. */
  #unchoose(person: Person, index: number): void {
    this.#choose(person, false);
    void this.updateComplete.then(() => {
      const removes = this.renderRoot.querySelectorAll<HTMLElement>('[part="chip-remove"]');
      const next = removes[Math.min(index, removes.length - 1)];
      (next ?? this.renderRoot.querySelector<HTMLElement>('[part="search"]'))?.focus();
    });
  }

  /**
   * Creates the group the "New group" panel describes (as its Create button does): dispatches
   * `comms-group-create` and, unless it is prevented, opens the new group. Resolves with its
   * id, or `undefined` when fewer than two people are chosen or it failed (the panel says why).
   */
  async createGroup(): Promise<string | undefined> {
    const t = this.#l10n.t.bind(this.#l10n);
    if (this._creating) return undefined;
    if (this._chosen.length < 2) {
      this._groupError = { code: TOO_FEW, text: t('chat.groupTooFew') };
      return undefined;
    }
    const name = this._groupName.trim();
    const members = this._chosen.map((p) => p.userId);
    this._creating = true;
    this._groupError = undefined;
    try {
      const outcome = await this.request(
        new CommsGroupCreateEvent(name ? { name, members } : { members }),
      );
      if (outcome.status === 'failed') {
        const { error } = outcome;
        this._groupError = {
          code: error.code,
          text:
            error.code === 'conversation:unknownDestination'
              ? t('chat.groupUnknown', { reason: error.message })
              : describeError(error, this.#l10n),
        };
        return undefined;
      }
      if (outcome.status !== 'done') return undefined;
      const entry = findConversation(this.#conversations.value, outcome.value);
      this.#announcer.announce(
        t('chat.groupCreated', { name: entry ? this.#titleOf(entry) : name }),
      );
      this.open(outcome.value);
      void this.updateComplete.then(() =>
        this.renderRoot.querySelector<HTMLElement>('[part="input"]')?.focus(),
      );
      return outcome.value;
    } finally {
      this._creating = false;
    }
  }

  #onCreateGroup(event: SubmitEvent): void {
    event.preventDefault();
    void this.createGroup();
  }

  // ── rendering ──────────────────────────────────────────────────────────────

  #titleOf(entry: ConversationEntry): string {
    const people = this.#people.value;
    const partner = partnerOf(entry);
    if (partner) return nameOf(people, entry, partner);
    if (entry.name) return entry.name;
    const others = entry.members.filter((m) => m.userId !== people?.self);
    return others.map((m) => nameOf(people, entry, m.userId)).join(', ') || entry.key;
  }

  #presenceOf(entry: ConversationEntry): 'open' | 'closed' | 'unknown' {
    const partner = partnerOf(entry);
    return partner ? this.#statusOf(partner) : 'unknown';
  }

  /**
   * What an online user is doing when it says more than "online" (busy, away, on the phone…),
   * as `<comms-presence>` shows it; else undefined.
   */
  #activityOf(userId: string | null | undefined): string | undefined {
    if (!userId || this.#statusOf(userId) !== 'open') return undefined;
    const activity = this.#people.value?.presence[userId]?.activity;
    return activity && SPECIFIC_ACTIVITIES.has(activity) ? activity : undefined;
  }

  /** The presence dot of a one-to-one conversation's other person (hidden in a group). */
  #partnerDot(entry: ConversationEntry): TemplateResult {
    const partner = partnerOf(entry);
    return html`<span
      part="presence"
      class="dot"
      data-status=${this.#presenceOf(entry)}
      data-activity=${this.#activityOf(partner) ?? nothing}
      ?hidden=${!partner}
    ></span>`;
  }

  /** A person's presence in words: online, offline, unknown, or the activity. */
  #presenceWords(userId: string | null | undefined): string {
    const t = this.#l10n.t.bind(this.#l10n);
    const activity = this.#activityOf(userId);
    if (activity) return t(`presence.activity.${activity}` as MessageKey);
    return t(`chat.presence.${userId ? this.#statusOf(userId) : 'unknown'}`);
  }

  #statusOf(userId: string): 'open' | 'closed' | 'unknown' {
    // While this client is not connected, what it knew may be old: unknown.
    if (this.#connection.value?.status !== 'online') return 'unknown';
    return this.#people.value?.presence[userId]?.status ?? 'unknown';
  }

  #time(timestamp: number): string {
    return formatter(this.#l10n.lang, 'time').format(timestamp);
  }

  #dayLabel(day: number): string {
    const today = dayOf(Date.now());
    if (day === today) return this.#l10n.t('chat.today');
    if (day === dayOf(today - 12 * 3600 * 1000)) return this.#l10n.t('chat.yesterday');
    return formatter(this.#l10n.lang, 'date').format(day);
  }

  #renderList(entries: ConversationEntry[], current: ConversationEntry | undefined) {
    const t = this.#l10n.t.bind(this.#l10n);
    const self = this.#people.value?.self;
    return html`<section
      part="list"
      class="list"
      aria-labelledby="list-title"
      @keydown=${this.#onListKeyDown}
    >
      <div class="bar">
        <h2 id="list-title">${t('chat.conversations')}</h2>
        <button
          type="button"
          part="new-button"
          aria-expanded=${this._picking ? 'true' : 'false'}
          aria-controls="new"
          @click=${this.#togglePicker}
        >
          ${this._picking ? icon('close') : chatIcon('add')}<span
            >${t('chat.newConversation')}</span
          >
        </button>
        <button
          type="button"
          part="new-group-button"
          aria-expanded=${this._grouping ? 'true' : 'false'}
          aria-controls="group"
          @click=${this.#toggleGroup}
        >
          ${this._grouping ? icon('close') : chatIcon('group')}<span>${t('chat.newGroup')}</span>
        </button>
      </div>
      ${this._picking ? this.#renderPicker() : nothing}
      ${this._grouping ? this.#renderGroup() : nothing}
      ${
        entries.length === 0
          ? html`<p class="hint none">${t('chat.noConversations')}</p>`
          : html`<ul class="conversations" aria-labelledby="list-title">
              ${entries.map((entry) => {
                const last = entry.messages[entry.messages.length - 1];
                const text = last?.parts[0]?.text ?? '';
                const preview = !last
                  ? t('chat.noMessages')
                  : last.sender === self
                    ? t('chat.you', { text })
                    : text;
                const selected = entry === current;
                const group = entry.type === 'chat';
                return html`<li>
                  <button
                    type="button"
                    part="conversation"
                    class="conversation"
                    aria-current=${selected ? 'true' : 'false'}
                    @click=${() => this.open(conversationRef(entry))}
                  >
                    ${
                      group
                        ? html`<span part="group-icon" class="group-icon"
                            >${chatIcon('group')}</span
                          >`
                        : nothing
                    }
                    ${this.#partnerDot(entry)}
                    <span class="who">
                      <span part="name" class="name">${this.#titleOf(entry)}</span>
                      ${
                        partnerOf(entry)
                          ? html`<span class="visually-hidden"
                              >, ${this.#presenceWords(partnerOf(entry))}</span
                            >`
                          : group
                            ? html`<span class="visually-hidden"
                                >, ${t('chat.group')},
                                ${t('chat.members', { count: entry.members.length })}</span
                              >`
                            : nothing
                      }
                      <span part="preview" class="preview">${preview}</span>
                    </span>
                    ${
                      entry.unread > 0
                        ? html`<span part="unread" class="badge"
                            ><span aria-hidden="true">${entry.unread}</span
                            ><span class="visually-hidden"
                              >${t('chat.unread', { count: entry.unread })}</span
                            ></span
                          >`
                        : nothing
                    }
                  </button>
                </li>`;
              })}
            </ul>`
      }
    </section>`;
  }

  #renderPicker() {
    const t = this.#l10n.t.bind(this.#l10n);
    const { contacts, results } = this.#candidates();
    const person = ({ userId, name }: Person) =>
      html`<li>
        <button type="button" part="person" @click=${() => void this.#startWith(userId)}>
          <span class="visually-hidden">${t('chat.startWithPrefix')} </span
          ><span class="name">${name}</span> <span class="hint">${userId}</span>
        </button>
      </li>`;
    return html`<div part="new" id="new" class="new">
      ${this.#renderSearch()} ${this.#renderPeople(contacts, results, person)}
    </div>`;
  }

  /** The directory search (both panels). */
  #renderSearch() {
    const t = this.#l10n.t.bind(this.#l10n);
    return html`<form role="search" class="search" @submit=${this.#search}>
      <label for="search">${t('chat.search')}</label>
      <div class="field">
        <input
          id="search"
          part="search"
          type="search"
          autocomplete="off"
          placeholder=${t('chat.searchPlaceholder')}
          .value=${live(this.#directory.query)}
          @input=${(e: InputEvent) => this.#directory.input((e.target as HTMLInputElement).value)}
        />
        <button type="submit">${t('chat.searchButton')}</button>
      </div>
    </form>`;
  }

  /** The contacts, then the directory's answer, each person rendered by `item` (both panels). */
  #renderPeople(
    contacts: Person[],
    results: Person[] | undefined,
    item: (person: Person) => TemplateResult,
  ) {
    const t = this.#l10n.t.bind(this.#l10n);
    return html`${
      contacts.length
        ? html`<h3>${t('chat.contacts')}</h3>
            <ul class="people">
              ${contacts.map(item)}
            </ul>`
        : nothing
    }
    ${
      results
        ? html`<h3>${t('chat.directory')}</h3>
            ${
              results.length
                ? html`<ul class="people">
                    ${results.map(item)}
                  </ul>`
                : html`<p class="hint">${t('chat.noResults')}</p>`
            }`
        : this.#directory.searching
          ? html`<p class="hint">${t('chat.searching')}</p>`
          : nothing
    }`;
  }

  /** "New group": a name, the chosen people as chips, and people to choose (checkboxes). */
  #renderGroup() {
    const t = this.#l10n.t.bind(this.#l10n);
    const { contacts, results } = this.#candidates();
    const chosen = new Set(this._chosen.map((p) => p.userId));
    const error = this._groupError;
    const option = (person: Person) =>
      html`<li>
        <label part="group-person" class="choice">
          <input
            type="checkbox"
            .checked=${live(chosen.has(person.userId))}
            @change=${(e: Event) => this.#choose(person, (e.target as HTMLInputElement).checked)}
          />
          <span class="name">${person.name}</span> <span class="hint">${person.userId}</span>
        </label>
      </li>`;
    return html`<div
      part="group"
      id="group"
      class="new group"
      role="group"
      aria-labelledby="group-title"
    >
      <h3 id="group-title">${t('chat.newGroup')}</h3>
      <form id="group-form" class="search" @submit=${this.#onCreateGroup}>
        <label for="group-name">${t('chat.groupName')}</label>
        <input
          id="group-name"
          part="group-name"
          autocomplete="off"
          maxlength="100"
          .value=${live(this._groupName)}
          @input=${(e: InputEvent) => (this._groupName = (e.target as HTMLInputElement).value)}
        />
      </form>
      <p id="group-count" part="group-count" class="hint">${this.#countText()}</p>
      ${
        this._chosen.length
          ? html`<ul part="chips" class="chips" aria-label=${t('chat.groupChosen')}>
              ${this._chosen.map(
                (person, index) =>
                  html`<li part="chip" class="chip">
                    <span class="name">${person.name}</span>
                    <button
                      type="button"
                      part="chip-remove"
                      aria-label=${t('chat.groupRemove', { name: person.name })}
                      @click=${() => this.#unchoose(person, index)}
                    >
                      ${icon('close')}
                    </button>
                  </li>`,
              )}
            </ul>`
          : nothing
      }
      ${this.#renderSearch()}
      <fieldset
        class="choose"
        aria-describedby="group-count"
        aria-invalid=${error?.code === TOO_FEW ? 'true' : 'false'}
      >
        <legend>${t('chat.groupPeople')}</legend>
        ${this.#renderPeople(contacts, results, option)}
      </fieldset>
      <p part="group-error" class="error" role="alert" data-code=${error?.code ?? ''}>
        ${error?.text ?? ''}
      </p>
      <button
        type="submit"
        form="group-form"
        part="create-button"
        class="accent"
        aria-disabled=${this._creating ? 'true' : 'false'}
        aria-describedby="group-count"
      >
        ${t(this._creating ? 'chat.groupCreating' : 'chat.groupCreate')}
      </button>
    </div>`;
  }

  /**
   * What `message`'s row shows that takes work (its links, its sender's name, its time),
   * worked out once per message: the virtualizer renders every row of its window again each
   * time the window moves. Forgotten when the language, the people or the conversation's
   * members change.
   */
  #contentOf(message: MessageView, entry: ConversationEntry): MessageContent {
    const lang = this.#l10n.lang;
    const people = this.#people.value;
    const scope = this.#contentScope;
    if (scope.lang !== lang || scope.people !== people || scope.members !== entry.members) {
      this.#contentScope = { lang, people, members: entry.members };
      this.#contents = new WeakMap();
    }
    let content = this.#contents.get(message);
    if (!content) {
      const text = message.parts.map((p) => p.text).join('\n');
      content = {
        text,
        // Text stays text: only the links found by linkify() become elements. (No white
        // space around it in the template: the paragraph keeps the message's own white space.)
        body: linkify(text).map((token) =>
          token.type === 'link'
            ? html`<a part="link" href=${token.href} target="_blank" rel="noopener noreferrer"
                >${token.text}</a
              >`
            : token.text,
        ),
        sender: nameOf(people, entry, message.sender),
        time: this.#time(message.timestamp),
        datetime: new Date(message.timestamp).toISOString(),
      };
      this.#contents.set(message, content);
    }
    return content;
  }

  #renderRow(row: Row, entry: ConversationEntry, queued: boolean) {
    const t = this.#l10n.t.bind(this.#l10n);
    if (row.kind === 'older') {
      return html`<div role="listitem" class="older">
        <button
          type="button"
          part="load-older"
          aria-disabled=${this._loadingOlder ? 'true' : 'false'}
          @click=${() => void this.loadOlder()}
        >
          ${t(this._loadingOlder ? 'chat.loadingOlder' : 'chat.loadOlder')}
        </button>
      </div>`;
    }
    if (row.kind === 'day') {
      return html`<div role="listitem" part="day" class="day">
        <span>${this.#dayLabel(row.day)}</span>
      </div>`;
    }
    const m = row.message;
    const { text, body, sender, time, datetime } = this.#contentOf(m, entry);
    const status = m.status === 'pending' && queued ? 'queued' : m.status;
    return html`<div
      role="listitem"
      part=${m.isOwn ? 'message own' : 'message'}
      class=${m.isOwn ? 'message own' : 'message'}
      data-status=${m.status}
    >
      <div class="bubble">
        <span class="visually-hidden">${t('chat.from', { name: sender, time })}</span>
        ${
          entry.type === 'chat' && !m.isOwn
            ? html`<span class="sender" aria-hidden="true">${sender}</span>`
            : nothing
        }
        <p part="text" class="text">${body}</p>
        <p part="meta" class="meta">
          <time aria-hidden="true" datetime=${datetime}>${time}</time>
          ${
            m.isOwn
              ? html`<span part="status" class="status" data-status=${status}
                  >${
                    status === 'failed'
                      ? t('chat.status.failed', { reason: m.error?.message ?? '' })
                      : t(`chat.status.${status}`)
                  }</span
                >`
              : nothing
          }
        </p>
        ${
          m.status === 'failed'
            ? html`<button
                type="button"
                part="retry-button"
                class="retry"
                aria-label=${t('chat.retryLabel', { text })}
                @click=${() => void this.#retry(m)}
              >
                ${icon('refresh')}<span>${t('chat.retry')}</span>
              </button>`
            : nothing
        }
      </div>
    </div>`;
  }

  /** A group's members, each with their presence: this user first (as "you"), then by name. */
  #renderMembers(entry: ConversationEntry, name: string) {
    const t = this.#l10n.t.bind(this.#l10n);
    const people = this.#people.value;
    const self = people?.self;
    const members = entry.members
      .map((m) => ({
        userId: m.userId,
        own: m.userId === self,
        name: nameOf(people, entry, m.userId),
      }))
      .sort((a, b) => Number(b.own) - Number(a.own) || a.name.localeCompare(b.name));
    return html`<ul
      part="members"
      id="members"
      class="members"
      aria-label=${t('chat.membersOf', { name })}
    >
      ${members.map((m) => {
        const presence = m.own ? undefined : this.#statusOf(m.userId);
        return html`<li part="member" class="member">
          <span
            part="presence"
            class=${m.own ? 'dot self' : 'dot'}
            data-status=${presence ?? 'unknown'}
            data-activity=${(!m.own && this.#activityOf(m.userId)) || nothing}
          ></span>
          <span class="name">${m.own ? t('chat.memberYou', { name: m.name }) : m.name}</span>
          ${presence ? html`<span class="hint">${this.#presenceWords(m.userId)}</span>` : nothing}
        </li>`;
      })}
    </ul>`;
  }

  #renderThread(entry: ConversationEntry | undefined) {
    const t = this.#l10n.t.bind(this.#l10n);
    if (!entry) {
      return html`<section part="thread" class="thread">
        <p part="empty" class="empty hint">${t('chat.empty')}</p>
      </section>`;
    }
    const ref = conversationRef(entry);
    const name = this.#titleOf(entry);
    const group = entry.type === 'chat';
    const queued = !!this.#connection.value?.reason;
    const typing = entry.typing.map((u) => nameOf(this.#people.value, entry, u));
    const rows = this.#lastRows.length ? this.#lastRows : rowsOf(entry);
    // Until the virtualizer has arrived (the first thread shown), the list is empty and busy.
    const loaded = loadedVirtualizer;
    return html`<section part="thread" class="thread" aria-labelledby="thread-title">
      <div class="bar" @keydown=${this.#onThreadBarKeyDown}>
        <button
          type="button"
          part="back-button"
          class="back"
          aria-label=${t('chat.back')}
          @click=${this.showList}
        >
          ${chatIcon('back')}
        </button>
        ${this.#partnerDot(entry)}
        <h2 id="thread-title">
          ${name}${
            partnerOf(entry)
              ? html`<span class="visually-hidden"
                  >, ${this.#presenceWords(partnerOf(entry))}</span
                >`
              : nothing
          }
        </h2>
        ${
          group
            ? html`<button
                type="button"
                part="members-button"
                class="members-button"
                aria-expanded=${this._membersOpen ? 'true' : 'false'}
                aria-controls="members"
                @click=${() => (this._membersOpen = !this._membersOpen)}
              >
                ${chatIcon('group')}<span
                  >${t('chat.members', { count: entry.members.length })}</span
                >
              </button>`
            : nothing
        }
        ${group && this._membersOpen ? this.#renderMembers(entry, name) : nothing}
      </div>
      ${keyed(
        ref,
        html`<div
          part="messages"
          class="messages"
          role="list"
          tabindex="0"
          aria-label=${t('chat.messages', { name })}
          aria-busy=${loaded ? 'false' : 'true'}
          @scroll=${this.#onScroll}
          @visibilityChanged=${this.#onVisibilityChanged}
        >
          ${
            loaded
              ? loaded.virtualize({
                  items: rows,
                  keyFunction: (row: Row) => row.key,
                  renderItem: (row: Row) => this.#renderRow(row, entry, queued),
                  scroller: true,
                  layout: {
                    type: loaded.ThreadLayout,
                    pin: { index: Math.max(0, rows.length - 1), block: 'end' },
                  },
                })
              : nothing
          }
        </div>`,
      )}
      <p part="typing" class="typing hint" aria-hidden=${typing.length ? 'false' : 'true'}>
        ${
          typing.length
            ? t(typing.length > 1 ? 'chat.typingMany' : 'chat.typing', {
                names: typing.join(', '),
              })
            : ''
        }
      </p>
      ${queued ? html`<p part="queued" id="queued" class="notice">${t('chat.queued')}</p>` : nothing}
      <form part="composer" class="composer" @submit=${this.#onSubmit}>
        <textarea
          id="composer"
          part="input"
          rows="2"
          maxlength="16384"
          aria-label=${t('chat.messageTo', { name })}
          placeholder=${t('chat.messageTo', { name })}
          aria-describedby=${queued ? 'composer-help queued' : 'composer-help'}
          .value=${live(this.#drafts.get(entry.destination ?? ref) ?? '')}
          @keydown=${this.#onKeyDown}
          @input=${this.#onInput}
        ></textarea>
        <button type="submit" part="send-button" class="accent" aria-label=${t('chat.send')}>
          ${chatIcon('send')}
        </button>
      </form>
      <p id="composer-help" class="visually-hidden">${t('chat.composerHelp')}</p>
    </section>`;
  }

  protected override render() {
    const t = this.#l10n.t.bind(this.#l10n);
    const entries = Object.values(this.#conversations.value ?? NO_ENTRIES).sort(
      (a, b) => lastActivity(b) - lastActivity(a),
    );
    const current = this.#entry();
    const pane = current ? this._pane : 'list';
    return html`<div
      part="base"
      class=${this._wide ? 'base wide' : 'base narrow'}
      data-pane=${pane}
      role="region"
      aria-label=${t('chat.label')}
    >
      ${this.#announcer.render()} ${renderConnectionNotice(this.#connection.value, this.#l10n)}
      <div class="panes">${this.#renderList(entries, current)} ${this.#renderThread(current)}</div>
      <p part="error" class="error" role="alert">${this._error ?? ''}</p>
    </div>`;
  }
}

/** The thread's virtualizer once loaded: shared by every `<comms-chat>` of the page. */
let loadedVirtualizer: typeof Virtualizer | undefined;
let virtualizerLoad: Promise<typeof Virtualizer> | undefined;

/** Loads the thread's virtualizer (its own chunk) once; a failed load is tried again later. */
function loadVirtualizer(): Promise<typeof Virtualizer> {
  virtualizerLoad ??= import('./virtualizer.js').then(
    (module) => (loadedVirtualizer = module),
    (error: unknown) => {
      virtualizerLoad = undefined;
      throw error;
    },
  );
  return virtualizerLoad;
}

/** What the element uses of the virtualizer behind its thread. */
interface VirtualizerApi {
  element(index: number): { scrollIntoView(options?: ScrollIntoViewOptions): void } | undefined;
}
