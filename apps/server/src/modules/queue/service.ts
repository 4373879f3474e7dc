import { randomUUID } from 'node:crypto';
import type { Actor } from '../../platform/auth.js';
import { actingRole, assertInScope, scopeFor } from '../../platform/auth.js';
import { TtlCache } from '../../platform/cache.js';
import type { Clock } from '../../platform/clock.js';
import { conflict, forbidden, notFound, unprocessable } from '../../platform/errors.js';
import type { AuditRecorder } from '../audit/index.js';
import { estimatedWaitMinutes, openingStatus, type OpdService, type OpdView } from '../opds/index.js';
import type { PatientRow, PatientService } from '../patients/index.js';
import type { PractitionerService } from '../practitioners/index.js';
import { localParts, zonedInstant } from '../rosters/index.js';
import { ageOn, DEFAULT_ADVANCE_MINUTES, ELDERLY_FROM_AGE, queuePlacement } from './policy.js';
import type { Priority, QueueRepository, SpecialPriority, TokenRow, TokenStatus } from './repository.js';

/** Starts the consultation record when a patient joins; idempotent per token. */
export interface ConsultationStarter {
  start(
    input: {
      kind: 'opd';
      stateId: string;
      patientId: string;
      practitionerId: string;
      facilityId: string;
      tokenId: string;
      mode: 'video' | 'audio' | 'text';
      at: Date;
    },
    actor?: Actor,
  ): Promise<{ id: string }>;
  /** How a consultation ended: the token's outcome follows it. */
  outcome(id: string): Promise<{ status: string; notHappenedReason: string | null } | undefined>;
  /** A consultation as its patient's account or its doctor may read it (audited by its module). */
  get(
    actor: Actor,
    id: string,
  ): Promise<{
    id: string;
    kind: string;
    status: string;
    patientId: string;
    practitionerId: string;
    facilityId: string;
    followUp: { dueDate: string; with: string } | null;
  }>;
}

/** When an OPD opens: its current or next session. */
export type OpeningOf = (opdId: string, at: Date) => Promise<{ openNow: boolean; opensAt: Date | null }>;

export interface QueueEvents {
  publish(topic: string, message: unknown): Promise<void>;
}

/** Topics: the order of some OPD changed (one topic for all, carrying the OPD), and one per patient account. */
export const QUEUE_CHANGED_TOPIC = 'queue.changed';
export const accountTopic = (accountUserId: string) => `queue.account.${accountUserId}`;

/** What `queue.changed` carries: the OPD, and the token event when a doctor holds that token. */
export interface QueueChange {
  opdId: string;
  tokenId?: string;
  event?: TokenEvent;
  status?: TokenStatus;
  practitionerId?: string;
}

export interface Position {
  tokenId: string;
  accountUserId: string;
  ahead: number;
  estimatedWaitMinutes: number;
}

export type TokenEvent =
  | 'booked'
  | 'opened'
  | 'not_happened'
  | 'issued'
  | 'called'
  | 'joined'
  | 'reoffered'
  | 'lapsed'
  | 'closed'
  | 'completed'
  | 'no_show'
  | 'cancelled'
  | 'transferred'
  | 'skipped';

export interface QueueSettings {
  /** How long a called patient has to join. */
  callWindowSeconds: number;
  /** After this long, a follow-up waiting for one doctor may be seen by another. */
  preferenceMinutes: number;
}

export interface TokenView extends TokenRow {
  opdName: string;
  patientName: string;
  /** Patients ahead in the queue (waiting tokens only). */
  ahead: number | null;
  estimatedWaitMinutes: number | null;
}

export const QUEUE_DOCTORS = ['opd_doctor'] as const;
const OPD_VIEW_TTL_MS = 5000;
const PRACTITIONER_TTL_MS = 60_000;
export const QUEUE_MANAGERS = ['opd_doctor', 'coordinator', 'state_admin'] as const;
export const RULE_READERS = ['coordinator', 'state_admin', 'national_admin', 'opd_doctor'] as const;
export const RULE_WRITERS = ['state_admin', 'national_admin'] as const;
const PATIENT = ['patient'] as const;

export class QueueService {
  constructor(
    private readonly repository: QueueRepository,
    private readonly opds: Pick<OpdService, 'view'>,
    private readonly patients: Pick<PatientService, 'getOwn'>,
    private readonly practitioners: Pick<PractitionerService, 'forUser'>,
    private readonly consultations: ConsultationStarter,
    private readonly events: QueueEvents,
    private readonly audit: AuditRecorder,
    private readonly clock: Clock,
    private readonly settings: QueueSettings,
    private readonly opening: OpeningOf,
  ) {}

