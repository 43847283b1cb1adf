/**
 * `createClient(config)` and the client it returns: the public API, kept thin. Features
 * (auth, call, conversation, …) attach their namespaces here as they are built.
 */
import { createNanoEvents, type Emitter } from 'nanoevents';
import {
  resolveConfig,
  type ClientConfig,
  type ConfigUpdate,
  deepMerge,
  normaliseConfig,
  validateConfig,
} from './config.js';
import { CommsError, ErrorCodes } from './errors.js';
import type { AnyEventListener, CommsEventMap, CommsEventName, EventListener } from './events.js';
import { createLogger, type Logger, type LogTarget } from './logger.js';
import { getBrowserDetails, type BrowserDetails } from './platform/browser.js';
import { defaultRuntime, type Runtime } from './platform/runtime.js';
import { Store, type ReadableStore } from './store.js';
import type { ClientState } from './state.js';
import { version } from './version.js';
import { AuthManager, initialAuthState, isFinalAuthError } from './auth/manager.js';
import type {
  AuthState,
  Credentials,
  SavedSession,
  SignupOptions,
  UserInfoResult,
} from './auth/types.js';
import type { UserInfo } from './protocol/schema.js';
import { ConnectionManager, initialConnectionState } from './transport/connection.js';
import type { WSConnectionObject } from './transport/types.js';
import { changeReasons, initialServicesState, ServicesManager } from './services/manager.js';
import type { ServiceDescriptor, SubscribeOptions, SubscriptionsInfo } from './services/types.js';
import type { ServiceName } from './protocol/constants.js';
import { LazyCallManager, initialCallsState } from './call/lazy-manager.js';
import { mediaConnectionStates, states } from './call/states.js';
import { metrics, reportEvents, type CallReport } from './call/report.js';
import type { AudioFilePlaying } from './call/operations.js';
import {
  Transitions,
  type CallSignalling,
  type CustomParameter,
  type RemoteParty,
} from './call/signalling.js';
import type { AnswerOptions, CallObject, MakeOptions } from './call/types.js';
import { LazyMediaManager } from './media/lazy-manager.js';
import { initialMediaState } from './media/state.js';
import type {
  DefaultDevices,
  DetachedMedia,
  DevicesObject,
  MediaRequest,
  TrackObject,
} from './media/types.js';
import type { SdpHandlerFunction } from './sdp/types.js';
import type { LocalHub } from './backends/local/hub.js';
import { initialHistoryState } from './call/history-state.js';
import type { CallRecord, MemberState } from './protocol/schema.js';
import { LazyConversationManager } from './conversation/lazy-manager.js';
import type { ConversationManager } from './conversation/manager.js';
import { initialConversationsState, checkParts } from './conversation/state.js';
import type { ConversationEntry, MessageView, Part } from './conversation/types.js';
import { initialPresenceState, statuses, activities } from './presence/state.js';
import { initialContactsState, type ContactInput } from './contacts/state.js';
import { initialUsersState, type SearchFilters } from './user/state.js';
import { LazyContacts, LazyHistory, LazyPresence, LazyUsers } from './people/lazy.js';
import { LazyVoicemail } from './voicemail/lazy.js';
import { initialVoicemailState } from './voicemail/state.js';
import type {
  LeaveVoicemailOptions,
  RecordVoicemailOptions,
  Voicemail,
  VoicemailIndicators,
  VoicemailLeaveResponse,
  VoicemailRecording,
} from './voicemail/types.js';
import type { Contact, DirectoryUser, Presence } from './protocol/schema.js';

export type { ClientState } from './state.js';

/** Options of `connect()`. */
export interface ConnectOptions extends SubscribeOptions {
  /** Services to subscribe to once connected. Default `['call', 'chat', 'presence']`; `[]` for none. */
  services?: ServiceDescriptor[];
}

/** The services `connect()` subscribes to when not told. */
export const DEFAULT_SERVICES = ['call', 'chat', 'presence'] as const;

/** The `auth` namespace. */
export interface AuthNamespace {
  /** Sets the credentials (password, bearer token, app-signed ticket, or saved session). */
  setCredentials(credentials: Credentials): void;
  /** Authenticates, opens the WebSocket and subscribes to services. Resolves with the user info. */
  connect(credentials?: Credentials, options?: ConnectOptions): Promise<UserInfoResult>;
  /** Unsubscribes (best effort) and closes the WebSocket; the credentials stay set. */
  disconnect(): Promise<void>;
  /** The current user and access token (the seeds' `getUserInfo`). */
  getUserInfo(): UserInfoResult;
  /** Gives a new bearer access token (bearer credentials only); sent over the open socket. */
  updateToken(credentials: { bearerAccessToken: string; username?: string }): void;
  /** Creates an account (Sinch `newUser`). Does not log in. */
  signup(options: SignupOptions): Promise<UserInfo>;
  /** Disconnects, revokes the session on the server and forgets the credentials. */
  logout(): Promise<void>;
  /** The session to save for a later page (Sinch `getSession`): pass it to `setCredentials({session})`. */
  getSession(): SavedSession | null;
  /** Renews the access token now (it also renews itself before it expires). */
  refreshToken(): Promise<void>;
}

/** The `connection` namespace (as in the seeds). */
export interface ConnectionNamespace {
  /** The state of the WebSocket (the seeds' WSConnectionObject). */
  getSocketState(): WSConnectionObject;
  /** Turns keepalive pings on or off at once. */
  enableConnectivityChecking(enable: boolean): void;
  /** Drops the WebSocket and recovers as after a real loss. */
  resetConnection(): void;
}

/** What `call.playAudioFile` returns: its promise, with the seeds' chainable `onPlaying`. */
export type PlayingPromise = Promise<void> & {
  onPlaying(callback: (info: AudioFilePlaying) => void): PlayingPromise;
};

