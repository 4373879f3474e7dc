import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../scripts/server-process.js';
import { launchChromium } from './browser.js';

/**
 * "See a doctor now" end to end, in two browsers at once: patients on phone-sized pages take
 * tokens and wait; the demo OPD doctor (signed in elsewhere) calls, consults and completes; the
 * patients' pages follow live, without a reload.
 */
let server: RunningServer | undefined;
let url: string;
let browser: Browser;
beforeAll(async () => {
  // E2E_URL reuses a server that is already running (for working on this test).
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
/** A 1 × 1 PNG: a real image, as the server checks the bytes against the type. */
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
);

async function phone(): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 360, height: 740 }, locale: 'en-IN' });
  return context.newPage();
}

async function desktop(): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-IN' });
  return context.newPage();
}

/** A fresh mobile number per run, so that a reused server starts each patient from nothing. */
function newMobile(): string {
  return `98${String(Date.now() % 100_000_000).padStart(8, '0')}`;
}

async function latestCode(mobile: string): Promise<string> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const response = await fetch(`${url}/api/v1/dev/sms-outbox?mobile=${mobile}&limit=5`);
    const { messages } = (await response.json()) as { messages: { body: string; createdAt: string }[] };
    const newest = [...messages].sort((a, b) => b.createdAt.localeCompare(a.createdAt))[0];
    const code = newest === undefined ? undefined : /\b(\d{6})\b/.exec(newest.body)?.[1];
    if (code !== undefined) return code;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`no code sent to ${mobile}`);
}

async function signInPatient(page: Page, mobile: string): Promise<void> {
  await page.goto(`${url}/patient/sign-in`);
  await page.fill('#mobile', mobile);
  await page.click('[data-testid=send-code]');
  await page.waitForSelector('#otp-code');
  await page.fill('#otp-code', await latestCode(mobile));
  await page.click('[data-testid=verify-code]');
  await page.waitForSelector('[data-testid=role-home][data-role=patient]');
}

async function signInDoctor(page: Page): Promise<void> {
  await page.goto(`${url}/staff/sign-in`);
  await page.fill('#login', 'up.opddoctor');
  await page.fill('#password', 'Sanjog@2026');
  await page.click('[data-testid=staff-sign-in]');
  await page.waitForSelector('[data-testid=role-home]');
  await page.click('[data-testid=card-queue-link]');
  await page.waitForSelector('[data-testid=call-next]');
}

/** From the home page: add the first family profile inline, choose the UP general OPD, take a token. */
async function takeToken(page: Page, name: string, age: string, report?: string): Promise<number> {
  await page.click('[data-testid=card-consultNow-link]');
  await page.fill('#profile-name', name);
  await page.check('#profile-sex-female');
  await page.fill('#profile-age', age);
  await page.selectOption('#profile-state', 'IN-09');
  await page.waitForSelector('#profile-district option:nth-child(2)', { state: 'attached' });
  await page.selectOption('#profile-district', { label: 'Lucknow' });
  await page.click('[data-testid=profile-save]');

  const opd = page.locator('[data-testid=opd-item]', { hasText: OPD_NAME });
  await opd.waitFor();
  expect(await opd.getAttribute('data-open')).toBe('true');
  await opd.locator('[data-testid=opd-choose]').click();

  await page.waitForSelector('[data-testid=records]');
  await expect(page.locator('[data-testid=for-whom]').textContent()).resolves.toContain(name);
  if (report !== undefined) {
    // An earlier report for the doctor: a photo sent as it is, with a title.
    await page.fill('#record-title', report);
    await page.setInputFiles('#record-file', { name: 'report.png', mimeType: 'image/png', buffer: PNG });
    await page.click('[data-testid=record-upload]');
    await page.locator('[data-testid=record-list]', { hasText: report }).waitFor();
  }
  await page.click('[data-testid=take-token]');
  const number = page.locator('[data-testid=token-number]');
  await number.waitFor();
  return Number(await number.textContent());
}

