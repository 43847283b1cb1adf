/**
 * The `voicemail` namespace's target in the initial load: `get()` and `getAll()` answer from
 * the state at once; every other method loads the voicemail manager (`manager.ts`, a chunk of
 * its own fetched by `import()` on first use) and runs on it. A `voicemail:*` event the gateway
 * pushes before the chunk is here is held and handed to the manager, in order, once it has
 * loaded (and starts the fetch), so a voicemail left meanwhile is not lost.
 */
import type { EventFrame } from '../protocol/schema.js';
import type { FeatureContext } from '../feature.js';
import { Chunk, LazyFeature } from '../lazy.js';
import { voicemailIndicators } from './state.js';
import type { Voicemail, VoicemailIndicators } from './types.js';
import type * as Module from './manager.js';

type VoicemailModule = typeof Module;

/** The voicemail manager's chunk, shared by every client of the page. */
const chunk = new Chunk<VoicemailModule>('voicemail manager', () => import('./manager.js'));

/** `voicemail`: the mailbox on the gateway. */
export class LazyVoicemail extends LazyFeature<VoicemailModule, Module.VoicemailManager> {
  /** Its failures, a chunk that cannot be fetched too, are `voicemail:error`s. */
  constructor(ctx: FeatureContext, token: () => Promise<string>, local: () => boolean) {
    super(
      ctx,
      chunk,
      (module) => new module.VoicemailManager(ctx, token, local),
      'voicemail:error',
    );
  }

  /** The seeds' indicators, from the state. */
  get(): VoicemailIndicators {
    return voicemailIndicators(this.ctx.store.getState().voicemail);
  }

  /** The mailbox as last read, newest first. */
  getAll(): Voicemail[] {
    return this.ctx.store.getState().voicemail.voicemails;
  }

  /** After a reconnect: reads the mailbox again if it was read before (events may be missed). */
  restore(): void {
    if (this.ctx.store.getState().voicemail.lastUpdated)
      this.created?.fetch().catch(() => {
        // Reported as voicemail:error.
      });
  }

  /** A `voicemail:*` event: handed to the manager (held until it is here). */
  handleEvent(frame: EventFrame): boolean {
    if (!frame.event.startsWith('voicemail:')) return false;
    this.hold((manager) => manager.handleEvent(frame));
    return true;
  }
}
