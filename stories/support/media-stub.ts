/**
 * A story-level stub of `navigator.mediaDevices` and `navigator.permissions`, for the device
 * states Chromium's fake-device flags cannot produce (several devices, access not yet given,
 * access blocked, no camera). Only the stories that say "stubbed" use it; it is removed when
 * the story goes away. Media itself stays real: once access is given, `getUserMedia` is the
 * browser's own.
 */
import type { StoryScope } from './scope.js';

/** A device to list: `kind`, `label`, and an id (made from the label when omitted). */
export interface StubDevice {
  kind: MediaDeviceKind;
  label: string;
  deviceId?: string;
}

export interface MediaStubOptions {
  /** The devices `enumerateDevices` lists (default: the browser's own). */
  devices?: StubDevice[];
  /** Where access stands: `granted` (default), `prompt` (names hidden until allowed), `denied`. */
  permission?: PermissionState;
}

function info(device: StubDevice, hidden: boolean): MediaDeviceInfo {
  const id = device.deviceId ?? device.label.toLowerCase().replace(/\W+/g, '-');
  const value = {
    kind: device.kind,
    label: hidden ? '' : device.label,
    deviceId: hidden ? '' : id,
    groupId: hidden ? '' : `group-${id}`,
  };
  return { ...value, toJSON: () => value } as MediaDeviceInfo;
}

/** Replaces device listing and permission state for this story. */
export function stubMedia(scope: StoryScope, options: MediaStubOptions): void {
  const media = navigator.mediaDevices;
  const permissions = navigator.permissions;
  const real = {
    enumerateDevices: media.enumerateDevices.bind(media),
    getUserMedia: media.getUserMedia.bind(media),
    query: permissions.query.bind(permissions),
  };
  let permission: PermissionState = options.permission ?? 'granted';
  const own = (target: object, name: string, value: unknown) =>
    Object.defineProperty(target, name, { value, configurable: true, writable: true });

  own(media, 'enumerateDevices', async () => {
    const listed: StubDevice[] =
      options.devices ??
      (await real.enumerateDevices()).map((d) => ({
        kind: d.kind,
        label: d.label,
        deviceId: d.deviceId,
      }));
    return listed.map((d) => info(d, permission !== 'granted'));
  });
  own(media, 'getUserMedia', async (constraints?: MediaStreamConstraints) => {
    if (permission === 'denied')
      throw new DOMException('Permission denied (story stub)', 'NotAllowedError');
    const stream = await real.getUserMedia(constraints);
    if (permission !== 'granted') {
      permission = 'granted';
      media.dispatchEvent(new Event('devicechange'));
    }
    return stream;
  });
  own(permissions, 'query', async (descriptor: PermissionDescriptor) => {
    if (
      descriptor.name === ('camera' as PermissionName) ||
      descriptor.name === ('microphone' as PermissionName)
    ) {
      return Object.assign(new EventTarget(), {
        name: descriptor.name,
        state: permission,
        onchange: null,
      });
    }
    return real.query(descriptor);
  });
  scope.add(() => {
    for (const name of ['enumerateDevices', 'getUserMedia'])
      delete (media as unknown as Record<string, unknown>)[name];
    delete (permissions as unknown as Record<string, unknown>).query;
  });
}
