import type { Database } from '../../platform/db/database.js';

/** Who takes part in a consultation, as the call needs it. */
export interface ConsultationParties {
  id: string;
  stateId: string;
  status: string;
  patientId: string;
  patientName: string;
  /** The mobile account that manages the patient's profile (unless it removed the profile). */
  patientAccountUserId: string | null;
  practitionerName: string;
  /** The treating doctor's sign-in. */
  practitionerUserId: string | null;
  /** A hub-and-spoke consultation's spoke: its health officers present the patient. */
  spokeId: string | null;
}

export interface RoomRow {
  roomId: string;
  consultationId: string;
  stateId: string;
  status: 'open' | 'ended';
}

export interface InviteRow {
  id: string;
  consultationId: string;
  userId: string;
  displayName: string;
  role: string;
  invitedBy: string;
  createdAt: Date;
  revokedAt: Date | null;
}

export interface PresenceRow {
  participantId: string;
  userId: string;
  connectionId: string;
  session: string;
  name: string;
  role: string;
}

export interface MessageRow {
  id: string;
  consultationId: string;
  senderUserId: string;
  senderName: string;
  senderRole: string;
  body: string;
  createdAt: Date;
}

export interface CallbackRow {
  id: string;
  consultationId: string;
  requestedBy: string;
  phone: string;
  note: string | null;
  status: 'open' | 'done';
  createdAt: Date;
  handledAt: Date | null;
}

export interface CallEventRow {
  id: number;
  userId: string | null;
  participantId: string | null;
  event: 'join' | 'leave' | 'refused';
  detail: Record<string, unknown>;
  at: Date;
}

/** A presence row older than this belongs to an instance that stopped refreshing it. */
export const PRESENCE_STALE_SECONDS = 90;

const INVITE_COLUMNS = `i.id, i.consultation_id as "consultationId", i.user_id as "userId", u.display_name as "displayName",
  i.role, i.invited_by as "invitedBy", i.created_at as "createdAt", i.revoked_at as "revokedAt"`;
const MESSAGE_COLUMNS = `id, consultation_id as "consultationId", sender_user_id as "senderUserId",
  sender_name as "senderName", sender_role as "senderRole", body, created_at as "createdAt"`;
const CALLBACK_COLUMNS = `id, consultation_id as "consultationId", requested_by as "requestedBy", phone, note, status,
  created_at as "createdAt", handled_at as "handledAt"`;

export class CallRepository {
  constructor(private readonly db: Database) {}

  async parties(consultationId: string): Promise<ConsultationParties | undefined> {
    const [row] = await this.db.query<ConsultationParties>(
      `select c.id, c.state_id as "stateId", c.status, c.patient_id as "patientId", p.name as "patientName",
         case when p.account_removed_at is null then p.account_user_id end as "patientAccountUserId",
         pr.name as "practitionerName", pr.user_id as "practitionerUserId",
         r.spoke_id as "spokeId"
       from consultations c join patients p on p.id = c.patient_id join practitioners pr on pr.id = c.practitioner_id
       left join teleconsult_requests r on r.consultation_id = c.id
       where c.id = $1`,
      [consultationId],
    );
    return row;
  }

  async user(
    userId: string,
  ): Promise<{ id: string; kind: string; displayName: string; mobile: string | null } | undefined> {
    const [row] = await this.db.query<{ id: string; kind: string; displayName: string; mobile: string | null }>(
      'select id, kind, display_name as "displayName", mobile from users where id = $1 and active',
      [userId],
    );
    return row;
  }

  async staffByUsername(username: string): Promise<{ id: string; displayName: string } | undefined> {
    const [row] = await this.db.query<{ id: string; displayName: string }>(
      `select id, display_name as "displayName" from users where kind = 'staff' and username = $1 and active`,
      [username.toLowerCase()],
    );
    return row;
  }

