import { randomUUID } from 'node:crypto';
import { operationOutcome, type Role } from '@sanjog/shared';
import type { Actor } from '../../platform/auth.js';
import { actingRole, assertInScope, hasAnyRole, inScope, scopeFor } from '../../platform/auth.js';
import type { Clock } from '../../platform/clock.js';
import { AppError, conflict, forbidden, invalidFields, notFound, unprocessable } from '../../platform/errors.js';
import type { AuditAction, AuditRecorder } from '../audit/index.js';
import {
  checkVitals,
  codeComplaints,
  compactVitals,
  type ComplaintEntry,
  type ConsultationService,
  type RecordInput,
  type Vitals,
} from '../consultations/index.js';
import type { PatientRow, PatientService } from '../patients/index.js';
import type { TerminologyService } from '../terminology/index.js';
import {
  ageOf,
  bmiOf,
  missingEssentials,
  nameSimilarity,
  redFlagsOf,
  RED_FLAGS,
  triage,
  type DeclineReason,
  type PregnancyStatus,
  type RedFlagFinding,
  type RequestMode,
  type RequestStatus,
  type TriageRule,
  type TriageSuggestion,
  type Urgency,
} from './model.js';
import type {
  DoctorContext,
  DraftFields,
  EventRow,
  HubSpokeRepository,
  HubSpokeSettings,
  InviteRow,
  RequestRow,
  RequestSummary,
} from './repository.js';

export const SPOKE_ROLES = ['spoke_operator'] as const;
export const HUB_ROLES = ['hub_doctor'] as const;
/** Who oversees a state's requests: alerts, every request, the figures. */
export const OVERSEERS = ['coordinator', 'state_admin', 'national_admin'] as const;
export const RULE_WRITERS = ['state_admin', 'national_admin'] as const;
export const RULE_READERS = ['spoke_operator', 'hub_doctor', 'coordinator', 'state_admin', 'national_admin'] as const;
const ALL_ROLES: readonly Role[] = [...SPOKE_ROLES, ...HUB_ROLES, ...OVERSEERS];

/** How long routing trusts what it learnt of a hub pool's availability. */
const AVAILABILITY_MEMORY_MS = 30_000;

/** After this long a follow-up waiting for its own doctor may be taken by another of the hub. */
export const PREFERENCE_MINUTES = 30;
const MAX_TEXT = 5000;

export interface HubSpokeEvents {
  publish(topic: string, message: unknown): Promise<void>;
}
export const hubTopic = (hubId: string) => `hubspoke.hub.${hubId}`;
export const spokeTopic = (spokeId: string) => `hubspoke.spoke.${spokeId}`;
export const coordinatorTopic = (stateId: string) => `hubspoke.coordinators.${stateId}`;

/** How routing finds hubs and doctors: ports onto the mappings and rosters modules. */
export interface RoutingPorts {
  route(spokeId: string, specialityCode: string): Promise<{ hubId: string; rank: number; facilityIds: string[] }[]>;
  availableNow(facilityIds: string[]): Promise<string[]>;
}

export interface DraftInput {
  mode?: RequestMode | undefined;
  complaints?:
    | {
        code: string;
        duration?: { value: number; unit: 'hours' | 'days' | 'weeks' | 'months' | 'years' } | undefined;
        severity?: 'mild' | 'moderate' | 'severe' | undefined;
        note?: string | undefined;
      }[]
    | undefined;
  complaintText?: string | null | undefined;
  history?: string | null | undefined;
  vitals?: Vitals | undefined;
  pregnancy?: PregnancyStatus | null | undefined;
  specialityCode?: string | null | undefined;
  urgency?: Urgency | null | undefined;
}

export interface RequestView extends RequestSummary {
  age: number | null;
  bmi: number | null;
  redFlagFindings: RedFlagFinding[];
  triage: TriageSuggestion;
  missing: { field: string; message: string }[];
  events: EventRow[];
  attachments: Awaited<ReturnType<HubSpokeRepository['attachments']>>;
  invites: InviteRow[];
}

const trimmed = (text: string | null | undefined): string | null | undefined =>
  text === undefined ? undefined : text === null || text.trim() === '' ? null : text.trim();

/**
 * Hub-and-spoke teleconsultation: the spoke finds or registers the patient, records consent,
 * vitals and complaints; triage suggests the speciality and urgency from the state's rules;
 * the request is sent only when complete, routed to the spoke's mapped hubs, handed to one
 * doctor of the hub's pool, overflowed, re-routed, answered, rated and followed up.
 */
export class HubSpokeService {
  private readonly availability = new Map<string, { at: number; available: boolean }>();

  constructor(
    private readonly repository: HubSpokeRepository,
    private readonly patients: Pick<PatientService, 'register' | 'getForStaff'>,
    private readonly consultations: Pick<ConsultationService, 'start' | 'complete' | 'notHappened'>,
    private readonly terminology: Pick<TerminologyService, 'complaint' | 'speciality'>,
    private readonly routing: RoutingPorts,
    private readonly events: HubSpokeEvents,
    private readonly audit: AuditRecorder,
    private readonly clock: Clock,
  ) {}

  // ---- Patients at the spoke -------------------------------------------------------------------

