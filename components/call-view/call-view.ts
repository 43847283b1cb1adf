import { html, nothing, type PropertyValues } from 'lit';
import type { CommsClient } from '../../core/client.js';
import type { CallObject } from '../../core/call/types.js';
import { states } from '../../core/call/states.js';
import type { TrackObject } from '../../core/media/types.js';
import { CommsElement } from '../shared/comms-element.js';
import { StoreController } from '../shared/store-controller.js';
import { LocalizeController } from '../shared/i18n.js';
import { Announcer } from '../shared/announcer.js';
import {
  connectionView,
  renderConnectionNotice,
  sameConnectionView,
  type ConnectionView,
} from '../shared/connection.js';
import {
  CommsAnswerEvent,
  CommsCallEndedEvent,
  CommsCallJoinEvent,
  CommsCallReceivedEvent,
  CommsCallSwitchEvent,
  CommsDtmfEvent,
  CommsForwardEvent,
  CommsHangupEvent,
  CommsHoldEvent,
  CommsIgnoreEvent,
  CommsMediaRestartEvent,
  CommsMuteEvent,
  CommsRejectEvent,
  CommsScreenShareEvent,
  CommsTransferEvent,
  CommsVideoEvent,
  type CommsRequestEvent,
  type RequestOutcome,
} from '../shared/events.js';
import { describeError } from '../shared/errors.js';
import { Keypad, keypadStyles } from '../shared/keypad.js';
import { icon, type IconName } from '../shared/icons.js';
import { tokens } from '../shared/tokens.js';
import { formatDuration } from '../shared/time.js';
import { RING, SoundPlayer, type SoundStatus } from '../shared/sound.js';
import { readDevicePreferences } from '../shared/device-preferences.js';
import {
  endReason,
  initials,
  isActive,
  isArriving,
  isEstablished,
  isLive,
  isRingingIn,
  partyName,
  offersVoicemail,
  stateText,
} from './call-state.js';
import { polyline, qualityLevel, QualityController, SAMPLES_KEPT } from './quality.js';
import { styles } from './call-view.styles.js';
import type { VoicemailController } from './voicemail.js';

/** What the view remembers of a call to announce what changed. */
interface Seen {
  state: string;
  localHold: boolean;
  remoteHold: boolean;
  muted: boolean | null;
  media: string;
  /** A joined call's parties (names). */
  parties: string[];
}

const EMPTY: Record<string, CallObject> = {};

