import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../scripts/server-process.js';

/**
 * The care-network administration in a real browser against the built app and server (built by
 * `npm test` / `npm run build` beforehand; this file builds nothing).
 */

const PASSWORD = 'Sanjog@2026';
const UP_FACILITIES = 60;

let server: RunningServer;
let browser: Browser;

beforeAll(async () => {
  server = await startServer({}, { storage: 'pglite' });
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
});

afterAll(async () => {
  await browser.close();
  await server.stop();
});

async function newContext(width = 1280, height = 900): Promise<BrowserContext> {
  // No service worker: every test sees the server's current files.
  return browser.newContext({ baseURL: server.url, viewport: { width, height }, serviceWorkers: 'block' });
}

async function signIn(page: Page, login: string): Promise<void> {
  await page.goto('/staff/sign-in');
  await page.fill('#login', login);
  await page.fill('#password', PASSWORD);
  await page.click('[data-testid=staff-sign-in]');
  await page.waitForURL('**/home');
}

/** A bearer token for API calls made by the test itself (not by the page). */
async function token(login: string): Promise<string> {
  const response = await fetch(`${server.url}/api/v1/auth/staff`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ login, password: PASSWORD, tokenDelivery: 'bearer' }),
  });
  return ((await response.json()) as { token: string }).token;
}

async function apiGet<T>(path: string, bearer: string): Promise<T> {
  const response = await fetch(`${server.url}${path}`, { headers: { authorization: `Bearer ${bearer}` } });
  expect(response.status).toBe(200);
  return (await response.json()) as T;
}

interface FacilityPage {
  total: number;
  items: { id: string; name: string; stateId: string; kind: string; version: number }[];
}

const summary = (page: Page) => page.locator('[data-testid=pager-summary]');

