import { randomUUID } from 'node:crypto';
import type { Actor } from '../../platform/auth.js';
import type { Clock } from '../../platform/clock.js';
import type { Config } from '../../platform/config.js';
import { badRequest, conflict, forbidden, notFound } from '../../platform/errors.js';
import type { AuditAction, AuditRecorder } from '../audit/index.js';
import { iceServersFor, newRoomId, type IceServer, type JoinClaims, type JoinTokens } from './credentials.js';
import type { SignalMessage } from './hub.js';
import type {
  CallbackRow,
  CallEventRow,
  CallRepository,
  ConsultationParties,
  InviteRow,
  MessageRow,
  PresenceRow,
} from './repository.js';

/** A mesh of four: every participant sends to each other one, which is what a phone can carry. */
export const MAX_PARTICIPANTS = 4;

export const INVITE_ROLES = ['specialist', 'interpreter', 'health_worker', 'other'] as const;
export type InviteRole = (typeof INVITE_ROLES)[number];

/** A participant's part in the call: the patient, the treating doctor, or an invited role. */
export type CallRole = 'patient' | 'doctor' | InviteRole;

export interface CallCredentials {
  consultationId: string;
  roomId: string;
  participantId: string;
  role: CallRole;
  name: string;
  /** Opens the signalling socket until `expiresAt`; a rejoin asks for a new one. */
  token: string;
  expiresAt: Date;
  iceServers: IceServer[];
  maxParticipants: number;
}

/** Why a signalling socket was refused, as a WebSocket close code (4000–4999 are the application's). */
export class JoinRefused extends Error {
  constructor(
    readonly code: number,
    reason: string,
  ) {
    super(reason);
    this.name = 'JoinRefused';
  }
}

export interface Admission {
  claims: JoinClaims;
  parties: ConsultationParties;
  others: PresenceRow[];
  replaced: PresenceRow | undefined;
}

const MAX_MESSAGE = 2000;
const PHONE = /^[6-9][0-9]{9}$/;

/**
 * Video calls of consultations: who may take part, their credentials (a signed join token and
 * TURN credentials), invites for a second-opinion specialist or an interpreter, the chat kept
 * with the consultation, requests for a phone call back, and the record of every join and leave.
 */
export class CallService {
  constructor(
    private readonly repository: CallRepository,
    private readonly audit: AuditRecorder,
    private readonly clock: Clock,
    private readonly config: Config['calls'],
    private readonly tokens: JoinTokens,
    private readonly notify: (roomId: string, message: SignalMessage) => Promise<void>,
    readonly instanceId: string = randomUUID(),
  ) {}

  /**
   * The caller's credentials for the consultation's call, opening its room if it has none. Only
   * the patient's account, the treating doctor and invited participants get them, and only while
   * the consultation is in progress.
   */
  async credentials(actor: Actor, consultationId: string): Promise<CallCredentials> {
    const { parties, role } = await this.asParticipant(actor, consultationId);
    if (parties.status !== 'in_progress') throw conflict('The consultation has ended; its call is closed');
    const room = await this.repository.openRoom(parties.id, parties.stateId, randomUUID(), newRoomId());
    const now = this.clock.now();
    const name =
      role === 'patient'
        ? parties.patientName
        : role === 'doctor'
          ? parties.practitionerName
          : ((await this.repository.user(actor.principal.userId))?.displayName ?? role);
    const claims: JoinClaims = {
      roomId: room.roomId,
      consultationId: parties.id,
      userId: actor.principal.userId,
      participantId: this.tokens.participantId(room.roomId, actor.principal.userId),
      name,
      role,
      expiresAt: now.getTime() + this.config.joinTokenTtlSeconds * 1000,
    };
    await this.audit.record(
      this.entry(actor, 'read', parties, { event: 'call.credentials', role, roomId: room.roomId }),
    );
    return {
      consultationId: parties.id,
      roomId: room.roomId,
      participantId: claims.participantId,
      role,
      name,
      token: this.tokens.sign(claims),
      expiresAt: new Date(claims.expiresAt),
      iceServers: iceServersFor(this.config, actor.principal.userId, now),
      maxParticipants: MAX_PARTICIPANTS,
    };
  }

