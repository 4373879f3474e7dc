import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FacilityRepository } from '../modules/facilities/index.js';
import { IdentityRepository } from '../modules/identity/index.js';
import { MappingRepository } from '../modules/mappings/index.js';
import { OpdRepository } from '../modules/opds/index.js';
import { PatientRepository } from '../modules/patients/index.js';
import { PractitionerRepository } from '../modules/practitioners/index.js';
import { RosterRepository } from '../modules/rosters/index.js';
import { startTestApp, type TestApp } from '../test/app.js';
import { demoSignIns, DEMO_PASSWORD, loadDemoData } from './demo.js';

let test: TestApp;
beforeAll(async () => {
  test = await startTestApp();
  const db = test.database.db;
  const loaded = await loadDemoData({
    identity: new IdentityRepository(db),
    facilities: new FacilityRepository(db),
    practitioners: new PractitionerRepository(db),
    mappings: new MappingRepository(db),
    rosters: new RosterRepository(db),
    opds: new OpdRepository(db),
    patients: new PatientRepository(db),
  });
  expect(loaded).toBe(true);
}, 120_000);
afterAll(async () => {
  await test.close();
});

describe('demo data', () => {
  it('has two states, each with several districts, hubs, 50+ spokes and 3 OPDs', async () => {
    const rows = await test.database.db.query<{ stateId: string; kind: string; count: number; districts: number }>(
      `select state_id as "stateId", kind, count(*)::int as count, count(distinct district_id)::int as districts
       from facilities group by state_id, kind order by 1, 2`,
    );
    for (const stateId of ['IN-09', 'IN-29']) {
      const of = (kind: string) => rows.find((r) => r.stateId === stateId && r.kind === kind);
      expect(of('spoke')?.count).toBeGreaterThanOrEqual(50);
      expect(of('spoke')?.districts).toBeGreaterThanOrEqual(5);
      expect(of('hub')?.count).toBeGreaterThanOrEqual(2);
      expect(of('opd')?.count).toBe(3);
    }
  });

  it('maps every spoke to hubs and staffs every facility with someone on shift now, at any hour', async () => {
    const unmapped = await test.database.db.query(
      `select f.id from facilities f where f.kind = 'spoke' and not exists (select 1 from spoke_hub_mappings m where m.spoke_id = f.id and m.valid_to is null)`,
    );
    expect(unmapped).toHaveLength(0);
    const staffed = await test.database.db.query<{ id: string; kind: string }>(
      "select id, kind from facilities where kind in ('hub', 'opd', 'spoke')",
    );
    for (const hour of [0, 6, 11, 12, 18, 23]) {
      const at = new Date(Date.UTC(2026, 10, 22, hour, 30));
      const available = await test.app.services.rosters.availableNow(
        staffed.map((f) => f.id),
        at,
      );
      expect(available.length, `at ${at.toISOString()}`).toBeGreaterThanOrEqual(staffed.length);
    }
  });

  it('keeps the general OPD of each state open at any hour', async () => {
    const opds = await test.database.db.query<{ id: string }>(
      "select id from facilities where kind = 'opd' and name like '%General OPD'",
    );
    expect(opds).toHaveLength(2);
    for (const hour of [0, 5, 13, 22]) {
      for (const opd of opds) {
        expect((await test.app.services.opds.openNow(opd.id, new Date(Date.UTC(2026, 10, 22, hour, 15)))).openNow).toBe(
          true,
        );
      }
    }
  });

  it('signs in every printed demo sign-in', async () => {
    for (const signIn of demoSignIns().filter((s) => s.role !== 'patient')) {
      const response = await test.app.inject({
        method: 'POST',
        url: '/api/v1/auth/staff',
        payload: { login: signIn.login, password: DEMO_PASSWORD },
      });
      expect(response.json().me.roles, signIn.login).toContain(signIn.role);
    }
  });

  it('links the demo doctors and officers to their practitioner records', async () => {
    const rows = await test.database.db.query<{ username: string }>(
      'select u.username from users u join practitioners p on p.user_id = u.id order by 1',
    );
    expect(rows.map((r) => r.username)).toEqual(
      expect.arrayContaining(['up.cho', 'up.hubdoctor', 'up.opddoctor', 'ka.hubdoctor']),
    );
  });
});
