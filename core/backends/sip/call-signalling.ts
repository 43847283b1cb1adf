/**
 * Call signalling over SIP (SIP over WebSocket, RFC 7118, to Kamailio or any SIP proxy): the
 * `CallSignalling` the call engine uses when calls go through SIP rather than the gateway's
 * WebSocket. SIP.js carries the dialogs (INVITE, re-INVITE, BYE, CANCEL, INFO); its session
 * description handler here owns no media: it hands the engine's descriptions to SIP.js and the
 * other party's to the engine, which keeps every RTCPeerConnection (DESIGN: backends carry
 * signalling, the engine owns media). SIP sends complete descriptions, so `trickle` is false
 * and the engine gathers candidates into each description before it is sent.
 *
 * Mapping: an INVITE's 180 is `ringing`, its 2xx `answered`, a failure `ended` with the SIP
 * status (486 busy, 603 rejected, 480 not available, 404 no such user, 487 cancelled); a
 * re-INVITE is `offer`/`answer` (hold when the offer is `sendonly` or `inactive`); BYE ends.
 * Custom parameters travel as SIP headers (received: the `X-` headers), alone in an INFO.
 *
 * Forwarding a ringing call is a 302 whose Contact names the destination, with a Diversion
 * header (RFC 5806) naming who forwarded it; the caller's side follows it with a new INVITE of
 * the same offer and Call-ID, carrying the Diversion headers so far. A transfer is a REFER in the
 * call's dialog (RFC 3515): Refer-To names the target, with a Replaces header (RFC 3891) when it
 * is a consultative transfer; the transferee's INVITE to the target carries Referred-By, and its
 * progress goes back to the transferrer in NOTIFYs, whose final one settles the transfer.
 */
import {
  Grammar,
  Invitation,
  Inviter,
  Registerer,
  SessionState,
  SIPExtension,
  UserAgent,
  type Core,
  type NameAddrHeader,
  type Referral,
  type Session,
  type SessionDescriptionHandler,
} from 'sip.js';
import { CommsError } from '../../errors.js';
import {
  defaultIceCollectionCheck,
  type IceCollectionCheckResult,
  type IceCollectionInfo,
} from '../../call/ice.js';
import type { Logger } from '../../logger.js';
import { CallErrorCodes } from '../../call/errors.js';
import {
  Transitions,
  type CallForwarding,
  type CallSignalling,
  type CallTransition,
  type CustomParameter,
  type MediaOffered,
  type RemoteParty,
  type SignallingHandlers,
  type TransferTarget,
} from '../../call/signalling.js';

/** What a user needs to register with the SIP proxy (the gateway's `GET /v1/sip-credentials`). */
export interface SipSettings {
  /** The proxy's SIP-over-WebSocket URL (`wss://…`, or `ws://` on loopback). */
  wsUrl: string;
  /** The SIP domain: a destination without one (`bob`) is `sip:bob@<domain>`. */
  domain: string;
  /** This user's address of record (`sip:<user id>@<domain>`). */
  uri: string;
  /** Digest credentials (the gateway's are short-lived: `<expiry>:<user id>` and an HMAC). */
  username: string;
  password: string;
  /** The name the other party sees. */
  displayName?: string;
  /**
   * Seconds an outgoing call rings unanswered before this side cancels it, ending it with no
   * answer (408) as the gateway would; default 60.
   */
  ringTimeout?: number;
  /** Seconds the credentials stay valid (the gateway's: `useSipBackend` renews them at half). */
  ttl?: number;
}

/** What the SIP backend asks of the client. */
export interface SipOptions {
  /** Whether a second incoming call rings while one is in progress (else: busy, 486). */
  multiCall?: () => boolean;
  /**
   * The name to show for a user id this user calls (SIP tells the caller none); undefined when
   * there is no such user (a forward or transfer to them is refused: `call:unknownDestination`).
   */
  nameOf?: (id: string) => Promise<string | undefined>;
}

/** Stable error codes of the SIP backend. */
export const SipErrorCodes = {
  REGISTRATION_FAILED: 'sip:registrationFailed',
  REQUEST_FAILED: 'sip:requestFailed',
} as const;

/** One call as SIP sees it. */
interface SipCall {
  callId: string;
  /** The SIP session that carries the call (a new one once the callee forwarded it). */
  session: Session;
  /** The other party (for an outgoing call: whom it rings now). */
  party: RemoteParty;
  /** An outgoing call's INVITE: its offer, headers and parameters, sent again when forwarded. */
  outgoing?: { offer: string; headers: string[]; displayName?: string; forwards: number };
  /** The call an incoming one replaces (a consultative transfer), ended once this is answered. */
  replaces?: string;
  /** This side asked the other party to take the call elsewhere (a REFER): its NOTIFYs count. */
  referring: boolean;
  /** This side's custom parameters for its answer to the other side's re-INVITE. */
  answerHeaders?: string[];
  /** The other call of this side's consultative transfer (it ends as transferred too). */
  transferredWith?: SipCall;
  /** Descriptions the engine gave, for SIP.js's next `getDescription`. */
  local: string[];
  /** An answer the engine is asked for (the other party's re-INVITE), waited for by SIP.js. */
  wanted: { resolve(sdp: string): void; reject(error: Error): void } | undefined;
  /**
   * The next remote description SIP.js sets answers this side's offer, or is the offer this side
   * is accepting (the engine has it already); otherwise it is the other party's re-INVITE.
   */
  settling: boolean;
  /** The last remote description SIP.js set. */
  remote: string;
  /** Why the call ended, when the other side or a response said so. */
  transition: CallTransition | undefined;
  /** This side ended it: nothing to tell the engine. */
  endedHere: boolean;
  /** Events for the engine are delivered after `invite()` has returned to it. */
  ready: Promise<unknown>;
}

