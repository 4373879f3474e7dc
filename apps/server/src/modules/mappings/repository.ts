import type { Database } from '../../platform/db/database.js';

export interface MappingRow {
  id: string;
  stateId: string;
  spokeId: string;
  specialityCode: string;
  hubId: string;
  hubName: string;
  rank: number;
  validFrom: Date;
  validTo: Date | null;
}

const COLUMNS = `m.id, m.state_id as "stateId", m.spoke_id as "spokeId", m.speciality_code as "specialityCode", m.hub_id as "hubId",
  f.name as "hubName", m.rank, m.valid_from as "validFrom", m.valid_to as "validTo"`;

export class MappingRepository {
  constructor(private readonly db: Database) {}

  current(spokeId: string): Promise<MappingRow[]> {
    return this.db.query<MappingRow>(
      `select ${COLUMNS} from spoke_hub_mappings m join facilities f on f.id = m.hub_id
       where m.spoke_id = $1 and m.valid_to is null order by m.speciality_code, m.rank`,
      [spokeId],
    );
  }

  /** Every mapping the spoke ever had for a speciality, newest first (history is kept). */
  history(spokeId: string, specialityCode: string): Promise<MappingRow[]> {
    return this.db.query<MappingRow>(
      `select ${COLUMNS} from spoke_hub_mappings m join facilities f on f.id = m.hub_id
       where m.spoke_id = $1 and m.speciality_code = $2 order by m.valid_from desc, m.rank`,
      [spokeId, specialityCode],
    );
  }

  /** The ordered hubs a spoke's case of this speciality goes to, with each hub's pooled facilities. */
  async route(
    spokeId: string,
    specialityCode: string,
  ): Promise<{ mappingId: string; hubId: string; rank: number; facilityIds: string[] }[]> {
    return this.db.query(
      `select m.id as "mappingId", m.hub_id as "hubId", m.rank,
         array_prepend(m.hub_id, coalesce(array_agg(p.member_id) filter (where p.member_id is not null), '{}')) as "facilityIds"
       from spoke_hub_mappings m left join hub_pool_members p on p.hub_id = m.hub_id
       where m.spoke_id = $1 and m.speciality_code = $2 and m.valid_to is null
       group by m.id, m.hub_id, m.rank order by m.rank`,
      [spokeId, specialityCode],
    );
  }

  spokesOf(hubId: string): Promise<{ spokeId: string; spokeName: string; specialityCode: string; rank: number }[]> {
    return this.db.query(
      `select m.spoke_id as "spokeId", f.name as "spokeName", m.speciality_code as "specialityCode", m.rank
       from spoke_hub_mappings m join facilities f on f.id = m.spoke_id
       where m.hub_id = $1 and m.valid_to is null order by f.name, m.speciality_code`,
      [hubId],
    );
  }

  /**
   * Replaces the spoke's hubs for one speciality: current rows are closed (never deleted) and the
   * new order inserted, in one transaction. Returns false, changing nothing, when the order is
   * the same as now.
   */
  async replace(
    spokeId: string,
    stateId: string,
    specialityCode: string,
    hubIds: string[],
    at: Date,
    by: string,
    newId: () => string,
  ): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      const current = await tx.query<{ hubId: string }>(
        `select hub_id as "hubId" from spoke_hub_mappings where spoke_id = $1 and speciality_code = $2 and valid_to is null
         order by rank for update`,
        [spokeId, specialityCode],
      );
      if (current.length === hubIds.length && current.every((row, index) => row.hubId === hubIds[index])) return false;
      await tx.query(
        'update spoke_hub_mappings set valid_to = $3 where spoke_id = $1 and speciality_code = $2 and valid_to is null',
        [spokeId, specialityCode, at],
      );
      for (const [index, hubId] of hubIds.entries()) {
        await tx.query(
          `insert into spoke_hub_mappings (id, state_id, spoke_id, speciality_code, hub_id, rank, valid_from, created_by)
           values ($1, $2, $3, $4, $5, $6, $7, $8)`,
          [newId(), stateId, spokeId, specialityCode, hubId, index + 1, at, by],
        );
      }
      return true;
    });
  }

  /** Adds current mappings in bulk (demo data and imports); existing current rows are left alone. */
  async insertMany(
    rows: { id: string; stateId: string; spokeId: string; specialityCode: string; hubId: string; rank: number }[],
  ): Promise<void> {
    if (rows.length === 0) return;
    await this.db.query(
      `insert into spoke_hub_mappings (id, state_id, spoke_id, speciality_code, hub_id, rank)
       select * from unnest($1::uuid[], $2::text[], $3::uuid[], $4::text[], $5::uuid[], $6::int[])
       on conflict do nothing`,
      [
        rows.map((r) => r.id),
        rows.map((r) => r.stateId),
        rows.map((r) => r.spokeId),
        rows.map((r) => r.specialityCode),
        rows.map((r) => r.hubId),
        rows.map((r) => r.rank),
      ],
    );
  }
}
