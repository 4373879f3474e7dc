import { randomUUID } from 'node:crypto';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import type { StaffRole } from '@sanjog/shared';
import { buildApp } from '../app.js';
import { InProcessBus } from '../platform/bus.js';
import { ManualClock } from '../platform/clock.js';
import { loadConfig, type Config } from '../platform/config.js';
import { blankFacility, FacilityRepository, type FacilityKind } from '../modules/facilities/index.js';
import { FormularyRepository } from '../modules/formulary/index.js';
import { GeographyRepository } from '../modules/geography/index.js';
import { hashPassword, IdentityRepository } from '../modules/identity/index.js';
import { PractitionerRepository } from '../modules/practitioners/index.js';
import type { SmsSender } from '../modules/sms/index.js';
import { loadClinicalTerms, loadFormulary, loadIndiaGeography, loadSpecialities } from '../seed/reference.js';
import { TerminologyRepository } from '../modules/terminology/index.js';
import { openTestDatabase, type TestDatabase } from './database.js';

/** Captures the messages that would have gone out by SMS. */
export class CapturedSms implements SmsSender {
  readonly sent: { to: string; body: string }[] = [];
  send(message: { to: string; body: string }): Promise<void> {
    this.sent.push(message);
    return Promise.resolve();
  }
  /** The newest 6-digit code sent to a number. */
  lastCode(to: string): string {
    const message = [...this.sent].reverse().find((m) => m.to === to);
    const code = message?.body.match(/\b\d{6}\b/)?.[0];
    if (code === undefined) throw new Error(`no code was sent to ${to}`);
    return code;
  }
}

export interface TestApp {
  app: FastifyInstance;
  bus: InProcessBus;
  config: Config;
  database: TestDatabase;
  clock: ManualClock;
  sms: CapturedSms;
  close(): Promise<void>;
}

/** The real app on a fresh database, with a movable clock and captured SMS. */
export async function startTestApp(
  env: Record<string, string> = {},
  options: { sms?: SmsSender } = {},
): Promise<TestApp> {
  const config = loadConfig({
    NODE_ENV: 'test',
    SECRET_KEY: 'test-secret-key-0123456789abcdefghijklmnop',
    WEB_DIST_DIR: '/nonexistent',
    ...env,
  });
  const database = await openTestDatabase();
  await loadIndiaGeography(new GeographyRepository(database.db));
  await loadSpecialities(new TerminologyRepository(database.db));
  await loadClinicalTerms(new TerminologyRepository(database.db));
  await loadFormulary(new FormularyRepository(database.db));
  const clock = new ManualClock(new Date('2026-11-22T10:00:00Z'));
  const sms = new CapturedSms();
  const bus = new InProcessBus();
  const app = await buildApp(config, { db: database.db, bus, clock, sms: options.sms ?? sms });
  return {
    app,
    bus,
    config,
    database,
    clock,
    sms,
    close: async () => {
      await app.close();
      await bus.close();
      await database.drop();
    },
  };
}

export const TEST_PASSWORD = 'correct horse battery staple';

let passwordHash: Promise<string> | undefined;

export interface StaffFixture {
  userId: string;
  username: string;
  token: string;
  auth: { authorization: string };
}

/** A new staff member with one role (a tenant of their own, as Medplum's tests do) and a bearer token. */
export async function createStaff(
  test: TestApp,
  role: StaffRole,
  place: { stateId?: string; facilityId?: string } = {},
): Promise<StaffFixture> {
  passwordHash ??= hashPassword(TEST_PASSWORD);
  const userId = randomUUID();
  const username = `${role}.${userId.slice(0, 8)}`;
  let stateId = place.stateId ?? null;
  if (place.facilityId !== undefined) {
    const [facility] = await test.database.db.query<{ stateId: string }>(
      'select state_id as "stateId" from facilities where id = $1',
      [place.facilityId],
    );
    stateId = facility?.stateId ?? null;
  }
  await new IdentityRepository(test.database.db).createStaffUser(
    { id: userId, username, mobile: null, displayName: `Test ${role}`, passwordHash: await passwordHash },
    [{ id: randomUUID(), role, stateId, facilityId: place.facilityId ?? null }],
  );
  const response = await test.app.inject({
    method: 'POST',
    url: '/api/v1/auth/staff',
    payload: { login: username, password: TEST_PASSWORD, tokenDelivery: 'bearer' },
  });
  const token = response.json<{ token?: string }>().token;
  if (response.statusCode !== 200 || token === undefined) throw new Error(`sign-in failed: ${response.body}`);
  return { userId, username, token, auth: { authorization: `Bearer ${token}` } };
}

