import { css } from 'lit';

export const styles = css`
  :host {
    display: block;
  }
  :host([hidden]) {
    display: none;
  }
  [part='error'] {
    margin: 0 0 var(--comms-space-2, 0.5rem);
    padding: var(--comms-space-2, 0.5rem) var(--comms-space-3, 0.75rem);
    border-radius: var(--comms-radius, 0.5rem);
    border: 1px solid var(--comms-client-error-border, #b3261e);
    color: var(--comms-client-error-color, #8c1d18);
    background: var(--comms-client-error-background, #fce8e6);
    font: var(--comms-font, 0.875rem/1.4 system-ui, sans-serif);
  }
  @media (prefers-color-scheme: dark) {
    [part='error'] {
      color: var(--comms-client-error-color, #f9dedc);
      background: var(--comms-client-error-background, #601410);
      border-color: var(--comms-client-error-border, #f2b8b5);
    }
  }
`;
