import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStaff, startTestApp, UP, type StaffFixture, type TestApp } from '../../test/app.js';
import { buildApp } from '../../app.js';
import { InProcessBus } from '../bus.js';
import { ManualClock } from '../clock.js';

let test: TestApp;
let admin: StaffFixture;
beforeAll(async () => {
  test = await startTestApp();
  admin = await createStaff(test, 'state_admin', { stateId: UP.stateId });
});
afterAll(async () => {
  await test.close();
});

describe('bad input', () => {
  it('answers a missing field with 400 and an OperationOutcome naming it', async () => {
    const response = await test.app.inject({
      method: 'POST',
      url: '/api/v1/patients',
      headers: admin.auth,
      payload: { stateId: UP.stateId, sex: 'female' },
    });
    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toContain('application/json');
    const outcome = response.json();
    expect(outcome.resourceType).toBe('OperationOutcome');
    expect(outcome.issue[0]).toMatchObject({ severity: 'error', code: 'required', expression: ['body.name'] });
  });

  it('names every bad field at once', async () => {
    const response = await test.app.inject({
      method: 'POST',
      url: '/api/v1/patients',
      headers: admin.auth,
      payload: { stateId: UP.stateId, name: 'X', sex: 'robot', birthDate: 'yesterday' },
    });
    expect(response.statusCode).toBe(400);
    const fields = (response.json().issue as { expression: string[] }[]).flatMap((i) => i.expression);
    expect(fields).toEqual(expect.arrayContaining(['body.sex', 'body.birthDate']));
  });

  it('refuses unknown fields rather than dropping them silently', async () => {
    const response = await test.app.inject({
      method: 'POST',
      url: '/api/v1/patients',
      headers: admin.auth,
      payload: { stateId: UP.stateId, name: 'X', sex: 'male', income: 1000 },
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().issue[0].expression).toEqual(['body.income']);
  });

  it('answers malformed JSON with 400 OperationOutcome', async () => {
    const response = await test.app.inject({
      method: 'POST',
      url: '/api/v1/patients',
      headers: { ...admin.auth, 'content-type': 'application/json' },
      payload: '{"name": ',
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().resourceType).toBe('OperationOutcome');
  });

  it('answers a bad path parameter and a bad query parameter with 400', async () => {
    const path = await test.app.inject({ method: 'GET', url: '/api/v1/patients/not-a-uuid', headers: admin.auth });
    expect(path.statusCode).toBe(400);
    expect(path.json().issue[0].expression).toEqual(['params.id']);
    const query = await test.app.inject({ method: 'GET', url: '/api/v1/patients?limit=100000', headers: admin.auth });
    expect(query.statusCode).toBe(400);
    expect(query.json().issue[0].expression).toEqual(['querystring.limit']);
  });

  it('answers an unknown route with 404 OperationOutcome', async () => {
    const response = await test.app.inject({ method: 'POST', url: '/api/v1/nothing-here', payload: {} });
    expect(response.statusCode).toBe(404);
    expect(response.json().issue[0].code).toBe('not-found');
  });

  it('answers a stale edit with 409 and keeps the newer data', async () => {
    const created = (
      await test.app.inject({
        method: 'POST',
        url: '/api/v1/patients',
        headers: admin.auth,
        payload: { stateId: UP.stateId, name: 'Versioned', sex: 'male' },
      })
    ).json();
    const first = await test.app.inject({
      method: 'PATCH',
      url: `/api/v1/patients/${created.id}`,
      headers: admin.auth,
      payload: { village: 'Bakshi Ka Talab', version: 1 },
    });
    expect(first.statusCode).toBe(200);
    const stale = await test.app.inject({
      method: 'PATCH',
      url: `/api/v1/patients/${created.id}`,
      headers: admin.auth,
      payload: { village: 'Other', version: 1 },
    });
    expect(stale.statusCode).toBe(409);
    const now = await test.app.inject({ method: 'GET', url: `/api/v1/patients/${created.id}`, headers: admin.auth });
    expect(now.json()).toMatchObject({ village: 'Bakshi Ka Talab', version: 2 });
  });
});

describe('unexpected errors', () => {
  it('answers 500 with an OperationOutcome that reveals nothing of the cause', async () => {
    const app = await buildApp(test.config, {
      db: test.database.db,
      bus: new InProcessBus(),
      clock: new ManualClock(),
    });
    app.get('/api/v1/test/boom', { config: { auth: 'public' } }, () => {
      throw new Error('secret connection string postgres://user:pw@db');
    });
    const response = await app.inject({ method: 'GET', url: '/api/v1/test/boom' });
    await app.close();
    expect(response.statusCode).toBe(500);
    const outcome = response.json();
    expect(outcome.resourceType).toBe('OperationOutcome');
    expect(JSON.stringify(outcome)).not.toContain('secret');
    expect(outcome.issue[0].diagnostics).toContain(response.headers['x-request-id']);
  });

  it('answers a unique-index violation nobody foresaw with 409, not 500', async () => {
    const app = await buildApp(test.config, {
      db: test.database.db,
      bus: new InProcessBus(),
      clock: new ManualClock(),
    });
    app.post('/api/v1/test/duplicate', { config: { auth: 'public' } }, async () => {
      await test.database.db.query(
        "insert into countries (id, name, default_time_zone) values ('IN', 'India again', 'Asia/Kolkata')",
      );
      return {};
    });
    const response = await app.inject({ method: 'POST', url: '/api/v1/test/duplicate', payload: {} });
    await app.close();
    expect(response.statusCode).toBe(409);
    expect(response.json().issue[0].code).toBe('duplicate');
  });

  it('refuses at start-up an API route that does not declare who may call it', async () => {
    const app = await buildApp(test.config, {
      db: test.database.db,
      bus: new InProcessBus(),
      clock: new ManualClock(),
    });
    expect(() => app.get('/api/v1/test/open', () => 'open')).toThrow(/must declare config.auth/);
    await app.close();
  });
});

describe('idempotent creation', () => {
  it('replays the first answer for a repeated Idempotency-Key and creates once', async () => {
    const headers = { ...admin.auth, 'idempotency-key': 'offline-queue-0001' };
    const payload = { stateId: UP.stateId, name: 'Retried Patient', sex: 'female' };
    const first = await test.app.inject({ method: 'POST', url: '/api/v1/patients', headers, payload });
    const second = await test.app.inject({ method: 'POST', url: '/api/v1/patients', headers, payload });
    expect(first.statusCode).toBe(201);
    expect(second.statusCode).toBe(201);
    expect(second.headers['idempotent-replayed']).toBe('true');
    expect(second.json().id).toBe(first.json().id);
    const [row] = await test.database.db.query<{ count: number }>(
      "select count(*)::int as count from patients where name = 'Retried Patient'",
    );
    expect(row?.count).toBe(1);
  });

  it('refuses a key reused for a different request', async () => {
    const headers = { ...admin.auth, 'idempotency-key': 'offline-queue-0002' };
    await test.app.inject({
      method: 'POST',
      url: '/api/v1/patients',
      headers,
      payload: { stateId: UP.stateId, name: 'One', sex: 'male' },
    });
    const other = await test.app.inject({
      method: 'POST',
      url: '/api/v1/patients',
      headers,
      payload: { stateId: UP.stateId, name: 'Two', sex: 'male' },
    });
    expect(other.statusCode).toBe(422);
  });

  it('makes parallel retries with one key create one record', async () => {
    const headers = { ...admin.auth, 'idempotency-key': 'offline-queue-0003' };
    const payload = { stateId: UP.stateId, name: 'Parallel Patient', sex: 'male' };
    const answers = await Promise.all(
      [1, 2, 3, 4].map(() => test.app.inject({ method: 'POST', url: '/api/v1/patients', headers, payload })),
    );
    for (const answer of answers) expect([201, 409]).toContain(answer.statusCode);
    const [row] = await test.database.db.query<{ count: number }>(
      "select count(*)::int as count from patients where name = 'Parallel Patient'",
    );
    expect(row?.count).toBe(1);
  });

  it('frees the key when the first attempt failed, so the corrected retry goes through', async () => {
    const headers = { ...admin.auth, 'idempotency-key': 'offline-queue-0004' };
    const failed = await test.app.inject({
      method: 'POST',
      url: '/api/v1/patients',
      headers,
      payload: { stateId: 'IN-99', name: 'Nowhere', sex: 'male' },
    });
    expect(failed.statusCode).toBe(403);
    const keys = await test.database.db.query("select 1 from idempotency_keys where key = 'offline-queue-0004'");
    expect(keys).toHaveLength(0);
  });

  it('treats a repeated client-generated id as the same record', async () => {
    const id = '4f1d3a52-7d2c-4c1e-9a55-0b7f1e2d3c4b';
    const payload = { id, stateId: UP.stateId, name: 'Client Id Patient', sex: 'female' };
    const first = await test.app.inject({ method: 'POST', url: '/api/v1/patients', headers: admin.auth, payload });
    const second = await test.app.inject({ method: 'POST', url: '/api/v1/patients', headers: admin.auth, payload });
    expect(first.statusCode).toBe(201);
    expect(second.statusCode).toBe(200);
    expect(second.json().id).toBe(id);
    const other = await createStaff(test, 'state_admin', { stateId: UP.stateId });
    const clash = await test.app.inject({ method: 'POST', url: '/api/v1/patients', headers: other.auth, payload });
    expect(clash.statusCode).toBe(409);
  });
});

describe('operations', () => {
  it('reports alive and ready', async () => {
    expect((await test.app.inject({ method: 'GET', url: '/health' })).json()).toEqual({ status: 'ok' });
    expect((await test.app.inject({ method: 'GET', url: '/ready' })).json()).toEqual({
      status: 'ready',
      checks: { database: 'ok', events: 'ok' },
    });
  });

  it('is not ready when the database is gone', async () => {
    const broken = await buildApp(test.config, {
      db: { ...test.database.db, ping: () => Promise.reject(new Error('down')) },
      bus: new InProcessBus(),
      clock: new ManualClock(),
    });
    const response = await broken.inject({ method: 'GET', url: '/ready' });
    await broken.close();
    expect(response.statusCode).toBe(503);
    expect(response.json().checks.database).toBe('unreachable');
  });

  it('exposes request counts and latency histograms for Prometheus', async () => {
    await test.app.inject({ method: 'GET', url: '/health' });
    const response = await test.app.inject({ method: 'GET', url: '/metrics' });
    expect(response.headers['content-type']).toContain('text/plain');
    expect(response.body).toMatch(/http_requests_total\{method="GET",route="\/health",status_code="200"\} \d+/);
    expect(response.body).toMatch(
      /http_request_duration_seconds_bucket\{le="0.005",method="GET",route="\/health",status_code="200"\}/,
    );
  });

  it('publishes an OpenAPI document in which every API route has input and response schemas', async () => {
    const response = await test.app.inject({ method: 'GET', url: '/openapi.json' });
    expect(response.statusCode).toBe(200);
    const document = response.json<{
      openapi: string;
      paths: Record<string, Record<string, { responses?: Record<string, unknown>; requestBody?: unknown }>>;
    }>();
    expect(document.openapi).toMatch(/^3\./);
    expect(Object.keys(document.paths)).toEqual(
      expect.arrayContaining(['/api/v1/auth/otp', '/api/v1/patients', '/api/v1/patients/{id}']),
    );
    for (const [path, operations] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        expect(Object.keys(operation.responses ?? {}), `${method} ${path}`).not.toHaveLength(0);
        if (['post', 'patch', 'put'].includes(method) && path.startsWith('/api/')) {
          expect(operation.requestBody, `${method} ${path}`).toBeDefined();
        }
      }
    }
    expect((await test.app.inject({ method: 'GET', url: '/docs/' })).statusCode).toBe(200);
  });

  it('sets protective headers on every answer', async () => {
    const response = await test.app.inject({ method: 'GET', url: '/health' });
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['x-frame-options']).toBe('DENY');
    expect(response.headers['x-request-id']).toBeDefined();
  });
});
