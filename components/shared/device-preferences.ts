import type { DeviceKind } from './events.js';

/**
 * The device choices `<comms-device-picker>` remembers across reloads, in `localStorage`
 * under this key as JSON: `{"camera": id|null, "microphone": …, "speaker": …, "ringer": …}`.
 * A missing or `null` entry means "follow the system default".
 */
export const DEVICE_STORAGE_KEY = 'comms-kit:devices';

/** The remembered choices: a device id per kind, or `null`/absent for the system default. */
export type DevicePreferences = Partial<Record<DeviceKind, string | null>>;

function storage(): Storage | undefined {
  try {
    return globalThis.localStorage;
  } catch {
    return undefined; // storage disabled (privacy settings, sandboxed frame)
  }
}

/** Reads the remembered choices (empty when there are none or storage is unavailable). */
export function readDevicePreferences(key = DEVICE_STORAGE_KEY): DevicePreferences {
  try {
    const parsed: unknown = JSON.parse(storage()?.getItem(key) ?? '{}');
    if (!parsed || typeof parsed !== 'object') return {};
    const result: DevicePreferences = {};
    for (const kind of ['camera', 'microphone', 'speaker', 'ringer'] as const) {
      const value = (parsed as Record<string, unknown>)[kind];
      if (typeof value === 'string' && value) result[kind] = value;
    }
    return result;
  } catch {
    return {};
  }
}

/** Remembers one choice (`null`: follow the system default). */
export function writeDevicePreference(
  kind: DeviceKind,
  deviceId: string | null,
  key = DEVICE_STORAGE_KEY,
): void {
  const next = { ...readDevicePreferences(key), [kind]: deviceId };
  try {
    storage()?.setItem(key, JSON.stringify(next));
  } catch {
    // Full or disabled storage: the choice holds for this page only.
  }
}
