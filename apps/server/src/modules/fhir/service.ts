import { randomUUID } from 'node:crypto';
import type { Bundle, CapabilityStatement, Resource } from '@medplum/fhirtypes';
import { operationOutcome } from '@sanjog/shared';
import type { Actor, StateScope } from '../../platform/auth.js';
import { scopeFor } from '../../platform/auth.js';
import type { Clock } from '../../platform/clock.js';
import { AppError, badRequest } from '../../platform/errors.js';
import { NETWORK_READERS } from '../facilities/index.js';
import type { SpecialityRow, TerminologyService } from '../terminology/index.js';
import { capabilityStatement } from './capability.js';
import { DIRECTORY_TYPES, SYSTEMS, type DirectoryType } from './constants.js';
import { includedIds, searchBundle, toResource, type Specialities } from './mappers.js';
import type { FhirRepository } from './repository.js';
import { parseSearch, type Criterion, type ParsedCriterion, type QueryValues, type Token } from './search.js';

export interface SearchContext {
  /** The absolute base of the FHIR endpoint as the client reached it, e.g. https://host/fhir/R4. */
  baseUrl: string;
  /** `Prefer: handling=lenient`: ignore unknown parameters instead of refusing them. */
  lenient: boolean;
}

export function isDirectoryType(type: string): type is DirectoryType {
  return (DIRECTORY_TYPES as readonly string[]).includes(type);
}

/** The answer for a resource type this server does not serve. */
export function unsupportedType(type: string): AppError {
  return new AppError(
    404,
    operationOutcome({
      severity: 'error',
      code: 'not-supported',
      diagnostics: `Resource type ${type} is not served here. This directory serves ${DIRECTORY_TYPES.join(', ')}.`,
    }),
  );
}

/** Resolves specialty tokens (SNOMED CT or our codes) to our speciality codes. */
export function specialityCodes(tokens: Token[], specialities: readonly SpecialityRow[]): string[] {
  const codes = new Set<string>();
  for (const token of tokens) {
    for (const speciality of specialities) {
      const bySnomed =
        (token.system === undefined || token.system === SYSTEMS.snomed) && speciality.snomedCode === token.code;
      const byOurs =
        (token.system === undefined || token.system === SYSTEMS.speciality) && speciality.code === token.code;
      if (bySnomed || byOurs) codes.add(speciality.code);
    }
  }
  return [...codes];
}

/**
 * The care network as a FHIR R4 directory (IHE mCSD): read and search of Organization, Location,
 * Practitioner, PractitionerRole and HealthcareService, limited to the caller's states.
 */
export class FhirService {
  constructor(
    private readonly repository: FhirRepository,
    private readonly terminology: Pick<TerminologyService, 'listSpecialities'>,
    private readonly clock: Clock,
    private readonly softwareVersion = '0.1.0',
  ) {}

  capabilities(baseUrl: string): CapabilityStatement {
    return capabilityStatement(baseUrl, this.softwareVersion);
  }

  private scope(actor: Actor): StateScope {
    return scopeFor(actor.principal, NETWORK_READERS);
  }

  private async specialities(): Promise<Specialities> {
    return new Map((await this.terminology.listSpecialities()).map((row) => [row.code, row]));
  }

  /** One resource; another state's resource is as absent as a missing one. */
  async read(actor: Actor, type: string, id: string): Promise<Resource> {
    if (!isDirectoryType(type)) throw unsupportedType(type);
    const [resource] = await this.fetch(type, this.scope(actor), [{ param: '_id', values: [id] }], 1);
    if (resource === undefined) {
      throw new AppError(
        404,
        operationOutcome({ severity: 'error', code: 'not-found', diagnostics: `${type}/${id} was not found` }),
      );
    }
    return resource;
  }

  async search(actor: Actor, type: string, query: QueryValues, context: SearchContext): Promise<Bundle> {
    if (!isDirectoryType(type)) throw unsupportedType(type);
    const parsed = parseSearch(type, query, { lenient: context.lenient });
    if (parsed.cursor !== undefined && !this.repository.validCursor(type, parsed.cursor)) {
      throw badRequest('_cursor is not a cursor of this search; follow the next link as given', '_cursor');
    }
    const scope = this.scope(actor);
    const specialities = await this.specialities();
    const criteria = await this.resolve(parsed.criteria);

    const page =
      parsed.count === 0
        ? { items: [], next: undefined }
        : await this.repository.page(type, scope, criteria, parsed.cursor, parsed.count);
    const total = parsed.total || parsed.count === 0 ? await this.repository.count(type, scope, criteria) : undefined;
    const matches = page.items.map((item) => toResource(type, item, specialities));

    // _include: the referenced resources the caller may see, once each, not repeating a match.
    const included: Resource[] = [];
    const seen = new Set(matches.map((resource) => `${resource.resourceType}/${resource.id ?? ''}`));
    for (const include of parsed.includes) {
      const ids = [...new Set(matches.flatMap((resource) => includedIds(resource, include.param)))].filter(
        (id) => !seen.has(`${include.target}/${id}`),
      );
      if (ids.length === 0) continue;
      for (const resource of await this.fetch(include.target, scope, [{ param: '_id', values: ids }], ids.length)) {
        seen.add(`${resource.resourceType}/${resource.id ?? ''}`);
        included.push(resource);
      }
    }

    const url = (extra: [string, string][]) => {
      const search = new URLSearchParams([...parsed.echo, ...extra]).toString();
      return `${context.baseUrl}/${type}${search === '' ? '' : `?${search}`}`;
    };
    const hasCount = parsed.echo.some(([key]) => key === '_count');
    return searchBundle({
      id: randomUUID(),
      now: this.clock.now(),
      baseUrl: context.baseUrl,
      selfUrl: url(parsed.cursor === undefined ? [] : [['_cursor', `${parsed.cursor.source}:${parsed.cursor.key}`]]),
      nextUrl:
        page.next === undefined
          ? undefined
          : url([
              ...(hasCount ? [] : ([['_count', String(parsed.count)]] as [string, string][])),
              ['_cursor', `${page.next.source}:${page.next.key}`],
            ]),
      total,
      matches,
      included,
      warnings: parsed.ignored.map((name) => `Search parameter ${name} is not supported and was ignored`),
    });
  }

  private async fetch(type: DirectoryType, scope: StateScope, criteria: Criterion[], limit: number) {
    const specialities = await this.specialities();
    const page = await this.repository.page(type, scope, criteria, undefined, limit);
    return page.items.map((item) => toResource(type, item, specialities));
  }

  private async resolve(criteria: ParsedCriterion[]): Promise<Criterion[]> {
    if (!criteria.some((criterion) => criterion.param === 'specialty')) return criteria as Criterion[];
    const specialities = await this.terminology.listSpecialities();
    return criteria.map((criterion) =>
      criterion.param === 'specialty'
        ? { param: 'specialty', codes: specialityCodes(criterion.tokens, specialities) }
        : criterion,
    );
  }
}
