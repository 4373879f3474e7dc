import { readFile } from 'node:fs/promises';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../scripts/server-process.js';
import { launchChromium } from './browser.js';

/**
 * e-Prescription end to end: the demo OPD doctor, in an audio consultation, is refused a List A
 * medicine and signs one that is allowed; the patient sees it on the finished consultation's page
 * and downloads the PDF from their list; a pharmacist opens the QR code's link, sees it genuine,
 * signs in and dispenses it once.
 * The patient's side of the queue is driven through the API (the OPD test covers its pages).
 */
let server: RunningServer | undefined;
let url: string;
let browser: Browser;
beforeAll(async () => {
  if (process.env.E2E_URL === undefined) {
    server = await startServer({}, { storage: 'pglite' });
    url = server.url;
  } else url = process.env.E2E_URL;
  browser = await launchChromium();
});
afterAll(async () => {
  await browser.close();
  await server?.stop();
});

const OPD_NAME = 'Uttar Pradesh Online General OPD';

/** A patient's signed-in API session: the cookie and a JSON caller. */
async function patientSession(mobile: string) {
  const requested = await fetch(`${url}/api/v1/auth/otp`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ mobile }),
  });
  const { challengeId } = (await requested.json()) as { challengeId: string };
  const outbox = await fetch(`${url}/api/v1/dev/sms-outbox?mobile=${mobile}&limit=1`);
  const { messages } = (await outbox.json()) as { messages: { body: string }[] };
  const code = /\b(\d{6})\b/.exec(messages[0]?.body ?? '')?.[1] ?? '';
  const verified = await fetch(`${url}/api/v1/auth/otp/verify`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ challengeId, code }),
  });
  const cookie = /sanjog_session=([^;]+)/.exec(verified.headers.get('set-cookie') ?? '')?.[1];
  if (cookie === undefined) throw new Error(`patient sign-in failed: ${await verified.text()}`);
  const call = async <T>(method: string, path: string, body?: object): Promise<T> => {
    const response = await fetch(`${url}${path}`, {
      method,
      headers: { cookie: `sanjog_session=${cookie}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    if (!response.ok) throw new Error(`${method} ${path}: ${String(response.status)} ${await response.text()}`);
    return (await response.json()) as T;
  };
  return { cookie, call };
}

async function page(width: number, height: number): Promise<Page> {
  const context = await browser.newContext({ viewport: { width, height }, locale: 'en-IN' });
  return context.newPage();
}

async function signInStaff(tab: Page, login: string): Promise<void> {
  await tab.fill('#login', login);
  await tab.fill('#password', 'Sanjog@2026');
  await tab.click('[data-testid=staff-sign-in]');
}

describe('e-Prescription', () => {
  it('is refused when the rules forbid it, signed, downloaded by the patient, verified and dispensed once', async () => {
    // The patient takes a token at the demo OPD.
    const mobile = `97${String(Date.now() % 100_000_000).padStart(8, '0')}`;
    const patient = await patientSession(mobile);
    const profile = await patient.call<{ id: string }>('POST', '/api/v1/me/patients', {
      self: true,
      name: 'Kamla Devi',
      sex: 'female',
      ageYears: 52,
      stateId: 'IN-09',
      districtId: 'IN-09-140',
    });
    const opds = await patient.call<{ items: { id: string; name: string }[] }>('GET', '/api/v1/opds?stateId=IN-09');
    const opd = opds.items.find((item) => item.name === OPD_NAME);
    if (opd === undefined) throw new Error(`no ${OPD_NAME}`);
    const token = await patient.call<{ id: string }>('POST', '/api/v1/opd/tokens', {
      opdId: opd.id,
      patientId: profile.id,
    });

    // The doctor calls; the patient joins by audio (a first consultation).
    const doctor = await page(1280, 900);
    await doctor.goto(`${url}/staff/sign-in`);
    await signInStaff(doctor, 'up.opddoctor');
    await doctor.waitForSelector('[data-testid=role-home]');
    await doctor.click('[data-testid=card-queue-link]');
    await doctor.locator('[data-testid=queue-row]', { hasText: 'Kamla Devi' }).waitFor({ timeout: 15_000 });
    await doctor.click('[data-testid=call-next]');
    await expect
      .poll(() => doctor.locator('[data-testid=called-patient]').textContent(), { timeout: 10_000 })
      .toContain('Kamla Devi');
    await patient.call('POST', `/api/v1/opd/tokens/${token.id}/join`, { mode: 'audio' });
    await doctor.locator('[data-testid=rx-panel]').waitFor({ timeout: 15_000 });
    await expect
      .poll(() => doctor.locator('[data-testid=rx-earlier]').textContent())
      .toContain('No earlier prescriptions.');

    // Amoxicillin is List A: a first consultation by audio may not prescribe it.
    await doctor.fill('[data-testid=rx-medicine]', 'amoxi');
    await doctor.locator('[data-testid=rx-medicine-option]', { hasText: 'Amoxicillin — Capsule' }).click();
    await doctor.click('[data-testid=rx-sign]');
    const refusal = doctor.locator('[data-testid=rx-refusals]');
    await refusal.waitFor();
    await expect(refusal.textContent()).resolves.toMatch(
      /Amoxicillin \(Capsule\) may not be prescribed in a first consultation by audio \(List A\)/,
    );
    // Paracetamol (List O) instead.
    await doctor.locator('[data-testid=rx-item]').getByRole('button', { name: 'Remove' }).click();
    await doctor.fill('[data-testid=rx-medicine]', 'parac');
    await doctor.locator('[data-testid=rx-medicine-option]', { hasText: 'Paracetamol — Tablet' }).click();
    await doctor.selectOption('[data-testid=rx-frequency]', 'thrice_daily');
    await doctor.fill('#rx-0-instructions-local', 'बुखार उतरने पर बंद करें');
    await doctor.click('[data-testid=rx-sign]');
    await doctor.locator('[data-testid=rx-signed] li[data-status=active]').waitFor({ timeout: 10_000 });

    // The consultation is then completed as usual.
    await doctor.fill('[data-testid=complaint-search]', 'fev');
    await doctor.locator('[data-testid=complaint-search-option]', { hasText: 'Fever' }).first().click();
    await doctor.click('[data-testid=complete]');
    await expect
      .poll(() => doctor.locator('[data-testid=doctor-news]').textContent(), { timeout: 10_000 })
      .toMatch(/consultation completed/);

    // The patient (on a phone, same account) sees it on the finished consultation's page...
    const phone = await page(360, 740);
    await phone.context().addCookies([{ name: 'sanjog_session', value: patient.cookie, url }]);
    await phone.goto(`${url}/consult/token/${token.id}`);
    const finished = phone.locator('[data-testid=consultation-done] [data-testid=consultation-prescription]');
    await finished.waitFor({ timeout: 15_000 });
    await expect(finished.textContent()).resolves.toContain('Paracetamol');
    await expect(finished.locator('[data-testid=prescription-pdf]').getAttribute('href')).resolves.toMatch(
      /^\/api\/v1\/prescriptions\/[0-9a-f-]{36}\/pdf$/,
    );
    // ...and finds it in their list and downloads the PDF.
    await phone.goto(`${url}/home`);
    await phone.click('[data-testid=card-prescriptions-link]');
    const item = phone.locator('[data-testid=my-prescription]');
    await item.waitFor();
    await expect(item.textContent()).resolves.toContain('खाने के बाद');
    const [download] = await Promise.all([phone.waitForEvent('download'), phone.click('[data-testid=download-pdf]')]);
    const pdf = await readFile(await download.path());
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    // The PDF's link is the QR code's target: the public verification page.
    const qrTarget = /\/URI \((https?:\/\/[^)]+\/rx\/[0-9a-f-]{36})\)/.exec(pdf.toString('latin1'))?.[1];
    expect(qrTarget).toBeDefined();
    const path = new URL(qrTarget ?? '').pathname;

    // A pharmacist opens it: genuine, without signing in.
    const pharmacy = await page(360, 740);
    await pharmacy.goto(`${url}${path}`);
    const verdict = pharmacy.locator('[data-testid=rx-verdict]');
    await verdict.waitFor();
    await expect(verdict.getAttribute('data-genuine')).resolves.toBe('true');
    const items = pharmacy.locator('[data-testid=rx-items]');
    await expect(items.textContent()).resolves.toContain('Paracetamol Tablet 500 mg');
    await expect(items.textContent()).resolves.toContain('बुखार उतरने पर बंद करें');
    await expect(pharmacy.locator('[data-testid=rx-dispensing]').textContent()).resolves.toMatch(/Not dispensed yet/);

    // Signs in, comes back to the same prescription and dispenses it.
    await pharmacy.click('text=Pharmacist? Sign in to record dispensing');
    await signInStaff(pharmacy, 'up.pharmacist');
    await pharmacy.locator('[data-testid=dispense-form]').waitFor({ timeout: 10_000 });
    await pharmacy.fill('#qty-1', '9 tablets');
    await pharmacy.click('[data-testid=dispense-submit]');
    await pharmacy.locator('text=Dispensing recorded').waitFor();
    await expect
      .poll(() => pharmacy.locator('[data-testid=rx-dispensing]').textContent())
      .toMatch(/Dispensed .*1 of 1 medicines/);

    // A second fill is refused, even straight through the API.
    const again = await pharmacy.evaluate(async (rxPath) => {
      const id = rxPath.split('/').pop() ?? '';
      const response = await fetch(`/api/v1/prescriptions/${id}/dispense`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      });
      return response.status;
    }, path);
    expect(again).toBe(409);
    await pharmacy.reload();
    await pharmacy.locator('[data-testid=rx-verdict]').waitFor();
    await expect(pharmacy.locator('[data-testid=dispense-form]').count()).resolves.toBe(0);

    for (const tab of [doctor, phone, pharmacy]) await tab.context().close();
  });
});
