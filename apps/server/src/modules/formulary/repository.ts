import type { Database } from '../../platform/db/database.js';
import { containsPattern, startsWithPattern } from '../../platform/db/sql.js';
import type { FormularyMedicine, MedicineRoute, PrescribingList, PrescribingMode } from './catalogue.js';

const MEDICINE_COLUMNS = `code, name, form, strengths, route, section, level, notes, list_code as "listCode",
  list_reason as "listReason", allergy_groups as "allergyGroups", active, position`;

/** A medicine as stored: one the country pack no longer lists stays, inactive (prescriptions name it). */
export type StoredMedicine = FormularyMedicine & { active: boolean };

export class FormularyRepository {
  constructor(private readonly db: Database) {}

  /**
   * Loads the country pack: lists first, then the medicines. A medicine that left the pack is
   * kept (prescriptions name it) but no longer offered.
   */
  async load(lists: PrescribingList[], medicines: FormularyMedicine[]): Promise<void> {
    await this.db.transaction(async (tx) => {
      // The default list may move from one list to another: clear it first (a unique index holds one).
      await tx.query('update prescribing_lists set unlisted_default = false where unlisted_default');
      await tx.query(
        `insert into prescribing_lists (code, name, first_modes, follow_up_modes, unlisted_default, description, position)
         select code, name, string_to_array(first_modes, '|'), string_to_array(follow_up_modes, '|'), d, description, position
         from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::boolean[], $6::text[], $7::int[])
           as t(code, name, first_modes, follow_up_modes, d, description, position)
         on conflict (code) do update set name = excluded.name, first_modes = excluded.first_modes,
           follow_up_modes = excluded.follow_up_modes, unlisted_default = excluded.unlisted_default,
           description = excluded.description, position = excluded.position`,
        [
          lists.map((l) => l.code),
          lists.map((l) => l.name),
          lists.map((l) => l.firstModes.join('|')),
          lists.map((l) => l.followUpModes.join('|')),
          lists.map((l) => l.unlistedDefault),
          lists.map((l) => l.description),
          lists.map((l) => l.position),
        ],
      );
      await tx.query('update formulary_medicines set active = false where not (code = any($1::text[]))', [
        medicines.map((m) => m.code),
      ]);
      await tx.query(
        `insert into formulary_medicines (code, name, form, strengths, route, section, level, notes, list_code,
           list_reason, allergy_groups, active, position)
         select code, name, form, coalesce(string_to_array(nullif(strengths, ''), '||'), '{}'), route, section, level,
           notes, list_code, list_reason, coalesce(string_to_array(nullif(groups, ''), '|'), '{}'), true, position
         from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
           $9::text[], $10::text[], $11::text[], $12::int[])
           as t(code, name, form, strengths, route, section, level, notes, list_code, list_reason, groups, position)
         on conflict (code) do update set name = excluded.name, form = excluded.form, strengths = excluded.strengths,
           route = excluded.route, section = excluded.section, level = excluded.level, notes = excluded.notes,
           list_code = excluded.list_code, list_reason = excluded.list_reason,
           allergy_groups = excluded.allergy_groups, active = true, position = excluded.position`,
        [
          medicines.map((m) => m.code),
          medicines.map((m) => m.name),
          medicines.map((m) => m.form),
          medicines.map((m) => m.strengths.join('||')),
          medicines.map((m) => m.route),
          medicines.map((m) => m.section),
          medicines.map((m) => m.level),
          medicines.map((m) => m.notes),
          medicines.map((m) => m.listCode),
          medicines.map((m) => m.listReason),
          medicines.map((m) => m.allergyGroups.join('|')),
          medicines.map((m) => m.position),
        ],
      );
    });
  }

  lists(): Promise<PrescribingList[]> {
    return this.db.query<PrescribingList>(
      `select code, name, first_modes as "firstModes", follow_up_modes as "followUpModes",
         unlisted_default as "unlistedDefault", description, position
       from prescribing_lists order by position`,
    );
  }

  /** Medicines whose name starts with the query first, then those containing it; the list's order within. */
  search(query: string, limit: number): Promise<StoredMedicine[]> {
    return this.db.query<StoredMedicine>(
      `select ${MEDICINE_COLUMNS} from formulary_medicines
       where active and (lower(name) like $1 escape '\\' or lower(name) like $2 escape '\\'
         or lower(form) like $1 escape '\\')
       order by (lower(name) like $1 escape '\\') desc, name, position
       limit $3`,
      [startsWithPattern(query), containsPattern(query.toLowerCase()), limit],
    );
  }

  findMany(codes: readonly string[]): Promise<StoredMedicine[]> {
    return this.db.query<StoredMedicine>(
      `select ${MEDICINE_COLUMNS} from formulary_medicines where code = any($1::text[])`,
      [codes],
    );
  }
}

export type { FormularyMedicine, MedicineRoute, PrescribingList, PrescribingMode };
