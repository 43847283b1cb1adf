import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { CommsError } from '../../core/errors.js';
import { en, type Catalog, type MessageKey } from './messages.js';

export type { Catalog, MessageKey };

/** Parameters of a message: `{name}` in the text is replaced by `params.name`. */
export type MessageParams = Record<string, string | number>;

/** The catalogs in place, by lowercase language tag: English, then what was loaded or registered. */
const catalogs = new Map<string, Partial<Catalog>>([['en', en]]);

/**
 * The languages comms-kit ships besides English. Each catalog is a module of its own, loaded
 * by `import()` (its own chunk in a bundle) the first time a text of that language is asked
 * for, so a page pays only for the languages it shows.
 */
const shipped = new Map<string, () => Promise<Catalog>>([
  ['fr', () => import('./messages.fr.js').then((m) => m.fr)],
]);

/**
 * The loads of shipped catalogs, by base language, from their start on. Each settles once and
 * stays: resolved `true` when the catalog arrived (it is then in `catalogs`), `false` when it
 * could not be fetched (that language shows English, and is not fetched again).
 */
const loads = new Map<string, Promise<boolean>>();
/** The base languages whose load has settled. */
const settled = new Set<string>();

/** Starts (once) the load of a shipped catalog; `undefined` when `base` is not shipped. */
function startLoad(base: string): Promise<boolean> | undefined {
  const loader = shipped.get(base);
  if (!loader) return undefined;
  let load = loads.get(base);
  if (!load) {
    load = loader().then(
      (catalog) => {
        // What the page registered before the catalog arrived wins over it.
        catalogs.set(base, { ...catalog, ...catalogs.get(base) });
        settled.add(base);
        for (const controller of controllers) controller.refresh(true);
        return true;
      },
      () => {
        settled.add(base);
        return false;
      },
    );
    loads.set(base, load);
  }
  return load;
}

/** The base language of a tag, lowercase: `fr` for `fr-CA`. */
const baseOf = (lang: string) => lang.toLowerCase().split('-')[0]!;

/**
 * Adds or extends the catalog of a language (`'de'`, `'pt-BR'`). Keys it lacks fall back to
 * the base language (`pt` for `pt-BR`), then English. Elements already on the page update.
 */
export function registerCatalog(lang: string, catalog: Partial<Catalog>): void {
  const key = lang.toLowerCase();
  catalogs.set(key, { ...catalogs.get(key), ...catalog });
  for (const controller of controllers) controller.refresh(true);
}

/** The languages with a catalog: English, those comms-kit ships (loaded or not) and those registered. */
export function availableLanguages(): string[] {
  return [...new Set([...catalogs.keys(), ...shipped.keys()])];
}

/**
 * Loads the catalog comms-kit ships for `lang` (French for `'fr'` or `'fr-CA'`), if it is not
 * in place yet. Elements load it themselves when they first need it and render once it is
 * there; call this to fetch it earlier, or to know when {@link translate} answers in that
 * language. Resolves at once for English and for languages comms-kit does not ship; rejects,
 * with a `{code, message}` error (`i18n:loadFailed`), when the catalog cannot be fetched (the
 * elements then show English).
 */
export async function loadLanguage(lang: string): Promise<void> {
  const loaded = await startLoad(baseOf(lang));
  if (loaded === false) {
    throw new CommsError(
      'i18n:loadFailed',
      `the '${baseOf(lang)}' message catalog could not be loaded; texts stay in English`,
    );
  }
}

/**
 * For an element about to render: `undefined` when the texts of the language in effect at
 * `node` ({@link resolveLang}) are in place, else a promise that settles (never rejects) when
 * its shipped catalog has loaded or failed to. `CommsElement` waits for it before each update,
 * so an element never renders in English first on a French page.
 */
export function languageReady(node: Node): Promise<unknown> | undefined {
  if (settled.size === shipped.size) return undefined;
  const base = baseOf(resolveLang(node));
  return settled.has(base) ? undefined : startLoad(base);
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

/**
 * The text of `key` in `lang` (falling back to the base language, then English). For a
 * language comms-kit ships whose catalog has not arrived yet, this starts loading it and
 * answers in English meanwhile (see {@link loadLanguage}).
 */
export function translate(lang: string, key: MessageKey, params: MessageParams = {}): string {
  const tag = lang.toLowerCase();
  const base = baseOf(tag);
  if (!settled.has(base)) void startLoad(base);
  const text = catalogs.get(tag)?.[key] ?? catalogs.get(base)?.[key] ?? en[key] ?? key;
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
