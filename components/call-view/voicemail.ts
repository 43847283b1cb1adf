/**
 * "Leave a voicemail" after an outgoing call that was not answered (no answer, busy, declined,
 * unavailable): record from the microphone (`client.voicemail.record`), stop, listen back,
 * send (`client.voicemail.leave`, with the call's id) or discard. A reactive controller holding
 * the recording's steps; `<comms-call-view>` renders it in the ended call's notice. A chunk of
 * its own: the call view fetches it by `import()` when a call that offers it ends
 * (`offersVoicemail` in `call-state.ts`).
 */
import { html, type ReactiveController, type ReactiveControllerHost } from 'lit';
import type { CallObject } from '../../core/call/types.js';
import type { CommsClient } from '../../core/client.js';
import type { BasicError } from '../../core/errors.js';
import type { RecordedVoicemail, VoicemailRecording } from '../../core/voicemail/types.js';
import type { LocalizeController } from '../shared/i18n.js';
import { formatDuration } from '../shared/time.js';

type Step =
  | { name: 'idle' }
  | { name: 'recording'; recording: VoicemailRecording }
  | { name: 'recorded'; recorded: RecordedVoicemail; url: string }
  | { name: 'sending'; recorded: RecordedVoicemail; url: string }
  | { name: 'sent' };

/** What the controller needs of its element. */
export interface VoicemailHooks {
  /** The client to record and send with. */
  client(): CommsClient | undefined;
  /** Says `text` in the element's live region. */
  announce(text: string): void;
  /** Shows an action's error (undefined: clears it). */
  showError(error: BasicError | undefined): void;
  /** Focuses the control of `part` once rendered. */
  focusPart(part: string): void;
}

export class VoicemailController implements ReactiveController {
  readonly #host: ReactiveControllerHost;
  readonly #l10n: LocalizeController;
  readonly #hooks: VoicemailHooks;
  #step: Step = { name: 'idle' };
  /** The call it is for. */
  #callId: string | undefined;
  #tick: ReturnType<typeof setInterval> | undefined;

  constructor(host: ReactiveControllerHost, l10n: LocalizeController, hooks: VoicemailHooks) {
    this.#host = host;
    this.#l10n = l10n;
    this.#hooks = hooks;
    host.addController(this);
  }

  hostDisconnected(): void {
    this.reset();
  }

  /** Back to the offer: a recording under way is cancelled, a recorded one thrown away. */
  reset(): void {
    const step = this.#step;
    if (step.name === 'recording') step.recording.cancel();
    if (step.name === 'recorded' || step.name === 'sending') URL.revokeObjectURL(step.url);
    clearInterval(this.#tick);
    this.#set({ name: 'idle' });
  }

  #set(step: Step): void {
    this.#step = step;
    this.#host.requestUpdate();
  }

  async #record(call: CallObject): Promise<void> {
    const client = this.#hooks.client();
    if (!client) return;
    this.#callId = call.id;
    this.#hooks.showError(undefined);
    try {
      const recording = await client.voicemail.record();
      if (this.#callId !== call.id || this.#step.name !== 'idle') return recording.cancel();
      this.#set({ name: 'recording', recording });
      this.#tick = setInterval(() => {
        this.#host.requestUpdate();
        if (recording.state === 'stopped') void this.#stop(); // stopped by itself at the longest
      }, 500);
      this.#hooks.announce(this.#l10n.t('voicemail.recordingStarted', { name: name(call) }));
      this.#hooks.focusPart('voicemail-stop');
    } catch (error) {
      this.#hooks.showError(error as BasicError);
    }
  }

  async #stop(): Promise<void> {
    const step = this.#step;
    if (step.name !== 'recording') return;
    clearInterval(this.#tick);
    try {
      const recorded = await step.recording.stop();
      this.#set({ name: 'recorded', recorded, url: URL.createObjectURL(recorded.audio) });
      this.#hooks.announce(
        this.#l10n.t('voicemail.recorded', { seconds: Math.round(recorded.durationMs / 1000) }),
      );
      this.#hooks.focusPart('voicemail-send');
    } catch (error) {
      this.#set({ name: 'idle' });
      this.#hooks.showError(error as BasicError);
    }
  }

  async #send(call: CallObject): Promise<void> {
    const step = this.#step;
    const client = this.#hooks.client();
    if (step.name !== 'recorded' || !client) return;
    this.#set({ ...step, name: 'sending' });
    try {
      await client.voicemail.leave(call.to, step.recorded.audio, {
        durationMs: step.recorded.durationMs,
        callId: call.id,
      });
      URL.revokeObjectURL(step.url);
      this.#set({ name: 'sent' });
      this.#hooks.announce(this.#l10n.t('voicemail.sent', { name: name(call) }));
    } catch (error) {
      this.#set({ ...step, name: 'recorded' });
      this.#hooks.showError(error as BasicError);
    }
  }

  /**
   * The voicemail controls for the ended `call` (the view renders them only for a call that
   * offers one: `offersVoicemail` in `call-state.ts`, not imported here, as this chunk imports
   * no value from the modules that load it).
   */
  render(call: CallObject) {
    if (this.#callId !== call.id && this.#step.name !== 'idle') this.reset();
    const t = this.#l10n.t.bind(this.#l10n);
    const step = this.#step;
    const who = name(call);
    switch (step.name) {
      case 'idle':
        return html`<button
          type="button"
          part="voicemail-button"
          @click=${() => void this.#record(call)}
        >
          ${t('voicemail.leave')}
        </button>`;
      case 'recording': {
        return html`<div
          part="voicemail"
          class="voicemail"
          role="group"
          aria-label=${t('voicemail.label', { name: who })}
        >
          <span part="voicemail-status" class="recording"
            >${t('voicemail.recording', {
              time: formatDuration(step.recording.elapsed()),
            })}</span
          >
          <button type="button" part="voicemail-stop" @click=${() => void this.#stop()}>
            ${t('voicemail.stop')}
          </button>
          <button type="button" part="voicemail-discard" @click=${() => this.reset()}>
            ${t('voicemail.discard')}
          </button>
        </div>`;
      }
      case 'recorded':
      case 'sending':
        return html`<div
          part="voicemail"
          class="voicemail"
          role="group"
          aria-label=${t('voicemail.label', { name: who })}
        >
          <audio
            part="voicemail-preview"
            controls
            src=${step.url}
            aria-label=${t('voicemail.preview')}
          ></audio>
          <button
            type="button"
            part="voicemail-send"
            ?disabled=${step.name === 'sending'}
            @click=${() => void this.#send(call)}
          >
            ${t(step.name === 'sending' ? 'voicemail.sending' : 'voicemail.send')}
          </button>
          <button
            type="button"
            part="voicemail-discard"
            ?disabled=${step.name === 'sending'}
            @click=${() => this.reset()}
          >
            ${t('voicemail.discard')}
          </button>
        </div>`;
      case 'sent':
        return html`<span part="voicemail-status">${t('voicemail.sent', { name: who })}</span>`;
    }
  }
}

const name = (call: CallObject) =>
  call.remoteParticipant.displayName || call.remoteParticipant.displayNumber || call.to;
