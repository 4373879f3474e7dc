import type { Actor } from '../../platform/auth.js';
import { actingRole } from '../../platform/auth.js';
import { forbidden } from '../../platform/errors.js';
import type { AuditRecorder } from '../audit/index.js';
import type { PatientService } from '../patients/index.js';
import { bmiOf } from './model.js';
import type { HubSpokeRepository } from './repository.js';

const TIMELINE_ROLES = ['spoke_operator', 'hub_doctor', 'opd_doctor'] as const;

/**
 * One patient's story for the person treating them now: every consultation (OPD and hub-and-
 * spoke), the spoke's requests, referrals, vitals over time and prescriptions. Only those with
 * a care relationship see it (see `HubSpokeRepository.treats`); every look, and every refusal,
 * is audited.
 */
export class TimelineService {
  constructor(
    private readonly repository: HubSpokeRepository,
    private readonly patients: Pick<PatientService, 'getForStaff'>,
    private readonly audit: AuditRecorder,
  ) {}

  async timeline(actor: Actor, patientId: string) {
    const patient = await this.patients.getForStaff(actor, patientId, TIMELINE_ROLES);
    const doctor = await this.repository.doctorContext(actor.principal.userId);
    const practitionerId = doctor?.practitionerId ?? (await this.repository.practitionerOfUser(actor.principal.userId));
    const facilityIds = actor.principal.roles.map((r) => r.facilityId).filter((id): id is string => id !== null);
    const treats = await this.repository.treats(patient.id, {
      userId: actor.principal.userId,
      practitionerId: practitionerId ?? null,
      facilityIds,
      hubIds: doctor?.hubIds ?? [],
    });
    const base = {
      actorId: actor.principal.userId,
      actorRole: actingRole(actor.principal, TIMELINE_ROLES),
      action: 'read' as const,
      resourceType: 'PatientTimeline',
      resourceId: patient.id,
      patientId: patient.id,
      stateId: patient.stateId,
      ip: actor.ip,
    };
    if (!treats) {
      await this.audit.record({ ...base, outcome: 'denied', detail: { reason: 'no care relationship' } });
      throw forbidden('Only those treating this patient may see their timeline');
    }
    const [consultations, requests, referrals, prescriptions] = await Promise.all([
      this.repository.timelineConsultations(patient.id),
      this.repository.summaries('r.patient_id = $1', [patient.id], 100),
      this.repository.referrals('f.patient_id = $1', [patient.id], 100),
      this.repository.timelinePrescriptions(patient.id),
    ]);
    await this.audit.record({ ...base, detail: { consultations: consultations.length, requests: requests.length } });
    // Vitals over time: from every consultation and every request, oldest first.
    const vitals = [
      ...consultations.map((c) => ({ at: c.startedAt, source: c.kind, vitals: c.vitals })),
      ...requests
        .filter((r) => r.consultationId === null)
        .map((r) => ({ at: r.createdAt, source: 'spoke', vitals: r.vitals })),
    ]
      .filter((v) => Object.keys(v.vitals).length > 0)
      .map((v) => ({ ...v, bmi: bmiOf(v.vitals) }))
      .sort((a, b) => a.at.getTime() - b.at.getTime());
    return { patient, consultations, requests, referrals, prescriptions, vitals };
  }
}