/**
 * The calls of the client: an incoming call rings (caller, answer with audio or video,
 * decline, ignore; a WebAudio ringtone on the ringer output, with an "enable sound" button
 * when the browser blocks it); the current call shows the remote video large with your camera
 * small (an avatar for audio-only), its state (calling, ringing, connected with a running
 * timer, on hold, held by the other side, reconnecting), quality bars and a bitrate and loss
 * graph from `getStats`, and controls: mute, camera, hold, screen share, keypad (DTMF), end.
 * With several calls, a list switches between them (switching holds the others). When the
 * media connection fails, "Reconnect media" restarts it. Transfer opens a field: a
 * destination transfers the other party there (direct transfer); with another call, "Connect
 * … with …" joins the two other parties (consultative transfer) and "Merge calls with … and …"
 * makes one audio call of the three of you (`call.join`, mixed in this browser; shown with
 * both names, audio only). A ringing call can be forwarded: "Forward" opens a field whose
 * destination rings instead (`call.forward`); a forwarded call says by whom. Calls and state
 * changes are announced in a live region.
 *
 * @tag comms-call-view
 * @slot empty - Shown when there is no call (default: "No calls").
 * @event comms-answer - Request: answer `detail.callId`, with video when `detail.video`. Cancelable.
 * @event comms-reject - Request: decline `detail.callId`. Cancelable.
 * @event comms-ignore - Request: stop ringing here for `detail.callId`. Cancelable.
 * @event comms-forward - Request: forward the ringing `detail.callId` to `detail.destination`. Cancelable.
 * @event comms-hangup - Request: end `detail.callId`. Cancelable.
 * @event comms-hold - Request: hold (`detail.hold`) or resume `detail.callId`. Cancelable.
 * @event comms-mute - Request: mute (`detail.muted`) or unmute the microphone of `detail.callId`. Cancelable.
 * @event comms-video - Request: start (`detail.video`) or stop the camera in `detail.callId`. Cancelable.
 * @event comms-screen-share - Request: start (`detail.share`) or stop sharing the screen. Cancelable.
 * @event comms-dtmf - Request: send `detail.tone` on `detail.callId`. Cancelable.
 * @event comms-call-switch - Request: make `detail.callId` current, holding the others. Cancelable.
 * @event comms-media-restart - Request: restart the failed media of `detail.callId`. Cancelable.
 * @event comms-transfer - Request: transfer `detail.callId` to `detail.destination`, or to the other party of `detail.otherCallId`. Cancelable.
 * @event comms-call-join - Request: merge `detail.callId` and `detail.otherCallId` into one audio call of three. Cancelable.
 * @event comms-call-received - An incoming call arrived: `detail.callId`, `detail.from`.
 * @event comms-call-ended - A call ended: `detail.callId`, `detail.transition` (why).
 * @csspart base - The element's box.
 * @csspart announcer - The visually hidden live regions.
 * @csspart connection - The connection notice (offline, reconnecting).
 * @csspart incoming - An incoming call's panel.
 * @csspart enable-sound - The button shown when the browser blocked the ringtone.
 * @csspart answer-button - Answer (audio).
 * @csspart answer-video-button - Answer with video (when video is offered).
 * @csspart reject-button - Decline.
 * @csspart ignore-button - Ignore.
 * @csspart forward-toggle - Shows or hides an incoming call's forward field.
 * @csspart forward - The forward field's form.
 * @csspart forward-destination - The field for the forward's destination.
 * @csspart forward-button - Forwards to the destination.
 * @csspart forwarded-by - "Forwarded by …" on a call that a callee forwarded.
 * @csspart call-list - The list of calls (when there are several).
 * @csspart call-item - One call in the list.
 * @csspart stage - The current call.
 * @csspart remote-video - The container of the remote video.
 * @csspart local-video - The container of your camera's preview.
 * @csspart avatar - The other party's initials (audio-only calls); on a joined call, each
 *   party's, side by side.
 * @csspart name - The other party's name.
 * @csspart number - The other party's number or address.
 * @csspart state - The call state in words.
 * @csspart timer - The connected time.
 * @csspart quality - The quality bars.
 * @csspart quality-details - Round trip, loss and jitter in numbers.
 * @csspart graph - The bitrate and loss graph.
 * @csspart restart-media - The "Reconnect media" button.
 * @csspart controls - The call controls.
 * @csspart control - Each control button (each also has its own part: mute, camera, hold, share, keypad-toggle, transfer-toggle, hangup).
 * @csspart mute - The mute toggle.
 * @csspart camera - The camera toggle.
 * @csspart hold - The hold toggle.
 * @csspart share - The screen share toggle.
 * @csspart keypad-toggle - Shows or hides the keypad.
 * @csspart transfer-toggle - Shows or hides the transfer panel.
 * @csspart transfer - The transfer panel.
 * @csspart transfer-destination - The field for the transfer's destination.
 * @csspart transfer-button - Transfers to the destination.
 * @csspart transfer-to-call - Connects the other party with the party of another call.
 * @csspart join-call - Merges the current call and another into one call of three.
 * @csspart joined - "Merged call, audio only" on a joined call.
 * @csspart referred-by - "Transferred by …" on a call that a transfer made.
 * @csspart hangup - The end (or cancel) button.
 * @csspart keypad - The DTMF keypad.
 * @csspart key - Each keypad button.
 * @csspart ended - The notice of the call that just ended.
 * @csspart voicemail-button - "Leave a voicemail", on the notice of an outgoing call not answered (no answer, busy, declined, unavailable).
 * @csspart voicemail - The voicemail's controls while recording and before sending.
 * @csspart voicemail-status - "Recording 0:04", then "Voicemail sent to …".
 * @csspart voicemail-stop - Stops recording.
 * @csspart voicemail-preview - The recorded message, to listen to before sending.
 * @csspart voicemail-send - Sends the voicemail.
 * @csspart voicemail-discard - Throws the recording away.
 * @csspart empty - The box around the `empty` slot.
 * @csspart error - Why the last action failed.
 * @csspart audio - The hidden container of the remote audio.
 * @cssproperty --comms-call-view-stage-background - Behind the remote video (default #111).
 * @cssproperty --comms-call-view-stage-ratio - The stage's aspect ratio (default 16 / 9).
 * @cssproperty --comms-call-view-preview-width - Your camera's preview width (default 28%).
 * @cssproperty --comms-call-view-avatar-size - The avatar's diameter (default 5rem).
 */
export class CommsCallView extends CommsElement {
  static override styles = [tokens, keypadStyles, styles];

  static override properties = {
    ringer: { type: String },
    silent: { type: Boolean, reflect: true },
    statsInterval: { type: Number, attribute: 'stats-interval' },
    /** @private */
    _selected: { state: true, attribute: false },
    /** @private */
    _ended: { state: true, attribute: false },
    /** @private */
    _keypad: { state: true, attribute: false },
    /** @private */
    _error: { state: true, attribute: false },
    /** @private */
    _now: { state: true, attribute: false },
    /** @private */
    _transfer: { state: true, attribute: false },
    /** @private */
    _forward: { state: true, attribute: false },
  };

  /**
   * The output device the ringtone plays on. Default: the ringer chosen in
   * `<comms-device-picker>` (remembered in `localStorage`), else the system default.
   */
  declare ringer: string | undefined;

  /** No ringtone. */
  declare silent: boolean;

  /** How often call quality is sampled, in ms (default 1000; 0 turns it off). */
  declare statsInterval: number;

  /** @internal */
  declare _selected: string | undefined;
  /** @internal */
  declare _ended: string | undefined;
  /** @internal */
  declare _keypad: boolean;
  /** @internal */
  declare _error: string | undefined;
  /** @internal */
  declare _now: number;
  /** @internal */
  declare _transfer: boolean;
  /** @internal The incoming call whose forward field is open. */
  declare _forward: string | undefined;

  readonly #l10n = new LocalizeController(this);
  readonly #announcer = new Announcer(this);
  readonly #calls = new StoreController(this, (s) => s.call.calls);
  readonly #tracks = new StoreController(this, (s) => s.media.tracks);
  readonly #connection = new StoreController(this, connectionView, sameConnectionView);
  readonly #quality = new QualityController(this);
  readonly #keypadInput = new Keypad((key) => void this.#sendTone(key));
  readonly #sound = new SoundPlayer();
  /** "Leave a voicemail" (a chunk of its own: fetched when a call that offers it ends). */
  #voicemail: VoicemailController | undefined;
  #voicemailLoading: Promise<void> | undefined;
  #seen = new Map<string, Seen>();
  #seenClient: CommsClient | undefined;
  #seenConnection: ConnectionView['status'] | undefined;
  #notifications: Event[] = [];
  #ringing = false;
  #soundStatus: SoundStatus | undefined;
  #clock: ReturnType<typeof setInterval> | undefined;
  /** Track id → the container it is rendered in, by this element. */
  #rendered = new Map<string, Element>();
  #renderedClient: CommsClient | undefined;