  /**
   * OPD settings and doctors on shift change rarely but are read on every call and token; a few
   * seconds' staleness only moves an estimate. Opening status is worked out fresh from the hours.
   */
  private readonly opdViews = new TtlCache<string, OpdView>(OPD_VIEW_TTL_MS);

  /** Which practitioner a user is changes almost never; asked on every doctor's action. */
  private readonly practitionersByUser = new TtlCache<string, { id: string } | undefined>(PRACTITIONER_TTL_MS);

  private practitionerOf(userId: string): Promise<{ id: string } | undefined> {
    return this.practitionersByUser.get(userId, (id) => this.practitioners.forUser(id));
  }

  private async opd(opdId: string): Promise<OpdView> {
    const view = await this.opdViews.get(opdId, (id) => this.opds.view(id));
    return { ...view, ...openingStatus(view.hours, this.clock.now(), view.timeZone) };
  }

  /** An OPD a patient may queue in: active and configured (others are not found, as in the list). */
  private async opdForPatient(opdId: string): Promise<OpdView> {
    const opd = await this.opd(opdId);
    if (!opd.active || opd.settings === null) throw notFound('OPD');
    return opd;
  }

  // ---- Patients ----------------------------------------------------------------------------

  async takeToken(
    actor: Actor,
    input: {
      id?: string | undefined;
      opdId: string;
      patientId: string;
      claims?: ('pregnant' | 'disabled')[] | undefined;
    },
  ): Promise<{ token: TokenView; created: boolean }> {
    const now = this.clock.now();
    const patient = await this.ownProfile(actor, input.patientId);
    const opd = await this.opdForPatient(input.opdId);
    const settings = opd.settings;
    if (settings === null) throw notFound('OPD');
    const existing = (await this.repository.liveForAccount(actor.principal.userId)).find(
      (t) => t.patientId === patient.id,
    );
    if (existing !== undefined) {
      if (existing.opdId === opd.id) return { token: await this.view(existing, opd, patient), created: false };
      throw conflict(
        `${patient.name} already has token ${existing.tokenNumber} in another OPD; leave it first`,
        'body.patientId',
      );
    }
    if (!opd.openNow) {
      const opens = opd.opensAt === null ? 'not scheduled' : `opens at ${opd.opensAt.toISOString()}`;
      throw unprocessable(`This OPD is closed now (${opens}); please come back when it opens`, 'body.opdId');
    }
    const serviceDate = localParts(now, opd.timeZone).date;
    const claims: SpecialPriority[] = [...(input.claims ?? [])];
    const age = ageOn(serviceDate, patient.birthDate, patient.birthYear);
    if (age !== null && age >= ELDERLY_FROM_AGE) claims.push('elderly');
    const placement = queuePlacement(now, claims, await this.repository.priorityAdvances(opd.stateId));
    const id = input.id ?? randomUUID();
    // Capacity and the waiting room are checked in the insert's transaction, under the OPD day's lock.
    const inserted = await this.repository.insert(
      {
        id,
        opdId: opd.id,
        stateId: opd.stateId,
        serviceDate,
        patientId: patient.id,
        accountUserId: actor.principal.userId,
        priority: placement.priority,
        joinedAt: now,
        queueAt: placement.queueAt,
        preferredPractitionerId: null,
      },
      { dailyCapacity: settings.dailyCapacity, waitingRoomSize: settings.waitingRoomSize },
    );
    if (inserted.kind === 'full') {
      throw inserted.limit === 'capacity'
        ? unprocessable("Today's tokens for this OPD are all given; please try another OPD or tomorrow", 'body.opdId')
        : unprocessable('The waiting room is full; please try again in a few minutes', 'body.opdId');
    }
    if (inserted.kind === 'clash') {
      // Another request for this patient won the race (a retry, or a second device).
      const live = (await this.repository.liveForAccount(actor.principal.userId)).find(
        (t) => t.patientId === patient.id,
      );
      if (live?.opdId === opd.id) return { token: await this.view(live, opd, patient), created: false };
      throw conflict(`${patient.name} already has a token`, 'body.patientId');
    }
    const token = inserted.token;
    await this.record(actor, 'create', token);
    await this.notify(token, 'issued');
    return { token: await this.view(token, opd, patient), created: true };
  }

  /** One token, with its final status and reason when it has ended: for its owner, or staff of its state. */
  async token(actor: Actor, tokenId: string): Promise<TokenView> {
    const token =
      actor.principal.kind === 'patient'
        ? await this.ownToken(actor, tokenId)
        : await this.tokenForStaff(actor, tokenId);
    return only(await this.views([token]));
  }

