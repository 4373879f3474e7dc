import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import WebSocket from 'ws';
import {
  machineCpuSeconds,
  openFileLimit,
  percentile,
  processCpuSeconds,
  processScheduling,
  processMemoryMiB,
  report,
  round,
  startServer,
  type RunningServer,
} from './lib.js';

/**
 * `queue`: the OPD queue under a national morning rush.
 *
 * 100 OPDs (Lucknow, UP), 1,000 doctors on shift (10 per OPD), 50,000 patients. The network,
 * the accounts and a bearer session for each are written straight into the server's database
 * with a few bulk statements (PostgreSQL: after the server has migrated it; PGlite: the server
 * is stopped after migrating, the folder seeded, and the server started again on it). Then,
 * through the API as a client would: every patient takes a token (many at once), opens the live
 * WebSocket and waits; the doctors call the next patient at `--rate` calls per second in all,
 * each marking the patient a no-show (or, with `--mode consult`, the patient joins and the
 * doctor finishes) before calling again.
 *
 * Reports tokens per second, calls per second, call-next latency (client-side, and the server's
 * own histogram), the delay from a call to the 'called' notice on the patient's socket, the CPU
 * of the server, of PostgreSQL and of this load generator over the calling phase, the server's
 * peak memory (VmHWM) and memory per open connection, and the number of connections.
 *
 * The number of sockets is bounded by the open-file limit of a process (`ulimit -n`, the lower
 * of the server's and this process's): above it, fewer are opened and the report says so, with
 * the memory projected to the full number.
 *
 * Options: `--scale 0.1` (fewer of everything; PGlite defaults to 0.1), `--duration SECONDS`
 * (default 20), `--rate CALLS_PER_SECOND` (default 500 × scale), `--mode noshow|consult`,
 * `--concurrency N` (requests in flight while taking tokens, default 64), `--roster back-to-back|daily`
 * (the doctors' shifts: two a day that join into one endless stretch, the default, or one a day).
 *
 * Reading the figures: `noticeP99Ms` is measured from the moment call-next returned, so it is
 * negative when the notice arrives first (the server publishes it before it builds the answer);
 * `noticeFromRequestP99Ms` is measured from the moment call-next was sent. The `...CpuMsPerCall`
 * figures divide the CPU of the calling phase (live updates included) by the calls handed out;
 * `serverWaitingForCpuPct` is the time the server's main thread was ready to run but had no
 * CPU, and `otherCpuCores` the CPU of other processes on the machine, over the calling phase.
 */

const FULL = { opds: 100, doctors: 1000, patients: 50_000, rate: 500 };
const STATE_ID = 'IN-09';
const DISTRICT_ID = 'IN-09-162';
const WARMUP_SECONDS = 2;

function option(name: string): string | undefined {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? process.argv[index + 1] : undefined;
}