  /**
   * Finds a patient before registering again: exact matches by ABHA number or address, or mobile,
   * and likely duplicates by a similar name near the year of birth (the same village counts more).
   */
  async findPatients(
    actor: Actor,
    query: {
      abhaNumber?: string | undefined;
      abhaAddress?: string | undefined;
      mobile?: string | undefined;
      name?: string | undefined;
      birthYear?: number | undefined;
      village?: string | undefined;
    },
  ) {
    const scope = scopeFor(actor.principal, ALL_ROLES);
    const exact: { patient: PatientRow; matchedBy: string }[] = [];
    for (const [kind, value] of [
      ['abha_number', query.abhaNumber?.replace(/\D/g, '')],
      ['abha_address', query.abhaAddress?.trim().toLowerCase()],
    ] as const) {
      if (value === undefined || value === '') continue;
      const id = await this.repository.patientByIdentifier(kind, value);
      if (id === undefined) continue;
      try {
        exact.push({ patient: await this.patients.getForStaff(actor, id, ALL_ROLES), matchedBy: kind });
      } catch {
        // Another state's patient: not shown.
      }
    }
    const candidates = await this.repository.duplicateCandidates(
      scope,
      { mobile: query.mobile, name: query.name, birthYear: query.birthYear, village: query.village },
      100,
    );
    const exactIds = new Set(exact.map((e) => e.patient.id));
    const scored = candidates
      .filter((c) => !exactIds.has(c.id))
      .map((c) => {
        const reasons: string[] = [];
        let score = 0;
        if (query.mobile !== undefined && c.mobile === query.mobile) {
          score += 0.5;
          reasons.push('same mobile');
        }
        if (query.name !== undefined) {
          const similarity = nameSimilarity(query.name, c.name);
          if (similarity >= 0.5) {
            score += similarity * 0.4;
            reasons.push(similarity > 0.95 ? 'same name' : 'similar name');
          }
        }
        if (query.birthYear !== undefined && c.birthYear !== null && Math.abs(c.birthYear - query.birthYear) <= 2) {
          score += 0.15;
          reasons.push(c.birthYear === query.birthYear ? 'same year of birth' : 'close year of birth');
        }
        if (query.village !== undefined && c.village?.toLowerCase() === query.village.trim().toLowerCase()) {
          score += 0.15;
          reasons.push('same village');
        }
        return { candidate: c, score: Math.round(Math.min(1, score) * 100) / 100, reasons };
      })
      .filter((s) => s.score >= 0.45)
      .sort((a, b) => b.score - a.score)
      .slice(0, 10);
    const ids = await this.repository.identifiers([
      ...exact.map((e) => e.patient.id),
      ...scored.map((s) => s.candidate.id),
    ]);
    await this.audit.record(
      [...exact.map((e) => e.patient), ...scored.map((s) => s.candidate)].map((p) => ({
        actorId: actor.principal.userId,
        actorRole: actingRole(actor.principal, ALL_ROLES),
        action: 'search' as const,
        resourceType: 'Patient',
        resourceId: p.id,
        patientId: p.id,
        stateId: p.stateId,
        ip: actor.ip,
        detail: { purpose: 'find before register' },
      })),
    );
    return {
      matches: exact.map((e) => ({ ...e.patient, ...ids.get(e.patient.id), matchedBy: e.matchedBy })),
      likely: scored.map((s) => ({ ...s.candidate, ...ids.get(s.candidate.id), score: s.score, reasons: s.reasons })),
    };
  }

  /** Registers with the minimum (name, sex, age or year of birth); ABHA ids are kept when given. Idempotent by id. */
  async registerPatient(
    actor: Actor,
    input: {
      id?: string | undefined;
      spokeId?: string | undefined;
      name: string;
      sex: 'female' | 'male' | 'other' | 'unknown';
      birthYear?: number | undefined;
      age?: number | undefined;
      mobile?: string | undefined;
      village?: string | undefined;
      abhaNumber?: string | undefined;
      abhaAddress?: string | undefined;
    },
  ): Promise<{ patient: PatientRow & { abhaNumber?: string; abhaAddress?: string }; created: boolean }> {
    const spoke = await this.spokeOf(actor, input.spokeId);
    const abhaNumber = input.abhaNumber?.replace(/\D/g, '');
    const abhaAddress = input.abhaAddress?.trim().toLowerCase();
    const issues: { field: string; message: string }[] = [];
    if (abhaNumber !== undefined && abhaNumber.length !== 14)
      issues.push({ field: 'body.abhaNumber', message: 'An ABHA number has 14 digits' });
    if (input.birthYear === undefined && input.age === undefined)
      issues.push({ field: 'body.birthYear', message: 'Give the year of birth or the age' });
    if (issues.length > 0) throw invalidFields(issues);
    const identifiers = [
      ['abha_number', abhaNumber, 'body.abhaNumber'],
      ['abha_address', abhaAddress, 'body.abhaAddress'],
    ] as const;
    for (const [kind, value, field] of identifiers) {
      if (value === undefined) continue;
      const holder = await this.repository.patientByIdentifier(kind, value);
      if (holder !== undefined && holder !== input.id)
        throw conflict(`This ${kind.replace('_', ' ')} belongs to a registered patient; find them instead`, field);
    }
    const year = input.birthYear ?? new Date(this.clock.now().getTime()).getUTCFullYear() - (input.age ?? 0);
    // The patient and their ABHA ids are written in one transaction: a registration that loses a
    // race for the same ABHA id (the check above passed for both) creates nothing and answers 409.
    const { patient, created } = await this.patients.register(
      actor,
      {
        id: input.id,
        stateId: spoke.stateId,
        districtId: spoke.districtId,
        name: input.name,
        sex: input.sex,
        birthYear: year,
        mobile: input.mobile ?? null,
        village: input.village?.trim() ?? null,
      },
      async (tx, patientId) => {
        for (const [kind, value, field] of identifiers) {
          if (value === undefined) continue;
          if (!(await this.repository.addIdentifier(patientId, kind, value, tx)))
            throw conflict(`This ${kind.replace('_', ' ')} belongs to a registered patient; find them instead`, field);
        }
      },
    );
    return { patient: { ...patient, ...(await this.repository.identifiers([patient.id])).get(patient.id) }, created };
  }

  /** Records the patient's consent to teleconsultation at this spoke. Idempotent by id. */
  async recordConsent(
    actor: Actor,
    patientId: string,
    input: {
      id?: string | undefined;
      method: 'verbal' | 'written';
      givenBy: 'patient' | 'guardian';
      spokeId?: string | undefined;
    },
  ) {
    const spoke = await this.spokeOf(actor, input.spokeId);
    const patient = await this.patients.getForStaff(actor, patientId, SPOKE_ROLES);
    const consent = await this.repository.insertConsent({
      id: input.id ?? randomUUID(),
      patientId: patient.id,
      stateId: patient.stateId,
      spokeId: spoke.id,
      method: input.method,
      givenBy: input.givenBy,
      recordedBy: actor.principal.userId,
      at: this.clock.now(),
    });
    if (consent === undefined) throw conflict('This consent id is already used', 'body.id');
    await this.audit.record({
      actorId: actor.principal.userId,
      actorRole: 'spoke_operator',
      action: 'create',
      resourceType: 'Consent',
      resourceId: consent.id,
      patientId: patient.id,
      stateId: patient.stateId,
      ip: actor.ip,
      detail: { method: input.method, givenBy: input.givenBy },
    });
    return consent;
  }

  // ---- Requests at the spoke -------------------------------------------------------------------