  /** The patient this doctor has in hand (called or in consultation), after a reload or on another device. */
  async inHand(actor: Actor): Promise<TokenView | null> {
    const doctor = await this.practitionerOf(actor.principal.userId);
    if (doctor === undefined) throw notFound('Your practitioner record');
    const token = await this.repository.inHand(doctor.id);
    return token === undefined ? null : only(await this.views([token]));
  }

  /** The live tokens of the signed-in account, with place and wait: what any device shows on return. */
  async myTokens(actor: Actor): Promise<TokenView[]> {
    const [live, booked] = await Promise.all([
      this.repository.liveForAccount(actor.principal.userId),
      this.repository.bookedForAccount(actor.principal.userId),
    ]);
    return this.views([...live, ...booked]);
  }

  /**
   * Accepts the next session offered to a token closed at closing: a booking that joins the
   * queue when the session opens, in the place the patient had (their original order).
   */
  async bookNextSession(actor: Actor, tokenId: string): Promise<{ token: TokenView; created: boolean }> {
    const closed = await this.ownToken(actor, tokenId);
    const existing = await this.repository.findBooking({ carriedFrom: closed.id });
    if (existing !== undefined) return { token: only(await this.views([existing])), created: false };
    if (closed.status !== 'closed') throw conflict('Only a token closed at closing can be moved to the next session');
    const opd = await this.opdForPatient(closed.opdId);
    const opening = await this.opening(opd.id, this.clock.now());
    if (opening.openNow || opening.opensAt === null)
      throw conflict(opening.openNow ? 'This OPD is open now; take a token' : 'This OPD has no next session');
    const token = await this.book(actor, opd, {
      patientId: closed.patientId,
      bookedFor: opening.opensAt,
      joinedAt: closed.joinedAt,
      queueAt: closed.queueAt,
      priority: closed.priority,
      preferredPractitionerId: closed.preferredPractitionerId,
      carriedFrom: closed.id,
      followUpOf: null,
    });
    if (token === undefined) {
      const raced = await this.repository.findBooking({ carriedFrom: closed.id });
      if (raced !== undefined) return { token: only(await this.views([raced])), created: false };
      throw conflict('This patient already has a booking; cancel it first', 'params.id');
    }
    return { token: only(await this.views([token])), created: true };
  }

  /**
   * Books the follow-up a doctor asked for, with the same doctor (continuity): the first session
   * of the OPD on or after the due date. When the patient comes, that doctor is offered them
   * first; after a while any doctor of the OPD may see them, so nobody waits on one doctor.
   */
  async bookFollowUp(
    actor: Actor,
    input: { id?: string | undefined; consultationId: string },
  ): Promise<{ token: TokenView; created: boolean }> {
    const consultation = await this.consultations.get(actor, input.consultationId);
    const existing = await this.repository.findBooking({ followUpOf: consultation.id });
    if (existing !== undefined) return { token: only(await this.views([existing])), created: false };
    const followUp = consultation.followUp;
    if (consultation.kind !== 'opd' || consultation.status !== 'completed' || followUp === null)
      throw unprocessable('The doctor did not ask for a follow-up in this OPD', 'body.consultationId');
    if (followUp.with !== 'same_doctor' && followUp.with !== 'same_facility')
      throw unprocessable('This follow-up is not with this OPD; see the advice for where to go', 'body.consultationId');
    const patient = await this.ownProfile(actor, consultation.patientId);
    const opd = await this.opdForPatient(consultation.facilityId);
    const now = this.clock.now();
    const dueStart = zonedInstant(followUp.dueDate, 0, opd.timeZone);
    const from = dueStart.getTime() > now.getTime() ? dueStart : now;
    const opening = await this.opening(opd.id, from);
    if (opening.opensAt === null) throw conflict('This OPD has no session to book');
    const bookedFor = opening.openNow ? from : opening.opensAt;
    const token = await this.book(actor, opd, {
      id: input.id,
      patientId: patient.id,
      bookedFor,
      joinedAt: bookedFor,
      queueAt: bookedFor,
      priority: 'normal',
      preferredPractitionerId: followUp.with === 'same_doctor' ? consultation.practitionerId : null,
      carriedFrom: null,
      followUpOf: consultation.id,
    });
    if (token === undefined) {
      const raced = await this.repository.findBooking({ followUpOf: consultation.id });
      if (raced !== undefined) return { token: only(await this.views([raced])), created: false };
      throw conflict(`${patient.name} already has a booking; cancel it first`, 'body.consultationId');
    }
    return { token: only(await this.views([token])), created: true };
  }

