import type { ComplaintTermRow, DiagnosisTermRow, SpecialityRow, TerminologyRepository } from './repository.js';
import { normaliseCode, TermIndex } from './search.js';

/** The most a search-as-you-type answer holds. */
export const TERM_SEARCH_LIMIT = 20;

interface ClinicalLists {
  complaints: TermIndex<ComplaintTermRow>;
  diagnoses: TermIndex<DiagnosisTermRow>;
  complaintsByCode: Map<string, ComplaintTermRow>;
  diagnosesByCode: Map<string, DiagnosisTermRow>;
}

/** Coded lists of the country pack: specialities, chief complaints (SNOMED CT) and diagnoses (ICD-10). */
export class TerminologyService {
  private specialities: Promise<SpecialityRow[]> | null = null;
  private clinical: Promise<ClinicalLists> | null = null;

  constructor(private readonly repository: TerminologyRepository) {}

  /** Cached for the life of the process: the list changes only with a new country pack. */
  listSpecialities(): Promise<SpecialityRow[]> {
    this.specialities ??= this.repository.listSpecialities().catch((error: unknown) => {
      this.specialities = null;
      throw error;
    });
    return this.specialities;
  }

  async unknownSpecialities(codes: readonly string[]): Promise<string[]> {
    const known = new Set((await this.listSpecialities()).map((s) => s.code));
    return codes.filter((code) => !known.has(code));
  }

  async speciality(code: string): Promise<SpecialityRow | undefined> {
    return (await this.listSpecialities()).find((s) => s.code === code);
  }

  /** Chief complaints by SNOMED CT id prefix, our code, or words of the English or Hindi name. */
  async searchComplaints(query: string | undefined, limit = TERM_SEARCH_LIMIT): Promise<ComplaintTermRow[]> {
    return (await this.clinicalLists()).complaints.search(query, limit);
  }

  /** ICD-10 diagnoses by code prefix (with or without the dot) or words of the title. */
  async searchDiagnoses(query: string | undefined, limit = TERM_SEARCH_LIMIT): Promise<DiagnosisTermRow[]> {
    return (await this.clinicalLists()).diagnoses.search(query, limit);
  }

  /** A complaint of the list by its code (e.g. `fever`). */
  async complaint(code: string): Promise<ComplaintTermRow | undefined> {
    return (await this.clinicalLists()).complaintsByCode.get(code);
  }

  /** A diagnosis of the list by its ICD-10 code, written in any case, with or without the dot. */
  async diagnosis(code: string): Promise<DiagnosisTermRow | undefined> {
    return (await this.clinicalLists()).diagnosesByCode.get(normaliseCode(code));
  }

  /** Both lists, read once and indexed in memory: they are small and change only with the country pack. */
  private clinicalLists(): Promise<ClinicalLists> {
    this.clinical ??= Promise.all([this.repository.listComplaints(), this.repository.listDiagnoses()])
      .then(([complaints, diagnoses]) => ({
        complaints: new TermIndex(
          complaints.map((c) => ({
            item: c,
            codes: c.snomedCode === null ? [] : [c.snomedCode],
            exactCodes: [c.code],
            titles: [c.name, c.nameHi, c.snomedDisplay],
          })),
        ),
        diagnoses: new TermIndex(diagnoses.map((d) => ({ item: d, codes: [d.code], titles: [d.title] }))),
        complaintsByCode: new Map(complaints.map((c) => [c.code, c])),
        diagnosesByCode: new Map(diagnoses.map((d) => [normaliseCode(d.code), d])),
      }))
      .catch((error: unknown) => {
        this.clinical = null;
        throw error;
      });
    return this.clinical;
  }
}
