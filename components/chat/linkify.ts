/**
 * Finds the web links in a message's text, so the thread can render them as anchors while
 * everything else stays text (never HTML). Only `http:` and `https:` addresses written out in
 * full become links: `javascript:`, `data:` or bare domains stay text. A link ends at white
 * space or `<`, `>`, `"`; trailing punctuation (`.`, `,`, `!`, `?`, `:`, `;`, quotes, and a
 * closing bracket without its opening one) is left out, as people write "see https://x.org.".
 * Every candidate is parsed by the browser's `URL`; the anchor's `href` is the parsed form.
 *
 * Hand-written rather than linkifyjs: this is the one case chat needs (explicit http/https),
 * in some 40 lines, where the library adds ~10 KB gzip of grammar for e-mails, hashtags and
 * bare domains that a chat about arbitrary text would then wrongly turn into links.
 */

/** A run of text, or a link with the text it was written as and its parsed address. */
export type Token = { type: 'text'; text: string } | { type: 'link'; text: string; href: string };

const CANDIDATE = /\bhttps?:\/\/[^\s<>"]+/gi;
const TRAILING = /[.,!?:;'’”)\]}*_~-]+$/;
const PAIRS: Record<string, string> = { ')': '(', ']': '[', '}': '{' };

/** Drops trailing punctuation, keeping a closing bracket that closes one inside the link. */
function trim(candidate: string): string {
  let link = candidate;
  for (;;) {
    const tail = TRAILING.exec(link);
    if (!tail) return link;
    const last = link[link.length - 1]!;
    const open = PAIRS[last];
    if (open && count(link, open) >= count(link, last)) return link;
    link = link.slice(0, -1);
  }
}

function count(text: string, char: string): number {
  return text.split(char).length - 1;
}

/** The parsed address when `text` is an http(s) URL with a host, else null. */
export function safeHref(text: string): string | null {
  try {
    const url = new URL(text);
    if ((url.protocol !== 'http:' && url.protocol !== 'https:') || !url.hostname) return null;
    return url.href;
  } catch {
    return null;
  }
}

/** Splits `text` into text runs and links. Adjacent text is one token; no token is empty. */
export function linkify(text: string): Token[] {
  const tokens: Token[] = [];
  let rest = 0;
  const push = (chunk: string) => {
    if (!chunk) return;
    const last = tokens[tokens.length - 1];
    if (last?.type === 'text') last.text += chunk;
    else tokens.push({ type: 'text', text: chunk });
  };
  for (const match of text.matchAll(CANDIDATE)) {
    const start = match.index;
    const link = trim(match[0]);
    const href = safeHref(link);
    if (!href) continue;
    push(text.slice(rest, start));
    tokens.push({ type: 'link', text: link, href });
    rest = start + link.length;
  }
  push(text.slice(rest));
  return tokens;
}
