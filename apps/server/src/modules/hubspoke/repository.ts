import type { StateScope } from '../../platform/auth.js';
import type { Database, Queryable } from '../../platform/db/database.js';
import { stateScopeCondition } from '../../platform/db/sql.js';
import type { ComplaintEntry, Vitals } from '../consultations/index.js';
import {
  DEFAULT_TRIAGE_RULES,
  type AttachmentKind,
  type PregnancyStatus,
  type ReferralOutcome,
  type ReferralStatus,
  type RequestMode,
  type RequestStatus,
  type TriageRule,
  type Urgency,
} from './model.js';

export interface RequestRow {
  id: string;
  stateId: string;
  spokeId: string;
  patientId: string;
  createdBy: string;
  status: RequestStatus;
  mode: RequestMode;
  specialityCode: string | null;
  urgency: Urgency | null;
  suggestedSpeciality: string | null;
  suggestedUrgency: Urgency | null;
  /** Why triage suggested them: the rules and list entries that matched, as worked out with the draft. */
  suggestedReasons: string[];
  complaints: ComplaintEntry[];
  complaintText: string | null;
  history: string | null;
  vitals: Vitals;
  redFlags: string[];
  pregnancy: PregnancyStatus | null;
  consentId: string | null;
  followUpOf: string | null;
  preferredPractitionerId: string | null;
  routeHubs: string[];
  routeIndex: number;
  hubId: string | null;
  urgencyRank: number;
  sentAt: Date | null;
  routedAt: Date | null;
  overflowAt: Date | null;
  slaDueAt: Date | null;
  slaAlertedAt: Date | null;
  practitionerId: string | null;
  takenAt: Date | null;
  consultationId: string | null;
  answeredAt: Date | null;
  reroutes: number;
  createdAt: Date;
  updatedAt: Date;
  version: number;
}

const COLUMNS = `r.id, r.state_id as "stateId", r.spoke_id as "spokeId", r.patient_id as "patientId", r.created_by as "createdBy",
  r.status, r.mode, r.speciality_code as "specialityCode", r.urgency, r.suggested_speciality as "suggestedSpeciality",
  r.suggested_urgency as "suggestedUrgency", r.suggested_reasons as "suggestedReasons", r.complaints, r.complaint_text as "complaintText", r.history, r.vitals,
  r.red_flags as "redFlags", r.pregnancy, r.consent_id as "consentId", r.follow_up_of as "followUpOf",
  r.preferred_practitioner_id as "preferredPractitionerId", r.route_hubs as "routeHubs", r.route_index as "routeIndex",
  r.hub_id as "hubId", r.urgency_rank as "urgencyRank", r.sent_at as "sentAt", r.routed_at as "routedAt",
  r.overflow_at as "overflowAt", r.sla_due_at as "slaDueAt", r.sla_alerted_at as "slaAlertedAt",
  r.practitioner_id as "practitionerId", r.taken_at as "takenAt", r.consultation_id as "consultationId",
  r.answered_at as "answeredAt", r.reroutes, r.created_at as "createdAt", r.updated_at as "updatedAt", r.version`;

/** A request with what its lists show beside it: names, the answer, the feedback, the referral. */
export interface RequestSummary extends RequestRow {
  patientName: string;
  patientSex: string;
  patientBirthYear: number | null;
  /** 'YYYY-MM-DD' when known: the age is worked out from it rather than from the year alone. */
  patientBirthDate: string | null;
  spokeName: string;
  hubName: string | null;
  practitionerName: string | null;
  advice: string | null;
  diagnoses: { code: string; title: string }[];
  followUp: { dueDate: string; with: string; note: string | null } | null;
  feedback: {
    complete: boolean;
    appropriateSpeciality: boolean;
    neededVideo: boolean;
    reason: string | null;
  } | null;
  referralStatus: ReferralStatus | null;
}

const SUMMARY = `${COLUMNS}, p.name as "patientName", p.sex as "patientSex", p.birth_year as "patientBirthYear",
  p.birth_date as "patientBirthDate", s.name as "spokeName", h.name as "hubName", d.name as "practitionerName", c.advice,
  coalesce(c.diagnoses, '[]'::jsonb) as diagnoses, c.follow_up as "followUp",
  case when fb.request_id is null then null else jsonb_build_object('complete', fb.complete,
    'appropriateSpeciality', fb.appropriate_speciality, 'neededVideo', fb.needed_video, 'reason', fb.reason) end as feedback,
  (select rf.status from referrals rf where rf.request_id = r.id order by rf.sent_at desc limit 1) as "referralStatus"`;
const SUMMARY_FROM = `teleconsult_requests r
  join patients p on p.id = r.patient_id
  join facilities s on s.id = r.spoke_id
  left join facilities h on h.id = r.hub_id
  left join practitioners d on d.id = r.practitioner_id
  left join consultations c on c.id = r.consultation_id and c.status = 'completed'
  left join teleconsult_feedback fb on fb.request_id = r.id`;

export interface NewRequest {
  id: string;
  stateId: string;
  spokeId: string;
  patientId: string;
  createdBy: string;
  mode: RequestMode;
  followUpOf: string | null;
  preferredPractitionerId: string | null;
}

export interface DraftFields {
  mode?: RequestMode;
  specialityCode?: string | null;
  urgency?: Urgency | null;
  suggestedSpeciality?: string | null;
  suggestedUrgency?: Urgency | null;
  suggestedReasons?: string[];
  complaints?: ComplaintEntry[];
  complaintText?: string | null;
  history?: string | null;
  vitals?: Vitals;
  redFlags?: string[];
  pregnancy?: PregnancyStatus | null;
  consentId?: string | null;
}

