import { createContext, use, useContext, useDeferredValue, useMemo, type ReactNode } from 'react';
import { useI18n, type I18n, type Lang, type MessageKey, type Placeholders } from '../i18n';
import type { en } from '../i18n/en';
import { adminEn, type AdminDictionary, type AdminKey } from './en';

/**
 * The administration pages' own words. They travel with the admin chunks, not the first load
 * that every patient downloads: English comes with this module, other languages are chunks of
 * their own, fetched when an administrator reads them. `t()` here knows both dictionaries.
 */

// An admin key that shadowed a shell key would silently change the shell's words.
type Clash = Extract<AdminKey, MessageKey>;
export type NoClash = [Clash] extends [never] ? true : { clash: Clash };
export const noClash: NoClash = true;

type AllWords = typeof en & typeof adminEn;
export type AnyKey = MessageKey | AdminKey;
type ParamArgs<K extends AnyKey> = [Placeholders<AllWords[K]>] extends [never]
  ? []
  : [params: Record<Placeholders<AllWords[K]>, string | number>];
export type AdminTranslate = <K extends AnyKey>(key: K, ...params: ParamArgs<K>) => string;

export type AdminI18n = Omit<I18n, 't'> & {
  t: AdminTranslate;
  /** A number in the reader's grouping (1,46,500 in India). */
  number: (value: number) => string;
  /** A date without the time, e.g. "22 Nov 2026". */
  date: (value: string | Date) => string;
};

const LOADERS: Record<Exclude<Lang, 'en'>, () => Promise<AdminDictionary>> = {
  hi: () => import('./hi').then((module) => module.adminHi),
};

const loaded: Partial<Record<Lang, AdminDictionary>> = { en: adminEn };
const pending = new Map<Lang, Promise<AdminDictionary>>();

/** One promise per language (React's `use` wants the same one on every render). */
function load(lang: Lang): Promise<AdminDictionary> {
  let promise = pending.get(lang);
  if (promise === undefined) {
    promise =
      lang === 'en'
        ? Promise.resolve(adminEn)
        : LOADERS[lang]().then(
            (dict) => {
              loaded[lang] = dict;
              return dict;
            },
            () => {
              // Offline on a first visit: English now, another try on the next page.
              pending.delete(lang);
              return adminEn;
            },
          );
    pending.set(lang, promise);
  }
  return promise;
}

const AdminI18nContext = createContext<AdminI18n | null>(null);

export function AdminI18nProvider({ children }: { children: ReactNode }) {
  const base = useI18n();
  // While another language's admin words arrive, the page keeps the words it has (and its
  // form state) instead of falling back to a spinner.
  const lang = useDeferredValue(base.lang);
  const dict = loaded[lang] ?? use(load(lang));
  const value = useMemo<AdminI18n>(() => {
    const number = new Intl.NumberFormat(base.locale);
    const dateFormat = new Intl.DateTimeFormat(base.locale, { timeZone: 'Asia/Kolkata', dateStyle: 'medium' });
    const words = dict as Record<string, string>;
    const t = ((key: AnyKey, params?: Record<string, string | number>) => {
      const text = words[key];
      if (text === undefined) return (base.t as (key: string, params?: object) => string)(key, params);
      if (params === undefined) return text;
      return text.replace(/\{(\w+)\}/g, (whole, name: string) => {
        const value = params[name];
        if (value === undefined) return whole;
        return typeof value === 'number' ? number.format(value) : value;
      });
    }) as AdminTranslate;
    return {
      ...base,
      t,
      number: (value) => number.format(value),
      date: (value) => dateFormat.format(new Date(value)),
    };
  }, [base, dict]);
  return <AdminI18nContext.Provider value={value}>{children}</AdminI18nContext.Provider>;
}

export function useAdminI18n(): AdminI18n {
  const value = useContext(AdminI18nContext);
  if (value === null) throw new Error('useAdminI18n outside AdminI18nProvider');
  return value;
}

export function useAdminT(): AdminTranslate {
  return useAdminI18n().t;
}
