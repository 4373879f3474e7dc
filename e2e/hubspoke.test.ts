import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../scripts/server-process.js';
import { launchChromium } from './browser.js';

/**
 * Hub and spoke end to end on the demo network: the health officer (up.cho, on a phone-sized
 * page) registers a patient, records consent, vitals and a complaint, and sends; the hub doctor
 * (up.hubdoctor, elsewhere) takes it, advises, refers and rates; the officer sees it all back.
 * The request asks for a live consultation: the doctor starts the video call from the case and
 * the officer joins it from the request list (fake camera and microphone).
 */
let server: RunningServer | undefined;
let url: string;
let browser: Browser;
beforeAll(async () => {
  if (process.env.E2E_URL === undefined) {
    server = await startServer({}, { storage: 'pglite' });
    url = server.url;
  } else url = process.env.E2E_URL;
  browser = await launchChromium(['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream']);
});
afterAll(async () => {
  await browser.close();
  await server?.stop();
});

async function signIn(page: Page, login: string): Promise<void> {
  await page.goto(`${url}/staff/sign-in`);
  await page.fill('#login', login);
  await page.fill('#password', 'Sanjog@2026');
  await page.click('[data-testid=staff-sign-in]');
  await page.waitForSelector('[data-testid=role-home]');
}

