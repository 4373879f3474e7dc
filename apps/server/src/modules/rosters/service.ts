import { randomUUID } from 'node:crypto';
import type { Actor, StateScope } from '../../platform/auth.js';
import { actingRole, assertInScope, hasAnyRole, scopeFor } from '../../platform/auth.js';
import type { Clock } from '../../platform/clock.js';
import { conflict, invalidFields, notFound } from '../../platform/errors.js';
import type { AuditAction, AuditRecorder } from '../audit/index.js';
import { NETWORK_WRITERS } from '../facilities/index.js';
import type {
  AvailabilityStatus,
  ExceptionKind,
  ExceptionRow,
  PractitionerRef,
  RosterLine,
  RosterRepository,
  ShiftRow,
} from './repository.js';
import { addDays, coveringShifts, findOverlap, minutesOf, shiftStretch, type WeeklyShift } from './schedule.js';

/** Who may read any roster of their states; a practitioner may always read their own. */
export const ROSTER_READERS = ['coordinator', 'state_admin', 'national_admin'] as const;
/** Who may change rosters: the same as who may change the care network. */
export const ROSTER_WRITERS = NETWORK_WRITERS;
/** Who set their own availability. */
export const AVAILABILITY_ROLES = ['hub_doctor', 'opd_doctor'] as const;

const MAX_SHIFTS_PER_FACILITY = 50;

export interface ShiftInput {
  weekday: number;
  startsAt: string;
  endsAt: string;
  validFrom?: string | null | undefined;
  validTo?: string | null | undefined;
}

export interface NewException {
  id?: string | undefined;
  kind: ExceptionKind;
  practitionerId?: string | undefined;
  stateId?: string | undefined;
  date: string;
  note?: string | null | undefined;
}

export interface ExceptionSearch {
  stateId?: string | undefined;
  practitionerId?: string | undefined;
  kind?: ExceptionKind | undefined;
  from?: string | undefined;
  to?: string | undefined;
  limit: number;
}

/** A doctor's availability as others see it, and what they set themselves. */
export interface AvailabilityView {
  practitionerId: string;
  /** The effective status: `off_shift` whenever the roster says so, else what they set (default available). */
  status: AvailabilityStatus;
  onShift: boolean;
  /** What they last set, if anything; it counts only within the stretch of shifts it was set in. */
  setStatus: AvailabilityStatus | null;
  setAt: Date | null;
  /** The end of the current stretch of back-to-back shifts, when on shift. */
  shiftEndsAt: Date | null;
}

/** A practitioner on shift at a facility at some instant. */
export interface OnShift {
  facilityId: string;
  practitionerId: string;
  /** Effective status: 'available', 'break', or 'off_shift' when they said they are off. */
  status: AvailabilityStatus;
}

/**
 * The status that counts: off shift when the roster says so; else what the doctor set during
 * the current stretch of shifts. A status set before the stretch began does not carry over, so a
 * "break" forgotten yesterday does not hide a doctor today.
 */
export function effectiveStatus(
  stretch: { start: Date; end: Date } | undefined,
  setStatus: AvailabilityStatus | null,
  setAt: Date | null,
): AvailabilityStatus {
  if (stretch === undefined) return 'off_shift';
  if (setStatus === null || setAt === null || setAt < stretch.start) return 'available';
  return setStatus;
}

export class RosterService {
  constructor(
    private readonly repository: RosterRepository,
    private readonly audit: AuditRecorder,
    private readonly clock: Clock,
  ) {}

  private readScope(actor: Actor): StateScope {
    return scopeFor(actor.principal, ROSTER_READERS);
  }

  private writeScope(actor: Actor): StateScope {
    return scopeFor(actor.principal, ROSTER_WRITERS);
  }

  /** A practitioner the caller may read the roster of: in their states, or themself. Else 404. */
  private async readablePractitioner(actor: Actor, id: string): Promise<PractitionerRef> {
    const practitioner = await this.repository.findPractitioner(id, this.readScope(actor), actor.principal.userId);
    if (practitioner === undefined) throw notFound('Practitioner');
    return practitioner;
  }

  private async writablePractitioner(actor: Actor, id: string): Promise<PractitionerRef> {
    const practitioner = await this.repository.findPractitioner(id, this.writeScope(actor));
    if (practitioner === undefined) throw notFound('Practitioner');
    return practitioner;
  }

