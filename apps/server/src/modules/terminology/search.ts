/**
 * Search-as-you-type over a small coded list, in memory. Each entry has codes (matched by
 * prefix) and titles (matched by words). Results are ranked:
 *
 *   0. a code matches: the exact code first, then codes starting with the query (once the query
 *      has a digit, so that typing "a" looks for words, not every code in chapter A);
 *   1. a title starts with the query;
 *   2. every word of the query starts a word of one title;
 *   3. every word of the query occurs somewhere in the titles.
 *
 * Ties keep the list's own order (the country pack lists the commonest first). Case, accents of
 * Latin letters and punctuation are ignored; Devanagari keeps its vowel signs.
 */

export interface SearchEntry<T> {
  item: T;
  /** Codes matched by prefix, as written, e.g. 'J06.9' or '386661006'. */
  codes: readonly string[];
  /** Codes matched only whole, e.g. a slug like 'fever'. */
  exactCodes?: readonly string[];
  titles: readonly (string | null)[];
}

interface Indexed<T> {
  item: T;
  position: number;
  codes: string[];
  exactCodes: string[];
  titles: string[];
  titleWords: string[][];
  allTitles: string;
}

/** Lower case, NFKD without Latin diacritics, anything but letters, marks and digits as one space. */
export function normaliseText(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .normalize('NFC')
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}]+/gu, ' ')
    .trim();
}

/** A code compared without case, spaces or dots: 'j06.9', 'J069' and 'J06 9' are the same. */
export function normaliseCode(code: string): string {
  return code.toLowerCase().replace(/[\s.]+/g, '');
}

export class TermIndex<T> {
  private readonly entries: Indexed<T>[];

  constructor(entries: readonly SearchEntry<T>[]) {
    this.entries = entries.map((entry, position) => {
      const titles = entry.titles.filter((t): t is string => t !== null && t !== '').map(normaliseText);
      return {
        item: entry.item,
        position,
        codes: entry.codes.filter((c) => c !== '').map(normaliseCode),
        exactCodes: (entry.exactCodes ?? []).filter((c) => c !== '').map(normaliseCode),
        titles,
        titleWords: titles.map((t) => t.split(' ')),
        allTitles: titles.join(' | '),
      };
    });
  }

  get size(): number {
    return this.entries.length;
  }

  /** The best `limit` matches of `query`; without a query, the first `limit` of the list. */
  search(query: string | undefined, limit: number): T[] {
    const text = normaliseText(query ?? '');
    const code = normaliseCode(query ?? '');
    if (text === '' && code === '') return this.entries.slice(0, limit).map((e) => e.item);
    const words = text === '' ? [] : text.split(' ');
    const ranked: { entry: Indexed<T>; rank: number; tie: number }[] = [];
    for (const entry of this.entries) {
      const match = this.rank(entry, code, text, words);
      if (match !== undefined) ranked.push({ entry, ...match });
    }
    ranked.sort((a, b) => a.rank - b.rank || a.tie - b.tie || a.entry.position - b.entry.position);
    return ranked.slice(0, limit).map((r) => r.entry.item);
  }

  private rank(
    entry: Indexed<T>,
    code: string,
    text: string,
    words: string[],
  ): { rank: number; tie: number } | undefined {
    if (code !== '') {
      if (entry.codes.includes(code) || entry.exactCodes.includes(code)) return { rank: 0, tie: 0 };
      const prefixed = /\d/.test(code) ? entry.codes.filter((c) => c.startsWith(code)) : [];
      if (prefixed.length > 0) return { rank: 0, tie: Math.min(...prefixed.map((c) => c.length)) };
    }
    if (text === '') return undefined;
    if (entry.titles.some((t) => t.startsWith(text))) return { rank: 1, tie: 0 };
    if (entry.titleWords.some((titleWords) => words.every((w) => titleWords.some((tw) => tw.startsWith(w)))))
      return { rank: 2, tie: 0 };
    if (words.every((w) => entry.allTitles.includes(w))) return { rank: 3, tie: 0 };
    return undefined;
  }
}
