/**
 * Every story: the elements registered, controls and docs tables from `custom-elements.json`,
 * the `theme` and `lang` toolbar globals, and the clean-up of what a story started (clients,
 * calls, scripted users, stubs) before the next one renders.
 */
import { html } from 'lit';
import { setCustomElementsManifest, type Preview } from '@storybook/web-components-vite';
import { withActions } from 'storybook/actions/decorator';
import manifest from 'comms-kit:manifest';
import '../components/all.js';
import { availableLanguages } from '../components/shared/i18n.js';
import { applyScheme, type Scheme } from './color-scheme.js';
import { disposeScope } from '../stories/support/scope.js';

setCustomElementsManifest(manifest);

interface Declaration {
  tagName?: string;
  events?: Array<{ name?: string }>;
}
const declarations = (manifest as { modules: Array<{ declarations?: Declaration[] }> }).modules
  .flatMap((m) => m.declarations ?? [])
  .filter((d) => d.tagName);

/** The tags the manifest declares (the elements whose styles follow the `theme` global). */
const tags = declarations.map((d) => d.tagName!);

/** The DOM events the elements declare (intent going up), shown in the Actions panel. */
const events = [
  ...new Set(declarations.flatMap((d) => (d.events ?? []).flatMap((e) => e.name ?? []))),
];

const preview: Preview = {
  parameters: {
    controls: { expanded: true },
    docs: { toc: false },
    layout: 'fullscreen',
    actions: { handles: events },
  },
  globalTypes: {
    theme: {
      description: 'Color scheme of the elements (light or dark)',
      toolbar: {
        title: 'Theme',
        icon: 'contrast',
        items: [
          { value: 'light', title: 'Light', icon: 'sun' },
          { value: 'dark', title: 'Dark', icon: 'moon' },
        ],
        dynamicTitle: true,
      },
    },
    lang: {
      description: 'Language of the elements (the `lang` attribute on the story root)',
      toolbar: {
        title: 'Language',
        icon: 'globe',
        items: availableLanguages().map((lang) => ({
          value: lang,
          title: lang === 'fr' ? 'Français' : lang === 'en' ? 'English' : lang,
          right: lang,
        })),
        dynamicTitle: true,
      },
    },
  },
  initialGlobals: { theme: 'light', lang: 'en' },
  decorators: [
    withActions,
    (story, { globals, viewMode }) => {
      const scheme = (globals.theme === 'dark' ? 'dark' : 'light') satisfies Scheme;
      const lang = typeof globals.lang === 'string' ? globals.lang : 'en';
      applyScheme(tags, scheme);
      document.documentElement.style.colorScheme = scheme;
      return html`<div
        class="story-root"
        data-theme=${scheme}
        lang=${lang}
        style="color-scheme: ${scheme}; background: Canvas; color: CanvasText; min-height: ${viewMode === 'docs' ? 'auto' : '100vh'}; padding: 1rem; box-sizing: border-box; font: 15px system-ui, sans-serif;"
      >
        ${story()}
      </div>`;
    },
  ],
  // What a story started (clients, calls, timers, stubs) stops before the next one renders.
  beforeEach:
    ({ id }) =>
    () =>
      disposeScope(id),
};

export default preview;
