import type { Queryable } from '../../platform/db/database.js';
import type { StateScope } from '../../platform/auth.js';
import {
  cellsOf,
  readFacility,
  readMapping,
  readPractitioner,
  type FacilityImportRow,
  type Header,
  type ImportKind,
  type MappingImportRow,
  type PractitionerImportRow,
  type ReferenceData,
} from './formats.js';
import type { ImportCount, ImportCounts, ImportRepository } from './repository.js';

/**
 * The second pass over a file that passed every check: rows are read again from the spooled
 * copy and written in batches inside the import's one transaction. Practitioners and mapping
 * lists are kept whole within a batch, since their rows are written together.
 */
export interface Writer {
  /** Rows ready to be written. */
  readonly ready: number;
  row(header: Header, fields: string[]): void;
  /** Writes the ready rows (and, at the end, the last group); returns how many rows it wrote. */
  flush(final: boolean): Promise<number>;
  readonly counts: ImportCounts;
}

const zero = (): ImportCount => ({ inserted: 0, updated: 0, unchanged: 0, retired: 0 });

function add(total: ImportCount, part: ImportCount): void {
  total.inserted += part.inserted;
  total.updated += part.updated;
  total.unchanged += part.unchanged;
  total.retired += part.retired;
}

class FacilityWriter implements Writer {
  private rows: FacilityImportRow[] = [];
  readonly counts = { facilities: zero() };

  constructor(
    private readonly tx: Queryable,
    private readonly repository: ImportRepository,
    private readonly reference: ReferenceData,
  ) {}

  get ready(): number {
    return this.rows.length;
  }

  row(header: Header, fields: string[]): void {
    this.rows.push(readFacility(cellsOf(header, fields), this.reference).row);
  }

  async flush(): Promise<number> {
    const rows = this.rows;
    this.rows = [];
    add(this.counts.facilities, await this.repository.upsertFacilities(this.tx, rows));
    return rows.length;
  }
}

/** Rows arrive in groups (one practitioner, one mapping list); a batch takes whole groups only. */
class Groups<Row> {
  private done: Row[][] = [];
  private current: Row[] = [];
  private currentKey: string | undefined;
  rows = 0;

  add(key: string, row: Row): void {
    if (key !== this.currentKey && this.current.length > 0) {
      this.done.push(this.current);
      this.rows += this.current.length;
      this.current = [];
    }
    this.currentKey = key;
    this.current.push(row);
  }

  take(final: boolean): Row[][] {
    if (final && this.current.length > 0) {
      this.done.push(this.current);
      this.current = [];
      this.currentKey = undefined;
    }
    const taken = this.done;
    this.done = [];
    this.rows = 0;
    return taken;
  }
}

class PractitionerWriter implements Writer {
  private readonly groups = new Groups<PractitionerImportRow>();
  readonly counts = { practitioners: zero(), roles: zero() };

  constructor(
    private readonly tx: Queryable,
    private readonly repository: ImportRepository,
    private readonly reference: ReferenceData,
    private readonly scope: StateScope,
  ) {}

  get ready(): number {
    return this.groups.rows;
  }

  row(header: Header, fields: string[]): void {
    const { row } = readPractitioner(cellsOf(header, fields), this.reference);
    this.groups.add(row.registryId, row);
  }

  async flush(final: boolean): Promise<number> {
    const groups = this.groups.take(final);
    const practitioners = groups.flatMap((group) => group.slice(0, 1));
    add(this.counts.practitioners, await this.repository.upsertPractitioners(this.tx, practitioners));
    const roles = groups.flatMap((group) =>
      group.flatMap((row) =>
        row.role === null
          ? []
          : [
              {
                practitioner: row.registryId,
                facility: row.role.facilityRegistryId,
                role: row.role.role,
                specialities: row.role.specialities,
              },
            ],
      ),
    );
    add(
      this.counts.roles,
      await this.repository.replaceRoles(
        this.tx,
        practitioners.map((p) => p.registryId),
        roles,
        this.scope,
      ),
    );
    return groups.reduce((sum, group) => sum + group.length, 0);
  }
}

class MappingWriter implements Writer {
  private readonly groups = new Groups<MappingImportRow>();
  readonly counts = { mappings: zero() };

  constructor(
    private readonly tx: Queryable,
    private readonly repository: ImportRepository,
    private readonly reference: ReferenceData,
    private readonly createdBy: string,
  ) {}

  get ready(): number {
    return this.groups.rows;
  }

  row(header: Header, fields: string[]): void {
    const { row } = readMapping(cellsOf(header, fields), this.reference);
    this.groups.add(`${row.spokeRegistryId}\u0000${row.specialityCode}`, row);
  }

  /** A list that is the same as now is left alone; a changed one closes the old rows and adds new. */
  async flush(final: boolean): Promise<number> {
    const groups = this.groups.take(final);
    const pairs = groups.map((group) => ({
      spoke: group[0]?.spokeRegistryId ?? '',
      speciality: group[0]?.specialityCode ?? '',
    }));
    const current = new Map(
      (await this.repository.currentMappings(this.tx, pairs)).map((m) => [`${m.spoke}\u0000${m.speciality}`, m]),
    );
    const replaced: MappingImportRow[][] = [];
    const inserted: MappingImportRow[][] = [];
    const counts = this.counts.mappings;
    for (const group of groups) {
      const first = group[0];
      if (first === undefined) continue;
      const now = current.get(`${first.spokeRegistryId}\u0000${first.specialityCode}`);
      if (now === undefined) inserted.push(group);
      else if (
        now.hubs.length === group.length &&
        group.every((row, i) => now.hubs[i] === row.hubRegistryId && now.ranks[i] === row.rank)
      ) {
        counts.unchanged += group.length;
      } else replaced.push(group);
    }
    counts.retired += await this.repository.closeMappings(
      this.tx,
      replaced.map((group) => ({ spoke: group[0]?.spokeRegistryId ?? '', speciality: group[0]?.specialityCode ?? '' })),
    );
    await this.repository.insertMappings(this.tx, [...inserted.flat(), ...replaced.flat()], this.createdBy);
    counts.inserted += inserted.reduce((sum, group) => sum + group.length, 0);
    counts.updated += replaced.reduce((sum, group) => sum + group.length, 0);
    return groups.reduce((sum, group) => sum + group.length, 0);
  }
}

export function writerFor(
  kind: ImportKind,
  tx: Queryable,
  repository: ImportRepository,
  reference: ReferenceData,
  actor: { userId: string; scope: StateScope },
): Writer {
  switch (kind) {
    case 'facilities':
      return new FacilityWriter(tx, repository, reference);
    case 'practitioners':
      return new PractitionerWriter(tx, repository, reference, actor.scope);
    case 'mappings':
      return new MappingWriter(tx, repository, reference, actor.userId);
  }
}
