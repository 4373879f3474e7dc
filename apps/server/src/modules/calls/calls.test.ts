import { createHmac, randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { buildApp } from '../../app.js';
import { RedisBus, type Bus } from '../../platform/bus.js';
import { PatientRepository } from '../patients/index.js';
import {
  createDoctor,
  createFacility,
  createStaff,
  signInPatient,
  startSecondInstance,
  startTestApp,
  UP,
  type StaffFixture,
  type TestApp,
} from '../../test/app.js';
import { turnCredential } from './credentials.js';
import { SIGNAL_BURST, SIGNAL_PER_SECOND } from './routes.js';

const TURN_SECRET = 'coturn-static-auth-secret-for-tests';
let test: TestApp;
let url: string;

beforeAll(async () => {
  test = await startTestApp({
    CALL_STUN_URLS: 'stun:stun.sanjog.test:3478',
    CALL_TURN_URLS: 'turn:turn.sanjog.test:3478?transport=udp,turns:turn.sanjog.test:5349?transport=tcp',
    CALL_TURN_SECRET: TURN_SECRET,
    CALL_TURN_TTL_SECONDS: '600',
    CALL_JOIN_TOKEN_TTL_SECONDS: '120',
  });
  url = await listen(test.app);
});
afterAll(async () => {
  await test.close();
});

async function listen(app: FastifyInstance): Promise<string> {
  await app.listen({ port: 0, host: '127.0.0.1' });
  return `ws://127.0.0.1:${String((app.server.address() as AddressInfo).port)}`;
}

let counter = 0;

/** A doctor with a practitioner record at an OPD, and a patient whose consultation with them is in progress. */
async function consultation() {
  const opdId = await createFacility(test, UP.stateId, UP.districtId, 'opd');
  const doctor = await createDoctor(test, opdId);
  const { practitionerId } = doctor;
  const mobile = `97${String(10_000_000 + (counter += 1)).slice(-8)}`;
  const account = await signInPatient(test, mobile);
  const patientId = randomUUID();
  await new PatientRepository(test.database.db).insert({
    id: patientId,
    stateId: UP.stateId,
    districtId: UP.districtId,
    accountUserId: account.userId,
    name: `Patient ${String(counter)}`,
    sex: 'female',
    birthDate: null,
    birthYear: 1990,
    mobile,
    village: null,
    createdBy: null,
  });
  const started = await test.app.services.consultations.start({
    kind: 'opd',
    stateId: UP.stateId,
    patientId,
    practitionerId,
    facilityId: opdId,
    tokenId: null,
    mode: 'video',
  });
  return { id: started.id, doctor, patient: { ...account, mobile, headers: { cookie: account.cookie } }, opdId };
}

interface Credentials {
  roomId: string;
  participantId: string;
  role: string;
  token: string;
  expiresAt: string;
  iceServers: { urls: string[]; username?: string; credential?: string }[];
}

async function credentials(consultationId: string, headers: Record<string, string>, app = test.app) {
  return app.inject({ method: 'POST', url: `/api/v1/consultations/${consultationId}/call`, headers, payload: {} });
}

/** A signalling socket that collects what it is sent. */
class Client {
  readonly received: Record<string, unknown>[] = [];
  closeCode: number | undefined;
  private readonly waiters: (() => void)[] = [];

  constructor(readonly socket: WebSocket) {
    socket.on('message', (data: Buffer) => {
      this.received.push(JSON.parse(data.toString()) as Record<string, unknown>);
      for (const wake of this.waiters.splice(0)) wake();
    });
    // A refused upgrade (no session) is an error, then a close with 1006.
    socket.on('error', () => undefined);
    socket.on('close', (code) => {
      this.closeCode = code;
      for (const wake of this.waiters.splice(0)) wake();
    });
  }

  static async open(base: string, token: string, headers: Record<string, string>, session = randomUUID()) {
    const socket = new WebSocket(`${base}/api/v1/calls/signal?token=${encodeURIComponent(token)}&session=${session}`, {
      headers,
    });
    return new Client(socket);
  }

  /** The first message (received so far or later) that matches. */
  async next(match: (m: Record<string, unknown>) => boolean, timeoutMs = 5000): Promise<Record<string, unknown>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.received.find(match);
      if (found !== undefined) return found;
      if (Date.now() > deadline)
        throw new Error(`no matching message; got ${JSON.stringify(this.received)}, closed ${String(this.closeCode)}`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 100);
      });
    }
  }

  async closed(timeoutMs = 5000): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    while (this.closeCode === undefined) {
      if (Date.now() > deadline) throw new Error('socket did not close');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return this.closeCode;
  }

  send(message: unknown) {
    this.socket.send(JSON.stringify(message));
  }

  close() {
    this.socket.close();
  }
}