  async listShifts(actor: Actor, practitionerId: string, facilityId?: string): Promise<ShiftRow[]> {
    await this.readablePractitioner(actor, practitionerId);
    return this.repository.listShifts(practitionerId, facilityId);
  }

  /**
   * Replaces a practitioner's weekly shifts at one facility with `shifts` (an empty list removes
   * them all). The facility must be in the practitioner's state: its time zone and holidays apply.
   */
  async replaceShifts(
    actor: Actor,
    practitionerId: string,
    facilityId: string,
    input: readonly ShiftInput[],
  ): Promise<ShiftRow[]> {
    const practitioner = await this.writablePractitioner(actor, practitionerId);
    const facility = await this.repository.findFacility(facilityId);
    if (facility?.stateId !== practitioner.stateId) {
      throw invalidFields([
        { field: 'body.facilityId', message: `No facility with this id in state ${practitioner.stateId}` },
      ]);
    }
    if (!facility.active && input.length > 0) {
      throw invalidFields([{ field: 'body.facilityId', message: 'The facility is inactive' }]);
    }
    const shifts: WeeklyShift[] = input.map((s) => ({
      weekday: s.weekday,
      startsAt: s.startsAt,
      endsAt: s.endsAt,
      validFrom: s.validFrom ?? null,
      validTo: s.validTo ?? null,
    }));
    const problems: { field: string; message: string }[] = [];
    if (shifts.length > MAX_SHIFTS_PER_FACILITY) {
      problems.push({ field: 'body.shifts', message: `At most ${MAX_SHIFTS_PER_FACILITY} shifts per facility` });
    }
    shifts.forEach((shift, index) => {
      if (minutesOf(shift.startsAt) === minutesOf(shift.endsAt)) {
        problems.push({ field: `body.shifts.${index}.endsAt`, message: 'A shift cannot end when it starts' });
      }
      if (shift.validFrom !== null && shift.validTo !== null && shift.validTo < shift.validFrom) {
        problems.push({ field: `body.shifts.${index}.validTo`, message: 'validTo is before validFrom' });
      }
    });
    const overlap = problems.length === 0 ? findOverlap(shifts) : undefined;
    if (overlap !== undefined) {
      problems.push({
        field: `body.shifts.${overlap[1]}`,
        message: `Shift ${overlap[1]} overlaps shift ${overlap[0]}`,
      });
    }
    if (problems.length > 0) throw invalidFields(problems);

    const removed = await this.repository.replaceShifts(
      practitioner.id,
      facility.id,
      facility.stateId,
      shifts.map((shift) => ({ ...shift, id: randomUUID() })),
    );
    await this.record(actor, 'update', practitioner, { facilityId, shifts: shifts.length, removed });
    return this.repository.listShifts(practitioner.id, facility.id);
  }

  async deleteShift(actor: Actor, shiftId: string): Promise<void> {
    const shift = await this.repository.findShift(shiftId, this.writeScope(actor));
    if (shift === undefined || !(await this.repository.deleteShift(shiftId))) throw notFound('Shift');
    await this.record(
      actor,
      'delete',
      { id: shift.practitionerId, stateId: shift.stateId },
      {
        facilityId: shift.facilityId,
        shiftId,
      },
    );
  }

  /**
   * Leave and holidays. With a practitioner: their leave and their state's holidays (they may
   * read their own). Else a state's, within the caller's states.
   */
  async listExceptions(actor: Actor, search: ExceptionSearch): Promise<ExceptionRow[]> {
    if (search.practitionerId !== undefined) {
      const practitioner = await this.readablePractitioner(actor, search.practitionerId);
      return this.repository.listExceptions({
        ...search,
        stateId: practitioner.stateId,
        scope: { all: true },
      });
    }
    if (search.stateId === undefined) {
      throw invalidFields([{ field: 'querystring.stateId', message: 'Give a stateId or a practitionerId' }]);
    }
    return this.repository.listExceptions({ ...search, scope: this.readScope(actor) });
  }