  /** Starts a request as a draft; the same id again returns it (a retry on a poor link). */
  async createRequest(
    actor: Actor,
    input: DraftInput & {
      id?: string | undefined;
      patientId: string;
      spokeId?: string | undefined;
      followUpOf?: string | undefined;
    },
  ): Promise<{ request: RequestView; created: boolean }> {
    const spoke = await this.spokeOf(actor, input.spokeId);
    const patient = await this.patients.getForStaff(actor, input.patientId, SPOKE_ROLES);
    const id = input.id ?? randomUUID();
    const existing = await this.repository.find(id);
    if (existing !== undefined) {
      if (existing.patientId !== patient.id || existing.createdBy !== actor.principal.userId)
        throw conflict('This request id is already used', 'body.id');
      return { request: await this.view(actor, existing.id), created: false };
    }
    let preferred: string | null = null;
    if (input.followUpOf !== undefined) {
      const earlier = await this.repository.find(input.followUpOf);
      if (earlier?.patientId !== patient.id) throw notFound('The request this follows up');
      preferred = earlier.practitionerId;
    }
    const fields = await this.draftFields(input, patient);
    const consent = await this.repository.latestConsent(patient.id);
    if (consent !== undefined) fields.consentId = consent.id;
    const inserted = await this.repository.insertRequest(
      {
        id,
        stateId: spoke.stateId,
        spokeId: spoke.id,
        patientId: patient.id,
        createdBy: actor.principal.userId,
        mode: input.mode ?? 'async',
        followUpOf: input.followUpOf ?? null,
        preferredPractitionerId: preferred,
      },
      fields,
      this.clock.now(),
    );
    if (!inserted) return { request: await this.view(actor, id), created: false };
    const row = await this.mustFind(id);
    await this.record(actor, 'create', row, { event: 'draft' });
    return { request: await this.view(actor, id, false), created: true };
  }

  /** Changes a draft: each field given replaces the saved one; triage is worked out again. */
  async updateDraft(
    actor: Actor,
    id: string,
    input: DraftInput & { version?: number | undefined },
  ): Promise<RequestView> {
    const row = await this.spokeRequest(actor, id);
    if (row.status !== 'draft') throw conflict('This request has been sent; it can no longer change');
    const patient = await this.patients.getForStaff(actor, row.patientId, SPOKE_ROLES);
    const fields = await this.draftFields(input, patient, row);
    if (row.consentId === null) {
      const consent = await this.repository.latestConsent(row.patientId);
      if (consent !== undefined) fields.consentId = consent.id;
    }
    const updated = await this.repository.updateDraft(id, input.version ?? null, fields, this.clock.now());
    if (updated === undefined) {
      const now = await this.mustFind(id);
      throw now.status === 'draft'
        ? conflict(
            `The request was changed elsewhere (now version ${now.version}); reload and try again`,
            'body.version',
          )
        : conflict('This request has been sent; it can no longer change');
    }
    await this.record(actor, 'update', updated, { event: 'draft', fields: Object.keys(fields) });
    return this.view(actor, id, false);
  }

  /**
   * Sends a complete request to the first mapped hub for its speciality that has a doctor
   * available now (else the first mapped hub). Missing essentials answer 422 naming each one.
   * Sending again returns the request as it is.
   */
  async send(
    actor: Actor,
    id: string,
    input: { specialityCode?: string | undefined; urgency?: Urgency | undefined; mode?: RequestMode | undefined },
  ): Promise<RequestView> {
    const row = await this.spokeRequest(actor, id);
    if (row.status !== 'draft') return this.view(actor, id);
    const patient = await this.patients.getForStaff(actor, row.patientId, SPOKE_ROLES);
    if (input.specialityCode !== undefined && (await this.terminology.speciality(input.specialityCode)) === undefined)
      throw invalidFields([{ field: 'body.specialityCode', message: `Unknown speciality ${input.specialityCode}` }]);
    // The officer's last choices and a consent given since the draft was saved are written with
    // the routing itself: one statement, one commit.
    const consentId = row.consentId ?? (await this.repository.latestConsent(row.patientId))?.id ?? null;
    const draft: RequestRow = {
      ...row,
      consentId,
      specialityCode: input.specialityCode ?? row.specialityCode,
      urgency: input.urgency ?? row.urgency,
      mode: input.mode ?? row.mode,
    };
    const specialityCode = draft.specialityCode ?? draft.suggestedSpeciality;
    const urgency = draft.urgency ?? draft.suggestedUrgency;
    const missing = missingEssentials({
      ...draft,
      specialityCode,
      urgency,
      patient: { sex: patient.sex, age: ageOf(patient, this.clock.now()) },
    });
    if (missing.length > 0)
      throw new AppError(
        422,
        operationOutcome(
          missing.map((m) => ({
            severity: 'error' as const,
            code: 'required' as const,
            diagnostics: m.message,
            expression: [`request.${m.field}`],
          })),
        ),
      );
    if (specialityCode === null || urgency === null) throw new Error('unreachable: checked as missing');
    const now = this.clock.now();
    const { settings, ...routing } = await this.routeFor(draft, specialityCode, now);
    const sent = await this.repository.route(
      id,
      ['draft'],
      routing,
      {
        specialityCode,
        urgency,
        slaDueAt: new Date(now.getTime() + settings.slaMinutes[urgency] * 60_000),
        sentAt: now,
        mode: draft.mode,
        consentId,
        event: {
          kind: 'sent',
          actorUserId: actor.principal.userId,
          detail: {
            specialityCode,
            urgency,
            suggested: { specialityCode: draft.suggestedSpeciality, urgency: draft.suggestedUrgency },
          },
        },
      },
      now,
    );
    if (sent === undefined) return this.view(actor, id);
    await this.record(actor, 'update', sent, { event: 'sent', hubId: sent.hubId, specialityCode, urgency });
    await this.notify(sent);
    return this.view(actor, id, false);
  }

  /** The spoke withdraws a request nobody has taken yet. */
  async cancel(actor: Actor, id: string, reason: string): Promise<RequestView> {
    await this.spokeRequest(actor, id);
    const now = this.clock.now();
    const cancelled =
      (await this.repository.transition(id, 'draft', 'cancelled', null, now)) ??
      (await this.repository.transition(id, 'waiting', 'cancelled', null, now));
    if (cancelled === undefined) throw conflict('A doctor has this request already; it can no longer be withdrawn');
    await this.repository.addEvent({
      requestId: id,
      at: now,
      kind: 'cancelled',
      actorUserId: actor.principal.userId,
      detail: { reason },
    });
    await this.record(actor, 'update', cancelled, { event: 'cancelled' });
    // The row as it is now: the spoke and the hub that had it are told it is cancelled.
    await this.notify(cancelled);
    return this.view(actor, id, false);
  }

  /** The spoke's requests, newest first: status, with whom, the answer, the feedback, the follow-up. */
  async spokeList(actor: Actor, input: { spokeId?: string | undefined; status?: RequestStatus | undefined }) {
    const spoke = await this.spokeOf(actor, input.spokeId);
    const params: unknown[] = [spoke.id];
    let where = 'r.spoke_id = $1';
    if (input.status !== undefined) {
      params.push(input.status);
      where += ` and r.status = $${params.length}`;
    }
    const rows = await this.repository.summaries(where, params);
    await this.audit.record(rows.map((row) => this.entry(actor, 'search', row)));
    return rows;
  }

  /** The whole case, for the spoke that sent it, the doctors who may take or have it, and overseers. */
  async get(actor: Actor, id: string): Promise<RequestView> {
    return this.view(actor, id);
  }

