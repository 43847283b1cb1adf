/**
 * The `theme` toolbar global. The elements pick their light or dark palette with
 * `@media (prefers-color-scheme: …)` inside their shadow styles (components/shared/tokens.ts),
 * and a page cannot change what that media query reports (Chromium does not apply an iframe's
 * `color-scheme` to it either). So the story root gets `color-scheme` (native controls,
 * `Canvas`), and the media rules of the elements' own style sheets are switched to the chosen
 * scheme: what a reader sees in dark is exactly the elements' dark styles.
 */
export type Scheme = 'light' | 'dark';

const original = new WeakMap<CSSMediaRule, string>();
const QUERY = /\(\s*prefers-color-scheme\s*:\s*(light|dark)\s*\)/;

function rulesOf(sheet: CSSStyleSheet | CSSGroupingRule): CSSRule[] {
  try {
    return [...sheet.cssRules];
  } catch {
    return [];
  }
}

function visit(rules: CSSRule[], scheme: Scheme): void {
  for (const rule of rules) {
    if (rule instanceof CSSMediaRule) {
      const text = original.get(rule) ?? rule.media.mediaText;
      const match = QUERY.exec(text);
      if (match) {
        original.set(rule, text);
        rule.media.mediaText = match[1] === scheme ? 'all' : 'not all';
      }
    }
    if (rule instanceof CSSGroupingRule) visit(rulesOf(rule), scheme);
  }
}

/** The constructed style sheets of the custom elements `tags` (Lit's `elementStyles`). */
function sheetsOf(tags: string[]): CSSStyleSheet[] {
  const sheets: CSSStyleSheet[] = [];
  for (const tag of tags) {
    const element = customElements.get(tag) as
      { elementStyles?: Array<CSSStyleSheet | { styleSheet?: CSSStyleSheet }> } | undefined;
    for (const style of element?.elementStyles ?? []) {
      const sheet = style instanceof CSSStyleSheet ? style : style.styleSheet;
      if (sheet) sheets.push(sheet);
    }
  }
  return sheets;
}

/** Makes the elements `tags` render in `scheme`, whatever the browser prefers. */
export function applyScheme(tags: string[], scheme: Scheme): void {
  for (const sheet of sheetsOf(tags)) visit(rulesOf(sheet), scheme);
}
