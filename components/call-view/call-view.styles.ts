import { css } from 'lit';

export const styles = css`
  :host {
    display: block;
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
  .name {
    font-weight: 600;
    font-size: 1.0625em;
    overflow-wrap: anywhere;
  }
  .number,
  .state {
    color: var(--_text-muted);
    overflow-wrap: anywhere;
  }
  .state {
    display: flex;
    flex-wrap: wrap;
    gap: var(--_s2);
  }
  [part='timer'] {
    font-variant-numeric: tabular-nums;
    color: var(--_text);
  }
  .avatar {
    display: grid;
    place-items: center;
    width: var(--comms-call-view-avatar-size, 5rem);
    height: var(--comms-call-view-avatar-size, 5rem);
    border-radius: 50%;
    background: var(--_accent);
    color: var(--_on-accent);
    font-weight: 700;
    font-size: 1.5em;
    user-select: none;
  }
  .avatars {
    display: flex;
  }
  /* A joined call: one avatar per party, the second overlapping the first. */
  .avatars .avatar + .avatar {
    margin-inline-start: calc(var(--comms-call-view-avatar-size, 5rem) / -4);
    box-shadow: 0 0 0 3px var(--_surface-raised);
  }
  .avatar.small {
    width: 3rem;
    height: 3rem;
    font-size: 1.125em;
    flex: none;
  }
  .avatar.tiny {
    width: 2rem;
    height: 2rem;
    font-size: 0.8125em;
    flex: none;
  }

  /* incoming */
  .incoming {
    display: grid;
    gap: var(--_s3);
    padding: var(--_s3);
    border-radius: var(--_radius);
    background: var(--_surface-raised);
    border: 2px solid var(--_success);
  }
  .who {
    display: flex;
    gap: var(--_s3);
    align-items: center;
    min-width: 0;
  }
  .actions {
    display: grid;
    grid-template-columns: repeat(auto-fit, minmax(8rem, 1fr));
    gap: var(--_s2);
  }
  @container (max-width: 22rem) {
    .actions {
      grid-template-columns: 1fr;
    }
  }

  /* list of calls */
  .call-list {
    list-style: none;
    margin: 0;
    padding: 0;
    display: grid;
    gap: var(--_s1);
  }
  .call-list button {
    width: 100%;
    justify-content: flex-start;
    text-align: start;
    padding: var(--_s1) var(--_s2);
  }
  .call-list button[aria-current='true'] {
    border-color: var(--_accent);
    box-shadow: inset 0 0 0 1px var(--_accent);
    cursor: default;
  }
  .item-text {
    display: grid;
    min-width: 0;
  }
  .item-text .state {
    font-size: 0.875em;
  }

  /* the stage */
  .stage {
    display: grid;
    gap: var(--_s3);
  }
  .media {
    position: relative;
    aspect-ratio: var(--comms-call-view-stage-ratio, 16 / 9);
    border-radius: var(--_radius);
    overflow: hidden;
    background: var(--comms-call-view-stage-background, #111);
    display: grid;
    place-items: center;
  }
  .media:not(.has-video) {
    background: var(--_surface-raised);
  }
  .remote {
    position: absolute;
    inset: 0;
  }
  .remote video {
    width: 100%;
    height: 100%;
    object-fit: contain;
    display: block;
  }
  .local {
    position: absolute;
    right: var(--_s2);
    bottom: var(--_s2);
    width: var(--comms-call-view-preview-width, 28%);
    aspect-ratio: 4 / 3;
    border-radius: calc(var(--_radius) * 0.75);
    overflow: hidden;
    background: #000;
    box-shadow: 0 2px 8px rgb(0 0 0 / 0.4);
  }
  .local video {
    width: 100%;
    height: 100%;
    object-fit: cover;
    display: block;
    transform: scaleX(-1);
  }
  .info {
    display: grid;
    gap: var(--_s1);
    min-width: 0;
  }

  /* quality */
  .quality-row {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: var(--_s2);
  }
  .bars {
    display: inline-flex;
    align-items: flex-end;
    gap: 2px;
    height: 1rem;
  }
  .bar {
    width: 4px;
    border-radius: 1px;
    background: var(--_border);
  }
  .bar:nth-child(1) {
    height: 25%;
  }
  .bar:nth-child(2) {
    height: 50%;
  }
  .bar:nth-child(3) {
    height: 75%;
  }
  .bar:nth-child(4) {
    height: 100%;
  }
  .bars[data-level='1'] .bar.on {
    background: var(--_danger);
  }
  .bars[data-level='2'] .bar.on {
    background: #c77700;
  }
  .bars[data-level='3'] .bar.on,
  .bars[data-level='4'] .bar.on {
    background: var(--_success);
  }
  .graph {
    width: 7.5rem;
    height: 2rem;
    border: 1px solid var(--_border);
    border-radius: 4px;
    background: var(--_surface-raised);
  }
  .graph polyline {
    fill: none;
    stroke-width: 1.5;
    vector-effect: non-scaling-stroke;
  }
  .graph .kbps {
    stroke: var(--_accent);
  }
  .graph .loss {
    stroke: var(--_danger);
  }

  /* controls */
  .controls {
    display: grid;
    grid-template-columns: repeat(6, minmax(0, 1fr));
    gap: var(--_s2);
  }
  .controls button {
    flex-direction: column;
    gap: 2px;
    min-width: 0;
    padding: var(--_s1);
    font-size: 0.75em;
    line-height: 1.15;
    text-align: center;
  }
  /* The six controls in one row, or three a row where that is too narrow for their labels
     (longer in French). */
  @container (max-width: 26rem) {
    .controls {
      grid-template-columns: repeat(3, minmax(0, 1fr));
    }
  }
  .controls button[part~='hangup'] {
    grid-column: 1 / -1;
    flex-direction: row;
    gap: var(--_s2);
    font-size: 0.9375em;
  }
  .controls button .icon {
    width: 1.5rem;
    height: 1.5rem;
  }
  .ended {
    display: flex;
    justify-content: space-between;
    align-items: center;
    gap: var(--_s2);
    padding: var(--_s2) var(--_s3);
    border-radius: var(--_radius);
    background: var(--_surface-raised);
    flex-wrap: wrap;
  }
  .voicemail {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: var(--_s2);
  }
  .voicemail audio {
    max-width: 100%;
    height: 2rem;
  }
  .recording::before {
    content: '';
    display: inline-block;
    width: 0.6em;
    height: 0.6em;
    margin-inline-end: 0.4em;
    border-radius: 50%;
    background: var(--_danger);
  }
  .empty {
    color: var(--_text-muted);
    text-align: center;
    padding: var(--_s3);
  }
  [part='error']:empty {
    display: none;
  }
  #dtmf-keypad {
    max-width: 18rem;
    margin: 0 auto;
    width: 100%;
  }
  .transfer {
    display: grid;
    gap: var(--_s2);
  }
  .transfer label {
    font-weight: 600;
  }
  .transfer .field {
    display: flex;
    flex-wrap: wrap;
    gap: var(--_s2);
  }
  .transfer input {
    flex: 1;
    min-width: 8rem;
  }
  .transfer button {
    display: inline-flex;
    align-items: center;
    gap: var(--_s1, 0.25rem);
  }
`;