  // ---- The hub ------------------------------------------------------------------------------

  /**
   * The waiting requests the signed-in doctor may take (urgent first), and those they have. A
   * follow-up kept for its own doctor is not listed to their colleagues until the preference
   * lapses: the same condition as the hand-out, so that every request listed can be taken.
   */
  async hubQueue(actor: Actor) {
    const doctor = await this.doctor(actor);
    const now = this.clock.now();
    const params: unknown[] = [
      doctor.hubIds,
      doctor.specialities,
      doctor.practitionerId,
      new Date(now.getTime() - PREFERENCE_MINUTES * 60_000),
    ];
    const waiting = await this.repository.summaries(
      `r.status = 'waiting' and r.hub_id = any($1::uuid[]) and (cardinality($2::text[]) = 0 or r.speciality_code = any($2::text[]))
       and (r.preferred_practitioner_id is null or r.preferred_practitioner_id = $3 or r.routed_at < $4)`,
      params,
    );
    const mine = await this.repository.summaries(`r.status = 'taken' and r.practitioner_id = $1`, [
      doctor.practitionerId,
    ]);
    const answered = await this.repository.summaries(
      `r.status = 'answered' and r.practitioner_id = $1 and r.answered_at > $2`,
      [doctor.practitionerId, new Date(now.getTime() - 7 * 86_400_000)],
      50,
    );
    const invites = await this.repository.invites('i.practitioner_id = $1 and i.answered_at is null', [
      doctor.practitionerId,
    ]);
    await this.audit.record([...waiting, ...mine, ...answered].map((row) => this.entry(actor, 'search', row)));
    return { waiting, mine, answered, invites };
  }

  /**
   * Hands a request to the signed-in doctor: the next one (urgent first), or the one named. One
   * request goes to one doctor only, on any instance. A consultation record is started for it.
   */
  async take(actor: Actor, requestId?: string): Promise<RequestView | null> {
    const doctor = await this.doctor(actor);
    const now = this.clock.now();
    const taken = await this.repository.takeNext(
      doctor,
      now,
      new Date(now.getTime() - PREFERENCE_MINUTES * 60_000),
      requestId,
    );
    if (taken === undefined) {
      if (requestId === undefined) return null;
      const row = await this.repository.find(requestId);
      if (row?.practitionerId === doctor.practitionerId && row.status === 'taken') return this.view(actor, requestId);
      throw conflict('This request is no longer waiting for you; another doctor may have taken it');
    }
    if (taken.hubId === null) throw new Error('a taken request has a hub');
    const consultation = await this.consultations.start(
      {
        kind: 'hub_spoke',
        stateId: taken.stateId,
        patientId: taken.patientId,
        practitionerId: doctor.practitionerId,
        facilityId: taken.hubId,
        tokenId: null,
        mode: taken.mode === 'live' ? 'video' : 'text',
        at: now,
      },
      actor,
    );
    await this.repository.setConsultation(taken.id, consultation.id);
    await this.repository.addEvent({
      requestId: taken.id,
      at: now,
      kind: 'taken',
      actorUserId: actor.principal.userId,
      hubId: taken.hubId,
      practitionerId: doctor.practitionerId,
    });
    await this.record(actor, 'update', taken, { event: 'taken' });
    await this.notify(taken);
    return this.view(actor, taken.id, false);
  }

  /** Gives a taken request back to the hub's queue (the doctor cannot finish it now). */
  async release(actor: Actor, id: string): Promise<RequestView> {
    const { row, doctor } = await this.takenByMe(actor, id);
    const now = this.clock.now();
    if (row.consultationId !== null)
      await this.consultations.notHappened(actor, row.consultationId, {
        reason: 'other',
        text: 'released to the hub queue',
      });
    const released = await this.repository.transition(id, 'taken', 'waiting', doctor.practitionerId, now, {
      release: true,
    });
    if (released === undefined) throw conflict('This request is no longer yours');
    await this.repository.addEvent({
      requestId: id,
      at: now,
      kind: 'released',
      actorUserId: actor.principal.userId,
      practitionerId: doctor.practitionerId,
      hubId: row.hubId,
    });
    await this.record(actor, 'update', released, { event: 'released' });
    await this.notify(released);
    return this.view(actor, id, false);
  }

  /**
   * Declines with a reason. "Not my speciality" re-routes the request to the spoke's hubs for the
   * right speciality instead of ending it; other reasons end it and tell the spoke why.
   */
  async decline(
    actor: Actor,
    id: string,
    input: { reason: DeclineReason; text?: string | undefined; specialityCode?: string | undefined },
  ): Promise<RequestView> {
    const { row, doctor } = await this.takenByMe(actor, id);
    const now = this.clock.now();
    const text = trimmed(input.text) ?? null;
    if (input.reason === 'not_my_speciality') {
      const specialityCode = input.specialityCode;
      if (specialityCode === undefined || (await this.terminology.speciality(specialityCode)) === undefined)
        throw invalidFields([{ field: 'body.specialityCode', message: 'Name the speciality this request needs' }]);
      if (specialityCode === row.specialityCode)
        throw invalidFields([{ field: 'body.specialityCode', message: 'That is the speciality it was sent to' }]);
      const { settings, ...routing } = await this.routeFor(row, specialityCode, now, true);
      if (row.consultationId !== null)
        await this.consultations.notHappened(actor, row.consultationId, {
          reason: 'other',
          text: `not my speciality: re-routed to ${specialityCode}`,
        });
      const urgency = row.urgency ?? 'routine';
      const rerouted = await this.repository.route(
        id,
        ['taken'],
        routing,
        {
          specialityCode,
          urgency,
          // The service level runs from when the spoke sent it: a re-route is no fresh start.
          slaDueAt: new Date((row.sentAt ?? now).getTime() + settings.slaMinutes[urgency] * 60_000),
          reroute: true,
        },
        now,
      );
      if (rerouted === undefined) throw conflict('This request is no longer yours');
      await this.repository.addEvent({
        requestId: id,
        at: now,
        kind: 'rerouted',
        actorUserId: actor.principal.userId,
        practitionerId: doctor.practitionerId,
        hubId: rerouted.hubId,
        detail: { from: row.specialityCode, to: specialityCode, text },
      });
      await this.record(actor, 'update', rerouted, { event: 'rerouted', to: specialityCode });
      await this.notify(rerouted);
      await this.notify(row);
      return this.view(actor, id, false);
    }
    if ((input.reason === 'other' || input.reason === 'incomplete') && text === null)
      throw invalidFields([{ field: 'body.text', message: 'Say why, so that the spoke can act on it' }]);
    if (row.consultationId !== null)
      await this.consultations.notHappened(actor, row.consultationId, {
        reason: input.reason === 'not_suitable_for_teleconsultation' ? 'not_suitable_for_teleconsultation' : 'other',
        text: text ?? input.reason,
      });
    const declined = await this.repository.transition(id, 'taken', 'declined', doctor.practitionerId, now);
    if (declined === undefined) throw conflict('This request is no longer yours');
    await this.repository.addEvent({
      requestId: id,
      at: now,
      kind: 'declined',
      actorUserId: actor.principal.userId,
      practitionerId: doctor.practitionerId,
      hubId: row.hubId,
      detail: { reason: input.reason, text },
    });
    await this.record(actor, 'update', declined, { event: 'declined', reason: input.reason });
    await this.notify(declined);
    return this.view(actor, id, false);
  }