/** The `call` namespace (as in the seeds). */
export interface CallNamespace {
  /** Starts a call; returns its id at once. Progress: `call:start`, `call:stateChange`. */
  make(destination: string, media?: MediaRequest, options?: MakeOptions): string;
  answer(callId: string, media?: MediaRequest, options?: AnswerOptions): Promise<void>;
  reject(callId: string): Promise<void>;
  ignore(callId: string): Promise<void>;
  /**
   * Forwards an incoming call that rings here to `destination`, who rings instead (the seeds'
   * `forward`). The call ends here (`Forwarded`, 302); the caller's goes on ringing, now at the
   * destination (`call:forwarded`).
   */
  forward(callId: string, destination: string): Promise<void>;
  end(callId: string): Promise<void>;
  sendRingingFeedback(callId: string): Promise<void>;
  hold(callId: string): Promise<void>;
  unhold(callId: string): Promise<void>;
  addMedia(callId: string, media?: MediaRequest): Promise<void>;
  removeMedia(callId: string, trackIds: string[]): Promise<void>;
  startVideo(callId: string, videoOptions?: MediaRequest['videoOptions']): Promise<void>;
  stopVideo(callId: string): Promise<void>;
  startScreenshare(callId: string, screenOptions?: MediaRequest['screenOptions']): Promise<void>;
  stopScreenshare(callId: string): Promise<void>;
  /** Replaces a local track; resolves with the new track's id. */
  replaceTrack(callId: string, trackId: string, media: MediaRequest): Promise<string>;
  sendDTMF(callId: string, tone: string, duration?: number, intertoneGap?: number): Promise<void>;
  getStats(callId: string, trackId?: string): Promise<RTCStatsReport>;
  getAvailableCodecs(kind: 'audio' | 'video'): Promise<RTCRtpCodec[]>;
  restartMedia(callId: string): Promise<void>;
  /** Transfers the other party of a locally held call to `destination` (blind transfer). */
  directTransfer(callId: string, destination: string): Promise<void>;
  /** Connects the other parties of two locally held calls, then ends both (warm transfer). */
  consultativeTransfer(callId: string, otherCallId: string): Promise<void>;
  /**
   * Joins two locally held calls into one audio call with both parties, mixed in this browser;
   * resolves with the new call's id (`call:join`). Both calls end as `Joined`.
   */
  join(callId: string, otherCallId: string): Promise<string>;
  setSdpHandlers(handlers: SdpHandlerFunction[]): void;
  /**
   * Sets (or, with none, clears) a call's custom parameters, kept on its `CallObject` and sent
   * with its renegotiations and by `sendCustomParameters`.
   */
  setCustomParameters(callId: string, customParameters?: CustomParameter[]): void;
  /** Sends a connected call's custom parameters to the other party (`call:customParameters`). */
  sendCustomParameters(callId: string): Promise<void>;
  /**
   * Plays an audio file (a path or URL, read by the browser's `Audio`) to the other party
   * instead of the microphone, for the file's length. Resolves once it has played and the
   * call's audio is back; `.onPlaying(({duration}) => …)`, chained before `then`, is told
   * when it starts.
   */
  playAudioFile(callId: string, filePath: string): PlayingPromise;
  getAll(): CallObject[];
  getById(callId: string): CallObject | undefined;
  /** The call's report: a timeline of its operations and metrics computed from it. */
  getReport(callId: string): CallReport;
  readonly states: typeof states;
  readonly mediaConnectionStates: typeof mediaConnectionStates;
  /** The operations a report's timeline records. */
  readonly reportEvents: typeof reportEvents;
  /** The metrics a report computes. */
  readonly metrics: typeof metrics;
  /** Call history (the seeds' `call.history`), from the gateway's call records. */
  readonly history: CallHistoryNamespace;
}

/** The `call.history` namespace (as in the seeds). */
export interface CallHistoryNamespace {
  /** The cached records, newest first. */
  get(): CallRecord[];
  /** Fetches records from the server into the cache. */
  fetch(amount?: number, offset?: number): Promise<CallRecord[]>;
  remove(recordId: string): Promise<void>;
  clear(): Promise<void>;
  getCache(): string;
  setCache(data: string): void;
}

/** A message as `getMessages()` returns it: the seeds' fields plus its actions. */
export interface Message extends MessageView {
  /** Marks this message (and everything before it) read; the sender sees a read receipt. */
  markRead(): Promise<void>;
  /** Sends the same parts to another user. */
  forward(destination: string): MessageView;
  /** Sends a failed message again (same client id: stored once). */
  retry(): void;
}

/** A message being composed (the seeds' `createMessage` result). */
export interface MessageDraft {
  parts: Part[];
  addPart(part: Part): void;
  /** Queues the message; it shows as pending until the server stored it. */
  send(): MessageView;
}

/** A conversation (the seeds' Conversation object, plus groups, unread, typing, paging). */
export interface ConversationObject {
  /** The server's id once known. */
  id: string | null;
  type: 'im' | 'chat' | 'sms';
  /** The other user of a one-to-one conversation. */
  destination: string | null;
  name: string | null;
  members: MemberState[];
  unread: number;
  typing: string[];
  /** True while older messages can be loaded with `loadOlder()`. */
  hasOlder: boolean;
  lastMessage: MessageView | null;
  createMessage(part: Part): MessageDraft;
  getMessages(): Message[];
  getMessage(messageId: string): Message | undefined;
  clearMessages(): void;
  /** Marks everything read. */
  markRead(): Promise<void>;
  /** Loads older messages from the server; resolves with how many came. */
  loadOlder(limit?: number): Promise<number>;
  /** Tells the others this user is typing (true) or stopped (false). */
  sendTyping(active: boolean): Promise<void>;
}

/** The `conversation` namespace (as in the seeds). */
export interface ConversationNamespace {
  /** The one-to-one conversation with `destination` (created in the state if new). */
  get(destination: string, options?: { type?: 'im' | 'sms' }): ConversationObject;
  getAll(): ConversationObject[];
  /** A group conversation (comms-kit). */
  create(members: string[], options?: { name?: string }): Promise<ConversationObject>;
  /** The conversation with this server id, if known. */
  getById(id: string): ConversationObject | undefined;
  readonly chatTypes: { readonly IM: 'im'; readonly CHAT: 'chat'; readonly SMS: 'sms' };
}

