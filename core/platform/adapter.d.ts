declare module 'webrtc-adapter/dist/adapter_factory.js' {
  import type { IAdapter } from 'webrtc-adapter';
  export function adapterFactory(
    dependencies?: { window?: Window },
    options?: { shimChrome?: boolean; shimFirefox?: boolean; shimSafari?: boolean },
  ): IAdapter;
}
