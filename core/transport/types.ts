/** The connection's life: what `ws:change` reports and `getSocketState()` returns. */
export type SocketStatus = 'disconnected' | 'connecting' | 'connected' | 'reconnecting';

/** Where the WebSocket connects (the seeds' `wsInfo`). */
export interface WSInfo {
  protocol: string | undefined;
  server: string | undefined;
  port: number | undefined;
  url: string;
  params: string | undefined;
}

/** The seeds' WSConnectionObject, plus comms-kit's status, attempt and online fields. */
export interface WSConnectionObject {
  /** True while the WebSocket is open. */
  connected: boolean;
  /** True while a keepalive ping waits for its reply. */
  pinging: boolean;
  pingInterval: number;
  reconnectLimit: number;
  reconnectDelay: number;
  reconnectTimeMultiplier: number;
  reconnectTimeLimit: number;
  autoReconnect: boolean;
  /** How the access token reaches the server: `'subprotocol'` or `'query'`. */
  method: 'subprotocol' | 'query';
  wsInfo: WSInfo;
  /** comms-kit: `disconnected`, `connecting`, `connected` or `reconnecting`. */
  status: SocketStatus;
  /** comms-kit: the reconnect attempt under way or next (0 while connected). */
  attempt: number;
  /** comms-kit: when the next reconnect attempt starts (ms since the epoch), if one is planned. */
  nextAttemptAt: number | null;
  /** comms-kit: the close code of the last lost socket. */
  lastCloseCode: number | null;
  /** comms-kit: false while the browser reports it is offline. */
  online: boolean;
}

/** The `connection` slice of the client state. */
export interface ConnectionState {
  status: SocketStatus;
  pinging: boolean;
  attempt: number;
  nextAttemptAt: number | null;
  lastCloseCode: number | null;
  online: boolean;
  error: { code: string; message: string } | null;
}

/**
 * What the connection needs of a socket: the browser's `WebSocket`, or the in-page hub's
 * socket (`core/backends/local/`), which carries the same JSON frames without a network.
 */
export interface SocketLike {
  /** 1 while open (as `WebSocket.OPEN`). */
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onmessage: ((event: MessageEvent) => void) | null;
  onclose: ((event: CloseEvent) => void) | null;
  onerror: ((event: Event) => void) | null;
}

/**
 * Opens the connection's sockets to another backend than the gateway's WebSocket endpoint
 * (`ConnectionManager.useTransport`). The backend knows who connects: no access token.
 */
export interface Transport {
  /** Resolves with an open socket, or rejects (the connection retries by its policy). */
  open(): Promise<SocketLike>;
}