const ofType = (type: string) => (m: Record<string, unknown>) => m.type === type;

describe('call credentials', () => {
  it('gives the patient and the treating doctor the same unguessable room, each their own token and TURN credential', async () => {
    const c = await consultation();
    const forPatient = await credentials(c.id, c.patient.headers);
    const forDoctor = await credentials(c.id, c.doctor.auth);
    expect(forPatient.statusCode).toBe(200);
    expect(forDoctor.statusCode).toBe(200);
    const p = forPatient.json<Credentials>();
    const d = forDoctor.json<Credentials>();
    expect(p.role).toBe('patient');
    expect(d.role).toBe('doctor');
    expect(p.roomId).toBe(d.roomId);
    // 128 random bits, not the consultation id.
    expect(Buffer.from(p.roomId, 'base64url')).toHaveLength(16);
    expect(p.roomId).not.toContain(c.id.slice(0, 8));
    expect(p.participantId).not.toBe(d.participantId);
    expect(p.token).not.toBe(d.token);
    expect(Date.parse(p.expiresAt) - test.clock.now().getTime()).toBe(120_000);

    // A second consultation gets another room.
    const other = await consultation();
    expect((await credentials(other.id, other.doctor.auth)).json<Credentials>().roomId).not.toBe(p.roomId);

    // STUN as configured; TURN with coturn's use-auth-secret credential: expiry:userId, base64(HMAC-SHA1).
    expect(p.iceServers[0]).toEqual({ urls: ['stun:stun.sanjog.test:3478'] });
    const turn = p.iceServers[1]!;
    expect(turn.urls).toEqual([
      'turn:turn.sanjog.test:3478?transport=udp',
      'turns:turn.sanjog.test:5349?transport=tcp',
    ]);
    const expiry = Math.floor(test.clock.now().getTime() / 1000) + 600;
    expect(turn.username).toBe(`${String(expiry)}:${c.patient.userId}`);
    expect(turn.credential).toBe(createHmac('sha1', TURN_SECRET).update(turn.username!).digest('base64'));
  });

  it('refuses anyone who is not a participant: another patient, another doctor, staff of the state', async () => {
    const c = await consultation();
    const stranger = await consultation();
    const coordinator = await createStaff(test, 'coordinator', { stateId: UP.stateId });
    for (const headers of [stranger.patient.headers, stranger.doctor.auth, coordinator.auth]) {
      const response = await credentials(c.id, headers);
      expect(response.statusCode).toBe(404);
    }
    expect((await credentials(c.id, {})).statusCode).toBe(401);
    // Not for a consultation that has ended.
    await test.app.inject({
      method: 'POST',
      url: `/api/v1/consultations/${c.id}/not-happened`,
      headers: c.doctor.auth,
      payload: { reason: 'network_failure' },
    });
    expect((await credentials(c.id, c.doctor.auth)).statusCode).toBe(409);
  });
});

