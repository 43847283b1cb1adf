/**
 * Call states and media connection states (the seeds' `call.states`,
 * `call.mediaConnectionStates`), and the transition table the call engine follows: a
 * transition not in the table is refused (`assertTransition`, in the engine's chunk,
 * `manager.ts`), so a call never reaches an impossible state.
 */

/** The states a call can be in (as in the seeds). */
export const states = {
  INITIATING: 'Initiating',
  INITIATED: 'Initiated',
  RINGING: 'Ringing',
  EARLY_MEDIA: 'Early Media',
  CANCELLED: 'Cancelled',
  CONNECTED: 'Connected',
  ON_HOLD: 'On Hold',
  ENDED: 'Ended',
} as const;

/** One of {@link states}. */
export type CallState = (typeof states)[keyof typeof states];

/** The media connection states (the RTCPeerConnection's ICE connection states). */
export const mediaConnectionStates = {
  NEW: 'new',
  CHECKING: 'checking',
  CONNECTED: 'connected',
  COMPLETED: 'completed',
  DISCONNECTED: 'disconnected',
  FAILED: 'failed',
  CLOSED: 'closed',
} as const;

/** One of {@link mediaConnectionStates}. */
export type MediaConnectionState =
  (typeof mediaConnectionStates)[keyof typeof mediaConnectionStates];

const S = states;

/** From each state, the states a call may move to. */
export const transitions: Readonly<Record<CallState, readonly CallState[]>> = {
  [S.INITIATING]: [S.INITIATED, S.RINGING, S.ENDED, S.CANCELLED],
  [S.INITIATED]: [S.RINGING, S.EARLY_MEDIA, S.CONNECTED, S.ENDED, S.CANCELLED],
  [S.RINGING]: [S.EARLY_MEDIA, S.CONNECTED, S.ENDED, S.CANCELLED],
  [S.EARLY_MEDIA]: [S.CONNECTED, S.ENDED],
  [S.CONNECTED]: [S.ON_HOLD, S.ENDED],
  [S.ON_HOLD]: [S.CONNECTED, S.ENDED],
  [S.CANCELLED]: [],
  [S.ENDED]: [],
};

/** True for the states a call never leaves. */
export function isFinal(state: CallState): boolean {
  return transitions[state].length === 0;
}
