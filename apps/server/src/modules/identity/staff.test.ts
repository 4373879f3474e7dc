import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createStaff,
  sessionCookie,
  startSecondInstance,
  startTestApp,
  TEST_PASSWORD,
  UP,
  type TestApp,
} from '../../test/app.js';
import { totpAt } from './totp.js';

let test: TestApp;
beforeAll(async () => {
  test = await startTestApp({ LOGIN_MAX_FAILURES: '5', LOGIN_LOCKOUT_MINUTES: '15', COOKIE_SECURE: 'true' });
});
afterAll(async () => {
  await test.close();
});

const signIn = (payload: Record<string, unknown>) =>
  test.app.inject({ method: 'POST', url: '/api/v1/auth/staff', payload });

describe('staff sign-in', () => {
  it('signs in with user name and password into a Secure, HttpOnly, SameSite cookie', async () => {
    const staff = await createStaff(test, 'state_admin', { stateId: UP.stateId });
    const response = await signIn({ login: staff.username, password: TEST_PASSWORD });
    expect(response.statusCode).toBe(200);
    expect(response.json().me).toMatchObject({
      kind: 'staff',
      roles: ['state_admin'],
      bindings: [{ role: 'state_admin', stateId: 'IN-09' }],
    });
    expect(response.cookies.find((c) => c.name === 'sanjog_session')).toMatchObject({
      httpOnly: true,
      secure: true,
      sameSite: 'Lax',
    });
    expect(response.json().token).toBeUndefined();
  });

  it('refuses a wrong password without saying whether the user exists', async () => {
    const staff = await createStaff(test, 'coordinator', { stateId: UP.stateId });
    const wrong = await signIn({ login: staff.username, password: 'not the password' });
    const unknown = await signIn({ login: 'nobody.here', password: 'not the password' });
    expect(wrong.statusCode).toBe(401);
    expect(unknown.statusCode).toBe(401);
    expect(wrong.json().issue[0].diagnostics).toBe(unknown.json().issue[0].diagnostics);
  });

  it('locks the account after 5 failures, even against the right password, until the lockout ends', async () => {
    const staff = await createStaff(test, 'hub_doctor', { stateId: UP.stateId });
    for (let i = 1; i <= 4; i += 1)
      expect((await signIn({ login: staff.username, password: 'wrong' })).statusCode).toBe(401);
    const fifth = await signIn({ login: staff.username, password: 'wrong' });
    expect(fifth.statusCode).toBe(423);
    const locked = await signIn({ login: staff.username, password: TEST_PASSWORD });
    expect(locked.statusCode).toBe(423);
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);
    test.clock.advance(15 * 60 * 1000 + 1000);
    expect((await signIn({ login: staff.username, password: TEST_PASSWORD })).statusCode).toBe(200);
  });

  it('resets the failure count after a successful sign-in', async () => {
    const staff = await createStaff(test, 'pharmacist', { stateId: UP.stateId });
    for (let i = 0; i < 4; i += 1) await signIn({ login: staff.username, password: 'wrong' });
    expect((await signIn({ login: staff.username, password: TEST_PASSWORD })).statusCode).toBe(200);
    for (let i = 0; i < 4; i += 1)
      expect((await signIn({ login: staff.username, password: 'wrong' })).statusCode).toBe(401);
  });

  it('stores the password as an argon2id hash', async () => {
    const staff = await createStaff(test, 'auditor');
    const [row] = await test.database.db.query<{ password_hash: string }>(
      'select password_hash from users where id = $1',
      [staff.userId],
    );
    expect(row?.password_hash).toMatch(/^\$argon2id\$/);
  });

  it('asks for the authenticator code once TOTP is set up, and checks it', async () => {
    const staff = await createStaff(test, 'national_admin');
    const setup = await test.app.inject({
      method: 'POST',
      url: '/api/v1/auth/totp/setup',
      headers: staff.auth,
      payload: {},
    });
    expect(setup.statusCode).toBe(200);
    const { secret, otpauthUri } = setup.json();
    expect(otpauthUri).toContain(`secret=${secret}`);
    const badEnable = await test.app.inject({
      method: 'POST',
      url: '/api/v1/auth/totp/enable',
      headers: staff.auth,
      payload: { code: '000000' === totpAt(secret, test.clock.now()) ? '111111' : '000000' },
    });
    expect(badEnable.statusCode).toBe(400);
    const enable = await test.app.inject({
      method: 'POST',
      url: '/api/v1/auth/totp/enable',
      headers: staff.auth,
      payload: { code: totpAt(secret, test.clock.now()) },
    });
    expect(enable.statusCode).toBe(200);

    const withoutCode = await signIn({ login: staff.username, password: TEST_PASSWORD });
    expect(withoutCode.statusCode).toBe(401);
    expect(withoutCode.json().issue[0].expression).toEqual(['body.totp']);
    const current = totpAt(secret, test.clock.now());
    const wrongCode = await signIn({
      login: staff.username,
      password: TEST_PASSWORD,
      totp: current === '123456' ? '654321' : '123456',
    });
    expect(wrongCode.statusCode).toBe(401);
    const withCode = await signIn({ login: staff.username, password: TEST_PASSWORD, totp: current });
    expect(withCode.statusCode).toBe(200);
  });

  it('signs in by mobile number too', async () => {
    const staff = await createStaff(test, 'spoke_operator', { stateId: UP.stateId });
    await test.database.db.query("update users set mobile = '9123456780' where id = $1", [staff.userId]);
    expect((await signIn({ login: '9123456780', password: TEST_PASSWORD })).statusCode).toBe(200);
  });
});