const DRAFT_COLUMNS: Record<keyof DraftFields, string> = {
  mode: 'mode',
  specialityCode: 'speciality_code',
  urgency: 'urgency',
  suggestedSpeciality: 'suggested_speciality',
  suggestedUrgency: 'suggested_urgency',
  suggestedReasons: 'suggested_reasons',
  complaints: 'complaints',
  complaintText: 'complaint_text',
  history: 'history',
  vitals: 'vitals',
  redFlags: 'red_flags',
  pregnancy: 'pregnancy',
  consentId: 'consent_id',
};
const JSON_FIELDS = new Set(['complaints', 'vitals', 'redFlags', 'suggestedReasons']);

export interface Routing {
  routeHubs: string[];
  routeIndex: number;
  hubId: string;
  overflowAt: Date | null;
  /** Whether a follow-up keeps waiting for its own doctor: only at the hub where that doctor answered it. */
  keepPreference: boolean;
}

export interface DoctorContext {
  practitionerId: string;
  name: string;
  stateId: string;
  facilityIds: string[];
  /** Hubs whose pool holds one of the doctor's facilities (their own hub included). */
  hubIds: string[];
  specialities: string[];
}

export interface FacilityRef {
  id: string;
  name: string;
  kind: string;
  stateId: string;
  districtId: string;
  active: boolean;
}

export interface HubSpokeSettings {
  overflowMinutes: number;
  slaMinutes: Record<Urgency, number>;
  alertBeforeMinutes: number;
  referralDueDays: Record<Urgency, number>;
}

export const DEFAULT_SETTINGS: HubSpokeSettings = {
  overflowMinutes: 15,
  slaMinutes: { emergency: 30, urgent: 120, routine: 1440 },
  alertBeforeMinutes: 10,
  referralDueDays: { emergency: 1, urgent: 3, routine: 14 },
};

export interface EventRow {
  at: Date;
  kind: string;
  hubId: string | null;
  hubName: string | null;
  practitionerId: string | null;
  practitionerName: string | null;
  detail: Record<string, unknown> | null;
}

export interface ReferralRow {
  id: string;
  stateId: string;
  requestId: string | null;
  consultationId: string | null;
  patientId: string;
  patientName: string;
  fromFacilityId: string;
  fromFacilityName: string;
  referredBy: string;
  referredByName: string;
  destinationId: string;
  destinationName: string;
  reason: string;
  urgency: Urgency;
  summary: string;
  status: ReferralStatus;
  dueAt: Date;
  sentAt: Date;
  receivedAt: Date | null;
  attendedAt: Date | null;
  completedAt: Date | null;
  outcome: ReferralOutcome | null;
  outcomeNote: string | null;
}

const REFERRAL_COLUMNS = `f.id, f.state_id as "stateId", f.request_id as "requestId", f.consultation_id as "consultationId",
  f.patient_id as "patientId", p.name as "patientName", f.from_facility_id as "fromFacilityId", ff.name as "fromFacilityName",
  f.referred_by as "referredBy", d.name as "referredByName", f.destination_id as "destinationId",
  df.name as "destinationName", f.reason, f.urgency, f.summary, f.status, f.due_at as "dueAt", f.sent_at as "sentAt",
  f.received_at as "receivedAt", f.attended_at as "attendedAt", f.completed_at as "completedAt", f.outcome,
  f.outcome_note as "outcomeNote"`;
const REFERRAL_FROM = `referrals f join patients p on p.id = f.patient_id join facilities ff on ff.id = f.from_facility_id
  join facilities df on df.id = f.destination_id join practitioners d on d.id = f.referred_by`;

export interface InviteRow {
  id: string;
  requestId: string;
  practitionerId: string;
  practitionerName: string;
  invitedBy: string;
  note: string | null;
  opinion: string | null;
  invitedAt: Date;
  answeredAt: Date | null;
}

export interface UploadSessionRow {
  id: string;
  stateId: string;
  patientId: string;
  requestId: string | null;
  kind: AttachmentKind;
  title: string | null;
  mediaType: string;
  sizeBytes: number;
  sha256: string;
  receivedBytes: number;
  fileId: string | null;
  createdBy: string;
}

const UPLOAD_COLUMNS = `id, state_id as "stateId", patient_id as "patientId", request_id as "requestId", kind, title,
  media_type as "mediaType", size_bytes as "sizeBytes", sha256, received_bytes as "receivedBytes", file_id as "fileId",
  created_by as "createdBy"`;

export class HubSpokeRepository {
  constructor(private readonly db: Database) {}

  // ---- Patients ------------------------------------------------------------------------------

  async identifiers(patientIds: string[]): Promise<Map<string, { abhaNumber?: string; abhaAddress?: string }>> {
    const result = new Map<string, { abhaNumber?: string; abhaAddress?: string }>();
    if (patientIds.length === 0) return result;
    const rows = await this.db.query<{ patientId: string; kind: string; value: string }>(
      'select patient_id as "patientId", kind, value from patient_identifiers where patient_id = any($1::uuid[])',
      [patientIds],
    );
    for (const row of rows) {
      const entry = result.get(row.patientId) ?? {};
      if (row.kind === 'abha_number') entry.abhaNumber = row.value;
      else entry.abhaAddress = row.value;
      result.set(row.patientId, entry);
    }
    return result;
  }

  async patientByIdentifier(kind: 'abha_number' | 'abha_address', value: string): Promise<string | undefined> {
    const [row] = await this.db.query<{ patientId: string }>(
      'select patient_id as "patientId" from patient_identifiers where kind = $1 and value = $2',
      [kind, value],
    );
    return row?.patientId;
  }