const SDP = 'application/sdp';
/** A SIP header name (RFC 3261 token). */
const TOKEN = /^[!%'*+\-.0-9A-Z_`a-z~]+$/;

/**
 * How many times one call may be forwarded (as on the gateway): a callee refuses a sixth, and the
 * caller's side gives up on a call a device forwards more often.
 */
const MAX_FORWARDS = 5;
const FORWARDED_TOO_OFTEN: CallTransition = {
  statusCode: 482,
  reasonText: 'Forwarded too many times',
};

const byStatus: Record<number, CallTransition> = {
  404: Transitions.NOT_FOUND,
  408: Transitions.NO_ANSWER,
  480: Transitions.UNAVAILABLE,
  486: Transitions.BUSY,
  487: Transitions.CANCELLED,
  600: Transitions.BUSY,
  603: Transitions.REJECTED,
};

/** A party as a SIP name-addr (`"Name" <sip:…>`), the name quoted as RFC 3261 asks. */
function nameAddr(party: RemoteParty, uri: string): string {
  const name = party.displayName.replace(/[\r\n]/g, ' ').replace(/["\\]/g, '\\$&');
  return `"${name}" <${uri}>`;
}

/** The name-addrs of a message's headers called `name`, in order (each value of each line). */
function nameAddrs(message: Core.IncomingMessage, name: string): NameAddrHeader[] {
  return message
    .getHeaders(name)
    .flatMap((line) => line.split(/,(?=(?:[^"]*"[^"]*")*[^"]*$)/))
    .map((value) => Grammar.nameAddrHeaderParse(value.trim()))
    .filter((header): header is NameAddrHeader => header !== undefined);
}

/** What an offer carries. */
function mediaOf(sdp: string): MediaOffered {
  return { audio: /^m=audio /m.test(sdp), video: /^m=video /m.test(sdp) };
}

/** Whether a re-INVITE's offer puts the call on hold (every stream sendonly or inactive). */
function isHold(sdp: string): boolean {
  const directions = sdp.match(/^a=(sendrecv|sendonly|recvonly|inactive)/gm) ?? [];
  return directions.length > 0 && directions.every((d) => /sendonly|inactive/.test(d));
}

/** Custom parameters as SIP headers; a name that is not a header name is refused. */
function headers(parameters: CustomParameter[]): string[] {
  return parameters.map(({ name, value }) => {
    if (!TOKEN.test(name) || /[\r\n]/.test(value))
      throw new CommsError(
        SipErrorCodes.REQUEST_FAILED,
        `custom parameter "${name}" cannot travel as a SIP header (a name of letters, digits and -.!%*_+\`'~, a value on one line)`,
      );
    return `${name}: ${value}`;
  });
}

/**
 * The custom parameters a request or response carries: its `X-` headers, read from the message
 * as it came (SIP.js files headers under a normalized name, `X-Gps` for `X-GPS`).
 */
function parametersOf(message: Core.IncomingMessage): CustomParameter[] {
  const head = message.data.split(/\r?\n\r?\n/, 1)[0] ?? '';
  return [...head.matchAll(/^(x-[^\s:]+)[ \t]*:[ \t]*(.*?)[ \t]*$/gim)].map(([, name, value]) => ({
    name: name!,
    value: value!,
  }));
}

/**
 * The ICE collection check over SIP (its descriptions go out complete): the default one, but a
 * description may go as soon as its transport has what counts, rather than when gathering
 * ends (Chromium's TCP host candidates come about 120 ms after the UDP ones, and wait for them
 * made a call over SIP three times slower to set up). What counts: a UDP host candidate (unless
 * relay only), a server-reflexive one when STUN servers are configured, and a relayed one per
 * TURN URL; on the first m-line's transport (the BUNDLE one), else on each.
 */
export function sipIceCollectionCheck(
  info: IceCollectionInfo,
  timeouts: { iceCollectionIdealTimeout: number; iceCollectionMaxTimeout: number },
): IceCollectionCheckResult {
  const config = info.rtcPeerConnectionConfig;
  const relayOnly = config.iceTransportPolicy === 'relay';
  const urls = (config.iceServers ?? []).flatMap((s) =>
    typeof s.urls === 'string' ? [s.urls] : s.urls,
  );
  const turn = urls.filter((u) => /^turns?:/i.test(u)).length;
  const stun = !relayOnly && urls.some((u) => /^stuns?:/i.test(u));
  const sdp = info.rtcLocalSessionDescription;
  const mids = [...sdp.matchAll(/^a=mid:(\S+)/gm)].map((m) => m[1]!);
  const bundle = /^a=group:BUNDLE (\S+)/m.exec(sdp)?.[1];
  // This gathering's only (an ICE restart's description has a new ufrag).
  const ufrag = /^a=ice-ufrag:(\S+)/m.exec(sdp)?.[1];
  const ready = (bundle ? [bundle] : mids).every((mid) => {
    const here = info.iceCandidates.filter(
      (c) => c.sdpMid === mid && (!ufrag || !c.usernameFragment || c.usernameFragment === ufrag),
    );
    return (
      (relayOnly || here.some((c) => c.type === 'host' && c.protocol === 'udp')) &&
      (!stun || here.some((c) => c.type === 'srflx')) &&
      here.filter((c) => c.type === 'relay').length >= turn
    );
  });
  return ready && mids.length > 0
    ? { type: 'StartCall' }
    : defaultIceCollectionCheck(info, timeouts);
}

export class SipCallSignalling implements CallSignalling {
  /** SIP carries complete descriptions: the engine gathers candidates before sending one. */
  readonly trickle = false;
  readonly iceCollectionCheck = sipIceCollectionCheck;
  #settings: SipSettings;
  readonly #ua: UserAgent;
  readonly #registerer: Registerer;
  readonly #calls = new Map<string, SipCall>();
  /** REFERs this side accepted, by transfer id, until the engine places the call they ask for. */
  readonly #referrals = new Map<string, { referral: Referral; callId: string }>();
  #transfers = 0;
  /** The call each SIP.js session belongs to (its description handler asks). */
  readonly #bySession = new WeakMap<Session, SipCall>();
  #handlers: SignallingHandlers | undefined;
  readonly #options: SipOptions;
  readonly #log: Logger;

  private constructor(settings: SipSettings, log: Logger, options: SipOptions) {
    this.#settings = settings;
    this.#options = options;
    this.#log = log;
    const uri = UserAgent.makeURI(settings.uri);
    if (!uri)
      throw new CommsError(SipErrorCodes.REGISTRATION_FAILED, `"${settings.uri}" is not a SIP URI`);
    this.#ua = new UserAgent({
      uri,
      transportOptions: { server: settings.wsUrl },
      authorizationUsername: settings.username,
      authorizationPassword: settings.password,
      ...(settings.displayName ? { displayName: settings.displayName } : {}),
      logBuiltinEnabled: false,
      logLevel: 'warn',
      logConnector: (level, category, _label, content) => {
        if (level === 'error' || level === 'warn') log.warn(`sip ${category}: ${content}`);
      },
      sessionDescriptionHandlerFactory: (session) => this.#descriptions(session),
      // An INVITE that replaces a call of this user (a consultative transfer's) is matched to it.
      sipExtensionReplaces: SIPExtension.Supported,
      delegate: {
        onInvite: (invitation) => this.#incoming(invitation),
        // A transfer comes as a REFER in the call's own dialog; one from outside it (RFC 4538's
        // Target-Dialog) is not taken: the call is unknown to whoever sent it.
        onReferRequest: (request) =>
          request.reject({ statusCode: 481, reasonPhrase: 'Call/Transaction Does Not Exist' }),
      },
    });
    this.#registerer = new Registerer(this.#ua);
  }

  /**
   * Connects to the proxy and registers this user. Rejects with `sip:registrationFailed` (the
   * proxy's status and reason in the message) when the proxy cannot be reached or refuses.
   */
  static async connect(
    settings: SipSettings,
    log: Logger,
    options: SipOptions = {},
  ): Promise<SipCallSignalling> {
    const signalling = new SipCallSignalling(settings, log, options);
    try {
      await signalling.#ua.start();
    } catch (error) {
      throw signalling.#failed((error as Error).message || 'the WebSocket did not open');
    }
    try {
      await signalling.#register();
    } catch (error) {
      await signalling.#ua.stop().catch(() => undefined);
      throw error;
    }
    return signalling;
  }

  #failed(why: string): CommsError {
    const { uri, wsUrl } = this.#settings;
    return new CommsError(
      SipErrorCodes.REGISTRATION_FAILED,
      `could not register ${uri} at ${wsUrl}: ${why}`,
    );
  }

  /** Sends a REGISTER with the current credentials; resolves once the proxy accepts it. */
  #register(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.#registerer
        .register({
          requestDelegate: {
            onAccept: () => resolve(),
            onReject: ({ message }) =>
              reject(this.#failed(`${message.statusCode} ${message.reasonPhrase}`)),
          },
        })
        .catch((error: Error) => reject(this.#failed(error.message)));
    });
  }

  /**
   * Registers again with new credentials for the same user (the gateway's, before the old ones
   * expire); later requests use them. Rejects with `sip:registrationFailed` when refused.
   */
  async renew(settings: SipSettings): Promise<void> {
    if (settings.uri !== this.#settings.uri)
      throw this.#failed(`new credentials are for ${settings.uri}`);
    this.#settings = settings;
    const configuration = this.#ua.configuration;
    configuration.authorizationUsername = settings.username;
    configuration.authorizationPassword = settings.password;
    await this.#register();
  }

  /** Unregisters and closes the WebSocket; calls in progress end. */
  async close(): Promise<void> {
    await this.#registerer.unregister().catch(() => undefined);
    await this.#ua.stop();
  }

  setHandlers(handlers: SignallingHandlers): void {
    this.#handlers = handlers;
  }

  // ── the description handler: descriptions between SIP.js and the engine ──────

  #descriptions(session: Session): SessionDescriptionHandler {
    return {
      close: () => undefined,
      hasDescription: (contentType) => contentType === SDP,
      sendDtmf: () => false, // the engine sends DTMF on the media (RTCDTMFSender)
      getDescription: async () => {
        const call = this.#bySession.get(session);
        if (!call) throw new Error('no call for this SIP session');
        const ready = call.local.shift();
        const body =
          ready ??
          (await new Promise<string>((resolve, reject) => (call.wanted = { resolve, reject })));
        return { body, contentType: SDP };
      },
      setDescription: async (sdp) => {
        const call = this.#bySession.get(session);
        if (!call) throw new Error('no call for this SIP session');
        call.remote = sdp;
        if (!call.settling) {
          // The other party's re-INVITE: SIP.js asks for the answer right after.
          this.#handlers?.offer(call.callId, sdp, isHold(sdp));
        }
      },
    };
  }

  // ── outgoing ────────────────────────────────────────────────────────────────

  #target(to: string) {
    const address = /^sips?:/i.test(to)
      ? to
      : `sip:${to.includes('@') ? to : `${to}@${this.#settings.domain}`}`;
    const uri = UserAgent.makeURI(address);
    if (!uri) throw new CommsError('call:invalidDestination', `"${to}" is not a SIP address`);
    return uri;
  }

  /** The party a SIP identity names: a user of this domain by id, anyone else by address. */
  #party(identity: NameAddrHeader): RemoteParty {
    const { user, host } = identity.uri;
    const id = user && host === this.#settings.domain ? user : identity.uri.toString();
    return { id, displayName: identity.displayName || id };
  }

  /** This user as the other party sees them. */
  #self(): RemoteParty {
    const id = UserAgent.makeURI(this.#settings.uri)?.user ?? this.#settings.uri;
    return { id, displayName: this.#settings.displayName || id };
  }

  /**
   * The party a forward or transfer names: a user of the directory (else
   * `call:unknownDestination`), or any SIP address as it is.
   */
  async #destination(destination: string): Promise<RemoteParty> {
    this.#target(destination);
    const name =
      /^sips?:|@/.test(destination) || !this.#options.nameOf
        ? destination
        : await this.#options.nameOf(destination);
    if (name === undefined)
      throw new CommsError('call:unknownDestination', `there is no user "${destination}" to call`);
    return { id: destination, displayName: name };
  }

  async invite(request: Parameters<CallSignalling['invite']>[0]) {
    const target = this.#target(request.to);
    const extraHeaders = headers(request.customParameters);
    // The SIP Call-ID is the engine's call id, so both parties name the call alike (SIP.js
    // passes its params on to the request, Call-ID included, though its type omits it).
    const params = {
      callId: request.callId,
      ...(request.displayName ? { fromDisplayName: request.displayName } : {}),
    };
    let inviter: Inviter;
    if (request.transfer) {
      // The call a REFER asked for: SIP.js adds its Referred-By (and Replaces) and tells the
      // transferrer how it goes (NOTIFY).
      const { transferId, callId } = request.transfer;
      const asked = this.#referrals.get(transferId);
      if (!asked || asked.callId !== callId)
        throw new CommsError(
          CallErrorCodes.TRANSFER_FAILED,
          `no transfer ${transferId} of call ${callId} is waiting`,
        );
      this.#referrals.delete(transferId);
      inviter = asked.referral.makeInviter({ extraHeaders, params });
    } else inviter = new Inviter(this.#ua, target, { extraHeaders, params });
    let started!: () => void;
    const call = this.#track(
      request.callId,
      inviter,
      new Promise<void>((resolve) => (started = resolve)),
      { id: request.to, displayName: request.to },
    );
    call.outgoing = {
      offer: request.sdp,
      headers: extraHeaders,
      ...(request.displayName ? { displayName: request.displayName } : {}),
      forwards: 0,
    };
    // The callee's name, looked up while the INVITE goes out.
    const name = this.#options.nameOf?.(request.to).catch(() => undefined);
    await this.#send(call, inviter, request.transfer?.callId);
    call.party.displayName = (await name) || request.to;
    started();
    return { to: { ...call.party } };
  }

  /**
   * Sends `inviter`'s INVITE with the call's offer and follows it: 180 is ringing, 2xx answered,
   * 3xx forwarded, a failure ends the call; unanswered in time, this side cancels. A call a
   * transfer asked for (`transferred`: the call it takes over) ends that one as transferred once
   * it is answered.
   */
  async #send(call: SipCall, inviter: Inviter, transferred?: string): Promise<void> {
    const { callId } = call;
    call.local.push(call.outgoing!.offer);
    call.settling = true;
    await inviter.invite({
      requestDelegate: {
        onProgress: ({ message }) => {
          if (message.statusCode === 180 || message.statusCode === 183)
            void call.ready.then(() => this.#handlers?.ringing(callId));
        },
        onAccept: ({ message }) => {
          call.settling = false;
          // The transferrer ends the old call next (BYE): it ends as transferred here.
          const old = transferred && this.#calls.get(transferred);
          if (old) old.transition = Transitions.TRANSFERRED;
          void call.ready.then(() =>
            this.#handlers?.answered(callId, call.remote, parametersOf(message)),
          );
        },
        onRedirect: ({ message }) => this.#forwarded(call, message),
        onReject: ({ message }) => {
          const statusCode = message.statusCode ?? 500;
          // After this side cancelled for no answer, the 487 does not change why it ended.
          call.transition ??= byStatus[statusCode] ?? {
            statusCode,
            reasonText: message.reasonPhrase ?? 'Failed',
          };
        },
      },
    });
    // No answer in time: this side cancels, and the call ends as the gateway would end it.
    const unanswered = setTimeout(
      () => {
        if (inviter.state !== SessionState.Establishing) return;
        call.transition = Transitions.NO_ANSWER;
        // Saying why (`Reason: SIP;cause=408`): the callee and the call records tell it apart.
        const { statusCode, reasonText: reasonPhrase } = Transitions.NO_ANSWER;
        void inviter.cancel({ statusCode, reasonPhrase }).catch(() => undefined);
      },
      (this.#settings.ringTimeout ?? 60) * 1000,
    );
    inviter.stateChange.addListener((state) => {
      if (state !== SessionState.Establishing) clearTimeout(unanswered);
    });
  }

  /**
   * The callee forwarded the call (a 3xx): it rings at the Contact now, with the same offer and
   * Call-ID (RFC 3261 §8.1.3.4), and the Diversion headers so far, newest first (RFC 5806).
   */
  #forwarded(call: SipCall, message: Core.IncomingResponseMessage): void {
    const outgoing = call.outgoing!;
    const [contact] = nameAddrs(message, 'contact');
    if (!contact || ++outgoing.forwards > MAX_FORWARDS) {
      call.transition = contact
        ? FORWARDED_TOO_OFTEN
        : { statusCode: message.statusCode ?? 302, reasonText: 'Forwarded nowhere' };
      return;
    }
    const diversions = message.getHeaders('diversion');
    const [by] = nameAddrs(message, 'diversion');
    const forwarding: CallForwarding = {
      by: by ? this.#party(by) : { ...call.party },
      to: this.#party(contact),
    };
    const uri = contact.uri.clone();
    uri.clearHeaders();
    // A new request of the same call: its Call-ID, and the next CSeq.
    const params = {
      callId: call.callId,
      cseq: outgoing.forwards + 1,
      ...(outgoing.displayName ? { fromDisplayName: outgoing.displayName } : {}),
    };
    const inviter = new Inviter(this.#ua, uri, {
      extraHeaders: [...outgoing.headers, ...diversions.map((d) => `Diversion: ${d}`)],
      params,
    });
    // The old session's end is not the call's: the new one carries it (see `#track`).
    call.session = inviter;
    call.party = { ...forwarding.to };
    this.#watch(call, inviter);
    void call.ready.then(() => this.#handlers?.forwarded(call.callId, forwarding));
    this.#send(call, inviter).catch((error: unknown) => {
      this.#log.warn(`could not forward call ${call.callId} to ${uri.toString()}`, error);
      call.transition = { statusCode: 500, reasonText: 'Could not follow the forward' };
      void inviter.dispose();
    });
  }

  // ── incoming ────────────────────────────────────────────────────────────────

  #incoming(invitation: Invitation): void {
    const sdp = invitation.body;
    const callId = invitation.request.callId;
    if (!sdp || !this.#handlers) {
      // An INVITE without an offer (late offer) is not handled: the engine answers offers.
      void invitation.reject({ statusCode: 488 }).catch(() => undefined);
      return;
    }
    if (this.#calls.has(callId)) {
      // A new dialog with the Call-ID of a call in progress (someone reaching into it): refused,
      // the call unharmed.
      void invitation
        .reject({ statusCode: 403, reasonPhrase: 'Call-ID in use' })
        .catch(() => undefined);
      return;
    }
    const request = invitation.request;
    // A consultative transfer's INVITE replaces a call of this user (SIP.js matched its dialog).
    const replaces = (request.parseHeader('replaces') as { call_id?: string } | undefined)?.call_id;
    const replacing = replaces !== undefined && this.#calls.has(replaces);
    if (this.#calls.size > 0 && !replacing && !this.#options.multiCall?.()) {
      // In a call, and not taking a second one (`call.multiCall`): busy, as the gateway says.
      void invitation.reject({ statusCode: 486 }).catch(() => undefined);
      return;
    }
    const from = this.#party(invitation.remoteIdentity);
    const call = this.#track(callId, invitation, Promise.resolve(), from);
    if (replacing) call.replaces = replaces;
    invitation.delegate = {
      ...invitation.delegate,
      // A proxy forking to several devices cancels the others once one answered or forwarded
      // the call, saying so (RFC 3326: `Reason: SIP ;cause=200`, or 302 from our Kamailio);
      // a caller that waited long enough says 408.
      onCancel: ({ request }) => {
        const cause = /cause\s*=\s*(\d+)/.exec(request.getHeader('Reason') ?? '')?.[1];
        call.transition =
          cause === '200'
            ? Transitions.ANSWERED_ELSEWHERE
            : cause === '302'
              ? Transitions.FORWARDED
              : cause === '408'
                ? Transitions.NO_ANSWER
                : Transitions.CANCELLED;
      },
    };
    // Forwarded: each Diversion names who forwarded it, newest first; each forwarded it to the
    // next, the last to this user.
    const diverters = nameAddrs(request, 'diversion')
      .reverse()
      .map((d) => this.#party(d));
    const forwarded = diverters.map((by, i) => ({ by, to: diverters[i + 1] ?? this.#self() }));
    const [referredBy] = nameAddrs(request, 'referred-by');
    this.#handlers.incoming({
      callId,
      from,
      sdp,
      media: mediaOf(sdp),
      customParameters: parametersOf(request),
      ...(referredBy
        ? { transfer: { referredBy: this.#party(referredBy), replaces: call.replaces ?? null } }
        : {}),
      ...(forwarded.length ? { forwarded } : {}),
    });
  }

  #invitation(callId: string): Invitation {
    const session = this.#call(callId).session;
    if (!(session instanceof Invitation))
      throw new CommsError(SipErrorCodes.REQUEST_FAILED, `call ${callId} was not received`);
    return session;
  }

  async ringing(callId: string) {
    await this.#invitation(callId).progress();
  }

  async answer(callId: string, sdp: string, customParameters: CustomParameter[]) {
    const call = this.#call(callId);
    call.local.push(sdp);
    // SIP.js sets the offer (the engine has it already) and takes the engine's answer.
    call.settling = true;
    await this.#invitation(callId).accept({ extraHeaders: headers(customParameters) });
    call.settling = false;
    // It replaces a call (a consultative transfer): that one ends, as transferred (RFC 3891).
    const replaced = call.replaces && this.#calls.get(call.replaces);
    if (replaced && replaced.session.state === SessionState.Established) {
      replaced.transition = Transitions.TRANSFERRED;
      await replaced.session.bye().catch(() => undefined);
    }
  }

  async reject(callId: string) {
    const call = this.#call(callId);
    call.endedHere = true;
    await this.#invitation(callId).reject({ statusCode: 603 });
  }

  // ── during the call ─────────────────────────────────────────────────────────

  async end(callId: string) {
    const call = this.#calls.get(callId);
    if (!call) return;
    call.endedHere = true;
    const { session } = call;
    if (session.state === SessionState.Established) await session.bye();
    else if (session instanceof Inviter) await session.cancel();
    else if (session instanceof Invitation && session.state === SessionState.Initial)
      await session.reject({ statusCode: 480 });
    else if (session instanceof Invitation && session.state === SessionState.Establishing)
      await session.reject({ statusCode: 487 });
  }

  async offer(callId: string, sdp: string, _hold: boolean, customParameters: CustomParameter[]) {
    const call = this.#call(callId);
    // A re-INVITE waits while the dialog has one in progress (RFC 3261 §14.1): the other side's
    // is not over until its ACK arrives, which can come after the engine applied its offer.
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.#reinvite(call, sdp, customParameters);
      } catch (error) {
        if (!/ongoing re-INVITE/.test((error as Error).message) || attempt === 20) throw error;
        await new Promise((resolve) => setTimeout(resolve, 25 * attempt));
      }
    }
  }

  #reinvite(call: SipCall, sdp: string, customParameters: CustomParameter[]): Promise<void> {
    const { callId } = call;
    call.local.push(sdp);
    call.settling = true;
    return new Promise<void>((resolve, reject) => {
      call.session
        .invite({
          requestOptions: { extraHeaders: headers(customParameters) },
          requestDelegate: {
            onAccept: ({ message }) => {
              call.settling = false;
              this.#handlers?.answer(callId, call.remote);
              const received = parametersOf(message);
              if (received.length) this.#handlers?.parameters(callId, received);
              resolve();
            },
            onReject: ({ message }) => {
              call.settling = false;
              reject(
                new CommsError(
                  // 491: the other side's re-INVITE crossed this one (glare): the engine retries.
                  message.statusCode === 491 ? 'call:glare' : SipErrorCodes.REQUEST_FAILED,
                  `the re-INVITE of call ${callId} was refused: ${message.statusCode} ${message.reasonPhrase}`,
                ),
              );
            },
          },
        })
        .then(
          () => undefined,
          (error: unknown) => {
            call.settling = false;
            reject(error);
          },
        );
    });
  }

  async answerOffer(callId: string, sdp: string, customParameters: CustomParameter[]) {
    const call = this.#call(callId);
    // SIP.js makes the 200 itself: the parameters follow it in an INFO (see `#watch`).
    if (customParameters.length) call.answerHeaders = headers(customParameters);
    if (call.wanted) {
      call.wanted.resolve(sdp);
      call.wanted = undefined;
    } else call.local.push(sdp);
  }

  async parameters(callId: string, customParameters: CustomParameter[]) {
    await this.#call(callId).session.info({
      requestOptions: { extraHeaders: headers(customParameters) },
    });
  }

  /** SIP sends complete descriptions (`trickle` is false): no candidate travels alone. */
  async candidate() {}

  /**
   * Asks the other party to take the call elsewhere: a REFER in the call's dialog, its Refer-To
   * the destination, or the other call's party with a Replaces header naming that call's
   * dialog. Resolves once the other party accepts the REFER (202); its NOTIFYs settle it.
   */
  async transfer(callId: string, target: TransferTarget): Promise<void> {
    const call = this.#call(callId);
    const dialog = call.session.dialog;
    if (!dialog || call.session.state !== SessionState.Established)
      throw new CommsError(CallErrorCodes.INVALID_STATE, `call ${callId} is not answered`);
    let referTo: string;
    let other: SipCall | undefined;
    if ('destination' in target) {
      const { destination } = target;
      if (destination === call.party.id || destination === this.#self().id)
        throw new CommsError(
          'call:invalidDestination',
          `call ${callId} cannot be transferred to ${destination === call.party.id ? 'its other party' : 'the transferrer'}`,
        );
      const to = await this.#destination(destination);
      referTo = nameAddr(to, this.#target(destination).toString());
    } else {
      other = this.#call(target.otherCallId);
      const replaced = other.session.dialog;
      if (!replaced || other.session.state !== SessionState.Established)
        throw new CommsError(
          CallErrorCodes.INVALID_STATE,
          `call ${target.otherCallId} is not answered`,
        );
      // The tags as the other call's party sees its dialog: its own tag is the To tag.
      const replaces = encodeURIComponent(
        `${replaced.callId};to-tag=${replaced.remoteTag};from-tag=${replaced.localTag}`,
      );
      referTo = `<${this.#target(other.party.id).toString()}?Replaces=${replaces}>`;
    }
    const self = this.#self();
    call.referring = true;
    // The replaced call's party ends it once they take the new one: as transferred here too.
    call.transferredWith = other;
    if (other) other.transition = Transitions.TRANSFERRED;
    try {
      await new Promise<void>((resolve, reject) => {
        dialog.refer(
          {
            onAccept: () => resolve(),
            onReject: ({ message }) =>
              reject(
                new CommsError(
                  CallErrorCodes.TRANSFER_FAILED,
                  `the other party of call ${callId} refused the transfer: ${message.statusCode} ${message.reasonPhrase}`,
                ),
              ),
          },
          {
            extraHeaders: [
              `Refer-To: ${referTo}`,
              `Referred-By: ${nameAddr(self, this.#settings.uri)}`,
            ],
          },
        );
      });
    } catch (error) {
      this.#untransferred(call);
      throw error;
    }
  }

  /** A transfer of `call` that failed: neither call is to end as transferred. */
  #untransferred(call: SipCall): void {
    call.referring = false;
    const other = call.transferredWith;
    if (other?.transition === Transitions.TRANSFERRED) other.transition = undefined;
    call.transferredWith = undefined;
  }

  /**
   * A NOTIFY about this side's REFER: the status line of the transferee's call to the target
   * (`message/sipfrag`). A final one settles the transfer; on success this side leaves the call.
   */
  #notified(call: SipCall, body: string): void {
    const status = /^SIP\/2\.0 (\d{3}) ?(.*)/.exec(body.trim());
    const statusCode = Number(status?.[1] ?? 0);
    if (!call.referring || statusCode < 200) return;
    const { callId } = call;
    if (statusCode < 300) {
      call.referring = false;
      this.#handlers?.transferCompleted(callId, null);
      call.endedHere = true;
      void call.session.bye().catch(() => undefined);
      return;
    }
    this.#untransferred(call);
    const why = byStatus[statusCode]?.reasonText ?? status?.[2] ?? 'Failed';
    this.#handlers?.transferCompleted(callId, {
      code: CallErrorCodes.TRANSFER_FAILED,
      message: `the transfer of call ${callId} failed: ${statusCode} ${why}`,
    });
  }

  /**
   * The other party transfers this call (a REFER): accepted, and the engine asked to call the
   * target; the call it places carries the REFER's Referred-By and Replaces (`invite`).
   */
  #referred(call: SipCall, referral: Referral): void {
    const transferId = `${call.callId}:${++this.#transfers}`;
    const [by] = referral.referredBy
      ? [Grammar.nameAddrHeaderParse(referral.referredBy)].filter((h) => h !== undefined)
      : [];
    const to = this.#party(referral.referTo);
    void referral
      .accept()
      .then(() => {
        this.#referrals.set(transferId, { referral, callId: call.callId });
        this.#handlers?.transferRequested(call.callId, {
          transferId,
          to: to.id,
          referredBy: by ? this.#party(by) : { ...call.party },
        });
      })
      .catch((error: unknown) =>
        this.#log.warn(`could not accept the transfer of call ${call.callId}`, error),
      );
  }

  /**
   * Forwards the ringing call: a 302 whose Contact is the destination and whose Diversion
   * header names this user (RFC 5806, `deflection`: forwarded while ringing).
   */
  async forward(callId: string, destination: string): Promise<CallForwarding> {
    const call = this.#call(callId);
    const invitation = this.#invitation(callId);
    if (invitation.state !== SessionState.Initial && invitation.state !== SessionState.Establishing)
      throw new CommsError(CallErrorCodes.INVALID_STATE, `call ${callId} does not ring here`);
    const self = this.#self();
    const earlier = nameAddrs(invitation.request, 'diversion').map((d) => this.#party(d));
    if (earlier.length >= MAX_FORWARDS)
      throw new CommsError(
        CallErrorCodes.INVALID_STATE,
        `call ${callId} was forwarded ${MAX_FORWARDS} times already: answer or reject it`,
      );
    if (
      destination === self.id ||
      destination === call.party.id ||
      earlier.some((p) => p.id === destination)
    )
      throw new CommsError(
        'call:invalidDestination',
        `call ${callId} cannot be forwarded to ${destination}: ${destination === self.id ? 'it rings there' : destination === call.party.id ? 'the caller' : 'it was forwarded from there'}`,
      );
    const to = await this.#destination(destination);
    call.endedHere = true;
    await invitation.reject({
      statusCode: 302,
      reasonPhrase: 'Moved Temporarily',
      extraHeaders: [
        `Contact: ${nameAddr(to, this.#target(destination).toString())}`,
        // This forwarding above the earlier ones (RFC 5806): the caller sends them all on.
        `Diversion: ${nameAddr(self, this.#settings.uri)};reason=deflection`,
        ...invitation.request.getHeaders('diversion').map((d) => `Diversion: ${d}`),
      ],
    });
    return { by: self, to };
  }

  // ── bookkeeping ─────────────────────────────────────────────────────────────

  #call(callId: string): SipCall {
    const call = this.#calls.get(callId);
    if (!call) throw new CommsError('call:unknown', `no SIP call ${callId}`);
    return call;
  }

  /** Keeps `session` as `callId` until the call ends. */
  #track(callId: string, session: Session, ready: Promise<unknown>, party: RemoteParty): SipCall {
    const call: SipCall = {
      callId,
      session,
      party,
      referring: false,
      local: [],
      wanted: undefined,
      settling: false,
      remote: '',
      transition: undefined,
      endedHere: false,
      ready,
    };
    this.#calls.set(callId, call);
    this.#watch(call, session);
    return call;
  }

  /** Handles `session`'s requests for `call`, and tells the engine how the call ended. */
  #watch(call: SipCall, session: Session): void {
    const { callId } = call;
    this.#bySession.set(session, call);
    session.delegate = {
      onBye: () => (call.transition ??= Transitions.ENDED_REMOTELY),
      // A re-INVITE answered (its offer went to the engine first): its custom parameters.
      onInvite: (request, _response, statusCode) => {
        const received = parametersOf(request);
        if (statusCode === 200 && received.length) this.#handlers?.parameters(callId, received);
        const extraHeaders = call.answerHeaders;
        call.answerHeaders = undefined;
        if (statusCode === 200 && extraHeaders)
          session
            .info({ requestOptions: { extraHeaders } })
            .catch((error: unknown) =>
              this.#log.warn(`could not send call ${callId}'s parameters with its answer`, error),
            );
      },
      onInfo: (info) => {
        const received = parametersOf(info.request);
        void info.accept();
        if (received.length) this.#handlers?.parameters(callId, received);
      },
      onRefer: (referral) => this.#referred(call, referral),
      onNotify: (notification) => {
        void notification.accept();
        this.#notified(call, notification.request.body ?? '');
      },
    };
    session.stateChange.addListener((state) => {
      if (state !== SessionState.Terminated) return;
      // Read once SIP.js is done: a final response's delegate runs right after this state (a
      // forward's moves the call to a new session, whose end will be the call's).
      void call.ready.then(() => {
        if (call.session !== session) return;
        this.#calls.delete(callId);
        call.wanted?.reject(new Error(`call ${callId} ended`));
        if (call.endedHere) return;
        this.#handlers?.ended(callId, call.transition ?? Transitions.ENDED_REMOTELY);
      });
    });
  }
}
