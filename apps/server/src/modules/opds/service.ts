import type { Actor, StateScope } from '../../platform/auth.js';
import { actingRole, scopeFor } from '../../platform/auth.js';
import type { Clock } from '../../platform/clock.js';
import { invalidFields, notFound } from '../../platform/errors.js';
import type { AuditRecorder } from '../audit/index.js';
import { NETWORK_READERS, NETWORK_WRITERS } from '../facilities/index.js';
import type { RosterService } from '../rosters/index.js';
import { minutesOf } from '../rosters/index.js';
import { openingStatus, overlappingSession, type OpdSession, type OpeningStatus } from './hours.js';
import type { OpdRepository, OpdRow, OpdSettings } from './repository.js';

/** Who may see OPDs: all staff of the care network, and patients choosing where to consult. */
export const OPD_VIEWERS = [...NETWORK_READERS, 'patient'] as const;
export const OPD_WRITERS = NETWORK_WRITERS;

/** The role whose practitioners staff an OPD. */
export const OPD_DOCTOR_ROLE = 'opd_doctor';

export interface OpdSearchInput {
  stateId: string;
  specialityCode?: string | undefined;
  limit: number;
  offset: number;
}

/** An OPD as it stands now: open or not, its doctors on shift and available, and its queue. */
export interface OpdView extends OpdRow, OpeningStatus {
  doctorsOnShift: number;
  doctorsAvailable: number;
  waiting: number;
  /** For a patient taking a token now; null when closed or not configured. */
  estimatedWaitMinutes: number | null;
}

/**
 * Minutes until a token is likely called: the consultations of the patients ahead, shared among
 * the doctors available (their own consultation is not part of the wait). The first in line waits
 * about nothing; for the OPD list, `ahead` is everyone waiting now (a newcomer's place).
 */
export function estimatedWaitMinutes(ahead: number, consultationMinutes: number, doctorsAvailable: number): number {
  return Math.ceil((ahead * consultationMinutes) / Math.max(1, doctorsAvailable));
}

/** Waiting patients per OPD: the queue knows them, and is wired in by the app. */
export type WaitingCounts = (opdIds: readonly string[]) => Promise<ReadonlyMap<string, number>>;

export class OpdService {
  constructor(
    private readonly repository: OpdRepository,
    private readonly rosters: Pick<RosterService, 'onShiftNow'>,
    private readonly audit: AuditRecorder,
    private readonly clock: Clock,
    private readonly waitingCounts: WaitingCounts = () => Promise.resolve(new Map()),
  ) {}

  /** Patients may see every state's OPDs; staff those of the states they serve. */
  private viewScope(actor: Actor): StateScope {
    return actor.principal.kind === 'patient' ? { all: true } : scopeFor(actor.principal, NETWORK_READERS);
  }

  /** The active, configured OPDs of a state, each with whether it is open now and its doctors on shift. */
  async list(actor: Actor, search: OpdSearchInput): Promise<{ items: OpdView[]; total: number }> {
    const page = await this.repository.list({ ...search, scope: this.viewScope(actor) });
    return { items: await this.withStatus(page.rows), total: page.total };
  }

  /** One OPD with its full settings and hours. Patients see only active, configured ones. */
  async get(actor: Actor, facilityId: string): Promise<OpdView> {
    const opd = await this.repository.find(facilityId, this.viewScope(actor));
    if (opd?.kind !== 'opd') throw notFound('OPD');
    if (actor.principal.kind === 'patient' && (opd.settings === null || !opd.active)) throw notFound('OPD');
    const [view] = await this.withStatus([opd]);
    if (view === undefined) throw notFound('OPD');
    return view;
  }

  /**
   * An OPD as it stands now, for a module that has already authorised the caller (the queue
   * checks that a doctor works there, or that a patient owns the token).
   */
  async view(facilityId: string): Promise<OpdView> {
    const opd = await this.repository.find(facilityId, { all: true });
    if (opd?.kind !== 'opd') throw notFound('OPD');
    const [view] = await this.withStatus([opd]);
    if (view === undefined) throw notFound('OPD');
    return view;
  }