  /**
   * Stores an identifier; false when another patient holds it already. In the patient's insert
   * transaction (`db`), a racing registration's uncommitted claim is waited for (unique index on
   * kind and value), then seen: one of the two gets false.
   */
  async addIdentifier(
    patientId: string,
    kind: 'abha_number' | 'abha_address',
    value: string,
    db: Queryable = this.db,
  ): Promise<boolean> {
    const rows = await db.query(
      `insert into patient_identifiers (patient_id, kind, value) values ($1, $2, $3)
       on conflict do nothing returning patient_id`,
      [patientId, kind, value],
    );
    if (rows.length === 1) return true;
    const [holder] = await db.query<{ patientId: string }>(
      'select patient_id as "patientId" from patient_identifiers where kind = $1 and value = $2',
      [kind, value],
    );
    return holder?.patientId === patientId;
  }

  /**
   * Patients who may be the one asked for, each way bounded by `limit` and served by an index:
   * the same mobile; the same name key (migration 0016: the given name's consonants, so spelling
   * variants and a misspelt first letter such as C/K or S/Sh match) within 3 years of the year of
   * birth, nearest years first; the same village within a year of it, whatever the name. Without a
   * year of birth the name key alone, any `limit` of them, and the village is not searched.
   * The service scores the candidates (name similarity, year, village) and keeps the best.
   */
  duplicateCandidates(
    scope: StateScope,
    query: {
      mobile?: string | undefined;
      name?: string | undefined;
      birthYear?: number | undefined;
      village?: string | undefined;
    },
    limit: number,
  ): Promise<
    {
      id: string;
      name: string;
      sex: string;
      birthYear: number | null;
      mobile: string | null;
      village: string | null;
      stateId: string;
    }[]
  > {
    const params: unknown[] = [limit];
    const scopeSql = stateScopeCondition(scope, params);
    const year = query.birthYear;
    const ways: string[] = [];
    if (query.mobile !== undefined) {
      params.push(query.mobile);
      ways.push(`select id from patients where ${scopeSql} and mobile = $${params.length} limit $1`);
    }
    if (query.name !== undefined && query.name.trim() !== '') {
      params.push(query.name);
      const key = `patient_name_key(name) = patient_name_key($${params.length}::text)`;
      if (year === undefined) {
        ways.push(`select id from patients where ${scopeSql} and ${key} limit $1`);
      } else {
        params.push(year);
        const y = `$${params.length}::int`;
        ways.push(
          `select id from patients where ${scopeSql} and ${key}
             and (birth_year between ${y} - 3 and ${y} + 3 or birth_year is null)
           order by abs(coalesce(birth_year, ${y}) - ${y}), created_at desc limit $1`,
        );
      }
    }
    if (query.village !== undefined && query.village.trim() !== '' && year !== undefined) {
      params.push(query.village.trim().toLowerCase(), year);
      const [v, y] = [`$${params.length - 1}`, `$${params.length}::int`];
      ways.push(
        `select id from patients where ${scopeSql} and lower(village) = ${v}
           and birth_year between ${y} - 1 and ${y} + 1
         order by created_at desc limit $1`,
      );
    }
    if (ways.length === 0) return Promise.resolve([]);
    return this.db.query(
      `select id, name, sex, birth_year as "birthYear", mobile, village, state_id as "stateId" from patients
       where id in (${ways.map((w) => `(${w})`).join(' union ')})`,
      params,
    );
  }

  async insertConsent(consent: {
    id: string;
    patientId: string;
    stateId: string;
    spokeId: string;
    method: 'verbal' | 'written';
    givenBy: 'patient' | 'guardian';
    recordedBy: string;
    at: Date;
  }): Promise<{ id: string; recordedAt: Date; method: string; givenBy: string; patientId: string } | undefined> {
    await this.db.query(
      `insert into teleconsultation_consents (id, patient_id, state_id, spoke_id, method, given_by, recorded_by, recorded_at)
       values ($1, $2, $3, $4, $5, $6, $7, $8) on conflict (id) do nothing`,
      [
        consent.id,
        consent.patientId,
        consent.stateId,
        consent.spokeId,
        consent.method,
        consent.givenBy,
        consent.recordedBy,
        consent.at,
      ],
    );
    const [row] = await this.db.query<{
      id: string;
      recordedAt: Date;
      method: string;
      givenBy: string;
      patientId: string;
    }>(
      `select id, recorded_at as "recordedAt", method, given_by as "givenBy", patient_id as "patientId"
       from teleconsultation_consents where id = $1 and patient_id = $2`,
      [consent.id, consent.patientId],
    );
    return row;
  }

  async latestConsent(patientId: string): Promise<{ id: string; recordedAt: Date } | undefined> {
    const [row] = await this.db.query<{ id: string; recordedAt: Date }>(
      `select id, recorded_at as "recordedAt" from teleconsultation_consents where patient_id = $1
       order by recorded_at desc limit 1`,
      [patientId],
    );
    return row;
  }

  // ---- Settings and rules --------------------------------------------------------------------

  async settings(stateId: string): Promise<HubSpokeSettings> {
    const [row] = await this.db.query<HubSpokeSettings>(
      `select overflow_minutes as "overflowMinutes", sla_minutes as "slaMinutes", alert_before_minutes as "alertBeforeMinutes",
         referral_due_days as "referralDueDays" from hub_spoke_settings where state_id = $1`,
      [stateId],
    );
    return row ?? DEFAULT_SETTINGS;
  }

  async saveSettings(stateId: string, settings: HubSpokeSettings): Promise<void> {
    await this.db.query(
      `insert into hub_spoke_settings (state_id, overflow_minutes, sla_minutes, alert_before_minutes, referral_due_days)
       values ($1, $2, $3, $4, $5)
       on conflict (state_id) do update set overflow_minutes = $2, sla_minutes = $3, alert_before_minutes = $4,
         referral_due_days = $5`,
      [
        stateId,
        settings.overflowMinutes,
        JSON.stringify(settings.slaMinutes),
        settings.alertBeforeMinutes,
        JSON.stringify(settings.referralDueDays),
      ],
    );
  }

