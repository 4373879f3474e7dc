import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { en, type Dictionary, type MessageKey } from './en';

export type { Dictionary, MessageKey } from './en';

/** Languages offered, each named in its own script so that a reader can find theirs. */
export const LANGUAGES = [
  { code: 'en', name: 'English', locale: 'en-IN', dir: 'ltr' },
  { code: 'hi', name: 'हिन्दी', locale: 'hi-IN', dir: 'ltr' },
] as const;

export type Lang = (typeof LANGUAGES)[number]['code'];

/** Every date and time is shown in India's time zone, whatever the phone is set to. */
export const TIME_ZONE = 'Asia/Kolkata';

const STORAGE_KEY = 'sanjog.lang';

/**
 * English ships in the main bundle (it is the fallback); other languages are separate chunks,
 * so adding the next twenty languages costs a patient only the one they read.
 */
const LOADERS: Record<Exclude<Lang, 'en'>, () => Promise<Dictionary>> = {
  hi: () => import('./hi').then((module) => module.hi),
};

export function isLang(value: unknown): value is Lang {
  return LANGUAGES.some((language) => language.code === value);
}

/** The stored choice, else the first browser language we have, else English. */
export function initialLang(): Lang {
  try {
    const stored = localStorage.getItem(STORAGE_KEY);
    if (isLang(stored)) return stored;
  } catch {
    // Storage can be blocked (private mode, WebView settings); fall through to the browser.
  }
  const tags = navigator.languages.length > 0 ? navigator.languages : [navigator.language];
  for (const tag of tags) {
    const base = tag.toLowerCase().split('-')[0];
    if (isLang(base)) return base;
  }
  return 'en';
}

export async function loadDictionary(lang: Lang): Promise<Dictionary> {
  return lang === 'en' ? en : LOADERS[lang]();
}

// `{name}` placeholders in the English text become the required parameters of `t()`.
export type Placeholders<S extends string> = S extends `${string}{${infer Name}}${infer Rest}`
  ? Name | Placeholders<Rest>
  : never;
export type ParamsOf<K extends MessageKey> = Placeholders<(typeof en)[K]>;
type ParamArgs<K extends MessageKey> = [ParamsOf<K>] extends [never]
  ? []
  : [params: Record<ParamsOf<K>, string | number>];

export type Translate = <K extends MessageKey>(key: K, ...params: ParamArgs<K>) => string;

export interface I18n {
  lang: Lang;
  /** BCP 47 locale for Intl, e.g. hi-IN. */
  locale: string;
  t: Translate;
  setLang: (lang: Lang) => Promise<void>;
  /** Date and time in the Asia/Kolkata zone, e.g. "22 Nov 2025, 3:04 pm". */
  dateTime: (value: string | Date) => string;
  time: (value: string | Date) => string;
  /** A short duration such as "4:05" (minutes:seconds), for countdowns. */
  clock: (seconds: number) => string;
  /** "in 5 minutes", for retry-after waits. */
  fromNow: (seconds: number) => string;
  /** +91 98765 43210: a stored 10-digit mobile grouped the way people read it aloud. */
  mobile: (digits: string) => string;
  /** A person's name as the server gives it; a bare mobile number (new patients) is grouped. */
  person: (name: string) => string;
}

function localeOf(lang: Lang): string {
  return LANGUAGES.find((language) => language.code === lang)?.locale ?? 'en-IN';
}

/** No-break spaces keep the number on one line. */
function groupMobile(digits: string): string {
  return digits.length === 10 ? `+91\u00a0${digits.slice(0, 5)}\u00a0${digits.slice(5)}` : digits;
}

function build(lang: Lang, dict: Dictionary, setLang: (lang: Lang) => Promise<void>): I18n {
  const locale = localeOf(lang);
  const number = new Intl.NumberFormat(locale);
  const dateTimeFormat = new Intl.DateTimeFormat(locale, {
    timeZone: TIME_ZONE,
    dateStyle: 'medium',
    timeStyle: 'short',
  });
  const timeFormat = new Intl.DateTimeFormat(locale, { timeZone: TIME_ZONE, timeStyle: 'medium' });
  const relative = new Intl.RelativeTimeFormat(locale, { numeric: 'auto' });
  const t = ((key: MessageKey, params?: Record<string, string | number>) => {
    const text = dict[key];
    if (params === undefined) return text;
    // Numbers get the local grouping; identifiers such as mobile numbers must be passed as strings.
    return text.replace(/\{(\w+)\}/g, (whole, name: string) => {
      const value = params[name];
      if (value === undefined) return whole;
      return typeof value === 'number' ? number.format(value) : value;
    });
  }) as Translate;
  return {
    lang,
    locale,
    t,
    setLang,
    dateTime: (value) => dateTimeFormat.format(new Date(value)),
    time: (value) => timeFormat.format(new Date(value)),
    clock: (seconds) => {
      const whole = Math.max(0, Math.ceil(seconds));
      return `${number.format(Math.floor(whole / 60))}:${String(whole % 60).padStart(2, '0')}`;
    },
    mobile: groupMobile,
    person: (name) => {
      const digits = /^\+91 ?([6-9][0-9]{9})$/.exec(name)?.[1];
      return digits === undefined ? name : groupMobile(digits);
    },
    fromNow: (seconds) =>
      seconds >= 90
        ? relative.format(Math.ceil(seconds / 60), 'minute')
        : relative.format(Math.max(1, Math.ceil(seconds)), 'second'),
  };
}

const I18nContext = createContext<I18n | null>(null);

export function I18nProvider(props: { initial: { lang: Lang; dict: Dictionary }; children: ReactNode }) {
  const [current, setCurrent] = useState(props.initial);

  // Switch only once the new dictionary is here, so the page never shows half one language.
  const setLang = useCallback(async (lang: Lang) => {
    const dict = await loadDictionary(lang);
    setCurrent({ lang, dict });
    try {
      localStorage.setItem(STORAGE_KEY, lang);
    } catch {
      // Not stored: the choice still holds for this visit.
    }
  }, []);

  useEffect(() => {
    const root = document.documentElement;
    root.lang = current.lang;
    root.dir = LANGUAGES.find((language) => language.code === current.lang)?.dir ?? 'ltr';
  }, [current.lang]);

  const value = useMemo(() => build(current.lang, current.dict, setLang), [current, setLang]);
  return <I18nContext.Provider value={value}>{props.children}</I18nContext.Provider>;
}

export function useI18n(): I18n {
  const value = useContext(I18nContext);
  if (value === null) throw new Error('useI18n outside I18nProvider');
  return value;
}

export function useT(): Translate {
  return useI18n().t;
}
