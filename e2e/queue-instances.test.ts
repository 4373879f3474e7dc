import { createHash, randomBytes, randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startServer, type RunningServer } from '../scripts/server-process.js';

/**
 * Two real server processes on one PostgreSQL and one Redis, as in a scaled-out deployment:
 * doctors on both call from one OPD's queue at once, and patients join through either.
 */
const databaseUrl = process.env.DATABASE_URL;
const redisUrl = process.env.REDIS_URL;
const STATE_ID = 'IN-09';
const DOCTORS_PER_INSTANCE = 3;
const PATIENTS = 40;

interface Account {
  userId: string;
  bearer: string;
  hash: string;
}

function account(): Account {
  const token = randomBytes(32).toString('base64url');
  return { userId: randomUUID(), bearer: token, hash: createHash('sha256').update(token).digest('hex') };
}

// The caller names the shape it expects; the server's schemas are tested elsewhere.
// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters
async function api<T>(
  server: RunningServer,
  method: string,
  url: string,
  bearer: string,
  body?: unknown,
): Promise<{ status: number; body: T }> {
  const response = await fetch(`${server.url}${url}`, {
    method,
    headers: {
      authorization: `Bearer ${bearer}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, body: (await response.json()) as T };
}

describe.skipIf(databaseUrl === undefined || redisUrl === undefined)(
  'two server instances share one OPD queue (needs DATABASE_URL and REDIS_URL)',
  () => {
    let a: RunningServer;
    let b: RunningServer;
    let db: pg.Client;
    let opdId: string;
    const doctors: (Account & { practitionerId: string; server: () => RunningServer })[] = [];
    const patients: (Account & { patientId: string })[] = [];

    beforeAll(async () => {
      a = await startServer({ REDIS_URL: redisUrl! }, { storage: 'postgres' });
      b = await startServer({ REDIS_URL: redisUrl! }, { databaseUrl: a.databaseUrl! });
      db = new pg.Client({ connectionString: a.databaseUrl });
      await db.connect();
      const [opd] = (
        await db.query<{ id: string }>(
          `select id from facilities where kind = 'opd' and state_id = $1 and name like '%General%' limit 1`,
          [STATE_ID],
        )
      ).rows;
      opdId = opd!.id;
      const [district] = (
        await db.query<{ id: string }>('select district_id as id from facilities where id = $1', [opdId])
      ).rows;
      for (let i = 0; i < DOCTORS_PER_INSTANCE * 2; i += 1) {
        const doctor = { ...account(), practitionerId: randomUUID(), server: () => (i % 2 === 0 ? a : b) };
        await db.query(`insert into users (id, kind, username, display_name) values ($1, 'staff', $2, $3)`, [
          doctor.userId,
          `two.instances.${String(i)}`,
          `Dr Two ${String(i)}`,
        ]);
        await db.query(
          `insert into role_bindings (id, user_id, role, state_id, facility_id) values (gen_random_uuid(), $1, 'opd_doctor', $2, $3)`,
          [doctor.userId, STATE_ID, opdId],
        );
        await db.query(
          `insert into practitioners (id, state_id, user_id, name, gender, qualification, languages, specialities)
           values ($1, $2, $3, $4, 'female', 'MBBS', '{hi}', '{general_medicine}')`,
          [doctor.practitionerId, STATE_ID, doctor.userId, `Dr Two ${String(i)}`],
        );
        await db.query(
          `insert into practitioner_roles (id, practitioner_id, facility_id, state_id, role, active)
           values (gen_random_uuid(), $1, $2, $3, 'opd_doctor', true)`,
          [doctor.practitionerId, opdId, STATE_ID],
        );
        doctors.push(doctor);
      }
      for (let i = 0; i < PATIENTS; i += 1) {
        const patient = { ...account(), patientId: randomUUID() };
        const mobile = `62${String(i).padStart(8, '0')}`;
        await db.query(`insert into users (id, kind, mobile, display_name) values ($1, 'patient', $2, $3)`, [
          patient.userId,
          mobile,
          `Patient ${String(i)}`,
        ]);
        await db.query(
          `insert into patients (id, state_id, district_id, account_user_id, name, sex, birth_year, mobile)
           values ($1, $2, $3, $4, $5, 'female', 1990, $6)`,
          [patient.patientId, STATE_ID, district!.id, patient.userId, `Patient ${String(i)}`, mobile],
        );
        patients.push(patient);
      }
      await db.query(
        `insert into sessions (id, token_hash, user_id, kind, label, created_at, expires_at, last_seen_at)
         select gen_random_uuid(), h, u, 'bearer', 'two-instances', now(), now() + interval '1 day', now()
         from unnest($1::text[], $2::uuid[]) as t(h, u)`,
        [[...doctors, ...patients].map((x) => x.hash), [...doctors, ...patients].map((x) => x.userId)],
      );
    }, 120_000);

    afterAll(async () => {
      // Whatever beforeAll got to start (it may have failed half-way) is stopped.
      const client = db as pg.Client | undefined;
      const servers = [b as RunningServer | undefined, a as RunningServer | undefined];
      await client?.end();
      for (const server of servers) await server?.stop();
    });

    it('hands every patient to exactly one doctor, loses none, and tells patients on the other instance', async () => {
      const tokenIds: string[] = [];
      for (const [i, patient] of patients.entries()) {
        const taken = await api<{ id: string }>(i % 2 === 0 ? a : b, 'POST', '/api/v1/opd/tokens', patient.bearer, {
          opdId,
          patientId: patient.patientId,
        });
        expect(taken.status).toBe(201);
        tokenIds.push(taken.body.id);
      }
      // The first patient listens on instance B; doctors on instance A will call them.
      const heard: { type: string; event?: string }[] = [];
      const socket = new WebSocket(`${b.url.replace('http', 'ws')}/api/v1/live`, {
        headers: { authorization: `Bearer ${patients[0]!.bearer}` },
      });
      socket.on('message', (data: Buffer) => heard.push(JSON.parse(data.toString()) as { type: string }));
      await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));

      const byToken = new Map(tokenIds.map((id, i) => [id, patients[i]!]));
      const handedOut: string[] = [];
      const callNext = async (doctor: (typeof doctors)[number]) => {
        const call = await api<{ token: { id: string } | null }>(
          doctor.server(),
          'POST',
          `/api/v1/opd/${opdId}/call-next`,
          doctor.bearer,
          {},
        );
        expect(call.status).toBe(200);
        if (call.body.token !== null) handedOut.push(call.body.token.id);
        return call.body.token?.id ?? null;
      };
      // The patient joins on the other instance; the doctor completes the record and finishes.
      const see = async (doctor: (typeof doctors)[number], d: number, tokenId: string) => {
        const joined = await api<{ consultationId: string }>(
          d % 2 === 0 ? b : a,
          'POST',
          `/api/v1/opd/tokens/${tokenId}/join`,
          byToken.get(tokenId)!.bearer,
          {},
        );
        expect(joined.status).toBe(200);
        const completed = await api(
          doctor.server(),
          'POST',
          `/api/v1/consultations/${joined.body.consultationId}/complete`,
          doctor.bearer,
          { complaintText: 'fever' },
        );
        expect(completed.status).toBe(200);
        const finished = await api<{ status: string }>(
          doctor.server(),
          'POST',
          `/api/v1/opd/tokens/${tokenId}/finish`,
          doctor.bearer,
          {},
        );
        expect(finished.body.status).toBe('completed');
      };
      // The first call is made on instance A, to the patient listening on B.
      const first = await callNext(doctors[0]!);
      expect(first).toBe(tokenIds[0]);
      await see(doctors[0]!, 0, first!);
      // Then every doctor on both instances calls at once until the queue is empty.
      const work = doctors.map(async (doctor, d) => {
        for (let tokenId = await callNext(doctor); tokenId !== null; tokenId = await callNext(doctor)) {
          await see(doctor, d, tokenId);
        }
      });
      await Promise.all(work);

      expect(handedOut).toHaveLength(PATIENTS);
      expect(new Set(handedOut).size).toBe(PATIENTS);
      expect([...handedOut].sort()).toEqual([...tokenIds].sort());
      const { rows } = await db.query<{ tokens: number; consultations: number }>(
        `select (select count(*)::int from opd_tokens where id = any($1::uuid[]) and status = 'completed') as tokens,
                (select count(distinct token_id)::int from consultations where token_id = any($1::uuid[])
                   and status = 'completed') as consultations`,
        [tokenIds],
      );
      expect(rows[0]).toEqual({ tokens: PATIENTS, consultations: PATIENTS });
      // Doctors on both instances took patients.
      const byDoctor = await db.query<{ practitionerId: string }>(
        `select distinct practitioner_id as "practitionerId" from opd_tokens where id = any($1::uuid[])`,
        [tokenIds],
      );
      const instances = new Set(
        byDoctor.rows.map((r) => doctors.findIndex((d) => d.practitionerId === r.practitionerId) % 2),
      );
      expect(instances).toEqual(new Set([0, 1]));
      await expect
        .poll(() => heard.filter((m) => m.type === 'token').map((m) => m.event))
        .toEqual(expect.arrayContaining(['called', 'joined', 'completed']));
      socket.close();
    }, 120_000);
  },
);
