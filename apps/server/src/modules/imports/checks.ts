import type { StateScope } from '../../platform/auth.js';
import {
  cellsOf,
  practitionerDifferences,
  readFacility,
  readMapping,
  readPractitioner,
  widthProblem,
  type Header,
  type ImportKind,
  type PractitionerImportRow,
  type Problem,
  type ReferenceData,
  type RowError,
} from './formats.js';
import type { FacilityRef, ImportRepository } from './repository.js';

/**
 * The checks of the first pass over a file, as it streams in: each row on its own (formats.ts),
 * then against the rest of the file (duplicates, grouping) with only sets of keys kept, then
 * against the database in batches (references, records of other states).
 */

/** Collects errors up to a limit and counts the rest. */
export class ErrorList {
  private readonly items: RowError[] = [];
  count = 0;

  constructor(private readonly limit: number) {}

  add(line: number, field: string, reason: string): void {
    this.count += 1;
    if (this.items.length < this.limit) this.items.push({ line, field, reason });
  }

  addAll(line: number, problems: Problem[]): void {
    for (const problem of problems) this.add(line, problem.field, problem.reason);
  }

  /** In file order (the database checks report a batch later than the row checks). */
  sorted(): RowError[] {
    return [...this.items].sort((a, b) => a.line - b.line);
  }
}

export interface Checker {
  /** Rows waiting for their database checks. */
  readonly pending: number;
  /** Rows whose checks are complete. */
  readonly checked: number;
  row(line: number, header: Header, fields: string[]): void;
  /** Runs the database checks of the waiting rows. */
  flush(): Promise<void>;
}

type Lookups = Pick<ImportRepository, 'facilitiesByRegistryId' | 'practitionersByRegistryId' | 'registrationHolders'>;

const inScope = (scope: StateScope, stateId: string) => scope.all || scope.stateIds.includes(stateId);

/*
 * The keys the checks keep for a whole file are numbers where they can be: an HFR id is IN and
 * 10 digits, an HPR id 14 digits. Besides being small, a number holds no reference to the text
 * it was read from; a string cut from a chunk of the file may keep that whole chunk alive.
 */
const hfrNumber = (registryId: string) => Number(registryId.slice(2));
const hprNumber = (registryId: string) => Number(registryId);
/** A copy of a string that shares no memory with the chunk of the file it came from. */
const detached = (text: string) => Buffer.from(text, 'utf8').toString('utf8');

/**
 * Facilities by HFR id, remembered across batches (hubs recur on every line of a mapping file).
 * When full it starts afresh, so memory stays bounded; `load` then fetches the whole batch again.
 */
export class FacilityCache {
  private readonly known = new Map<string, Pick<FacilityRef, 'stateId' | 'kind' | 'active'> | null>();
  /** One copy of each state id and kind, shared by every entry. */
  private readonly words = new Map<string, string>();

  constructor(
    private readonly lookups: Pick<Lookups, 'facilitiesByRegistryId'>,
    private readonly limit = 25_000,
  ) {}

  private word(text: string): string {
    const known = this.words.get(text);
    if (known !== undefined) return known;
    this.words.set(text, text);
    return text;
  }

  /** Makes `get` answer for every one of these ids. */
  async load(registryIds: Iterable<string>): Promise<void> {
    const wanted = [...new Set(registryIds)];
    let missing = wanted.filter((id) => !this.known.has(id));
    if (missing.length === 0) return;
    if (this.known.size + missing.length > this.limit) {
      this.known.clear();
      missing = wanted;
    }
    for (const id of missing) this.known.set(id, null);
    for (const facility of await this.lookups.facilitiesByRegistryId(missing)) {
      this.known.set(facility.registryId, {
        stateId: this.word(facility.stateId),
        kind: this.word(facility.kind),
        active: facility.active,
      });
    }
  }

  get(registryId: string): Pick<FacilityRef, 'stateId' | 'kind' | 'active'> | null {
    return this.known.get(registryId) ?? null;
  }
}

function noFacility(registryId: string): string {
  return `No facility has HFR id ${registryId}; import the facilities first`;
}