  /**
   * The answer: advice addressed to the officer, with the consultation record (diagnoses,
   * investigations, follow-up with the same doctor or hub at a date). Completes the consultation.
   */
  async answer(
    actor: Actor,
    id: string,
    input: { advice: string; record?: Omit<RecordInput, 'advice' | 'chiefComplaints' | 'vitals'> | undefined },
  ): Promise<RequestView> {
    const { row, doctor } = await this.takenByMe(actor, id);
    const advice = trimmed(input.advice);
    if (advice === null || advice === undefined)
      throw invalidFields([{ field: 'body.advice', message: 'Write the advice for the health officer' }]);
    if (row.consultationId === null) throw conflict('This request has no consultation; take it again');
    const now = this.clock.now();
    await this.consultations.complete(actor, row.consultationId, {
      ...input.record,
      advice,
      // The spoke's case is the record's start: complaints and vitals as the officer captured them.
      chiefComplaints: row.complaints.map((c) => ({
        code: c.code,
        duration: c.duration === null ? undefined : (c.duration as { value: number; unit: 'days' }),
        severity: c.severity ?? undefined,
        note: c.note ?? undefined,
      })),
      complaintText: row.complaintText,
      history: row.history,
      vitals: row.vitals,
    });
    const answered = await this.repository.transition(id, 'taken', 'answered', doctor.practitionerId, now, {
      answeredAt: now,
    });
    if (answered === undefined) throw conflict('This request is no longer yours');
    await this.repository.addEvent({
      requestId: id,
      at: now,
      kind: 'answered',
      actorUserId: actor.principal.userId,
      practitionerId: doctor.practitionerId,
      hubId: row.hubId,
    });
    await this.record(actor, 'update', answered, { event: 'answered' });
    await this.notify(answered);
    return this.view(actor, id, false);
  }

  /** Invites another doctor (a specialist) of the state into the consultation for a second opinion. */
  async invite(
    actor: Actor,
    id: string,
    input: { practitionerId: string; note?: string | undefined },
  ): Promise<InviteRow> {
    const { row, doctor } = await this.takenByMe(actor, id, ['taken', 'answered']);
    const invited = await this.repository.practitioner(input.practitionerId);
    if (invited?.stateId !== row.stateId || !invited.active)
      throw invalidFields([{ field: 'body.practitionerId', message: 'No such active doctor in this state' }]);
    if (invited.id === doctor.practitionerId)
      throw invalidFields([{ field: 'body.practitionerId', message: 'Invite another doctor than yourself' }]);
    const invite = await this.repository.invite({
      id: randomUUID(),
      requestId: id,
      practitionerId: invited.id,
      invitedBy: doctor.practitionerId,
      note: trimmed(input.note) ?? null,
      at: this.clock.now(),
    });
    if (invite === undefined) throw new Error('invite vanished');
    await this.repository.addEvent({
      requestId: id,
      at: this.clock.now(),
      kind: 'invited',
      actorUserId: actor.principal.userId,
      practitionerId: invited.id,
    });
    await this.record(actor, 'update', row, { event: 'invited', practitionerId: invited.id });
    return invite;
  }

  /** The invited doctor's opinion. */
  async giveOpinion(actor: Actor, inviteId: string, opinion: string): Promise<InviteRow> {
    const doctor = await this.doctor(actor);
    const text = trimmed(opinion);
    if (text === null || text === undefined)
      throw invalidFields([{ field: 'body.opinion', message: 'Write your opinion' }]);
    const answered = await this.repository.answerInvite(inviteId, doctor.practitionerId, text, this.clock.now());
    if (answered === undefined) throw notFound('Invitation');
    const row = await this.mustFind(answered.requestId);
    await this.repository.addEvent({
      requestId: row.id,
      at: this.clock.now(),
      kind: 'opinion',
      actorUserId: actor.principal.userId,
      practitionerId: doctor.practitionerId,
    });
    await this.record(actor, 'update', row, { event: 'opinion' });
    return answered;
  }

  /** The hub's rating of the request, once: complete, the right speciality, whether video was needed. */
  async feedback(
    actor: Actor,
    id: string,
    input: { complete: boolean; appropriateSpeciality: boolean; neededVideo: boolean; reason?: string | undefined },
  ): Promise<RequestView> {
    const { row, doctor } = await this.takenByMe(actor, id, ['answered', 'declined']);
    const reason = trimmed(input.reason) ?? null;
    if ((!input.complete || !input.appropriateSpeciality) && reason === null)
      throw invalidFields([{ field: 'body.reason', message: 'Say what was missing or which speciality it needed' }]);
    const stored = await this.repository.insertFeedback({
      requestId: id,
      stateId: row.stateId,
      spokeId: row.spokeId,
      practitionerId: doctor.practitionerId,
      complete: input.complete,
      appropriateSpeciality: input.appropriateSpeciality,
      neededVideo: input.neededVideo,
      reason,
      at: this.clock.now(),
    });
    if (!stored) throw conflict('This request has been rated already');
    await this.repository.addEvent({
      requestId: id,
      at: this.clock.now(),
      kind: 'feedback',
      actorUserId: actor.principal.userId,
      practitionerId: doctor.practitionerId,
    });
    await this.record(actor, 'update', row, { event: 'feedback' });
    await this.notify(row);
    return this.view(actor, id, false);
  }