  /** The consultation's open room, created with `roomId` if it has none. */
  async openRoom(consultationId: string, stateId: string, id: string, roomId: string): Promise<RoomRow> {
    const [inserted] = await this.db.query<RoomRow>(
      `insert into call_rooms (id, consultation_id, state_id, room_id) values ($1, $2, $3, $4)
       on conflict (consultation_id) where status = 'open' do nothing
       returning room_id as "roomId", consultation_id as "consultationId", state_id as "stateId", status`,
      [id, consultationId, stateId, roomId],
    );
    if (inserted !== undefined) return inserted;
    const [row] = await this.db.query<RoomRow>(
      `select room_id as "roomId", consultation_id as "consultationId", state_id as "stateId", status
       from call_rooms where consultation_id = $1 and status = 'open'`,
      [consultationId],
    );
    if (row === undefined) throw new Error(`the room of consultation ${consultationId} vanished`);
    return row;
  }

  /** A room with its consultation's parties, in one round trip (every join asks). */
  async roomWithParties(roomId: string): Promise<{ room: RoomRow; parties: ConsultationParties } | undefined> {
    const [row] = await this.db.query<ConsultationParties & { roomId: string; roomStatus: 'open' | 'ended' }>(
      `select r.room_id as "roomId", r.status as "roomStatus", c.id, c.state_id as "stateId", c.status,
         c.patient_id as "patientId", p.name as "patientName",
         case when p.account_removed_at is null then p.account_user_id end as "patientAccountUserId",
         pr.name as "practitionerName", pr.user_id as "practitionerUserId",
         t.spoke_id as "spokeId"
       from call_rooms r join consultations c on c.id = r.consultation_id
       join patients p on p.id = c.patient_id join practitioners pr on pr.id = c.practitioner_id
       left join teleconsult_requests t on t.consultation_id = c.id
       where r.room_id = $1`,
      [roomId],
    );
    if (row === undefined) return undefined;
    const { roomId: id, roomStatus, ...parties } = row;
    return { room: { roomId: id, consultationId: parties.id, stateId: parties.stateId, status: roomStatus }, parties };
  }

  async openRoomOf(consultationId: string): Promise<string | undefined> {
    const [row] = await this.db.query<{ roomId: string }>(
      `select room_id as "roomId" from call_rooms where consultation_id = $1 and status = 'open'`,
      [consultationId],
    );
    return row?.roomId;
  }

  async liveInvite(consultationId: string, userId: string): Promise<InviteRow | undefined> {
    const [row] = await this.db.query<InviteRow>(
      `select ${INVITE_COLUMNS} from call_invites i join users u on u.id = i.user_id
       where i.consultation_id = $1 and i.user_id = $2 and i.revoked_at is null`,
      [consultationId, userId],
    );
    return row;
  }

  /** Inserts the invite unless the user already has a live one; returns the live one. */
  async invite(row: {
    id: string;
    consultationId: string;
    stateId: string;
    userId: string;
    role: string;
    invitedBy: string;
  }): Promise<InviteRow> {
    await this.db.query(
      `insert into call_invites (id, consultation_id, state_id, user_id, role, invited_by) values ($1, $2, $3, $4, $5, $6)
       on conflict (consultation_id, user_id) where revoked_at is null do nothing`,
      [row.id, row.consultationId, row.stateId, row.userId, row.role, row.invitedBy],
    );
    const live = await this.liveInvite(row.consultationId, row.userId);
    if (live === undefined) throw new Error('the invite vanished');
    return live;
  }

  invites(consultationId: string): Promise<InviteRow[]> {
    return this.db.query<InviteRow>(
      `select ${INVITE_COLUMNS} from call_invites i join users u on u.id = i.user_id
       where i.consultation_id = $1 and i.revoked_at is null order by i.created_at, i.id`,
      [consultationId],
    );
  }

