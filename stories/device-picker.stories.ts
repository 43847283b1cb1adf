/**
 * `<comms-device-picker>` in the states a user meets. "Your devices" is the browser's own list
 * (Chromium's fake camera and microphone under the test flags). The other states cannot be
 * produced by the fake-device flags, so those stories replace `navigator.mediaDevices` and
 * `navigator.permissions` for the story only (`stories/support/media-stub.ts`) and say so
 * above the element.
 */
import { html } from 'lit';
import type { Meta, StoryContext, StoryObj } from '@storybook/web-components-vite';
import '../components/device-picker/comms-device-picker.js';
import type { CommsClient } from '../core/client.js';
import { stubMedia, type MediaStubOptions } from './support/media-stub.js';
import { frame, scene, sceneOf, stubNote } from './support/story.js';
import { pair } from './support/users.js';

type Args = {
  noPreview: boolean;
  noMeter: boolean;
};

interface Scene {
  client: CommsClient;
  note?: string;
}

const render = (args: Args, context: StoryContext) => {
  const { client, note } = sceneOf<Scene>(context);
  return frame(
    html`${note ? stubNote(note) : ''}<comms-device-picker
        .client=${client}
        storage-key=${`storybook:${context.id}`}
        ?no-preview=${args.noPreview}
        ?no-meter=${args.noMeter}
      ></comms-device-picker>`,
  );
};

/** Alice's client, after the stub (if any) is in place. */
const picker = (stub?: MediaStubOptions, note?: string) =>
  scene((scope) => {
    if (stub) stubMedia(scope, stub);
    return { client: pair(scope).me.client, note };
  });

const meta: Meta<Args> = {
  title: 'Elements/Device picker',
  component: 'comms-device-picker',
  tags: ['autodocs'],
  args: { noPreview: false, noMeter: false },
  // A stub replaces page-wide objects, so on the docs page each story gets its own frame.
  parameters: { docs: { story: { inline: false, height: '40rem' } } },
  render,
};
export default meta;

type Story = StoryObj<Args>;

/** The browser's devices, with the camera preview and the microphone level. */
export const YourDevices: Story = { loaders: [picker()] };

/** Without the preview and the meter. */
export const Compact: Story = { loaders: [picker()], args: { noPreview: true, noMeter: true } };

const several = [
  { kind: 'videoinput', label: 'Integrated Camera' },
  { kind: 'videoinput', label: 'Conference Room Camera (USB)' },
  { kind: 'audioinput', label: 'Built-in Microphone' },
  { kind: 'audioinput', label: 'Headset Microphone (Bluetooth)' },
  { kind: 'audioinput', label: 'Studio Microphone (USB)' },
  { kind: 'audiooutput', label: 'Built-in Speakers' },
  { kind: 'audiooutput', label: 'Headset (Bluetooth)' },
] satisfies MediaStubOptions['devices'];

/** Several cameras, microphones and outputs to choose from. */
export const SeveralDevices: Story = {
  loaders: [
    picker(
      { devices: several },
      'this story lists made-up devices (navigator.mediaDevices.enumerateDevices is replaced); choosing one the browser lacks fails as it would for real.',
    ),
  ],
};

/** Device names are hidden until the user allows access: the "allow" step. */
export const AccessNotGiven: Story = {
  loaders: [
    picker(
      { devices: several, permission: 'prompt' },
      'this story pretends the camera and microphone were never allowed (navigator.mediaDevices and navigator.permissions are replaced); "Allow" then uses the real getUserMedia.',
    ),
  ],
};

/** The user blocked the camera and microphone: help on how to unblock them. */
export const PermissionDenied: Story = {
  loaders: [
    picker(
      { devices: several, permission: 'denied' },
      'this story pretends access was blocked (navigator.mediaDevices and navigator.permissions are replaced).',
    ),
  ],
};

/** A machine without a camera. */
export const NoCamera: Story = {
  loaders: [
    picker(
      { devices: several.filter((d) => d.kind !== 'videoinput') },
      'this story lists devices without a camera (navigator.mediaDevices.enumerateDevices is replaced).',
    ),
  ],
};
