import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../scripts/server-process.js';
import { launchChromium } from './browser.js';

/** A new user's first visit: the built app on a fresh embedded database, in a phone-sized Chromium. */
let server: RunningServer;
let browser: Browser;
beforeAll(async () => {
  server = await startServer({}, { storage: 'pglite' });
  browser = await launchChromium();
});
afterAll(async () => {
  await browser.close();
  await server.stop();
});

async function phone(): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 360, height: 740 }, locale: 'en-IN' });
  return context.newPage();
}

async function signInStaff(page: Page, login: string): Promise<void> {
  await page.goto(`${server.url}/staff/sign-in`);
  await page.fill('#login', login);
  await page.fill('#password', 'Sanjog@2026');
  await page.click('[data-testid=staff-sign-in]');
  await page.waitForSelector('[data-testid=role-home]');
}

describe('the web app', () => {
  it('serves the sign-in choice, a manifest and a service worker', async () => {
    const page = await phone();
    await page.goto(server.url);
    await expect(page.locator('[data-testid=choose-patient]').isVisible()).resolves.toBe(true);
    await expect(page.locator('[data-testid=choose-staff]').isVisible()).resolves.toBe(true);
    const manifest = (await (await fetch(`${server.url}/manifest.webmanifest`)).json()) as {
      name: string;
      display: string;
    };
    expect(manifest).toMatchObject({ display: 'standalone' });
    expect((await fetch(`${server.url}/sw.js`)).status).toBe(200);
    await page.context().close();
  });

  it('signs a patient in with the code read from the demo SMS outbox', async () => {
    const page = await phone();
    await page.goto(`${server.url}/patient/sign-in`);
    await page.fill('#mobile', '9999900001');
    await page.click('[data-testid=send-code]');
    await page.waitForSelector('#otp-code');

    const outbox = await page.context().newPage();
    await outbox.goto(`${server.url}/dev/outbox?mobile=9999900001`);
    const code = (await outbox.locator('[data-testid=outbox-code]').first().textContent())?.replace(/\D/g, '') ?? '';
    expect(code).toMatch(/^\d{6}$/);
    await outbox.close();

    await page.fill('#otp-code', code);
    await page.click('[data-testid=verify-code]');
    const home = page.locator('[data-testid=role-home]');
    await home.waitFor();
    expect(await home.getAttribute('data-role')).toBe('patient');
    await page.context().close();
  });

  it('tells a patient when the code is wrong', async () => {
    const page = await phone();
    await page.goto(`${server.url}/patient/sign-in`);
    await page.fill('#mobile', '9999900002');
    await page.click('[data-testid=send-code]');
    await page.fill('#otp-code', '000000');
    await page.click('[data-testid=verify-code]');
    await expect(page.locator('[role=alert]').first().textContent()).resolves.toMatch(/wrong code|tries left|expired/i);
    await page.context().close();
  });

  it.each([
    ['national.admin', 'national_admin'],
    ['auditor', 'auditor'],
    ['up.admin', 'state_admin'],
    ['up.coordinator', 'coordinator'],
    ['up.cho', 'spoke_operator'],
    ['up.hubdoctor', 'hub_doctor'],
    ['up.opddoctor', 'opd_doctor'],
    ['up.pharmacist', 'pharmacist'],
  ])('signs in %s to the %s home page, and signs out', async (login, role) => {
    const page = await phone();
    await signInStaff(page, login);
    expect(await page.locator('[data-testid=role-home]').getAttribute('data-role')).toBe(role);
    await page.click('[data-testid=sign-out]');
    await page.waitForSelector('[data-testid=choose-staff], #login');
    await page.context().close();
  });

  it('refuses a wrong staff password with a message', async () => {
    const page = await phone();
    await page.goto(`${server.url}/staff/sign-in`);
    await page.fill('#login', 'up.admin');
    await page.fill('#password', 'not-the-password');
    await page.click('[data-testid=staff-sign-in]');
    await expect(page.locator('[role=alert]').first().textContent()).resolves.toMatch(/password is not right/i);
    await page.context().close();
  });

  it('switches to Hindi, marks the page as Hindi, and remembers it', async () => {
    const page = await phone();
    await page.goto(server.url);
    const english = await page.locator('[data-testid=choose-patient]').textContent();
    await page.selectOption('[data-testid=language-switcher]', 'hi');
    await page.waitForFunction(() => document.documentElement.lang === 'hi');
    const hindi = await page.locator('[data-testid=choose-patient]').textContent();
    expect(hindi).not.toBe(english);
    expect(hindi).toMatch(/[\u0900-\u097F]/);
    await page.reload();
    await page.waitForFunction(() => document.documentElement.lang === 'hi');
    await page.context().close();
  });

  it('shows a state administrator the facilities of their state', async () => {
    const page = await phone();
    await signInStaff(page, 'up.admin');
    await page.waitForSelector('[data-testid=facility-total]');
    const total = (await page.locator('[data-testid=facility-total]').textContent()) ?? '';
    expect(Number(total.replace(/\D/g, ''))).toBeGreaterThanOrEqual(60);
    await page.context().close();
  });
});