class FacilityChecker implements Checker {
  private readonly seen = new Map<number, number>();
  private batch: { line: number; registryId: string; stateId: string }[] = [];
  checked = 0;

  constructor(
    private readonly reference: ReferenceData,
    private readonly lookups: Lookups,
    private readonly errors: ErrorList,
  ) {}

  get pending(): number {
    return this.batch.length;
  }

  row(line: number, header: Header, fields: string[]): void {
    const width = widthProblem(header, fields);
    if (width !== undefined) {
      this.errors.addAll(line, [width]);
      this.checked += 1;
      return;
    }
    const { row, problems } = readFacility(cellsOf(header, fields), this.reference);
    this.errors.addAll(line, problems);
    if (row.registryId === '' || problems.some((p) => p.field === 'registry_id')) {
      this.checked += 1;
      return;
    }
    const key = hfrNumber(row.registryId);
    const first = this.seen.get(key);
    if (first !== undefined)
      this.errors.add(line, 'registry_id', `Duplicate: HFR id ${row.registryId} is also on line ${first}`);
    else this.seen.set(key, line);
    this.batch.push({ line, registryId: row.registryId, stateId: row.stateId });
  }

  async flush(): Promise<void> {
    const batch = this.batch;
    this.batch = [];
    const existing = new Map(
      (await this.lookups.facilitiesByRegistryId(batch.map((r) => r.registryId))).map((f) => [f.registryId, f]),
    );
    for (const row of batch) {
      const facility = existing.get(row.registryId);
      if (facility !== undefined && row.stateId !== '' && facility.stateId !== row.stateId) {
        this.errors.add(
          row.line,
          'state_code',
          `HFR id ${row.registryId} is a facility of state ${facility.stateId}; an import cannot move it to ${row.stateId}`,
        );
      }
    }
    this.checked += batch.length;
  }
}

class PractitionerChecker implements Checker {
  /** The line each practitioner starts on, to refuse a practitioner whose rows are apart. */
  private readonly seen = new Map<number, number>();
  private readonly registrations = new Map<string, { line: number; registryId: number }>();
  private group: { row: PractitionerImportRow; line: number; roles: Map<string, number> } | undefined;
  private practitioners: {
    line: number;
    registryId: string;
    stateId: string;
    council: string | null;
    number: string | null;
  }[] = [];
  private roles: { line: number; facility: string }[] = [];
  private rows = 0;
  private readonly facilities: FacilityCache;
  checked = 0;

  constructor(
    private readonly reference: ReferenceData,
    private readonly lookups: Lookups,
    private readonly errors: ErrorList,
  ) {
    this.facilities = new FacilityCache(lookups);
  }

  get pending(): number {
    return this.rows;
  }

  row(line: number, header: Header, fields: string[]): void {
    this.rows += 1;
    const width = widthProblem(header, fields);
    if (width !== undefined) {
      this.errors.addAll(line, [width]);
      return;
    }
    const { row, problems } = readPractitioner(cellsOf(header, fields), this.reference);
    this.errors.addAll(line, problems);
    const badKey = row.registryId === '' || problems.some((p) => p.field === 'registry_id');
    if (!badKey && this.group?.row.registryId === row.registryId) {
      const differences = practitionerDifferences(this.group.row, row);
      for (const field of differences) {
        this.errors.add(line, field, `Differs from line ${this.group.line}, a row of the same practitioner`);
      }
    } else if (!badKey) {
      const first = this.seen.get(hprNumber(row.registryId));
      if (first !== undefined) {
        this.errors.add(
          line,
          'registry_id',
          `The rows of one practitioner must follow each other; HPR id ${row.registryId} is also on line ${first}`,
        );
      } else this.seen.set(hprNumber(row.registryId), line);
      this.group = { row, line, roles: new Map() };
      if (row.registrationCouncil !== null && row.registrationNumber !== null) {
        const key = `${row.registrationCouncil}\u0000${row.registrationNumber}`;
        const holder = this.registrations.get(key);
        if (holder !== undefined && holder.registryId !== hprNumber(row.registryId)) {
          this.errors.add(
            line,
            'registration_number',
            `Duplicate: this council registration is also on line ${holder.line}, for another practitioner`,
          );
        } else if (holder === undefined) {
          this.registrations.set(detached(key), { line, registryId: hprNumber(row.registryId) });
        }
      }
      if (row.stateId !== '') {
        this.practitioners.push({
          line,
          registryId: row.registryId,
          stateId: row.stateId,
          council: row.registrationCouncil,
          number: row.registrationNumber,
        });
      }
    }
    if (row.role !== null && this.group !== undefined && !badKey) {
      const key = `${row.role.facilityRegistryId}\u0000${row.role.role}`;
      const other = this.group.roles.get(key);
      if (other !== undefined)
        this.errors.add(line, 'role', `Duplicate: this facility and role are also on line ${other}`);
      else this.group.roles.set(key, line);
    }
    if (
      row.role !== null &&
      row.role.facilityRegistryId !== '' &&
      !problems.some((p) => p.field === 'facility_registry_id')
    ) {
      this.roles.push({ line, facility: row.role.facilityRegistryId });
    }
  }