  async cancel(actor: Actor, tokenId: string): Promise<TokenView> {
    const token = await this.ownToken(actor, tokenId);
    const cancelled = await this.repository.transition(
      token.id,
      ['booked', 'waiting', 'called'],
      'cancelled',
      this.clock.now(),
      {
        outcomeReason: 'left the queue',
      },
    );
    if (cancelled === undefined) throw conflict('This token can no longer be cancelled');
    await this.record(actor, 'update', cancelled, { status: 'cancelled' });
    await this.notify(cancelled, 'cancelled');
    return only(await this.views([cancelled]));
  }

  /**
   * The patient answers the call. Joining again while in consultation (a dropped call) returns
   * the same consultation with the same doctor: the place is kept.
   */
  async join(actor: Actor, tokenId: string, mode: 'video' | 'audio' | 'text' = 'video'): Promise<TokenView> {
    const now = this.clock.now();
    const token = await this.ownToken(actor, tokenId);
    if (token.status === 'in_consultation') return only(await this.views([token]));
    if (token.status !== 'called' || token.practitionerId === null)
      throw conflict('You have not been called yet; please keep waiting');
    if (token.callDeadline !== null && token.callDeadline.getTime() < now.getTime()) {
      throw conflict('The call has timed out; you will be called again shortly');
    }
    const consultation = await this.consultations.start(
      {
        kind: 'opd',
        stateId: token.stateId,
        patientId: token.patientId,
        practitionerId: token.practitionerId,
        facilityId: token.opdId,
        tokenId: token.id,
        mode,
        at: now,
      },
      actor,
    );
    const joined = await this.repository.transition(token.id, ['called'], 'in_consultation', now, {
      consultationId: consultation.id,
      callDeadline: null,
    });
    const current = joined ?? (await this.repository.find(token.id));
    if (current?.status !== 'in_consultation')
      throw conflict('The call has timed out; you will be called again shortly');
    await this.notify(current, 'joined');
    return only(await this.views([current]));
  }

  // ---- Doctors -----------------------------------------------------------------------------

  /** The waiting list of an OPD for its doctors: order, waiting time, priority marks. */
  async queue(actor: Actor, opdId: string): Promise<TokenView[]> {
    const opd = await this.opdForStaff(actor, opdId);
    const tokens = await this.repository.waiting(opd.id, 500);
    const views = await this.viewsFor(tokens, opd);
    await this.audit.record(tokens.map((t) => ({ ...this.entry(actor, 'search', t), detail: null })));
    return views;
  }

  /** Hands the next waiting patient to this doctor: exactly one doctor per token, on any instance. */
  async callNext(actor: Actor, opdId: string): Promise<TokenView | null> {
    const now = this.clock.now();
    const doctor = await this.doctorAt(actor, opdId);
    if (doctor.held !== null) throw conflict(`Finish token ${doctor.held.tokenNumber} before calling the next patient`);
    const token = await this.repository.claimNext(
      opdId,
      doctor.practitionerId,
      now,
      new Date(now.getTime() + this.settings.callWindowSeconds * 1000),
      new Date(now.getTime() - this.settings.preferenceMinutes * 60_000),
    );
    if (token === undefined) return null;
    await Promise.all([this.record(actor, 'update', token, { status: 'called' }), this.notify(token, 'called')]);
    return only(await this.viewsFor([token], await this.opd(opdId), token.patientName));
  }

  /** Calls a particular token again: one skipped earlier, or one whose call dropped. */
  async recall(actor: Actor, tokenId: string): Promise<TokenView> {
    const now = this.clock.now();
    const token = await this.tokenForStaff(actor, tokenId);
    const doctor = await this.doctorAt(actor, token.opdId);
    if (heldByAnother(token, doctor.practitionerId)) throw forbidden('Another doctor has this patient');
    if (doctor.held !== null && doctor.held.id !== token.id)
      throw conflict(`Finish token ${doctor.held.tokenNumber} first`);
    // Guarded in the update too: another doctor's call-next may have taken the token since it was read.
    const called = await this.repository.transition(
      token.id,
      ['waiting', 'called'],
      'called',
      now,
      {
        practitionerId: doctor.practitionerId,
        calledAt: now,
        callDeadline: new Date(now.getTime() + this.settings.callWindowSeconds * 1000),
      },
      { heldByNoneOr: doctor.practitionerId },
    );
    if (called === undefined) {
      const current = await this.repository.find(token.id);
      if (current !== undefined && heldByAnother(current, doctor.practitionerId))
        throw forbidden('Another doctor has this patient');
      throw conflict('This token is no longer waiting');
    }
    await this.record(actor, 'update', called, { status: 'called', recall: true });
    await this.notify(called, 'called');
    return only(await this.viewsFor([called], await this.opd(token.opdId)));
  }

