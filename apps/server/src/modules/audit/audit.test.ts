import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VerifyResult } from './index.js';
import { createStaff, startTestApp, UP, type StaffFixture, type TestApp } from '../../test/app.js';

let test: TestApp;
let operator: StaffFixture;
let auditor: StaffFixture;
let patientId: string;

beforeAll(async () => {
  test = await startTestApp();
  operator = await createStaff(test, 'spoke_operator', { stateId: UP.stateId });
  auditor = await createStaff(test, 'auditor');
  const created = await test.app.inject({
    method: 'POST',
    url: '/api/v1/patients',
    headers: operator.auth,
    payload: { stateId: UP.stateId, name: 'Ganga Devi', sex: 'female', birthYear: 1950 },
    remoteAddress: '10.1.2.3',
  });
  patientId = created.json().id;
  await test.app.inject({
    method: 'GET',
    url: `/api/v1/patients/${patientId}`,
    headers: operator.auth,
    remoteAddress: '10.1.2.3',
  });
});
afterAll(async () => {
  await test.close();
});

const verify = async () =>
  (
    await test.app.inject({ method: 'POST', url: '/api/v1/audit/verify', headers: auditor.auth, payload: {} })
  ).json<VerifyResult>();

/** Tampering as someone with database access would: around the append-only trigger. */
async function tamper(sql: string, params: unknown[] = []): Promise<void> {
  await test.database.db.transaction(async (tx) => {
    await tx.query('alter table audit_log disable trigger audit_log_no_update');
    await tx.query(sql, params);
    await tx.query('alter table audit_log enable trigger audit_log_no_update');
  });
}

describe('audit log', () => {
  it('records who read and changed which patient, in which role, when and from where', async () => {
    const response = await test.app.inject({
      method: 'GET',
      url: `/api/v1/audit/events?patientId=${patientId}`,
      headers: auditor.auth,
    });
    expect(response.statusCode).toBe(200);
    const events = response.json().events as Record<string, unknown>[];
    expect(events.map((e) => e.action)).toEqual(['read', 'create']);
    expect(events[0]).toMatchObject({
      actorId: operator.userId,
      actorRole: 'spoke_operator',
      resourceType: 'Patient',
      patientId,
      stateId: 'IN-09',
      ip: '10.1.2.3',
    });
    expect(typeof events[0]?.at).toBe('string');
  });

  it('audits a search once per patient it shows', async () => {
    await test.app.inject({ method: 'GET', url: '/api/v1/patients?q=ganga', headers: operator.auth });
    const response = await test.app.inject({
      method: 'GET',
      url: `/api/v1/audit/events?patientId=${patientId}&actorId=${operator.userId}`,
      headers: auditor.auth,
    });
    expect((response.json().events as { action: string }[])[0]?.action).toBe('search');
  });

  it('refuses edits and deletions through SQL', async () => {
    await expect(test.database.db.query("update audit_log set action = 'x' where seq = 1")).rejects.toThrow(
      /append-only/,
    );
    await expect(test.database.db.query('delete from audit_log where seq = 1')).rejects.toThrow(/append-only/);
  });

  it('verifies an intact chain', async () => {
    const result = await verify();
    expect(result.ok).toBe(true);
    expect(result.checked).toBeGreaterThanOrEqual(3);
    expect(result.checked).toBe(result.headSeq);
  });

  it('detects an edited entry', async () => {
    const [row] = await test.database.db.query<{ seq: number }>(
      "select seq from audit_log where action = 'read' and patient_id = $1 order by seq limit 1",
      [patientId],
    );
    await tamper('update audit_log set actor_id = null where seq = $1', [row?.seq]);
    const result = await verify();
    expect(result.ok).toBe(false);
    expect(result.firstBrokenSeq).toBe(row?.seq);
    expect(result.reason).toMatch(/altered/);
  });
});

describe('audit chain tampering, each on a fresh chain', () => {
  let fresh: TestApp;
  let freshAuditor: StaffFixture;
  beforeAll(async () => {
    fresh = await startTestApp();
    freshAuditor = await createStaff(fresh, 'auditor');
    const staff = await createStaff(fresh, 'state_admin', { stateId: UP.stateId });
    for (let i = 0; i < 3; i += 1) {
      await fresh.app.inject({
        method: 'POST',
        url: '/api/v1/patients',
        headers: staff.auth,
        payload: { stateId: UP.stateId, name: `P${i}`, sex: 'male' },
      });
    }
  });
  afterAll(async () => {
    await fresh.close();
  });
  const verifyFresh = async () =>
    (
      await fresh.app.inject({ method: 'POST', url: '/api/v1/audit/verify', headers: freshAuditor.auth, payload: {} })
    ).json<VerifyResult>();
  const tamperFresh = (sql: string) =>
    fresh.database.db.transaction(async (tx) => {
      await tx.query('alter table audit_log disable trigger audit_log_no_update');
      await tx.query(sql);
      await tx.query('alter table audit_log enable trigger audit_log_no_update');
    });

  it('detects a deleted entry in the middle, then a cut-off end', async () => {
    expect((await verifyFresh()).ok).toBe(true);
    const [last] = await fresh.database.db.query<{ seq: number }>('select max(seq)::int as seq from audit_log');
    await tamperFresh(`delete from audit_log where seq = ${String((last?.seq ?? 0) - 1)}`);
    const middle = await verifyFresh();
    expect(middle).toMatchObject({ ok: false, firstBrokenSeq: (last?.seq ?? 0) - 1 });
    expect(middle.reason).toMatch(/missing/);

    // Cutting the tail leaves a consistent-looking chain; the head record still catches it.
    await tamperFresh(`delete from audit_log where seq >= ${String((last?.seq ?? 0) - 1)}`);
    const tail = await verifyFresh();
    expect(tail.ok).toBe(false);
    expect(tail.reason).toMatch(/head/);
  });
});
