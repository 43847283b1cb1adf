import type { CommsClient } from '../../core/client.js';
import type { CallTransition } from '../../core/call/signalling.js';
import type { ContactInput } from '../../core/contacts/state.js';
import { CommsError, ErrorCodes, isBasicError, type BasicError } from '../../core/errors.js';
import type { Contact, Presence, UserInfo } from '../../core/protocol/schema.js';

/**
 * The base of every DOM event comms-kit elements dispatch: it bubbles and crosses shadow roots
 * (`composed`), and carries a typed `detail`. Requests (`comms-dial`) are also `cancelable`:
 * the page may `preventDefault()` and do its own thing.
 */
export class CommsEvent<D = undefined> extends Event {
  /** What the event is about. */
  readonly detail: D;

  constructor(type: string, detail: D, init: EventInit = {}) {
    super(type, { bubbles: true, composed: true, ...init });
    this.detail = detail;
  }
}

/** Error code of a request nobody could carry out (no client anywhere). */
export const NO_CLIENT = 'element:noClient';

/** How a request ended: carried out (with its value), failed (with the error), or prevented. */
export type RequestOutcome<R> =
  { status: 'done'; value: R } | { status: 'failed'; error: BasicError } | { status: 'prevented' };

/**
 * A user's intent, in the present tense (`comms-dial`, `comms-hold`): cancelable, so the page
 * may `preventDefault()` during dispatch and act itself. Otherwise it is carried out once, on
 * the client of whoever claims it: the enclosing `<comms-client>` (for its own client), else
 * the element that dispatched it (for its `activeClient`). `perform(client)` says what
 * "carried out" means: the core call the request stands for.
 */
export abstract class CommsRequestEvent<D, R = void> extends CommsEvent<D> {
  #runner: (() => Promise<R>) | undefined;
  #outcome: Promise<RequestOutcome<R>> | undefined;

  constructor(type: string, detail: D) {
    super(type, detail, { cancelable: true });
  }

  /** The core call this request stands for. */
  abstract perform(client: CommsClient): Promise<R>;

  /** True once someone has taken charge of carrying the request out. */
  get claimed(): boolean {
    return this.#runner !== undefined;
  }

