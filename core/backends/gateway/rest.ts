/**
 * REST requests to the gateway: JSON in, JSON out, every failure a `CommsError` carrying the
 * server's stable code (or `network:error` when the server could not be reached).
 */
import { originOf, type ClientConfig } from '../../config.js';
import { CommsError, ErrorCodes } from '../../errors.js';
import type { Runtime } from '../../platform/runtime.js';

/** The gateway's base URL from `config.authentication.server`. */
export function restBaseUrl(config: ClientConfig): string {
  const server = config.authentication?.server;
  if (!server?.base) {
    throw new CommsError(
      ErrorCodes.INVALID_CONFIG,
      "config.authentication.server.base is not set: pass `server: 'http://host:port'` to createClient",
    );
  }
  return originOf(server.protocol ?? 'https', server.base, server.port);
}

/** Options of one REST request. */
export interface RestOptions {
  method?: 'GET' | 'POST' | 'DELETE' | 'PUT' | 'PATCH';
  body?: unknown;
  /** Bearer access token. */
  token?: string;
}

/** Performs one REST request against the gateway. */
export async function restRequest<T>(
  runtime: Runtime,
  config: ClientConfig,
  path: string,
  options: RestOptions = {},
): Promise<T> {
  const url = restBaseUrl(config) + path;
  const headers: Record<string, string> = { accept: 'application/json' };
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  let response: Response;
  try {
    response = await runtime.fetch(url, {
      method: options.method ?? (options.body === undefined ? 'GET' : 'POST'),
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      credentials: 'omit',
    });
  } catch (cause) {
    throw new CommsError(ErrorCodes.NETWORK_ERROR, `could not reach the gateway at ${url}`, {
      cause,
    });
  }
  if (response.status === 204) return undefined as T;
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    throw new CommsError(
      ErrorCodes.PROTOCOL_ERROR,
      `the gateway answered ${response.status} without JSON at ${path}`,
    );
  }
  if (!response.ok) {
    const error = (body as { error?: { code?: string; message?: string } }).error;
    throw new CommsError(
      error?.code ?? ErrorCodes.PROTOCOL_ERROR,
      error?.message ?? `the gateway answered ${response.status} at ${path}`,
    );
  }
  return body as T;
}