  constructor() {
    super();
    this.silent = false;
    this.statsInterval = 1000;
    this._keypad = false;
    this._transfer = false;
    this._now = Date.now();
  }

  /** What the ringtone is doing: `off`, `playing`, `blocked` (waiting for "enable sound") or `unsupported`. */
  get ringtone(): 'off' | SoundStatus {
    return this.#ringing ? (this.#soundStatus ?? 'playing') : 'off';
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#stopRinging();
    this.#setClock(false);
    this.#keypadInput.cancel();
    this.#unrenderAll();
  }

  protected override willUpdate(_changed: PropertyValues<this>): void {
    if (!this.#clock) this._now = Date.now();
    this.#noticeChanges();
    const ended = this._ended ? this.#calls.value?.[this._ended] : undefined;
    if (ended && offersVoicemail(ended)) this.#loadVoicemail();
    const stage = this.#stageCall();
    this.#quality.follow(
      this.activeClient,
      stage && isEstablished(stage) ? stage.id : undefined,
      this.statsInterval,
    );
  }

  protected override updated(): void {
    for (const event of this.#notifications.splice(0)) this.dispatchEvent(event);
    this.#updateRinging();
    this.#setClock(this.#live().some((c) => c.state === states.CONNECTED && c.answerTime));
    void this.#syncMedia();
  }

  // ── what changed ───────────────────────────────────────────────────────────

  #summary(call: CallObject, tracks = this.#tracks.value): Seen {
    const audio = call.localTracks
      .map((id) => tracks?.[id])
      .filter((t): t is TrackObject => t?.kind === 'audio');
    return {
      state: call.state,
      localHold: call.localHold,
      remoteHold: call.remoteHold,
      muted: audio.length ? audio.every((t) => t.muted) : null,
      media: call.mediaConnectionState,
      parties: (call.joined?.participants ?? []).map((p) => p.displayName || p.displayNumber),
    };
  }

  /**
   * The signed-in user left (their calls were ended): the view starts again as for a new
   * client, showing nothing of theirs (no ended call, no voicemail to leave, no error).
   */
  protected override forgetUser(): void {
    this.#seenClient = undefined;
    this.#voicemail?.reset();
    this.#announcer.clear();
    this._error = undefined;
  }