async function ahead(page: Page): Promise<string | null> {
  return page.locator('[data-testid=ahead]').getAttribute('data-ahead');
}

describe('See a doctor now', () => {
  it('takes a patient from a new profile to a token, a live call, a consultation and a rating', async () => {
    const patient = await phone();
    await signInPatient(patient, newMobile());
    const tokenNumber = await takeToken(patient, 'Sunita Devi', '34', 'Blood test, March');
    expect(tokenNumber).toBeGreaterThan(0);
    await expect(patient.locator('[data-testid=token-for]').textContent()).resolves.toContain('Sunita Devi');
    await expect(ahead(patient)).resolves.toBe('0');
    await expect(patient.locator('[data-testid=ahead]').textContent()).resolves.toMatch(/You are next/);
    await patient.locator('[data-testid=estimate]').waitFor();
    const waitingRoom = patient.url();

    // The doctor, in another browser, sees the patient waiting and calls.
    const doctor = await desktop();
    await signInDoctor(doctor);
    await doctor.locator('[data-testid=queue-row]', { hasText: 'Sunita Devi' }).waitFor();
    await doctor.click('[data-testid=call-next]');
    const called = doctor.locator('[data-testid=called-patient]');
    await expect.poll(() => called.textContent(), { timeout: 10_000 }).toMatch(/Sunita Devi · 3[34] years · Female/);
    await doctor.locator('[data-testid=join-countdown]').waitFor();
    // The case is ready before the call starts: the uploaded report is beside it.
    await doctor.locator('[data-testid=uploads]', { hasText: 'Blood test, March' }).waitFor();

    // The patient's page shows the call by itself (same address, no reload) and joins.
    await patient.locator('[data-testid=called]').waitFor({ timeout: 15_000 });
    expect(patient.url()).toBe(waitingRoom);
    await patient.locator('[data-testid=call-countdown]').waitFor();
    await patient.click('[data-testid=join]');
    await expect
      .poll(() => patient.locator('[data-testid=connected]').textContent(), { timeout: 10_000 })
      .toMatch(/Connected to Dr /);

    // The doctor's console opens the record when the patient joins.
    await doctor.locator('[data-testid=record-form]').waitFor({ timeout: 15_000 });
    await doctor.fill('[data-testid=complaint-search]', 'fev');
    await doctor.locator('[data-testid=complaint-search-option]', { hasText: 'Fever' }).first().click();
    await doctor.fill('[data-testid=complaint-duration]', '3');
    await doctor.selectOption('[data-testid=complaint-severity]', 'moderate');
    await doctor.fill('[data-testid=vital-pulse]', '88');
    await doctor.fill('[data-testid=vital-temperature]', '101');
    await doctor.fill('[data-testid=diagnosis-search]', 'R50');
    await doctor.locator('[data-testid=diagnosis-search-option]').first().click();
    await doctor.fill('[data-testid=record-advice]', 'Paracetamol 500 mg if the fever is above 100 F. Drink water.');
    await doctor.selectOption('#follow-up-with', 'same_doctor');
    await doctor.fill('#follow-up-days', '7');
    await doctor.locator('[data-testid=save-status][data-state=saved]').waitFor({ timeout: 15_000 });

    // A refresh loses nothing: the draft comes back from the server.
    await doctor.reload();
    await doctor.locator('[data-testid=record-form]').waitFor();
    await expect(doctor.inputValue('[data-testid=record-advice]')).resolves.toContain('Paracetamol');
    await expect(doctor.locator('[data-testid=complaints]').textContent()).resolves.toContain('Fever');
    await expect(doctor.inputValue('[data-testid=vital-pulse]')).resolves.toBe('88');

    await doctor.click('[data-testid=complete]');
    await expect
      .poll(() => doctor.locator('[data-testid=doctor-news]').textContent(), { timeout: 10_000 })
      .toMatch(/consultation completed/);

    // The patient's page moves on to the summary and the rating, still without a reload.
    await patient.locator('[data-testid=rating]').waitFor({ timeout: 20_000 });
    await expect(patient.locator('[data-testid=consultation-done]').textContent()).resolves.toContain('Paracetamol');
    await patient.click('[data-testid=star-5]');
    await patient.click('[data-testid=rate-submit]');
    await expect(patient.locator('[data-testid=rated]').textContent()).resolves.toMatch(/5 stars/);

    // The doctor asked to see the patient again: the patient books it with the same doctor.
    await patient.click('[data-testid=book-follow-up]');
    await patient.locator('[data-testid=booked]').waitFor({ timeout: 10_000 });
    await expect(patient.locator('[data-testid=booked]').textContent()).resolves.toMatch(/follow-up is booked/);
    // The doctor's day counts the consultation.
    await expect.poll(() => doctor.locator('[data-testid=day-seen]').textContent(), { timeout: 10_000 }).not.toBe('0');

    await patient.context().close();
    await doctor.context().close();
  });

  it('moves a second patient from "1 patient ahead" to next, live, when the first is called', async () => {
    const first = await phone();
    await signInPatient(first, newMobile());
    await takeToken(first, 'Asha Kumari', '28');
    const second = await phone();
    await signInPatient(second, newMobile());
    await takeToken(second, 'Meena Yadav', '41');
    await expect.poll(() => ahead(second), { timeout: 10_000 }).toBe('1');
    await expect(second.locator('[data-testid=ahead]').textContent()).resolves.toMatch(/1 patient ahead of you/);

    // A dropped link: the page says the token is safe, then picks up again by itself.
    await second.context().setOffline(true);
    await second.locator('[data-testid=reconnecting]').waitFor({ timeout: 10_000 });
    await expect(second.locator('[data-testid=reconnecting]').textContent()).resolves.toMatch(
      /Your token is safe\. We are reconnecting\./,
    );
    await expect(ahead(second)).resolves.toBe('1');
    await second.context().setOffline(false);
    await second.locator('[data-testid=reconnecting]').waitFor({ state: 'detached', timeout: 15_000 });

    // The second patient's home page (any device of the account) leads back to the waiting room.
    const home = await second.context().newPage();
    await home.goto(`${url}/home`);
    await home.locator('[data-testid=my-token]').click();
    await home.locator('[data-testid=token-number]').waitFor();
    await home.close();

    const doctor = await desktop();
    await signInDoctor(doctor);
    await doctor.click('[data-testid=call-next]');
    await expect
      .poll(() => doctor.locator('[data-testid=called-patient]').textContent(), { timeout: 10_000 })
      .toContain('Asha Kumari');

    await expect.poll(() => ahead(second), { timeout: 15_000 }).toBe('0');
    await expect(second.locator('[data-testid=ahead]').textContent()).resolves.toMatch(/You are next/);
    await first.locator('[data-testid=called]').waitFor({ timeout: 15_000 });

    // Leave the demo doctor free: the first patient did not come.
    await doctor.click('[data-testid=no-show]');
    await doctor.fill('#no-show-reason', 'Test: not answering');
    await doctor.click('button:has-text("Mark as not come")');
    await doctor.locator('[data-testid=call-next]').waitFor();
    await expect
      .poll(() => first.locator('[data-testid=ended]').getAttribute('data-status'), { timeout: 15_000 })
      .toBe('no_show');

    // The second patient leaves the queue: the token ends and says so.
    await second.click('[data-testid=leave]');
    await second.click('button:has-text("Yes, leave the queue")');
    await expect
      .poll(() => second.locator('[data-testid=ended]').getAttribute('data-status'), { timeout: 15_000 })
      .toBe('cancelled');

    await first.context().close();
    await second.context().close();
    await doctor.context().close();
  });
});
