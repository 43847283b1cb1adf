import { html, nothing, type PropertyValues } from 'lit';
import type { CommsClient } from '../../core/client.js';
import type { DeviceInfo, DevicesObject } from '../../core/media/types.js';
import { CommsElement } from '../shared/comms-element.js';
import { StoreController } from '../shared/store-controller.js';
import { LocalizeController, type MessageKey } from '../shared/i18n.js';
import { Announcer } from '../shared/announcer.js';
import { CommsDeviceSelectEvent, type DeviceKind } from '../shared/events.js';
import {
  DEVICE_STORAGE_KEY,
  readDevicePreferences,
  writeDevicePreference,
  type DevicePreferences,
} from '../shared/device-preferences.js';
import { describeError } from '../shared/errors.js';
import { canChooseOutput, CHIME, RING, SoundPlayer } from '../shared/sound.js';
import { icon } from '../shared/icons.js';
import { tokens } from '../shared/tokens.js';
import { CameraPreview, LevelMeter } from './device-tests.js';
import { styles } from './device-picker.styles.js';

/** Which list of the core's `DevicesObject` each kind chooses from. */
const LIST: Record<DeviceKind, keyof DevicesObject> = {
  camera: 'camera',
  microphone: 'microphone',
  speaker: 'speaker',
  ringer: 'speaker',
};

const NAME: Record<DeviceKind, MessageKey> = {
  camera: 'devices.camera',
  microphone: 'devices.microphone',
  speaker: 'devices.speaker',
  ringer: 'devices.ringer',
};

/** The browser's own aliases for the default device: "System default" stands for them. */
const ALIASES = new Set(['default', 'communications']);

/** The value of an option that keeps an unplugged choice selected. */
const UNPLUGGED = 'unplugged:';

/** Where the picker stands with media permission. */
type Access = 'unknown' | 'prompt' | 'requesting' | 'granted' | 'denied';

/**
 * Device settings: camera, microphone, speaker and a separate ringtone output, each either
 * following the system default or pinned to one device. Shows an "allow access" step while the
 * browser hides device names, help when access is blocked, a live camera preview, a microphone
 * level meter and test sounds. Choices are remembered in `localStorage` (key
 * `comms-kit:devices`, see `storage-key`), re-applied on the next visit, follow devices being
 * plugged and unplugged, and reach active calls (the sent track is replaced; the speaker
 * changes at once).
 *
 * @tag comms-device-picker
 * @event change - The user chose a device (native event; not fired for changes the user did not make). Read `value`.
 * @event comms-device-select - Request: use `detail.deviceId` (`null`: system default) for `detail.kind` (`camera`, `microphone`, `speaker`, `ringer`). Cancelable.
 * @csspart base - The element's box.
 * @csspart announcer - The visually hidden live regions.
 * @csspart permission - The "allow access" step, or the help when access is blocked.
 * @csspart allow-button - The button that asks for access.
 * @csspart field - Each device's row (also `camera`, `microphone`, `speaker` or `ringer`).
 * @csspart label - Each device's label.
 * @csspart select - Each device's list.
 * @csspart help - Help under a list (an unplugged choice).
 * @csspart preview - The camera preview video.
 * @csspart level - The microphone level meter.
 * @csspart test-button - The speaker and ringtone test buttons.
 * @csspart error - Why the last choice could not be applied.
 * @cssproperty --comms-device-picker-width - The picker's maximum width (default 26rem).
 * @cssproperty --comms-device-picker-preview-height - The camera preview's height (default 9rem).
 */
export class CommsDevicePicker extends CommsElement {
  static override styles = [tokens, styles];

  static override properties = {
    storageKey: { type: String, attribute: 'storage-key' },
    noPreview: { type: Boolean, attribute: 'no-preview', reflect: true },
    noMeter: { type: Boolean, attribute: 'no-meter', reflect: true },
    /** @private */
    _access: { state: true, attribute: false },
    /** @private */
    _stored: { state: true, attribute: false },
    /** @private */
    _error: { state: true, attribute: false },
  };

  /** The `localStorage` key the choices are kept under (default `comms-kit:devices`). */
  declare storageKey: string;

  /** No live camera preview. */
  declare noPreview: boolean;