  /** Weekly feedback figures of a spoke (its officers, overseers) or a whole state (overseers). */
  async feedbackFigures(
    actor: Actor,
    input: { spokeId?: string | undefined; stateId?: string | undefined; from: Date; to: Date },
  ) {
    let filter: { spokeId: string } | { stateId: string };
    if (input.spokeId !== undefined) {
      const spoke = await this.repository.facility(input.spokeId);
      const own = actor.principal.roles.some((r) => r.role === 'spoke_operator' && r.facilityId === input.spokeId);
      if (spoke === undefined || !(own || inScope(scopeFor(actor.principal, OVERSEERS), spoke.stateId)))
        throw notFound('Spoke');
      filter = { spokeId: spoke.id };
    } else if (input.stateId !== undefined) {
      assertInScope(scopeFor(actor.principal, OVERSEERS), input.stateId);
      filter = { stateId: input.stateId };
    } else {
      filter = { spokeId: (await this.spokeOf(actor)).id };
    }
    const weeks = await this.repository.feedbackFigures(filter, input.from, input.to);
    const total = weeks.reduce(
      (sum, w) => ({
        rated: sum.rated + w.rated,
        complete: sum.complete + w.complete,
        appropriateSpeciality: sum.appropriateSpeciality + w.appropriateSpeciality,
        neededVideo: sum.neededVideo + w.neededVideo,
      }),
      { rated: 0, complete: 0, appropriateSpeciality: 0, neededVideo: 0 },
    );
    const share = (n: number, of: number) => (of === 0 ? null : Math.round((n / of) * 1000) / 1000);
    return {
      ...filter,
      weeks: weeks.map((w) => ({
        ...w,
        completeShare: share(w.complete, w.rated),
        appropriateShare: share(w.appropriateSpeciality, w.rated),
        videoShare: share(w.neededVideo, w.rated),
      })),
      total: {
        ...total,
        completeShare: share(total.complete, total.rated),
        appropriateShare: share(total.appropriateSpeciality, total.rated),
        videoShare: share(total.neededVideo, total.rated),
      },
    };
  }

  /** Coordinators: requests about to miss (or past) their service level, not yet answered. */
  async alerts(actor: Actor, stateId: string) {
    assertInScope(scopeFor(actor.principal, OVERSEERS), stateId);
    const rows = await this.repository.summaries(
      `r.state_id = $1 and r.status in ('waiting', 'taken') and r.sla_alerted_at is not null`,
      [stateId],
    );
    await this.audit.record(rows.map((row) => this.entry(actor, 'search', row)));
    return rows;
  }

  // ---- Rules and settings -------------------------------------------------------------------

  async triageRules(actor: Actor, stateId: string) {
    assertInScope(scopeFor(actor.principal, RULE_READERS), stateId);
    return this.repository.triageRules(stateId);
  }

  /** A state replaces its whole rule table; the country's defaults apply again when it is emptied. */
  async setTriageRules(actor: Actor, stateId: string, rules: TriageRule[]) {
    assertInScope(scopeFor(actor.principal, RULE_WRITERS), stateId);
    const issues: { field: string; message: string }[] = [];
    for (const [index, rule] of rules.entries()) {
      const field = `body.rules.${String(index)}`;
      if ((rule.complaintCode === null) === (rule.redFlag === null))
        issues.push({ field, message: 'A rule names either a complaint or a red flag' });
      if (rule.complaintCode !== null && (await this.terminology.complaint(rule.complaintCode)) === undefined)
        issues.push({
          field: `${field}.complaintCode`,
          message: `${rule.complaintCode} is not a chief complaint of the list`,
        });
      if (rule.redFlag !== null && !(RED_FLAGS as readonly string[]).includes(rule.redFlag))
        issues.push({
          field: `${field}.redFlag`,
          message: `Unknown red flag ${rule.redFlag}; one of ${RED_FLAGS.join(', ')}`,
        });
      if ((await this.terminology.speciality(rule.specialityCode)) === undefined)
        issues.push({ field: `${field}.specialityCode`, message: `Unknown speciality ${rule.specialityCode}` });
    }
    if (issues.length > 0) throw invalidFields(issues);
    await this.repository.replaceTriageRules(
      stateId,
      rules.map((rule) => ({ ...rule, id: randomUUID() })),
    );
    await this.audit.record({
      actorId: actor.principal.userId,
      actorRole: actingRole(actor.principal, RULE_WRITERS),
      action: 'update',
      resourceType: 'TriageRules',
      resourceId: stateId,
      stateId,
      ip: actor.ip,
      detail: { rules: rules.length },
    });
    return this.repository.triageRules(stateId);
  }

  async settings(actor: Actor, stateId: string): Promise<HubSpokeSettings> {
    assertInScope(scopeFor(actor.principal, RULE_READERS), stateId);
    return this.repository.settings(stateId);
  }

  async setSettings(actor: Actor, stateId: string, settings: HubSpokeSettings): Promise<HubSpokeSettings> {
    assertInScope(scopeFor(actor.principal, RULE_WRITERS), stateId);
    await this.repository.saveSettings(stateId, settings);
    await this.audit.record({
      actorId: actor.principal.userId,
      actorRole: actingRole(actor.principal, RULE_WRITERS),
      action: 'update',
      resourceType: 'HubSpokeSettings',
      resourceId: stateId,
      stateId,
      ip: actor.ip,
      detail: { ...settings },
    });
    return this.repository.settings(stateId);
  }

  // ---- Time passing -------------------------------------------------------------------------

  /**
   * Runs every few seconds on every instance; each step is one guarded statement. Requests a hub
   * did not take in time move to the next mapped hub; those about to miss their service level
   * are flagged once and coordinators told.
   */
  async sweep(): Promise<{ overflowed: number; alerted: number }> {
    const now = this.clock.now();
    const moved = await this.repository.overflow(now, 500);
    await this.repository.clearSpentOverflows(now);
    await this.repository.addEvents(
      moved.map((r) => ({ requestId: r.id, at: now, kind: 'overflowed', hubId: r.hubId })),
    );
    for (const row of moved) await this.notify(row);
    const moved2 = await this.leaveUnstaffedHubs(now);
    const atRisk = await this.repository.slaAtRisk(now, 500);
    await this.repository.addEvents(
      atRisk.map((r) => ({ requestId: r.id, at: now, kind: 'sla_alert', hubId: r.hubId })),
    );
    for (const stateId of new Set(atRisk.map((r) => r.stateId)))
      await this.events.publish(coordinatorTopic(stateId), {
        event: 'sla_alert',
        requestIds: atRisk.filter((r) => r.stateId === stateId).map((r) => r.id),
      });
    return { overflowed: moved.length + moved2, alerted: atRisk.length };
  }