  /** The state's own rules, or the country's defaults when it has none; `own` says which. */
  async triageRules(stateId: string): Promise<{ own: boolean; rules: TriageRule[] }> {
    const rows = await this.db.query<TriageRule>(
      `select position, complaint_code as "complaintCode", red_flag as "redFlag", speciality_code as "specialityCode", urgency
       from triage_rules where state_id = $1 order by position`,
      [stateId],
    );
    return rows.length > 0 ? { own: true, rules: rows } : { own: false, rules: [...DEFAULT_TRIAGE_RULES] };
  }

  async replaceTriageRules(stateId: string, rules: (TriageRule & { id: string })[]): Promise<void> {
    await this.db.transaction(async (tx) => {
      await tx.query('delete from triage_rules where state_id = $1', [stateId]);
      for (const rule of rules) {
        await tx.query(
          `insert into triage_rules (id, state_id, position, complaint_code, red_flag, speciality_code, urgency)
           values ($1, $2, $3, $4, $5, $6, $7)`,
          [rule.id, stateId, rule.position, rule.complaintCode, rule.redFlag, rule.specialityCode, rule.urgency],
        );
      }
    });
  }

  // ---- Requests ------------------------------------------------------------------------------

  /** Inserts a draft; false when the id exists already (a retry). */
  async insertRequest(request: NewRequest, fields: DraftFields, at: Date): Promise<boolean> {
    const rows = await this.db.query(
      `insert into teleconsult_requests (id, state_id, spoke_id, patient_id, created_by, status, mode, follow_up_of,
         preferred_practitioner_id, created_at, updated_at)
       values ($1, $2, $3, $4, $5, 'draft', $6, $7, $8, $9, $9) on conflict (id) do nothing returning id`,
      [
        request.id,
        request.stateId,
        request.spokeId,
        request.patientId,
        request.createdBy,
        request.mode,
        request.followUpOf,
        request.preferredPractitionerId,
        at,
      ],
    );
    if (rows.length === 0) return false;
    if (Object.keys(fields).length > 0) await this.updateDraft(request.id, null, fields, at);
    return true;
  }

  async find(id: string, db: Queryable = this.db): Promise<RequestRow | undefined> {
    const [row] = await db.query<RequestRow>(`select ${COLUMNS} from teleconsult_requests r where r.id = $1`, [id]);
    return row;
  }

  async summaries(where: string, params: unknown[], limit = 200): Promise<RequestSummary[]> {
    return this.db.query<RequestSummary>(
      `select ${SUMMARY} from ${SUMMARY_FROM} where ${where} order by r.urgency_rank, coalesce(r.sent_at, r.created_at) desc
       limit ${String(limit)}`,
      params,
    );
  }

  async summary(id: string): Promise<RequestSummary | undefined> {
    const [row] = await this.summaries('r.id = $1', [id], 1);
    return row;
  }

  /** Changes a draft's fields; undefined when it is no longer a draft or the version moved on. */
  async updateDraft(
    id: string,
    version: number | null,
    fields: DraftFields,
    at: Date,
  ): Promise<RequestRow | undefined> {
    const params: unknown[] = [id, at];
    const sets = ['updated_at = $2', 'version = version + 1'];
    for (const [key, value] of Object.entries(fields) as [keyof DraftFields, unknown][]) {
      params.push(JSON_FIELDS.has(key) ? JSON.stringify(value) : value);
      sets.push(`${DRAFT_COLUMNS[key]} = $${params.length}`);
    }
    let condition = `status = 'draft'`;
    if (version !== null) {
      params.push(version);
      condition += ` and version = $${params.length}`;
    }
    const [row] = await this.db.query<RequestRow>(
      `update teleconsult_requests r set ${sets.join(', ')} where id = $1 and ${condition} returning ${COLUMNS}`,
      params,
    );
    return row;
  }

  /**
   * Sends a draft (or re-routes a request) to the hub at `routing.routeIndex`; guarded by `from`.
   * With `event`, the request's event is written in the same statement (one commit per send).
   */
  async route(
    id: string,
    from: readonly RequestStatus[],
    routing: Routing,
    set: {
      specialityCode: string;
      urgency: Urgency;
      slaDueAt: Date;
      sentAt?: Date;
      reroute?: boolean;
      mode?: RequestMode;
      consentId?: string | null;
      event?: { kind: string; actorUserId: string; detail: Record<string, unknown> };
    },
    at: Date,
  ): Promise<RequestRow | undefined> {
    const [row] = await this.db.query<RequestRow>(
      `with routed as (
         update teleconsult_requests r set status = 'waiting', route_hubs = $3, route_index = $4, hub_id = $5,
           overflow_at = $6, routed_at = $7, speciality_code = $8, urgency = $9, urgency_rank = $10, sla_due_at = $11,
           sent_at = coalesce($12, sent_at), reroutes = reroutes + $13, practitioner_id = null, taken_at = null,
           consultation_id = null, sla_alerted_at = null, updated_at = $7, version = version + 1,
           mode = coalesce($14, mode), consent_id = coalesce($15, consent_id),
           preferred_practitioner_id = case when $19 then preferred_practitioner_id end
         where id = $1 and status = any($2::text[]) returning ${COLUMNS}
       ), event as (
         insert into teleconsult_request_events (request_id, at, kind, actor_user_id, hub_id, detail)
         select id, $7, $16, $17, "hubId", $18::jsonb from routed where $16::text is not null
       )
       select * from routed`,
      [
        id,
        from,
        routing.routeHubs,
        routing.routeIndex,
        routing.hubId,
        routing.overflowAt,
        at,
        set.specialityCode,
        set.urgency,
        { emergency: 0, urgent: 1, routine: 2 }[set.urgency],
        set.slaDueAt,
        set.sentAt ?? null,
        set.reroute === true ? 1 : 0,
        set.mode ?? null,
        set.consentId ?? null,
        set.event?.kind ?? null,
        set.event?.actorUserId ?? null,
        set.event === undefined ? null : JSON.stringify(set.event.detail),
        routing.keepPreference,
      ],
    );
    return row;
  }