  /**
   * Lets a signalling socket into its room: the token must be genuine and unexpired, issued to
   * the signed-in caller, the room open, the consultation in progress, the caller still one of
   * its participants, and the room not full. A refusal is recorded like a join.
   */
  /**
   * The others in a room now. A joiner asks this after it is listening to the room: whoever was
   * admitted before that moment is in this list, and whoever comes after announces itself to
   * it, so two people joining at the same moment always learn of each other.
   */
  async peersOf(roomId: string, participantId: string): Promise<PresenceRow[]> {
    return (await this.repository.present(roomId)).filter((p) => p.participantId !== participantId);
  }

  async admit(actor: Actor, token: string, connection: { connectionId: string; session: string }): Promise<Admission> {
    const claims = this.tokens.verify(token, this.clock.now().getTime());
    if (claims === undefined) throw new JoinRefused(4401, 'the join credential is not valid or has expired');
    if (claims.userId !== actor.principal.userId)
      throw new JoinRefused(4403, 'the join credential was issued to someone else');
    const found = await this.repository.roomWithParties(claims.roomId);
    if (found === undefined) throw new JoinRefused(4404, 'no such call');
    const { room, parties } = found;
    const refuse = async (code: number, reason: string): Promise<never> => {
      await this.repository.recordEvent({
        consultationId: parties.id,
        stateId: parties.stateId,
        roomId: room.roomId,
        userId: actor.principal.userId,
        participantId: claims.participantId,
        event: 'refused',
        detail: { reason },
        at: this.clock.now(),
      });
      await this.audit.record({
        ...this.entry(actor, 'create', parties, { event: 'call.join', roomId: room.roomId, reason }),
        outcome: 'denied',
      });
      throw new JoinRefused(code, reason);
    };
    if (room.status !== 'open' || parties.status !== 'in_progress') return refuse(4410, 'the call has ended');
    // Still a participant now (an invite may have been withdrawn since the token was issued).
    if ((await this.roleOf(actor, parties)) === undefined) return refuse(4403, 'no longer a participant of this call');
    const claimed = await this.repository.claimPresence(
      room.roomId,
      {
        participantId: claims.participantId,
        userId: claims.userId,
        connectionId: connection.connectionId,
        session: connection.session,
        name: claims.name,
        role: claims.role,
        instanceId: this.instanceId,
      },
      MAX_PARTICIPANTS,
    );
    if (!claimed.admitted) return refuse(4429, `the call already has ${String(MAX_PARTICIPANTS)} participants`);
    await this.repository.recordEvent({
      consultationId: parties.id,
      stateId: parties.stateId,
      roomId: room.roomId,
      userId: claims.userId,
      participantId: claims.participantId,
      event: 'join',
      detail: { role: claims.role, session: connection.session, rejoin: claimed.replaced !== undefined },
      at: this.clock.now(),
    });
    await this.audit.record(
      this.entry(actor, 'create', parties, { event: 'call.join', roomId: room.roomId, role: claims.role }),
    );
    return { claims, parties, others: claimed.others, replaced: claimed.replaced };
  }

  /** Records a leave; returns whether the participant really left (rather than rejoined elsewhere). */
  async leave(actor: Actor, admission: Admission, connectionId: string, reason: string): Promise<boolean> {
    const { claims, parties } = admission;
    const left = await this.repository.releasePresence(claims.roomId, claims.participantId, connectionId);
    await this.repository.recordEvent({
      consultationId: parties.id,
      stateId: parties.stateId,
      roomId: claims.roomId,
      userId: claims.userId,
      participantId: claims.participantId,
      event: 'leave',
      detail: { reason, replaced: !left },
      at: this.clock.now(),
    });
    await this.audit.record(
      this.entry(actor, 'delete', parties, { event: 'call.leave', roomId: claims.roomId, reason }),
    );
    return left;
  }

  /** Keeps this instance's presence rows fresh; run on a timer. */
  refreshPresence(): Promise<void> {
    return this.repository.refreshPresence(this.instanceId);
  }

