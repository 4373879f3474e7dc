import { randomUUID } from 'node:crypto';
import type { Actor } from '../../platform/auth.js';
import { actingRole, assertInScope, hasAnyRole, inScope, scopeFor } from '../../platform/auth.js';
import type { Clock } from '../../platform/clock.js';
import { conflict, forbidden, invalidFields, notFound } from '../../platform/errors.js';
import type { AuditAction, AuditRecorder } from '../audit/index.js';
import type { ReferralOutcome, Urgency } from './model.js';
import type { HubSpokeRepository, ReferralRow } from './repository.js';
import { HUB_ROLES, OVERSEERS } from './service.js';

/** Who may mark a referral's progress: staff bound to the destination facility, or the state's coordinators. */
const DESTINATION_ROLES = ['hub_doctor', 'spoke_operator', 'opd_doctor', 'pharmacist'] as const;
const REFERRAL_ROLES = [...HUB_ROLES, 'spoke_operator', ...OVERSEERS] as const;

export interface ReferralView extends ReferralRow {
  overdue: boolean;
}

/**
 * Referrals to a physical facility, structured (reason, urgency, destination, summary) and
 * tracked to their end: the destination marks them received, attended and their outcome;
 * those not attended by their due time are overdue and shown to coordinators.
 */
export class ReferralService {
  constructor(
    private readonly repository: HubSpokeRepository,
    private readonly audit: AuditRecorder,
    private readonly clock: Clock,
  ) {}

  /** The doctor who has (or answered) a request refers the patient on. Idempotent by id. */
  async refer(
    actor: Actor,
    requestId: string,
    input: { id?: string | undefined; destinationId: string; reason: string; urgency: Urgency; summary: string },
  ): Promise<ReferralView> {
    if (!hasAnyRole(actor.principal, HUB_ROLES)) throw forbidden('Only the hub doctor may refer');
    const doctor = await this.repository.doctorContext(actor.principal.userId);
    const request = await this.repository.find(requestId);
    if (request === undefined || doctor === undefined || request.practitionerId !== doctor.practitionerId)
      throw notFound('Request');
    if (request.status !== 'taken' && request.status !== 'answered')
      throw conflict(`This request is ${request.status}; refer while you have it or after answering`);
    const id = input.id ?? randomUUID();
    const existing = await this.repository.referral(id);
    if (existing !== undefined) {
      if (existing.requestId !== requestId) throw conflict('This referral id is already used', 'body.id');
      return this.view(existing);
    }
    const destination = await this.repository.facility(input.destinationId);
    const issues: { field: string; message: string }[] = [];
    if (destination?.stateId !== request.stateId || !destination.active)
      issues.push({ field: 'body.destinationId', message: 'No such active facility in this state' });
    else if (destination.kind === 'pharmacy' || destination.kind === 'opd')
      issues.push({ field: 'body.destinationId', message: `${destination.name} does not receive patients in person` });
    if (input.reason.trim() === '') issues.push({ field: 'body.reason', message: 'Say why the patient is referred' });
    if (input.summary.trim() === '')
      issues.push({ field: 'body.summary', message: 'Summarise the case for the destination' });
    if (issues.length > 0) throw invalidFields(issues);
    const settings = await this.repository.settings(request.stateId);
    const now = this.clock.now();
    await this.repository.insertReferral({
      id,
      stateId: request.stateId,
      requestId,
      consultationId: request.consultationId,
      patientId: request.patientId,
      fromFacilityId: request.hubId ?? request.spokeId,
      referredBy: doctor.practitionerId,
      destinationId: input.destinationId,
      reason: input.reason.trim(),
      urgency: input.urgency,
      summary: input.summary.trim(),
      dueAt: new Date(now.getTime() + settings.referralDueDays[input.urgency] * 86_400_000),
      at: now,
    });
    await this.repository.addEvent({
      requestId,
      at: now,
      kind: 'referred',
      actorUserId: actor.principal.userId,
      practitionerId: doctor.practitionerId,
      detail: { referralId: id, destinationId: input.destinationId, urgency: input.urgency },
    });
    const row = await this.mustFind(id);
    await this.record(actor, 'create', row);
    return this.view(row);
  }

  /** Referrals coming to a facility the caller works at (or all of a state, for coordinators). */
  async incoming(actor: Actor, facilityId: string): Promise<ReferralView[]> {
    const facility = await this.repository.facility(facilityId);
    if (facility === undefined || !this.mayMark(actor, facilityId, facility.stateId)) throw notFound('Facility');
    const rows = await this.repository.referrals('f.destination_id = $1', [facilityId]);
    await this.audit.record(rows.map((r) => this.entry(actor, 'search', r)));
    return rows.map((r) => this.view(r));
  }