  /**
   * Hands the first waiting request of the doctor's hubs to them: urgent first, then the oldest.
   * `for update skip locked` lets every doctor on every instance take at once, never one request
   * to two. A follow-up waiting for its own doctor is passed over until `preferenceExpiresBefore`.
   */
  async takeNext(
    doctor: DoctorContext,
    at: Date,
    preferenceExpiresBefore: Date,
    requestId?: string,
  ): Promise<RequestRow | undefined> {
    return this.db.transaction(async (tx) => {
      const [next] = await tx.query<{ id: string }>(
        `select id from teleconsult_requests
         where status = 'waiting' and hub_id = any($1::uuid[])
           and (cardinality($2::text[]) = 0 or speciality_code = any($2::text[]))
           and (preferred_practitioner_id is null or preferred_practitioner_id = $3 or routed_at < $4)
           and ($5::uuid is null or id = $5)
         order by urgency_rank, sent_at
         limit 1 for update skip locked`,
        [doctor.hubIds, doctor.specialities, doctor.practitionerId, preferenceExpiresBefore, requestId ?? null],
      );
      if (next === undefined) return undefined;
      const [row] = await tx.query<RequestRow>(
        `update teleconsult_requests r set status = 'taken', practitioner_id = $2, taken_at = $3, overflow_at = null,
           updated_at = $3, version = version + 1
         where id = $1 and status = 'waiting' returning ${COLUMNS}`,
        [next.id, doctor.practitionerId, at],
      );
      return row;
    });
  }

  async setConsultation(id: string, consultationId: string): Promise<void> {
    await this.db.query('update teleconsult_requests set consultation_id = $2 where id = $1', [id, consultationId]);
  }

  /** Moves a request between statuses, guarded by who has it; undefined when it was not so. */
  async transition(
    id: string,
    from: RequestStatus,
    to: RequestStatus,
    practitionerId: string | null,
    at: Date,
    set: { answeredAt?: Date; release?: boolean } = {},
  ): Promise<RequestRow | undefined> {
    const [row] = await this.db.query<RequestRow>(
      `update teleconsult_requests r set status = $3, updated_at = $5, version = version + 1,
         answered_at = coalesce($6, answered_at),
         practitioner_id = case when $7 then null else practitioner_id end,
         taken_at = case when $7 then null else taken_at end,
         consultation_id = case when $7 then null else consultation_id end
       where id = $1 and status = $2 and ($4::uuid is null or practitioner_id = $4) returning ${COLUMNS}`,
      [id, from, to, practitionerId, at, set.answeredAt ?? null, set.release === true],
    );
    return row;
  }

  /**
   * Moves waiting requests whose hub did not take them in time to their next mapped hub, in one
   * guarded statement (every instance may sweep). A request at its last hub stays there. A
   * follow-up leaving the hub of its own doctor stops waiting for them: anyone of the next hub may take it.
   */
  overflow(at: Date, limit: number): Promise<RequestRow[]> {
    return this.db.query<RequestRow>(
      `with due as (
         select id from teleconsult_requests where status = 'waiting' and overflow_at <= $1
         order by overflow_at limit $2 for update skip locked
       )
       update teleconsult_requests r set route_index = r.route_index + 1, hub_id = r.route_hubs[r.route_index + 2],
         routed_at = $1, updated_at = $1, preferred_practitioner_id = null,
         overflow_at = case when r.route_index + 2 < cardinality(r.route_hubs) then $1 + make_interval(mins =>
           coalesce((select overflow_minutes from hub_spoke_settings s where s.state_id = r.state_id), 15)) end
       from due where r.id = due.id and r.route_index + 1 < cardinality(r.route_hubs)
       returning ${COLUMNS}`,
      [at, limit],
    );
  }

  /** The facilities whose doctors each hub pools (the hub itself first). */
  async pools(hubIds: string[]): Promise<Map<string, string[]>> {
    if (hubIds.length === 0) return new Map();
    const rows = await this.db.query<{ hubId: string; facilityIds: string[] }>(
      `select h.id as "hubId", array_prepend(h.id, coalesce(array_agg(p.member_id) filter (where p.member_id is not null), '{}'))
         as "facilityIds"
       from unnest($1::uuid[]) as h(id) left join hub_pool_members p on p.hub_id = h.id group by h.id`,
      [hubIds],
    );
    return new Map(rows.map((r) => [r.hubId, r.facilityIds]));
  }

  /** Hubs with requests waiting now. */
  async hubsWithWaiting(): Promise<string[]> {
    const rows = await this.db.query<{ hubId: string }>(
      `select distinct hub_id as "hubId" from teleconsult_requests where status = 'waiting'`,
    );
    return rows.map((r) => r.hubId);
  }

  waitingAt(hubIds: string[], limit: number): Promise<RequestRow[]> {
    return this.db.query<RequestRow>(
      `select ${COLUMNS} from teleconsult_requests r where r.status = 'waiting' and r.hub_id = any($1::uuid[])
       order by r.urgency_rank, r.sent_at limit $2`,
      [hubIds, limit],
    );
  }

  /**
   * Moves a waiting request from one hub of its route to another; undefined when it moved on
   * meanwhile. A follow-up stops waiting for its own doctor, who is not at the new hub.
   */
  async moveTo(
    id: string,
    fromHubId: string,
    toHubId: string,
    overflowAt: Date | null,
    at: Date,
  ): Promise<RequestRow | undefined> {
    const [row] = await this.db.query<RequestRow>(
      `update teleconsult_requests r set hub_id = $3, route_index = array_position(route_hubs, $3::uuid) - 1,
         routed_at = $5, overflow_at = $4, updated_at = $5, preferred_practitioner_id = null
       where id = $1 and status = 'waiting' and hub_id = $2 and $3::uuid = any(route_hubs) returning ${COLUMNS}`,
      [id, fromHubId, toHubId, overflowAt, at],
    );
    return row;
  }

