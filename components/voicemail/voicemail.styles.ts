import { css } from 'lit';

export const styles = css`
  :host {
    display: block;
    max-width: var(--comms-voicemail-width, 28rem);
  }
  .panel {
    container-type: inline-size;
    gap: var(--_s2);
  }
  h3 {
    margin: 0;
    font-size: 1em;
    display: flex;
    flex-wrap: wrap;
    align-items: baseline;
    gap: var(--_s2);
  }
  h3:focus {
    outline: none;
  }
  .count,
  .new {
    font-size: 0.8125em;
    font-weight: 600;
    color: var(--_accent);
  }
  ul {
    list-style: none;
    margin: 0;
    padding: 0;
    display: grid;
    gap: var(--_s1);
  }
  li {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: var(--_s1) var(--_s2);
    padding: var(--_s2);
    border-radius: var(--_radius);
  }
  li:focus-within,
  li:hover {
    background: var(--_surface-raised);
  }
  .who {
    flex: 1 1 8rem;
    min-width: 0;
    display: grid;
  }
  li[data-unheard] .name {
    font-weight: 700;
  }
  .name {
    font-weight: 600;
    overflow-wrap: anywhere;
  }
  .details {
    color: var(--_text-muted);
    font-size: 0.875em;
  }
  .actions,
  .confirm {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: var(--_s1);
    margin-inline-start: auto;
  }
  .confirm > span {
    flex: 1 1 100%;
  }
  .actions button {
    padding: 0 var(--_s2);
  }
  audio {
    flex-basis: 100%;
    width: 100%;
  }
  .error:empty {
    display: none;
  }
`;
