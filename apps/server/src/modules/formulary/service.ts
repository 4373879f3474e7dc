import type { PrescribingList } from './catalogue.js';
import type { FormularyRepository, StoredMedicine } from './repository.js';

/** The formulary and its prescribing lists, as loaded from the country pack. */
export class FormularyService {
  /** The lists change only at start, when the country pack is loaded. */
  private listsCache: Promise<PrescribingList[]> | undefined;

  constructor(private readonly repository: FormularyRepository) {}

  search(query: string, limit = 20): Promise<StoredMedicine[]> {
    const q = query.trim();
    if (q === '') return Promise.resolve([]);
    return this.repository.search(q, limit);
  }

  /** The medicines with these codes (inactive ones too: a prescription may name them), by code. */
  async medicines(codes: readonly string[]): Promise<Map<string, StoredMedicine>> {
    const rows = await this.repository.findMany([...new Set(codes)]);
    return new Map(rows.map((row) => [row.code, row]));
  }

  lists(): Promise<PrescribingList[]> {
    this.listsCache ??= this.repository.lists().catch((error: unknown) => {
      this.listsCache = undefined;
      throw error;
    });
    return this.listsCache;
  }
}