  /**
   * Takes charge of carrying the request out with `runner` (by default on `client`). The first
   * claim wins; returns whether this one did.
   */
  claim(runner: CommsClient | (() => Promise<R>)): boolean {
    if (this.#runner) return false;
    this.#runner = typeof runner === 'function' ? runner : () => this.perform(runner);
    return true;
  }

  /**
   * Carries the request out (once; later calls return the same outcome). Call it after the
   * dispatch has finished, so every listener had its chance to `preventDefault()`.
   */
  settle(): Promise<RequestOutcome<R>> {
    this.#outcome ??= this.#run();
    return this.#outcome;
  }

  async #run(): Promise<RequestOutcome<R>> {
    if (this.defaultPrevented) return { status: 'prevented' };
    if (!this.#runner) {
      return {
        status: 'failed',
        error: {
          code: NO_CLIENT,
          message: 'there is no client: put the element inside <comms-client> or give it .client',
        },
      };
    }
    try {
      return { status: 'done', value: await this.#runner() };
    } catch (error) {
      return { status: 'failed', error: toBasicError(error) };
    }
  }
}

/** Any error as a `{code, message}`. */
export function toBasicError(error: unknown): BasicError {
  return isBasicError(error)
    ? { code: error.code, message: error.message }
    : { code: 'unknown', message: String((error as Error)?.message ?? error) };
}

/** Holds every call of `client` that is connected and not already held here, except `except`. */
async function holdOthers(client: CommsClient, except: string): Promise<void> {
  for (const call of client.call.getAll()) {
    if (call.id !== except && call.state === client.call.states.CONNECTED && !call.localHold) {
      await client.call.hold(call.id);
    }
  }
}

// ── requests ──────────────────────────────────────────────────────────────────

/** What to call, and whether with video. */
export interface DialDetail {
  /** A user id, an E.164 number (`+15551234567`) or a `sip:`/`tel:` URI. */
  destination: string;
  video: boolean;
}

/** The dialer asks to start a call (`client.call.make`). The outcome's value is the call id. */
export class CommsDialEvent extends CommsRequestEvent<DialDetail, string> {
  static readonly type = 'comms-dial';
  constructor(detail: DialDetail) {
    super(CommsDialEvent.type, detail);
  }
  perform(client: CommsClient): Promise<string> {
    const { destination, video } = this.detail;
    return Promise.resolve().then(() => client.call.make(destination, { audio: true, video }));
  }
}

/** A contact (or any element) asks to call someone (`client.call.make`). Value: the call id. */
export class CommsCallRequestEvent extends CommsRequestEvent<DialDetail, string> {
  static readonly type = 'comms-call-request';
  constructor(detail: DialDetail) {
    super(CommsCallRequestEvent.type, detail);
  }
  perform(client: CommsClient): Promise<string> {
    const { destination, video } = this.detail;
    return Promise.resolve().then(() => client.call.make(destination, { audio: true, video }));
  }
}

/** Who to chat with. */
export interface ChatRequestDetail {
  /** The other user's id (a one-to-one conversation). */
  destination: string;
}

/**
 * A contact (or any element) asks to chat with someone: the one-to-one conversation is opened
 * in the state (`client.conversation.get`). The outcome's value is the conversation's key (its
 * server id once known, else the destination). `<comms-chat>` listens for it and shows that
 * conversation; a page without one can `preventDefault()` and open its own chat.
 */
export class CommsChatRequestEvent extends CommsRequestEvent<ChatRequestDetail, string> {
  static readonly type = 'comms-chat-request';
  constructor(detail: ChatRequestDetail) {
    super(CommsChatRequestEvent.type, detail);
  }
  perform(client: CommsClient): Promise<string> {
    return Promise.resolve().then(() => {
      const conversation = client.conversation.get(this.detail.destination);
      return conversation.id ?? this.detail.destination;
    });
  }
}

/** A group conversation to create. */
export interface GroupCreateDetail {
  /** The group's name; without one, the group shows its members' names. */
  name?: string;
  /** The other members' user ids (two or more from `<comms-chat>`; the creator is a member too). */
  members: string[];
}

/**
 * "New group" asks to create a group conversation (`client.conversation.create(members,
 * {name})`): the members get it at once (`conversation:new`). The outcome's value is the new
 * conversation's id; `<comms-chat>` opens it.
 */
export class CommsGroupCreateEvent extends CommsRequestEvent<GroupCreateDetail, string> {
  static readonly type = 'comms-group-create';
  constructor(detail: GroupCreateDetail) {
    super(CommsGroupCreateEvent.type, detail);
  }
  async perform(client: CommsClient): Promise<string> {
    const { name, members } = this.detail;
    const group = await client.conversation.create(members, name ? { name } : {});
    return group.id!;
  }
}

/** Finds a conversation by its key: a server id, else a destination (opened if new). */
function conversationOf(client: CommsClient, key: string) {
  return client.conversation.getById(key) ?? client.conversation.get(key);
}

/** What to send, and where. */
export interface MessageSendDetail {
  /** The conversation: its server id, or the other user's id (a one-to-one conversation). */
  conversation: string;
  /** The text typed. */
  text: string;
}

/**
 * The composer asks to send a text message: `createMessage({type: 'text', text}).send()` on
 * the conversation. The message shows as pending at once and waits in the outbox while the
 * connection is down. The outcome's value is the message's client id.
 */
export class CommsMessageSendEvent extends CommsRequestEvent<MessageSendDetail, string> {
  static readonly type = 'comms-message-send';
  constructor(detail: MessageSendDetail) {
    super(CommsMessageSendEvent.type, detail);
  }
  perform(client: CommsClient): Promise<string> {
    return Promise.resolve().then(() => {
      const { conversation, text } = this.detail;
      return conversationOf(client, conversation).createMessage({ type: 'text', text }).send()
        .clientId;
    });
  }
}

/** Names one message of a conversation. */
export interface MessageDetail {
  /** The conversation: its server id, or the other user's id. */
  conversation: string;
  /** The message's id (or client id). */
  messageId: string;
}

/** Send a failed message again (`message.retry()`: same client id, stored once). */
export class CommsMessageRetryEvent extends CommsRequestEvent<MessageDetail> {
  static readonly type = 'comms-message-retry';
  constructor(detail: MessageDetail) {
    super(CommsMessageRetryEvent.type, detail);
  }
  perform(client: CommsClient): Promise<void> {
    return Promise.resolve().then(() => {
      const { conversation, messageId } = this.detail;
      const message = conversationOf(client, conversation).getMessage(messageId);
      if (!message) {
        throw new CommsError(
          ErrorCodes.INVALID_ARGUMENT,
          `comms-message-retry: there is no message '${messageId}' in '${conversation}'`,
        );
      }
      message.retry();
    });
  }
}

/** Names one call. */
export interface CallDetail {
  callId: string;
}

/** Answer an incoming call, with or without video; other connected calls are held first. */
export class CommsAnswerEvent extends CommsRequestEvent<CallDetail & { video: boolean }> {
  static readonly type = 'comms-answer';
  constructor(detail: CallDetail & { video: boolean }) {
    super(CommsAnswerEvent.type, detail);
  }
  async perform(client: CommsClient): Promise<void> {
    await holdOthers(client, this.detail.callId);
    await client.call.answer(this.detail.callId, { audio: true, video: this.detail.video });
  }
}

/** Decline an incoming call: the caller is told (`client.call.reject`). */
export class CommsRejectEvent extends CommsRequestEvent<CallDetail> {
  static readonly type = 'comms-reject';
  constructor(detail: CallDetail) {
    super(CommsRejectEvent.type, detail);
  }
  perform(client: CommsClient): Promise<void> {
    return client.call.reject(this.detail.callId);
  }
}

/** Stop ringing here without telling the caller (`client.call.ignore`). */
export class CommsIgnoreEvent extends CommsRequestEvent<CallDetail> {
  static readonly type = 'comms-ignore';
  constructor(detail: CallDetail) {
    super(CommsIgnoreEvent.type, detail);
  }
  perform(client: CommsClient): Promise<void> {
    return client.call.ignore(this.detail.callId);
  }
}

/** Where to forward a ringing call. */
export interface ForwardDetail extends CallDetail {
  /** A user id, an E.164 number or a `sip:`/`tel:` URI. */
  destination: string;
}

/**
 * Forward an incoming call that rings here to `destination`, who rings instead
 * (`client.call.forward`): the call ends here as forwarded, the caller's rings on there.
 */
export class CommsForwardEvent extends CommsRequestEvent<ForwardDetail> {
  static readonly type = 'comms-forward';
  constructor(detail: ForwardDetail) {
    super(CommsForwardEvent.type, detail);
  }
  perform(client: CommsClient): Promise<void> {
    return client.call.forward(this.detail.callId, this.detail.destination);
  }
}

/** End (or cancel) a call (`client.call.end`). */
export class CommsHangupEvent extends CommsRequestEvent<CallDetail> {
  static readonly type = 'comms-hangup';
  constructor(detail: CallDetail) {
    super(CommsHangupEvent.type, detail);
  }
  perform(client: CommsClient): Promise<void> {
    return client.call.end(this.detail.callId);
  }
}

/** Hold (`hold: true`) or resume (`hold: false`) a call. */
export class CommsHoldEvent extends CommsRequestEvent<CallDetail & { hold: boolean }> {
  static readonly type = 'comms-hold';
  constructor(detail: CallDetail & { hold: boolean }) {
    super(CommsHoldEvent.type, detail);
  }
  perform(client: CommsClient): Promise<void> {
    const { callId, hold } = this.detail;
    return hold ? client.call.hold(callId) : client.call.unhold(callId);
  }
}

/** Mute (`muted: true`) or unmute the microphone of a call (its local audio tracks). */
export class CommsMuteEvent extends CommsRequestEvent<CallDetail & { muted: boolean }> {
  static readonly type = 'comms-mute';
  constructor(detail: CallDetail & { muted: boolean }) {
    super(CommsMuteEvent.type, detail);
  }
  async perform(client: CommsClient): Promise<void> {
    const { callId, muted } = this.detail;
    const audio = (client.call.getById(callId)?.localTracks ?? []).filter(
      (id) => client.media.getTrackById(id)?.kind === 'audio',
    );
    if (muted) client.media.muteTracks(audio);
    else client.media.unmuteTracks(audio);
  }
}

/** Start (`video: true`) or stop the camera in a call. */
export class CommsVideoEvent extends CommsRequestEvent<CallDetail & { video: boolean }> {
  static readonly type = 'comms-video';
  constructor(detail: CallDetail & { video: boolean }) {
    super(CommsVideoEvent.type, detail);
  }
  perform(client: CommsClient): Promise<void> {
    const { callId, video } = this.detail;
    return video ? client.call.startVideo(callId) : client.call.stopVideo(callId);
  }
}

/** Start (`share: true`) or stop sharing the screen in a call. */
export class CommsScreenShareEvent extends CommsRequestEvent<CallDetail & { share: boolean }> {
  static readonly type = 'comms-screen-share';
  constructor(detail: CallDetail & { share: boolean }) {
    super(CommsScreenShareEvent.type, detail);
  }
  perform(client: CommsClient): Promise<void> {
    const { callId, share } = this.detail;
    return share ? client.call.startScreenshare(callId) : client.call.stopScreenshare(callId);
  }
}

/** Send DTMF tones (`0-9 * #`) on a call (`client.call.sendDTMF`). */
export class CommsDtmfEvent extends CommsRequestEvent<CallDetail & { tone: string }> {
  static readonly type = 'comms-dtmf';
  constructor(detail: CallDetail & { tone: string }) {
    super(CommsDtmfEvent.type, detail);
  }
  perform(client: CommsClient): Promise<void> {
    return client.call.sendDTMF(this.detail.callId, this.detail.tone);
  }
}

/** Make a call the current one: hold every other connected call, resume this one if held here. */
export class CommsCallSwitchEvent extends CommsRequestEvent<CallDetail> {
  static readonly type = 'comms-call-switch';
  constructor(detail: CallDetail) {
    super(CommsCallSwitchEvent.type, detail);
  }
  async perform(client: CommsClient): Promise<void> {
    const { callId } = this.detail;
    await holdOthers(client, callId);
    if (client.call.getById(callId)?.localHold) await client.call.unhold(callId);
  }
}

/** Re-establish a failed media connection (`client.call.restartMedia`). */
export class CommsMediaRestartEvent extends CommsRequestEvent<CallDetail> {
  static readonly type = 'comms-media-restart';
  constructor(detail: CallDetail) {
    super(CommsMediaRestartEvent.type, detail);
  }
  perform(client: CommsClient): Promise<void> {
    return client.call.restartMedia(this.detail.callId);
  }
}

/** Transfer a call: to a destination (direct), or to the other party of another call (consultative). */
export type TransferDetail = CallDetail &
  (
    | { destination: string; otherCallId?: undefined }
    | { otherCallId: string; destination?: undefined }
  );

/**
 * Transfer the other party of a call: to `destination` (`client.call.directTransfer`), or to
 * the other party of `otherCallId` (`client.call.consultativeTransfer`). The call(s) are held
 * here first when they are not, as a transfer needs. Resolves once the target answered and the
 * call(s) ended as transferred.
 */
export class CommsTransferEvent extends CommsRequestEvent<TransferDetail> {
  static readonly type = 'comms-transfer';
  constructor(detail: TransferDetail) {
    super(CommsTransferEvent.type, detail);
  }
  async perform(client: CommsClient): Promise<void> {
    const { callId, destination, otherCallId } = this.detail;
    for (const id of otherCallId === undefined ? [callId] : [callId, otherCallId]) {
      if (!client.call.getById(id)?.localHold) await client.call.hold(id);
    }
    if (otherCallId !== undefined) await client.call.consultativeTransfer(callId, otherCallId);
    else await client.call.directTransfer(callId, destination);
  }
}

/** Join two calls: the two other parties and this user in one audio call. */
export interface CallJoinDetail extends CallDetail {
  otherCallId: string;
}

/**
 * Merge two calls into one audio call of three (`client.call.join`): both are held here first
 * when they are not, as a join needs. Resolves with the joined call's id.
 */
export class CommsCallJoinEvent extends CommsRequestEvent<CallJoinDetail, string> {
  static readonly type = 'comms-call-join';
  constructor(detail: CallJoinDetail) {
    super(CommsCallJoinEvent.type, detail);
  }
  async perform(client: CommsClient): Promise<string> {
    const { callId, otherCallId } = this.detail;
    for (const id of [callId, otherCallId])
      if (!client.call.getById(id)?.localHold) await client.call.hold(id);
    return client.call.join(callId, otherCallId);
  }
}

/** A device kind the device picker chooses. `ringer` is the output the ringtone plays on. */
export type DeviceKind = 'camera' | 'microphone' | 'speaker' | 'ringer';

/** A device choice: a device id, or `null` to follow the system default. */
export interface DeviceSelectDetail {
  kind: DeviceKind;
  deviceId: string | null;
}

/**
 * Use a device from now on, in active calls too: `changeInputDevices` for the camera and
 * microphone (the sent track is replaced), `changeSpeaker` for the speaker. `null` follows the
 * system default. The ringer is not a core setting: the call view reads it from the stored
 * device choices, so carrying it out does nothing more.
 */
export class CommsDeviceSelectEvent extends CommsRequestEvent<DeviceSelectDetail> {
  static readonly type = 'comms-device-select';
  constructor(detail: DeviceSelectDetail) {
    super(CommsDeviceSelectEvent.type, detail);
  }
  async perform(client: CommsClient): Promise<void> {
    const { kind, deviceId } = this.detail;
    if (kind === 'ringer') return;
    if (kind === 'speaker') {
      await client.media.changeSpeaker(deviceId ?? '');
      return;
    }
    if (deviceId) {
      await client.media.changeInputDevices({ [kind]: deviceId });
      return;
    }
    // Follow the system default: forget the pinned device; move active calls to the default.
    client.media.setDefaultDevices({ [kind]: undefined });
    const list = client.media.getDevices()[kind];
    const fallback = list.find((d) => d.deviceId === 'default') ?? list[0];
    const inCall = client.call
      .getAll()
      .some(
        (c) => c.state === client.call.states.CONNECTED || c.state === client.call.states.ON_HOLD,
      );
    if (fallback && inCall) {
      await client.media.changeInputDevices({ [kind]: fallback.deviceId });
      client.media.setDefaultDevices({ [kind]: undefined });
    }
  }
}

/** This user's presence as `<comms-presence>` sets it. */
export interface PresenceSetDetail {
  /** `open` (online) or `closed` (appear offline): `client.presence.statuses`. */
  status: string;
  /** `available`, `busy`, `away`…: `client.presence.activities`. */
  activity: string;
  /** A free-text note (at most 256 characters). */
  note: string;
}

/** Set this user's presence (`client.presence.update`). The outcome's value is the new presence. */
export class CommsPresenceSetEvent extends CommsRequestEvent<PresenceSetDetail, Presence> {
  static readonly type = 'comms-presence-set';
  constructor(detail: PresenceSetDetail) {
    super(CommsPresenceSetEvent.type, detail);
  }
  perform(client: CommsClient): Promise<Presence> {
    const { status, activity, note } = this.detail;
    return Promise.resolve().then(() => client.presence.update(status, activity, note));
  }
}

/**
 * Add someone to the address book (`client.contacts.add`): `primaryContact` is their user id,
 * with the seeds' other contact fields (`firstName`, `lastName`…). Value: the stored contact.
 */
export class CommsContactAddEvent extends CommsRequestEvent<ContactInput, Contact> {
  static readonly type = 'comms-contact-add';
  constructor(detail: ContactInput) {
    super(CommsContactAddEvent.type, detail);
  }
  perform(client: CommsClient): Promise<Contact> {
    return Promise.resolve().then(() => client.contacts.add(this.detail));
  }
}

/** Names one contact of the address book. */
export interface ContactDetail {
  contactId: string;
}

/** Remove a contact from the address book (`client.contacts.remove`). */
export class CommsContactRemoveEvent extends CommsRequestEvent<ContactDetail> {
  static readonly type = 'comms-contact-remove';
  constructor(detail: ContactDetail) {
    super(CommsContactRemoveEvent.type, detail);
  }
  perform(client: CommsClient): Promise<void> {
    return Promise.resolve().then(() => client.contacts.remove(this.detail.contactId));
  }
}

/** Which voicemail. */
export interface VoicemailDetail {
  voicemailId: string;
}

/** Mark a voicemail heard (`client.voicemail.markHeard`). */
export class CommsVoicemailHeardEvent extends CommsRequestEvent<VoicemailDetail> {
  static readonly type = 'comms-voicemail-heard';
  constructor(detail: VoicemailDetail) {
    super(CommsVoicemailHeardEvent.type, detail);
  }
  perform(client: CommsClient): Promise<void> {
    return Promise.resolve()
      .then(() => client.voicemail.markHeard(this.detail.voicemailId))
      .then(() => undefined);
  }
}

/** Delete a voicemail from the mailbox (`client.voicemail.remove`). */
export class CommsVoicemailRemoveEvent extends CommsRequestEvent<VoicemailDetail> {
  static readonly type = 'comms-voicemail-remove';
  constructor(detail: VoicemailDetail) {
    super(CommsVoicemailRemoveEvent.type, detail);
  }
  perform(client: CommsClient): Promise<void> {
    return Promise.resolve().then(() => client.voicemail.remove(this.detail.voicemailId));
  }
}

/** The type of every request event, for providers that handle them all. */
export const requestEventTypes = [
  CommsDialEvent.type,
  CommsCallRequestEvent.type,
  CommsChatRequestEvent.type,
  CommsGroupCreateEvent.type,
  CommsMessageSendEvent.type,
  CommsMessageRetryEvent.type,
  CommsAnswerEvent.type,
  CommsRejectEvent.type,
  CommsIgnoreEvent.type,
  CommsForwardEvent.type,
  CommsHangupEvent.type,
  CommsHoldEvent.type,
  CommsMuteEvent.type,
  CommsVideoEvent.type,
  CommsScreenShareEvent.type,
  CommsDtmfEvent.type,
  CommsCallSwitchEvent.type,
  CommsMediaRestartEvent.type,
  CommsDeviceSelectEvent.type,
  CommsPresenceSetEvent.type,
  CommsContactAddEvent.type,
  CommsContactRemoveEvent.type,
  CommsTransferEvent.type,
  CommsCallJoinEvent.type,
  CommsVoicemailHeardEvent.type,
  CommsVoicemailRemoveEvent.type,
] as const;

// ── notifications ─────────────────────────────────────────────────────────────

/** Dispatched by `<comms-client>` when the client it provides changes (created, replaced or removed). */
export class CommsClientChangeEvent extends CommsEvent<{
  client: CommsClient | undefined;
}> {
  static readonly type = 'comms-client-change';
  constructor(client: CommsClient | undefined) {
    super(CommsClientChangeEvent.type, { client });
  }
}

/** Dispatched when an element meets an error it cannot show inline (bad attribute, failed action). */
export class CommsErrorEvent extends CommsEvent<{
  error: BasicError;
}> {
  static readonly type = 'comms-error';
  constructor(error: BasicError) {
    super(CommsErrorEvent.type, { error });
  }
}

/** A call view saw an incoming call arrive. */
export class CommsCallReceivedEvent extends CommsEvent<CallDetail & { from: string }> {
  static readonly type = 'comms-call-received';
  constructor(detail: CallDetail & { from: string }) {
    super(CommsCallReceivedEvent.type, detail);
  }
}

/** A call view saw a call end (`transition` says why). */
export class CommsCallEndedEvent extends CommsEvent<
  CallDetail & { transition: CallTransition | null }
> {
  static readonly type = 'comms-call-ended';
  constructor(detail: CallDetail & { transition: CallTransition | null }) {
    super(CommsCallEndedEvent.type, detail);
  }
}

/** `<comms-login>` signed the user in (the client is connected). `detail.user` is who. */
export class CommsSignedInEvent extends CommsEvent<{ user: UserInfo }> {
  static readonly type = 'comms-signed-in';
  constructor(detail: { user: UserInfo }) {
    super(CommsSignedInEvent.type, detail);
  }
}

/** `<comms-login>` signed the user out (`client.auth.logout`). */
export class CommsSignedOutEvent extends CommsEvent<Record<string, never>> {
  static readonly type = 'comms-signed-out';
  constructor() {
    super(CommsSignedOutEvent.type, {});
  }
}

declare global {
  interface GlobalEventHandlersEventMap {
    'comms-client-change': CommsClientChangeEvent;
    'comms-error': CommsErrorEvent;
    'comms-dial': CommsDialEvent;
    'comms-call-request': CommsCallRequestEvent;
    'comms-chat-request': CommsChatRequestEvent;
    'comms-group-create': CommsGroupCreateEvent;
    'comms-message-send': CommsMessageSendEvent;
    'comms-message-retry': CommsMessageRetryEvent;
    'comms-answer': CommsAnswerEvent;
    'comms-reject': CommsRejectEvent;
    'comms-ignore': CommsIgnoreEvent;
    'comms-forward': CommsForwardEvent;
    'comms-hangup': CommsHangupEvent;
    'comms-hold': CommsHoldEvent;
    'comms-mute': CommsMuteEvent;
    'comms-video': CommsVideoEvent;
    'comms-screen-share': CommsScreenShareEvent;
    'comms-dtmf': CommsDtmfEvent;
    'comms-call-switch': CommsCallSwitchEvent;
    'comms-media-restart': CommsMediaRestartEvent;
    'comms-transfer': CommsTransferEvent;
    'comms-call-join': CommsCallJoinEvent;
    'comms-device-select': CommsDeviceSelectEvent;
    'comms-presence-set': CommsPresenceSetEvent;
    'comms-contact-add': CommsContactAddEvent;
    'comms-contact-remove': CommsContactRemoveEvent;
    'comms-voicemail-heard': CommsVoicemailHeardEvent;
    'comms-voicemail-remove': CommsVoicemailRemoveEvent;
    'comms-call-received': CommsCallReceivedEvent;
    'comms-call-ended': CommsCallEndedEvent;
    'comms-signed-in': CommsSignedInEvent;
    'comms-signed-out': CommsSignedOutEvent;
  }
}