  /** Announces (and notifies) what changed since the last update. */
  #noticeChanges(): void {
    const t = this.#l10n.t.bind(this.#l10n);
    const client = this.activeClient;
    if (client !== this.#seenClient) {
      this.#seenClient = client;
      this.#seen = new Map();
      this.#seenConnection = undefined;
      this._selected = undefined;
      this._ended = undefined;
      // Calls already there when the view starts are shown, not announced (except ringing
      // ones). Read from the client itself: the controllers follow it only after this.
      const state = client && !client.destroyed ? client.store.getState() : undefined;
      for (const call of Object.values(state?.call.calls ?? EMPTY)) {
        if (!isRingingIn(call) && !isArriving(call))
          this.#seen.set(call.id, this.#summary(call, state?.media.tracks));
      }
      return;
    }
    const calls = this.#calls.value;
    for (const call of Object.values(calls ?? EMPTY)) {
      if (isArriving(call)) continue; // announced once it rings
      const before = this.#seen.get(call.id);
      const now = this.#summary(call);
      this.#seen.set(call.id, now);
      const name = partyName(call, this.#l10n);
      if (!before) {
        if (!isLive(call)) continue;
        if (isRingingIn(call)) {
          this.#announcer.announce(
            t(call.mediaOffered?.video ? 'announce.incomingVideo' : 'announce.incoming', { name }),
            true,
          );
          this.#notifications.push(
            new CommsCallReceivedEvent({ callId: call.id, from: call.from }),
          );
        } else if (call.joined) {
          const [first = '', other = ''] = now.parties;
          this.#announcer.announce(t('join.done', { name: first, other }));
          this._selected = call.id;
          this._ended = undefined;
        } else {
          const outgoing = call.direction === 'outgoing';
          this.#announcer.announce(
            t(outgoing ? 'announce.calling' : 'announce.connected', { name }),
          );
          this._selected = call.id;
          this._ended = undefined;
        }
        continue;
      }
      this.#announceChange(call, before, now, name);
    }
    const status = this.#connection.value?.status;
    if (status !== this.#seenConnection) {
      const previous = this.#seenConnection;
      this.#seenConnection = status;
      if (status === 'reconnecting') this.#announcer.announce(t('announce.reconnecting'));
      else if (status === 'offline') this.#announcer.announce(t('announce.offline'));
      else if (status === 'online' && (previous === 'reconnecting' || previous === 'offline'))
        this.#announcer.announce(t('announce.online'));
    }
  }

  #announceChange(call: CallObject, before: Seen, now: Seen, name: string): void {
    const t = this.#l10n.t.bind(this.#l10n);
    const say = (text: string) => this.#announcer.announce(text);
    if (!isLive(call)) {
      if (before.state === states.ENDED || before.state === states.CANCELLED) return;
      if (this.#replaced(call)) {
        // Taken over by a transfer or a join: the call that replaces it is the one to follow.
        this.#notifications.push(
          new CommsCallEndedEvent({ callId: call.id, transition: call.transition }),
        );
        return;
      }
      const reason = endReason(call, this.#l10n);
      say(reason ? t('announce.endedReason', { name, reason }) : t('announce.ended', { name }));
      this.#notifications.push(
        new CommsCallEndedEvent({ callId: call.id, transition: call.transition }),
      );
      const declinedHere = call.direction === 'incoming' && call.answerTime === null;
      if (!declinedHere || call.state === states.CANCELLED) this._ended = call.id;
      if (this._selected === call.id) this._selected = undefined;
      return;
    }
    if (before.state !== now.state) {
      if (now.state === states.RINGING && call.direction === 'outgoing')
        say(t('announce.ringing', { name }));
      if (now.state === states.CONNECTED && before.state !== states.ON_HOLD) {
        say(t('announce.connected', { name }));
        this._selected = call.id;
        this._ended = undefined;
      }
    }
    if (before.localHold !== now.localHold)
      say(t(now.localHold ? 'announce.onHold' : 'announce.resumed', { name }));
    if (before.remoteHold !== now.remoteHold)
      say(t(now.remoteHold ? 'announce.heldRemotely' : 'announce.resumed', { name }));
    if (before.muted !== null && now.muted !== null && before.muted !== now.muted)
      say(t(now.muted ? 'announce.muted' : 'announce.unmuted'));
    if (before.media !== now.media && now.media === 'failed')
      say(t('announce.mediaFailed', { name }));
    for (const gone of before.parties.filter((p) => !now.parties.includes(p)))
      say(t('join.left', { name: gone }));
  }

  /** Fetches the voicemail controls' chunk (once; again after a failed fetch). */
  #loadVoicemail(): void {
    if (this.#voicemailLoading) return;
    this.#voicemailLoading = import('./voicemail.js').then(
      ({ VoicemailController }) => {
        this.#voicemail = new VoicemailController(this, this.#l10n, {
          client: () => this.activeClient,
          announce: (text) => this.#announcer.announce(text),
          showError: (error) => {
            this._error = error && describeError(error, this.#l10n);
          },
          focusPart: (part) =>
            void this.updateComplete.then(() =>
              this.renderRoot.querySelector<HTMLElement>(`[part~="${part}"]`)?.focus(),
            ),
        });
        this.requestUpdate();
      },
      () => {
        this.#voicemailLoading = undefined; // no offer this time; the next ended call tries again
      },
    );
  }

  // ── calls ──────────────────────────────────────────────────────────────────

  /**
   * The live calls, except those a live transfer call replaces: the transferee (and the target
   * of a consultative transfer) sees one call, the new one, as the seeds have it.
   */
  #live(): CallObject[] {
    const live = Object.values(this.#calls.value ?? EMPTY).filter(isLive);
    const replaced = new Set(live.map((c) => c.transfer?.replaces));
    return live.filter((c) => !replaced.has(c.id));
  }

  /** True when a live call replaces `call` (a transfer or a join took it over). */
  #replaced(call: CallObject): boolean {
    return Object.values(this.#calls.value ?? EMPTY).some(
      (c) =>
        isLive(c) && (c.transfer?.replaces === call.id || !!c.joined?.callIds.includes(call.id)),
    );
  }

  /** The call the stage shows: the one chosen, else one not held here, else any. */
  #stageCall(): CallObject | undefined {
    const active = this.#live().filter(isActive);
    return (
      active.find((c) => c.id === this._selected) ?? active.find((c) => !c.localHold) ?? active[0]
    );
  }

  #track(id: string): TrackObject | undefined {
    return this.#tracks.value?.[id];
  }

  async #act(event: CommsRequestEvent<unknown, unknown>): Promise<RequestOutcome<unknown>> {
    const outcome = await this.request(event);
    this._error =
      outcome.status === 'failed' ? describeError(outcome.error, this.#l10n) : undefined;
    return outcome;
  }

  /** Transfers the stage call to the typed destination, or to the party of `otherCallId`. */
  async #transferTo(call: CallObject, target: { destination: string } | { otherCallId: string }) {
    const t = this.#l10n.t.bind(this.#l10n);
    const name = partyName(call, this.#l10n);
    this.#announcer.announce(t('transfer.transferring', { name }));
    const outcome = await this.#act(new CommsTransferEvent({ callId: call.id, ...target }));
    if (outcome.status !== 'done') return;
    this._transfer = false;
    this.#announcer.announce(t('transfer.done', { name }));
  }

  /** Merges the stage call and `other` into one call of three (`comms-call-join`). */
  async #joinWith(call: CallObject, other: CallObject) {
    const t = this.#l10n.t.bind(this.#l10n);
    const names = { name: partyName(call, this.#l10n), other: partyName(other, this.#l10n) };
    this.#announcer.announce(t('join.joining', names));
    const outcome = await this.#act(
      new CommsCallJoinEvent({ callId: call.id, otherCallId: other.id }),
    );
    if (outcome.status === 'done') this._transfer = false;
  }

  /** Forwards the ringing `call` to `destination` (`comms-forward`). */
  async #forwardTo(call: CallObject, destination: string): Promise<void> {
    const name = partyName(call, this.#l10n);
    const outcome = await this.#act(new CommsForwardEvent({ callId: call.id, destination }));
    if (outcome.status !== 'done') return;
    if (this._forward === call.id) this._forward = undefined;
    this.#announcer.announce(this.#l10n.t('forward.done', { name, to: destination }));
  }

  async #sendTone(tone: string): Promise<void> {
    const call = this.#stageCall();
    if (call) await this.#act(new CommsDtmfEvent({ callId: call.id, tone }));
  }

  #switchTo(call: CallObject): void {
    this._selected = call.id;
    void this.#act(new CommsCallSwitchEvent({ callId: call.id }));
  }

  // ── ringtone, clock ────────────────────────────────────────────────────────

  #updateRinging(): void {
    const ringing = !this.silent && this.#live().some(isRingingIn);
    if (ringing && !this.#ringing) {
      this.#ringing = true;
      const sinkId = this.ringer ?? readDevicePreferences().ringer ?? '';
      void this.#sound.start(RING, { sinkId: sinkId ?? '', loop: true }).then((status) => {
        if (!this.#ringing) return;
        this.#soundStatus = status;
        this.requestUpdate();
      });
    } else if (!ringing && this.#ringing) {
      this.#stopRinging();
    }
  }

  #stopRinging(): void {
    this.#ringing = false;
    this.#sound.stop();
    this.#soundStatus = undefined;
  }

  async #enableSound(): Promise<void> {
    this.#soundStatus = await this.#sound.unlock();
    this.requestUpdate();
  }

  #setClock(on: boolean): void {
    if (on && !this.#clock) {
      this.#clock = setInterval(() => (this._now = Date.now()), 1000);
    } else if (!on && this.#clock) {
      clearInterval(this.#clock);
      this.#clock = undefined;
    }
  }

  // ── media ──────────────────────────────────────────────────────────────────

  /**
   * Renders the tracks through `client.media.renderTracks`: the remote audio of every
   * established call, the remote video and the local video of the call on the stage.
   */
  async #syncMedia(): Promise<void> {
    const client = this.activeClient;
    if (client !== this.#renderedClient) this.#unrenderAll();
    this.#renderedClient = client;
    if (!client || client.destroyed) return;
    const root = this.renderRoot;
    const audio = root.querySelector('[part="audio"]');
    const remote = root.querySelector('[part="remote-video"]');
    const local = root.querySelector('[part="local-video"]');
    if (!audio || !remote || !local) return;
    const wanted = new Map<string, Element>();
    for (const call of this.#live().filter(isEstablished)) {
      for (const id of call.remoteTracks)
        if (this.#track(id)?.kind === 'audio') wanted.set(id, audio);
    }
    const stage = this.#stageCall();
    if (stage) {
      for (const id of stage.remoteTracks)
        if (this.#track(id)?.kind === 'video') wanted.set(id, remote);
      for (const id of stage.localTracks)
        if (this.#track(id)?.kind === 'video') wanted.set(id, local);
    }
    for (const [id, container] of [...this.#rendered]) {
      if (wanted.get(id) === container) continue;
      this.#rendered.delete(id);
      if (this.#track(id)) client.media.removeTracks([id], container);
    }
    for (const [id, container] of wanted) {
      if (this.#rendered.has(id)) continue;
      this.#rendered.set(id, container);
      try {
        await client.media.renderTracks([id], container);
      } catch {
        this.#rendered.delete(id); // the track ended meanwhile
      }
    }
  }

  #unrenderAll(): void {
    const client = this.#renderedClient;
    for (const [id, container] of this.#rendered) {
      if (client && !client.destroyed) client.media.removeTracks([id], container);
    }
    this.#rendered.clear();
  }

  // ── render ─────────────────────────────────────────────────────────────────

  #button(options: {
    part: string;
    label: string;
    iconName: IconName;
    onClick: () => void;
    pressed?: boolean;
    disabled?: boolean;
    blocked?: boolean;
    className?: string;
    expanded?: boolean;
    controls?: string;
  }) {
    const { part, label, iconName, onClick, pressed, disabled, blocked, className, expanded } =
      options;
    const controls = options.controls ?? 'dtmf-keypad';
    const off = !!disabled || !!blocked;
    return html`<button
      type="button"
      part=${part}
      class=${className ?? ''}
      aria-pressed=${pressed === undefined ? nothing : String(pressed)}
      aria-expanded=${expanded === undefined ? nothing : String(expanded)}
      aria-controls=${expanded === undefined ? nothing : controls}
      aria-disabled=${off ? 'true' : 'false'}
      aria-describedby=${blocked ? 'connection-reason' : nothing}
      @click=${() => {
        if (!off) onClick();
      }}
    >
      ${icon(iconName)}<span class="label">${label}</span>
    </button>`;
  }

  #renderIncoming(call: CallObject, blocked: boolean) {
    const t = this.#l10n.t.bind(this.#l10n);
    const name = partyName(call, this.#l10n);
    const number = call.remoteParticipant.displayNumber;
    const video = !!call.mediaOffered?.video;
    return html`<div
      part="incoming"
      class="incoming"
      role="group"
      aria-label=${t(video ? 'announce.incomingVideo' : 'announce.incoming', { name })}
      data-call-id=${call.id}
    >
      <div class="who">
        <div class="avatar small" aria-hidden="true">${initials(name)}</div>
        <div>
          <p class="name" part="name">${name}</p>
          ${number && number !== name ? html`<p class="number" part="number">${number}</p>` : nothing}
          <p class="state" part="state">${stateText(call, this.#l10n)}</p>
          ${this.#renderReferredBy(call)} ${this.#renderForwardedBy(call)}
        </div>
      </div>
      ${
        this.#soundStatus === 'blocked'
          ? html`<p class="hint">${t('callView.soundBlocked')}</p>
              <button type="button" part="enable-sound" @click=${this.#enableSound}>
                ${icon('bell')}<span>${t('callView.enableSound')}</span>
              </button>`
          : nothing
      }
      <div class="actions">
        ${this.#button({
          part: 'answer-button',
          className: 'success',
          label: t('callView.answer'),
          iconName: 'call',
          blocked,
          onClick: () => void this.#act(new CommsAnswerEvent({ callId: call.id, video: false })),
        })}
        ${
          video
            ? this.#button({
                part: 'answer-video-button',
                className: 'success',
                label: t('callView.answerVideo'),
                iconName: 'video',
                blocked,
                onClick: () =>
                  void this.#act(new CommsAnswerEvent({ callId: call.id, video: true })),
              })
            : nothing
        }
        ${this.#button({
          part: 'reject-button',
          className: 'danger',
          label: t('callView.reject'),
          iconName: 'callEnd',
          blocked,
          onClick: () => void this.#act(new CommsRejectEvent({ callId: call.id })),
        })}
        ${this.#button({
          part: 'ignore-button',
          label: t('callView.ignore'),
          iconName: 'close',
          onClick: () => void this.#act(new CommsIgnoreEvent({ callId: call.id })),
        })}
        ${this.#button({
          part: 'forward-toggle',
          label: t('forward.toggle'),
          iconName: 'transfer',
          blocked,
          expanded: this._forward === call.id,
          controls: `forward-${call.id}`,
          onClick: () => {
            this._forward = this._forward === call.id ? undefined : call.id;
            if (this._forward) void this.#focusField(`forward-${call.id}`);
          },
        })}
      </div>
      ${this.#destinationForm({
        kind: 'forward',
        id: `forward-${call.id}`,
        label: t('forward.label', { name }),
        field: t('forward.destination'),
        submit: t('forward.submit'),
        hidden: this._forward !== call.id,
        off: blocked,
        submitted: (destination) => void this.#forwardTo(call, destination),
      })}
    </div>`;
  }

  #renderList(active: CallObject[], stage: CallObject | undefined) {
    if (active.length < 2) return nothing;
    const t = this.#l10n.t.bind(this.#l10n);
    return html`<ul
      part="call-list"
      class="call-list"
      aria-label=${t('callView.calls', { count: active.length })}
    >
      ${active.map((call) => {
        const current = call.id === stage?.id;
        return html`<li part="call-item" data-call-id=${call.id}>
          <button
            type="button"
            aria-current=${current ? 'true' : 'false'}
            @click=${() => {
              if (!current) this.#switchTo(call);
            }}
          >
            <span class="avatar tiny" aria-hidden="true"
              >${initials(partyName(call, this.#l10n))}</span
            >
            <span class="item-text">
              ${current ? nothing : html`<span class="visually-hidden">${t('callView.switchToPrefix')}</span>`}
              <span class="name">${partyName(call, this.#l10n)}</span>
              <span class="state">${stateText(call, this.#l10n)}</span>
            </span>
          </button>
        </li>`;
      })}
    </ul>`;
  }

  #renderQuality() {
    const t = this.#l10n.t.bind(this.#l10n);
    const latest = this.#quality.latest;
    const level = qualityLevel(latest);
    const levelText = t(`callView.quality.${level}` as const);
    const samples = this.#quality.samples;
    const kbps = samples.map((s) => s.kbps);
    const loss = samples.map((s) => s.loss);
    const max = Math.max(64, ...kbps.map((v) => v ?? 0));
    const round = (v: number | null | undefined) =>
      v === null || v === undefined ? '–' : Math.round(v);
    return html`<div class="quality-row">
      <span
        part="quality"
        class="bars"
        role="img"
        aria-label=${t('callView.quality', { level: levelText })}
        data-level=${level}
      >
        ${[1, 2, 3, 4].map((n) => html`<span class=${n <= level ? 'bar on' : 'bar'}></span>`)}
      </span>
      <span part="quality-details" class="hint">
        ${
          latest
            ? t('callView.qualityDetails', {
                rtt: round(latest.rtt),
                loss: latest.loss === null ? '–' : latest.loss.toFixed(1),
                jitter: round(latest.jitter),
              })
            : ''
        }
      </span>
      <svg
        part="graph"
        class="graph"
        viewBox="0 0 120 32"
        preserveAspectRatio="none"
        role="img"
        aria-label=${`${t('callView.graph', { seconds: Math.round((SAMPLES_KEPT * this.statsInterval) / 1000) })}: ${t('callView.bitrate', { kbps: round(latest?.kbps) })}`}
      >
        <polyline class="kbps" points=${polyline(kbps, 120, 32, max)}></polyline>
        <polyline class="loss" points=${polyline(loss, 120, 32, 10)}></polyline>
      </svg>
    </div>`;
  }

  #renderStage(stage: CallObject | undefined, blocked: boolean) {
    const t = this.#l10n.t.bind(this.#l10n);
    const name = stage ? partyName(stage, this.#l10n) : '';
    // A joined call shows its parties' names only (its first party's number would mislead).
    const number = stage?.joined ? undefined : stage?.remoteParticipant.displayNumber;
    const remoteVideo = !!stage?.remoteTracks.some((id) => this.#track(id)?.kind === 'video');
    const localTracks = (stage?.localTracks ?? [])
      .map((id) => this.#track(id))
      .filter((x): x is TrackObject => !!x);
    const localVideo = localTracks.some((tr) => tr.type === 'video');
    const sharing = localTracks.some((tr) => tr.type === 'screen');
    const audio = localTracks.filter((tr) => tr.kind === 'audio');
    const muted = audio.length > 0 && audio.every((tr) => tr.muted);
    const connected = stage?.state === states.CONNECTED;
    const established = !!stage && isEstablished(stage);
    const busy = !!stage?.currentOperations.length;
    // A joined call (mixed here) stays audio only and is never held.
    const joined = !!stage?.joined;
    const timer =
      stage && established && stage.answerTime
        ? formatDuration(Math.max(0, this._now - stage.answerTime))
        : '';
    return html`<div part="stage" class="stage" ?hidden=${!stage} data-call-id=${stage?.id ?? ''}>
      <div class="media ${remoteVideo ? 'has-video' : ''}">
        <div
          part="remote-video"
          class="remote"
          role="group"
          aria-label=${t('callView.remoteVideo', { name })}
          ?hidden=${!remoteVideo}
        ></div>
        ${
          joined
            ? html`<div part="avatar" class="avatars" aria-hidden="true">
                ${stage!.joined!.participants.map(
                  (p) =>
                    html`<span class="avatar">${initials(p.displayName || p.displayNumber)}</span>`,
                )}
              </div>`
            : html`<div part="avatar" class="avatar" aria-hidden="true" ?hidden=${remoteVideo}>
                ${initials(name || '?')}
              </div>`
        }
        <div
          part="local-video"
          class="local"
          role="group"
          aria-label=${t('callView.localVideo')}
          ?hidden=${!localVideo && !sharing}
        ></div>
      </div>
      <div class="info">
        <p class="name" part="name">${name}</p>
        ${number && number !== name ? html`<p class="number" part="number">${number}</p>` : nothing}
        <p class="state" part="state">
          <span>${stage ? stateText(stage, this.#l10n) : ''}</span>
          ${timer ? html`<span part="timer" role="timer">${timer}</span>` : nothing}
        </p>
        ${stage ? this.#renderReferredBy(stage) : nothing}
        ${stage ? this.#renderForwardedBy(stage) : nothing}
        ${joined ? html`<p class="hint" part="joined">${t('join.audioOnly')}</p>` : nothing}
        ${established && this.statsInterval > 0 && !joined ? this.#renderQuality() : nothing}
      </div>
      ${
        stage?.mediaConnectionState === 'failed'
          ? html`<button
              type="button"
              part="restart-media"
              class="accent"
              aria-disabled=${blocked ? 'true' : 'false'}
              @click=${() => {
                if (!blocked) void this.#act(new CommsMediaRestartEvent({ callId: stage.id }));
              }}
            >
              ${icon('refresh')}<span>${t('callView.restartMedia')}</span>
            </button>`
          : nothing
      }
      <div part="controls" class="controls" role="group" aria-label=${t('callView.controls')}>
        ${
          stage && established
            ? html`${this.#button({
                part: 'control mute',
                label: t('callView.mute'),
                iconName: muted ? 'micOff' : 'mic',
                pressed: muted,
                disabled: audio.length === 0,
                onClick: () =>
                  void this.#act(new CommsMuteEvent({ callId: stage.id, muted: !muted })),
              })}
              ${this.#button({
                part: 'control camera',
                label: t('callView.camera'),
                iconName: localVideo ? 'video' : 'videoOff',
                pressed: localVideo,
                disabled: !connected || busy || joined,
                blocked,
                onClick: () =>
                  void this.#act(new CommsVideoEvent({ callId: stage.id, video: !localVideo })),
              })}
              ${this.#button({
                part: 'control hold',
                label: t('callView.hold'),
                iconName: stage.localHold ? 'play' : 'pause',
                pressed: stage.localHold,
                disabled: busy || joined,
                blocked,
                onClick: () =>
                  void this.#act(new CommsHoldEvent({ callId: stage.id, hold: !stage.localHold })),
              })}
              ${this.#button({
                part: 'control share',
                label: t('callView.shareScreen'),
                iconName: 'screen',
                pressed: sharing,
                disabled: !connected || busy || joined,
                blocked,
                onClick: () =>
                  void this.#act(new CommsScreenShareEvent({ callId: stage.id, share: !sharing })),
              })}
              ${this.#button({
                part: 'control keypad-toggle',
                label: t('callView.keypad'),
                iconName: 'dialpad',
                expanded: this._keypad,
                disabled: !connected || joined,
                onClick: () => (this._keypad = !this._keypad),
              })}
              ${this.#button({
                part: 'control transfer-toggle',
                label: t('transfer.toggle'),
                iconName: 'transfer',
                expanded: this._transfer,
                controls: 'transfer-panel',
                disabled: busy || joined,
                blocked,
                onClick: () => {
                  this._transfer = !this._transfer;
                  if (this._transfer) void this.#focusField('transfer-panel');
                },
              })}`
            : nothing
        }
        ${
          stage
            ? this.#button({
                part: 'control hangup',
                className: 'danger',
                label: established ? t('callView.hangup') : t('callView.cancel'),
                iconName: 'callEnd',
                onClick: () => void this.#act(new CommsHangupEvent({ callId: stage.id })),
              })
            : nothing
        }
      </div>
      <div id="dtmf-keypad" ?hidden=${!(this._keypad && connected && !joined)}>
        ${this.#keypadInput.render({ label: t('keypad.dtmfLabel', { name }), l10n: this.#l10n, plus: false })}
      </div>
      ${this.#renderTransfer(stage, established, blocked || busy)}
    </div>`;
  }

  /** "Transferred by …" on a call a transfer made. */
  #renderReferredBy(call: CallObject) {
    const by = call.transfer?.referredBy;
    if (!by) return nothing;
    return html`<p class="hint" part="referred-by">
      ${this.#l10n.t('transfer.referredBy', { name: by.displayName || by.id })}
    </p>`;
  }

  /** "Forwarded by …" on a call a callee forwarded (the last one who did). */
  #renderForwardedBy(call: CallObject) {
    const by = call.forwarded?.at(-1)?.by;
    if (!by) return nothing;
    return html`<p class="hint" part="forwarded-by">
      ${this.#l10n.t('forward.by', { name: by.displayName || by.id })}
    </p>`;
  }

  #renderTransfer(stage: CallObject | undefined, established: boolean, off: boolean) {
    const t = this.#l10n.t.bind(this.#l10n);
    const name = stage ? partyName(stage, this.#l10n) : '';
    const others = stage
      ? this.#live().filter(
          (c) => c.id !== stage.id && isActive(c) && isEstablished(c) && !c.joined,
        )
      : [];
    return this.#destinationForm({
      kind: 'transfer',
      id: 'transfer-panel',
      label: t('transfer.label', { name }),
      field: t('transfer.destination'),
      submit: t('transfer.submit'),
      hidden: !(this._transfer && stage && established && !stage.joined),
      off: !stage || off,
      submitted: (destination) => void this.#transferTo(stage!, { destination }),
      extra: html`${others.map(
        (other) =>
          html`<button
              type="button"
              part="transfer-to-call"
              data-call-id=${other.id}
              aria-disabled=${off ? 'true' : 'false'}
              @click=${() => {
                if (stage && !off) void this.#transferTo(stage, { otherCallId: other.id });
              }}
            >
              ${icon('transfer')}<span
                >${t('transfer.toCall', { name, other: partyName(other, this.#l10n) })}</span
              >
            </button>
            <button
              type="button"
              part="join-call"
              data-call-id=${other.id}
              aria-disabled=${off ? 'true' : 'false'}
              @click=${() => {
                if (stage && !off) void this.#joinWith(stage, other);
              }}
            >
              ${icon('merge')}<span
                >${t('join.toCall', { name, other: partyName(other, this.#l10n) })}</span
              >
            </button>`,
      )}`,
    });
  }

  /**
   * A destination field (transfer, forward): a label, a text field and a submit button, in a
   * form `id` (its field `${id}-destination`); an empty field keeps the focus.
   */
  #destinationForm(o: {
    kind: 'transfer' | 'forward';
    id: string;
    label: string;
    field: string;
    submit: string;
    hidden: boolean;
    off: boolean;
    submitted: (destination: string) => void;
    extra?: unknown;
  }) {
    return html`<form
      id=${o.id}
      part=${o.kind}
      class="transfer"
      aria-label=${o.label}
      ?hidden=${o.hidden}
      @submit=${(event: SubmitEvent) => {
        event.preventDefault();
        const input = (event.currentTarget as HTMLFormElement).elements.namedItem(
          'destination',
        ) as HTMLInputElement;
        const destination = input.value.trim();
        if (!destination) input.focus();
        else if (!o.off) o.submitted(destination);
      }}
    >
      <label for=${`${o.id}-destination`}>${o.field}</label>
      <div class="field">
        <input
          id=${`${o.id}-destination`}
          part=${`${o.kind}-destination`}
          name="destination"
          type="text"
          autocomplete="off"
          autocapitalize="off"
          spellcheck="false"
        />
        <button type="submit" part=${`${o.kind}-button`} aria-disabled=${o.off ? 'true' : 'false'}>
          ${icon('transfer')}<span>${o.submit}</span>
        </button>
      </div>
      ${o.extra ?? nothing}
    </form>`;
  }

  /** Once rendered open, moves the focus into the destination field of form `id`. */
  async #focusField(id: string): Promise<void> {
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLInputElement>(`#${id}-destination`)?.focus();
  }

  protected override render() {
    const t = this.#l10n.t.bind(this.#l10n);
    const connection = this.#connection.value;
    const blocked = !!connection?.reason;
    const live = this.#live();
    const incoming = live.filter(isRingingIn);
    const active = live.filter(isActive);
    const stage = this.#stageCall();
    const ended = this._ended && !stage ? this.#calls.value?.[this._ended] : undefined;
    return html`<section part="base" class="base panel" aria-label=${t('callView.label')}>
      ${this.#announcer.render()} ${renderConnectionNotice(connection, this.#l10n)}
      ${incoming.map((call) => this.#renderIncoming(call, blocked))}
      ${this.#renderList(active, stage)} ${this.#renderStage(stage, blocked)}
      ${
        ended
          ? html`<div part="ended" class="ended">
              <span>${stateText(ended, this.#l10n)}</span>
              ${offersVoicemail(ended) ? (this.#voicemail?.render(ended) ?? nothing) : nothing}
              <button
                type="button"
                @click=${() => {
                  this.#voicemail?.reset();
                  this._ended = undefined;
                }}
              >
                ${t('callView.dismiss')}
              </button>
            </div>`
          : nothing
      }
      <div part="empty" class="empty" ?hidden=${live.length > 0 || !!ended}>
        <slot name="empty">${t('callView.noCall')}</slot>
      </div>
      <p part="error" class="error" role="alert">${this._error ?? ''}</p>
      <div part="audio" hidden></div>
    </section>`;
  }
}
