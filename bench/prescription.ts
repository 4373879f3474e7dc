import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import autocannon from 'autocannon';
// The signing, canonical form and PDF code itself (not the module's index, which brings the routes).
import { canonicalJson, type PrescriptionDocument } from '../apps/server/src/modules/prescriptions/document.js';
import { renderPrescriptionPdf } from '../apps/server/src/modules/prescriptions/pdf.js';
import { PrescriptionSigner } from '../apps/server/src/modules/prescriptions/signing.js';
import { pacedGets, percentile, report, round, startServer, staffBearer } from './lib.js';

/**
 * `prescription`: on one core, Ed25519 signatures per second (the private key decrypted for
 * each, as the server does), verifications per second (canonical form + Ed25519 verify) and PDFs
 * rendered per second; then, against the real server, the signing route's latency and the p99
 * of the public verification endpoint under a steady load (and its rate at saturation). PDF rendering is off the signing path: it is
 * timed apart, and the first download is what pays for it.
 */

const OPD_NAME = 'Uttar Pradesh Online General OPD';
/** Verifications per second offered for the latency figure: a state's pharmacies at a busy hour. */
const STEADY_RATE = 200;
/** Prescriptions signed (and then checked in turn). */
const SIGNED = 400;

/** Runs `work` back to back for `seconds` and answers how many times per second it ran. */
async function perSecond(seconds: number, work: () => unknown): Promise<number> {
  const end = performance.now() + seconds * 1000;
  let count = 0;
  const started = performance.now();
  while (performance.now() < end) {
    await work();
    count += 1;
  }
  return count / ((performance.now() - started) / 1000);
}

function sampleDocument(keyId: string, items: number): PrescriptionDocument {
  return {
    format: 'sanjog.prescription.v1',
    id: '0b9f3b8e-3c56-4d8e-9a53-2f0e7f4d1a11',
    consultationId: '5d1c1d0e-7d1b-4c77-8a4b-6a2d4d0a9e22',
    issuedAt: '2026-11-22T10:00:00.000Z',
    date: '2026-11-22',
    timeZone: 'Asia/Kolkata',
    doctor: {
      practitionerId: '8a1e2f3d-1111-4222-8333-944445555666',
      name: 'Dr Anjali Verma',
      qualification: 'MBBS, MD (Medicine)',
      registrationCouncil: 'Uttar Pradesh Medical Council',
      registrationNumber: 'UP-123456',
      registryId: null,
    },
    patient: { id: '7c2d1e0f-1111-4222-8333-944445555666', name: 'Sunita Devi', ageYears: 34, sex: 'female' },
    facility: { id: 'f', name: 'Uttar Pradesh Online General OPD', kind: 'opd', registryId: null, address: 'Lucknow' },
    consultation: { kind: 'opd', mode: 'video', type: 'first' },
    presentedBy: null,
    language: 'hi',
    items: Array.from({ length: items }, (_, index) => ({
      index: index + 1,
      medicineCode: 'paracetamol-tablet',
      name: 'Paracetamol',
      form: 'Tablet',
      strength: '500 mg',
      route: 'oral',
      dose: { value: 1, unit: 'tablet' as const },
      frequency: 'thrice_daily' as const,
      timing: 'after_food' as const,
      duration: { value: 3, unit: 'days' as const },
      instructions: 'Stop when the fever is gone',
      instructionsLocal: 'बुखार उतरने पर बंद करें',
      directions: {
        en: '1 tablet, three times a day, after food, for 3 days (by mouth)',
        local: '1 गोली, दिन में तीन बार, खाने के बाद, 3 दिन तक (मुँह से)',
      },
      listCode: 'O',
    })),
    investigations: ['CBC', 'Malaria rapid test'],
    advice: 'Drink plenty of fluids',
    adviceLocal: 'खूब पानी पिएँ',
    followUpDate: '2026-11-29',
    replaces: null,
    signingKeyId: keyId,
  };
}

async function json<T>(response: Response): Promise<T> {
  if (!response.ok) throw new Error(`${response.url}: ${String(response.status)} ${await response.text()}`);
  return (await response.json()) as T;
}

