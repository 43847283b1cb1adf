/**
 * Which browser origins may open a WebSocket (and call the REST API cross-origin).
 *
 * Always allowed: the gateway's own origin (the `Origin`'s host equals the request's `Host`).
 * Without a configured list, also any `http(s)://localhost`, `127.0.0.1` or `[::1]` on any
 * port (development). With a list (`--origin`), the listed origins instead of those: exact
 * origins (`https://app.example.com`), a wildcard subdomain (`https://*.example.com`), or `*`
 * for any. A request with no `Origin` header comes from a non-browser client and is allowed:
 * `Origin` protects browsers' users from other sites, it is not authentication.
 */

/** Decides whether `origin` may connect to a gateway reached as `host`. */
export type OriginCheck = (origin: string | undefined, host: string | undefined) => boolean;

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

interface Pattern {
  protocol: string;
  /** Exact host (with port), or a suffix after `*.`. */
  host: string;
  wildcard: boolean;
}

/** Parses one allowlist entry; throws a message naming the entry when it is not an origin. */
function parseEntry(entry: string): Pattern | '*' {
  const text = entry.trim();
  if (text === '*') return '*';
  const wildcard = /^(https?):\/\/\*\.([^/]+)$/i.exec(text);
  if (wildcard) {
    return {
      protocol: `${wildcard[1]!.toLowerCase()}:`,
      host: wildcard[2]!.toLowerCase(),
      wildcard: true,
    };
  }
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new Error(
      `'${text}' is not an origin: write it as scheme://host[:port], e.g. https://app.example.com`,
    );
  }
  if (!/^https?:$/.test(url.protocol) || url.origin !== text.replace(/\/$/, '').toLowerCase())
    throw new Error(
      `'${text}' is not an origin: write it as scheme://host[:port] with no path, e.g. https://app.example.com`,
    );
  return { protocol: url.protocol, host: url.host, wildcard: false };
}

/** Validates an allowlist; throws an Error naming the first bad entry. */
export function validateOrigins(list: readonly string[]): void {
  for (const entry of list) parseEntry(entry);
}

/** The check for an allowlist (undefined or empty: the development default). */
export function originCheck(list?: readonly string[]): OriginCheck {
  const patterns = (list ?? []).map(parseEntry);
  const any = patterns.includes('*');
  const useDefault = patterns.length === 0;
  return (origin, host) => {
    if (origin === undefined) return true;
    if (any) return true;
    let url: URL;
    try {
      url = new URL(origin);
    } catch {
      return false; // 'null' (sandboxed frames, file:) and garbage
    }
    if (!/^https?:$/.test(url.protocol)) return false;
    if (host && url.host === host.toLowerCase()) return true;
    if (useDefault) return LOOPBACK.has(url.hostname);
    return patterns.some(
      (p) =>
        p !== '*' &&
        p.protocol === url.protocol &&
        (p.wildcard ? url.host.endsWith(`.${p.host}`) : url.host === p.host),
    );
  };
}