  /** Requests at their last hub whose overflow time passed: nothing more to do but wait. */
  async clearSpentOverflows(at: Date): Promise<void> {
    await this.db.query(
      `update teleconsult_requests set overflow_at = null
       where status = 'waiting' and overflow_at <= $1 and route_index + 1 >= cardinality(route_hubs)`,
      [at],
    );
  }

  /** Requests about to miss their service level, not yet alerted; marked alerted in the same statement. */
  slaAtRisk(at: Date, limit: number): Promise<RequestRow[]> {
    return this.db.query<RequestRow>(
      `with due as (
         select q.id from teleconsult_requests q
         where q.status in ('waiting', 'taken') and q.sla_alerted_at is null
           and q.sla_due_at - make_interval(mins => coalesce((select alert_before_minutes from hub_spoke_settings s
             where s.state_id = q.state_id), 10)) <= $1
         order by q.sla_due_at limit $2 for update skip locked
       )
       update teleconsult_requests r set sla_alerted_at = $1 from due where r.id = due.id returning ${COLUMNS}`,
      [at, limit],
    );
  }

  async addEvent(
    event: {
      requestId: string;
      at: Date;
      kind: string;
      actorUserId: string | null;
      hubId?: string | null;
      practitionerId?: string | null;
      detail?: Record<string, unknown> | null;
    },
    db: Queryable = this.db,
  ): Promise<void> {
    await db.query(
      `insert into teleconsult_request_events (request_id, at, kind, actor_user_id, hub_id, practitioner_id, detail)
       values ($1, $2, $3, $4, $5, $6, $7)`,
      [
        event.requestId,
        event.at,
        event.kind,
        event.actorUserId,
        event.hubId ?? null,
        event.practitionerId ?? null,
        event.detail === undefined || event.detail === null ? null : JSON.stringify(event.detail),
      ],
    );
  }

  async addEvents(events: { requestId: string; at: Date; kind: string; hubId: string | null }[]): Promise<void> {
    if (events.length === 0) return;
    await this.db.query(
      `insert into teleconsult_request_events (request_id, at, kind, hub_id)
       select * from unnest($1::uuid[], $2::timestamptz[], $3::text[], $4::uuid[])`,
      [events.map((e) => e.requestId), events.map((e) => e.at), events.map((e) => e.kind), events.map((e) => e.hubId)],
    );
  }

  events(requestId: string): Promise<EventRow[]> {
    return this.db.query<EventRow>(
      `select e.at, e.kind, e.hub_id as "hubId", h.name as "hubName", e.practitioner_id as "practitionerId",
         d.name as "practitionerName", e.detail
       from teleconsult_request_events e left join facilities h on h.id = e.hub_id
         left join practitioners d on d.id = e.practitioner_id
       where e.request_id = $1 order by e.id`,
      [requestId],
    );
  }

  /** The signed-in doctor: practitioner, the facilities they work at as a hub doctor or specialist, and the hubs those serve. */
  async doctorContext(userId: string): Promise<DoctorContext | undefined> {
    const [row] = await this.db.query<DoctorContext & { practitionerId: string | null }>(
      `select p.id as "practitionerId", p.name, p.state_id as "stateId",
         coalesce(array_agg(distinct r.facility_id) filter (where r.facility_id is not null), '{}') as "facilityIds",
         coalesce((select array_agg(distinct h) from (
           select r2.facility_id as h from practitioner_roles r2
             where r2.practitioner_id = p.id and r2.active and r2.role in ('hub_doctor', 'specialist')
           union select m.hub_id from hub_pool_members m join practitioner_roles r3 on r3.facility_id = m.member_id
             where r3.practitioner_id = p.id and r3.active and r3.role in ('hub_doctor', 'specialist')
         ) hubs), '{}') as "hubIds",
         (select coalesce(array_agg(distinct s), '{}') from (
           select unnest(p.specialities) as s union select unnest(r4.specialities) from practitioner_roles r4
             where r4.practitioner_id = p.id and r4.active and r4.role in ('hub_doctor', 'specialist')) specs) as specialities
       from practitioners p
       left join practitioner_roles r on r.practitioner_id = p.id and r.active and r.role in ('hub_doctor', 'specialist')
       where p.user_id = $1 and p.active group by p.id`,
      [userId],
    );
    return row;
  }

  async practitionerOfUser(userId: string): Promise<string | undefined> {
    const [row] = await this.db.query<{ id: string }>('select id from practitioners where user_id = $1', [userId]);
    return row?.id;
  }

  async practitioner(id: string): Promise<{ id: string; name: string; stateId: string; active: boolean } | undefined> {
    const [row] = await this.db.query<{ id: string; name: string; stateId: string; active: boolean }>(
      'select id, name, state_id as "stateId", active from practitioners where id = $1',
      [id],
    );
    return row;
  }

  async facility(id: string): Promise<FacilityRef | undefined> {
    const [row] = await this.db.query<FacilityRef>(
      'select id, name, kind, state_id as "stateId", district_id as "districtId", active from facilities where id = $1',
      [id],
    );
    return row;
  }

  // ---- Attachments, invites, feedback --------------------------------------------------------

  async attach(requestId: string, fileId: string, kind: AttachmentKind, at: Date): Promise<void> {
    await this.db.query(
      `insert into teleconsult_attachments (request_id, file_id, kind, added_at) values ($1, $2, $3, $4)
       on conflict do nothing`,
      [requestId, fileId, kind, at],
    );
  }

