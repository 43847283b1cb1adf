import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { en, fr, type Catalog, type MessageKey } from './messages.js';

export type { Catalog, MessageKey };

/** Parameters of a message: `{name}` in the text is replaced by `params.name`. */
export type MessageParams = Record<string, string | number>;

const catalogs = new Map<string, Partial<Catalog>>([
  ['en', en],
  ['fr', fr],
]);

/**
 * Adds or extends the catalog of a language (`'de'`, `'pt-BR'`). Keys it lacks fall back to
 * the base language (`pt` for `pt-BR`), then English. Elements already on the page update.
 */
export function registerCatalog(lang: string, catalog: Partial<Catalog>): void {
  const key = lang.toLowerCase();
  catalogs.set(key, { ...catalogs.get(key), ...catalog });
  for (const controller of controllers) controller.refresh(true);
}

/** The languages with a catalog. */
export function availableLanguages(): string[] {
  return [...catalogs.keys()];
}

/**
 * The language in effect for `node`: the nearest `lang` attribute up the tree, crossing
 * shadow roots to their hosts, else the document's, else `'en'`.
 */
export function resolveLang(node: Node): string {
  let current: Node | null = node;
  while (current) {
    if (current instanceof Element) {
      const found = current.closest('[lang]');
      const lang = found?.getAttribute('lang');
      if (found && lang) return lang;
    }
    const root = current.getRootNode();
    current = root instanceof ShadowRoot ? root.host : null;
  }
  return 'en';
}

/** The text of `key` in `lang` (falling back to the base language, then English). */
export function translate(lang: string, key: MessageKey, params: MessageParams = {}): string {
  const tag = lang.toLowerCase();
  const text =
    catalogs.get(tag)?.[key] ?? catalogs.get(tag.split('-')[0]!)?.[key] ?? en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in params ? String(params[name]) : whole,
  );
}

const controllers = new Set<LocalizeController>();
let observer: MutationObserver | undefined;

function observeLang(): void {
  if (observer || typeof MutationObserver === 'undefined' || typeof document === 'undefined')
    return;
  observer = new MutationObserver(() => {
    for (const controller of controllers) controller.refresh();
  });
  observer.observe(document.documentElement, {
    attributes: true,
    attributeFilter: ['lang'],
    subtree: true,
  });
}

/**
 * Gives an element its texts in the language in effect where it stands (`lang`), and
 * re-renders it when a `lang` attribute changes anywhere in the document.
 *
 * @example
 * readonly #t = new LocalizeController(this);
 * render() { return html`<button>${this.#t.t('callView.hangup')}</button>`; }
 */
export class LocalizeController implements ReactiveController {
  /** The language in effect (`'en'`, `'fr-CA'`…). */
  lang = 'en';

  readonly #host: ReactiveControllerHost & HTMLElement;

  constructor(host: ReactiveControllerHost & HTMLElement) {
    this.#host = host;
    host.addController(this);
  }

  hostConnected(): void {
    controllers.add(this);
    observeLang();
    this.lang = resolveLang(this.#host);
  }

  hostDisconnected(): void {
    controllers.delete(this);
  }

  hostUpdate(): void {
    this.lang = resolveLang(this.#host);
  }

  /** Re-reads the language and re-renders the host when it changed (or always, with `force`). */
  refresh(force = false): void {
    if (force || resolveLang(this.#host) !== this.lang) this.#host.requestUpdate();
  }

  /** The text of `key` in the language in effect. */
  t(key: MessageKey, params?: MessageParams): string {
    return translate(this.lang, key, params);
  }
}
