import type { Database } from '../../platform/db/database.js';

export interface SpecialityRow {
  code: string;
  name: string;
  nameHi: string | null;
  snomedCode: string | null;
  snomedDisplay: string | null;
}

/** A presenting complaint of the country pack, coded in SNOMED CT where a code was confirmed. */
export interface ComplaintTermRow {
  code: string;
  name: string;
  nameHi: string | null;
  snomedCode: string | null;
  snomedDisplay: string | null;
  specialityCode: string | null;
  redFlag: boolean;
  verified: boolean;
}

/** An ICD-10 diagnosis of the country pack's primary-care list. */
export interface DiagnosisTermRow {
  code: string;
  title: string;
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

  listComplaints(): Promise<ComplaintTermRow[]> {
    return this.db.query<ComplaintTermRow>(
      `select code, name, name_hi as "nameHi", snomed_code as "snomedCode", snomed_display as "snomedDisplay",
         speciality_code as "specialityCode", red_flag as "redFlag", verified
       from complaint_terms order by position, code`,
    );
  }

  listDiagnoses(): Promise<DiagnosisTermRow[]> {
    return this.db.query<DiagnosisTermRow>('select code, title from diagnosis_terms order by position, code');
  }

  /** Loads the country pack's chief complaints in their order; a changed row is updated. */
  async loadComplaints(rows: ComplaintTermRow[]): Promise<void> {
    await this.db.query(
      `insert into complaint_terms (code, name, name_hi, snomed_code, snomed_display, speciality_code, red_flag, verified, position)
       select * from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::boolean[],
         $8::boolean[], $9::int[])
       on conflict (code) do update set name = excluded.name, name_hi = excluded.name_hi,
         snomed_code = excluded.snomed_code, snomed_display = excluded.snomed_display,
         speciality_code = excluded.speciality_code, red_flag = excluded.red_flag, verified = excluded.verified,
         position = excluded.position`,
      [
        rows.map((r) => r.code),
        rows.map((r) => r.name),
        rows.map((r) => r.nameHi),
        rows.map((r) => r.snomedCode),
        rows.map((r) => r.snomedDisplay),
        rows.map((r) => r.specialityCode),
        rows.map((r) => r.redFlag),
        rows.map((r) => r.verified),
        rows.map((_, index) => index + 1),
      ],
    );
  }

  /** Loads the country pack's ICD-10 list in its order; a changed title is updated. */
  async loadDiagnoses(rows: DiagnosisTermRow[]): Promise<void> {
    await this.db.query(
      `insert into diagnosis_terms (code, title, position)
       select * from unnest($1::text[], $2::text[], $3::int[])
       on conflict (code) do update set title = excluded.title, position = excluded.position`,
      [rows.map((r) => r.code), rows.map((r) => r.title), rows.map((_, index) => index + 1)],
    );
  }
}