/** A consultation in progress with the demo OPD doctor, reached as patients reach it: token, call, join. */
async function openConsultation(url: string, doctor: Record<string, string>): Promise<string> {
  const mobile = `96${String(Date.now() % 100_000_000).padStart(8, '0')}`;
  const post = (path: string, body: object, headers: Record<string, string> = {}) =>
    fetch(`${url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
  const { challengeId } = await json<{ challengeId: string }>(await post('/api/v1/auth/otp', { mobile }));
  const { messages } = await json<{ messages: { body: string }[] }>(
    await fetch(`${url}/api/v1/dev/sms-outbox?mobile=${mobile}&limit=1`),
  );
  const code = /\b(\d{6})\b/.exec(messages[0]?.body ?? '')?.[1] ?? '';
  const verified = await post('/api/v1/auth/otp/verify', { challengeId, code });
  const cookie = /sanjog_session=[^;]+/.exec(verified.headers.get('set-cookie') ?? '')?.[0] ?? '';
  const patient = { cookie };
  const profile = await json<{ id: string }>(
    await post(
      '/api/v1/me/patients',
      { self: true, name: 'Bench Patient', sex: 'female', ageYears: 40, stateId: 'IN-09', districtId: 'IN-09-140' },
      patient,
    ),
  );
  const opds = await json<{ items: { id: string; name: string }[] }>(
    await fetch(`${url}/api/v1/opds?stateId=IN-09`, { headers: patient }),
  );
  const opd = opds.items.find((item) => item.name === OPD_NAME);
  if (opd === undefined) throw new Error(`no ${OPD_NAME}`);
  const token = await json<{ id: string }>(
    await post('/api/v1/opd/tokens', { opdId: opd.id, patientId: profile.id }, patient),
  );
  await json(await post(`/api/v1/opd/${opd.id}/call-next`, {}, doctor));
  const joined = await json<{ consultationId: string | null }>(
    await post(`/api/v1/opd/tokens/${token.id}/join`, { mode: 'video' }, patient),
  );
  if (joined.consultationId === null) throw new Error('the join started no consultation');
  return joined.consultationId;
}

export async function run(options: { duration: number }): Promise<void> {
  // One core: the figures below come from this single thread.
  const signer = new PrescriptionSigner('bench-secret-key-0123456789abcdefghijklmnop');
  const key = signer.newKey('5a8f6f1e-1111-4222-8333-944445555666', '8a1e2f3d-1111-4222-8333-944445555666');
  const document = sampleDocument(key.id, 3);
  const message = canonicalJson(document);
  const signature = signer.sign(key, message);
  const slice = Math.max(1, options.duration / 3);
  const signPerSecond = await perSecond(slice, () => signer.sign(key, canonicalJson(document)));
  const verifyPerSecond = await perSecond(slice, () => {
    if (!signer.verify(key.publicKey, canonicalJson(document), signature)) throw new Error('verification failed');
  });
  const verifyUrl = `https://sanjog.example.in/rx/${document.id}`;
  await renderPrescriptionPdf({ document, signature }, verifyUrl); // warm the font parser
  const pdfPerSecond = await perSecond(slice, () => renderPrescriptionPdf({ document, signature }, verifyUrl));

  const server = await startServer();
  try {
    const doctor = await staffBearer(server.url, 'up.opddoctor');
    const consultationId = await openConsultation(server.url, doctor);
    const signMs: number[] = [];
    // Many prescriptions, so that the checks below read each afresh (the public check reuses what
    // it read of one prescription for 2 s): pharmacies scan different prescriptions.
    const prescriptionIds: string[] = [];
    for (let i = 0; i < SIGNED; i += 1) {
      const started = performance.now();
      const response = await fetch(`${server.url}/api/v1/consultations/${consultationId}/prescriptions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...doctor },
        body: JSON.stringify({
          language: 'hi',
          items: [
            {
              medicineCode: 'paracetamol-tablet',
              strength: '500 mg',
              dose: { value: 1, unit: 'tablet' },
              frequency: 'thrice_daily',
              timing: 'after_food',
              duration: { value: 3, unit: 'days' },
            },
          ],
          investigations: ['CBC'],
        }),
      });
      prescriptionIds.push((await json<{ id: string }>(response)).id);
      signMs.push(performance.now() - started);
    }
    const prescriptionId = prescriptionIds[prescriptionIds.length - 1]!;
    const firstPdf = performance.now();
    await (await fetch(`${server.url}/api/v1/prescriptions/${prescriptionId}/pdf`, { headers: doctor })).arrayBuffer();
    const firstPdfMs = performance.now() - firstPdf;
    const cachedPdf = performance.now();
    await (await fetch(`${server.url}/api/v1/prescriptions/${prescriptionId}/pdf`, { headers: doctor })).arrayBuffer();
    const cachedPdfMs = performance.now() - cachedPdf;

    // Each request checks the next prescription in turn.
    let next = 0;
    const checks = {
      url: server.url,
      requests: [
        {
          setupRequest: (request: { path: string }) => ({
            ...request,
            path: `/api/v1/public/prescriptions/${prescriptionIds[(next += 1) % prescriptionIds.length]!}`,
          }),
        },
      ],
    };
    const connections = 20;
    await autocannon({ ...checks, connections, duration: 2 }); // warm up
    // Saturation: as many checks as 20 clients can get (latency here is mostly queueing).
    const saturated = await autocannon({ ...checks, connections, duration: options.duration });
    // Under a steady load of pharmacies scanning: one check every 1/200 s, the latency a scan sees.
    let turn = 0;
    const load = await pacedGets(
      () => `/api/v1/public/prescriptions/${prescriptionIds[(turn += 1) % prescriptionIds.length]!}`,
      server.url,
      STEADY_RATE,
      options.duration,
    );
    report(
      `prescription benchmark (one core for sign/verify/PDF; ${server.storage} server, ${String(connections)} connections for ${String(options.duration)} s)`,
      {
        storage: server.storage,
        signPerSecond: round(signPerSecond, 0),
        verifyPerSecond: round(verifyPerSecond, 0),
        pdfPerSecond: round(pdfPerSecond, 1),
        signHttpP50Ms: round(percentile(signMs, 0.5), 1),
        signHttpP99Ms: round(percentile(signMs, 0.99), 1),
        firstPdfDownloadMs: round(firstPdfMs, 1),
        cachedPdfDownloadMs: round(cachedPdfMs, 1),
        verifyMaxRps: round(saturated.requests.average, 0),
        verifySaturatedP99Ms: saturated.latency.p99,
        verifyRate: STEADY_RATE,
        verifyDistinctPrescriptions: prescriptionIds.length,
        verifyP50Ms: round(percentile(load.latencies, 0.5), 2),
        verifyP99Ms: round(percentile(load.latencies, 0.99), 2),
        verifyP99TargetMs: 10,
        // Other work on the machine slows every figure; these say how busy it was.
        machineCores: cpus().length,
        machineLoad1m: round(loadavg()[0] ?? 0, 1),
        failures: saturated.errors + saturated.non2xx + saturated.timeouts + load.failures,
      },
    );
  } finally {
    await server.stop();
  }
}