  /** No microphone level meter. */
  declare noMeter: boolean;

  /** @internal */
  declare _access: Access;
  /** @internal */
  declare _stored: DevicePreferences;
  /** @internal */
  declare _error: string | undefined;

  readonly #l10n = new LocalizeController(this);
  readonly #announcer = new Announcer(this);
  readonly #devices = new StoreController(this, (s) => s.media.devices);
  readonly #defaults = new StoreController(this, (s) => s.media.defaults);
  readonly #preview = new CameraPreview();
  readonly #meter = new LevelMeter();
  readonly #sound = new SoundPlayer();
  #initialized: CommsClient | undefined;
  #offDevices: (() => void) | undefined;
  #offErrors: (() => void) | undefined;

  constructor() {
    super();
    this.storageKey = DEVICE_STORAGE_KEY;
    this.noPreview = false;
    this.noMeter = false;
    this._access = 'unknown';
    this._stored = {};
  }

  /**
   * The choices in effect: a device id per kind, or `null` for the system default. Camera,
   * microphone and speaker are the client's defaults; the ringer is the remembered choice.
   */
  get value(): Record<DeviceKind, string | null> {
    const defaults = this.#defaults.value ?? {};
    return {
      camera: defaults.camera || null,
      microphone: defaults.microphone || null,
      speaker: defaults.speaker || null,
      ringer: this._stored.ringer ?? null,
    };
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this._stored = readDevicePreferences(this.storageKey);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#stopTests();
    this.#sound.stop();
    this.#detach();
    this.#initialized = undefined;
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('storageKey')) this._stored = readDevicePreferences(this.storageKey);
    const client = this.activeClient;
    if (client !== this.#initialized) {
      this.#detach();
      this.#initialized = client;
      this._access = 'unknown';
      if (client && !client.destroyed) void this.#start(client);
    }
  }

  protected override updated(): void {
    void this.#runTests();
  }

  // ── devices ────────────────────────────────────────────────────────────────

  async #start(client: CommsClient): Promise<void> {
    this.#offDevices = client.on('devices:change', () => this.#reconcile(client));
    this.#offErrors = client.on('devices:error', ({ error }) => {
      if (/denied|permission/i.test(error.message)) this._access = 'denied';
    });
    try {
      await client.media.initializeDevices({ audio: false, video: false });
    } catch (error) {
      this._error = describeError(error as { code: string; message: string }, this.#l10n);
    }
    if (this.#initialized !== client) return;
    this._access = this.#namesHidden() ? await this.#permissionState() : 'granted';
  }

  #detach(): void {
    this.#offDevices?.();
    this.#offErrors?.();
    this.#offDevices = undefined;
    this.#offErrors = undefined;
  }

  /** True while the browser hides the devices (no names or ids before permission). */
  #namesHidden(): boolean {
    const devices = this.#devices.value;
    if (!devices) return true;
    const all = [...devices.camera, ...devices.microphone];
    return all.length === 0 || all.some((d) => !d.label || !d.deviceId);
  }

  async #permissionState(): Promise<Access> {
    try {
      const names = ['camera', 'microphone'] as PermissionName[];
      const states = await Promise.all(
        names.map((name) => navigator.permissions.query({ name }).then((s) => s.state)),
      );
      return states.includes('denied') ? 'denied' : 'prompt';
    } catch {
      return 'prompt';
    }
  }

  async #allow(): Promise<void> {
    const client = this.activeClient;
    if (!client) return;
    this._access = 'requesting';
    await client.media.initializeDevices({ audio: true, video: true }).catch(() => undefined);
    this._access = this.#namesHidden() ? 'denied' : 'granted';
    if (this._access === 'granted') this.#reconcile(client);
  }

  /**
   * Brings the client's defaults in line with the remembered choices and the devices present:
   * a remembered device that is plugged in is used; one that is unplugged is not (the system
   * default stands in) but stays remembered.
   */
  #reconcile(client: CommsClient): void {
    if (client.destroyed) return;
    if (!this.#namesHidden() && this._access !== 'granted') this._access = 'granted';
    const stored = readDevicePreferences(this.storageKey);
    this._stored = stored;
    const devices = client.media.getDevices();
    const defaults = client.store.getState().media.defaults;
    for (const kind of ['camera', 'microphone', 'speaker'] as const) {
      const pinned = stored[kind];
      if (!pinned) continue;
      const present = devices[LIST[kind]].some((d) => d.deviceId === pinned);
      if (present && defaults[kind] !== pinned) client.media.setDefaultDevices({ [kind]: pinned });
      if (!present && defaults[kind] === pinned)
        client.media.setDefaultDevices({ [kind]: undefined });
    }
  }

  // ── choosing ───────────────────────────────────────────────────────────────

  async #choose(kind: DeviceKind, event: Event): Promise<void> {
    const select = event.target as HTMLSelectElement;
    if (select.value.startsWith(UNPLUGGED)) return;
    const deviceId = select.value || null;
    writeDevicePreference(kind, deviceId, this.storageKey);
    this._stored = readDevicePreferences(this.storageKey);
    const request = this.request(new CommsDeviceSelectEvent({ kind, deviceId }));
    this.dispatchEvent(new Event('change', { bubbles: true }));
    const outcome = await request;
    if (outcome.status === 'failed') {
      this._error = describeError(outcome.error, this.#l10n);
      return;
    }
    this._error = undefined;
    const t = this.#l10n.t.bind(this.#l10n);
    const label = deviceId
      ? (this.#list(kind).find((d) => d.deviceId === deviceId)?.label ?? deviceId)
      : t('devices.systemDefault');
    this.#announcer.announce(t('devices.applied', { kind: t(NAME[kind]), label }));
  }

  #list(kind: DeviceKind): DeviceInfo[] {
    return (this.#devices.value?.[LIST[kind]] ?? []).filter((d) => !ALIASES.has(d.deviceId));
  }

  /** The id in effect for `kind` (`''`: the default), or the unplugged option's value. */
  #selected(kind: DeviceKind): string {
    const stored = this._stored[kind];
    const present = (id: string) => this.#list(kind).some((d) => d.deviceId === id);
    if (stored && !present(stored)) return UNPLUGGED + stored;
    if (kind === 'ringer') return stored ?? '';
    return this.#defaults.value?.[kind] || '';
  }

  // ── tests: preview, meter, sounds ──────────────────────────────────────────

  async #runTests(): Promise<void> {
    const granted = this._access === 'granted' && this.isConnected;
    const video = this.renderRoot.querySelector<HTMLVideoElement>('[part="preview"]');
    const camera = this.#selected('camera');
    if (granted && !this.noPreview && video && this.#list('camera').length) {
      await this.#preview.show(video, camera && !camera.startsWith(UNPLUGGED) ? camera : null);
    } else {
      this.#preview.stop();
    }
    const meter = this.renderRoot.querySelector<HTMLMeterElement>('[part="level"]');
    const microphone = this.#selected('microphone');
    if (granted && !this.noMeter && meter && this.#list('microphone').length) {
      await this.#meter.start(
        microphone && !microphone.startsWith(UNPLUGGED) ? microphone : null,
        (level) => (meter.value = level),
      );
    } else {
      this.#meter.stop();
    }
  }

  #stopTests(): void {
    this.#preview.stop();
    this.#meter.stop();
  }

  /** The microphone level now (0–1), as the meter shows it. */
  get level(): number {
    return this.renderRoot.querySelector<HTMLMeterElement>('[part="level"]')?.value ?? 0;
  }

  #play(kind: 'speaker' | 'ringer'): void {
    const selected = this.#selected(kind);
    const sinkId = selected.startsWith(UNPLUGGED) ? '' : selected;
    void this.#sound.start(kind === 'ringer' ? RING : CHIME, { sinkId });
  }

  // ── render ─────────────────────────────────────────────────────────────────

  #renderPermission() {
    const t = this.#l10n.t.bind(this.#l10n);
    const denied = this._access === 'denied';
    const requesting = this._access === 'requesting';
    return html`<div
      part="permission"
      class=${denied ? 'permission denied' : 'permission'}
      role="group"
      aria-labelledby="permission-title"
    >
      <p id="permission-title" class="title">
        ${t(denied ? 'devices.deniedTitle' : 'devices.allowTitle')}
      </p>
      <p class="hint">${t(denied ? 'devices.deniedHelp' : 'devices.allowHelp')}</p>
      <button
        type="button"
        part="allow-button"
        class="accent"
        aria-disabled=${requesting ? 'true' : 'false'}
        @click=${() => {
          if (!requesting) void this.#allow();
        }}
      >
        ${t(denied ? 'devices.retry' : 'devices.allow')}
      </button>
    </div>`;
  }

  #renderField(kind: DeviceKind, extra: unknown = nothing) {
    const t = this.#l10n.t.bind(this.#l10n);
    const all = this.#devices.value?.[LIST[kind]] ?? [];
    const list = this.#list(kind);
    const selected = this.#selected(kind);
    const name = t(NAME[kind]);
    const systemDefault = all.find((d) => d.deviceId === 'default') ?? all[0];
    const unplugged = selected.startsWith(UNPLUGGED);
    const id = `select-${kind}`;
    return html`<div part="field ${kind}" class="field">
      <label part="label" for=${id}>${name}</label>
      ${
        list.length === 0
          ? html`<p class="hint" id=${id}>${t('devices.none', { kind: name.toLowerCase() })}</p>`
          : html`<select
              id=${id}
              part="select"
              aria-describedby=${unplugged ? `${id}-help` : nothing}
              @change=${(e: Event) => void this.#choose(kind, e)}
            >
              <option value="" ?selected=${selected === ''}>
                ${
                  systemDefault?.label
                    ? t('devices.systemDefaultIs', {
                        label: systemDefault.label.replace(/^(Default|Communications) - /, ''),
                      })
                    : t('devices.systemDefault')
                }
              </option>
              ${list.map(
                (d, i) =>
                  html`<option value=${d.deviceId} ?selected=${selected === d.deviceId}>
                    ${d.label || t('devices.unnamed', { kind: name, index: i + 1 })}
                  </option>`,
              )}
              ${
                unplugged
                  ? html`<option value=${selected} selected>
                      ${t('devices.unplugged', { kind: name.toLowerCase() })}
                    </option>`
                  : nothing
              }
            </select>`
      }
      ${
        unplugged
          ? html`<p part="help" class="hint" id="${id}-help">
              ${t('devices.unpluggedHelp', { kind: name.toLowerCase() })}
            </p>`
          : nothing
      }
      ${extra}
    </div>`;
  }

  protected override render() {
    const t = this.#l10n.t.bind(this.#l10n);
    const granted = this._access === 'granted';
    const outputs = canChooseOutput() && this.#list('speaker').length > 0;
    return html`<section part="base" class="base panel" aria-label=${t('devices.label')}>
      ${this.#announcer.render()}
      ${
        this._access === 'prompt' || this._access === 'requesting' || this._access === 'denied'
          ? this.#renderPermission()
          : nothing
      }
      <div class="fields" ?hidden=${!granted}>
        ${this.#renderField(
          'camera',
          this.noPreview
            ? nothing
            : html`<video
                part="preview"
                class="preview"
                aria-label=${t('devices.preview')}
                muted
                autoplay
                playsinline
              ></video>`,
        )}
        ${this.#renderField(
          'microphone',
          this.noMeter
            ? nothing
            : html`<meter
                part="level"
                class="level"
                aria-label=${t('devices.level')}
                min="0"
                max="1"
                low="0.05"
                high="0.9"
                optimum="0.3"
                value="0"
              ></meter>`,
        )}
        ${
          outputs
            ? html`${this.#renderField(
                'speaker',
                html`<button type="button" part="test-button" @click=${() => this.#play('speaker')}>
                  ${icon('speaker')}<span>${t('devices.testSpeaker')}</span>
                </button>`,
              )}
              ${this.#renderField(
                'ringer',
                html`<button type="button" part="test-button" @click=${() => this.#play('ringer')}>
                  ${icon('bell')}<span>${t('devices.testRinger')}</span>
                </button>`,
              )}`
            : html`<p class="hint">${t('devices.noSinkSelection')}</p>`
        }
      </div>
      <p part="error" class="error" role="alert">${this._error ?? ''}</p>
    </section>`;
  }
}
