import { html, nothing, type TemplateResult } from 'lit';
import type { ClientState } from '../../core/client.js';
import type { LocalizeController, MessageKey } from './i18n.js';

/** How the elements show the client's connection, and whether it blocks server actions. */
export interface ConnectionView {
  /**
   * `online`: connected to the gateway. `idle`: no gateway connection was tried (an in-page
   * backend may still carry calls; a call without any backend fails and says so).
   * `connecting`, `reconnecting`, `offline`: server actions are unavailable, and `reason` says why.
   */
  status: 'online' | 'idle' | 'connecting' | 'reconnecting' | 'offline';
  /** Why actions that need the server are unavailable (a message key), or `null` when they are not. */
  reason: MessageKey | null;
  /** Parameters of the reason (the attempt number). */
  params: Record<string, string | number>;
  /** The technical cause, when there is one (the core's error message, not translated). */
  detail?: string;
}

/**
 * The connection-state display rule, the same for every element: the browser being offline,
 * a lost connection being retried, and a connection that gave up are shown as they are, and
 * the actions that need the server are disabled with that reason. A client that never tried
 * to connect (an in-page backend, or before sign-in) is `idle`: nothing is claimed about it.
 */
export function connectionView(state: ClientState | undefined): ConnectionView {
  const c = state?.connection;
  if (!c) return { status: 'idle', reason: null, params: {} };
  if (c.status === 'connected') return { status: 'online', reason: null, params: {} };
  if (!c.online) return { status: 'offline', reason: 'connection.browserOffline', params: {} };
  if (c.status === 'reconnecting')
    return {
      status: 'reconnecting',
      reason: 'connection.reconnecting',
      params: { attempt: Math.max(1, c.attempt) },
    };
  if (c.status === 'connecting' || state.auth.status === 'authenticating')
    return { status: 'connecting', reason: 'connection.connecting', params: {} };
  if (c.error)
    return { status: 'offline', reason: 'connection.failed', params: {}, detail: c.error.message };
  if (c.lastCloseCode !== null) return { status: 'offline', reason: 'connection.lost', params: {} };
  return { status: 'idle', reason: null, params: {} };
}

/** Compares two views (for `StoreController`'s `equals`). */
export function sameConnectionView(a: ConnectionView, b: ConnectionView): boolean {
  return (
    a.status === b.status &&
    a.reason === b.reason &&
    a.detail === b.detail &&
    JSON.stringify(a.params) === JSON.stringify(b.params)
  );
}

/**
 * The notice every element shows while the connection blocks server actions: a paragraph with
 * `part="connection"` and `id="connection-reason"`, so disabled controls can point at it with
 * `aria-describedby`.
 */
export function renderConnectionNotice(
  view: ConnectionView | undefined,
  l10n: LocalizeController,
): TemplateResult | typeof nothing {
  if (!view?.reason) return nothing;
  return html`<p class="notice" part="connection" id="connection-reason" data-status=${view.status}>
    ${l10n.t(view.reason, view.params)}
    ${view.detail ? html`<span class="detail">(${view.detail})</span>` : nothing}
  </p>`;
}
