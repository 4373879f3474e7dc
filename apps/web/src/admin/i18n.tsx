import type { MessageKey } from '../i18n';
import { createSection, type SectionI18n, type SectionTranslate } from '../i18n/section';
import { adminEn, type AdminKey } from './en';

/**
 * The administration pages' own words. They travel with the admin chunks, not the first load
 * that every patient downloads: English comes with this module, other languages are chunks of
 * their own, fetched when an administrator reads them. `t()` here knows both dictionaries.
 */

// An admin key that shadowed a shell key would silently change the shell's words.
type Clash = Extract<AdminKey, MessageKey>;
export type NoClash = [Clash] extends [never] ? true : { clash: Clash };
export const noClash: NoClash = true;

export const { Provider: AdminI18nProvider, useSection: useAdminI18n } = createSection(adminEn, {
  hi: () => import('./hi').then((module) => module.adminHi),
});

export type AdminI18n = SectionI18n<typeof adminEn>;
export type AdminTranslate = SectionTranslate<typeof adminEn>;

export function useAdminT(): AdminTranslate {
  return useAdminI18n().t;
}
