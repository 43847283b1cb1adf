import { css } from 'lit';

export const styles = css`
  :host {
    display: block;
    max-width: var(--comms-presence-width, 28rem);
    --_available: var(--comms-presence-available, var(--_success));
    --_busy: var(--comms-presence-busy, var(--_danger));
    --_away: var(--comms-presence-away, #c77c02);
    --_offline: var(--comms-presence-offline, var(--_text-muted));
  }
  @media (prefers-color-scheme: dark) {
    :host {
      --_away: var(--comms-presence-away, #f5b84a);
    }
  }
  .base {
    container-type: inline-size;
  }
  [hidden] {
    display: none !important;
  }
  p {
    margin: 0;
  }
  label {
    font-weight: 600;
  }
  .self {
    display: grid;
    gap: var(--_s2);
    padding-bottom: var(--_s3);
    border-bottom: 1px solid var(--_border);
  }
  .field {
    display: grid;
    gap: var(--_s1);
  }
  .status-row,
  .note-row {
    display: flex;
    align-items: center;
    gap: var(--_s2);
  }
  .status-row select,
  .note-row input {
    flex: 1;
    min-width: 0;
  }
  /* The note's button goes under the field when both do not fit (a longer language, a phone). */
  .note-row {
    flex-wrap: wrap;
  }
  .note-row input {
    flex-basis: 10rem;
  }
  .dot {
    flex: none;
    width: 0.75rem;
    height: 0.75rem;
    border-radius: 50%;
    background: var(--_offline);
    border: 2px solid transparent;
  }
  .dot[data-state='available'] {
    background: var(--_available);
  }
  .dot[data-state='busy'],
  .dot[data-state='on-the-phone'] {
    background: var(--_busy);
  }
  .dot[data-state='away'],
  .dot[data-state='idle'],
  .dot[data-state='lunch'],
  .dot[data-state='vacation'] {
    background: var(--_away);
  }
  .dot[data-state='offline'] {
    background: transparent;
    border-color: var(--_offline);
  }
  .dot[data-state='hidden'] {
    background: transparent;
    border: 2px dashed var(--_offline);
  }
  .dot[data-state='unknown'] {
    background: transparent;
    border: 2px dotted var(--_offline);
  }
  ul {
    list-style: none;
    margin: 0;
    padding: 0;
    display: grid;
    gap: var(--_s1);
  }
  .contact,
  .result {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: var(--_s1) var(--_s2);
    padding: var(--_s2);
    border-radius: var(--_radius);
  }
  .contact:focus-within,
  .contact:hover {
    background: var(--_surface-raised);
  }
  .who {
    flex: 1 1 8rem;
    min-width: 0;
    display: grid;
  }
  .name {
    font-weight: 600;
    overflow-wrap: anywhere;
  }
  .status,
  .note {
    color: var(--_text-muted);
    font-size: 0.875em;
    overflow-wrap: anywhere;
  }
  .note {
    font-style: italic;
  }
  .actions,
  .confirm {
    display: flex;
    flex-wrap: wrap;
    gap: var(--_s1);
    margin-inline-start: auto;
  }
  .confirm {
    align-items: center;
    flex-basis: 100%;
  }
  .confirm > span {
    flex: 1 1 100%;
  }
  .actions button {
    padding: 0 var(--_s2);
  }
  /* Narrow: the actions show their icons only (their names stay in aria-label). */
  @container (max-width: 24rem) {
    .actions .label {
      position: absolute;
      width: 1px;
      height: 1px;
      overflow: hidden;
      clip: rect(0 0 0 0);
      white-space: nowrap;
    }
    .actions {
      flex-basis: 100%;
      justify-content: flex-end;
    }
  }
  .search {
    display: grid;
    gap: var(--_s1);
    padding-top: var(--_s3);
    border-top: 1px solid var(--_border);
  }
  [part='search-status']:empty {
    display: none;
  }
  [part='error']:empty {
    display: none;
  }
`;
