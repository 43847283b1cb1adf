import type { CallObject } from '../../core/call/types.js';
import { states } from '../../core/call/states.js';
import type { LocalizeController, MessageKey } from '../shared/i18n.js';

/** True until the call has ended or was cancelled. */
export function isLive(call: CallObject): boolean {
  return call.state !== states.ENDED && call.state !== states.CANCELLED;
}

/** An incoming call being set up (its offer is being applied): not shown yet. */
export function isArriving(call: CallObject): boolean {
  return call.direction === 'incoming' && call.state === states.INITIATING;
}

/** An incoming call that rings here: it can be answered, declined or ignored. */
export function isRingingIn(call: CallObject): boolean {
  return (
    call.direction === 'incoming' &&
    (call.state === states.INITIATED || call.state === states.RINGING)
  );
}

/** A call the stage can show: live, and not an incoming call still arriving or ringing. */
export function isActive(call: CallObject): boolean {
  return isLive(call) && !isArriving(call) && !isRingingIn(call);
}

/** Connected or on hold: the call has (or had) media both ways. */
export function isEstablished(call: CallObject): boolean {
  return call.state === states.CONNECTED || call.state === states.ON_HOLD;
}

/**
 * The name to show for the other party (text, never HTML); for a joined call, both parties
 * ("Bob and Carol", in the catalog's words when `l10n` is given).
 */
export function partyName(call: CallObject, l10n?: LocalizeController): string {
  const parties = call.joined?.participants ?? [call.remoteParticipant];
  const [first, second] = parties.map((p) => p.displayName || p.displayNumber || call.to);
  if (!second) return first ?? call.to;
  return l10n ? l10n.t('join.names', { first: first!, second }) : `${first}, ${second}`;
}

/** Up to two initials for the avatar. */
export function initials(name: string): string {
  const words = name
    .replace(/^(sips?|tel):/i, '')
    .split(/[\s@._-]+/)
    .filter(Boolean);
  const letters =
    words.length > 1 ? [words[0]![0], words[1]![0]] : [...(words[0] ?? '?')].slice(0, 2);
  return letters.join('').toUpperCase();
}

const reasons: Record<number, MessageKey> = {
  302: 'reason.302',
  404: 'reason.404',
  408: 'reason.408',
  480: 'reason.480',
  486: 'reason.486',
  487: 'reason.487',
  488: 'reason.488',
  603: 'reason.603',
};

/** Why the call ended, in words, or `null` for a plain hang-up. */
export function endReason(call: CallObject, l10n: LocalizeController): string | null {
  const transition = call.transition;
  if (!transition || transition.statusCode === 200) return null;
  const key = reasons[transition.statusCode];
  return key ? l10n.t(key) : transition.reasonText;
}

/** The state of a call in words: calling, ringing, connected, on hold, held by the other side… */
export function stateText(call: CallObject, l10n: LocalizeController): string {
  const name = partyName(call);
  switch (call.state) {
    case states.INITIATING:
    case states.INITIATED:
    case states.RINGING:
      if (call.direction === 'incoming')
        return l10n.t(call.mediaOffered?.video ? 'call.incomingVideo' : 'call.incoming');
      return l10n.t(call.state === states.RINGING ? 'call.ringingRemote' : 'call.calling');
    case states.EARLY_MEDIA:
      return l10n.t('call.earlyMedia');
    case states.ON_HOLD:
      return call.localHold ? l10n.t('call.onHold') : l10n.t('call.heldRemotely', { name });
    case states.CONNECTED:
      if (call.mediaConnectionState === 'failed') return l10n.t('call.mediaFailed');
      if (call.mediaConnectionState === 'disconnected') return l10n.t('call.reconnecting');
      return l10n.t('call.connected');
    case states.CANCELLED:
      return l10n.t('call.cancelled');
    default: {
      const reason = endReason(call, l10n);
      return reason ? l10n.t('call.endedReason', { reason }) : l10n.t('call.ended');
    }
  }
}

/** The end codes after which the caller may leave a voicemail (no answer, unavailable, busy, declined). */
const UNANSWERED = [408, 480, 486, 603];

/** Whether `call` is an outgoing call that ended without its callee answering: a voicemail may follow. */
export function offersVoicemail(call: CallObject): boolean {
  return (
    call.direction === 'outgoing' &&
    call.answerTime === null &&
    !call.joined &&
    UNANSWERED.includes(call.transition?.statusCode ?? 0)
  );
}
