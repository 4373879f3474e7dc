import { createSection } from '../i18n/section';
import { rxEn } from './en';

/** The e-prescription words: with the chunks that use them, never in the first load. */
export const { Provider: RxI18nProvider, useSection: useRxI18n } = createSection(rxEn, {
  hi: () => import('./hi').then((module) => module.rxHi),
});

export type RxI18n = ReturnType<typeof useRxI18n>;
