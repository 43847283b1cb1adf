import { css } from 'lit';

export const styles = css`
  :host {
    display: block;
    max-width: var(--comms-dialer-width, 22rem);
  }
  form {
    gap: var(--_s2);
  }
  label {
    font-weight: 600;
  }
  .field {
    display: flex;
    gap: var(--_s2);
  }
  .field input {
    flex: 1;
    min-width: 0;
    font-size: 1.125em;
  }
  .field button {
    border-color: transparent;
    background: transparent;
  }
  [part='hint'] {
    min-height: 1.4em;
    overflow-wrap: anywhere;
  }
  [part='error']:empty {
    display: none;
  }
  [part='dtmf'] {
    display: grid;
  }
  [part='dtmf'] .tones {
    color: var(--_text);
    font-variant-numeric: tabular-nums;
  }
  .actions {
    display: grid;
    grid-template-columns: repeat(auto-fit, minmax(7rem, 1fr));
    gap: var(--_s2);
  }
  [part='recent'] h3 {
    margin: var(--_s2) 0 var(--_s1);
    font-size: 0.875em;
    color: var(--_text-muted);
  }
  [part='recent'] ul {
    list-style: none;
    margin: 0;
    padding: 0;
    display: grid;
    gap: var(--_s1);
  }
  [part='recent-call'] {
    display: flex;
    align-items: center;
    gap: var(--_s2);
  }
  [part='recent'] button {
    flex: 1;
    min-width: 0;
    justify-content: flex-start;
  }
  [part='recent'] .direction {
    font-size: 0.875em;
    color: var(--_text-muted);
  }
  [part='recent'] .missed {
    color: var(--_danger);
    font-weight: 600;
  }
`;
