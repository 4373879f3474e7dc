import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, sessionCookie, type TestApp } from '../../test/app.js';
import { SmsDeliveryError } from '../sms/index.js';

let test: TestApp;
beforeAll(async () => {
  test = await startTestApp({ OTP_MAX_PER_IP: '6' });
});
afterAll(async () => {
  await test.close();
});

// One app per file: each test uses its own numbers and addresses, so they do not meet.
const requestCode = async (mobile: string, ip = `10.0.0.${mobile.slice(-2)}`) =>
  test.app.inject({ method: 'POST', url: '/api/v1/auth/otp', payload: { mobile }, remoteAddress: ip });

const verify = (challengeId: string, code: string) =>
  test.app.inject({ method: 'POST', url: '/api/v1/auth/otp/verify', payload: { challengeId, code } });

const wrongCode = (code: string) => String((Number(code) + 1) % 1_000_000).padStart(6, '0');

describe('patient sign-in by one-time code', () => {
  it('sends a 6-digit code that signs the patient in with a session cookie', async () => {
    const requested = await requestCode('9876543210');
    expect(requested.statusCode).toBe(200);
    const code = test.sms.lastCode('9876543210');
    expect(code).toMatch(/^\d{6}$/);

    const verified = await verify(requested.json().challengeId, code);
    expect(verified.statusCode).toBe(200);
    expect(verified.json().me).toMatchObject({ kind: 'patient', roles: ['patient'] });
    const cookie = verified.cookies.find((c) => c.name === 'sanjog_session');
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/' });

    const me = await test.app.inject({
      method: 'GET',
      url: '/api/v1/auth/me',
      headers: { cookie: sessionCookie(verified) },
    });
    expect(me.statusCode).toBe(200);
    expect(me.json().kind).toBe('patient');
  });

  it('takes the 10-digit number only; the app strips a country code and spaces before sending', async () => {
    const requested = await requestCode('+91 98765 43210');
    expect(requested.statusCode).toBe(400);
    const normalised = await test.app.inject({
      method: 'POST',
      url: '/api/v1/auth/otp',
      payload: { mobile: '9876543210' },
    });
    expect(normalised.statusCode).toBe(200);
  });

  it('stores only a keyed hash of the code', async () => {
    const requested = await requestCode('9876543211');
    const code = test.sms.lastCode('9876543211');
    const rows = await test.database.db.query('select * from otp_challenges where id = $1', [
      requested.json().challengeId,
    ]);
    expect(rows).toHaveLength(1);
    expect(JSON.stringify(rows[0])).not.toContain(code);
    expect(rows[0]?.code_hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('expires the code after 5 minutes', async () => {
    const requested = await requestCode('9876543212');
    const code = test.sms.lastCode('9876543212');
    test.clock.advance(5 * 60 * 1000 + 1);
    const verified = await verify(requested.json().challengeId, code);
    expect(verified.statusCode).toBe(410);
    expect(verified.json().issue[0].code).toBe('expired');
  });

  it('still accepts the code just before it expires', async () => {
    const requested = await requestCode('9876543213');
    const code = test.sms.lastCode('9876543213');
    test.clock.advance(5 * 60 * 1000 - 1000);
    expect((await verify(requested.json().challengeId, code)).statusCode).toBe(200);
  });

  it('allows at most 5 tries, then refuses even the right code', async () => {
    const requested = await requestCode('9876543214');
    const { challengeId } = requested.json();
    const code = test.sms.lastCode('9876543214');
    for (let attempt = 1; attempt <= 5; attempt += 1) {
      const wrong = await verify(challengeId, wrongCode(code));
      expect(wrong.statusCode).toBe(401);
      expect(wrong.json().issue[0].diagnostics).toContain(attempt < 5 ? `${5 - attempt} ` : 'ask for a new one');
    }
    const right = await verify(challengeId, code);
    expect(right.statusCode).toBe(429);
  });

  it('lets a code be used once only', async () => {
    const requested = await requestCode('9876543215');
    const code = test.sms.lastCode('9876543215');
    expect((await verify(requested.json().challengeId, code)).statusCode).toBe(200);
    expect((await verify(requested.json().challengeId, code)).statusCode).toBe(410);
  });

  it('limits codes per number within the window, then allows again', async () => {
    for (let i = 0; i < 3; i += 1) expect((await requestCode('9876543216', `10.0.1.${i}`)).statusCode).toBe(200);
    const refused = await requestCode('9876543216', '10.0.1.9');
    expect(refused.statusCode).toBe(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(refused.json().issue[0].code).toBe('throttled');
    test.clock.advance(15 * 60 * 1000 + 1000);
    expect((await requestCode('9876543216', '10.0.1.9')).statusCode).toBe(200);
  });

  it('limits codes per IP address across numbers', async () => {
    for (let i = 0; i < 6; i += 1)
      expect((await requestCode(`98765000${String(i).padStart(2, '0')}`, '10.9.9.9')).statusCode).toBe(200);
    expect((await requestCode('9876500099', '10.9.9.9')).statusCode).toBe(429);
    expect((await requestCode('9876500099', '10.9.9.10')).statusCode).toBe(200);
  });

  it('gives one account to one number, however often it signs in', async () => {
    const first = await requestCode('9876543217');
    const a = await verify(first.json().challengeId, test.sms.lastCode('9876543217'));
    const second = await requestCode('9876543217');
    const b = await verify(second.json().challengeId, test.sms.lastCode('9876543217'));
    expect(a.json().me.userId).toBe(b.json().me.userId);
  });

  it('forgets challenges a day after they were made', async () => {
    const requested = await requestCode('9876543298');
    const id = requested.json().challengeId as string;
    await test.app.services.identity.purgeExpired();
    expect(await test.database.db.query('select 1 from otp_challenges where id = $1', [id])).toHaveLength(1);
    test.clock.advance(25 * 3600 * 1000);
    await test.app.services.identity.purgeExpired();
    expect(await test.database.db.query('select 1 from otp_challenges where id = $1', [id])).toHaveLength(0);
  });

  it('answers 503, not 500, when the SMS gateway fails', async () => {
    const failing = await startTestApp(
      {},
      { sms: { send: () => Promise.reject(new SmsDeliveryError('gateway down')) } },
    );
    const response = await failing.app.inject({
      method: 'POST',
      url: '/api/v1/auth/otp',
      payload: { mobile: '9876543299' },
    });
    await failing.close();
    expect(response.statusCode).toBe(503);
    expect(response.json().issue[0].diagnostics).toMatch(/could not send the SMS/);
  });
});