/**
 * A signed-in clinician with a practitioner record (in the facility's state) and one active role
 * at `facilityId`: what the queue, calls and hub-and-spoke tests call "a doctor here".
 */
export async function createDoctor(
  test: TestApp,
  facilityId: string,
  role: 'opd_doctor' | 'hub_doctor' = 'opd_doctor',
  specialities: string[] = ['general_medicine'],
): Promise<StaffFixture & { practitionerId: string }> {
  const staff = await createStaff(test, role, { facilityId });
  const [facility] = await test.database.db.query<{ stateId: string }>(
    'select state_id as "stateId" from facilities where id = $1',
    [facilityId],
  );
  const stateId = facility?.stateId ?? '';
  const practitioners = new PractitionerRepository(test.database.db);
  const practitionerId = randomUUID();
  await practitioners.insert({
    id: practitionerId,
    stateId,
    userId: staff.userId,
    name: `Dr Test ${practitionerId.slice(0, 4)}`,
    gender: 'female',
    qualification: 'MBBS',
    registrationCouncil: null,
    registrationNumber: null,
    registryId: null,
    languages: ['hi'],
    specialities,
    mobile: null,
    active: true,
  });
  const roleSpecialities = role === 'hub_doctor' ? specialities : [];
  await practitioners.replaceRoles(practitionerId, [
    { id: randomUUID(), facilityId, stateId, role, specialities: roleSpecialities },
  ]);
  return { ...staff, practitionerId };
}

export async function createFacility(
  test: TestApp,
  stateId: string,
  districtId: string,
  kind: FacilityKind = 'spoke',
): Promise<string> {
  const id = randomUUID();
  await new FacilityRepository(test.database.db).insert(
    blankFacility({ id, stateId, districtId, name: `Test ${kind} ${id.slice(0, 6)}`, kind }),
  );
  return id;
}

/** Signs a patient in through the one-time code, as the app does; returns the cookie header. */
export async function signInPatient(test: TestApp, mobile: string): Promise<{ cookie: string; userId: string }> {
  const requested = await test.app.inject({ method: 'POST', url: '/api/v1/auth/otp', payload: { mobile } });
  const { challengeId } = requested.json<{ challengeId: string }>();
  const verified = await test.app.inject({
    method: 'POST',
    url: '/api/v1/auth/otp/verify',
    payload: { challengeId, code: test.sms.lastCode(mobile) },
  });
  if (verified.statusCode !== 200) throw new Error(`OTP sign-in failed: ${verified.body}`);
  return { cookie: sessionCookie(verified), userId: verified.json<{ me: { userId: string } }>().me.userId };
}

export function sessionCookie(response: LightMyRequestResponse): string {
  const cookie = response.cookies.find((c) => c.name === 'sanjog_session');
  if (cookie === undefined) throw new Error('no session cookie was set');
  return `sanjog_session=${cookie.value}`;
}

/** Two states used throughout the tests, with a district of each. */
export const UP = { stateId: 'IN-09', districtId: 'IN-09-140' } as const;
export const KA = { stateId: 'IN-29', districtId: 'IN-29-525' } as const;

/** Another server instance on the same database and event bus, as behind a load balancer. */
export async function startSecondInstance(test: TestApp): Promise<FastifyInstance> {
  return buildApp(test.config, { db: test.database.db, bus: test.bus, clock: test.clock, sms: test.sms });
}