  /**
   * Requests waiting at a hub where nobody is available now (the doctors left, or went on a
   * break) move on instead of waiting for the overflow time, or for ever at the last hub of the
   * route: to the next hub of the route after this one that has someone, with a fresh overflow
   * time (the state's setting; none at the last hub), as an overflow would.
   *
   * They never go back to a hub earlier in the route (one they left, or skipped when sent because
   * nobody was there) while a later one has someone. Only when none does do they go back, to the
   * first earlier hub that has someone, as a last resort better than a hub with nobody; there
   * they get no overflow time, because overflowing would only send them forward again to the
   * hubs with nobody, and back, every few minutes. Should that hub empty too, this sweep moves
   * them again, forward first.
   */
  private async leaveUnstaffedHubs(now: Date): Promise<number> {
    const waitingHubs = await this.repository.hubsWithWaiting();
    const pools = await this.repository.pools(waitingHubs);
    const unstaffed: string[] = [];
    for (const hubId of waitingHubs)
      if (!(await this.anyoneAvailable(pools.get(hubId) ?? [hubId], now))) unstaffed.push(hubId);
    if (unstaffed.length === 0) return 0;
    const requests = await this.repository.waitingAt(unstaffed, 500);
    const routePools = await this.repository.pools([...new Set(requests.flatMap((r) => r.routeHubs))]);
    const settings = new Map<string, HubSpokeSettings>();
    let moved = 0;
    for (const request of requests) {
      if (request.hubId === null) continue;
      const here = request.routeHubs.indexOf(request.hubId);
      const staffed = async (index: number) => {
        const hubId = request.routeHubs[index] as string;
        return hubId !== request.hubId && (await this.anyoneAvailable(routePools.get(hubId) ?? [hubId], now));
      };
      let target: number | undefined;
      for (let index = here + 1; index < request.routeHubs.length && target === undefined; index += 1)
        if (await staffed(index)) target = index;
      const back = target === undefined;
      for (let index = 0; index < here && target === undefined; index += 1) if (await staffed(index)) target = index;
      if (target === undefined) continue;
      const targetHub = request.routeHubs[target] as string;
      let overflowAt: Date | null = null;
      if (!back && target + 1 < request.routeHubs.length) {
        let state = settings.get(request.stateId);
        if (state === undefined) {
          state = await this.repository.settings(request.stateId);
          settings.set(request.stateId, state);
        }
        overflowAt = new Date(now.getTime() + state.overflowMinutes * 60_000);
      }
      const row = await this.repository.moveTo(request.id, request.hubId, targetHub, overflowAt, now);
      if (row === undefined) continue;
      moved += 1;
      await this.repository.addEvent({
        requestId: row.id,
        at: now,
        kind: 'overflowed',
        actorUserId: null,
        hubId: targetHub,
        detail: { reason: 'nobody available', from: request.hubId, ...(back ? { back: true } : {}) },
      });
      await this.notify(row);
    }
    return moved;
  }

  // ---- Helpers ------------------------------------------------------------------------------

  /** The ordered hubs for a speciality; the request starts at the first with a doctor available now. */
  private async routeFor(row: RequestRow, specialityCode: string, now: Date, reroute = false) {
    let hubs = await this.routing.route(row.spokeId, specialityCode);
    // A follow-up goes back to the hub of the request it follows, if that hub is still mapped.
    let ownHub: string | null = null;
    if (row.followUpOf !== null && !reroute) {
      const earlier = await this.repository.find(row.followUpOf);
      ownHub = earlier?.hubId ?? null;
      const index = hubs.findIndex((h) => h.hubId === ownHub);
      if (index > 0) hubs = [hubs[index] as (typeof hubs)[number], ...hubs.filter((_, i) => i !== index)];
    }
    if (hubs.length === 0)
      throw unprocessable(
        `No hub is mapped to this spoke for ${specialityCode}; choose another speciality or ask the coordinator to map one`,
        'body.specialityCode',
      );
    let start = 0;
    for (const [index, hub] of hubs.entries()) {
      if (await this.anyoneAvailable(hub.facilityIds, now)) {
        start = index;
        break;
      }
    }
    const settings = await this.repository.settings(row.stateId);
    const hubIds = hubs.map((h) => h.hubId);
    return {
      settings,
      routeHubs: hubIds,
      routeIndex: start,
      hubId: hubIds[start] as string,
      overflowAt: start + 1 < hubIds.length ? new Date(now.getTime() + settings.overflowMinutes * 60_000) : null,
      // Waiting for the doctor of the earlier request makes sense only at that doctor's hub.
      keepPreference: ownHub !== null && hubIds[start] === ownHub,
    };
  }

  /**
   * Whether a hub's pool has a doctor available now. Remembered for half a minute per pool: at a
   * national peak thousands of requests a minute ask about the same hubs, and availability
   * changes at the pace of people (shifts, breaks), not of requests.
   */
  private async anyoneAvailable(facilityIds: string[], now: Date): Promise<boolean> {
    const key = [...facilityIds].sort().join(',');
    const known = this.availability.get(key);
    if (known !== undefined && Math.abs(now.getTime() - known.at) < AVAILABILITY_MEMORY_MS) return known.available;
    const available = (await this.routing.availableNow(facilityIds)).length > 0;
    if (this.availability.size > 100_000) this.availability.clear();
    this.availability.set(key, { at: now.getTime(), available });
    return available;
  }

  private async draftFields(input: DraftInput, patient: PatientRow, row?: RequestRow): Promise<DraftFields> {
    const issues: { field: string; message: string }[] = [];
    const fields: DraftFields = {};
    if (input.mode !== undefined) fields.mode = input.mode;
    if (input.complaints !== undefined)
      fields.complaints = await codeComplaints(this.terminology, input.complaints, 'body.complaints', issues);
    for (const key of ['complaintText', 'history'] as const) {
      const value = trimmed(input[key]);
      if (value === undefined) continue;
      if (value !== null && value.length > MAX_TEXT)
        issues.push({ field: `body.${key}`, message: `At most ${MAX_TEXT} characters` });
      fields[key] = value;
    }
    if (input.vitals !== undefined) {
      const vitals = compactVitals(input.vitals);
      issues.push(...checkVitals(vitals));
      fields.vitals = vitals;
      fields.redFlags = redFlagsOf(vitals).map((f) => f.flag);
    }
    if (input.pregnancy !== undefined) {
      if (input.pregnancy === 'pregnant' && patient.sex === 'male')
        issues.push({ field: 'body.pregnancy', message: 'A male patient cannot be pregnant' });
      fields.pregnancy = input.pregnancy;
    }
    if (input.specialityCode !== undefined) {
      if (input.specialityCode !== null && (await this.terminology.speciality(input.specialityCode)) === undefined)
        issues.push({ field: 'body.specialityCode', message: `Unknown speciality ${input.specialityCode}` });
      fields.specialityCode = input.specialityCode;
    }
    if (input.urgency !== undefined) fields.urgency = input.urgency;
    if (issues.length > 0) throw invalidFields(issues);
    const suggestion = await this.suggest(
      patient.stateId,
      row?.spokeId ?? null,
      fields.complaints ?? row?.complaints ?? [],
      fields.redFlags ?? row?.redFlags ?? [],
      fields.pregnancy === 'pregnant' || (fields.pregnancy === undefined && row?.pregnancy === 'pregnant'),
    );
    fields.suggestedSpeciality = suggestion.specialityCode;
    fields.suggestedUrgency = suggestion.urgency;
    fields.suggestedReasons = suggestion.reasons;
    return fields;
  }