  /** Invites a staff member (by sign-in name) into the call; only the treating doctor may. */
  async invite(
    actor: Actor,
    consultationId: string,
    input: { username: string; role: InviteRole },
  ): Promise<InviteRow> {
    const parties = await this.asTreatingDoctor(actor, consultationId, 'invite others into the call');
    if (parties.status !== 'in_progress') throw conflict('The consultation has ended');
    const user = await this.repository.staffByUsername(input.username.trim());
    if (user === undefined) throw badRequest(`No active staff member signs in as ${input.username}`, 'body.username');
    if (user.id === parties.practitionerUserId)
      throw badRequest('The treating doctor is in the call already', 'body.username');
    const live = await this.repository.invites(parties.id);
    if (!live.some((i) => i.userId === user.id) && live.length >= MAX_PARTICIPANTS - 2)
      throw conflict(`A call has at most ${String(MAX_PARTICIPANTS)} participants`);
    const invite = await this.repository.invite({
      id: randomUUID(),
      consultationId: parties.id,
      stateId: parties.stateId,
      userId: user.id,
      role: input.role,
      invitedBy: actor.principal.userId,
    });
    await this.audit.record(
      this.entry(actor, 'create', parties, { event: 'call.invite', userId: user.id, role: input.role }),
    );
    return invite;
  }

  async invites(actor: Actor, consultationId: string): Promise<InviteRow[]> {
    const { parties } = await this.asParticipant(actor, consultationId);
    const rows = await this.repository.invites(parties.id);
    await this.audit.record(this.entry(actor, 'read', parties, { event: 'call.invites' }));
    return rows;
  }

  async revokeInvite(actor: Actor, consultationId: string, inviteId: string): Promise<InviteRow> {
    const parties = await this.asTreatingDoctor(actor, consultationId, 'withdraw an invite');
    const revoked = await this.repository.revokeInvite(parties.id, inviteId, this.clock.now());
    if (revoked === undefined) throw notFound('Invite');
    await this.audit.record(this.entry(actor, 'update', parties, { event: 'call.uninvite', userId: revoked.userId }));
    return revoked;
  }

  /** The calls a staff member has been invited into, still in progress. */
  invitesOf(actor: Actor) {
    return this.repository.invitesOf(actor.principal.userId);
  }

  /** A chat message, kept with the consultation and passed at once to everyone in the call. */
  async postMessage(actor: Actor, consultationId: string, body: string): Promise<MessageRow> {
    const { parties, role } = await this.asParticipant(actor, consultationId);
    if (parties.status !== 'in_progress') throw conflict('The consultation has ended; its chat is closed');
    const text = body.trim();
    if (text === '' || text.length > MAX_MESSAGE)
      throw badRequest(`A message has 1 to ${String(MAX_MESSAGE)} characters`, 'body.body');
    const user = await this.repository.user(actor.principal.userId);
    const message = await this.repository.insertMessage({
      id: randomUUID(),
      consultationId: parties.id,
      stateId: parties.stateId,
      senderUserId: actor.principal.userId,
      senderName:
        role === 'patient'
          ? parties.patientName
          : role === 'doctor'
            ? parties.practitionerName
            : (user?.displayName ?? role),
      senderRole: role,
      body: text,
      createdAt: this.clock.now(),
    });
    await this.audit.record(this.entry(actor, 'create', parties, { event: 'call.chat', messageId: message.id }));
    const roomId = await this.repository.openRoomOf(parties.id);
    if (roomId !== undefined) await this.notify(roomId, { type: 'chat', message: messageToWire(message) });
    return message;
  }

  async messages(actor: Actor, consultationId: string): Promise<MessageRow[]> {
    const { parties } = await this.asParticipant(actor, consultationId);
    const rows = await this.repository.messages(parties.id, 500);
    await this.audit.record(this.entry(actor, 'read', parties, { event: 'call.chat' }));
    return rows;
  }

  /** "Call me back by phone": the patient's request, which the treating doctor sees at once. */
  async requestCallback(
    actor: Actor,
    consultationId: string,
    input: { phone?: string | undefined; note?: string | undefined },
  ): Promise<CallbackRow> {
    const { parties, role } = await this.asParticipant(actor, consultationId);
    if (role !== 'patient') throw forbidden('Only the patient asks to be called back');
    if (parties.status !== 'in_progress') throw conflict('The consultation has ended');
    const phone = input.phone?.trim() ?? (await this.repository.user(actor.principal.userId))?.mobile ?? '';
    if (!PHONE.test(phone)) throw badRequest('Give a 10-digit mobile number to be called on', 'body.phone');
    const note = input.note?.trim() ?? '';
    const callback = await this.repository.insertCallback({
      id: randomUUID(),
      consultationId: parties.id,
      stateId: parties.stateId,
      requestedBy: actor.principal.userId,
      phone,
      note: note === '' ? null : note.slice(0, 500),
      createdAt: this.clock.now(),
    });
    await this.audit.record(this.entry(actor, 'create', parties, { event: 'call.callback', callbackId: callback.id }));
    const roomId = await this.repository.openRoomOf(parties.id);
    if (roomId !== undefined) await this.notify(roomId, { type: 'callback', callback: callbackToWire(callback) });
    return callback;
  }