  /**
   * Passes a called patient for now: they go back just behind the next patient waiting, so the
   * doctor's next call hands out someone else and the call after that is theirs again (never
   * further back than their own place). Skipping again moves them back by one more each time.
   */
  async skip(actor: Actor, tokenId: string): Promise<TokenView> {
    return this.staffChange(actor, tokenId, 'waiting', 'skipped', (token, at) => this.repository.skip(token.id, at));
  }

  async noShow(actor: Actor, tokenId: string, reason: string): Promise<TokenView> {
    return this.staffTransition(
      actor,
      tokenId,
      ['called'],
      'no_show',
      { outcomeReason: reason, callDeadline: null },
      'no_show',
    );
  }

  /**
   * Ends the token as its consultation ended: completed, or "did not happen" with the reason the
   * doctor gave. A consultation still in progress must be completed (or marked) first, so that no
   * patient leaves the queue without a record.
   */
  async finish(actor: Actor, tokenId: string): Promise<TokenView> {
    const token = await this.tokenForStaff(actor, tokenId);
    const outcome = token.consultationId === null ? undefined : await this.consultations.outcome(token.consultationId);
    if (outcome?.status === 'not_happened') {
      return this.staffTransition(
        actor,
        tokenId,
        ['in_consultation'],
        'not_happened',
        { outcomeReason: (outcome.notHappenedReason ?? 'other').replaceAll('_', ' ') },
        'not_happened',
      );
    }
    if (outcome?.status !== 'completed' && token.status === 'in_consultation')
      throw conflict('Complete the consultation record, or mark that the call did not happen, before finishing');
    return this.staffTransition(actor, tokenId, ['in_consultation'], 'completed', {}, 'completed');
  }

  /** Marks a waiting patient (e.g. emergency); their place follows the state's rules. */
  async setPriority(actor: Actor, tokenId: string, priority: Priority): Promise<TokenView> {
    const token = await this.tokenForStaff(actor, tokenId);
    const placement = queuePlacement(
      token.joinedAt,
      priority === 'normal' ? [] : [priority],
      await this.repository.priorityAdvances(token.stateId),
    );
    return this.staffTransition(
      actor,
      tokenId,
      ['waiting'],
      'waiting',
      { priority: placement.priority, queueAt: placement.queueAt },
      'issued',
    );
  }

  /** Moves a waiting patient to another OPD (or speciality), keeping their time of arrival. */
  async transfer(actor: Actor, tokenId: string, toOpdId: string): Promise<TokenView> {
    const now = this.clock.now();
    const token = await this.tokenForStaff(actor, tokenId);
    const target = await this.opdForStaff(actor, toOpdId);
    if (target.id === token.opdId) throw unprocessable('The patient is already in this OPD', 'body.opdId');
    const settings = target.settings;
    if (settings === null || !target.openNow) throw unprocessable('That OPD is not open now', 'body.opdId');
    const moved = await this.repository.transfer(
      token.id,
      ['waiting', 'called'],
      {
        id: randomUUID(),
        opdId: target.id,
        stateId: target.stateId,
        serviceDate: localParts(now, target.timeZone).date,
        patientId: token.patientId,
        accountUserId: token.accountUserId,
        priority: token.priority,
        joinedAt: token.joinedAt,
        queueAt: token.queueAt,
        preferredPractitionerId: null,
      },
      { dailyCapacity: settings.dailyCapacity, waitingRoomSize: settings.waitingRoomSize },
      now,
    );
    if (moved.kind === 'gone') throw conflict('This token is no longer waiting');
    if (moved.kind === 'full') {
      throw moved.limit === 'capacity'
        ? unprocessable("That OPD's tokens for today are all given; choose another OPD", 'body.opdId')
        : unprocessable("That OPD's waiting room is full; choose another OPD or try again shortly", 'body.opdId');
    }
    if (moved.kind === 'clash') throw conflict('The patient already has a live token');
    await this.record(actor, 'update', moved.old, { status: 'transferred', to: target.id });
    await this.notify(moved.old, 'transferred');
    await this.notify(moved.token, 'issued');
    return only(await this.viewsFor([moved.token], target));
  }