  attachments(requestId: string): Promise<
    {
      fileId: string;
      kind: AttachmentKind;
      title: string | null;
      mediaType: string;
      sizeBytes: number;
      addedAt: Date;
    }[]
  > {
    return this.db.query(
      `select a.file_id as "fileId", a.kind, f.title, f.media_type as "mediaType", f.size_bytes as "sizeBytes",
         a.added_at as "addedAt"
       from teleconsult_attachments a join files f on f.id = a.file_id and f.deleted_at is null
       where a.request_id = $1 order by a.added_at`,
      [requestId],
    );
  }

  async invite(invite: {
    id: string;
    requestId: string;
    practitionerId: string;
    invitedBy: string;
    note: string | null;
    at: Date;
  }): Promise<InviteRow | undefined> {
    await this.db.query(
      `insert into teleconsult_invites (id, request_id, practitioner_id, invited_by, note, invited_at)
       values ($1, $2, $3, $4, $5, $6) on conflict do nothing`,
      [invite.id, invite.requestId, invite.practitionerId, invite.invitedBy, invite.note, invite.at],
    );
    const [row] = await this.invites('i.request_id = $1 and i.practitioner_id = $2', [
      invite.requestId,
      invite.practitionerId,
    ]);
    return row;
  }

  invites(where: string, params: unknown[]): Promise<InviteRow[]> {
    return this.db.query<InviteRow>(
      `select i.id, i.request_id as "requestId", i.practitioner_id as "practitionerId", d.name as "practitionerName",
         i.invited_by as "invitedBy", i.note, i.opinion, i.invited_at as "invitedAt", i.answered_at as "answeredAt"
       from teleconsult_invites i join practitioners d on d.id = i.practitioner_id where ${where}
       order by i.invited_at desc limit 200`,
      params,
    );
  }

  async answerInvite(id: string, practitionerId: string, opinion: string, at: Date): Promise<InviteRow | undefined> {
    const rows = await this.db.query(
      `update teleconsult_invites set opinion = $3, answered_at = $4 where id = $1 and practitioner_id = $2 returning id`,
      [id, practitionerId, opinion, at],
    );
    if (rows.length === 0) return undefined;
    const [row] = await this.invites('i.id = $1', [id]);
    return row;
  }

  /** Stores the rating once; false when the request was rated already. */
  async insertFeedback(feedback: {
    requestId: string;
    stateId: string;
    spokeId: string;
    practitionerId: string;
    complete: boolean;
    appropriateSpeciality: boolean;
    neededVideo: boolean;
    reason: string | null;
    at: Date;
  }): Promise<boolean> {
    const rows = await this.db.query(
      `insert into teleconsult_feedback (request_id, state_id, spoke_id, practitioner_id, complete, appropriate_speciality,
         needed_video, reason, rated_at)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9) on conflict do nothing returning request_id`,
      [
        feedback.requestId,
        feedback.stateId,
        feedback.spokeId,
        feedback.practitionerId,
        feedback.complete,
        feedback.appropriateSpeciality,
        feedback.neededVideo,
        feedback.reason,
        feedback.at,
      ],
    );
    return rows.length === 1;
  }

  /** Weekly shares of the feedback for a spoke or a state, oldest week first. */
  feedbackFigures(
    filter: { spokeId: string } | { stateId: string },
    from: Date,
    to: Date,
  ): Promise<{ week: string; rated: number; complete: number; appropriateSpeciality: number; neededVideo: number }[]> {
    const [column, value] = 'spokeId' in filter ? ['spoke_id', filter.spokeId] : ['state_id', filter.stateId];
    return this.db.query(
      `select to_char(date_trunc('week', rated_at at time zone 'Asia/Kolkata'), 'YYYY-MM-DD') as week,
         count(*)::int as rated, count(*) filter (where complete)::int as complete,
         count(*) filter (where appropriate_speciality)::int as "appropriateSpeciality",
         count(*) filter (where needed_video)::int as "neededVideo"
       from teleconsult_feedback where ${column} = $1 and rated_at >= $2 and rated_at < $3
       group by 1 order by 1`,
      [value, from, to],
    );
  }

  // ---- Referrals -----------------------------------------------------------------------------

  async insertReferral(referral: {
    id: string;
    stateId: string;
    requestId: string | null;
    consultationId: string | null;
    patientId: string;
    fromFacilityId: string;
    referredBy: string;
    destinationId: string;
    reason: string;
    urgency: Urgency;
    summary: string;
    dueAt: Date;
    at: Date;
  }): Promise<boolean> {
    const rows = await this.db.query(
      `insert into referrals (id, state_id, request_id, consultation_id, patient_id, from_facility_id, referred_by,
         destination_id, reason, urgency, summary, status, due_at, sent_at, updated_at)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'sent', $12, $13, $13) on conflict do nothing returning id`,
      [
        referral.id,
        referral.stateId,
        referral.requestId,
        referral.consultationId,
        referral.patientId,
        referral.fromFacilityId,
        referral.referredBy,
        referral.destinationId,
        referral.reason,
        referral.urgency,
        referral.summary,
        referral.dueAt,
        referral.at,
      ],
    );
    return rows.length === 1;
  }

  async referral(id: string): Promise<ReferralRow | undefined> {
    const [row] = await this.referrals('f.id = $1', [id]);
    return row;
  }

  referrals(where: string, params: unknown[], limit = 200): Promise<ReferralRow[]> {
    return this.db.query<ReferralRow>(
      `select ${REFERRAL_COLUMNS} from ${REFERRAL_FROM} where ${where} order by f.due_at limit ${String(limit)}`,
      params,
    );
  }

