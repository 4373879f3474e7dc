import { randomUUID } from 'node:crypto';
import type { APIRequestContext, Browser, Page } from 'playwright-core';
import { request as playwrightRequest } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../scripts/server-process.js';
import { launchChromium } from './browser.js';

/**
 * The overseers' pages on the demo network, on 360 px phones. Through the API, the health officer
 * (up.cho) sends two requests: an emergency left waiting (with the state's service level for
 * emergencies cut to 5 minutes, so it is at risk at once) and a routine one that the hub doctor
 * takes, answers, refers to the women's hospital and rates. Then in the browser: the coordinator
 * reads the service overview; the women's hospital's desk (up.referraldesk) marks the referral
 * received, attended and its outcome; the officer sees the spoke's figures; the state
 * administrator edits the triage rules (a refusal shown by the rule, then a save that survives a
 * reload).
 */
const PASSWORD = 'Sanjog@2026';
const STATE = 'IN-09';
const PHONE = { viewport: { width: 360, height: 740 }, locale: 'en-IN' };

let server: RunningServer | undefined;
let url: string;
let browser: Browser;
const apis: APIRequestContext[] = [];

beforeAll(async () => {
  if (process.env.E2E_URL === undefined) {
    server = await startServer({}, { storage: 'pglite' });
    url = server.url;
  } else url = process.env.E2E_URL;
  browser = await launchChromium();
});
afterAll(async () => {
  for (const api of apis) await api.dispose();
  await browser.close();
  await server?.stop();
});

/** A signed-in API client (its own cookie jar). */
async function apiAs(login: string): Promise<APIRequestContext> {
  const api = await playwrightRequest.newContext({ baseURL: url });
  apis.push(api);
  const response = await api.post('/api/v1/auth/staff', { data: { login, password: PASSWORD } });
  expect(response.status(), await response.text()).toBe(200);
  return api;
}

async function call<T>(api: APIRequestContext, method: 'GET' | 'POST' | 'PUT', path: string, data?: object) {
  const response = await api.fetch(path, { method, ...(data === undefined ? {} : { data }) });
  if (response.status() >= 300)
    throw new Error(`${method} ${path}: ${String(response.status())} ${await response.text()}`);
  return (await response.json()) as T;
}

async function signIn(login: string): Promise<Page> {
  const page = await (await browser.newContext(PHONE)).newPage();
  await page.goto(`${url}/staff/sign-in`);
  await page.fill('#login', login);
  await page.fill('#password', PASSWORD);
  await page.click('[data-testid=staff-sign-in]');
  await page.waitForSelector('[data-testid=role-home]');
  return page;
}

/** Nothing sticks out of a 360 px page: no sideways scrolling. */
async function fitsThePhone(page: Page): Promise<void> {
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  expect(width).toBeLessThanOrEqual(360);
}

/** Registers a patient at up.cho's spoke with consent and a complete case, and sends it. */
async function sendRequest(cho: APIRequestContext, name: string, urgency: 'emergency' | 'routine'): Promise<string> {
  const patient = await call<{ id: string }>(cho, 'POST', '/api/v1/spoke/patients', {
    id: randomUUID(),
    name,
    sex: 'female',
    age: 45,
    village: 'Malihabad',
  });
  await call(cho, 'POST', `/api/v1/spoke/patients/${patient.id}/consent`, { method: 'verbal', givenBy: 'patient' });
  const draft = await call<{ id: string }>(cho, 'POST', '/api/v1/spoke/requests', {
    id: randomUUID(),
    patientId: patient.id,
    complaints: [{ code: 'fever', duration: { value: 3, unit: 'days' }, severity: 'moderate' }],
    pregnancy: 'not_pregnant',
    vitals: {
      bloodPressure: { systolic: 128, diastolic: 82 },
      pulse: 84,
      temperature: { value: 38.4, unit: 'Cel' },
      spo2: 97,
      weight: { value: 60, unit: 'kg' },
      height: { value: 160, unit: 'cm' },
    },
  });
  await call(cho, 'POST', `/api/v1/spoke/requests/${draft.id}/send`, {
    specialityCode: 'general_medicine',
    urgency,
    mode: 'async',
  });
  return draft.id;
}