describe('hub-and-spoke calls', () => {
  it("admit the spoke's health officers, who present the patient, and no officer of another spoke", async () => {
    const spokeId = await createFacility(test, UP.stateId, UP.districtId, 'spoke');
    const otherSpokeId = await createFacility(test, UP.stateId, UP.districtId, 'spoke');
    const hubId = await createFacility(test, UP.stateId, UP.districtId, 'hub');
    const doctor = await createDoctor(test, hubId, 'hub_doctor');
    const sender = await createStaff(test, 'spoke_operator', { facilityId: spokeId });
    const colleague = await createStaff(test, 'spoke_operator', { facilityId: spokeId });
    const elsewhere = await createStaff(test, 'spoke_operator', { facilityId: otherSpokeId });
    const patientId = randomUUID();
    await new PatientRepository(test.database.db).insert({
      id: patientId,
      stateId: UP.stateId,
      districtId: UP.districtId,
      accountUserId: null,
      name: 'Spoke Patient',
      sex: 'male',
      birthDate: null,
      birthYear: 1970,
      mobile: null,
      village: 'Rampur',
      createdBy: sender.userId,
    });
    const started = await test.app.services.consultations.start({
      kind: 'hub_spoke',
      stateId: UP.stateId,
      patientId,
      practitionerId: doctor.practitionerId,
      facilityId: hubId,
      tokenId: null,
      mode: 'video',
    });
    await test.database.db.query(
      `insert into teleconsult_requests (id, state_id, spoke_id, patient_id, created_by, status, mode, hub_id,
         practitioner_id, consultation_id)
       values ($1, $2, $3, $4, $5, 'taken', 'live', $6, $7, $8)`,
      [randomUUID(), UP.stateId, spokeId, patientId, sender.userId, hubId, doctor.practitionerId, started.id],
    );
    const doctorCall = (await credentials(started.id, doctor.auth)).json<Credentials>();
    for (const officer of [sender, colleague]) {
      const response = await credentials(started.id, officer.auth);
      expect(response.statusCode).toBe(200);
      const call = response.json<Credentials>();
      expect(call.role).toBe('health_worker');
      expect(call.roomId).toBe(doctorCall.roomId);
    }
    expect((await credentials(started.id, elsewhere.auth)).statusCode).toBe(404);
  });
});

describe('TURN credentials', () => {
  it('follow the TURN REST scheme coturn checks', () => {
    const now = new Date('2026-11-22T10:00:00Z');
    const issued = turnCredential('s3cret-s3cret-s3cret', 'user-1', now, 3600);
    expect(issued.username).toBe(`${String(now.getTime() / 1000 + 3600)}:user-1`);
    expect(issued.credential).toBe(createHmac('sha1', 's3cret-s3cret-s3cret').update(issued.username).digest('base64'));
    expect(issued.expiresAt.toISOString()).toBe('2026-11-22T11:00:00.000Z');
  });
});