describe('Hub and spoke', () => {
  it('goes from the spoke to the hub and back: register, vitals, complaint, send; take, advise, refer, rate', async () => {
    const name = `Ramkali ${String(Date.now() % 100_000)}`;
    const media = { permissions: ['camera', 'microphone'], locale: 'en-IN' };
    const cho = await (await browser.newContext({ viewport: { width: 360, height: 740 }, ...media })).newPage();
    await signIn(cho, 'up.cho');
    await cho.click('[data-testid=card-registerPatient-link]');

    // Find first, then register with the minimum.
    await cho.fill('#find-name', name);
    await cho.click('button[type=submit] >> text=Search');
    await cho.locator('[data-testid=find-results]').waitFor();
    await cho.fill('#reg-name', name);
    await cho.selectOption('#reg-sex', 'male');
    await cho.fill('#reg-age', '58');
    await cho.fill('#reg-village', 'Bakshi Ka Talab');
    await cho.click('button[type=submit] >> text=Register');
    await cho.locator('[data-testid=request-form]').waitFor();

    // Sending before the essentials are in is refused, naming what is missing.
    await cho.click('[data-testid=send]');
    const missing = cho.locator('[data-testid=missing]');
    await missing.waitFor();
    await expect(missing.textContent()).resolves.toContain("Record the patient's consent");
    await expect(missing.textContent()).resolves.toContain('Measure the pulse');

    await cho.check('[data-testid=consent]');
    await cho.locator('text=Consent recorded').waitFor();
    await cho.fill('#vital-systolic', '186');
    await cho.fill('#vital-diastolic', '96');
    await cho.fill('#vital-pulse', '92');
    await cho.fill('#vital-temperature', '37.8');
    await cho.fill('#vital-spo2', '95');
    await cho.fill('#vital-weight', '70');
    await cho.fill('#vital-height', '170');
    // The red flag and the BMI come back at once.
    await expect
      .poll(() => cho.locator('[data-testid=red-flags]').textContent(), { timeout: 10_000 })
      .toContain('Systolic pressure 186 mmHg is above 180');
    await expect.poll(() => cho.locator('[data-testid=bmi]').textContent()).toContain('24.2');

    await cho.fill('#complaint-search', 'headache');
    await cho.click('[data-testid=add-complaint-headache]');
    await cho.locator('[data-testid=complaint]', { hasText: 'Headache' }).waitFor();
    await expect.poll(() => cho.locator('[data-testid=triage]').textContent()).toContain('Emergency');
    // And why: the red flag behind the urgency, in words, not codes.
    await expect
      .poll(() => cho.locator('[data-testid=triage-reasons]').textContent())
      .toContain('Systolic pressure 186 mmHg');
    await cho.selectOption('#triage-mode', 'live');
    await cho.click('[data-testid=send]');
    const sent = cho.locator('[data-testid=spoke-request]', { hasText: name });
    await sent.waitFor();
    expect(await sent.getAttribute('data-status')).toBe('waiting');

    // The hub doctor takes it, reads the case, answers, refers and rates.
    const doctor = await (await browser.newContext({ viewport: { width: 1280, height: 900 }, ...media })).newPage();
    await signIn(doctor, 'up.hubdoctor');
    await doctor.click('[data-testid=card-queue-link]');
    await doctor.locator('[data-testid=hub-request]', { hasText: name }).waitFor();
    await doctor.click('[data-testid=take-next]');
    const caseView = doctor.locator('[data-testid=hub-case]');
    await caseView.waitFor();
    await expect(caseView.textContent()).resolves.toContain(name);
    await expect(doctor.locator('[data-testid=case-vitals]').textContent()).resolves.toContain('BP 186/96');

    // A live request: the doctor starts the call, the officer joins it from the request list.
    await expect(doctor.locator('[data-testid=case-mode]').textContent()).resolves.toContain('Live video call');
    await doctor.click('[data-testid=start-call]');
    await doctor.waitForSelector('[data-testid=call][data-status=in-call]');
    await cho.reload();
    const taken = cho.locator('[data-testid=spoke-request]', { hasText: name });
    const consultationId = (await taken.locator('[data-testid=join-call]').getAttribute('href'))?.split('/').pop();
    await taken.locator('[data-testid=join-call]').click();
    await cho.waitForSelector('[data-testid=call][data-status=in-call]');
    // Each sees the other's (fake) camera: the remote video has frames of a size.
    for (const page of [doctor, cho]) {
      await expect
        .poll(
          () =>
            page.evaluate(
              () => document.querySelector<HTMLVideoElement>('[data-testid=remote-video]')?.videoWidth ?? 0,
            ),
          { timeout: 30_000 },
        )
        .toBeGreaterThan(0);
    }
    await expect(cho.locator('[data-testid=remote-peer]').textContent()).resolves.toContain('Doctor');
    await cho.goBack();
    await cho.locator('[data-testid=spoke-request]', { hasText: name }).waitFor();
    await doctor.fill('[data-testid=advice-input]', 'Amlodipine 5 mg daily; recheck pressure in 3 days.');
    await doctor.fill('#follow-up-days', '7');
    await doctor.click('[data-testid=answer]');
    await doctor.locator('text=Answered').first().waitFor();
    // A prescription for the case (the panel itself is tested with the OPD), signed through the API.
    const found = await doctor.request.get(`${url}/api/v1/formulary/medicines?q=paracet&limit=5`);
    const medicine = ((await found.json()) as { items: { code: string; strengths: string[] }[] }).items[0];
    const signed = await doctor.request.post(`${url}/api/v1/consultations/${String(consultationId)}/prescriptions`, {
      data: {
        items: [
          {
            medicineCode: medicine?.code,
            strength: medicine?.strengths[0],
            dose: { value: 1, unit: 'tablet' },
            frequency: 'thrice_daily',
            timing: 'after_food',
            duration: { value: 3, unit: 'days' },
          },
        ],
      },
    });
    expect(signed.status(), await signed.text()).toBe(201);
    await doctor.waitForSelector('#refer-destination option:nth-child(2)', { state: 'attached' });
    await doctor.selectOption('#refer-destination', { index: 1 });
    await doctor.fill('#refer-reason', 'Hypertensive urgency');
    await doctor.fill('#refer-summary', 'BP 186/96 with headache');
    await doctor.click('[data-testid=refer]');
    await doctor
      .locator('text=Referral sent')
      .waitFor({ timeout: 10_000 })
      .catch(async (error: unknown) => {
        throw new Error(
          `${String(error)}: ${(await doctor.locator('[role=alert], .notice').allTextContents()).join(' | ')}`,
        );
      });
    await doctor.uncheck('[data-testid=rate-complete]');
    await doctor.fill('#rate-reason', 'No history of medicines');
    await doctor.click('[data-testid=rate]');
    await doctor.locator('text=Rated. Thank you.').waitFor();

    // Back at the spoke: the advice, the follow-up, the referral and the feedback.
    await cho.reload();
    const answered = cho.locator('[data-testid=spoke-request]', { hasText: name });
    await answered.locator('[data-testid=advice]').waitFor();
    expect(await answered.getAttribute('data-status')).toBe('answered');
    await expect(answered.locator('[data-testid=advice]').textContent()).resolves.toContain('Amlodipine');
    await expect(answered.locator('[data-testid=spoke-prescriptions]').textContent()).resolves.toContain('Paracetamol');
    await expect(answered.locator('[data-testid=follow-up]').textContent()).resolves.toContain('Follow-up on');
    await expect(answered.locator('[data-testid=referral]').textContent()).resolves.toContain('sent');
    await expect(answered.locator('[data-testid=feedback]').textContent()).resolves.toContain('Complete: no');
    await expect(answered.locator('[data-testid=feedback]').textContent()).resolves.toContain(
      'No history of medicines',
    );
  }, 120_000);
});