  async advanceReferral(
    id: string,
    from: readonly ReferralStatus[],
    to: 'received' | 'attended' | 'completed',
    at: Date,
    outcome?: { outcome: ReferralOutcome; note: string | null },
  ): Promise<boolean> {
    const sets = {
      received: 'received_at = $4',
      attended: 'received_at = coalesce(received_at, $4), attended_at = $4',
      completed: `received_at = coalesce(received_at, $4), completed_at = $4, outcome = $5, outcome_note = $6,
        attended_at = case when $5 = 'not_attended' then attended_at else coalesce(attended_at, $4) end`,
    }[to];
    const rows = await this.db.query(
      `update referrals set status = $3, updated_at = $4, ${sets} where id = $1 and status = any($2::text[]) returning id`,
      to === 'completed' ? [id, from, to, at, outcome?.outcome ?? null, outcome?.note ?? null] : [id, from, to, at],
    );
    return rows.length === 1;
  }

  // ---- Care relationship and timeline --------------------------------------------------------

  /**
   * Whether someone treats this patient: the spoke that asked for them (or registered them), the
   * doctor who has or had their request or consultation, a hub that has their request waiting,
   * an invited specialist, or the destination of their referral.
   */
  async treats(
    patientId: string,
    who: { userId: string; practitionerId: string | null; facilityIds: string[]; hubIds: string[] },
  ): Promise<boolean> {
    const [row] = await this.db.query<{ treats: boolean }>(
      `select (
         exists (select 1 from teleconsult_requests r where r.patient_id = $1 and (
           r.spoke_id = any($3::uuid[]) or r.practitioner_id = $2
           or (r.status = 'waiting' and r.hub_id = any($4::uuid[]))))
         or exists (select 1 from teleconsult_invites i join teleconsult_requests r on r.id = i.request_id
           where r.patient_id = $1 and i.practitioner_id = $2)
         or exists (select 1 from consultations c where c.patient_id = $1 and c.practitioner_id = $2)
         or exists (select 1 from patients p where p.id = $1 and p.created_by = $5)
         or exists (select 1 from referrals f where f.patient_id = $1 and f.destination_id = any($3::uuid[]))
       ) as treats`,
      [patientId, who.practitionerId, who.facilityIds, who.hubIds, who.userId],
    );
    return row?.treats === true;
  }

  timelineConsultations(patientId: string): Promise<
    {
      id: string;
      kind: string;
      status: string;
      mode: string;
      startedAt: Date;
      endedAt: Date | null;
      facilityName: string;
      practitionerName: string;
      chiefComplaints: ComplaintEntry[];
      complaintText: string | null;
      vitals: Vitals;
      diagnoses: { code: string; title: string }[];
      advice: string | null;
      followUp: { dueDate: string } | null;
    }[]
  > {
    return this.db.query(
      `select c.id, c.kind, c.status, c.mode, c.started_at as "startedAt", c.ended_at as "endedAt", f.name as "facilityName",
         d.name as "practitionerName", c.chief_complaints as "chiefComplaints", c.complaint_text as "complaintText",
         c.vitals, c.diagnoses, c.advice, c.follow_up as "followUp"
       from consultations c join facilities f on f.id = c.facility_id join practitioners d on d.id = c.practitioner_id
       where c.patient_id = $1 order by c.started_at desc limit 200`,
      [patientId],
    );
  }

  /** The patient's prescriptions (migration 0009 made the table, so it is always there). */
  async timelinePrescriptions(patientId: string): Promise<{ id: string; at: Date; detail: unknown }[]> {
    return this.db.query(
      `select id, created_at as at, to_jsonb(p) - 'id' as detail from prescriptions p where patient_id = $1
       order by created_at desc limit 100`,
      [patientId],
    );
  }

  // ---- Uploads -------------------------------------------------------------------------------

  async createUpload(session: Omit<UploadSessionRow, 'receivedBytes' | 'fileId'>, at: Date): Promise<UploadSessionRow> {
    await this.db.query(
      `insert into upload_sessions (id, state_id, patient_id, request_id, kind, title, media_type, size_bytes, sha256,
         created_by, created_at, updated_at)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11) on conflict (id) do nothing`,
      [
        session.id,
        session.stateId,
        session.patientId,
        session.requestId,
        session.kind,
        session.title,
        session.mediaType,
        session.sizeBytes,
        session.sha256,
        session.createdBy,
        at,
      ],
    );
    const found = await this.upload(session.id);
    if (found === undefined) throw new Error('upload session vanished');
    return found;
  }

  async upload(id: string): Promise<UploadSessionRow | undefined> {
    const [row] = await this.db.query<UploadSessionRow>(`select ${UPLOAD_COLUMNS} from upload_sessions where id = $1`, [
      id,
    ]);
    return row;
  }

  /**
   * Appends a chunk at `offset` when it is exactly where the upload stands: a chunk resent after a
   * dropped answer is skipped, a gap refused. Returns the bytes received afterwards.
   */
  async appendChunk(id: string, offset: number, content: Buffer, at: Date): Promise<number | undefined> {
    return this.db.transaction(async (tx) => {
      const [session] = await tx.query<{ received: number; size: number }>(
        'select received_bytes as received, size_bytes as size from upload_sessions where id = $1 for update',
        [id],
      );
      if (session === undefined) return undefined;
      if (offset !== session.received) return session.received;
      await tx.query('insert into upload_chunks (session_id, offset_bytes, content) values ($1, $2, $3)', [
        id,
        offset,
        content,
      ]);
      const received = offset + content.length;
      await tx.query('update upload_sessions set received_bytes = $2, updated_at = $3 where id = $1', [
        id,
        received,
        at,
      ]);
      return received;
    });
  }

  async chunks(id: string): Promise<Buffer> {
    const rows = await this.db.query<{ content: Uint8Array }>(
      'select content from upload_chunks where session_id = $1 order by offset_bytes',
      [id],
    );
    return Buffer.concat(rows.map((r) => Buffer.from(r.content)));
  }

  async finishUpload(id: string, fileId: string): Promise<void> {
    await this.db.transaction(async (tx) => {
      await tx.query('update upload_sessions set file_id = $2 where id = $1', [id, fileId]);
      await tx.query('delete from upload_chunks where session_id = $1', [id]);
    });
  }
}
