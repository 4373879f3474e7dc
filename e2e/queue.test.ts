import { mkdtempSync } from 'node:fs';
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

describe('the OPD queue survives a crash', () => {
  it('loses no token and no call when the server is killed with SIGKILL mid-queue', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'sanjog-crash-'));
    let server = await startServer({}, { storage: 'pglite', dataDir });
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

    server.process.kill('SIGKILL');
    await new Promise((resolve) => server.process.once('exit', resolve));
    server = await startServer({}, { storage: 'pglite', dataDir });

    // The called patient can still answer the call; the others wait in the same order.
    const joined = await api<{ status: string }>(
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
    expect(await server.stop()).toBe(0);
  });
});