  async addException(actor: Actor, input: NewException): Promise<{ exception: ExceptionRow; created: boolean }> {
    const scope = this.writeScope(actor);
    let stateId: string;
    if (input.kind === 'leave') {
      if (input.practitionerId === undefined) {
        throw invalidFields([{ field: 'body.practitionerId', message: 'Leave is of a practitioner' }]);
      }
      const practitioner = await this.writablePractitioner(actor, input.practitionerId);
      if (input.stateId !== undefined && input.stateId !== practitioner.stateId) {
        throw invalidFields([{ field: 'body.stateId', message: "Leave goes in the practitioner's own state" }]);
      }
      stateId = practitioner.stateId;
    } else {
      if (input.practitionerId !== undefined) {
        throw invalidFields([{ field: 'body.practitionerId', message: 'A holiday is of a whole state' }]);
      }
      if (input.stateId === undefined) {
        throw invalidFields([{ field: 'body.stateId', message: 'A holiday is of a state' }]);
      }
      if (!(await this.repository.stateExists(input.stateId))) {
        throw invalidFields([{ field: 'body.stateId', message: `There is no state ${input.stateId}` }]);
      }
      assertInScope(scope, input.stateId);
      stateId = input.stateId;
    }
    const wanted: ExceptionRow = {
      id: input.id ?? randomUUID(),
      stateId,
      practitionerId: input.kind === 'leave' ? (input.practitionerId ?? null) : null,
      onDate: input.date,
      kind: input.kind,
      note: input.note?.trim() ?? null,
    };
    if (input.id !== undefined) {
      // A retry of a create that went through answers with the first result.
      const existing = await this.repository.findException(input.id, scope);
      if (existing !== undefined) {
        const same =
          existing.kind === wanted.kind &&
          existing.stateId === wanted.stateId &&
          existing.practitionerId === wanted.practitionerId &&
          existing.onDate === wanted.onDate;
        if (!same) throw conflict('A different leave or holiday already has this id', 'body.id');
        return { exception: existing, created: false };
      }
    }
    if ((await this.repository.findSameException(wanted)) !== undefined) {
      throw conflict(
        wanted.kind === 'leave'
          ? `The practitioner is already on leave on ${wanted.onDate}`
          : `${wanted.onDate} is already a holiday in ${wanted.stateId}`,
        'body.date',
      );
    }
    if (!(await this.repository.insertException(wanted))) {
      throw conflict('This id is already used by a record you cannot see', 'body.id');
    }
    await this.audit.record({
      actorId: actor.principal.userId,
      actorRole: actingRole(actor.principal, ROSTER_WRITERS),
      action: 'create',
      resourceType: 'RosterException',
      resourceId: wanted.id,
      stateId,
      ip: actor.ip,
      detail: { kind: wanted.kind, practitionerId: wanted.practitionerId, date: wanted.onDate },
    });
    return { exception: wanted, created: true };
  }

  async removeException(actor: Actor, id: string): Promise<void> {
    const exception = await this.repository.findException(id, this.writeScope(actor));
    if (exception === undefined || !(await this.repository.deleteException(id))) throw notFound('Leave or holiday');
    await this.audit.record({
      actorId: actor.principal.userId,
      actorRole: actingRole(actor.principal, ROSTER_WRITERS),
      action: 'delete',
      resourceType: 'RosterException',
      resourceId: id,
      stateId: exception.stateId,
      ip: actor.ip,
      detail: { kind: exception.kind, practitionerId: exception.practitionerId, date: exception.onDate },
    });
  }

  /** The signed-in doctor's availability now. */
  async myAvailability(actor: Actor): Promise<AvailabilityView> {
    return this.availabilityOf(await this.me(actor), this.clock.now());
  }

  /** The signed-in doctor says they are available, on a break, or off. */
  async setMyAvailability(actor: Actor, status: AvailabilityStatus): Promise<AvailabilityView> {
    const practitioner = await this.me(actor);
    const now = this.clock.now();
    await this.repository.setAvailability(practitioner.id, status, now);
    await this.audit.record({
      actorId: actor.principal.userId,
      actorRole: actingRole(actor.principal, AVAILABILITY_ROLES),
      action: 'update',
      resourceType: 'PractitionerAvailability',
      resourceId: practitioner.id,
      stateId: practitioner.stateId,
      ip: actor.ip,
      detail: { status },
    });
    return this.availabilityOf(practitioner, now);
  }

