declare module 'webrtc-adapter/src/js/adapter_factory.js' {
  import type { IAdapter } from 'webrtc-adapter';
  export function adapterFactory(
    dependencies?: { window?: Window },
    options?: { shimChrome?: boolean; shimFirefox?: boolean; shimSafari?: boolean },
  ): IAdapter;
}

declare module 'webrtc-adapter/src/js/utils.js' {
  import type { IBrowserDetails } from 'webrtc-adapter';
  export function detectBrowser(window?: Window): IBrowserDetails;
}