describe('signalling', () => {
  it('relays offers, answers and candidates between participants and records every join and leave', async () => {
    const c = await consultation();
    const p = (await credentials(c.id, c.patient.headers)).json<Credentials>();
    const d = (await credentials(c.id, c.doctor.auth)).json<Credentials>();
    const doctor = await Client.open(url, d.token, c.doctor.auth);
    const welcome = await doctor.next(ofType('welcome'));
    expect(welcome).toMatchObject({ self: { id: d.participantId, role: 'doctor' }, peers: [] });
    const patient = await Client.open(url, p.token, c.patient.headers);
    expect(await patient.next(ofType('welcome'))).toMatchObject({
      self: { id: p.participantId, role: 'patient' },
      peers: [{ id: d.participantId, role: 'doctor' }],
    });
    expect(await doctor.next(ofType('peer-joined'))).toMatchObject({ peer: { id: p.participantId } });

    doctor.send({ type: 'signal', to: p.participantId, data: { description: { type: 'offer', sdp: 'v=0 offer' } } });
    expect(await patient.next(ofType('signal'))).toEqual({
      type: 'signal',
      from: d.participantId,
      data: { description: { type: 'offer', sdp: 'v=0 offer' } },
    });
    patient.send({ type: 'signal', to: d.participantId, data: { description: { type: 'answer', sdp: 'v=0 answer' } } });
    patient.send({
      type: 'signal',
      to: d.participantId,
      data: { candidate: { candidate: 'candidate:1 1 udp 1 1.2.3.4 5 typ host' } },
    });
    await doctor.next((m) => m.type === 'signal' && JSON.stringify(m.data).includes('candidate:1'));
    expect(doctor.received.filter(ofType('signal')).map((m) => Object.keys(m.data as object)[0])).toEqual([
      'description',
      'candidate',
    ]);

    patient.close();
    expect(await doctor.next(ofType('peer-left'))).toEqual({ type: 'peer-left', id: p.participantId });
    doctor.close();
    await doctor.closed();

    // Joins and leaves, in order, for the treating doctor to read; and in the audit log.
    await expect
      .poll(async () => {
        const events = await test.app.inject({
          method: 'GET',
          url: `/api/v1/consultations/${c.id}/call/events`,
          headers: c.doctor.auth,
        });
        return events.json<{ items: { event: string; participantId: string }[] }>().items.map((e) => e.event);
      })
      .toEqual(['join', 'join', 'leave', 'leave']);
    await test.app.services.audit.drain();
    const audit = await test.database.db.query<{ detail: { event: string } }>(
      `select detail from audit_log where resource_id = $1 and detail->>'event' in ('call.join', 'call.leave') order by seq`,
      [c.id],
    );
    expect(audit.map((a) => a.detail.event)).toEqual(['call.join', 'call.join', 'call.leave', 'call.leave']);
  });

  it('drops what a participant sends beyond a burst and a steady rate, so that one socket cannot flood a room', async () => {
    const c = await consultation();
    const p = (await credentials(c.id, c.patient.headers)).json<Credentials>();
    const d = (await credentials(c.id, c.doctor.auth)).json<Credentials>();
    const doctor = await Client.open(url, d.token, c.doctor.auth);
    await doctor.next(ofType('welcome'));
    const patient = await Client.open(url, p.token, c.patient.headers);
    await patient.next(ofType('welcome'));
    for (let i = 0; i < SIGNAL_BURST * 3; i++) patient.send({ type: 'signal', to: d.participantId, data: { i } });
    patient.send({ type: 'ping' });
    await patient.next(ofType('pong'));
    await new Promise((resolve) => setTimeout(resolve, 200));
    const relayed = doctor.received.filter(ofType('signal')).length;
    expect(relayed).toBeGreaterThanOrEqual(SIGNAL_BURST);
    expect(relayed).toBeLessThan(SIGNAL_BURST + SIGNAL_PER_SECOND * 2);
    patient.close();
    doctor.close();
  });

  it('refuses a socket without a genuine token, with a token of someone else, or of a call that ended', async () => {
    const c = await consultation();
    const p = (await credentials(c.id, c.patient.headers)).json<Credentials>();
    // A forged token (the signature of another payload).
    const [payload, mac] = p.token.split('.');
    const forged = `${Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload!, 'base64url').toString()), role: 'doctor' })).toString('base64url')}.${mac!}`;
    expect(await (await Client.open(url, forged, c.patient.headers)).closed()).toBe(4401);
    // The patient's token used by a stranger signed in as someone else.
    const stranger = await consultation();
    expect(await (await Client.open(url, p.token, stranger.patient.headers)).closed()).toBe(4403);
    // No session at all: refused before the upgrade.
    const anonymous = await Client.open(url, p.token, {});
    expect(await anonymous.closed()).not.toBe(1000);
    expect(anonymous.received).toEqual([]);
    // An expired token.
    test.clock.advance(121_000);
    expect(await (await Client.open(url, p.token, c.patient.headers)).closed()).toBe(4401);
    const fresh = (await credentials(c.id, c.patient.headers)).json<Credentials>();
    await test.app.inject({
      method: 'POST',
      url: `/api/v1/consultations/${c.id}/not-happened`,
      headers: c.doctor.auth,
      payload: { reason: 'network_failure' },
    });
    expect(await (await Client.open(url, fresh.token, c.patient.headers)).closed()).toBe(4410);
    const events = await test.database.db.query<{ event: string; detail: { reason: string } }>(
      `select event, detail from call_events where consultation_id = $1 order by id`,
      [c.id],
    );
    expect(events).toEqual([{ event: 'refused', detail: { reason: 'the call has ended' } }]);
  });

  it('lets the treating doctor invite a specialist and an interpreter, up to four in the call', async () => {
    const c = await consultation();
    const specialist = await createStaff(test, 'hub_doctor', { stateId: UP.stateId });
    const interpreter = await createStaff(test, 'spoke_operator', { stateId: UP.stateId });
    const extra = await createStaff(test, 'hub_doctor', { stateId: UP.stateId });
    // Before the invite the specialist is a stranger to the consultation.
    expect((await credentials(c.id, specialist.auth)).statusCode).toBe(404);
    // Only the treating doctor invites.
    const byPatient = await test.app.inject({
      method: 'POST',
      url: `/api/v1/consultations/${c.id}/call/invites`,
      headers: c.patient.headers,
      payload: { username: specialist.username, role: 'specialist' },
    });
    expect(byPatient.statusCode).toBe(403);
    const invite = (username: string, role: string) =>
      test.app.inject({
        method: 'POST',
        url: `/api/v1/consultations/${c.id}/call/invites`,
        headers: c.doctor.auth,
        payload: { username, role },
      });
    expect((await invite(specialist.username, 'specialist')).statusCode).toBe(201);
    expect((await invite(interpreter.username, 'interpreter')).statusCode).toBe(201);
    expect((await invite(extra.username, 'specialist')).statusCode).toBe(409);

    const mine = await test.app.inject({ method: 'GET', url: '/api/v1/me/call-invites', headers: specialist.auth });
    expect(mine.json<{ items: { consultationId: string; role: string }[] }>().items).toMatchObject([
      { consultationId: c.id, role: 'specialist' },
    ]);
    const people: [StaffFixture | { auth: Record<string, string> }, string][] = [
      [{ auth: c.doctor.auth }, 'doctor'],
      [{ auth: c.patient.headers }, 'patient'],
      [specialist, 'specialist'],
      [interpreter, 'interpreter'],
    ];
    const clients: Client[] = [];
    for (const [who, role] of people) {
      const issued = (await credentials(c.id, who.auth)).json<Credentials>();
      expect(issued.role).toBe(role);
      const client = await Client.open(url, issued.token, who.auth);
      const welcome = await client.next(ofType('welcome'));
      expect((welcome.peers as unknown[]).length).toBe(clients.length);
      clients.push(client);
    }

    const revoked = await test.app.inject({
      method: 'GET',
      url: `/api/v1/consultations/${c.id}/call/invites`,
      headers: c.doctor.auth,
    });
    const interpreterInvite = revoked
      .json<{ items: { id: string; role: string }[] }>()
      .items.find((i) => i.role === 'interpreter')!;
    // The interpreter leaves; their invite is withdrawn; their old token no longer opens the room.
    const interpreterToken = (await credentials(c.id, interpreter.auth)).json<Credentials>().token;
    clients[3]!.close();
    await clients[0]!.next(ofType('peer-left'));
    const withdrawn = await test.app.inject({
      method: 'DELETE',
      url: `/api/v1/consultations/${c.id}/call/invites/${interpreterInvite.id}`,
      headers: c.doctor.auth,
    });
    expect(withdrawn.statusCode).toBe(200);
    expect(await (await Client.open(url, interpreterToken, interpreter.auth)).closed()).toBe(4403);
    expect((await credentials(c.id, interpreter.auth)).statusCode).toBe(404);

    // With the place free, an extra specialist is invited and joins.
    expect((await invite(extra.username, 'specialist')).statusCode).toBe(201);
    const extraIssued = (await credentials(c.id, extra.auth)).json<Credentials>();
    const extraClient = await Client.open(url, extraIssued.token, extra.auth);
    await extraClient.next(ofType('welcome'));
    for (const client of [...clients.slice(0, 3), extraClient]) client.close();
  });

  it('takes no fifth participant: a second device of one takes over its place, a fifth invite is refused', async () => {
    const c = await consultation();
    const invited = await Promise.all([1, 2].map(() => createStaff(test, 'hub_doctor', { stateId: UP.stateId })));
    for (const staff of invited) {
      await test.app.inject({
        method: 'POST',
        url: `/api/v1/consultations/${c.id}/call/invites`,
        headers: c.doctor.auth,
        payload: { username: staff.username, role: 'specialist' },
      });
    }
    const clients: Client[] = [];
    for (const headers of [c.doctor.auth, c.patient.headers, invited[0]!.auth, invited[1]!.auth]) {
      const issued = (await credentials(c.id, headers)).json<Credentials>();
      const client = await Client.open(url, issued.token, headers);
      await client.next(ofType('welcome'));
      clients.push(client);
    }
    // The same patient on a second device takes over their own place rather than a fifth one.
    const again = (await credentials(c.id, c.patient.headers)).json<Credentials>();
    const secondDevice = await Client.open(url, again.token, c.patient.headers);
    await secondDevice.next(ofType('welcome'));
    expect(await clients[1]!.closed()).toBe(4409);
    // A fifth person cannot be invited at all, and the room would not take them.
    const fifth = await createStaff(test, 'hub_doctor', { stateId: UP.stateId });
    const refused = await test.app.inject({
      method: 'POST',
      url: `/api/v1/consultations/${c.id}/call/invites`,
      headers: c.doctor.auth,
      payload: { username: fifth.username, role: 'specialist' },
    });
    expect(refused.statusCode).toBe(409);
    for (const client of [clients[0]!, secondDevice, clients[2]!, clients[3]!]) client.close();
  });

  it('keeps chat in the consultation record and passes it, and call-back requests, to the call at once', async () => {
    const c = await consultation();
    const d = (await credentials(c.id, c.doctor.auth)).json<Credentials>();
    const doctor = await Client.open(url, d.token, c.doctor.auth);
    await doctor.next(ofType('welcome'));
    const posted = await test.app.inject({
      method: 'POST',
      url: `/api/v1/consultations/${c.id}/messages`,
      headers: c.patient.headers,
      payload: { body: '  The video froze; my cough is worse at night  ' },
    });
    expect(posted.statusCode).toBe(201);
    expect(await doctor.next(ofType('chat'))).toMatchObject({
      message: { body: 'The video froze; my cough is worse at night', senderRole: 'patient' },
    });
    const stranger = await consultation();
    const notAllowed = await test.app.inject({
      method: 'GET',
      url: `/api/v1/consultations/${c.id}/messages`,
      headers: stranger.patient.headers,
    });
    expect(notAllowed.statusCode).toBe(404);
    const history = await test.app.inject({
      method: 'GET',
      url: `/api/v1/consultations/${c.id}/messages`,
      headers: c.doctor.auth,
    });
    expect(history.json<{ items: { body: string }[] }>().items.map((m) => m.body)).toEqual([
      'The video froze; my cough is worse at night',
    ]);

    const asked = await test.app.inject({
      method: 'POST',
      url: `/api/v1/consultations/${c.id}/callbacks`,
      headers: c.patient.headers,
      payload: { note: 'No video here' },
    });
    expect(asked.statusCode).toBe(201);
    expect(asked.json()).toMatchObject({ phone: c.patient.mobile, status: 'open' });
    expect(await doctor.next(ofType('callback'))).toMatchObject({ callback: { phone: c.patient.mobile } });
    const seen = await test.app.inject({
      method: 'GET',
      url: `/api/v1/consultations/${c.id}/callbacks`,
      headers: c.doctor.auth,
    });
    const [request] = seen.json<{ items: { id: string; note: string }[] }>().items;
    expect(request?.note).toBe('No video here');
    const done = await test.app.inject({
      method: 'POST',
      url: `/api/v1/consultations/${c.id}/callbacks/${request!.id}/done`,
      headers: c.doctor.auth,
      payload: {},
    });
    expect(done.json()).toMatchObject({ status: 'done' });
    doctor.close();
  });
});

