import { css } from 'lit';

/**
 * The design tokens every element starts from. A page themes comms-kit by setting the public
 * `--comms-*` custom properties (on `:root` or any ancestor); each element reads them through
 * private `--_*` properties whose defaults follow `prefers-color-scheme`. A public token, when
 * set, wins in both schemes (set it inside your own media query to theme one scheme).
 *
 * Public tokens: `--comms-font`, `--comms-color-text`, `--comms-color-text-muted`,
 * `--comms-color-surface`, `--comms-color-surface-raised`, `--comms-color-border`,
 * `--comms-color-accent`, `--comms-color-on-accent`, `--comms-color-success`,
 * `--comms-color-on-success`, `--comms-color-danger`, `--comms-color-on-danger`,
 * `--comms-color-warning`, `--comms-color-on-warning`, `--comms-focus-ring`, `--comms-radius`,
 * `--comms-control-size`, `--comms-space-1` … `--comms-space-4`.
 */
export const tokens = css`
  :host {
    --_font: var(--comms-font, 0.9375rem/1.4 system-ui, -apple-system, 'Segoe UI', sans-serif);
    --_text: var(--comms-color-text, #1b1b1f);
    --_text-muted: var(--comms-color-text-muted, #54575c);
    --_surface: var(--comms-color-surface, #ffffff);
    --_surface-raised: var(--comms-color-surface-raised, #f0f2f5);
    --_border: var(--comms-color-border, #c4c7cc);
    --_accent: var(--comms-color-accent, #0b57d0);
    --_on-accent: var(--comms-color-on-accent, #ffffff);
    --_success: var(--comms-color-success, #146c2e);
    --_on-success: var(--comms-color-on-success, #ffffff);
    --_danger: var(--comms-color-danger, #b3261e);
    --_on-danger: var(--comms-color-on-danger, #ffffff);
    --_warning: var(--comms-color-warning, #fff1c2);
    --_on-warning: var(--comms-color-on-warning, #4a3800);
    --_focus: var(--comms-focus-ring, #0b57d0);
    --_radius: var(--comms-radius, 0.5rem);
    --_control: var(--comms-control-size, 2.75rem);
    --_s1: var(--comms-space-1, 0.25rem);
    --_s2: var(--comms-space-2, 0.5rem);
    --_s3: var(--comms-space-3, 0.75rem);
    --_s4: var(--comms-space-4, 1rem);
    color-scheme: light dark;
    font: var(--_font);
    color: var(--_text);
    box-sizing: border-box;
    min-width: 0;
  }
  @media (prefers-color-scheme: dark) {
    :host {
      --_text: var(--comms-color-text, #e4e2e6);
      --_text-muted: var(--comms-color-text-muted, #b9bcc2);
      --_surface: var(--comms-color-surface, #1b1b1f);
      --_surface-raised: var(--comms-color-surface-raised, #2b2c31);
      --_border: var(--comms-color-border, #5d6066);
      --_accent: var(--comms-color-accent, #a8c7fa);
      --_on-accent: var(--comms-color-on-accent, #062e6f);
      --_success: var(--comms-color-success, #6dd58c);
      --_on-success: var(--comms-color-on-success, #0a3818);
      --_danger: var(--comms-color-danger, #f2b8b5);
      --_on-danger: var(--comms-color-on-danger, #601410);
      --_warning: var(--comms-color-warning, #4a3800);
      --_on-warning: var(--comms-color-on-warning, #ffe08a);
      --_focus: var(--comms-focus-ring, #a8c7fa);
    }
  }
  :host([hidden]) {
    display: none !important;
  }
  *,
  *::before,
  *::after {
    box-sizing: inherit;
  }
  :focus-visible {
    outline: 2px solid var(--_focus);
    outline-offset: 2px;
  }
  .visually-hidden {
    position: absolute !important;
    width: 1px;
    height: 1px;
    margin: -1px;
    padding: 0;
    overflow: hidden;
    clip: rect(0 0 0 0);
    white-space: nowrap;
    border: 0;
  }
  button,
  input,
  select {
    font: inherit;
    color: inherit;
  }
  button {
    min-height: var(--_control);
    min-width: var(--_control);
    padding: 0 var(--_s3);
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    background: var(--_surface-raised);
    cursor: pointer;
    display: inline-flex;
    align-items: center;
    justify-content: center;
    gap: var(--_s2);
    touch-action: manipulation;
  }
  button:hover:not(:disabled):not([aria-disabled='true']) {
    filter: brightness(0.95);
  }
  button:disabled,
  button[aria-disabled='true'] {
    cursor: not-allowed;
    opacity: 0.55;
  }
  button[aria-pressed='true'] {
    background: var(--_text);
    color: var(--_surface);
    border-color: var(--_text);
  }
  button.accent {
    background: var(--_accent);
    color: var(--_on-accent);
    border-color: var(--_accent);
  }
  button.success {
    background: var(--_success);
    color: var(--_on-success);
    border-color: var(--_success);
  }
  button.danger {
    background: var(--_danger);
    color: var(--_on-danger);
    border-color: var(--_danger);
  }
  input,
  select {
    min-height: var(--_control);
    width: 100%;
    padding: 0 var(--_s3);
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    background: var(--_surface);
  }
  input[aria-invalid='true'] {
    border-color: var(--_danger);
  }
  .panel {
    display: grid;
    gap: var(--_s3);
    padding: var(--_s3);
    background: var(--_surface);
    border: 1px solid var(--_border);
    border-radius: calc(var(--_radius) * 1.5);
  }
  .notice {
    margin: 0;
    padding: var(--_s2) var(--_s3);
    border-radius: var(--_radius);
    background: var(--_warning);
    color: var(--_on-warning);
  }
  .notice .detail {
    display: block;
    font-size: 0.8125em;
    opacity: 0.85;
    overflow-wrap: anywhere;
  }
  .error {
    color: var(--_danger);
    margin: 0;
  }
  .hint {
    color: var(--_text-muted);
    margin: 0;
    font-size: 0.875em;
  }
  svg.icon {
    width: 1.25em;
    height: 1.25em;
    flex: none;
    fill: currentColor;
  }
`;
