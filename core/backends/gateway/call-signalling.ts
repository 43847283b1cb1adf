/**
 * Call signalling over the gateway's WebSocket: the `CallSignalling` a connected client's call
 * engine uses. Requests go out as `call.*` frames; `call:*` events come back in.
 */
import type { EventFrame, ReplyPayload, RequestType } from '../../protocol/schema.js';
import type { RequestInput } from '../../transport/socket.js';
import type {
  CallSignalling,
  CandidateInit,
  CustomParameter,
  SignallingHandlers,
  TransferTarget,
} from '../../call/signalling.js';

/** The one thing the adapter needs from the connection. */
export interface Requester {
  request<T extends RequestType>(input: RequestInput<T>): Promise<ReplyPayload<T>>;
}

export class GatewayCallSignalling implements CallSignalling {
  readonly #connection: Requester;
  #handlers: SignallingHandlers | undefined;

  constructor(connection: Requester) {
    this.#connection = connection;
  }

  setHandlers(handlers: SignallingHandlers): void {
    this.#handlers = handlers;
  }

  /** Routes a pushed event to the engine; returns true when it was a call event. */
  handleEvent(frame: EventFrame): boolean {
    const h = this.#handlers;
    if (!h || !frame.event.startsWith('call:')) return false;
    const f = frame as EventFrame & Record<string, never>;
    switch (frame.event) {
      case 'call:incoming': {
        const e = frame as EventFrame<'call:incoming'>;
        h.incoming({
          callId: e.callId,
          from: e.from,
          sdp: e.sdp,
          media: e.media,
          customParameters: e.customParameters,
          ...(e.transfer ? { transfer: e.transfer } : {}),
          ...(e.forwarded?.length ? { forwarded: e.forwarded } : {}),
        });
        return true;
      }
      case 'call:forwarded': {
        const e = frame as EventFrame<'call:forwarded'>;
        h.forwarded(e.callId, { by: e.by, to: e.to });
        return true;
      }
      case 'call:transfer': {
        const e = frame as EventFrame<'call:transfer'>;
        h.transferRequested(e.callId, {
          transferId: e.transferId,
          to: e.to,
          referredBy: e.referredBy,
        });
        return true;
      }
      case 'call:transferred': {
        const e = frame as EventFrame<'call:transferred'>;
        h.transferCompleted(e.callId, e.error ?? null);
        return true;
      }
      case 'call:ringing':
        h.ringing((frame as EventFrame<'call:ringing'>).callId);
        return true;
      case 'call:answered': {
        const e = frame as EventFrame<'call:answered'>;
        h.answered(e.callId, e.sdp, e.customParameters);
        return true;
      }
      case 'call:ended': {
        const e = frame as EventFrame<'call:ended'>;
        h.ended(e.callId, { statusCode: e.statusCode, reasonText: e.reasonText });
        return true;
      }
      case 'call:offer': {
        const e = frame as EventFrame<'call:offer'>;
        h.offer(e.callId, e.sdp, e.hold);
        if (e.customParameters?.length) h.parameters(e.callId, e.customParameters);
        return true;
      }
      case 'call:answer': {
        const e = frame as EventFrame<'call:answer'>;
        h.answer(e.callId, e.sdp);
        if (e.customParameters?.length) h.parameters(e.callId, e.customParameters);
        return true;
      }
      case 'call:parameters': {
        const e = frame as EventFrame<'call:parameters'>;
        h.parameters(e.callId, e.customParameters);
        return true;
      }
      case 'call:candidate': {
        const e = frame as EventFrame<'call:candidate'>;
        h.candidate(e.callId, e.candidate as CandidateInit | null);
        return true;
      }
      default:
        void f;
        return false;
    }
  }

  async invite(call: Parameters<CallSignalling['invite']>[0]) {
    const { to } = await this.#connection.request({
      type: 'call.invite',
      callId: call.callId,
      to: call.to,
      sdp: call.sdp,
      media: call.media,
      customParameters: call.customParameters,
      ...(call.displayName ? { displayName: call.displayName } : {}),
      ...(call.transfer ? { transfer: call.transfer } : {}),
    });
    return { to };
  }

  async ringing(callId: string) {
    await this.#connection.request({ type: 'call.ringing', callId });
  }

  async answer(
    callId: string,
    sdp: string,
    customParameters: Parameters<CallSignalling['answer']>[2],
  ) {
    await this.#connection.request({ type: 'call.answer', callId, sdp, customParameters });
  }

  async reject(callId: string) {
    await this.#connection.request({ type: 'call.reject', callId });
  }

  async end(callId: string) {
    await this.#connection.request({ type: 'call.end', callId });
  }

  async offer(callId: string, sdp: string, hold: boolean, customParameters: CustomParameter[]) {
    await this.#connection.request({
      type: 'call.offer',
      callId,
      sdp,
      hold,
      ...(customParameters.length ? { customParameters } : {}),
    });
  }

  async answerOffer(callId: string, sdp: string, customParameters: CustomParameter[]) {
    await this.#connection.request({
      type: 'call.answerOffer',
      callId,
      sdp,
      ...(customParameters.length ? { customParameters } : {}),
    });
  }

  async parameters(callId: string, customParameters: CustomParameter[]) {
    await this.#connection.request({ type: 'call.parameters', callId, customParameters });
  }

  async candidate(callId: string, candidate: CandidateInit | null) {
    await this.#connection.request({ type: 'call.candidate', callId, candidate });
  }

  async transfer(callId: string, target: TransferTarget) {
    await this.#connection.request({ type: 'call.transfer', callId, ...target });
  }

  async forward(callId: string, destination: string) {
    const { by, to } = await this.#connection.request({
      type: 'call.forward',
      callId,
      destination,
    });
    return { by, to };
  }
}