describe('signalling across instances', () => {
  let second: FastifyInstance;
  let secondUrl: string;
  const buses: Bus[] = [];
  let first: FastifyInstance;
  let firstUrl: string;

  beforeAll(async () => {
    // With REDIS_URL, each instance has its own Redis connection, as in a deployment; otherwise
    // they share the in-process bus.
    const redisUrl = process.env.REDIS_URL;
    if (redisUrl === undefined) {
      first = test.app;
      firstUrl = url;
      second = await startSecondInstance(test);
    } else {
      const prefix = `sanjog-test-${randomUUID()}:`;
      for (let i = 0; i < 2; i++) buses.push(await new RedisBus(redisUrl, prefix).connect());
      first = await buildApp(test.config, { db: test.database.db, bus: buses[0]!, clock: test.clock, sms: test.sms });
      second = await buildApp(test.config, { db: test.database.db, bus: buses[1]!, clock: test.clock, sms: test.sms });
      firstUrl = await listen(first);
    }
    secondUrl = await listen(second);
  });
  afterAll(async () => {
    await second.close();
    if (first !== test.app) await first.close();
    for (const bus of buses) await bus.close();
  });

  it('relays between a patient on one instance and the doctor on another', async () => {
    const c = await consultation();
    const p = (await credentials(c.id, c.patient.headers, first)).json<Credentials>();
    const d = (await credentials(c.id, c.doctor.auth, second)).json<Credentials>();
    const patient = await Client.open(firstUrl, p.token, c.patient.headers);
    await patient.next(ofType('welcome'));
    const doctor = await Client.open(secondUrl, d.token, c.doctor.auth);
    expect(await doctor.next(ofType('welcome'))).toMatchObject({ peers: [{ id: p.participantId }] });
    expect(await patient.next(ofType('peer-joined'))).toMatchObject({ peer: { id: d.participantId } });

    doctor.send({ type: 'signal', to: p.participantId, data: { description: { type: 'offer', sdp: 'x' } } });
    expect(await patient.next(ofType('signal'))).toMatchObject({
      from: d.participantId,
      data: { description: { type: 'offer' } },
    });
    patient.send({ type: 'signal', to: d.participantId, data: { description: { type: 'answer', sdp: 'y' } } });
    expect(await doctor.next(ofType('signal'))).toMatchObject({
      from: p.participantId,
      data: { description: { type: 'answer' } },
    });

    // The patient comes back through the other instance: the old socket is closed, the place kept.
    const again = (await credentials(c.id, c.patient.headers, second)).json<Credentials>();
    const back = await Client.open(secondUrl, again.token, c.patient.headers);
    await back.next(ofType('welcome'));
    expect(await patient.closed()).toBe(4409);
    doctor.send({ type: 'signal', to: p.participantId, data: { restart: true } });
    expect(await back.next(ofType('signal'))).toMatchObject({ data: { restart: true } });
    // The old socket's close did not count as leaving.
    expect(doctor.received.some(ofType('peer-left'))).toBe(false);
    back.close();
    expect(await doctor.next(ofType('peer-left'))).toEqual({ type: 'peer-left', id: p.participantId });
    doctor.close();
  });
});
