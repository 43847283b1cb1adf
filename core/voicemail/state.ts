/**
 * What the `voicemail` namespace answers without its manager (a chunk loaded on first use):
 * the state slice, and the seeds' indicators counted from it.
 */
import type { Voicemail, VoicemailIndicators } from './types.js';

/** The `voicemail` slice: the mailbox, newest first, as last read and kept by pushed events. */
export interface VoicemailState {
  voicemails: Voicemail[];
  /** When the mailbox was last read from the server; 0: never. */
  lastUpdated: number;
}

export const initialVoicemailState: VoicemailState = { voicemails: [], lastUpdated: 0 };

const none = () => ({ new: 0, old: 0, urgent: 0 });

/** The seeds' indicators of a mailbox: new = not heard, old = heard. */
export function voicemailIndicators(state: VoicemailState): VoicemailIndicators {
  const unheard = state.voicemails.filter((v) => v.heardAt === null).length;
  const total = state.voicemails.length;
  return {
    lastUpdated: state.lastUpdated,
    newMessagesWaiting: unheard > 0,
    totalVoice: total,
    unheardVoice: unheard,
    voice: { new: unheard, old: total - unheard, urgent: 0 },
    fax: none(),
    multimedia: none(),
  };
}