  /** Triage from the state's rules; a speciality the spoke has no hub for falls back to general medicine. */
  private async suggest(
    stateId: string,
    spokeId: string | null,
    complaints: readonly ComplaintEntry[],
    flags: readonly string[],
    pregnant: boolean,
  ): Promise<TriageSuggestion> {
    const { rules } = await this.repository.triageRules(stateId);
    const terms = await Promise.all(complaints.map((c) => this.terminology.complaint(c.code)));
    const suggestion = triage(
      rules,
      complaints.map((c, i) => ({ code: c.code, speciality: terms[i]?.specialityCode ?? null, redFlag: c.redFlag })),
      flags,
    );
    // A pregnant woman with no more specific suggestion goes to obstetrics.
    if (pregnant && suggestion.specialityCode === 'general_medicine') {
      suggestion.specialityCode = 'obstetrics_gynaecology';
      suggestion.reasons.push('pregnant');
    }
    if (spokeId !== null && suggestion.specialityCode !== 'general_medicine') {
      const hubs = await this.routing.route(spokeId, suggestion.specialityCode);
      if (hubs.length === 0) {
        suggestion.reasons.push(`no hub mapped for ${suggestion.specialityCode}`);
        suggestion.specialityCode = 'general_medicine';
      }
    }
    return suggestion;
  }

  /** The spoke the signed-in officer works at (the one named, if they serve several). */
  private async spokeOf(actor: Actor, spokeId?: string) {
    const bindings = actor.principal.roles.filter((r) => r.role === 'spoke_operator' && r.facilityId !== null);
    const binding = spokeId === undefined ? bindings[0] : bindings.find((b) => b.facilityId === spokeId);
    if (binding?.facilityId == null) throw forbidden('Only a health officer of a spoke may do this');
    const spoke = await this.repository.facility(binding.facilityId);
    if (spoke === undefined) throw notFound('Spoke');
    return spoke;
  }

  /** A request of one of the officer's spokes. */
  private async spokeRequest(actor: Actor, id: string): Promise<RequestRow> {
    const row = await this.repository.find(id);
    const spokes = actor.principal.roles.filter((r) => r.role === 'spoke_operator').map((r) => r.facilityId);
    if (row === undefined || !spokes.includes(row.spokeId)) throw notFound('Request');
    return row;
  }

  private async doctor(actor: Actor): Promise<DoctorContext> {
    if (!hasAnyRole(actor.principal, HUB_ROLES)) throw forbidden('Only a hub doctor may do this');
    const doctor = await this.repository.doctorContext(actor.principal.userId);
    if (doctor === undefined) throw notFound('A practitioner record linked to your account');
    return doctor;
  }

  private async takenByMe(
    actor: Actor,
    id: string,
    statuses: readonly RequestStatus[] = ['taken'],
  ): Promise<{ row: RequestRow; doctor: DoctorContext }> {
    const doctor = await this.doctor(actor);
    const row = await this.repository.find(id);
    if (row === undefined || !(await this.canSee(actor, row))) throw notFound('Request');
    if (row.practitionerId !== doctor.practitionerId)
      throw forbidden('Take this request first; another doctor may have it');
    if (!statuses.includes(row.status))
      throw conflict(`This request is ${row.status}; it cannot be changed that way now`);
    return { row, doctor };
  }

  /** Who may see a request: its spoke, doctors of its hub now (or who had it, or were invited), overseers of its state. */
  private async canSee(actor: Actor, row: RequestRow): Promise<boolean> {
    const p = actor.principal;
    if (p.roles.some((r) => r.role === 'spoke_operator' && r.facilityId === row.spokeId)) return true;
    if (inScope(scopeFor(p, OVERSEERS), row.stateId)) return true;
    if (!hasAnyRole(p, HUB_ROLES)) return false;
    const doctor = await this.repository.doctorContext(p.userId);
    if (doctor === undefined) return false;
    if (row.practitionerId === doctor.practitionerId) return true;
    if (row.status === 'waiting' && row.hubId !== null && doctor.hubIds.includes(row.hubId)) return true;
    const invites = await this.repository.invites('i.request_id = $1 and i.practitioner_id = $2', [
      row.id,
      doctor.practitionerId,
    ]);
    return invites.length > 0;
  }

  /**
   * The whole case. A plain read checks access and is audited; after an action (already
   * authorised and audited) it is shown to the actor even if it has moved out of their reach,
   * e.g. a request they just re-routed.
   */
  private async view(actor: Actor, id: string, read = true): Promise<RequestView> {
    const summary = await this.repository.summary(id);
    if (summary === undefined || (read && !(await this.canSee(actor, summary)))) throw notFound('Request');
    const row = summary;
    // The same age as `send` checks, so that what the draft shows missing is what sending refuses.
    const patient = {
      sex: summary.patientSex,
      age: ageOf({ birthDate: summary.patientBirthDate, birthYear: summary.patientBirthYear }, this.clock.now()),
    };
    const [events, attachments, invites] = await Promise.all([
      this.repository.events(id),
      this.repository.attachments(id),
      this.repository.invites('i.request_id = $1', [id]),
    ]);
    if (read) await this.record(actor, 'read', row);
    return {
      ...summary,
      age: patient.age,
      bmi: bmiOf(row.vitals),
      redFlagFindings: redFlagsOf(row.vitals),
      triage: {
        specialityCode: row.suggestedSpeciality ?? 'general_medicine',
        urgency: row.suggestedUrgency ?? 'routine',
        reasons: row.suggestedReasons,
      },
      missing:
        row.status === 'draft'
          ? missingEssentials({
              ...row,
              specialityCode: row.specialityCode ?? row.suggestedSpeciality,
              urgency: row.urgency ?? row.suggestedUrgency,
              patient,
            })
          : [],
      events,
      attachments,
      invites,
    };
  }

  private async mustFind(id: string): Promise<RequestRow> {
    const row = await this.repository.find(id);
    if (row === undefined) throw notFound('Request');
    return row;
  }

  private async notify(row: RequestRow): Promise<void> {
    const message = { requestId: row.id, status: row.status };
    await Promise.all([
      this.events.publish(spokeTopic(row.spokeId), message),
      row.hubId === null ? Promise.resolve() : this.events.publish(hubTopic(row.hubId), message),
    ]);
  }

  private entry(actor: Actor, action: AuditAction, row: RequestRow, detail?: Record<string, unknown>) {
    return {
      actorId: actor.principal.userId,
      actorRole: actingRole(actor.principal, ALL_ROLES),
      action,
      resourceType: 'TeleconsultationRequest',
      resourceId: row.id,
      patientId: row.patientId,
      stateId: row.stateId,
      ip: actor.ip,
      detail: detail ?? null,
    };
  }

  private record(actor: Actor, action: AuditAction, row: RequestRow, detail?: Record<string, unknown>): Promise<void> {
    return this.audit.record(this.entry(actor, action, row, detail));
  }
}