  async callbacks(actor: Actor, consultationId: string): Promise<CallbackRow[]> {
    const { parties } = await this.asParticipant(actor, consultationId);
    const rows = await this.repository.callbacks(parties.id);
    await this.audit.record(this.entry(actor, 'read', parties, { event: 'call.callbacks' }));
    return rows;
  }

  async completeCallback(actor: Actor, consultationId: string, callbackId: string): Promise<CallbackRow> {
    const parties = await this.asTreatingDoctor(actor, consultationId, 'mark a call back as done');
    const done = await this.repository.completeCallback(
      parties.id,
      callbackId,
      actor.principal.userId,
      this.clock.now(),
    );
    if (done === undefined) throw notFound('Open call-back request');
    await this.audit.record(this.entry(actor, 'update', parties, { event: 'call.callback.done', callbackId }));
    return done;
  }

  /** Who joined and left the call, when: for the treating doctor. */
  async events(actor: Actor, consultationId: string): Promise<CallEventRow[]> {
    const parties = await this.asTreatingDoctor(actor, consultationId, 'read who joined the call');
    const rows = await this.repository.events(parties.id);
    await this.audit.record(this.entry(actor, 'read', parties, { event: 'call.events' }));
    return rows;
  }

  private async roleOf(actor: Actor, parties: ConsultationParties): Promise<CallRole | undefined> {
    const userId = actor.principal.userId;
    if (actor.principal.kind === 'patient') return parties.patientAccountUserId === userId ? 'patient' : undefined;
    if (parties.practitionerUserId === userId) return 'doctor';
    // At the spoke the patient sits with the health officer, on the officer's device: an officer
    // of that spoke now (the one who sent the request, or a colleague) presents them in the call.
    if (
      parties.spokeId !== null &&
      actor.principal.roles.some((b) => b.role === 'spoke_operator' && b.facilityId === parties.spokeId)
    )
      return 'health_worker';
    const invite = await this.repository.liveInvite(parties.id, userId);
    return invite === undefined ? undefined : (invite.role as InviteRole);
  }

  /** The consultation and the caller's part in it; anyone else is told it does not exist. */
  private async asParticipant(
    actor: Actor,
    consultationId: string,
  ): Promise<{ parties: ConsultationParties; role: CallRole }> {
    const parties = await this.repository.parties(consultationId);
    const role = parties === undefined ? undefined : await this.roleOf(actor, parties);
    if (parties === undefined || role === undefined) {
      if (parties !== undefined)
        await this.audit.record({
          ...this.entry(actor, 'read', parties, { event: 'call.refused' }),
          outcome: 'denied',
        });
      throw notFound('Consultation');
    }
    return { parties, role };
  }

  private async asTreatingDoctor(actor: Actor, consultationId: string, what: string): Promise<ConsultationParties> {
    const { parties, role } = await this.asParticipant(actor, consultationId);
    if (role !== 'doctor') throw forbidden(`Only the treating doctor may ${what}`);
    return parties;
  }

  private entry(actor: Actor, action: AuditAction, parties: ConsultationParties, detail: Record<string, unknown>) {
    return {
      actorId: actor.principal.userId,
      actorRole: actor.principal.kind === 'patient' ? 'patient' : (actor.principal.roles[0]?.role ?? null),
      action,
      resourceType: 'Consultation',
      resourceId: parties.id,
      patientId: parties.patientId,
      stateId: parties.stateId,
      ip: actor.ip,
      detail,
    };
  }
}

export function messageToWire(row: MessageRow) {
  return {
    id: row.id,
    consultationId: row.consultationId,
    senderName: row.senderName,
    senderRole: row.senderRole,
    body: row.body,
    createdAt: row.createdAt.toISOString(),
  };
}

export function callbackToWire(row: CallbackRow) {
  return {
    id: row.id,
    consultationId: row.consultationId,
    phone: row.phone,
    note: row.note,
    status: row.status,
    createdAt: row.createdAt.toISOString(),
    handledAt: row.handledAt?.toISOString() ?? null,
  };
}
