import { createSection } from '../i18n/section';
import { opdEn } from './en';

/** The patient's OPD pages' words: with their chunk, never in the first load. */
export const { Provider: OpdI18nProvider, useSection: useOpdI18n } = createSection(opdEn, {
  hi: () => import('./hi').then((module) => module.opdHi),
});

export type OpdI18n = ReturnType<typeof useOpdI18n>;