/** The `presence` namespace (as in the seeds, plus Notify's availability). */
export interface PresenceNamespace {
  update(status: string, activity: string, note?: string): Promise<Presence>;
  fetch(users: string[]): Promise<Presence[]>;
  subscribe(users: string[]): Promise<Presence[]>;
  unsubscribe(users: string[]): Promise<void>;
  get(userId: string): Presence | undefined;
  getAll(): Presence[];
  getSelf(): Presence | null;
  /** Notify's `setClientAvailable`: whether this client takes calls. */
  setAvailable(available: boolean): Promise<void>;
  /** Notify's `getAvailableClients`: connected users that take calls, excluding this user. */
  getAvailableClients(): Promise<Array<{ userId: string; displayName: string }>>;
  readonly statuses: typeof statuses;
  readonly activities: typeof activities;
}

/** The `contacts` namespace (as in the seeds). */
export interface ContactsNamespace {
  add(contact: ContactInput): Promise<Contact>;
  get(contactId: string): Contact | undefined;
  getAll(): Contact[];
  update(contact: Contact): Promise<Contact>;
  remove(contactId: string): Promise<void>;
  /** Loads the address book from the server. */
  refresh(): Promise<Contact[]>;
  /** Same as `refresh` (Kandy's name). */
  fetch(): Promise<Contact[]>;
}

/**
 * The `voicemail` namespace: the seeds' indicators (`fetch`, `get`, `voicemail:change`,
 * `voicemail:error`), and the mailbox behind them. Its manager is a chunk loaded on first use;
 * `get()` and `getAll()` answer from the state without it.
 */
export interface VoicemailNamespace {
  /** Reads the mailbox from the gateway; emits `voicemail:change` when done (seeds). */
  fetch(): Promise<VoicemailIndicators>;
  /** The indicators, from the state (seeds): new = not heard, old = heard, urgent = 0. */
  get(): VoicemailIndicators;
  /** The mailbox as last read (or pushed since), newest first. */
  getAll(): Voicemail[];
  /** Reads the mailbox from the gateway and answers it, newest first. */
  list(): Promise<Voicemail[]>;
  /** Records a message from the microphone (`MediaRecorder`); `stop()` gives it for `leave`. */
  record(options?: RecordVoicemailOptions): Promise<VoicemailRecording>;
  /** Leaves `audio` for `destination` (a user id, username, email or number). */
  leave(
    destination: string,
    audio: Blob,
    options: LeaveVoicemailOptions,
  ): Promise<VoicemailLeaveResponse>;
  /** One voicemail's recording (for an `<audio>`: `URL.createObjectURL(blob)`). */
  getAudio(id: string): Promise<Blob>;
  /** Marks one heard (on every device of this user). */
  markHeard(id: string): Promise<Voicemail>;
  /** Deletes one (on every device of this user). */
  remove(id: string): Promise<void>;
}

/** The `user` namespace (as in the seeds). */
export interface UserNamespace {
  fetch(userId: string): Promise<DirectoryUser | null>;
  fetchSelfInfo(): Promise<DirectoryUser | null>;
  get(userId: string): DirectoryUser | undefined;
  getAll(): DirectoryUser[];
  search(filters?: SearchFilters): Promise<DirectoryUser[]>;
}

/** The `media` namespace (as in the seeds, plus Kandy's device helpers). */
export interface MediaNamespace {
  getDevices(): DevicesObject;
  initializeDevices(permission?: { audio: boolean; video: boolean }): Promise<DevicesObject>;
  createLocalMedia(request: MediaRequest): Promise<DetachedMedia[]>;
  getLocalMedia(): DetachedMedia[];
  disposeLocalMedia(media: DetachedMedia | string): void;
  renderTracks(
    trackIds: string[],
    selector: string | Element,
    options?: { speakerId?: string },
  ): Promise<void>;
  removeTracks(trackIds: string[], selector?: string | Element): void;
  muteTracks(trackIds: string[]): void;
  unmuteTracks(trackIds: string[]): void;
  getTrackById(trackId: string): TrackObject | undefined;
  setDefaultDevices(devices: DefaultDevices): void;
  /** Switches the microphone and/or camera of every active call (Kandy `changeInputDevices`). */
  changeInputDevices(devices: { microphone?: string; camera?: string }): Promise<void>;
  /** Sends every rendered remote media element to this speaker (Kandy `changeSpeaker`). */
  changeSpeaker(speakerId: string): Promise<void>;
}

/** The `services` namespace (as in the seeds). */
export interface ServicesNamespace {
  subscribe(services: ServiceDescriptor[], options?: SubscribeOptions): Promise<SubscriptionsInfo>;
  unsubscribe(services?: ServiceDescriptor[]): Promise<SubscriptionsInfo>;
  getSubscriptions(): SubscriptionsInfo;
  /** Reasons for a subscription change the application did not ask for. */
  readonly changeReasons: typeof changeReasons;
}

/** Whether a list of services asks for `service`. */
function includes(services: readonly ServiceDescriptor[], service: ServiceName): boolean {
  return (
    Array.isArray(services) &&
    services.some((s) => (typeof s === 'string' ? s : s?.service) === service)
  );
}

type Events = { [K in CommsEventName]: (params: CommsEventMap[K]) => void };

/** The manager of a lazy feature (`LazyFeature.current`). */
type Managed<F extends { readonly current: object | undefined }> = NonNullable<F['current']>;

/** The slices that hold a user's data: empty at first, and again when the user changes. */
const userSlices = {
  history: initialHistoryState,
  conversations: initialConversationsState,
  presence: initialPresenceState,
  contacts: initialContactsState,
  users: initialUsersState,
  voicemail: initialVoicemailState,
};