  /** Coordinators: every open referral past its due time in the state. */
  async overdue(actor: Actor, stateId: string): Promise<ReferralView[]> {
    assertInScope(scopeFor(actor.principal, OVERSEERS), stateId);
    const rows = await this.repository.referrals(
      `f.state_id = $1 and f.status in ('sent', 'received') and f.due_at < $2`,
      [stateId, this.clock.now()],
    );
    await this.audit.record(rows.map((r) => this.entry(actor, 'search', r)));
    return rows.map((r) => this.view(r));
  }

  async get(actor: Actor, id: string): Promise<ReferralView> {
    const row = await this.repository.referral(id);
    if (row === undefined || !(await this.maySee(actor, row))) throw notFound('Referral');
    await this.record(actor, 'read', row);
    return this.view(row);
  }

  async received(actor: Actor, id: string): Promise<ReferralView> {
    return this.advance(actor, id, ['sent'], 'received');
  }

  async attended(actor: Actor, id: string): Promise<ReferralView> {
    return this.advance(actor, id, ['sent', 'received'], 'attended');
  }

  async outcome(
    actor: Actor,
    id: string,
    input: { outcome: ReferralOutcome; note?: string | undefined },
  ): Promise<ReferralView> {
    return this.advance(actor, id, ['sent', 'received', 'attended'], 'completed', {
      outcome: input.outcome,
      note: input.note?.trim() === '' ? null : (input.note?.trim() ?? null),
    });
  }

  private async advance(
    actor: Actor,
    id: string,
    from: readonly ('sent' | 'received' | 'attended')[],
    to: 'received' | 'attended' | 'completed',
    outcome?: { outcome: ReferralOutcome; note: string | null },
  ): Promise<ReferralView> {
    const row = await this.repository.referral(id);
    if (row === undefined || !(await this.maySee(actor, row))) throw notFound('Referral');
    if (!this.mayMark(actor, row.destinationId, row.stateId))
      throw forbidden('Only the destination facility (or a coordinator) records what happened');
    const changed = await this.repository.advanceReferral(id, from, to, this.clock.now(), outcome);
    if (!changed) throw conflict(`This referral is ${row.status}; it cannot be marked ${to} now`);
    const updated = await this.mustFind(id);
    await this.record(actor, 'update', updated, { status: to, outcome: outcome?.outcome });
    return this.view(updated);
  }

  private mayMark(actor: Actor, destinationId: string, stateId: string): boolean {
    return (
      actor.principal.roles.some(
        (r) => (DESTINATION_ROLES as readonly string[]).includes(r.role) && r.facilityId === destinationId,
      ) || inScope(scopeFor(actor.principal, OVERSEERS), stateId)
    );
  }

  private async maySee(actor: Actor, row: ReferralRow): Promise<boolean> {
    if (this.mayMark(actor, row.destinationId, row.stateId)) return true;
    if (row.requestId !== null) {
      const request = await this.repository.find(row.requestId);
      if (actor.principal.roles.some((r) => r.role === 'spoke_operator' && r.facilityId === request?.spokeId))
        return true;
    }
    const doctor = hasAnyRole(actor.principal, HUB_ROLES)
      ? await this.repository.doctorContext(actor.principal.userId)
      : undefined;
    return doctor?.practitionerId === row.referredBy;
  }

  private view(row: ReferralRow): ReferralView {
    const open = row.status === 'sent' || row.status === 'received';
    return { ...row, overdue: open && row.dueAt.getTime() < this.clock.now().getTime() };
  }

  private async mustFind(id: string): Promise<ReferralRow> {
    const row = await this.repository.referral(id);
    if (row === undefined) throw notFound('Referral');
    return row;
  }

  private entry(actor: Actor, action: AuditAction, row: ReferralRow, detail?: Record<string, unknown>) {
    return {
      actorId: actor.principal.userId,
      actorRole: actingRole(actor.principal, [...REFERRAL_ROLES, ...DESTINATION_ROLES]),
      action,
      resourceType: 'Referral',
      resourceId: row.id,
      patientId: row.patientId,
      stateId: row.stateId,
      ip: actor.ip,
      detail: detail ?? null,
    };
  }

  private record(actor: Actor, action: AuditAction, row: ReferralRow, detail?: Record<string, unknown>): Promise<void> {
    return this.audit.record(this.entry(actor, action, row, detail));
  }
}
