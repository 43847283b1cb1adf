/** A constraint value: exact, ideal, or a plain value (treated as ideal; a device id as exact). */
export type MediaConstraint =
  string | number | { exact?: string | number; ideal?: string | number };

/** Audio options (the seeds' `call.AudioOptions`). */
export interface AudioOptions {
  deviceId?: MediaConstraint;
}

/** Video options (the seeds' `call.VideoOptions`). */
export interface VideoOptions {
  deviceId?: MediaConstraint;
  height?: MediaConstraint;
  width?: MediaConstraint;
  frameRate?: MediaConstraint;
}

/** Screen-capture options (the seeds' `call.ScreenOptions`). */
export interface ScreenOptions {
  height?: MediaConstraint;
  width?: MediaConstraint;
  frameRate?: MediaConstraint;
}

/** What media to create (as `call.make`, `answer`, `addMedia` and `createLocalMedia` take it). */
export interface MediaRequest {
  audio?: boolean;
  audioOptions?: AudioOptions;
  video?: boolean;
  videoOptions?: VideoOptions;
  screen?: boolean;
  screenOptions?: ScreenOptions;
  /** Detached media to use instead of creating new tracks of their kind. */
  medias?: DetachedMedia[];
}

/** The seeds' TrackObject: the state of one track. */
export interface TrackObject {
  id: string;
  /** `'audio'` or `'video'`. */
  kind: string;
  /** `'audio'`, `'video'` or `'screen'` (comms-kit: what the track carries). */
  type: 'audio' | 'video' | 'screen';
  label: string;
  isLocal: boolean;
  /** Muted by the application (not sending). */
  muted: boolean;
  /** The source stopped delivering media (the browser or the remote side). */
  sourceMuted: boolean;
  /** Ended tracks cannot be re-enabled. */
  disabled: boolean;
  state: 'live' | 'ended';
  streamId: string;
  /** comms-kit: the call the track belongs to, if any. */
  callId: string | null;
  /** comms-kit: the device it comes from (local tracks). */
  deviceId: string | null;
}

/** The seeds' MediaObject: a set of tracks. */
export interface MediaObject {
  id: string;
  isLocal: boolean;
  tracks: TrackObject[];
}

/** Media created outside a call (the seeds' DetachedMedia). */
export interface DetachedMedia {
  type: 'audio' | 'video' | 'screen';
  media: MediaObject;
}

/** One device (the seeds' DeviceInfo). */
export interface DeviceInfo {
  deviceId: string;
  groupId: string;
  kind: MediaDeviceKind;
  label: string;
}

/** The devices by kind (the seeds' DevicesObject). */
export interface DevicesObject {
  camera: DeviceInfo[];
  microphone: DeviceInfo[];
  speaker: DeviceInfo[];
}

/** Devices used when a request does not name one (Kandy `setDefaultDevices`). */
export interface DefaultDevices {
  camera?: string;
  microphone?: string;
  speaker?: string;
}

/** The `media` slice of the client state. */
export interface MediaState {
  tracks: Record<string, TrackObject>;
  devices: DevicesObject;
  defaults: DefaultDevices;
  /** Ids of the detached media the application owns. */
  detached: string[];
}
