import { html } from 'lit';

/** The chat's own 24×24 icons (Material Symbols shapes, Apache-2.0), drawn as the shared ones. */
const paths = {
  add: 'M19 13h-6v6h-2v-6H5v-2h6V5h2v6h6v2z',
  send: 'M2.01 21L23 12 2.01 3 2 10l15 2-15 2z',
  back: 'M20 11H7.83l5.59-5.59L12 4l-8 8 8 8 1.41-1.41L7.83 13H20v-2z',
} as const;

/** A decorative icon (hidden from assistive technology: the control around it is labelled). */
export function chatIcon(name: keyof typeof paths) {
  return html`<svg class="icon" viewBox="0 0 24 24" aria-hidden="true" focusable="false">
    <path d=${paths[name]}></path>
  </svg>`;
}
