/**
 * Storybook for the comms-kit elements (web components + Vite). Stories live in `stories/`;
 * controls and docs tables come from `custom-elements.json` (see `preview.ts`). The Vite
 * configuration is `.storybook/vite.config.ts`, not the package's own (whose builds are
 * chosen by `--mode`). Nothing here downloads a browser or reports telemetry.
 */
import type { StorybookConfig } from '@storybook/web-components-vite';

const config: StorybookConfig = {
  stories: ['../stories/**/*.stories.ts'],
  addons: ['@storybook/addon-docs'],
  framework: { name: '@storybook/web-components-vite', options: {} },
  // A catalog, not a new project: no onboarding checklist.
  features: { sidebarOnboardingChecklist: false, menuOnboardingChecklist: false },
  core: {
    builder: {
      name: '@storybook/builder-vite',
      options: { viteConfigPath: '.storybook/vite.config.ts' },
    },
    disableTelemetry: true,
    disableWhatsNewNotifications: true,
  },
};

export default config;