  /**
   * The practitioners on shift at `at` at any of `facilityIds` (with an active role there, of
   * `role` when given), with their effective status. Two queries in all.
   */
  async onShiftNow(
    facilityIds: readonly string[],
    at: Date = this.clock.now(),
    options: { role?: string } = {},
  ): Promise<OnShift[]> {
    const lines = await this.repository.rosterLines(facilityIds, options.role);
    if (lines.length === 0) return [];
    const byPractitioner = new Map<string, RosterLine[]>();
    for (const line of lines) {
      const list = byPractitioner.get(line.practitionerId) ?? [];
      list.push(line);
      byPractitioner.set(line.practitionerId, list);
    }
    const daysOff = await this.daysOffAround(
      [...byPractitioner.keys()],
      [...new Set(lines.map((line) => line.stateId))],
      at,
    );
    const result: OnShift[] = [];
    for (const [practitionerId, shifts] of byPractitioner) {
      const first = shifts[0];
      if (first === undefined) continue;
      const facilitiesNow = new Set<string>();
      let stretch: { start: Date; end: Date } | undefined;
      // Shifts are judged in the time zone, and against the holidays, of their facility's state.
      for (const [stateId, timeZone] of new Map(shifts.map((s) => [s.stateId, s.timeZone]))) {
        const inState = shifts.filter((s) => s.stateId === stateId);
        const off = daysOff.filter((d) =>
          d.kind === 'leave' ? d.practitionerId === practitionerId : d.stateId === stateId,
        );
        const covering = coveringShifts(
          inState.filter((s) => s.atAskedFacility),
          off,
          at,
          timeZone,
        );
        if (covering.length === 0) continue;
        for (const occurrence of covering) facilitiesNow.add(occurrence.shift.facilityId);
        stretch ??= shiftStretch(inState, off, at, timeZone);
      }
      if (facilitiesNow.size === 0) continue;
      const status = effectiveStatus(stretch, first.setStatus, first.setAt);
      for (const facilityId of facilitiesNow) result.push({ facilityId, practitionerId, status });
    }
    return result;
  }

  /** The practitioners effectively available at `at` at any of `facilityIds` (for queue routing). */
  async availableNow(facilityIds: readonly string[], at: Date = this.clock.now()): Promise<string[]> {
    const onShift = await this.onShiftNow(facilityIds, at);
    return [...new Set(onShift.filter((p) => p.status === 'available').map((p) => p.practitionerId))];
  }

  private async me(actor: Actor): Promise<PractitionerRef> {
    const practitioner = hasAnyRole(actor.principal, AVAILABILITY_ROLES)
      ? await this.repository.findPractitionerByUser(actor.principal.userId)
      : undefined;
    if (practitioner === undefined) throw notFound('A practitioner record linked to your account');
    return practitioner;
  }

  private async availabilityOf(practitioner: PractitionerRef, at: Date): Promise<AvailabilityView> {
    const [shifts, set] = await Promise.all([
      this.repository.listShifts(practitioner.id),
      this.repository.availability(practitioner.id),
    ]);
    const daysOff = await this.daysOffAround([practitioner.id], [practitioner.stateId], at);
    const stretch = practitioner.active
      ? shiftStretch(
          shifts.filter((s) => s.stateId === practitioner.stateId),
          daysOff,
          at,
          practitioner.timeZone,
        )
      : undefined;
    return {
      practitionerId: practitioner.id,
      status: effectiveStatus(stretch, set?.status ?? null, set?.changedAt ?? null),
      onShift: stretch !== undefined,
      setStatus: set?.status ?? null,
      setAt: set?.changedAt ?? null,
      shiftEndsAt: stretch?.end ?? null,
    };
  }

  /**
   * Leave and holidays near `at`: local dates anywhere are within a day of the UTC date, a shift
   * may have started the day before, and a stretch of back-to-back shifts may run a week ahead.
   */
  private daysOffAround(practitionerIds: string[], stateIds: string[], at: Date): Promise<ExceptionRow[]> {
    const utcDate = at.toISOString().slice(0, 10);
    return this.repository.daysOff(practitionerIds, stateIds, addDays(utcDate, -9), addDays(utcDate, 9));
  }

  private record(
    actor: Actor,
    action: AuditAction,
    practitioner: { id: string; stateId: string },
    detail: Record<string, unknown>,
  ): Promise<void> {
    return this.audit.record({
      actorId: actor.principal.userId,
      actorRole: actingRole(actor.principal, ROSTER_WRITERS),
      action,
      resourceType: 'Roster',
      resourceId: practitioner.id,
      stateId: practitioner.stateId,
      ip: actor.ip,
      detail,
    });
  }
}