  async daySummary(actor: Actor, date?: string): Promise<{ date: string; counts: Record<string, number> }> {
    const doctor = await this.practitionerOf(actor.principal.userId);
    if (doctor === undefined) throw notFound('Your practitioner record');
    const day = date ?? localParts(this.clock.now(), 'Asia/Kolkata').date;
    return { date: day, counts: await this.repository.dayCounts(doctor.id, day) };
  }

  /**
   * Every waiting token's place in several OPDs, from one query: what the live updates send. The
   * estimate shares the patients ahead among the doctors available now.
   */
  async positions(opdIds: readonly string[]): Promise<Map<string, Position[]>> {
    const [rows, opds] = await Promise.all([
      this.repository.waitingOrders(opdIds),
      Promise.all(opdIds.map((id) => this.opd(id).catch(() => undefined))),
    ]);
    const byOpd = new Map<string, Position[]>(opdIds.map((id) => [id, []]));
    const opdById = new Map(opds.flatMap((opd) => (opd === undefined ? [] : [[opd.id, opd] as const])));
    for (const row of rows) {
      const opd = opdById.get(row.opdId);
      byOpd.get(row.opdId)?.push({
        tokenId: row.id,
        accountUserId: row.accountUserId,
        ahead: row.ahead,
        estimatedWaitMinutes: estimatedWaitMinutes(
          row.ahead,
          opd?.settings?.consultationMinutes ?? 10,
          opd?.doctorsAvailable ?? 0,
        ),
      });
    }
    return byOpd;
  }

  /** The places of one account's waiting tokens: what a device is shown when it connects. */
  async placesOf(accountUserId: string): Promise<Position[]> {
    // Only the count ahead and the OPD's estimate: no names, so no name query on every connect.
    const waiting = (await this.repository.liveForAccount(accountUserId)).filter((t) => t.status === 'waiting');
    return Promise.all(
      waiting.map(async (token) => {
        const [ahead, opd] = await Promise.all([this.repository.ahead(token), this.opd(token.opdId)]);
        return {
          tokenId: token.id,
          accountUserId,
          ahead,
          estimatedWaitMinutes: estimatedWaitMinutes(
            ahead,
            opd.settings?.consultationMinutes ?? 10,
            opd.doctorsAvailable,
          ),
        };
      }),
    );
  }

  /** The OPDs in which an account has live tokens (what its live connection listens to). */
  async liveOpdsOf(accountUserId: string): Promise<string[]> {
    return [...new Set((await this.repository.liveForAccount(accountUserId)).map((t) => t.opdId))];
  }

  /** The state's priority rules, with the defaults filled in where it has set none. */
  async priorityRules(actor: Actor, stateId: string): Promise<{ priority: SpecialPriority; advanceMinutes: number }[]> {
    assertInScope(scopeFor(actor.principal, RULE_READERS), stateId);
    const advances = await this.repository.priorityAdvances(stateId);
    return (Object.keys(DEFAULT_ADVANCE_MINUTES) as SpecialPriority[]).map((priority) => ({
      priority,
      advanceMinutes: advances.get(priority) ?? DEFAULT_ADVANCE_MINUTES[priority],
    }));
  }

  /** A state sets how far ahead each priority goes; tokens already waiting keep their place. */
  async setPriorityRules(
    actor: Actor,
    stateId: string,
    rules: { priority: SpecialPriority; advanceMinutes: number }[],
  ) {
    assertInScope(scopeFor(actor.principal, RULE_WRITERS), stateId);
    const seen = new Set<string>();
    for (const [index, rule] of rules.entries()) {
      if (seen.has(rule.priority))
        throw unprocessable(`${rule.priority} is listed twice`, `body.rules.${String(index)}.priority`);
      seen.add(rule.priority);
    }
    await this.repository.setPriorityAdvances(stateId, rules);
    await this.audit.record({
      actorId: actor.principal.userId,
      actorRole: actingRole(actor.principal, RULE_WRITERS),
      action: 'update',
      resourceType: 'QueuePriorityRules',
      resourceId: stateId,
      stateId,
      ip: actor.ip,
      detail: { rules },
    });
    return this.priorityRules(actor, stateId);
  }

  // ---- Time passing ------------------------------------------------------------------------

