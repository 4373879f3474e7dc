import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../scripts/server-process.js';

/** The OPD queue through the real server process, as the apps use it. */

// The caller names the shape it expects; the server's schemas are tested elsewhere.
// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters
async function api<T>(
  server: RunningServer,
  method: string,
  url: string,
  token?: string,
  body?: unknown,
): Promise<{ status: number; body: T }> {
  const response = await fetch(`${server.url}${url}`, {
    method,
    headers: {
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, body: (await response.json()) as T };
}

async function signInPatient(server: RunningServer, mobile: string): Promise<string> {
  const { body: challenge } = await api<{ challengeId: string }>(server, 'POST', '/api/v1/auth/otp', undefined, {
    mobile,
  });
  const { body: outbox } = await api<{ messages: { body: string }[] }>(
    server,
    'GET',
    `/api/v1/dev/sms-outbox?mobile=${mobile}&limit=1`,
  );
  const code = /\b\d{6}\b/.exec(outbox.messages[0]?.body ?? '')?.[0];
  const { body } = await api<{ token: string }>(server, 'POST', '/api/v1/auth/otp/verify', undefined, {
    challengeId: challenge.challengeId,
    code,
    tokenDelivery: 'bearer',
  });
  return body.token;
}

async function signInStaff(server: RunningServer, login: string): Promise<string> {
  const { body } = await api<{ token: string }>(server, 'POST', '/api/v1/auth/staff', undefined, {
    login,
    password: 'Sanjog@2026',
    tokenDelivery: 'bearer',
  });
  return body.token;
}

const databaseUrl = process.env.DATABASE_URL;

/** Kills the server with SIGKILL (no shutdown at all) and starts a new one on the same store. */
async function crashAndRestart(servers: RunningServer[]): Promise<RunningServer> {
  const server = servers.at(-1)!;
  const exited = new Promise((resolve) => server.process.once('exit', resolve));
  server.process.kill('SIGKILL');
  await exited;
  const restarted =
    server.storage === 'postgres'
      ? await startServer({}, { databaseUrl: server.databaseUrl! })
      : await startServer({}, { storage: 'pglite', dataDir: server.dataDir });
  servers.push(restarted);
  return restarted;
}

interface Consultation {
  id: string;
  status: string;
  version: number;
  record: { complaintText: string | null; history: string | null; advice: string | null };
}

/**
 * Tokens, a call, then a consultation in progress with part of its record saved: each survives a
 * SIGKILL of the server, and the consultation is completed after the restart.
 */
async function crashMidQueue(storage: 'pglite' | 'postgres') {
  const dataDir = storage === 'pglite' ? mkdtempSync(path.join(tmpdir(), 'sanjog-crash-')) : undefined;
  const servers = [await startServer({}, dataDir === undefined ? { storage } : { storage, dataDir })];
  let server = servers[0]!;
  try {
    const doctor = await signInStaff(server, 'up.opddoctor');
    const patients = [];
    for (const mobile of ['9811100001', '9811100002', '9811100003']) {
      const token = await signInPatient(server, mobile);
      const profile = await api<{ id: string }>(server, 'POST', '/api/v1/me/patients', token, {
        self: true,
        name: `Patient ${mobile.slice(-1)}`,
        sex: 'female',
        ageYears: 30,
        stateId: 'IN-09',
        districtId: 'IN-09-162',
      });
      expect(profile.status).toBe(201);
      patients.push({ token, patientId: profile.body.id });
    }
    const opds = await api<{ items: { id: string; name: string }[] }>(
      server,
      'GET',
      '/api/v1/opds?stateId=IN-09',
      patients[0]!.token,
    );
    const general = opds.body.items.find((o) => o.name.includes('General'));
    expect(general).toBeDefined();
    const tokens = [];
    for (const p of patients) {
      const taken = await api<{ id: string; tokenNumber: number }>(server, 'POST', '/api/v1/opd/tokens', p.token, {
        opdId: general!.id,
        patientId: p.patientId,
      });
      expect(taken.status).toBe(201);
      tokens.push(taken.body);
    }
    const called = await api<{ token: { id: string } }>(
      server,
      'POST',
      `/api/v1/opd/${general!.id}/call-next`,
      doctor,
      {},
    );
    expect(called.body.token.id).toBe(tokens[0]!.id);

    // Killed with a patient called: the call survives.
    server = await crashAndRestart(servers);

    // The called patient can still answer the call; the others wait in the same order.
    const joined = await api<{ status: string; consultationId: string }>(
      server,
      'POST',
      `/api/v1/opd/tokens/${tokens[0]!.id}/join`,
      patients[0]!.token,
      {},
    );
    expect(joined.body.status).toBe('in_consultation');
    const waiting = await api<{ items: { id: string; ahead: number }[] }>(
      server,
      'GET',
      '/api/v1/me/tokens',
      patients[2]!.token,
    );
    expect(waiting.body.items[0]).toMatchObject({ id: tokens[2]!.id, ahead: 1 });
    const queue = await api<{ items: { id: string }[] }>(server, 'GET', `/api/v1/opd/${general!.id}/queue`, doctor);
    expect(queue.body.items.map((t) => t.id)).toEqual([tokens[1]!.id, tokens[2]!.id]);

    // The doctor writes part of the record, and the server is killed mid-consultation.
    const consultationId = joined.body.consultationId;
    const started = await api<Consultation>(server, 'GET', `/api/v1/consultations/${consultationId}`, doctor);
    expect(started.body.status).toBe('in_progress');
    const draft = await api<Consultation>(server, 'PATCH', `/api/v1/consultations/${consultationId}/record`, doctor, {
      version: started.body.version,
      complaintText: 'fever for three days',
      history: 'no travel; drinks well water',
    });
    expect(draft.status).toBe(200);
    server = await crashAndRestart(servers);

    // After the restart the doctor still has the patient, with the record as it was saved.
    const inHand = await api<{ token: { id: string; status: string; consultationId: string } | null }>(
      server,
      'GET',
      '/api/v1/me/opd-call',
      doctor,
    );
    expect(inHand.body.token).toMatchObject({ id: tokens[0]!.id, status: 'in_consultation', consultationId });
    const saved = await api<Consultation>(server, 'GET', `/api/v1/consultations/${consultationId}`, doctor);
    expect(saved.body).toMatchObject({
      status: 'in_progress',
      version: draft.body.version,
      record: { complaintText: 'fever for three days', history: 'no travel; drinks well water' },
    });
    // The patient's device finds its consultation again, and the doctor completes it.
    const rejoined = await api<{ status: string; consultationId: string }>(
      server,
      'POST',
      `/api/v1/opd/tokens/${tokens[0]!.id}/join`,
      patients[0]!.token,
      {},
    );
    expect(rejoined.body).toMatchObject({ status: 'in_consultation', consultationId });
    const completed = await api<Consultation>(
      server,
      'POST',
      `/api/v1/consultations/${consultationId}/complete`,
      doctor,
      { version: saved.body.version, advice: 'paracetamol if needed; fluids' },
    );
    expect(completed.status).toBe(200);
    expect(completed.body).toMatchObject({
      status: 'completed',
      record: {
        complaintText: 'fever for three days',
        history: 'no travel; drinks well water',
        advice: 'paracetamol if needed; fluids',
      },
    });
    const finished = await api<{ status: string }>(
      server,
      'POST',
      `/api/v1/opd/tokens/${tokens[0]!.id}/finish`,
      doctor,
      {},
    );
    expect(finished.body.status).toBe('completed');
    const next = await api<{ token: { id: string } }>(
      server,
      'POST',
      `/api/v1/opd/${general!.id}/call-next`,
      doctor,
      {},
    );
    expect(next.body.token.id).toBe(tokens[1]!.id);
    expect(await server.stop()).toBe(0);
  } finally {
    // Whatever happened: no server left running, then the first drops the PostgreSQL database it made.
    for (const started of servers.reverse()) await started.stop();
    if (dataDir !== undefined) rmSync(dataDir, { recursive: true, force: true });
  }
}

describe('the OPD queue survives a crash', () => {
  it('loses no token, no call and no consultation in progress when the server is killed with SIGKILL (PGlite)', async () => {
    await crashMidQueue('pglite');
  });
});

describe.skipIf(databaseUrl === undefined)('the OPD queue survives a crash on PostgreSQL (needs DATABASE_URL)', () => {
  it('loses no token, no call and no consultation in progress when the server is killed with SIGKILL', async () => {
    await crashMidQueue('postgres');
  });
});