describe('Overseers', () => {
  const suffix = String(Date.now() % 100_000);
  const atRisk = `Sunita Alert ${suffix}`;
  const referred = `Geeta Referred ${suffix}`;

  beforeAll(async () => {
    const admin = await apiAs('up.admin');
    const settings = await call<Record<string, unknown>>(admin, 'GET', `/api/v1/states/${STATE}/hubspoke/settings`);
    // An emergency must be answered within 5 minutes, alerted 10 before: at risk on the next sweep.
    await call(admin, 'PUT', `/api/v1/states/${STATE}/hubspoke/settings`, {
      ...settings,
      slaMinutes: { emergency: 5, urgent: 120, routine: 1440 },
      alertBeforeMinutes: 10,
    });
    const cho = await apiAs('up.cho');
    await sendRequest(cho, atRisk, 'emergency');
    const id = await sendRequest(cho, referred, 'routine');

    const doctor = await apiAs('up.hubdoctor');
    await call(doctor, 'POST', `/api/v1/hub/requests/${id}/take`, {});
    await call(doctor, 'POST', `/api/v1/hub/requests/${id}/answer`, { advice: 'Paracetamol; fluids; blood tests.' });
    const hospitals = await call<{ items: { id: string }[] }>(
      doctor,
      'GET',
      `/api/v1/facilities?stateId=${STATE}&kind=referral&limit=10`,
    );
    await call(doctor, 'POST', `/api/v1/hub/requests/${id}/referrals`, {
      id: randomUUID(),
      destinationId: hospitals.items[0]?.id,
      reason: 'Fever for 3 days, needs blood tests',
      urgency: 'urgent',
      summary: 'Fever 38.4 °C, stable vitals',
    });
    await call(doctor, 'POST', `/api/v1/hub/requests/${id}/feedback`, {
      complete: true,
      appropriateSpeciality: true,
      neededVideo: false,
    });
  }, 60_000);

  it('shows the coordinator the state’s service: requests at risk, overdue referrals, consultations per day, hub feedback', async () => {
    const page = await signIn('up.coordinator');
    await page.click('[data-testid=card-service-link]');
    for (const section of ['service-alerts', 'service-overdue', 'service-daily', 'service-figures'])
      await page.waitForSelector(`[data-testid=${section}][data-state=ready]`);

    // The sweep runs every 15 seconds: the emergency shows once it has been flagged.
    await expect
      .poll(
        async () => {
          const text = await page.locator('[data-testid=service-alerts]').textContent();
          if (text?.includes(atRisk) !== true)
            await page.locator('[data-testid=service-alerts] button.link-button').click();
          return text;
        },
        { timeout: 45_000, interval: 3_000 },
      )
      .toContain(atRisk);
    const alert = page.locator('[data-testid=service-alert]', { hasText: atRisk });
    await expect(alert.textContent()).resolves.toContain('Emergency');
    await expect(alert.textContent()).resolves.toMatch(/Answer due by/);
    await expect(page.locator('[data-testid=service-alerts]').textContent()).resolves.not.toContain(referred);

    // Nothing is overdue yet (a referral is due in days), and the page says so.
    await expect
      .poll(() => page.locator('[data-testid=service-overdue]').textContent())
      .toContain('No referral is overdue.');
    // Today: one hub-and-spoke consultation; the total row counts it too.
    const total = page.locator('[data-testid=daily-total] td').nth(1);
    await expect(total.locator('strong').textContent()).resolves.toBe('1');
    await page.selectOption('#daily-range', '7');
    await expect(page.locator('[data-testid=daily-row]').count()).resolves.toBe(7);
    // The hub's rating of the referred request.
    await expect(page.locator('[data-testid=figures-total]').getAttribute('data-rated')).resolves.toBe('1');
    await fitsThePhone(page);

    // In Hindi, the section's own words come with it.
    await page.selectOption('[data-testid=language-switcher]', 'hi');
    await expect
      .poll(() => page.locator('[data-testid=service-overdue]').textContent())
      .toContain('कोई रेफ़रल समय से पीछे नहीं है।');
    await expect.poll(() => page.locator('[data-testid=service-figures] h2').textContent()).toContain('हब');
    await page.selectOption('[data-testid=language-switcher]', 'en');

    // The coordinator reaches the referral desk from the overview and sees the referral there.
    await page.getByRole('link', { name: 'Referral desk' }).click();
    await page.locator('[data-testid=desk-referral]', { hasText: referred }).waitFor();
    await page.context().close();
  }, 120_000);

  it('lets the women’s hospital mark the referral received, attended and its outcome', async () => {
    const page = await signIn('up.referraldesk');
    await page.click('[data-testid=card-referralDesk-link]');
    const referral = page.locator('[data-testid=desk-referral]', { hasText: referred });
    await referral.waitFor();
    expect(await referral.getAttribute('data-status')).toBe('sent');
    await referral.locator('[data-testid=desk-received]').click();
    await expect.poll(() => referral.getAttribute('data-status')).toBe('received');
    await referral.locator('[data-testid=desk-attended]').click();
    await expect.poll(() => referral.getAttribute('data-status')).toBe('attended');
    await fitsThePhone(page);
    await referral.locator('[data-testid=desk-outcome]').selectOption('treated_discharged');
    await referral.locator('input[id^=note-]').fill('Typhoid ruled out');
    await referral.locator('[data-testid=desk-save-outcome]').click();
    await expect.poll(() => referral.getAttribute('data-status')).toBe('completed');

    await page.reload();
    const done = page.locator('[data-testid=desk-done] [data-testid=desk-referral]', { hasText: referred });
    await done.waitFor();
    await expect(done.locator('[data-testid=desk-outcome-shown]').textContent()).resolves.toContain(
      'Treated and discharged · Typhoid ruled out',
    );
    await page.context().close();
  }, 60_000);

  it("shows the officer the spoke's feedback figures", async () => {
    const page = await signIn('up.cho');
    await page.click('[data-testid=card-hubRequests-link]');
    await page.waitForSelector('[data-testid=spoke-figures][data-state=ready]');
    await expect(page.locator('[data-testid=figures-total]').getAttribute('data-rated')).resolves.toBe('1');
    await fitsThePhone(page);
    await page.context().close();
  }, 60_000);

  it('lets the state administrator edit the triage rules, shows the server’s refusal by the rule, and keeps the saved rules', async () => {
    const page = await signIn('up.admin');
    await page.click('[data-testid=card-triageRules-link]');
    await page.waitForSelector('[data-testid=rules]');
    expect(await page.locator('[data-testid=rules]').getAttribute('data-own')).toBe('false');
    const rules = page.locator('[data-testid=rule]');
    const before = await rules.count();
    expect(before).toBeGreaterThan(0);

    // Change the first rule's urgency.
    await rules.nth(0).locator('[data-testid=rule-edit]').click();
    await rules.nth(0).locator('select[name=urgency]').selectOption('urgent');
    await rules.nth(0).locator('[data-testid=rule-edit]').click();
    await expect(rules.nth(0).locator('[data-testid=rule-summary]').textContent()).resolves.toContain('Urgent');

    // A new rule naming a complaint the list does not have: the server refuses, the rule says why.
    await page.click('[data-testid=rule-add]');
    const added = rules.nth(before);
    await added.locator('input[name=complaint]').fill('not_a_complaint');
    await page.click('[data-testid=rules-save]');
    await page.locator('[data-testid=rules-errors]').waitFor();
    await expect(page.locator('[data-testid=rules-errors]').textContent()).resolves.toContain(
      `Rule ${String(before + 1)}: not_a_complaint is not a chief complaint of the list`,
    );
    await expect(added.locator('[data-testid=rule-issues]').textContent()).resolves.toContain('not a chief complaint');

    // Chosen from the list instead, for cardiology, as an emergency, one place up.
    await added.locator('input[name=complaint]').fill('chest');
    await added.locator('[data-testid=rule-choose-chest_pain]').click();
    await expect(added.locator('[data-testid=rule-complaint-name]').textContent()).resolves.toContain('Chest pain');
    await added.locator('select[name=speciality]').selectOption('cardiology');
    await added.locator('select[name=urgency]').selectOption('emergency');
    await added.locator('[data-testid=rule-up]').click();
    await fitsThePhone(page);
    await page.click('[data-testid=rules-save]');
    await page.locator('text=Saved. New requests use these rules from now on.').waitFor();

    await page.reload();
    await page.waitForSelector('[data-testid=rules][data-own=true]');
    expect(await rules.count()).toBe(before + 1);
    await expect(rules.nth(0).locator('[data-testid=rule-summary]').textContent()).resolves.toContain('Urgent');
    await expect(
      rules
        .nth(before - 1)
        .locator('[data-testid=rule-summary]')
        .textContent(),
    ).resolves.toBe('When Chest pain: Cardiology, Emergency');
    await page.context().close();
  }, 90_000);
});