/**
 * A comms-kit client. Create it with {@link createClient}; the seeds call it `api`.
 */
export class CommsClient {
  readonly #store: Store<ClientState>;
  readonly #emitter: Emitter<Events> = createNanoEvents<Events>();
  readonly #all = new Set<AnyEventListener>();
  readonly #log: Logger;
  readonly #auth: AuthManager;
  readonly #connection: ConnectionManager;
  readonly #services: ServicesManager;
  readonly #media: LazyMediaManager;
  readonly #calls: LazyCallManager;
  readonly #history: LazyHistory;
  readonly #conversations: LazyConversationManager;
  /** The conversation manager's methods that wait for it (it loads when not here yet). */
  readonly #chat: Pick<
    ConversationManager,
    'createGroup' | 'markRead' | 'loadOlder' | 'sendTyping'
  >;
  readonly #presence: LazyPresence;
  readonly #contacts: LazyContacts;
  readonly #users: LazyUsers;
  readonly #voicemail: LazyVoicemail;
  /** Whose data the user's slices hold (their user name, or the in-page party's id). */
  #owner: string | undefined;

  /** Presence (the seeds' `presence` namespace). */
  readonly presence: PresenceNamespace;
  /** The personal address book (the seeds' `contacts` namespace). */
  readonly contacts: ContactsNamespace;
  /** Users and the directory (the seeds' `user` namespace). */
  readonly user: UserNamespace;
  /** Voicemail (the seeds' `voicemail` namespace, and the mailbox behind it). */
  readonly voicemail: VoicemailNamespace;

  /** Messaging (the seeds' `conversation` namespace). */
  readonly conversation: ConversationNamespace;
  #localParty: RemoteParty | undefined;
  /** The signalling calls use instead of the gateway's (`comms-kit/sip`), while set. */
  #callSignalling: CallSignalling | undefined;
  #detachLocal: (() => void) | undefined;
  #localJoining: Promise<void> | undefined;
  #destroyed = false;

  /** Calls (the seeds' `call` namespace). */
  readonly call: CallNamespace;
  /** Media tracks and devices (the seeds' `media` namespace). */
  readonly media: MediaNamespace;

  /** Authentication (seeds: the top-level `setCredentials`, `connect`, … and Sinch's `newUser`). */
  readonly auth: AuthNamespace;
  /** The WebSocket connection. */
  readonly connection: ConnectionNamespace;
  /** Service subscriptions. */
  readonly services: ServicesNamespace;