  /**
   * Runs every few seconds on every instance (each step is a guarded update, so two instances
   * sweeping at once do no harm): a missed call is re-offered once at the front, then lapses;
   * tokens still waiting when their OPD closes are closed and told to come to the next session.
   */
  async sweep(): Promise<void> {
    const now = this.clock.now();
    for (const token of await this.repository.activateBooked(now, 500)) await this.notify(token, 'opened');
    for (const token of await this.repository.expiredCalls(now, 500)) {
      const missed = token.missedCalls + 1;
      if (missed >= 2) {
        const lapsed = await this.repository.transition(token.id, ['called'], 'lapsed', now, {
          missedCalls: missed,
          callDeadline: null,
          outcomeReason: 'did not join after two calls',
        });
        if (lapsed !== undefined) await this.notify(lapsed, 'lapsed');
      } else {
        const front = (await this.repository.frontOf(token.opdId)) ?? now;
        const reoffered = await this.repository.transition(token.id, ['called'], 'waiting', now, {
          missedCalls: missed,
          practitionerId: null,
          calledAt: null,
          callDeadline: null,
          queueAt: new Date(Math.min(front.getTime(), token.queueAt.getTime()) - 1000),
        });
        if (reoffered !== undefined) await this.notify(reoffered, 'reoffered');
      }
    }
    for (const opdId of await this.repository.opdsWithWaiting()) {
      const opening = await this.opening(opdId, now);
      if (opening.openNow) continue;
      const closed = await this.repository.closeWaiting(opdId, now, 'the OPD closed before your turn', opening.opensAt);
      for (const token of closed) await this.notify(token, 'closed');
    }
  }

  // ---- Helpers -----------------------------------------------------------------------------

  /** Inserts a booking for a later session, within that day's capacity; undefined on a clash. */
  private async book(
    actor: Actor,
    opd: OpdView,
    booking: {
      id?: string | undefined;
      patientId: string;
      bookedFor: Date;
      joinedAt: Date;
      queueAt: Date;
      priority: Priority;
      preferredPractitionerId: string | null;
      carriedFrom: string | null;
      followUpOf: string | null;
    },
  ): Promise<TokenRow | undefined> {
    if (opd.settings === null) throw notFound('OPD');
    const serviceDate = localParts(booking.bookedFor, opd.timeZone).date;
    const inserted = await this.repository.insert(
      {
        id: booking.id ?? randomUUID(),
        opdId: opd.id,
        stateId: opd.stateId,
        serviceDate,
        patientId: booking.patientId,
        accountUserId: actor.principal.userId,
        priority: booking.priority,
        joinedAt: booking.joinedAt,
        queueAt: booking.queueAt,
        preferredPractitionerId: booking.preferredPractitionerId,
        booking: { bookedFor: booking.bookedFor, carriedFrom: booking.carriedFrom, followUpOf: booking.followUpOf },
      },
      { dailyCapacity: opd.settings.dailyCapacity },
    );
    if (inserted.kind === 'full')
      throw unprocessable('That session is fully booked; please take a token another day', 'body.opdId');
    if (inserted.kind === 'clash') return undefined;
    const token = inserted.token;
    await this.record(actor, 'create', token, { booked: true, bookedFor: booking.bookedFor.toISOString() });
    await this.notify(token, 'booked');
    return token;
  }

  private async staffTransition(
    actor: Actor,
    tokenId: string,
    from: readonly TokenStatus[],
    to: TokenStatus,
    set: Parameters<QueueRepository['transition']>[4],
    event: TokenEvent,
  ): Promise<TokenView> {
    return this.staffChange(actor, tokenId, to, event, (token, at) =>
      this.repository.transition(token.id, from, to, at, set),
    );
  }

  /** A staff member's change to a token (a doctor's only when no other doctor holds it), recorded and told. */
  private async staffChange(
    actor: Actor,
    tokenId: string,
    to: TokenStatus,
    event: TokenEvent,
    change: (token: TokenRow, at: Date) => Promise<(TokenRow & { patientName: string }) | undefined>,
  ): Promise<TokenView> {
    const token = await this.tokenForStaff(actor, tokenId);
    if (actor.principal.roles.every((r) => r.role === 'opd_doctor')) {
      const doctor = await this.practitionerOf(actor.principal.userId);
      if (token.practitionerId !== null && token.practitionerId !== doctor?.id)
        throw forbidden('Another doctor has this patient');
    }
    const changed = await change(token, this.clock.now());
    if (changed === undefined)
      throw conflict(`This token is ${token.status.replace('_', ' ')} and cannot be changed that way`);
    await Promise.all([this.record(actor, 'update', changed, { status: to }), this.notify(changed, event)]);
    return only(await this.viewsFor([changed], await this.opd(token.opdId), changed.patientName));
  }

  private ownProfile(actor: Actor, patientId: string): Promise<PatientRow> {
    return this.patients.getOwn(actor, patientId);
  }