describe('sessions and tokens', () => {
  it('ends a session on sign-out: the cookie stops working', async () => {
    const staff = await createStaff(test, 'state_admin', { stateId: UP.stateId });
    const signedIn = await signIn({ login: staff.username, password: TEST_PASSWORD });
    const cookie = sessionCookie(signedIn);
    expect((await test.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: { cookie } })).statusCode).toBe(
      200,
    );
    expect(
      (await test.app.inject({ method: 'POST', url: '/api/v1/auth/sign-out', headers: { cookie }, payload: {} }))
        .statusCode,
    ).toBe(200);
    expect((await test.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: { cookie } })).statusCode).toBe(
      401,
    );
  });

  it('lets a user list and revoke their sessions and bearer tokens', async () => {
    const staff = await createStaff(test, 'coordinator', { stateId: UP.stateId });
    const issued = await test.app.inject({
      method: 'POST',
      url: '/api/v1/auth/tokens',
      headers: staff.auth,
      payload: { label: 'district dashboard' },
    });
    expect(issued.statusCode).toBe(201);
    const apiAuth = { authorization: `Bearer ${issued.json().token}` };
    expect((await test.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: apiAuth })).statusCode).toBe(200);

    const list = await test.app.inject({ method: 'GET', url: '/api/v1/auth/sessions', headers: staff.auth });
    const sessions = list.json().sessions as { id: string; label: string | null; current: boolean }[];
    const apiSession = sessions.find((s) => s.label === 'district dashboard');
    expect(apiSession).toBeDefined();
    expect(sessions.filter((s) => s.current)).toHaveLength(1);

    const revoke = await test.app.inject({
      method: 'DELETE',
      url: `/api/v1/auth/sessions/${apiSession?.id ?? ''}`,
      headers: staff.auth,
    });
    expect(revoke.statusCode).toBe(200);
    expect((await test.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: apiAuth })).statusCode).toBe(401);
    expect((await test.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: staff.auth })).statusCode).toBe(
      200,
    );
  });

  it("cannot revoke another user's session", async () => {
    const one = await createStaff(test, 'auditor');
    const other = await createStaff(test, 'auditor');
    const list = await test.app.inject({ method: 'GET', url: '/api/v1/auth/sessions', headers: other.auth });
    const otherSession = (list.json().sessions as { id: string }[])[0];
    const revoke = await test.app.inject({
      method: 'DELETE',
      url: `/api/v1/auth/sessions/${otherSession?.id ?? ''}`,
      headers: one.auth,
    });
    expect(revoke.statusCode).toBe(404);
    expect((await test.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: other.auth })).statusCode).toBe(
      200,
    );
  });

  it('expires a cookie session after its lifetime', async () => {
    const staff = await createStaff(test, 'state_admin', { stateId: UP.stateId });
    const cookie = sessionCookie(await signIn({ login: staff.username, password: TEST_PASSWORD }));
    test.clock.advance(12 * 3600 * 1000 + 1000);
    expect((await test.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: { cookie } })).statusCode).toBe(
      401,
    );
  });

  it('stores only a hash of each token', async () => {
    const staff = await createStaff(test, 'auditor');
    const rows = await test.database.db.query('select * from sessions where user_id = $1', [staff.userId]);
    expect(JSON.stringify(rows)).not.toContain(staff.token);
  });

  it('stops a revoked session on every instance at once, though each caches sessions', async () => {
    const other = await startSecondInstance(test);
    const staff = await createStaff(test, 'state_admin', { stateId: UP.stateId });
    const issued = await test.app.inject({
      method: 'POST',
      url: '/api/v1/auth/tokens',
      headers: staff.auth,
      payload: { label: 'x' },
    });
    const apiAuth = { authorization: `Bearer ${issued.json<{ token: string }>().token}` };
    // Both instances now hold the session in their cache.
    expect((await other.inject({ method: 'GET', url: '/api/v1/auth/me', headers: apiAuth })).statusCode).toBe(200);
    expect((await test.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: apiAuth })).statusCode).toBe(200);
    const revoked = await other.inject({ method: 'POST', url: '/api/v1/auth/sign-out', headers: apiAuth, payload: {} });
    expect(revoked.statusCode).toBe(200);
    await new Promise((resolve) => setImmediate(resolve));
    expect((await test.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: apiAuth })).statusCode).toBe(401);
    expect((await other.inject({ method: 'GET', url: '/api/v1/auth/me', headers: apiAuth })).statusCode).toBe(401);
    await other.close();
  });
});