  /**
   * Use {@link createClient}. `runtime` replaces parts of the environment (for tests of one
   * layer: a fake clock or socket).
   */
  constructor(config: unknown = {}, runtime: Partial<Runtime> = {}) {
    const resolved = resolveConfig(config);
    const env: Runtime = { ...defaultRuntime(), ...runtime };
    const correlator = `${version}-${env.random().toString(36).slice(2, 12)}`;
    this.#store = new Store<ClientState>({
      config: resolved,
      lifecycle: 'active',
      auth: initialAuthState,
      connection: initialConnectionState,
      services: initialServicesState(correlator),
      call: initialCallsState,
      media: initialMediaState,
      ...userSlices,
    });
    this.#log = this.logger({ type: 'client' });
    const context = (type: string) => ({
      runtime: env,
      config: () => this.#store.getState().config,
      store: this.#store,
      emit: this.emit.bind(this),
      on: <K extends CommsEventName>(type: K, listener: EventListener<K>) =>
        this.#emitter.on(type, listener as Events[K]),
      log: this.logger({ type }),
    });
    this.#auth = new AuthManager(context('auth'));
    this.#connection = new ConnectionManager(context('connection'), {
      accessToken: () => this.#auth.accessToken(),
      isFinalAuthError,
      onConnected: async (reconnected) => {
        if (reconnected) {
          await this.#services.restore();
          void this.#presence.restore();
          this.#voicemail.restore();
        }
        this.#conversations.sync();
      },
      onEvent: (frame) => {
        if (
          this.#services.handleEvent(frame) ||
          this.#calls.handleGatewayEvent(frame) ||
          this.#conversations.handleEvent(frame) ||
          this.#presence.handleEvent(frame) ||
          this.#contacts.handleEvent(frame) ||
          this.#history.handleEvent(frame) ||
          this.#voicemail.handleEvent(frame)
        ) {
          return;
        }
        this.#log.debug(`unhandled event '${frame.event}'`);
      },
      onLost: () => this.#services.connectionLost(),
    });
    this.#services = new ServicesManager(context('services'), this.#connection);
    // The people features (presence, contacts, the directory, call history) are one chunk
    // loaded on demand (people/lazy.ts).
    this.#history = new LazyHistory(context('history'), () => this.#auth.accessToken());
    // The conversation manager is a chunk loaded on demand (conversation/lazy-manager.ts).
    this.#conversations = new LazyConversationManager(
      context('conversation'),
      this.#connection,
      () => this.#selfId(),
    );
    this.#chat = this.#conversations.later(['createGroup', 'markRead', 'loadOlder', 'sendTyping']);
    this.#presence = new LazyPresence(context('presence'), this.#connection);
    this.#contacts = new LazyContacts(context('contacts'), this.#connection);
    this.#users = new LazyUsers(context('user'), this.#connection, () => this.#selfId());
    // The voicemail manager is a chunk loaded on first use (voicemail/lazy.ts).
    this.#voicemail = new LazyVoicemail(
      context('voicemail'),
      () => this.#auth.accessToken(),
      () => this.#localParty !== undefined,
    );
    // The media manager is a chunk loaded on demand (media/lazy-manager.ts).
    this.#media = new LazyMediaManager(context('media'));
    // The call engine itself is a chunk loaded on demand (core/call/lazy-manager.ts).
    this.#calls = new LazyCallManager(
      context('call'),
      this.#media,
      () => this.#selfId(),
      () => this.#turnToken(),
    );
    // users.self follows who this client is: the signed-in user, or the hub party.
    this.#store.select(
      (s) => s.auth.user,
      () => this.#syncSelf(),
    );
    this.#auth.onToken((accessToken) => {
      if (!this.#connection.connected) return;
      this.#connection.request({ type: 'token.update', accessToken }).catch((error: unknown) => {
        this.#log.warn('the gateway refused the renewed token; reconnecting', error);
        this.#connection.reset();
      });
    });

    // The namespaces: each method guarded (it throws `client:destroyed` once the client is),
    // its name (with the namespace's `prefix`) naming it in that error.
    type Methods = Record<string, (...args: never[]) => unknown>;
    const guarded = <T extends Methods>(methods: T, prefix = ''): T =>
      Object.fromEntries(
        Object.entries(methods).map(([name, method]) => [
          name,
          (...args: never[]) => {
            this.#assertActive(prefix + name);
            return method(...args);
          },
        ]),
      ) as T;
    /** Guarded methods that call `target`'s methods of the same names. */
    const forward = <T, K extends keyof T & string>(target: T, names: readonly K[], prefix = '') =>
      guarded(
        Object.fromEntries(
          names.map((name) => [
            name,
            (...args: unknown[]) =>
              (target[name] as (...a: unknown[]) => unknown).apply(target, args),
          ]),
        ),
        prefix,
      ) as unknown as Pick<T, K>;
    /**
     * A lazy feature's namespace: `now` answered at once (from the state), `later` run on its
     * manager (loaded when not here yet).
     */
    const lazy = <
      F extends { readonly current: object | undefined; later(names: never): object },
      K extends keyof F & string,
      L extends keyof Managed<F> & string,
    >(
      feature: F,
      now: readonly K[],
      later: readonly L[],
      prefix = '',
    ) => ({
      ...forward(feature, now, prefix),
      ...forward(feature.later(later as never) as Pick<Managed<F>, L>, later, prefix),
    });
    this.auth = guarded({
      setCredentials: (credentials: Credentials) =>
        this.#auth.setCredentials(credentials, this.#connection.connected),
      connect: (credentials?: Credentials, options?: ConnectOptions) =>
        this.#connect(credentials, options),
      disconnect: () => this.#disconnect(),
      getUserInfo: () => this.#userInfo(),
      updateToken: (credentials: { bearerAccessToken: string; username?: string }) =>
        this.#auth.updateToken(credentials),
      signup: (options: SignupOptions) => this.#auth.signup(options),
      logout: async () => {
        // The user's calls are hung up first, so the other parties learn of it (without the
        // engine, there is no call).
        await this.#calls.current?.hangUpAll();
        await this.#disconnect();
        // Before the user is gone from the state: what ends now is theirs.
        this.#forgetUser();
        await this.#auth.logout();
      },
      getSession: () => this.#auth.getSession(),
      refreshToken: async () => {
        await this.#auth.refresh();
      },
    });
    this.connection = guarded({
      getSocketState: () => this.#connection.getSocketState(),
      enableConnectivityChecking: (enable: boolean) => {
        this.updateConfig({ connectivity: { checkConnectivity: enable } });
        this.#connection.setConnectivityChecking(enable);
      },
      resetConnection: () => this.#connection.reset(),
    });
    const calls = this.#calls;
    const playAudio = calls.later(['playAudioFile']).playAudioFile;
    this.call = {
      ...lazy(
        calls,
        ['make', 'setSdpHandlers', 'setCustomParameters', 'getAll', 'getById', 'getReport'],
        // The engine's operations: they load it when it is not here yet.
        [
          'answer',
          'reject',
          'ignore',
          'forward',
          'end',
          'sendRingingFeedback',
          'hold',
          'unhold',
          'addMedia',
          'removeMedia',
          'startVideo',
          'stopVideo',
          'startScreenshare',
          'stopScreenshare',
          'replaceTrack',
          'sendDTMF',
          'getStats',
          'getAvailableCodecs',
          'restartMedia',
          'sendCustomParameters',
          'directTransfer',
          'consultativeTransfer',
          'join',
        ],
      ),
      ...guarded({
        playAudioFile: (callId: string, filePath: string) => {
          let listener: ((info: AudioFilePlaying) => void) | undefined;
          const promise = playAudio(callId, filePath, (info) => listener?.(info)) as PlayingPromise;
          promise.onPlaying = (callback) => {
            listener = callback;
            return promise;
          };
          return promise;
        },
      }),
      states,
      mediaConnectionStates,
      reportEvents,
      metrics,
      history: lazy(
        this.#history,
        ['get', 'getCache', 'setCache'],
        ['fetch', 'remove', 'clear'],
        'history.',
      ),
    };
    this.conversation = {
      ...guarded(
        {
          get: (destination: string, options?: { type?: 'im' | 'sms' }) =>
            this.#conversationObject(
              this.#conversations.ensureDirect(destination, options?.type ?? 'im'),
            ),
          getAll: () => this.#conversations.entries().map((e) => this.#conversationObject(e)),
          create: async (members: string[], options?: { name?: string }) =>
            this.#conversationObject(await this.#chat.createGroup(members, options?.name)),
          getById: (id: string) => {
            const entry = this.#conversations.entries().find((e) => e.id === id);
            return entry ? this.#conversationObject(entry) : undefined;
          },
        },
        'conversation.',
      ),
      chatTypes: { IM: 'im', CHAT: 'chat', SMS: 'sms' } as const,
    };
    // The people features: getters from the state, the rest through the manager (lazy).
    this.presence = {
      ...lazy(
        this.#presence,
        ['get', 'getAll', 'getSelf'],
        ['update', 'fetch', 'subscribe', 'unsubscribe', 'setAvailable', 'getAvailableClients'],
        'presence.',
      ),
      statuses,
      activities,
    };
    const contacts = lazy(
      this.#contacts,
      ['get', 'getAll'],
      ['add', 'update', 'remove', 'refresh'],
      'contacts.',
    );
    this.contacts = { ...contacts, ...guarded({ fetch: () => contacts.refresh() }, 'contacts.') };
    this.user = lazy(this.#users, ['get', 'getAll'], ['fetch', 'fetchSelfInfo', 'search'], 'user.');
    this.voicemail = lazy(
      this.#voicemail,
      ['get', 'getAll'],
      ['fetch', 'list', 'record', 'leave', 'getAudio', 'markHeard', 'remove'],
      'voicemail.',
    );
    this.media = {
      ...lazy(
        this.#media,
        [
          'getDevices',
          'getLocalMedia',
          'disposeLocalMedia',
          'removeTracks',
          'muteTracks',
          'unmuteTracks',
          'getTrackById',
          'setDefaultDevices',
        ],
        // What needs the manager: it loads it when it is not here yet.
        ['initializeDevices', 'createLocalMedia', 'renderTracks', 'changeSpeaker'],
      ),
      ...guarded({
        changeInputDevices: (d: { microphone?: string; camera?: string }) =>
          this.#changeInputDevices(d),
      }),
    };
    this.services = {
      ...forward(this.#services, ['unsubscribe', 'getSubscriptions']),
      ...guarded({
        subscribe: async (services: ServiceDescriptor[], options?: SubscribeOptions) => {
          // Chat: the conversation manager is fetched meanwhile, and here once this resolves.
          const chat = this.#loadChat(services);
          const subscribed = await this.#subscribe(services, options);
          await chat;
          return subscribed;
        },
      }),
      changeReasons,
    };
    this.#log.info(`comms-kit ${version} created`);
  }

  /** The seeds' top-level `setCredentials` (same as `auth.setCredentials`). */
  setCredentials(credentials: Credentials): void {
    this.auth.setCredentials(credentials);
  }

  /** The seeds' top-level `connect` (same as `auth.connect`). */
  connect(credentials?: Credentials, options?: ConnectOptions): Promise<UserInfoResult> {
    return this.auth.connect(credentials, options);
  }

  /** The seeds' top-level `disconnect` (same as `auth.disconnect`). */
  disconnect(): Promise<void> {
    return this.auth.disconnect();
  }

  /** The seeds' top-level `getUserInfo` (same as `auth.getUserInfo`). */
  getUserInfo(): UserInfoResult {
    return this.auth.getUserInfo();
  }

  /** The seeds' top-level `updateToken` (same as `auth.updateToken`). */
  updateToken(credentials: { bearerAccessToken: string; username?: string }): void {
    this.auth.updateToken(credentials);
  }

  /**
   * Joins an in-page hub as `party` (the local backend, `createLocalHub` from
   * `comms-kit/local`: Storybook, offline demos, tests of one page). Calls then reach other clients registered on the same hub, and the client connects
   * to the hub at once (no credentials; `connect()` waits for it) for messaging, presence,
   * contacts and the directory. Returns a function that leaves the hub.
   */
  useLocalBackend(hub: LocalHub, party: RemoteParty): () => void {
    this.#assertActive('useLocalBackend');
    this.#detachLocal?.();
    const signalling = hub.register(party, {
      multiCall: () => this.store.getState().config.call?.multiCall === true,
    });
    this.#localParty = party;
    // Signed in as the party, as far as the state tells (elements read who is signed in there).
    this.#setLocalUser(party);
    this.#calls.useSignalling(signalling);
    void this.#calls.prefetch();
    // Messaging, presence, contacts and the directory: the same frames over the hub's socket
    // (a connection to the gateway is closed first).
    this.#services.clear();
    this.#connection.disconnect();
    this.#connection.useTransport(hub.transport(party));
    const joining = this.#connect().then(
      () => undefined,
      (error: unknown) => this.#log.warn('could not connect to the in-page hub', error),
    );
    this.#localJoining = joining;
    this.#detachLocal = () => {
      this.#services.clear();
      this.#connection.disconnect();
      this.#connection.useTransport(undefined);
      signalling.unregister();
      this.#localParty = undefined;
      this.#setLocalUser(undefined);
      this.#detachLocal = undefined;
    };
    return this.#detachLocal;
  }

  /**
   * Calls go through `signalling` (the SIP backend: `useSipBackend` from `comms-kit/sip`) rather
   * than the gateway's WebSocket; `undefined` gives them back to the gateway.
   * @internal
   */
  useCallSignalling(signalling: CallSignalling | undefined): void {
    this.#assertActive('useCallSignalling');
    this.#callSignalling = signalling;
    if (signalling) {
      this.#calls.useSignalling(signalling);
      void this.#calls.prefetch();
    } else if (this.#connection.connected) this.#calls.useGateway(this.#connection);
  }

  /** Keeps `users.self` true to who this client is now. */
  #syncSelf(): void {
    const user = this.#store.getState().auth.user;
    const self = user ? (user.username ?? user.id) : null; // on a hub: the party (#setLocalUser)
    if (this.#store.getState().users.self === self) return;
    this.#store.update((s) => ({ ...s, users: { ...s.users, self } }));
  }

  /** The auth state on the hub: authenticated as `party` (no token), or back to none. */
  #setLocalUser(party: RemoteParty | undefined): void {
    const auth: AuthState = party
      ? {
          ...initialAuthState,
          status: 'authenticated',
          user: {
            id: party.id,
            username: party.id,
            email: null,
            number: null,
            displayName: party.displayName,
          },
        }
      : initialAuthState;
    this.#store.update((s) => ({ ...s, auth }));
  }

  /** This user's id as conversations and calls name it. */
  #selfId(): string {
    const user = this.#store.getState().auth.user;
    return this.#localParty?.id ?? user?.username ?? user?.id ?? 'anonymous';
  }

  /** A live handle on a conversation: it finds its entry again each time (its key may change). */
  #conversationObject(entry: ConversationEntry): ConversationObject {
    const { type, destination } = entry;
    let id = entry.id;
    const current = (): ConversationEntry => {
      const found =
        (id && this.#conversations.entries().find((e) => e.id === id)) ||
        this.#conversations.entries().find((e) => e.destination === destination && e.type === type);
      if (!found)
        throw new CommsError('conversation:notFound', 'this conversation is no longer known');
      id = found.id;
      return found;
    };
    const message = (view: MessageView): Message => ({
      ...view,
      markRead: () =>
        view.seq === null ? Promise.resolve() : this.#chat.markRead(current().key, view.seq),
      forward: (to: string) =>
        this.#conversations.send(this.#conversations.ensureDirect(to).key, view.parts),
      retry: () => this.#conversations.retry(current().key, view.clientId),
    });
    const object: ConversationObject = {
      get id() {
        return current().id;
      },
      type,
      destination,
      get name() {
        return current().name;
      },
      get members() {
        return current().members;
      },
      get unread() {
        return current().unread;
      },
      get typing() {
        return current().typing;
      },
      get hasOlder() {
        return current().hasOlder;
      },
      get lastMessage() {
        const list = current().messages;
        return list[list.length - 1] ?? null;
      },
      createMessage: (part: Part) => {
        const parts: Part[] = [];
        const draft: MessageDraft = {
          parts,
          addPart: (next: Part) => {
            checkParts([next]);
            parts.push(next);
          },
          send: () => this.#conversations.send(current().key, parts),
        };
        draft.addPart(part);
        return draft;
      },
      getMessages: () => current().messages.map(message),
      getMessage: (messageId: string) => {
        const found = current().messages.find(
          (m) => m.messageId === messageId || m.clientId === messageId,
        );
        return found ? message(found) : undefined;
      },
      clearMessages: () => this.#conversations.clearMessages(current().key),
      markRead: () => this.#chat.markRead(current().key),
      loadOlder: (limit?: number) => this.#chat.loadOlder(current().key, limit),
      sendTyping: (active: boolean) => this.#chat.sendTyping(current().key, active),
    };
    return object;
  }

  /**
   * The access token for the gateway's TURN credentials (the call engine fetches them), or
   * nothing when they are not to be used: configured off, on an in-page hub, or not connected.
   */
  #turnToken(): Promise<string> | undefined {
    return this.#store.getState().config.call?.serverTurnCredentials === false ||
      this.#localParty ||
      !this.#connection.connected
      ? undefined
      : this.#auth.accessToken();
  }

  /**
   * Loads the conversation manager (a chunk fetched once per page) when `services` ask for
   * chat. A failure is logged: the rest goes on, and the next use of messaging tries again.
   */
  async #loadChat(services: readonly ServiceDescriptor[]): Promise<void> {
    if (includes(services, 'chat')) await this.#conversations.prefetch();
  }

  /**
   * Subscribes to `services`. With calls, the engine is loaded first: once `connect()` or
   * `services.subscribe()` resolves (or an invite arrives) it is here, and `call.make()` works
   * at once, as it always did.
   */
  async #subscribe(
    services: ServiceDescriptor[],
    options?: SubscribeOptions,
  ): Promise<SubscriptionsInfo> {
    if (includes(services, 'call')) await this.#calls.prefetch();
    return this.#services.subscribe(services, options);
  }

  /** Sets the default devices; calls in progress switch to them (the engine, if here). */
  #changeInputDevices(devices: { microphone?: string; camera?: string }): Promise<void> {
    this.#media.setDefaultDevices({
      ...(devices.microphone ? { microphone: devices.microphone } : {}),
      ...(devices.camera ? { camera: devices.camera } : {}),
    });
    return this.#calls.changeInputDevices(devices);
  }

  async #connect(credentials?: Credentials, options: ConnectOptions = {}): Promise<UserInfoResult> {
    // Chat: the conversation manager is fetched during the handshake; here once this resolves.
    const chat = this.#loadChat(options.services ?? DEFAULT_SERVICES);
    if (this.#localParty) {
      // The in-page hub knows who connects: no credentials. A connect right after
      // useLocalBackend waits for the one it started, then subscribes what it asks for.
      await this.#localJoining;
    } else if (credentials !== undefined) {
      this.#auth.setCredentials(credentials, this.#connection.connected);
    } else if (!this.#auth.hasCredentials && !this.#auth.restoreSavedSession()) {
      throw new CommsError(
        ErrorCodes.AUTH_NO_CREDENTIALS,
        'connect(): no credentials: pass them, call setCredentials(), or configure authentication.storage with a saved session',
      );
    }
    if (!this.#localParty) await this.#auth.authenticate();
    const owner = this.#userInfo().username;
    if (this.#owner && owner !== this.#owner) this.#forgetUser();
    this.#owner = owner;
    await this.#connection.connect();
    if (!this.#localParty && !this.#callSignalling) this.#calls.useGateway(this.#connection);
    const services = options.services ?? [...DEFAULT_SERVICES];
    if (services.length > 0) {
      const { services: _s, ...subscribeOptions } = options;
      await this.#subscribe(services, subscribeOptions);
    }
    await chat;
    return this.#userInfo();
  }

  /** The seeds' `getUserInfo`: on the in-page hub, the party's id and no token. */
  #userInfo(): UserInfoResult {
    const party = this.#localParty;
    return party ? { username: party.id, token: undefined, user: null } : this.#auth.getUserInfo();
  }

  /** The features that hold a user's data (reset when the user changes). */
  #userFeatures() {
    return [
      this.#conversations,
      this.#presence,
      this.#contacts,
      this.#users,
      this.#history,
      this.#voicemail,
    ];
  }

  /**
   * The signed-in user left, or another connects: their calls end, and what the client held of
   * theirs (conversations and messages waiting to go, presence and what it watched, contacts,
   * the directory's answers, call history, voicemail) goes, with the managers that held it.
   */
  #forgetUser(): void {
    this.#calls.endAll(Transitions.ENDED);
    for (const feature of this.#userFeatures()) feature.reset();
    // Who is signed in stays: it follows the auth state (#syncSelf).
    this.#store.update((s) => ({ ...s, ...userSlices, users: { ...s.users, byId: {} } }));
  }

  async #disconnect(): Promise<void> {
    if (this.#connection.connected && this.#services.getSubscriptions().subscribed.length > 0) {
      try {
        await this.#services.unsubscribe();
      } catch {
        // Best effort: the subscription lapses on the server by itself.
      }
    }
    this.#services.clear();
    this.#connection.disconnect();
  }

  /** The read side of the state tree, for bindings such as the elements' controllers. */
  get store(): ReadableStore<ClientState> {
    return this.#store;
  }

  /** Returns the version of comms-kit. */
  getVersion(): string {
    return version;
  }

  /** Information about the browser in use (`{browser, version}`), through webrtc-adapter. */
  getBrowserDetails(): BrowserDetails {
    this.#assertActive('getBrowserDetails');
    return getBrowserDetails();
  }

  /** Returns the current configuration (a frozen snapshot; change it with `updateConfig`). */
  getConfig(): ClientConfig {
    this.#assertActive('getConfig');
    return this.#store.getState().config;
  }

  /**
   * Merges `newConfigValues` into the current configuration: only the given values change.
   * Arrays and functions replace; plain objects merge. Throws `config:invalid` on a bad value,
   * leaving the configuration as it was.
   */
  updateConfig(newConfigValues: ConfigUpdate): void {
    this.#assertActive('updateConfig');
    const previous = this.#store.getState().config;
    const next = deepMerge<ClientConfig>(previous, normaliseConfig(newConfigValues));
    validateConfig(next);
    this.#store.update((s) => ({ ...s, config: next }));
    this.#log.action('config/update', newConfigValues);
    this.emit('config:change', { config: next, previous });
  }

  /**
   * Adds a listener for one event. Returns a function that removes it (as does `off`).
   */
  on<K extends CommsEventName>(type: K, listener: EventListener<K>): () => void {
    this.#assertActive('on');
    if (typeof listener !== 'function') {
      throw new CommsError(
        ErrorCodes.INVALID_ARGUMENT,
        `on('${String(type)}', listener): listener must be a function`,
      );
    }
    const unbind = this.#emitter.on(type, listener as Events[K]);
    return unbind;
  }

  /** Removes a listener added with `on`. */
  off<K extends CommsEventName>(type: K, listener: EventListener<K>): void {
    this.#assertActive('off');
    const list = this.#emitter.events[type] as Array<Events[K]> | undefined;
    if (!list) return;
    const index = list.indexOf(listener as Events[K]);
    if (index !== -1) list.splice(index, 1);
  }

  /** Adds a listener for every event: it receives the event's name and its parameters. */
  subscribe(listener: AnyEventListener): () => void {
    this.#assertActive('subscribe');
    if (typeof listener !== 'function') {
      throw new CommsError(
        ErrorCodes.INVALID_ARGUMENT,
        'subscribe(listener): listener must be a function',
      );
    }
    this.#all.add(listener);
    return () => this.#all.delete(listener);
  }

  /** Removes a listener added with `subscribe`. */
  unsubscribe(listener: AnyEventListener): void {
    this.#assertActive('unsubscribe');
    this.#all.delete(listener);
  }

  /**
   * Destroys the client: from now on every method throws `client:destroyed`. Listeners and
   * state are released on the next tick, so events being delivered finish undisturbed.
   */
  destroy(): Promise<void> {
    if (this.#destroyed) return Promise.resolve();
    this.#destroyed = true;
    this.#log.info('client destroyed');
    this.#calls.endAll(Transitions.ENDED);
    this.#calls.dispose();
    for (const feature of this.#userFeatures()) feature.dispose();
    this.#detachLocal?.();
    this.#media.disposeAll();
    this.#services.dispose();
    this.#connection.dispose();
    this.#auth.dispose();
    return new Promise((resolve) => {
      setTimeout(() => {
        this.#store.update((s) => ({ ...s, lifecycle: 'destroyed' }));
        this.#store.clear();
        this.#emitter.events = {};
        this.#all.clear();
        resolve();
      }, 0);
    });
  }

  /** True once `destroy()` has been called. */
  get destroyed(): boolean {
    return this.#destroyed;
  }

  /**
   * Emits an event to its listeners and to every `subscribe` listener. A listener that throws
   * is logged and does not stop the others. For the client's features.
   * @internal
   */
  emit<K extends CommsEventName>(type: K, params: CommsEventMap[K]): void {
    const listeners = [...((this.#emitter.events[type] as Array<Events[K]> | undefined) ?? [])];
    for (const listener of listeners) this.#call(type, () => listener(params));
    for (const listener of [...this.#all]) this.#call(type, () => listener(type, params));
  }

  /**
   * A logger for one subject, reading `config.logs` live. For the client's features.
   * @internal
   */
  logger(target: LogTarget): Logger {
    return createLogger(target, () => this.#store.getState().config.logs ?? {});
  }

  #call(type: string, fn: () => void): void {
    try {
      fn();
    } catch (error) {
      this.#log.error(`a listener of '${type}' threw`, error);
    }
  }

  #assertActive(method: string): void {
    if (this.#destroyed) {
      throw new CommsError(
        ErrorCodes.CLIENT_DESTROYED,
        `${method}() was called on a destroyed client; create a new one with createClient()`,
      );
    }
  }
}

/**
 * Creates a client (the seeds' `create`). Throws `config:invalid` naming the wrong value.
 *
 * @example
 * const client = createClient({ server: 'http://127.0.0.1:8080', logs: { logLevel: 'info' } });
 * client.on('config:change', ({ config }) => console.log(config));
 */
export function createClient(config: ClientConfig = {}): CommsClient {
  return new CommsClient(config);
}

export type { Credentials, SavedSession, SignupOptions, UserInfoResult };