function numberOption(name: string, fallback: number): number {
  const raw = option(name);
  const value = raw === undefined ? fallback : Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} must be a positive number`);
  return value;
}

interface Doctor {
  userId: string;
  practitionerId: string;
  opdId: string;
  auth: string;
}

interface Patient {
  userId: string;
  patientId: string;
  opdId: string;
  mobile: string;
  auth: string;
  tokenId?: string;
  socket?: WebSocket;
}

type Sql = (text: string, params?: unknown[]) => Promise<unknown>;
type Roster = 'back-to-back' | 'daily';

function newSession(): { token: string; hash: string } {
  const token = randomBytes(32).toString('base64url');
  return { token, hash: createHash('sha256').update(token).digest('hex') };
}

/** The network, the accounts and their sessions, in a few statements of whole arrays. */
function plan(scale: number): { opds: string[]; doctors: Doctor[]; patients: Patient[]; hashes: string[] } {
  const opds = Array.from({ length: Math.max(1, Math.round(FULL.opds * scale)) }, () => randomUUID());
  const hashes: string[] = [];
  const bearer = () => {
    const session = newSession();
    hashes.push(session.hash);
    return `Bearer ${session.token}`;
  };
  const doctors = Array.from({ length: Math.max(1, Math.round(FULL.doctors * scale)) }, (_, i) => ({
    userId: randomUUID(),
    practitionerId: randomUUID(),
    opdId: opds[i % opds.length]!,
    auth: bearer(),
  }));
  const patients = Array.from({ length: Math.max(1, Math.round(FULL.patients * scale)) }, (_, i) => ({
    userId: randomUUID(),
    patientId: randomUUID(),
    opdId: opds[i % opds.length]!,
    mobile: `61${String(i).padStart(8, '0')}`,
    auth: bearer(),
  }));
  return { opds, doctors, patients, hashes };
}

async function seed(sql: Sql, network: ReturnType<typeof plan>, roster: Roster): Promise<void> {
  const { opds, doctors, patients, hashes } = network;
  await sql(
    `insert into facilities (id, state_id, district_id, name, kind)
     select id, $2, $3, 'Bench OPD ' || n, 'opd' from unnest($1::uuid[]) with ordinality as t(id, n)`,
    [opds, STATE_ID, DISTRICT_ID],
  );
  await sql(
    `insert into opd_settings (facility_id, daily_capacity, waiting_room_size, consultation_minutes, languages)
     select id, 1000000, 1000000, 10, '{hi,en}' from unnest($1::uuid[]) as t(id)`,
    [opds],
  );
  await sql(
    `insert into opd_hours (facility_id, weekday, opens_at, closes_at)
     select id, weekday, '00:00', '24:00' from unnest($1::uuid[]) as t(id) cross join generate_series(0, 6) as weekday`,
    [opds],
  );
  const doctorUsers = doctors.map((d) => d.userId);
  const doctorPractitioners = doctors.map((d) => d.practitionerId);
  const doctorOpds = doctors.map((d) => d.opdId);
  await sql(
    `insert into users (id, kind, username, display_name)
     select id, 'staff', 'bench.doctor.' || n, 'Dr Bench ' || n from unnest($1::uuid[]) with ordinality as t(id, n)`,
    [doctorUsers],
  );
  await sql(
    `insert into role_bindings (id, user_id, role, state_id, facility_id)
     select gen_random_uuid(), u, 'opd_doctor', $3, f from unnest($1::uuid[], $2::uuid[]) as t(u, f)`,
    [doctorUsers, doctorOpds, STATE_ID],
  );
  await sql(
    `insert into practitioners (id, state_id, user_id, name, gender, qualification, languages, specialities)
     select p, $3, u, 'Dr Bench ' || n, 'female', 'MBBS', '{hi}', '{general_medicine}'
     from unnest($1::uuid[], $2::uuid[]) with ordinality as t(p, u, n)`,
    [doctorPractitioners, doctorUsers, STATE_ID],
  );
  await sql(
    `insert into practitioner_roles (id, practitioner_id, facility_id, state_id, role, active)
     select gen_random_uuid(), p, f, $3, 'opd_doctor', true from unnest($1::uuid[], $2::uuid[]) as t(p, f)`,
    [doctorPractitioners, doctorOpds, STATE_ID],
  );
  // Back to back: two shifts a day, every day (the second runs to midnight), always on shift.
  // Daily: one shift a day, 00:00–23:59, so that no shift runs into the next.
  const shifts =
    roster === 'back-to-back'
      ? `values ('00:00'::time, '12:00'::time), ('12:00'::time, '00:00'::time)`
      : `values ('00:00'::time, '23:59'::time)`;
  await sql(
    `insert into shifts (id, practitioner_id, facility_id, state_id, weekday, starts_at, ends_at)
     select gen_random_uuid(), p, f, $3, weekday, s.starts_at, s.ends_at
     from unnest($1::uuid[], $2::uuid[]) as t(p, f)
     cross join generate_series(0, 6) as weekday
     cross join (${shifts}) as s(starts_at, ends_at)`,
    [doctorPractitioners, doctorOpds, STATE_ID],
  );
  const patientUsers = patients.map((p) => p.userId);
  const mobiles = patients.map((p) => p.mobile);
  await sql(
    `insert into users (id, kind, mobile, display_name)
     select id, 'patient', mobile, 'Patient ' || n from unnest($1::uuid[], $2::text[]) with ordinality as t(id, mobile, n)`,
    [patientUsers, mobiles],
  );
  await sql(
    `insert into patients (id, state_id, district_id, account_user_id, name, sex, birth_year, mobile)
     select id, $4, $5, u, 'Patient ' || n, case when n % 2 = 0 then 'female' else 'male' end, 1990, mobile
     from unnest($1::uuid[], $2::uuid[], $3::text[]) with ordinality as t(id, u, mobile, n)`,
    [patients.map((p) => p.patientId), patientUsers, mobiles, STATE_ID, DISTRICT_ID],
  );
  await sql(
    `insert into sessions (id, token_hash, user_id, kind, label, created_at, expires_at, last_seen_at)
     select gen_random_uuid(), h, u, 'bearer', 'bench', now(), now() + interval '1 day', now()
     from unnest($1::text[], $2::uuid[]) as t(h, u)`,
    [hashes, [...doctorUsers, ...patientUsers]],
  );
}

/** Seeds the server's database; returns the server to measure (restarted on the seeded folder for PGlite). */
async function seedServer(
  network: ReturnType<typeof plan>,
  storage: 'pglite' | 'postgres',
  roster: Roster,
): Promise<{ server: RunningServer; seedSeconds: number; cleanup: () => void }> {
  if (storage === 'postgres') {
    const server = await startServer();
    const started = performance.now();
    const client = new pg.Client({ connectionString: server.databaseUrl });
    await client.connect();
    try {
      await client.query('begin');
      await seed((text, params) => client.query(text, params), network, roster);
      await client.query('commit');
      await client.query('analyze');
    } finally {
      await client.end();
    }
    return { server, seedSeconds: (performance.now() - started) / 1000, cleanup: () => undefined };
  }
  // PGlite is one process's database: the first start migrates the folder, then it is seeded here.
  const dataDir = mkdtempSync(path.join(tmpdir(), 'sanjog-queue-'));
  const first = await startServer({}, { dataDir, storage: 'pglite' });
  await first.stop();
  const started = performance.now();
  const db = new PGlite(dataDir);
  await db.waitReady;
  try {
    await db.transaction(async (tx) => {
      await seed((text, params) => tx.query(text, params), network, roster);
    });
    await db.exec('analyze');
  } finally {
    await db.close();
  }
  const seedSeconds = (performance.now() - started) / 1000;
  const server = await startServer({}, { dataDir, storage: 'pglite' });
  return { server, seedSeconds, cleanup: () => rmSync(dataDir, { recursive: true, force: true }) };
}

/** A small HTTP client on one keep-alive agent: no per-request setup beyond Node's own. */
function client(baseUrl: string, maxSockets: number) {
  const url = new URL(baseUrl);
  const agent = new http.Agent({ keepAlive: true, maxSockets });
  const post = (pathname: string, auth: string, body: unknown) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      const payload = JSON.stringify(body);
      const request = http.request(
        {
          agent,
          host: url.hostname,
          port: url.port,
          method: 'POST',
          path: pathname,
          headers: {
            authorization: auth,
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(payload),
          },
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () =>
            resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString() }),
          );
          response.on('error', reject);
        },
      );
      request.on('error', reject);
      request.end(payload);
    });
  return { post, close: () => agent.destroy() };
}

/** Runs `work` over `items` with at most `limit` at once. */
export async function inParallel<T>(
  items: readonly T[],
  limit: number,
  work: (item: T, index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const index = next++;
        await work(items[index]!, index);
      }
    }),
  );
}

/** CPU and run-queue seconds so far of every PostgreSQL process on this machine (backends come and go). */
export function postgresProcesses(): Map<number, { cpu: number; waiting: number }> {
  const result = new Map<number, { cpu: number; waiting: number }>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() !== 'postgres') continue;
      const pid = Number(entry);
      result.set(pid, { cpu: processCpuSeconds(pid), waiting: processScheduling(pid).waiting });
    } catch {
      // The process ended while it was being read.
    }
  }
  return result;
}

export function postgresBetween(
  before: Map<number, { cpu: number; waiting: number }>,
  after: Map<number, { cpu: number; waiting: number }>,
): { cpu: number; waiting: number } {
  const total = { cpu: 0, waiting: 0 };
  for (const [pid, now] of after) {
    total.cpu += now.cpu - (before.get(pid)?.cpu ?? 0);
    total.waiting += now.waiting - (before.get(pid)?.waiting ?? 0);
  }
  return total;
}

/** The server's own histogram of call-next latency (status 200), as counts per bucket bound. */
async function serverHistogram(baseUrl: string): Promise<Map<number, number>> {
  const text = await (await fetch(`${baseUrl}/metrics`)).text();
  const buckets = new Map<number, number>();
  for (const line of text.split('\n')) {
    if (!line.startsWith('http_request_duration_seconds_bucket{')) continue;
    if (!line.includes('route="/api/v1/opd/:opdId/call-next"') || !line.includes('status_code="200"')) continue;
    const le = /le="([^"]+)"/.exec(line)?.[1];
    const count = Number(line.slice(line.lastIndexOf(' ') + 1));
    if (le !== undefined) buckets.set(le === '+Inf' ? Number.POSITIVE_INFINITY : Number(le), count);
  }
  return buckets;
}

function histogramFigures(
  before: Map<number, number>,
  after: Map<number, number>,
): { under10msPct: number; p99UpperMs: number } {
  const bounds = [...after.keys()].sort((a, b) => a - b);
  const count = (le: number) => (after.get(le) ?? 0) - (before.get(le) ?? 0);
  const total = count(Number.POSITIVE_INFINITY);
  if (total === 0) return { under10msPct: Number.NaN, p99UpperMs: Number.NaN };
  const p99 = bounds.find((le) => count(le) >= 0.99 * total) ?? Number.POSITIVE_INFINITY;
  return { under10msPct: round((100 * count(0.01)) / total, 1), p99UpperMs: p99 * 1000 };
}

export async function run(options: { duration: number }): Promise<void> {
  const storage: 'pglite' | 'postgres' = process.env.DATABASE_URL ? 'postgres' : 'pglite';
  const scale = numberOption('scale', storage === 'pglite' ? 0.1 : 1);
  const rate = numberOption('rate', FULL.rate * scale);
  const concurrency = numberOption('concurrency', 64);
  const mode = option('mode') ?? 'noshow';
  if (mode !== 'noshow' && mode !== 'consult') throw new Error('--mode must be noshow or consult');
  const roster = option('roster') ?? 'back-to-back';
  if (roster !== 'back-to-back' && roster !== 'daily') throw new Error('--roster must be back-to-back or daily');
  // bench/run.ts defaults to 10 s; this benchmark's default is 20 s of calls.
  const duration = option('duration') === undefined ? 20 : options.duration;

  const network = plan(scale);
  const { doctors, patients } = network;
  console.log(
    `queue benchmark on ${storage}: ${network.opds.length} OPDs, ${doctors.length} doctors, ${patients.length} patients`,
  );
  const { server, seedSeconds, cleanup } = await seedServer(network, storage, roster);
  const serverPid = server.process.pid!;
  const api = client(server.url, 256);
  try {
    console.log(`  seeded in ${round(seedSeconds, 1)} s`);

    // ---- Every patient takes a token ------------------------------------------------------
    const takeLatencies: number[] = [];
    let takeErrors = 0;
    const tokenOwner = new Map<string, Patient>();
    const takeStarted = performance.now();
    const takeCpuBefore = processCpuSeconds(serverPid);
    await inParallel(patients, concurrency, async (patient) => {
      const t0 = performance.now();
      const response = await api.post('/api/v1/opd/tokens', patient.auth, {
        opdId: patient.opdId,
        patientId: patient.patientId,
      });
      takeLatencies.push(performance.now() - t0);
      if (response.status !== 201) {
        if (takeErrors++ < 3) console.error(`  take token: ${String(response.status)} ${response.body}`);
        return;
      }
      patient.tokenId = (JSON.parse(response.body) as { id: string }).id;
      tokenOwner.set(patient.tokenId, patient);
      if (tokenOwner.size % 10_000 === 0) console.log(`  ${String(tokenOwner.size)} tokens…`);
    });
    const takeSeconds = (performance.now() - takeStarted) / 1000;
    const serverCpuMsPerToken = (1000 * (processCpuSeconds(serverPid) - takeCpuBefore)) / Math.max(1, tokenOwner.size);
    console.log(`  ${String(tokenOwner.size)} tokens in ${round(takeSeconds, 1)} s`);

    // ---- Open the live connections -------------------------------------------------------
    // A socket is a file on both sides: stay under the lower open-file limit, with room for the
    // HTTP sockets, the database pool and the files the server holds.
    const fdLimit = Math.min(openFileLimit(serverPid), openFileLimit(process.pid));
    const wanted = patients.length;
    const connectionsPlanned = Math.max(0, Math.min(wanted, fdLimit - 256 - 500));
    const memoryBeforeSockets = processMemoryMiB(serverPid);
    const noticeAt = new Map<string, number>();
    let positionMessages = 0;
    let otherMessages = 0;
    const wsBase = server.url.replace(/^http/, 'ws');
    // Spread evenly over every queue (and so over every place in it): every k-th patient.
    const withTokens = patients.filter((p) => p.tokenId !== undefined);
    const step = withTokens.length / Math.max(1, connectionsPlanned);
    const connecting = Array.from({ length: Math.min(connectionsPlanned, withTokens.length) }, (_, i) => {
      return withTokens[Math.floor(i * step)]!;
    });
    let connectErrors = 0;
    const connectStarted = performance.now();
    await inParallel(connecting, 200, async (patient, index) => {
      await new Promise<void>((resolve) => {
        const socket = new WebSocket(`${wsBase}/api/v1/live`, {
          headers: { authorization: patient.auth },
          perMessageDeflate: false,
          // One source address has some 28,000 ports: spread very many sockets over 127.0.0.x.
          localAddress: `127.0.0.${String(1 + Math.floor(index / 25_000))}`,
        });
        let ready = false;
        const timer = setTimeout(() => {
          if (ready) return;
          connectErrors += 1;
          resolve();
        }, 60_000);
        socket.on('message', (data: Buffer) => {
          if (!ready) {
            ready = true;
            clearTimeout(timer);
            resolve();
          }
          // Only the 'called' notices are parsed; places are counted.
          if (data.includes('"event":"called"')) {
            const at = performance.now();
            const message = JSON.parse(data.toString()) as { tokenId: string };
            if (!noticeAt.has(message.tokenId)) noticeAt.set(message.tokenId, at);
          } else if (data.includes('"type":"position"')) positionMessages += 1;
          else otherMessages += 1;
        });
        socket.on('error', () => {
          if (!ready) {
            ready = true;
            connectErrors += 1;
            clearTimeout(timer);
            resolve();
          }
        });
        patient.socket = socket;
      });
    });
    const connectSeconds = (performance.now() - connectStarted) / 1000;
    const connections = connecting.filter((p) => p.socket?.readyState === WebSocket.OPEN).length;
    const memoryWithSockets = processMemoryMiB(serverPid);
    console.log(`  ${String(connections)} live connections in ${round(connectSeconds, 1)} s`);

    // ---- Doctors call at the target rate -------------------------------------------------
    const idle: number[] = doctors.map((_, i) => i);
    const calls: { tokenId: string; sent: number; returned: number; measured: boolean }[] = [];
    const callLatencies: number[] = [];
    let callErrors = 0;
    let actionErrors = 0;
    let emptyCalls = 0;
    let notIssued = 0;
    const inFlight = new Set<Promise<void>>();
    const cycle = async (index: number): Promise<void> => {
      const doctor = doctors[index]!;
      const measuring = performance.now() >= measureFrom;
      try {
        const sent = performance.now();
        const response = await api.post(`/api/v1/opd/${doctor.opdId}/call-next`, doctor.auth, {});
        const returned = performance.now();
        if (response.status !== 200) {
          if (callErrors++ < 3) console.error(`  call-next: ${String(response.status)} ${response.body}`);
          return;
        }
        if (measuring) callLatencies.push(returned - sent);
        const token = (JSON.parse(response.body) as { token: { id: string } | null }).token;
        if (token === null) {
          emptyCalls += 1;
          return;
        }
        calls.push({ tokenId: token.id, sent, returned, measured: measuring });
        const outcome =
          mode === 'noshow'
            ? await api.post(`/api/v1/opd/tokens/${token.id}/no-show`, doctor.auth, { reason: 'bench: did not come' })
            : await consult(token.id, doctor);
        if (outcome.status !== 200 && actionErrors++ < 3)
          console.error(`  ${mode}: ${String(outcome.status)} ${outcome.body}`);
      } catch (error) {
        if (callErrors++ < 3) console.error('  call cycle failed:', error);
      } finally {
        idle.push(index);
      }
    };
    const consult = async (tokenId: string, doctor: Doctor) => {
      const owner = tokenOwner.get(tokenId);
      if (owner === undefined) return { status: 0, body: `token ${tokenId} of nobody known` };
      const joined = await api.post(`/api/v1/opd/tokens/${tokenId}/join`, owner.auth, { mode: 'video' });
      if (joined.status !== 200) return joined;
      return api.post(`/api/v1/opd/tokens/${tokenId}/finish`, doctor.auth, {});
    };

    const loop = monitorEventLoopDelay({ resolution: 5 });
    const driveStarted = performance.now();
    const measureFrom = driveStarted + WARMUP_SECONDS * 1000;
    const driveEnds = measureFrom + duration * 1000;
    let issued = 0;
    let sample: {
      at: number;
      server: number;
      postgres: Map<number, { cpu: number; waiting: number }>;
      serverScheduling: { running: number; waiting: number };
      loadgen: NodeJS.CpuUsage;
      machine: { busy: number; total: number };
      histogram: Map<number, number>;
      positions: number;
    } | null = null;
    const takeSample = async () => ({
      histogram: await serverHistogram(server.url),
      at: performance.now(),
      server: processCpuSeconds(serverPid),
      postgres: storage === 'postgres' ? postgresProcesses() : new Map<number, { cpu: number; waiting: number }>(),
      serverScheduling: processScheduling(serverPid),
      loadgen: process.cpuUsage(),
      machine: machineCpuSeconds(),
      positions: positionMessages,
    });
    for (;;) {
      const now = performance.now();
      if (now >= driveEnds) break;
      if (sample === null && now >= measureFrom) {
        sample = await takeSample();
        loop.enable();
      }
      const due = Math.floor((rate * (now - driveStarted)) / 1000) - issued;
      for (let k = 0; k < due; k += 1) {
        const index = idle.shift();
        issued += 1;
        if (index === undefined) {
          // Every doctor is still busy with the previous patient: the server is behind.
          if (performance.now() >= measureFrom) notIssued += 1;
          continue;
        }
        const running: Promise<void> = cycle(index).finally(() => inFlight.delete(running));
        inFlight.add(running);
      }
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    const end = await takeSample();
    loop.disable();
    await Promise.all(inFlight);
    // Late notices still count (and show in the p99).
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const start = sample!;
    const seconds = (end.at - start.at) / 1000;
    const measuredCalls = calls.filter((c) => c.measured);

    const connectedTokens = new Set(connecting.filter((p) => p.socket !== undefined).map((p) => p.tokenId));
    const delays: number[] = [];
    const fromSent: number[] = [];
    let missing = 0;
    for (const call of measuredCalls) {
      if (!connectedTokens.has(call.tokenId)) continue;
      const at = noticeAt.get(call.tokenId);
      if (at === undefined) {
        missing += 1;
        continue;
      }
      delays.push(at - call.returned);
      fromSent.push(at - call.sent);
    }
    const histogram = histogramFigures(start.histogram, end.histogram);
    const finalMemory = processMemoryMiB(serverPid);
    const perConnectionKiB =
      connections > 0 ? ((memoryWithSockets.rss - memoryBeforeSockets.rss) * 1024) / connections : Number.NaN;
    const loadgenCpu = (end.loadgen.user + end.loadgen.system - start.loadgen.user - start.loadgen.system) / 1e6;
    const serverCpu = end.server - start.server;
    const machineBusy = end.machine.busy - start.machine.busy;
    const postgres = postgresBetween(start.postgres, end.postgres);
    const postgresCpuSeconds = postgres.cpu;

    for (const patient of connecting) patient.socket?.terminate();
    report(
      `queue benchmark (${storage}, scale ${String(scale)}: ${String(network.opds.length)} OPDs, ${String(doctors.length)} doctors, ${String(patients.length)} patients; ${String(rate)} calls/s for ${String(duration)} s after ${String(WARMUP_SECONDS)} s warm-up; ${mode}; ${roster} shifts)`,
      {
        storage,
        scale,
        roster,
        opds: network.opds.length,
        doctors: doctors.length,
        patients: patients.length,
        seedSeconds: round(seedSeconds, 1),
        tokensPerSecond: round(tokenOwner.size / takeSeconds, 0),
        tokenP50Ms: round(percentile(takeLatencies, 0.5), 1),
        tokenP99Ms: round(percentile(takeLatencies, 0.99), 1),
        tokenErrors: takeErrors,
        serverCpuMsPerToken: round(serverCpuMsPerToken, 2),
        fdLimit,
        connectionsWanted: wanted,
        connections,
        connectErrors,
        connectionsPerSecond: round(connections / connectSeconds, 0),
        targetRate: rate,
        callsPerSecond: round(measuredCalls.length / seconds, 1),
        callNextP50Ms: round(percentile(callLatencies, 0.5), 2),
        callNextP99Ms: round(percentile(callLatencies, 0.99), 2),
        callNextMaxMs: round(Math.max(...callLatencies), 1),
        serverCallNextUnder10msPct: histogram.under10msPct,
        serverCallNextP99UpperMs: histogram.p99UpperMs,
        callsNotIssued: notIssued,
        emptyCalls,
        callErrors,
        actionErrors,
        noticeSamples: delays.length,
        noticesMissing: missing,
        noticeP50Ms: round(percentile(delays, 0.5), 2),
        noticeP99Ms: round(percentile(delays, 0.99), 2),
        noticeFromRequestP99Ms: round(percentile(fromSent, 0.99), 2),
        noticeBeforeReturnPct: round((100 * delays.filter((d) => d < 0).length) / Math.max(1, delays.length), 1),
        positionMessagesPerSecond: round((end.positions - start.positions) / seconds, 0),
        otherMessages,
        serverCpuCores: round(serverCpu / seconds, 2),
        postgresCpuCores: round(postgresCpuSeconds / seconds, 2),
        loadgenCpuCores: round(loadgenCpu / seconds, 2),
        serverCpuMsPerCall: round((1000 * serverCpu) / Math.max(1, measuredCalls.length), 2),
        postgresCpuMsPerCall: round((1000 * postgresCpuSeconds) / Math.max(1, measuredCalls.length), 2),
        serverMainThreadBusyPct: round(
          (100 * (end.serverScheduling.running - start.serverScheduling.running)) / seconds,
          0,
        ),
        serverWaitingForCpuPct: round(
          (100 * (end.serverScheduling.waiting - start.serverScheduling.waiting)) / seconds,
          0,
        ),
        postgresWaitingForCpuCores: round(postgres.waiting / seconds, 2),
        machineBusyCores: round(machineBusy / seconds, 2),
        otherCpuCores: round((machineBusy - serverCpu - postgresCpuSeconds - loadgenCpu) / seconds, 2),
        loadgenEventLoopP99Ms: round(loop.percentile(99) / 1e6, 1),
        rssBeforeSocketsMiB: round(memoryBeforeSockets.rss, 0),
        rssWithSocketsMiB: round(memoryWithSockets.rss, 0),
        kibPerConnection: round(perConnectionKiB, 1),
        projectedRssMiBAtWanted: round(memoryBeforeSockets.rss + (perConnectionKiB * wanted) / 1024, 0),
        peakRssMiB: round(Math.max(finalMemory.peak, memoryWithSockets.peak), 0),
      },
    );
  } finally {
    api.close();
    await server.stop();
    cleanup();
  }
}
