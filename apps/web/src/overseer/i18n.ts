import { createSection } from '../i18n/section';
import { overseerEn } from './en';

/** The overseers' words: with their chunk, never in a patient's download. */
export const { Provider: OverseerI18nProvider, useSection: useOverseerI18n } = createSection(overseerEn, {
  hi: () => import('./hi').then((module) => module.overseerHi),
});

export type OverseerT = ReturnType<typeof useOverseerI18n>['t'];