  async revokeInvite(consultationId: string, inviteId: string, at: Date): Promise<InviteRow | undefined> {
    const [row] = await this.db.query<{ id: string }>(
      `update call_invites set revoked_at = $3 where id = $2 and consultation_id = $1 and revoked_at is null returning id`,
      [consultationId, inviteId, at],
    );
    if (row === undefined) return undefined;
    const [invite] = await this.db.query<InviteRow>(
      `select ${INVITE_COLUMNS} from call_invites i join users u on u.id = i.user_id where i.id = $1`,
      [inviteId],
    );
    return invite;
  }

  /** A staff member's live invites into consultations still in progress. */
  invitesOf(userId: string): Promise<(InviteRow & { patientName: string; practitionerName: string })[]> {
    return this.db.query(
      `select ${INVITE_COLUMNS}, p.name as "patientName", pr.name as "practitionerName"
       from call_invites i join users u on u.id = i.user_id join consultations c on c.id = i.consultation_id
       join patients p on p.id = c.patient_id join practitioners pr on pr.id = c.practitioner_id
       where i.user_id = $1 and i.revoked_at is null and c.status = 'in_progress'
       order by i.created_at desc limit 50`,
      [userId],
    );
  }

  async recordEvent(event: {
    consultationId: string;
    stateId: string;
    roomId: string;
    userId: string | null;
    participantId: string | null;
    event: 'join' | 'leave' | 'refused';
    detail: Record<string, unknown>;
    at: Date;
  }): Promise<void> {
    await this.db.query(
      `insert into call_events (consultation_id, state_id, room_id, user_id, participant_id, event, detail, at)
       values ($1, $2, $3, $4, $5, $6, $7::jsonb, $8)`,
      [
        event.consultationId,
        event.stateId,
        event.roomId,
        event.userId,
        event.participantId,
        event.event,
        JSON.stringify(event.detail),
        event.at,
      ],
    );
  }

  events(consultationId: string): Promise<CallEventRow[]> {
    return this.db.query<CallEventRow>(
      `select id, user_id as "userId", participant_id as "participantId", event, detail, at
       from call_events where consultation_id = $1 order by id limit 1000`,
      [consultationId],
    );
  }

  /**
   * Takes a place in the room, unless `capacity` others are there already. The same participant
   * coming back (another device, a new socket after an outage) replaces its earlier connection,
   * which is returned so that it can be closed. Two statements and no lock: the place is taken
   * with a look at who was there; a second look after it catches two joining at once for the
   * last place, and then both give way (the apps try again a moment later).
   */
  async claimPresence(
    roomId: string,
    presence: PresenceRow & { instanceId: string },
    capacity: number,
  ): Promise<{ admitted: false } | { admitted: true; others: PresenceRow[]; replaced: PresenceRow | undefined }> {
    const present = await this.db.query<PresenceRow>(
      `with claimed as (
         insert into call_presence (room_id, participant_id, user_id, instance_id, connection_id, session, name, role, seen_at)
         values ($1, $2, $3, $4, $5, $6, $7, $8, now())
         on conflict (room_id, participant_id) do update set user_id = excluded.user_id, instance_id = excluded.instance_id,
           connection_id = excluded.connection_id, session = excluded.session, name = excluded.name, role = excluded.role,
           seen_at = now()
         returning 1)
       select participant_id as "participantId", user_id as "userId", connection_id as "connectionId", session, name, role
       from call_presence where room_id = $1 and seen_at > now() - make_interval(secs => $9) and exists (select 1 from claimed)`,
      [
        roomId,
        presence.participantId,
        presence.userId,
        presence.instanceId,
        presence.connectionId,
        presence.session,
        presence.name,
        presence.role,
        PRESENCE_STALE_SECONDS,
      ],
    );
    const others = present.filter((p) => p.participantId !== presence.participantId);
    const replaced = present.find((p) => p.participantId === presence.participantId);
    let admitted = others.length < capacity;
    if (admitted && others.length === capacity - 1) {
      const [now] = await this.db.query<{ count: number }>(
        `select count(*)::int as count from call_presence
         where room_id = $1 and seen_at > now() - make_interval(secs => $2)`,
        [roomId, PRESENCE_STALE_SECONDS],
      );
      admitted = (now?.count ?? 0) <= capacity;
    }
    if (!admitted) {
      await this.releasePresence(roomId, presence.participantId, presence.connectionId);
      return { admitted: false };
    }
    return { admitted: true, others, replaced };
  }

