import { css } from 'lit';

export const styles = css`
  :host {
    display: block;
    height: var(--comms-chat-height, 32rem);
    --_own-bg: var(--comms-chat-own-background, var(--_accent));
    --_own-fg: var(--comms-chat-own-color, var(--_on-accent));
    --_other-bg: var(--comms-chat-other-background, var(--_surface-raised));
    --_online: var(--comms-chat-online-color, var(--_success));
    --_busy: var(--comms-presence-busy, var(--_danger));
    --_away: var(--comms-presence-away, #c77c02);
  }
  @media (prefers-color-scheme: dark) {
    :host {
      --_away: var(--comms-presence-away, #f5b84a);
    }
  }
  [hidden] {
    display: none !important;
  }
  p,
  h2,
  h3 {
    margin: 0;
  }
  h2 {
    font-size: 1.0625em;
    font-weight: 600;
    min-width: 0;
    overflow-wrap: anywhere;
    flex: 1;
  }
  h3 {
    font-size: 0.875em;
    color: var(--_text-muted);
  }
  .base {
    height: 100%;
    display: flex;
    flex-direction: column;
    gap: var(--_s2);
    background: var(--_surface);
    border: 1px solid var(--_border);
    border-radius: calc(var(--_radius) * 1.5);
    padding: var(--_s2);
    min-width: 0;
  }
  .panes {
    flex: 1;
    min-height: 0;
    display: grid;
    grid-template-columns: minmax(0, 1fr);
    gap: var(--_s3);
  }
  .base.wide .panes {
    grid-template-columns: var(--comms-chat-list-width, 18rem) minmax(0, 1fr);
  }
  .base.narrow[data-pane='list'] .thread,
  .base.narrow[data-pane='thread'] .list {
    display: none;
  }
  .base.wide .back {
    display: none;
  }
  .bar {
    display: flex;
    align-items: center;
    gap: var(--_s2);
    min-height: var(--_control);
  }
  .error:empty,
  .error[data-code=''] {
    display: none;
  }

  /* list */
  .list {
    display: flex;
    flex-direction: column;
    gap: var(--_s2);
    min-height: 0;
    overflow: auto;
  }
  .list > * {
    /* The list scrolls as a whole: its bar and panels keep their height. */
    flex-shrink: 0;
  }
  .list .bar {
    /* The title and the two "New" buttons share a line when they fit, never by breaking a word. */
    flex-wrap: wrap;
  }
  .list .bar h2 {
    flex: 1 0 100%;
  }
  .list .bar button {
    /* Compact, so both fit on one line under the title from 320 px. */
    padding: 0 var(--_s2);
    gap: var(--_s1);
    font-size: 0.875em;
  }
  .list .bar button span {
    white-space: nowrap;
  }
  ul {
    list-style: none;
    margin: 0;
    padding: 0;
    display: grid;
    gap: var(--_s1);
  }
  .conversation {
    width: 100%;
    justify-content: flex-start;
    text-align: start;
    padding: var(--_s2);
    border-color: transparent;
    background: transparent;
  }
  .conversation[aria-current='true'] {
    background: var(--_surface-raised);
    border-color: var(--_border);
  }
  .who {
    display: grid;
    min-width: 0;
    flex: 1;
  }
  .name {
    font-weight: 600;
    overflow: hidden;
    text-overflow: ellipsis;
    white-space: nowrap;
  }
  .preview {
    color: var(--_text-muted);
    font-size: 0.875em;
    overflow: hidden;
    text-overflow: ellipsis;
    white-space: nowrap;
  }
  .badge {
    min-width: 1.5rem;
    padding: 0 var(--_s1);
    border-radius: 999px;
    background: var(--_accent);
    color: var(--_on-accent);
    font-size: 0.8125em;
    font-weight: 700;
    text-align: center;
  }
  .dot {
    width: 0.625rem;
    height: 0.625rem;
    border-radius: 50%;
    flex: none;
    border: 2px solid var(--_text-muted);
    background: transparent;
  }
  .dot[data-status='open'] {
    background: var(--_online);
    border-color: var(--_online);
  }
  .dot[data-status='open']:is([data-activity='busy'], [data-activity='on-the-phone']) {
    background: var(--_busy);
    border-color: var(--_busy);
  }
  .dot[data-status='open']:is(
      [data-activity='away'],
      [data-activity='idle'],
      [data-activity='lunch'],
      [data-activity='vacation']
    ) {
    background: var(--_away);
    border-color: var(--_away);
  }
  .new {
    display: grid;
    gap: var(--_s2);
    padding: var(--_s2);
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
  }
  .search {
    display: grid;
    gap: var(--_s1);
  }
  .field {
    display: flex;
    gap: var(--_s2);
  }
  .people button {
    width: 100%;
    justify-content: space-between;
    min-width: 0;
  }
  .people .hint {
    overflow: hidden;
    text-overflow: ellipsis;
  }

  /* new group */
  .chips {
    display: flex;
    flex-wrap: wrap;
    gap: var(--_s1);
  }
  .chip {
    display: inline-flex;
    align-items: center;
    gap: var(--_s1);
    max-width: 100%;
    padding-inline-start: var(--_s3);
    border: 1px solid var(--_border);
    border-radius: 999px;
    background: var(--_surface-raised);
  }
  .chip .name {
    min-width: 0;
  }
  .chip button {
    min-height: 2rem;
    min-width: 2rem;
    padding: 0;
    border: 0;
    border-radius: 999px;
    background: transparent;
  }
  .chip .icon,
  .group-icon .icon,
  .members-button .icon {
    width: 1.125rem;
    height: 1.125rem;
  }
  .choose {
    display: grid;
    gap: var(--_s2);
    margin: 0;
    padding: 0;
    border: 0;
    min-width: 0;
  }
  .choose legend {
    padding: 0;
    margin-bottom: var(--_s2);
    font-weight: 600;
  }
  .choice {
    display: flex;
    align-items: center;
    gap: var(--_s2);
    min-height: var(--_control);
    padding: 0 var(--_s2);
    border-radius: var(--_radius);
    cursor: pointer;
    min-width: 0;
  }
  .choice:hover {
    background: var(--_surface-raised);
  }
  .choice input {
    width: 1.25rem;
    height: 1.25rem;
    min-height: 0;
    flex: none;
    margin: 0;
    accent-color: var(--_accent);
  }
  .choice .name {
    flex: 0 1 auto;
  }
  .choice .hint {
    flex: 1 1 0;
    min-width: 0;
    overflow: hidden;
    text-overflow: ellipsis;
    white-space: nowrap;
    text-align: end;
  }
  .group-icon {
    display: inline-flex;
    flex: none;
    color: var(--_text-muted);
  }

  /* thread */
  .thread {
    position: relative;
    display: flex;
    flex-direction: column;
    gap: var(--_s2);
    min-height: 0;
    min-width: 0;
  }
  .thread > .bar {
    position: relative;
  }
  .members-button {
    flex: none;
    min-height: 2rem;
    font-size: 0.875em;
  }
  .members {
    /* Over the thread, under its bar: opening it leaves the thread's scroll where it was. */
    position: absolute;
    top: calc(100% + var(--_s1));
    inset-inline: 0;
    z-index: 1;
    max-height: 12rem;
    overflow: auto;
    padding: var(--_s2);
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    background: var(--_surface);
    box-shadow: 0 4px 12px rgb(0 0 0 / 0.2);
  }
  .member {
    display: flex;
    align-items: center;
    gap: var(--_s2);
    min-width: 0;
  }
  .member .name {
    flex: 0 1 auto;
    min-width: 0;
  }
  .member .hint {
    font-size: 0.875em;
    white-space: nowrap;
  }
  .dot.self {
    visibility: hidden;
  }
  .empty {
    margin: auto;
    text-align: center;
  }
  .messages {
    flex: 1;
    min-height: 0;
    overflow: auto;
    overscroll-behavior: contain;
    border-radius: var(--_radius);
  }
  .messages > [role='listitem'] {
    width: 100%;
    /* Rows come and go as the thread scrolls: keep each one's style and layout to itself. */
    contain: layout style;
  }
  .day {
    display: flex;
    justify-content: center;
    padding: var(--_s2) 0;
    color: var(--_text-muted);
    font-size: 0.8125em;
  }
  .older {
    display: flex;
    justify-content: center;
    padding: var(--_s2) 0;
  }
  .message {
    display: flex;
    padding: 2px var(--_s1);
  }
  .message.own {
    justify-content: flex-end;
  }
  .bubble {
    max-width: min(80%, 36rem);
    padding: var(--_s2) var(--_s3);
    border-radius: calc(var(--_radius) * 1.5);
    background: var(--_other-bg);
    display: grid;
    gap: 2px;
  }
  .own .bubble {
    background: var(--_own-bg);
    color: var(--_own-fg);
  }
  .message[data-status='failed'] .bubble {
    outline: 2px solid var(--_danger);
  }
  .sender {
    font-size: 0.8125em;
    font-weight: 600;
  }
  .text {
    white-space: pre-wrap;
    overflow-wrap: anywhere;
  }
  .text a {
    color: inherit;
    text-decoration: underline;
  }
  .meta {
    display: flex;
    gap: var(--_s2);
    justify-content: flex-end;
    font-size: 0.75em;
    opacity: 0.85;
  }
  .retry {
    justify-self: end;
    min-height: 2rem;
    background: var(--_surface);
    color: var(--_text);
  }
  .typing {
    min-height: 1.4em;
  }
  .composer {
    display: flex;
    gap: var(--_s2);
    align-items: flex-end;
  }
  textarea {
    flex: 1;
    min-width: 0;
    min-height: var(--_control);
    max-height: 8rem;
    resize: vertical;
    padding: var(--_s2) var(--_s3);
    font: inherit;
    color: inherit;
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    background: var(--_surface);
  }
`;