  async flush(): Promise<void> {
    const { practitioners, roles } = this;
    this.practitioners = [];
    this.roles = [];
    await this.facilities.load(roles.map((r) => r.facility));
    for (const role of roles) {
      const facility = this.facilities.get(role.facility);
      if (facility === null) this.errors.add(role.line, 'facility_registry_id', noFacility(role.facility));
      else if (!inScope(this.reference.scope, facility.stateId)) {
        this.errors.add(
          role.line,
          'facility_registry_id',
          `Facility ${role.facility} is in state ${facility.stateId}, which is not one of yours`,
        );
      }
    }
    const existing = new Map(
      (await this.lookups.practitionersByRegistryId(practitioners.map((p) => p.registryId))).map((p) => [
        p.registryId,
        p.stateId,
      ]),
    );
    const registered = practitioners.filter((p) => p.council !== null && p.number !== null);
    const holders = new Map(
      (
        await this.lookups.registrationHolders(
          registered.map((p) => ({ council: p.council ?? '', number: p.number ?? '' })),
        )
      ).map((h) => [`${h.council}\u0000${h.number}`, h.registryId]),
    );
    for (const practitioner of practitioners) {
      const stateId = existing.get(practitioner.registryId);
      if (stateId !== undefined && stateId !== practitioner.stateId) {
        this.errors.add(
          practitioner.line,
          'state_code',
          `HPR id ${practitioner.registryId} is a practitioner of state ${stateId}; an import cannot move them to ${practitioner.stateId}`,
        );
      }
      if (practitioner.council !== null && practitioner.number !== null) {
        const holder = holders.get(`${practitioner.council}\u0000${practitioner.number}`);
        if (holder !== undefined && holder !== practitioner.registryId) {
          this.errors.add(
            practitioner.line,
            'registration_number',
            `This council registration belongs to another practitioner${holder === null ? '' : ` (HPR id ${holder})`}`,
          );
        }
      }
    }
    this.checked += this.rows;
    this.rows = 0;
  }
}

class MappingChecker implements Checker {
  /** The line each spoke-and-speciality list starts on, to refuse a list whose rows are apart. */
  private readonly seen = new Map<number, number>();
  private readonly specialityIndex: Map<string, number>;
  private group: { key: string; line: number; rank: number; hubs: Map<string, number> } | undefined;
  private batch: { line: number; spoke: string; hub: string }[] = [];
  private rows = 0;
  private readonly facilities: FacilityCache;
  checked = 0;

  constructor(
    private readonly reference: ReferenceData,
    lookups: Lookups,
    private readonly errors: ErrorList,
  ) {
    this.facilities = new FacilityCache(lookups);
    this.specialityIndex = new Map([...reference.specialities].sort().map((code, i) => [code, i]));
  }

  get pending(): number {
    return this.rows;
  }

