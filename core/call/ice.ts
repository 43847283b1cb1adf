/**
 * The ICE collection check (the seeds' `iceCollectionCheckFunction`): with
 * `trickleIceMode: 'NONE'` the engine asks it, as candidates arrive, whether to send the
 * description with the candidates gathered so far.
 */

/** What the ICE collection check returns (the seeds' IceCollectionCheckResult). */
export interface IceCollectionCheckResult {
  type: 'StartCall' | 'Error' | 'Wait';
  error?: string | Error;
  wait?: number;
}

/** What the ICE collection check receives (the seeds' IceCollectionInfo). */
export interface IceCollectionInfo {
  callId: string;
  callOperation: string;
  reason: 'NewCandidate' | 'IceGatheringStateChanged' | 'Scheduled';
  iceCandidates: RTCIceCandidate[];
  iceCollectionDuration: number;
  iceGatheringState: RTCIceGatheringState;
  rtcPeerConnectionConfig: RTCConfiguration;
  rtcLocalSessionDescription: string;
}

/** The default check: proceed when gathering completes, or after the ideal timeout with candidates, or at the max. */
export function defaultIceCollectionCheck(
  info: IceCollectionInfo,
  timeouts: { iceCollectionIdealTimeout: number; iceCollectionMaxTimeout: number },
): IceCollectionCheckResult {
  if (info.iceGatheringState === 'complete') return { type: 'StartCall' };
  if (info.iceCollectionDuration >= timeouts.iceCollectionMaxTimeout) return { type: 'StartCall' };
  if (
    info.iceCollectionDuration >= timeouts.iceCollectionIdealTimeout &&
    info.iceCandidates.length > 0
  ) {
    return { type: 'StartCall' };
  }
  const next =
    info.iceCollectionDuration < timeouts.iceCollectionIdealTimeout
      ? timeouts.iceCollectionIdealTimeout
      : timeouts.iceCollectionMaxTimeout;
  return { type: 'Wait', wait: next - info.iceCollectionDuration };
}
