import type { BasicError } from '../../core/errors.js';
import { NO_CLIENT } from './events.js';
import type { LocalizeController } from './i18n.js';

/** An action's error in the user's language: known codes get their own words. */
export function describeError(error: BasicError, l10n: LocalizeController): string {
  switch (error.code) {
    case 'call:noBackend':
    case NO_CLIENT:
      return l10n.t('error.noBackend');
    case 'media:unavailable':
      return l10n.t('error.media', { reason: error.message });
    default:
      return l10n.t('error.action', { reason: error.message });
  }
}