  /** Whether an OPD is open at `at` (default now) in its state's time zone, and its current or next session. */
  async openNow(facilityId: string, at: Date = this.clock.now()): Promise<OpeningStatus> {
    const opd = await this.repository.find(facilityId, { all: true });
    if (opd?.kind !== 'opd') throw notFound('OPD');
    return openingStatus(opd.hours, at, opd.timeZone);
  }

  async saveSettings(actor: Actor, facilityId: string, settings: OpdSettings): Promise<OpdView> {
    const opd = await this.writableOpd(actor, facilityId);
    if (settings.specialityCode !== null && !(await this.repository.specialityExists(settings.specialityCode))) {
      throw invalidFields([
        { field: 'body.specialityCode', message: `There is no speciality with code ${settings.specialityCode}` },
      ]);
    }
    const languages = [...new Set(settings.languages)];
    const created = await this.repository.saveSettings(opd.id, { ...settings, languages });
    await this.audit.record({
      actorId: actor.principal.userId,
      actorRole: actingRole(actor.principal, OPD_WRITERS),
      action: created ? 'create' : 'update',
      resourceType: 'OpdSettings',
      resourceId: opd.id,
      stateId: opd.stateId,
      ip: actor.ip,
      detail: { ...settings, languages },
    });
    return this.get(actor, opd.id);
  }

  /** Replaces the OPD's weekly opening hours (local time of its state; several sessions a day allowed). */
  async replaceHours(actor: Actor, facilityId: string, sessions: readonly OpdSession[]): Promise<OpdView> {
    const opd = await this.writableOpd(actor, facilityId);
    const problems: { field: string; message: string }[] = [];
    sessions.forEach((session, index) => {
      if (minutesOf(session.closesAt) <= minutesOf(session.opensAt)) {
        problems.push({
          field: `body.sessions.${index}.closesAt`,
          message: 'A session closes after it opens, on the same day (use 24:00 for midnight)',
        });
      }
    });
    const overlap = problems.length === 0 ? overlappingSession(sessions) : undefined;
    if (overlap !== undefined) {
      problems.push({
        field: `body.sessions.${overlap.index}`,
        message: `Session ${overlap.index} overlaps session ${overlap.other} on the same day`,
      });
    }
    if (problems.length > 0) throw invalidFields(problems);
    const removed = await this.repository.replaceHours(opd.id, sessions);
    await this.audit.record({
      actorId: actor.principal.userId,
      actorRole: actingRole(actor.principal, OPD_WRITERS),
      action: 'update',
      resourceType: 'OpdHours',
      resourceId: opd.id,
      stateId: opd.stateId,
      ip: actor.ip,
      detail: { sessions: sessions.length, removed },
    });
    return this.get(actor, opd.id);
  }

  /** An OPD the caller may change: in their states (else 404), and an OPD (else 400). */
  private async writableOpd(actor: Actor, facilityId: string): Promise<OpdRow> {
    const facility = await this.repository.find(facilityId, scopeFor(actor.principal, OPD_WRITERS));
    if (facility === undefined) throw notFound('Facility');
    if (facility.kind !== 'opd') {
      throw invalidFields([
        { field: 'params.facilityId', message: `This facility is a ${facility.kind}, not an online OPD` },
      ]);
    }
    return facility;
  }

  /** Adds opening status and doctors on shift: one roster lookup for all the OPDs. */
  private async withStatus(rows: readonly OpdRow[]): Promise<OpdView[]> {
    const now = this.clock.now();
    const ids = rows.map((row) => row.id);
    const [onShift, waiting] = await Promise.all([
      this.rosters.onShiftNow(ids, now, { role: OPD_DOCTOR_ROLE }),
      this.waitingCounts(ids),
    ]);
    return rows.map((row) => {
      const here = onShift.filter((p) => p.facilityId === row.id);
      const opening = openingStatus(row.hours, now, row.timeZone);
      const doctorsAvailable = here.filter((p) => p.status === 'available').length;
      const waitingHere = waiting.get(row.id) ?? 0;
      return {
        ...row,
        ...opening,
        doctorsOnShift: here.length,
        doctorsAvailable,
        waiting: waitingHere,
        estimatedWaitMinutes:
          opening.openNow && row.settings !== null
            ? estimatedWaitMinutes(waitingHere, row.settings.consultationMinutes, doctorsAvailable)
            : null,
      };
    });
  }
}