  /** Who is in the room now. */
  present(roomId: string): Promise<PresenceRow[]> {
    return this.db.query<PresenceRow>(
      `select participant_id as "participantId", user_id as "userId", connection_id as "connectionId", session, name, role
       from call_presence where room_id = $1 and seen_at > now() - make_interval(secs => $2)`,
      [roomId, PRESENCE_STALE_SECONDS],
    );
  }

  /** Leaves the room, if this connection still holds the place (a rejoin elsewhere may have taken it). */
  async releasePresence(roomId: string, participantId: string, connectionId: string): Promise<boolean> {
    const rows = await this.db.query(
      `delete from call_presence where room_id = $1 and participant_id = $2 and connection_id = $3 returning 1`,
      [roomId, participantId, connectionId],
    );
    return rows.length > 0;
  }

  async refreshPresence(instanceId: string): Promise<void> {
    await this.db.query('update call_presence set seen_at = now() where instance_id = $1', [instanceId]);
  }

  async insertMessage(row: Omit<MessageRow, 'createdAt'> & { stateId: string; createdAt: Date }): Promise<MessageRow> {
    const [inserted] = await this.db.query<MessageRow>(
      `insert into consultation_messages (id, consultation_id, state_id, sender_user_id, sender_name, sender_role, body, created_at)
       values ($1, $2, $3, $4, $5, $6, $7, $8) returning ${MESSAGE_COLUMNS}`,
      [
        row.id,
        row.consultationId,
        row.stateId,
        row.senderUserId,
        row.senderName,
        row.senderRole,
        row.body,
        row.createdAt,
      ],
    );
    if (inserted === undefined) throw new Error('message insert returned nothing');
    return inserted;
  }

  messages(consultationId: string, limit: number): Promise<MessageRow[]> {
    return this.db.query<MessageRow>(
      `select ${MESSAGE_COLUMNS} from consultation_messages where consultation_id = $1 order by created_at, id limit $2`,
      [consultationId, limit],
    );
  }

  async insertCallback(row: {
    id: string;
    consultationId: string;
    stateId: string;
    requestedBy: string;
    phone: string;
    note: string | null;
    createdAt: Date;
  }): Promise<CallbackRow> {
    const [inserted] = await this.db.query<CallbackRow>(
      `insert into call_callbacks (id, consultation_id, state_id, requested_by, phone, note, created_at)
       values ($1, $2, $3, $4, $5, $6, $7) returning ${CALLBACK_COLUMNS}`,
      [row.id, row.consultationId, row.stateId, row.requestedBy, row.phone, row.note, row.createdAt],
    );
    if (inserted === undefined) throw new Error('callback insert returned nothing');
    return inserted;
  }

  callbacks(consultationId: string): Promise<CallbackRow[]> {
    return this.db.query<CallbackRow>(
      `select ${CALLBACK_COLUMNS} from call_callbacks where consultation_id = $1 order by created_at, id`,
      [consultationId],
    );
  }

  async completeCallback(
    consultationId: string,
    callbackId: string,
    userId: string,
    at: Date,
  ): Promise<CallbackRow | undefined> {
    const [row] = await this.db.query<CallbackRow>(
      `update call_callbacks set status = 'done', handled_at = $4, handled_by = $3
       where id = $2 and consultation_id = $1 and status = 'open' returning ${CALLBACK_COLUMNS}`,
      [consultationId, callbackId, userId, at],
    );
    return row;
  }
}
