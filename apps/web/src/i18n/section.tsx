import { createContext, use, useContext, useDeferredValue, useMemo, type ReactNode } from 'react';
import { TIME_ZONE, useI18n, type I18n, type Lang, type MessageKey, type Placeholders } from '.';
import type { en } from './en';

/**
 * The words of one lazy part of the app (the OPD waiting room, the doctor's console), kept out
 * of the first load that every patient downloads. English comes with the part's own chunk; other
 * languages are chunks of their own, fetched when someone reads them. `t()` knows the part's
 * words and the shell's.
 */

type Words = Readonly<Record<string, string>>;
type All<E extends Words> = typeof en & E;
type Key<E extends Words> = MessageKey | (keyof E & string);
type Args<E extends Words, K extends Key<E>> = [Placeholders<All<E>[K] & string>] extends [never]
  ? []
  : [params: Record<Placeholders<All<E>[K] & string>, string | number>];

export type SectionTranslate<E extends Words> = <K extends Key<E>>(key: K, ...params: Args<E, K>) => string;

export type SectionI18n<E extends Words> = Omit<I18n, 't'> & {
  t: SectionTranslate<E>;
  /** A number in the reader's grouping. */
  number: (value: number) => string;
  /** A date without the time, e.g. "22 Nov 2026". */
  date: (value: string | Date) => string;
};

/** What another language must provide: every key of the English words, nothing else. */
export type SectionDictionary<E extends Words> = { readonly [K in keyof E]: string };

export function createSection<E extends Words>(
  english: E,
  loaders: Record<Exclude<Lang, 'en'>, () => Promise<SectionDictionary<E>>>,
) {
  const loaded: Partial<Record<Lang, Words>> = { en: english };
  const pending = new Map<Lang, Promise<Words>>();

  /** One promise per language (React's `use` wants the same one on every render). */
  function load(lang: Lang): Promise<Words> {
    let promise = pending.get(lang);
    if (promise === undefined) {
      promise =
        lang === 'en'
          ? Promise.resolve(english)
          : loaders[lang]().then(
              (dict) => {
                loaded[lang] = dict;
                return dict;
              },
              () => {
                // Offline on a first visit: English now, another try on the next page.
                pending.delete(lang);
                return english;
              },
            );
      pending.set(lang, promise);
    }
    return promise;
  }

  const Context = createContext<SectionI18n<E> | null>(null);

  function Provider({ children }: { children: ReactNode }) {
    const base = useI18n();
    // While another language's words arrive, the page keeps the words it has (and its state).
    const lang = useDeferredValue(base.lang);
    const dict = loaded[lang] ?? use(load(lang));
    const value = useMemo<SectionI18n<E>>(() => {
      const number = new Intl.NumberFormat(base.locale);
      const dateFormat = new Intl.DateTimeFormat(base.locale, { timeZone: TIME_ZONE, dateStyle: 'medium' });
      const t = ((key: string, params?: Record<string, string | number>) => {
        const text = dict[key];
        if (text === undefined) return (base.t as (key: string, params?: object) => string)(key, params);
        if (params === undefined) return text;
        return text.replace(/\{(\w+)\}/g, (whole, name: string) => {
          const value = params[name];
          if (value === undefined) return whole;
          return typeof value === 'number' ? number.format(value) : value;
        });
      }) as SectionTranslate<E>;
      return {
        ...base,
        t,
        number: (value) => number.format(value),
        date: (value) => dateFormat.format(new Date(value)),
      };
    }, [base, dict]);
    return <Context.Provider value={value}>{children}</Context.Provider>;
  }

  function useSection(): SectionI18n<E> {
    const value = useContext(Context);
    if (value === null) throw new Error('section words used outside their provider');
    return value;
  }

  return { Provider, useSection };
}
