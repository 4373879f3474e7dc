import type { Database } from '../../platform/db/database.js';

export interface StateRow {
  id: string;
  countryId: string;
  code: string;
  name: string;
  timeZone: string;
}

export interface DistrictRow {
  id: string;
  stateId: string;
  code: string;
  name: string;
}

const STATE_COLUMNS = `id, country_id as "countryId", code, name, time_zone as "timeZone"`;

export class GeographyRepository {
  constructor(private readonly db: Database) {}

  listStates(countryId: string): Promise<StateRow[]> {
    return this.db.query<StateRow>(`select ${STATE_COLUMNS} from states where country_id = $1 order by name`, [
      countryId,
    ]);
  }

  async findState(id: string): Promise<StateRow | undefined> {
    const [row] = await this.db.query<StateRow>(`select ${STATE_COLUMNS} from states where id = $1`, [id]);
    return row;
  }

  listDistricts(stateId: string): Promise<DistrictRow[]> {
    return this.db.query<DistrictRow>(
      `select id, state_id as "stateId", code, name from districts where state_id = $1 order by name`,
      [stateId],
    );
  }

  async findDistrict(id: string): Promise<DistrictRow | undefined> {
    const [row] = await this.db.query<DistrictRow>(
      `select id, state_id as "stateId", code, name from districts where id = $1`,
      [id],
    );
    return row;
  }

  /** Loads a country's states and districts; rows already present are left as they are. */
  async loadReference(
    country: { id: string; name: string; timeZone: string },
    states: { code: string; name: string }[],
    districts: { stateCode: string; code: string; name: string }[],
  ): Promise<void> {
    await this.db.transaction(async (tx) => {
      await tx.query(
        'insert into countries (id, name, default_time_zone) values ($1, $2, $3) on conflict (id) do nothing',
        [country.id, country.name, country.timeZone],
      );
      await tx.query(
        `insert into states (id, country_id, code, name, time_zone)
         select $1 || '-' || lpad(code, 2, '0'), $1, code, name, $2 from unnest($3::text[], $4::text[]) as s(code, name)
         on conflict (id) do nothing`,
        [country.id, country.timeZone, states.map((s) => s.code), states.map((s) => s.name)],
      );
      await tx.query(
        `insert into districts (id, state_id, code, name)
         select $1 || '-' || lpad(state_code, 2, '0') || '-' || code, $1 || '-' || lpad(state_code, 2, '0'), code, name
         from unnest($2::text[], $3::text[], $4::text[]) as d(state_code, code, name)
         on conflict (id) do nothing`,
        [country.id, districts.map((d) => d.stateCode), districts.map((d) => d.code), districts.map((d) => d.name)],
      );
    });
  }
}
