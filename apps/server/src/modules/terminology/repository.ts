import type { Database } from '../../platform/db/database.js';

export interface SpecialityRow {
  code: string;
  name: string;
  nameHi: string | null;
  snomedCode: string | null;
  snomedDisplay: string | null;
}

export class TerminologyRepository {
  constructor(private readonly db: Database) {}

  listSpecialities(): Promise<SpecialityRow[]> {
    return this.db.query<SpecialityRow>(
      `select code, name, name_hi as "nameHi", snomed_code as "snomedCode", snomed_display as "snomedDisplay"
       from specialities order by name`,
    );
  }

  /** Loads the country pack's specialities; a changed name or code is updated. */
  async loadSpecialities(rows: SpecialityRow[]): Promise<void> {
    await this.db.query(
      `insert into specialities (code, name, name_hi, snomed_code, snomed_display)
       select * from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[])
       on conflict (code) do update set name = excluded.name, name_hi = excluded.name_hi,
         snomed_code = excluded.snomed_code, snomed_display = excluded.snomed_display`,
      [
        rows.map((r) => r.code),
        rows.map((r) => r.name),
        rows.map((r) => r.nameHi),
        rows.map((r) => r.snomedCode),
        rows.map((r) => r.snomedDisplay),
      ],
    );
  }
}