describe('care-network administration', () => {
  it('lets a state administrator search, page, open a spoke, edit it and reorder its hubs', async () => {
    const context = await newContext();
    const page = await context.newPage();
    await signIn(page, 'up.admin');

    // From the home card to the list: the first page of the 60 facilities of Uttar Pradesh.
    await page.click('[data-testid=card-facilities-link]');
    await page.waitForURL('**/admin/facilities');
    await expect.poll(() => summary(page).textContent()).toContain(`Showing 1–50 of ${UP_FACILITIES}`);
    expect(await page.locator('[data-testid=facility-row]').count()).toBe(50);

    // Next page, in the address too (so Back and a refresh keep it).
    await page.click('[data-testid=pager-next]');
    await page.waitForURL(/page=2/);
    await expect.poll(() => summary(page).textContent()).toContain(`Showing 51–60 of ${UP_FACILITIES}`);
    expect(await page.locator('[data-testid=facility-row]').count()).toBe(10);
    expect(await page.locator('[data-testid=pager-next]').count()).toBe(0);

    // Searching starts again at page 1, after the typing pauses.
    await page.fill('#facility-search', 'ayushman arogya mandir mali');
    await page.waitForURL(/q=ayushman/);
    expect(page.url()).not.toContain('page=');
    await expect.poll(() => summary(page).textContent()).toContain('Showing 1–1 of 1');

    // Open the spoke.
    await page.click('[data-testid=facility-row] a');
    await page.waitForURL(/\/admin\/facilities\/[0-9a-f-]{36}$/);
    await expect.poll(() => page.locator('h1').textContent()).toBe('Ayushman Arogya Mandir Malihabad');
    const spokeId = page.url().split('/').pop() ?? '';

    // Edit a field and save; the change survives a reload.
    await page.fill('#facility-city', 'Malihabad Town');
    await page.fill('#facility-pincode', '226102');
    await page.click('[data-testid=facility-save]');
    await expect
      .poll(() => page.locator('[data-testid=facility-form] .notice-success').textContent())
      .toContain('Saved');
    await page.reload();
    await expect.poll(() => page.inputValue('#facility-city')).toBe('Malihabad Town');
    expect(await page.inputValue('#facility-pincode')).toBe('226102');

    // A bad PIN code is explained next to its field, and focus goes there.
    await page.fill('#facility-pincode', '2261');
    await page.click('[data-testid=facility-save]');
    const pincodeError = page.locator('#facility-pincode-error');
    await expect.poll(() => pincodeError.textContent()).toContain('6-digit PIN code');
    expect(await page.getAttribute('#facility-pincode', 'aria-invalid')).toBe('true');
    expect(await page.getAttribute('#facility-pincode', 'aria-describedby')).toContain('facility-pincode-error');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('facility-pincode');
    await page.fill('#facility-pincode', '226102');

    await page.fill('#facility-pincode', '226102');

    // Someone else saves first: the 409 is explained and "reload" brings their version.
    const bearer = await token('up.admin');
    const current = await apiGet<{ version: number }>(`/api/v1/facilities/${spokeId}`, bearer);
    const patched = await fetch(`${server.url}/api/v1/facilities/${spokeId}`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' },
      body: JSON.stringify({ addressLine: 'Near the bus stand', version: current.version }),
    });
    expect(patched.status).toBe(200);
    await page.fill('#facility-city', 'Malihabad');
    await page.click('[data-testid=facility-save]');
    await expect.poll(() => page.locator('[data-testid=conflict]').textContent()).toContain('Someone else changed');
    await page.click('[data-testid=conflict-reload]');
    await expect.poll(() => page.inputValue('#facility-addressLine')).toBe('Near the bus stand');
    expect(await page.locator('[data-testid=conflict]').count()).toBe(0);

    // Reorder the hubs for one speciality with the keyboard, save, and find it saved after a reload.
    const dermatology = page.locator('[data-testid=mapping][data-speciality=dermatology]');
    const hubNames = () => dermatology.locator('[data-testid=mapping-hub] .row-title').allTextContents();
    const before = await hubNames();
    expect(before).toHaveLength(2);
    await dermatology.locator('[data-testid=mapping-hub]').first().locator('[data-action=down]').focus();
    await page.keyboard.press('Enter');
    expect(await hubNames()).toEqual([before[1], before[0]]);
    // Focus stayed with the hub that moved (now last, so on its "Up" button).
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-action'))).toBe('up');
    await dermatology.locator('[data-testid=mapping-save]').click();
    await expect.poll(() => dermatology.locator('.notice-success').textContent()).toContain('Saved');
    await page.reload();
    await expect.poll(hubNames).toEqual([before[1], before[0]]);

    // The history keeps the old order next to the new one.
    await dermatology.locator('[data-testid=mapping-history-toggle]').click();
    await expect.poll(() => dermatology.locator('[data-testid=mapping-history] tbody tr').count()).toBe(4);

    // Adding a facility: the server's refusal of a field (another facility's HFR id) is shown
    // beside that field, and nothing is added.
    const taken = (await apiGet<{ registryId: string }>(`/api/v1/facilities/${spokeId}`, bearer)).registryId;
    await page.goto('/admin/facilities/new');
    await page.fill('#facility-name', 'Duplicate Centre');
    await page.selectOption('#facility-districtId', { label: 'Lucknow' });
    await page.fill('#facility-registryId', taken);
    await page.click('[data-testid=facility-save]');
    await expect
      .poll(() => page.locator('#facility-registryId-error').textContent())
      .toContain('Another facility already has this HFR id');
    expect((await apiGet<FacilityPage>('/api/v1/facilities?q=Duplicate', bearer)).total).toBe(0);

    await context.close();
  });

  it('shows a state administrator nothing of another state', async () => {
    const national = await token('national.admin');
    const karnataka = await apiGet<FacilityPage>('/api/v1/facilities?stateId=IN-29&limit=200', national);
    expect(karnataka.total).toBeGreaterThan(0);
    const karnatakaHub = karnataka.items.find((facility) => facility.kind === 'hub')!;

    const context = await newContext();
    const page = await context.newPage();
    await signIn(page, 'up.admin');
    await page.goto('/admin/facilities');
    await expect.poll(() => summary(page).textContent()).toContain(`of ${UP_FACILITIES}`);
    // No state filter for an administrator of one state, and every row is in Uttar Pradesh.
    expect(await page.locator('#facility-state').count()).toBe(0);
    const states = await page
      .locator('[data-testid=facility-row]')
      .evaluateAll((rows) => rows.map((row) => row.getAttribute('data-state')));
    expect(new Set(states)).toEqual(new Set(['IN-09']));

    // Searching for a Karnataka facility by name finds nothing.
    await page.fill('#facility-search', karnatakaHub.name);
    await page.waitForURL(/q=/);
    await expect.poll(() => summary(page).textContent()).toContain('Nothing found');
    expect(await page.locator('[data-testid=facility-row]').count()).toBe(0);

    // Its page, opened directly, is "not found" rather than shown.
    await page.goto(`/admin/facilities/${karnatakaHub.id}`);
    await expect.poll(() => page.locator('h1').textContent()).toBe('Facility not found');

    // The national administrator does see it, with a state filter.
    const nationalContext = await newContext();
    const nationalPage = await nationalContext.newPage();
    await signIn(nationalPage, 'national.admin');
    await nationalPage.goto('/admin/facilities?state=IN-29');
    await expect.poll(() => summary(nationalPage).textContent()).toContain(`of ${karnataka.total}`);
    await nationalPage.goto(`/admin/facilities/${karnatakaHub.id}`);
    await expect.poll(() => nationalPage.locator('h1').textContent()).toBe(karnatakaHub.name);

    await nationalContext.close();
    await context.close();
  });

  it('stacks table rows as cards on a 360 px phone', async () => {
    const context = await newContext(360, 740);
    const page = await context.newPage();
    await signIn(page, 'up.admin');
    await page.goto('/admin/facilities');
    await expect.poll(() => page.locator('[data-testid=facility-row]').count()).toBe(50);
    const row = page.locator('[data-testid=facility-row]').first();
    expect(await row.evaluate((element) => getComputedStyle(element).display)).toBe('block');
    // Nothing is wider than the screen.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
    await context.close();
  });

  it('checks a CSV file, lists every error, imports nothing, and imports a clean file', async () => {
    const bearer = await token('up.admin');
    const context = await newContext();
    const page = await context.newPage();
    await signIn(page, 'up.admin');
    await page.click('[data-testid=card-import-link]');
    await page.waitForURL('**/admin/import');

    const bad = [
      'registry_id,name,kind,state_code,district_code,pincode',
      'IN0912345678,New Centre One,spoke,9,162,226001',
      'IN0912345679,New Centre Two,spoke,9,162,2260',
      'IN09123,X,clinic,9,162,226001',
      'IN0912345680,Karnataka Centre,spoke,29,572,560001',
    ].join('\n');
    await page.setInputFiles('[data-testid=import-file]', {
      name: 'facilities.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(`${bad}\n`),
    });
    expect(await page.isDisabled('[data-testid=import-run]')).toBe(true);
    await page.click('[data-testid=import-check]');
    const result = page.locator('[data-testid=import-result]');
    await expect.poll(() => result.getAttribute('data-status')).toBe('errors');

    // Every error is listed with its line, column and reason; the count says how many.
    const errors = await page
      .locator('[data-testid=import-error]')
      .evaluateAll((rows) =>
        rows.map((row) => Array.from(row.querySelectorAll('th, td'), (cell) => cell.textContent.trim())),
      );
    const count = Number(await page.getAttribute('[data-testid=import-error-count]', 'data-count'));
    expect(errors.length).toBe(count);
    expect(errors.map(([line, column]) => `${line} ${column}`)).toEqual([
      '3 pincode',
      '4 registry_id',
      '4 name',
      '4 kind',
      '5 state_code',
      '5 district_code',
    ]);
    expect(errors[0]?.[2]).toContain('6 digits');
    expect(await page.isDisabled('[data-testid=import-run]')).toBe(true);

    // Nothing was written: not even the good first row.
    const afterBad = await apiGet<FacilityPage>('/api/v1/facilities?q=New%20Centre', bearer);
    expect(afterBad.total).toBe(0);
    expect((await apiGet<FacilityPage>('/api/v1/facilities?limit=1', bearer)).total).toBe(UP_FACILITIES);

    // A clean file: the check says what would change, then Import writes it.
    const clean = [
      'registry_id,name,kind,state_code,district_code,pincode',
      'IN0912345678,New Centre One,spoke,9,162,226001',
    ];
    await page.setInputFiles('[data-testid=import-file]', {
      name: 'clean.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(`${clean.join('\n')}\n`),
    });
    await page.click('[data-testid=import-check]');
    await expect.poll(() => result.getAttribute('data-status')).toBe('clean');
    expect(
      await page.textContent('[data-testid=import-counts] [data-entity=facilities] [data-testid=count-inserted]'),
    ).toBe('1');
    expect((await apiGet<FacilityPage>('/api/v1/facilities?q=New%20Centre', bearer)).total).toBe(0);
    expect(await page.isEnabled('[data-testid=import-run]')).toBe(true);
    await page.click('[data-testid=import-run]');
    await expect.poll(() => result.textContent()).toContain('Import finished');
    expect(
      await page.textContent('[data-testid=import-counts] [data-entity=facilities] [data-testid=count-inserted]'),
    ).toBe('1');
    expect((await apiGet<FacilityPage>('/api/v1/facilities?q=New%20Centre', bearer)).total).toBe(1);
    await context.close();
  });

  it('sets an online OPD’s settings and hours, and a state holiday', async () => {
    const context = await newContext();
    const page = await context.newPage();
    await signIn(page, 'up.admin');
    await page.click('[data-testid=card-opds-link]');
    await page.waitForURL('**/admin/opds');
    await page.click('[data-testid=opd-row] a >> text=Paediatrics');
    await page.waitForURL(/\/admin\/opds\/[0-9a-f-]{36}$/);

    // Settings: a bad number is explained beside its field; a good one is saved.
    await page.fill('#opd-consultationMinutes', '500');
    await page.click('[data-testid=opd-settings-save]');
    await expect.poll(() => page.locator('#opd-consultationMinutes-error').textContent()).toContain('1 to 120');
    await page.fill('#opd-consultationMinutes', '15');
    await page.click('[data-testid=opd-settings-save]');
    await expect.poll(() => page.locator('[data-testid=opd-settings] .notice-success').count()).toBe(1);

    // Hours: open on Sunday too; a session that closes before it opens is refused beside it.
    const sunday = page.locator('.week-day[data-weekday="0"]');
    expect(await sunday.locator('[data-testid=opd-hours-row]').count()).toBe(0);
    await sunday.locator('button.link-button').click();
    const row = sunday.locator('[data-testid=opd-hours-row]');
    await row.locator('input').nth(0).fill('10:00');
    await row.locator('input').nth(1).fill('09:00');
    await page.click('[data-testid=opd-hours-save]');
    await expect.poll(() => row.locator('.field-error').textContent()).toContain('after the opening time');
    await row.locator('input').nth(1).fill('14:00');
    await page.click('[data-testid=opd-hours-save]');
    await expect.poll(() => page.locator('[data-testid=opd-hours] .notice-success').count()).toBe(1);

    await page.reload();
    await expect.poll(() => page.inputValue('#opd-consultationMinutes')).toBe('15');
    await expect.poll(() => sunday.locator('[data-testid=opd-hours-row]').count()).toBe(1);
    expect(await sunday.locator('[data-testid=opd-hours-row] input').nth(0).inputValue()).toBe('10:00');

    // A holiday of the state, a month from now: added, listed, removed.
    const date = new Date(Date.now() + 30 * 24 * 3600 * 1000).toISOString().slice(0, 10);
    await page.goto('/admin/rosters');
    await page.fill('#holiday-date', date);
    await page.fill('#holiday-note', 'Test holiday');
    await page.click('[data-testid=holiday-add]');
    const items = page.locator('[data-testid=holiday-item]');
    await expect.poll(() => items.count()).toBe(1);
    expect(await items.first().textContent()).toContain('Test holiday');
    await items.first().locator('button').click();
    await expect.poll(() => items.count()).toBe(0);
    await context.close();
  });
});
