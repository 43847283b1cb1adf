import { css } from 'lit';

export const styles = css`
  :host {
    display: block;
    max-width: var(--comms-device-picker-width, 26rem);
  }

  [hidden] {
    display: none !important;
  }
  p {
    margin: 0;
  }
  .fields {
    display: grid;
    gap: var(--_s4);
  }
  .field {
    display: grid;
    gap: var(--_s1);
    min-width: 0;
  }
  label {
    font-weight: 600;
  }
  select {
    text-overflow: ellipsis;
  }
  .preview {
    width: 100%;
    height: var(--comms-device-picker-preview-height, 9rem);
    object-fit: cover;
    border-radius: var(--_radius);
    background: #000;
    transform: scaleX(-1);
    margin-top: var(--_s1);
  }
  .level {
    width: 100%;
    height: 0.75rem;
    margin-top: var(--_s1);
  }
  .field button {
    justify-self: start;
    margin-top: var(--_s1);
  }
  .permission {
    display: grid;
    gap: var(--_s2);
    padding: var(--_s3);
    border-radius: var(--_radius);
    background: var(--_surface-raised);
  }
  .permission.denied {
    border: 1px solid var(--_danger);
  }
  .permission .title {
    font-weight: 600;
  }
  .permission button {
    justify-self: start;
  }
  [part='error']:empty {
    display: none;
  }
`;
