import { createSection } from '../i18n/section';
import { callEn } from './en';

/** The call's words: with its chunk, never in the first load. */
export const { Provider: CallI18nProvider, useSection: useCallI18n } = createSection(callEn, {
  hi: () => import('./hi').then((module) => module.callHi),
});
