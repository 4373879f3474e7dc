import type { SpecialityRow, TerminologyRepository } from './repository.js';

/** Coded lists of the country pack (specialities now; complaints and diagnoses later). */
export class TerminologyService {
  private specialities: Promise<SpecialityRow[]> | null = null;

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
}