  private async ownToken(actor: Actor, tokenId: string): Promise<TokenRow> {
    const token = await this.repository.find(tokenId);
    if (token?.accountUserId !== actor.principal.userId) throw notFound('Token');
    return token;
  }

  private async tokenForStaff(actor: Actor, tokenId: string): Promise<TokenRow> {
    const token = await this.repository.find(tokenId);
    if (token === undefined) throw notFound('Token');
    const scope = scopeFor(actor.principal, QUEUE_MANAGERS);
    if (!(scope.all || scope.stateIds.includes(token.stateId))) throw notFound('Token');
    return token;
  }

  private async opdForStaff(actor: Actor, opdId: string): Promise<OpdView> {
    const opd = await this.opd(opdId);
    assertInScope(scopeFor(actor.principal, QUEUE_MANAGERS), opd.stateId);
    return opd;
  }

  /**
   * The signed-in doctor's practitioner record, checked to be an active OPD doctor here, with the
   * patient they hold now: one query on the hot path of "call next".
   */
  private async doctorAt(actor: Actor, opdId: string) {
    const doctor = await this.repository.doctorAt(actor.principal.userId, opdId);
    if (doctor !== undefined) return doctor;
    if ((await this.practitionerOf(actor.principal.userId)) === undefined) throw notFound('Your practitioner record');
    throw forbidden('You are not a doctor of this OPD');
  }

  /** Tokens as their owner or staff see them (the caller has been authorised for each). */
  private async views(tokens: TokenRow[]): Promise<TokenView[]> {
    const result: TokenView[] = [];
    for (const token of tokens) result.push(...(await this.viewsFor([token], await this.opd(token.opdId))));
    return result;
  }

  private async viewsFor(tokens: TokenRow[], opd: OpdView, patientName?: string): Promise<TokenView[]> {
    const names =
      patientName === undefined
        ? await this.repository.patientNames([...new Set(tokens.map((t) => t.patientId))])
        : null;
    return Promise.all(
      tokens.map(async (token) => {
        const ahead = token.status === 'waiting' ? await this.repository.ahead(token) : null;
        return {
          ...token,
          opdName: opd.name,
          patientName: patientName ?? names?.get(token.patientId) ?? '',
          ahead,
          estimatedWaitMinutes:
            ahead === null || opd.settings === null
              ? null
              : estimatedWaitMinutes(ahead, opd.settings.consultationMinutes, opd.doctorsAvailable),
        };
      }),
    );
  }

  private async view(token: TokenRow, opd: OpdView, patient: PatientRow): Promise<TokenView> {
    return only(await this.viewsFor([token], opd, patient.name));
  }

  private notify(token: TokenRow, event: TokenEvent): Promise<void> {
    // The OPD's consoles hear of events about a patient a doctor holds (joined, left, lapsed) at once.
    const change: QueueChange = {
      opdId: token.opdId,
      ...(token.practitionerId === null
        ? {}
        : { tokenId: token.id, event, status: token.status, practitionerId: token.practitionerId }),
    };
    return Promise.all([
      this.events.publish(QUEUE_CHANGED_TOPIC, change),
      this.events.publish(accountTopic(token.accountUserId), { tokenId: token.id, event, status: token.status }),
    ]).then(() => undefined);
  }

  private entry(
    actor: Actor,
    action: 'create' | 'update' | 'search',
    token: TokenRow,
    detail?: Record<string, unknown>,
  ) {
    return {
      actorId: actor.principal.userId,
      actorRole: actingRole(actor.principal, actor.principal.kind === 'patient' ? PATIENT : QUEUE_MANAGERS),
      action,
      resourceType: 'OpdToken',
      resourceId: token.id,
      patientId: token.patientId,
      stateId: token.stateId,
      ip: actor.ip,
      detail: detail ?? null,
    };
  }

  private record(
    actor: Actor,
    action: 'create' | 'update',
    token: TokenRow,
    detail?: Record<string, unknown>,
  ): Promise<void> {
    return this.audit.record(this.entry(actor, action, token, detail));
  }
}

/** A token called by, or in consultation with, a doctor other than this one. */
function heldByAnother(token: Pick<TokenRow, 'status' | 'practitionerId'>, practitionerId: string): boolean {
  return (
    (token.status === 'called' || token.status === 'in_consultation') &&
    token.practitionerId !== null &&
    token.practitionerId !== practitionerId
  );
}

function only<T>(items: T[]): T {
  const [item] = items;
  if (item === undefined) throw new Error('expected one item');
  return item;
}