  /** A number for a spoke and speciality: the HFR digits times the number of specialities, plus one. */
  private pairNumber(spoke: string, speciality: string): number {
    return hfrNumber(spoke) * (this.specialityIndex.size + 1) + (this.specialityIndex.get(speciality) ?? 0);
  }

  row(line: number, header: Header, fields: string[]): void {
    this.rows += 1;
    const width = widthProblem(header, fields);
    if (width !== undefined) {
      this.errors.addAll(line, [width]);
      return;
    }
    const { row, problems } = readMapping(cellsOf(header, fields), this.reference);
    this.errors.addAll(line, problems);
    const bad = (field: string) => problems.some((p) => p.field === field);
    if (!bad('spoke_registry_id') && !bad('speciality_code')) {
      const key = `${row.spokeRegistryId}\u0000${row.specialityCode}`;
      if (this.group?.key !== key) {
        const pair = this.pairNumber(row.spokeRegistryId, row.specialityCode);
        const first = this.seen.get(pair);
        if (first !== undefined) {
          this.errors.add(
            line,
            'spoke_registry_id',
            `The rows of one spoke and speciality must follow each other; ${row.spokeRegistryId} with ${row.specialityCode} is also on line ${first}`,
          );
        } else this.seen.set(pair, line);
        this.group = { key, line, rank: 0, hubs: new Map() };
      }
      const group = this.group;
      group.rank += 1;
      if (!bad('rank') && row.rank !== group.rank) {
        this.errors.add(line, 'rank', `Expected rank ${group.rank} here: the ranks of a list go 1, 2, 3 ... in order`);
      }
      if (!bad('hub_registry_id')) {
        const other = group.hubs.get(row.hubRegistryId);
        if (other !== undefined) {
          this.errors.add(line, 'hub_registry_id', `Duplicate: this hub is already in the list on line ${other}`);
        } else group.hubs.set(row.hubRegistryId, line);
      }
    }
    if (!bad('spoke_registry_id') && !bad('hub_registry_id')) {
      this.batch.push({ line, spoke: row.spokeRegistryId, hub: row.hubRegistryId });
    }
  }

  async flush(): Promise<void> {
    const batch = this.batch;
    this.batch = [];
    await this.facilities.load(batch.flatMap((r) => [r.spoke, r.hub]));
    for (const row of batch) {
      const spoke = this.facilities.get(row.spoke);
      const hub = this.facilities.get(row.hub);
      if (spoke === null) this.errors.add(row.line, 'spoke_registry_id', noFacility(row.spoke));
      else if (!inScope(this.reference.scope, spoke.stateId)) {
        this.errors.add(
          row.line,
          'spoke_registry_id',
          `Spoke ${row.spoke} is in state ${spoke.stateId}, which is not one of yours`,
        );
      } else if (spoke.kind !== 'spoke') {
        this.errors.add(row.line, 'spoke_registry_id', `${row.spoke} is a ${spoke.kind}, not a spoke`);
      }
      if (hub === null) this.errors.add(row.line, 'hub_registry_id', noFacility(row.hub));
      else if (hub.kind !== 'hub')
        this.errors.add(row.line, 'hub_registry_id', `${row.hub} is a ${hub.kind}, not a hub`);
      else if (!hub.active) this.errors.add(row.line, 'hub_registry_id', `Hub ${row.hub} is not active`);
      else if (spoke !== null && hub.stateId !== spoke.stateId) {
        this.errors.add(
          row.line,
          'hub_registry_id',
          `Hub ${row.hub} is in state ${hub.stateId}; a spoke maps to hubs of its own state (${spoke.stateId})`,
        );
      }
    }
    this.checked += this.rows;
    this.rows = 0;
  }
}

export function checkerFor(kind: ImportKind, reference: ReferenceData, lookups: Lookups, errors: ErrorList): Checker {
  switch (kind) {
    case 'facilities':
      return new FacilityChecker(reference, lookups, errors);
    case 'practitioners':
      return new PractitionerChecker(reference, lookups, errors);
    case 'mappings':
      return new MappingChecker(reference, lookups, errors);
  }
}
