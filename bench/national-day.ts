import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import WebSocket from 'ws';
import {
  machineCpuSeconds,
  numberOption,
  option,
  percentile,
  processCpuSeconds,
  processMemoryMiB,
  report,
  round,
  startServer,
  type RunningServer,
} from './lib.js';
import { startProxy, type RunningProxy } from './proxy.js';
import { postgresBetween, postgresProcesses } from './queue.js';

/**
 * `national-day`: whole consultations, end to end, through the public API and WebSockets as
 * the apps make them, at a rate that follows a day's arrivals compressed in time.
 *
 * OPD (15%): a patient signs in by OTP (the code read from the development SMS outbox), adds a
 * family profile, takes a token and waits on the live WebSocket; a doctor of the OPD (whose
 * console follows the OPD on its own live socket) calls the next patient; the patient hears
 * the call and joins; both fetch call credentials and signal a call over the signalling
 * WebSocket (offer, answer, two candidates each; no media); the doctor searches the formulary,
 * completes the record, signs a prescription and finishes the token; the patient hears that
 * it ended, fetches the prescription and rates the consultation.
 *
 * Hub and spoke (85%): a spoke's health officer looks the patient up, registers them, records
 * consent, drafts the request with vitals and complaints and sends it; a hub doctor of the
 * hub it was routed to takes the next request, searches the formulary, answers (completing the
 * consultation record) and signs a prescription; the officer reads the answer.
 *
 * Staff (doctors and officers) are written straight into the database with bearer sessions,
 * at bench OPDs (open round the clock) and at the demo's hubs and spokes; patients sign in.
 * A doctor sees one patient at a time: work waits for a free doctor of the OPD or hub (that
 * wait is part of the queue-to-call time).
 *
 * Options: `--duration SECONDS` (10), `--rate PER_SECOND` (the peak arrival rate; 20 on PGlite,
 * 100 on PostgreSQL), `--curve day|flat` (the day's arrivals from 07:00 to 21:00 with the late
 * morning peak, or the rate throughout), `--storage pglite|postgres` (PostgreSQL needs
 * DATABASE_URL), `--instances N` (N server processes on one PostgreSQL and Redis, REDIS_URL,
 * behind the round-robin proxy of bench/proxy.ts), `--find-max` (flat steps from `--rate`,
 * each `--step` times the last (1.25), until the slowest operation's p99 passes `--p99-limit`
 * ms (100) or an error happens; reports the highest passing rate), `--max-rate` (the staff
 * are seeded for this rate; default 4 × --rate with --find-max), `--opd-share 0.15`, `--cpu-prof DIR`
 * (each server writes a V8 CPU profile into DIR when it stops).
 *
 * At the end the database is checked: every consultation completed once, no token handed out
 * twice, every request answered once, one prescription per consultation.
 */

const STATE_ID = 'IN-09';
const DISTRICT_ID = 'IN-09-162';
/** Share of the peak rate arriving at each hour of the day from 07:00 (India time), interpolated. */
const DAY_CURVE = [5, 12, 22, 30, 32, 28, 20, 22, 24, 18, 12, 7, 5, 3, 2].map((v) => v / 32);
/** How long one side of a flow waits for the other's step (a signal, a join, an end). */
const WAIT_MS = 30_000;
/** How long a patient waits to be called, or an officer for the hub's answer: a queue may be long. */
const QUEUE_WAIT_MS = 180_000;
const FIRST_NAMES = ['Ram', 'Sita', 'Mohan', 'Geeta', 'Abdul', 'Farah', 'Suresh', 'Lakshmi', 'Kavya', 'Raju'];
const LAST_NAMES = ['Prasad', 'Devi', 'Yadav', 'Khan', 'Gowda', 'Verma', 'Singh', 'Reddy', 'Patel', 'Nayak'];
const VILLAGES = ['Malihabad', 'Kakori', 'Bakshi Ka Talab', 'Mohanlalganj', 'Gosainganj', 'Sarojini Nagar'];
const URGENCY_MIX = [
  ['emergency', 0.05],
  ['urgent', 0.2],
  ['routine', 0.75],
] as const;
// A browser's offer is a few kilobytes; this one is as long, so the relay carries as much.
const FAKE_SDP = `v=0\r\no=- 0 2 IN IP4 127.0.0.1\r\ns=-\r\n${'a=fingerprint:sha-256 00:11:22:33\r\n'.repeat(60)}`;

/**
 * Preloaded into each server for `--cpu-prof` (Node 20 refuses --cpu-prof in NODE_OPTIONS): a V8
 * CPU profile written when the process exits. The main thread's own inspector session answers
 * at once, so the file is written before the exit completes.
 */
const CPU_PROFILE_PRELOAD = `import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import path from 'node:path';
const session = new Session();
session.connect();
session.post('Profiler.enable');
session.post('Profiler.setSamplingInterval', { interval: 500 });
session.post('Profiler.start');
process.on('exit', () => {
  session.post('Profiler.stop', (error, result) => {
    if (error === null)
      writeFileSync(path.join(process.env.CPU_PROFILE_DIR, 'server-' + process.pid + '.cpuprofile'), JSON.stringify(result.profile));
  });
});
`;

type Storage = 'pglite' | 'postgres';
type Rows = <T>(text: string, params?: unknown[]) => Promise<T[]>;

interface Staff {
  userId: string;
  practitionerId: string;
  facilityId: string;
  auth: string;
  socket?: WebSocket;
}

interface Network {
  opds: string[];
  opdDoctors: Staff[];
  hubDoctors: Staff[];
  officers: Staff[];
  spokes: string[];
  hashes: { hash: string; userId: string }[];
}

// ---- Measurement ------------------------------------------------------------------------------

class Figures {
  readonly latencies = new Map<string, number[]>();
  readonly queueToCall = { opd: [] as number[], hub: [] as number[] };
  readonly errors: string[] = [];
  errorCount = 0;
  completed = { opd: 0, hub: 0 };
  completedAt: number[] = [];
  recording = false;

  add(operation: string, ms: number): void {
    if (!this.recording) return;
    let list = this.latencies.get(operation);
    if (list === undefined) this.latencies.set(operation, (list = []));
    list.push(ms);
  }

  fail(what: string): void {
    this.errorCount += 1;
    // The first few different errors (by their start).
    if (this.errors.length < 5 && !this.errors.some((e) => e.slice(0, 60) === what.slice(0, 60)))
      this.errors.push(what);
  }
}

/** Something that went wrong in a flow, already counted. */
class FlowFailed extends Error {}

/** Events heard on sockets, waited for by key; an event heard before anyone waits is kept a while. */
class Events {
  private readonly heard = new Map<string, { at: number; error?: Error }>();
  private readonly waiting = new Map<string, (error?: Error) => void>();
  private purgedAt = 0;

  fire(key: string, error?: Error): void {
    const waiter = this.waiting.get(key);
    if (waiter !== undefined) {
      this.waiting.delete(key);
      waiter(error);
    } else this.heard.set(key, { at: performance.now(), ...(error === undefined ? {} : { error }) });
  }

  /** What waits for `key` fails at once (the other side of the flow failed). */
  fail(key: string, why: string): void {
    this.fire(key, new Error(why));
  }

  wait(key: string, ms = WAIT_MS): Promise<void> {
    const early = this.heard.get(key);
    if (early !== undefined) {
      this.heard.delete(key);
      return early.error === undefined ? Promise.resolve() : Promise.reject(early.error);
    }
    // Events nobody waited for (a console hears every join of its OPD) are forgotten after a while.
    const now = performance.now();
    if (this.heard.size > 10_000 && now - this.purgedAt > 5000) {
      this.purgedAt = now;
      for (const [k, { at }] of this.heard) if (at < now - 2 * WAIT_MS) this.heard.delete(k);
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(key);
        reject(new Error(`no ${key} within ${String(ms)} ms`));
      }, ms);
      // A wait left behind (the flow failed elsewhere) does not keep the process alive.
      timer.unref();
      this.waiting.set(key, (error) => {
        clearTimeout(timer);
        if (error === undefined) resolve();
        else reject(error);
      });
    });
  }
}

// ---- The API as the apps call it --------------------------------------------------------------

class Api {
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 2048 });
  private readonly url: URL;
  readonly wsBase: string;
  figures = new Figures();

  constructor(baseUrl: string) {
    this.url = new URL(baseUrl);
    this.wsBase = baseUrl.replace(/^http/, 'ws');
  }

  /** One request; its latency is recorded under `operation`; a status other than `ok` fails the flow. */
  async call<T>(operation: string, method: string, pathname: string, auth?: string, body?: unknown): Promise<T> {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const started = performance.now();
    let answer: { status: number; text: string };
    try {
      answer = await new Promise((resolve, reject) => {
        const request = http.request(
          {
            agent: this.agent,
            host: this.url.hostname,
            port: this.url.port,
            method,
            path: pathname,
            headers: {
              ...(auth === undefined ? {} : { authorization: auth }),
              ...(payload === undefined
                ? {}
                : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }),
            },
          },
          (response) => {
            const chunks: Buffer[] = [];
            response.on('data', (chunk: Buffer) => chunks.push(chunk));
            response.on('end', () =>
              resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString() }),
            );
            response.on('error', reject);
          },
        );
        request.on('error', reject);
        request.end(payload);
      });
    } catch (error) {
      this.figures.fail(`${operation}: ${(error as Error).message}`);
      throw new FlowFailed(operation);
    }
    this.figures.add(operation, performance.now() - started);
    if (answer.status !== 200 && answer.status !== 201) {
      this.figures.fail(`${operation}: ${String(answer.status)} ${answer.text.slice(0, 300)}`);
      throw new FlowFailed(operation);
    }
    return JSON.parse(answer.text) as T;
  }

  /** Opens a WebSocket; the time to open is recorded under `operation`. */
  async open(operation: string, pathname: string, auth?: string): Promise<WebSocket> {
    const started = performance.now();
    const socket = new WebSocket(`${this.wsBase}${pathname}`, {
      perMessageDeflate: false,
      ...(auth === undefined ? {} : { headers: { authorization: auth } }),
    });
    try {
      await new Promise<void>((resolve, reject) => {
        socket.once('open', () => resolve());
        socket.once('error', reject);
        socket.once('unexpected-response', (_request, response) =>
          reject(new Error(`upgrade refused: ${String(response.statusCode)}`)),
        );
      });
    } catch (error) {
      this.figures.fail(`${operation}: ${(error as Error).message}`);
      socket.terminate();
      throw new FlowFailed(operation);
    }
    this.figures.add(operation, performance.now() - started);
    return socket;
  }

  close(): void {
    this.agent.destroy();
  }
}

// ---- Seeding the staff --------------------------------------------------------------------------

function bearer(hashes: Network['hashes'], userId: string): string {
  const token = randomBytes(32).toString('base64url');
  hashes.push({ hash: createHash('sha256').update(token).digest('hex'), userId });
  return `Bearer ${token}`;
}

/** Enough doctors that one is free for most arrivals at `rate` (a whole OPD visit takes them up to 8 s, a request 4 s). */
function staffing(rate: number, opdShare: number) {
  const opdRate = rate * opdShare;
  const opds = Math.min(50, Math.max(2, Math.ceil(opdRate / 3)));
  return {
    opds,
    opdDoctors: Math.max(opds * 2, Math.ceil(opdRate * 8)),
    hubDoctors: Math.max(8, Math.ceil(rate * (1 - opdShare) * 4)),
    officersPerSpoke: Math.max(1, Math.ceil((rate * (1 - opdShare)) / 100)),
  };
}

async function seed(rows: Rows, rate: number, opdShare: number): Promise<Network> {
  const plan = staffing(rate, opdShare);
  const hashes: Network['hashes'] = [];
  const opds = Array.from({ length: plan.opds }, () => randomUUID());
  await rows(
    `insert into facilities (id, state_id, district_id, name, kind)
     select id, $2, $3, 'National Day OPD ' || n, 'opd' from unnest($1::uuid[]) with ordinality as t(id, n)`,
    [opds, STATE_ID, DISTRICT_ID],
  );
  await rows(
    `insert into opd_settings (facility_id, daily_capacity, waiting_room_size, consultation_minutes, languages)
     select id, 1000000, 1000000, 10, '{hi,en}' from unnest($1::uuid[]) as t(id)`,
    [opds],
  );
  await rows(
    `insert into opd_hours (facility_id, weekday, opens_at, closes_at)
     select id, weekday, '00:00', '24:00' from unnest($1::uuid[]) as t(id) cross join generate_series(0, 6) as weekday`,
    [opds],
  );
  // Each demo spoke and the hub its general medicine requests go to first.
  const spokes = await rows<{ spokeId: string; hubId: string; stateId: string }>(
    `select spoke_id as "spokeId", hub_id as "hubId", state_id as "stateId" from spoke_hub_mappings
     where speciality_code = 'general_medicine' and rank = 1 and valid_to is null order by spoke_id`,
  );
  if (spokes.length === 0) throw new Error('the demo network (spokes mapped to hubs) is missing');
  const hubs = [...new Map(spokes.map((s) => [s.hubId, s.stateId])).entries()];
  const share = new Map(hubs.map(([hub]) => [hub, spokes.filter((s) => s.hubId === hub).length / spokes.length]));
  const stateOf = new Map<string, string>([
    ...opds.map((id) => [id, STATE_ID] as const),
    ...spokes.map((s) => [s.spokeId, s.stateId] as const),
    ...hubs,
  ]);

  const person = (facilityId: string): Staff => {
    const userId = randomUUID();
    return { userId, practitionerId: randomUUID(), facilityId, auth: bearer(hashes, userId) };
  };
  const opdDoctors = Array.from({ length: plan.opdDoctors }, (_, i) => person(opds[i % opds.length]!));
  const hubDoctors = hubs.flatMap(([hub]) =>
    Array.from({ length: Math.max(2, Math.round(plan.hubDoctors * (share.get(hub) ?? 0))) }, () => person(hub)),
  );
  const officers = spokes.flatMap((s) => Array.from({ length: plan.officersPerSpoke }, () => person(s.spokeId)));

  const insertStaff = async (people: Staff[], role: string, label: string, doctor: boolean) => {
    const users = people.map((p) => p.userId);
    const practitioners = people.map((p) => p.practitionerId);
    const facilities = people.map((p) => p.facilityId);
    const states = people.map((p) => stateOf.get(p.facilityId)!);
    await rows(
      `insert into users (id, kind, username, display_name)
       select id, 'staff', $2 || n, $3 || n from unnest($1::uuid[]) with ordinality as t(id, n)`,
      [users, `bench.${role}.`, label],
    );
    await rows(
      `insert into role_bindings (id, user_id, role, state_id, facility_id)
       select gen_random_uuid(), u, $4, s, f from unnest($1::uuid[], $2::uuid[], $3::text[]) as t(u, f, s)`,
      [users, facilities, states, role],
    );
    await rows(
      `insert into practitioners (id, state_id, user_id, name, gender, qualification, registration_council,
         registration_number, languages, specialities)
       select p, s, u, $4 || n, case when n % 2 = 0 then 'female' else 'male' end, $5, $6, $7 || n, '{hi,en}', $8
       from unnest($1::uuid[], $2::uuid[], $3::text[]) with ordinality as t(p, u, s, n)`,
      [
        practitioners,
        users,
        states,
        label,
        doctor ? 'MBBS' : 'BSc Nursing, Certificate in Community Health',
        doctor ? 'Bench Medical Council' : null,
        doctor ? `BENCH-${role}-` : null,
        doctor ? '{general_medicine}' : '{}',
      ],
    );
    await rows(
      `insert into practitioner_roles (id, practitioner_id, facility_id, state_id, role, specialities, active)
       select gen_random_uuid(), p, f, s, $4, $5, true from unnest($1::uuid[], $2::uuid[], $3::text[]) as t(p, f, s)`,
      [practitioners, facilities, states, role, doctor ? '{general_medicine}' : '{}'],
    );
    // Round the clock, as the demo's staff: two shifts a day that join.
    await rows(
      `insert into shifts (id, practitioner_id, facility_id, state_id, weekday, starts_at, ends_at)
       select gen_random_uuid(), p, f, s, weekday, h.starts_at, h.ends_at
       from unnest($1::uuid[], $2::uuid[], $3::text[]) as t(p, f, s)
       cross join generate_series(0, 6) as weekday
       cross join (values ('00:00'::time, '12:00'::time), ('12:00'::time, '00:00'::time)) as h(starts_at, ends_at)`,
      [practitioners, facilities, states],
    );
  };
  await insertStaff(opdDoctors, 'opd_doctor', 'Dr OPD Bench ', true);
  await insertStaff(hubDoctors, 'hub_doctor', 'Dr Hub Bench ', true);
  await insertStaff(officers, 'spoke_operator', 'Officer Bench ', false);
  await rows(
    `insert into sessions (id, token_hash, user_id, kind, label, created_at, expires_at, last_seen_at)
     select gen_random_uuid(), h, u, 'bearer', 'national-day', now(), now() + interval '1 day', now()
     from unnest($1::text[], $2::uuid[]) as t(h, u)`,
    [hashes.map((h) => h.hash), hashes.map((h) => h.userId)],
  );
  return { opds, opdDoctors, hubDoctors, officers, spokes: spokes.map((s) => s.spokeId), hashes };
}

// ---- Servers ----------------------------------------------------------------------------------

interface Deployment {
  url: string;
  servers: RunningServer[];
  proxy?: RunningProxy;
  network: Network;
  /** Runs a query on the database, for the final check (PGlite: after the server has stopped). */
  check: <T>(text: string, params?: unknown[]) => Promise<T[]>;
  /** PostgreSQL: the server's backends now — busy, and waiting for a lock (with the query). */
  backends?: () => Promise<{ active: number; waiting: number; query: string | null }>;
  stop: () => Promise<void>;
}

async function deploy(
  storage: Storage,
  instances: number,
  seedRate: number,
  opdShare: number,
  profileDir: string | undefined,
): Promise<Deployment> {
  // Each server writes a V8 CPU profile there when it stops (open it in Chrome DevTools or speedscope).
  const profiling: Record<string, string> = {};
  if (profileDir !== undefined) {
    mkdirSync(profileDir, { recursive: true });
    const preload = path.join(mkdtempSync(path.join(tmpdir(), 'sanjog-profile-')), 'cpu-profile.mjs');
    writeFileSync(preload, CPU_PROFILE_PRELOAD);
    profiling.NODE_OPTIONS = `--import ${preload}`;
    profiling.CPU_PROFILE_DIR = path.resolve(profileDir);
  }
  if (storage === 'postgres') {
    if (process.env.DATABASE_URL === undefined) throw new Error('--storage postgres needs DATABASE_URL');
    const redisUrl = process.env.REDIS_URL;
    if (instances > 1 && redisUrl === undefined) throw new Error('--instances > 1 needs REDIS_URL');
    // Every instance shares the secret (OTP codes, call join tokens, doctors' signing keys), as in production.
    const env: Record<string, string> = {
      ...profiling,
      SECRET_KEY: randomBytes(32).toString('base64url'),
      ...(redisUrl === undefined ? {} : { REDIS_URL: redisUrl }),
    };
    const first = await startServer(env, { storage: 'postgres' });
    const servers = [first];
    const db = new pg.Client({ connectionString: first.databaseUrl });
    await db.connect();
    const rows = async <T>(text: string, params?: unknown[]) => (await db.query(text, params)).rows as T[];
    try {
      await db.query('begin');
      const network = await seed(rows, seedRate, opdShare);
      await db.query('commit');
      await db.query('analyze');
      for (let i = 1; i < instances; i += 1) servers.push(await startServer(env, { databaseUrl: first.databaseUrl! }));
      const proxy = instances > 1 ? await startProxy(servers.map((s) => s.url)) : undefined;
      return {
        url: proxy?.url ?? first.url,
        servers,
        ...(proxy === undefined ? {} : { proxy }),
        network,
        check: rows,
        backends: async () => {
          const [now] = await rows<{ active: number; waiting: number; query: string | null }>(
            `select count(*) filter (where state = 'active')::int as active,
               count(*) filter (where wait_event_type = 'Lock')::int as waiting,
               (array_agg(left(regexp_replace(query, '\\s+', ' ', 'g'), 90)) filter (where wait_event_type = 'Lock'))[1] as query
             from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()`,
          );
          return now ?? { active: 0, waiting: 0, query: null };
        },
        stop: async () => {
          await proxy?.close();
          await db.end();
          // The first server drops the database: it stops last.
          for (const server of servers.slice(1)) await server.stop();
          await first.stop();
        },
      };
    } catch (error) {
      await db.end();
      for (const server of servers) await server.stop();
      throw error;
    }
  }
  if (instances > 1) throw new Error('PGlite is one process’s database: --instances > 1 needs --storage postgres');
  // PGlite: the first start migrates and loads the demo; the folder is seeded here; then it runs again.
  const dataDir = mkdtempSync(path.join(tmpdir(), 'sanjog-national-day-'));
  const migrating = await startServer({}, { dataDir, storage: 'pglite' });
  await migrating.stop();
  const db = new PGlite(dataDir);
  await db.waitReady;
  let network: Network;
  try {
    network = await db.transaction((tx) =>
      seed(async <T>(text: string, params?: unknown[]) => (await tx.query<T>(text, params)).rows, seedRate, opdShare),
    );
    await db.exec('analyze');
  } finally {
    await db.close();
  }
  const server = await startServer(profiling, { dataDir, storage: 'pglite' });
  let reader: PGlite | undefined;
  return {
    url: server.url,
    servers: [server],
    network,
    check: async <T>(text: string, params?: unknown[]) => {
      if (server.process.exitCode === null) await server.stop();
      if (reader === undefined) {
        reader = new PGlite(dataDir);
        await reader.waitReady;
      }
      return (await reader.query<T>(text, params)).rows;
    },
    stop: async () => {
      await reader?.close();
      if (server.process.exitCode === null) await server.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

// ---- Doctors' desks: work waits for a free doctor of the OPD or hub ---------------------------

class Desk {
  private pending = 0;
  constructor(
    private readonly idle: Staff[],
    private readonly work: (doctor: Staff) => Promise<void>,
  ) {}

  /** One more patient for this desk: the next free doctor sees them. */
  add(): void {
    this.pending += 1;
    this.pump();
  }

  private pump(): void {
    while (this.pending > 0 && this.idle.length > 0) {
      this.pending -= 1;
      const doctor = this.idle.pop()!;
      void this.work(doctor).finally(() => {
        this.idle.push(doctor);
        this.pump();
      });
    }
  }
}

// ---- The flows --------------------------------------------------------------------------------

interface Token {
  id: string;
  status: string;
  consultationId: string | null;
}
interface Medicine {
  code: string;
  listCode: string;
  strengths: string[];
}
interface HubRequest {
  id: string;
  hubId: string | null;
  consultationId: string | null;
  advice: string | null;
  status: string;
}

/** Asks again shortly while the answer is null: a queue may briefly show nobody (a write still in flight). */
async function untilSome<T>(ask: () => Promise<T | null>): Promise<T | null> {
  for (let attempt = 0; attempt < 50; attempt += 1) {
    if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 20));
    const answer = await ask();
    if (answer !== null) return answer;
  }
  return null;
}

function pick<T>(items: readonly T[]): T {
  return items[Math.floor(Math.random() * items.length)]!;
}

function someone() {
  const sex = Math.random() < 0.5 ? ('female' as const) : ('male' as const);
  return { name: `${pick(FIRST_NAMES)} ${pick(LAST_NAMES)}`, sex, age: 1 + Math.floor(Math.random() * 80) };
}

class Day {
  private readonly events = new Events();
  private readonly tokenTakenAt = new Map<string, number>();
  private readonly requestSentAt = new Map<string, number>();
  readonly handedOut = new Set<string>();
  handedOutTwice = 0;
  /** Calls whose offerer never heard that the other had joined, recovered by asking for the offer. */
  signallingRecoveries = 0;
  private readonly opdDesks = new Map<string, Desk>();
  private readonly hubDesks = new Map<string, Desk>();
  private mobiles = 0;
  private readonly mobileBase = 6_000_000_000 + Math.floor(Math.random() * 1_000_000) * 1000;
  private medicine: Promise<Medicine> | undefined;
  totals = { opdStarted: 0, hubStarted: 0, opdCompleted: 0, hubCompleted: 0 };

  constructor(
    private readonly api: Api,
    private readonly network: Network,
  ) {
    const byFacility = (people: Staff[]) => {
      const map = new Map<string, Staff[]>();
      for (const p of people) map.set(p.facilityId, [...(map.get(p.facilityId) ?? []), p]);
      return map;
    };
    for (const [opd, doctors] of byFacility(network.opdDoctors))
      this.opdDesks.set(opd, new Desk(doctors, (doctor) => this.seeOpdPatient(doctor)));
    for (const [hub, doctors] of byFacility(network.hubDoctors))
      this.hubDesks.set(hub, new Desk(doctors, (doctor) => this.answerRequest(doctor)));
  }

  private get figures(): Figures {
    return this.api.figures;
  }

  /** A token or request handed to a doctor: counted if it was handed out before; its wait recorded. */
  private handOut(id: string, queuedAt: Map<string, number>, waits: number[]): void {
    if (this.handedOut.has(id)) this.handedOutTwice += 1;
    this.handedOut.add(id);
    const at = queuedAt.get(id);
    queuedAt.delete(id);
    if (at !== undefined && this.figures.recording) waits.push(performance.now() - at);
  }

  /** Each OPD doctor's console follows their OPD on the live socket (joins, ends). */
  async openConsoles(): Promise<void> {
    for (const doctor of this.network.opdDoctors) {
      const socket = await this.api.open(
        'WS /live (doctor console)',
        `/api/v1/live?opdId=${doctor.facilityId}`,
        doctor.auth,
      );
      socket.on('message', (data: Buffer) => {
        if (!data.includes('"event":"joined"')) return;
        const message = JSON.parse(data.toString()) as { tokenId: string };
        this.events.fire(`${doctor.practitionerId}:${message.tokenId}:joined`);
      });
      doctor.socket = socket;
    }
  }

  closeConsoles(): void {
    for (const doctor of this.network.opdDoctors) doctor.socket?.terminate();
  }

  /** Starts one whole consultation; resolves when it is over (or failed, counted). */
  async consultation(opd: boolean): Promise<void> {
    try {
      if (opd) {
        this.totals.opdStarted += 1;
        await this.opdPatient();
        this.totals.opdCompleted += 1;
        this.figures.completed.opd += 1;
      } else {
        this.totals.hubStarted += 1;
        await this.spokeOfficer();
        this.totals.hubCompleted += 1;
        this.figures.completed.hub += 1;
      }
      this.figures.completedAt.push(performance.now());
    } catch (error) {
      if (!(error instanceof FlowFailed)) this.figures.fail(`${opd ? 'OPD' : 'hub'} flow: ${(error as Error).message}`);
    }
  }

  private formularyMedicine(auth: string): Promise<Medicine> {
    // Every doctor searches as they type; the first answer's List O medicine is prescribed.
    const search = async () => {
      const found = await this.api.call<{ items: Medicine[] }>(
        'GET /formulary/medicines',
        'GET',
        '/api/v1/formulary/medicines?q=paracet&limit=10',
        auth,
      );
      const medicine = found.items.find((m) => m.listCode === 'O') ?? found.items[0];
      if (medicine === undefined) throw new Error('the formulary has no paracetamol');
      return medicine;
    };
    if (this.medicine === undefined) this.medicine = search();
    else void search().catch(() => undefined);
    return this.medicine;
  }

  /** The doctor signs a prescription of the medicine for three days. */
  private sign(consultationId: string, auth: string, medicine: Medicine): Promise<unknown> {
    return this.api.call(
      'POST /consultations/:id/prescriptions',
      'POST',
      `/api/v1/consultations/${consultationId}/prescriptions`,
      auth,
      this.prescription(medicine),
    );
  }

  private prescription(medicine: Medicine) {
    return {
      id: randomUUID(),
      items: [
        {
          medicineCode: medicine.code,
          ...(medicine.strengths[0] === undefined ? {} : { strength: medicine.strengths[0] }),
          dose: { value: 1, unit: 'tablet' },
          frequency: 'thrice_daily',
          timing: 'after_food',
          duration: { value: 3, unit: 'days' },
        },
      ],
      advice: 'Drink plenty of fluids; come back if the fever lasts beyond three days.',
    };
  }

  // ---- OPD ----

  private async opdPatient(): Promise<void> {
    const mobile = String(this.mobileBase + (this.mobiles += 1));
    const challenge = await this.api.call<{ challengeId: string }>(
      'POST /auth/otp',
      'POST',
      '/api/v1/auth/otp',
      undefined,
      {
        mobile,
      },
    );
    const outbox = await this.api.call<{ messages: { body: string }[] }>(
      'GET /dev/sms-outbox',
      'GET',
      `/api/v1/dev/sms-outbox?mobile=${mobile}&limit=1`,
    );
    const code = /\b(\d{6})\b/.exec(outbox.messages[0]?.body ?? '')?.[1];
    if (code === undefined) throw new Error(`no code in the SMS outbox for ${mobile}`);
    const signedIn = await this.api.call<{ token: string }>(
      'POST /auth/otp/verify',
      'POST',
      '/api/v1/auth/otp/verify',
      undefined,
      {
        challengeId: challenge.challengeId,
        code,
        tokenDelivery: 'bearer',
      },
    );
    const auth = `Bearer ${signedIn.token}`;
    const person = someone();
    const profile = await this.api.call<{ id: string }>('POST /me/patients', 'POST', '/api/v1/me/patients', auth, {
      id: randomUUID(),
      self: true,
      name: person.name,
      sex: person.sex,
      ageYears: person.age,
      stateId: STATE_ID,
      districtId: DISTRICT_ID,
    });
    const opdId = pick(this.network.opds);
    const token = await this.api.call<Token>('POST /opd/tokens', 'POST', '/api/v1/opd/tokens', auth, {
      id: randomUUID(),
      opdId,
      patientId: profile.id,
    });
    this.tokenTakenAt.set(token.id, performance.now());
    // The waiting room: a live socket, and the token read once (a call may have come first).
    const live = await this.api.open('WS /live (patient)', '/api/v1/live', auth);
    try {
      live.on('message', (data: Buffer) => {
        if (!data.includes('"type":"token"')) return;
        const message = JSON.parse(data.toString()) as { tokenId: string; event: string };
        if (message.event === 'called' || message.event === 'completed')
          this.events.fire(`${message.tokenId}:${message.event}`);
      });
      const called = this.events.wait(`${token.id}:called`, QUEUE_WAIT_MS);
      called.catch(() => undefined);
      const now = await this.api.call<Token>('GET /opd/tokens/:id', 'GET', `/api/v1/opd/tokens/${token.id}`, auth);
      this.opdDesks.get(opdId)!.add();
      if (now.status !== 'called') await called;
      const joined = await this.api.call<Token>(
        'POST /opd/tokens/:id/join',
        'POST',
        `/api/v1/opd/tokens/${token.id}/join`,
        auth,
        {
          mode: 'video',
        },
      );
      const consultationId = joined.consultationId;
      if (consultationId === null) throw new Error('joined without a consultation');
      const ended = this.events.wait(`${token.id}:completed`, 2 * WAIT_MS);
      ended.catch(() => undefined);
      await this.signal(consultationId, auth);
      await ended;
      const prescriptions = await this.api.call<{ items: { id: string }[] }>(
        'GET /consultations/:id/prescriptions',
        'GET',
        `/api/v1/consultations/${consultationId}/prescriptions`,
        auth,
      );
      if (prescriptions.items.length !== 1) throw new Error(`${String(prescriptions.items.length)} prescriptions`);
      await this.api.call(
        'POST /consultations/:id/rating',
        'POST',
        `/api/v1/consultations/${consultationId}/rating`,
        auth,
        {
          rating: 1 + Math.floor(Math.random() * 5),
        },
      );
    } finally {
      live.close();
    }
  }

  private async seeOpdPatient(doctor: Staff): Promise<void> {
    let token: Token | null = null;
    try {
      token = await untilSome(
        async () =>
          (
            await this.api.call<{ token: Token | null }>(
              'POST /opd/:opdId/call-next',
              'POST',
              `/api/v1/opd/${doctor.facilityId}/call-next`,
              doctor.auth,
              {},
            )
          ).token,
      );
      if (token === null) throw new Error('call-next found nobody waiting');
      this.handOut(token.id, this.tokenTakenAt, this.figures.queueToCall.opd);
      await this.events.wait(`${doctor.practitionerId}:${token.id}:joined`);
      const current = await this.api.call<Token>(
        'GET /opd/tokens/:id',
        'GET',
        `/api/v1/opd/tokens/${token.id}`,
        doctor.auth,
      );
      const consultationId = current.consultationId;
      if (consultationId === null) throw new Error('a joined token without a consultation');
      const [, medicine] = await Promise.all([
        this.signal(consultationId, doctor.auth),
        this.formularyMedicine(doctor.auth),
      ]);
      await this.api.call(
        'POST /consultations/:id/complete',
        'POST',
        `/api/v1/consultations/${consultationId}/complete`,
        doctor.auth,
        {
          chiefComplaints: [{ code: 'fever', duration: { value: 2, unit: 'days' }, severity: 'moderate' }],
          vitals: { temperature: { value: 38.4, unit: 'Cel' }, pulse: 96 },
          diagnoses: [{ code: 'R50.9' }],
          advice: 'Rest and fluids.',
        },
      );
      await this.sign(consultationId, doctor.auth, medicine);
      await this.api.call(
        'POST /opd/tokens/:id/finish',
        'POST',
        `/api/v1/opd/tokens/${token.id}/finish`,
        doctor.auth,
        {},
      );
    } catch (error) {
      if (!(error instanceof FlowFailed)) this.figures.fail(`OPD doctor: ${(error as Error).message}`);
      // The patient need not wait for an end that will not come.
      if (token !== null) this.events.fail(`${token.id}:completed`, 'the doctor could not finish');
    }
  }

  /**
   * A call's signalling as the web app does it: credentials, the signalling socket, and between
   * the two participants the one whose id sorts first offers; each sends two candidates.
   */
  private async signal(consultationId: string, auth: string): Promise<void> {
    const credentials = await this.api.call<{ token: string; participantId: string }>(
      'POST /consultations/:id/call',
      'POST',
      `/api/v1/consultations/${consultationId}/call`,
      auth,
      {},
    );
    const session = randomBytes(9).toString('base64url');
    const socket = await this.api.open(
      'WS /calls/signal',
      `/api/v1/calls/signal?token=${encodeURIComponent(credentials.token)}&session=${session}`,
      auth,
    );
    const self = credentials.participantId;
    try {
      await new Promise<void>((resolve, reject) => {
        let peer: string | undefined;
        let described = false;
        let candidates = 0;
        let offeredAt = 0;
        const send = (data: unknown) => socket.send(JSON.stringify({ type: 'signal', to: peer, data }));
        const sendCandidates = () => {
          for (let i = 0; i < 2; i += 1)
            send({
              candidate: {
                candidate: `candidate:${String(i)} 1 udp 2122260223 10.0.0.${String(i)} 5000${String(i)} typ host`,
                sdpMid: '0',
              },
            });
        };
        const meet = (id: string) => {
          if (peer !== undefined || id === self) return;
          peer = id;
          if (self < peer) {
            offeredAt = performance.now();
            send({ description: { type: 'offer', sdp: FAKE_SDP } });
            sendCandidates();
          }
        };
        const timer = setTimeout(() => reject(new Error('signalling did not finish within 30 s')), WAIT_MS);
        socket.on('close', (code: number) => {
          clearTimeout(timer);
          reject(new Error(`signalling socket closed (${String(code)})`));
        });
        socket.on('message', (raw: Buffer) => {
          const message = JSON.parse(raw.toString()) as {
            type: string;
            peers?: { id: string }[];
            peer?: { id: string };
            from?: string;
            data?: { description?: { type: string }; candidate?: unknown; restart?: boolean };
          };
          if (message.type === 'welcome' && message.peers?.[0] !== undefined) {
            meet(message.peers[0].id);
            // Not the offerer: ask for the offer, in case the offerer never heard that we came
            // (see the report: a join racing another can miss the peer-joined news).
            if (peer !== undefined && self > peer) send({ restart: true });
          } else if (message.type === 'peer-joined' && message.peer !== undefined) meet(message.peer.id);
          else if (message.type === 'signal' && message.from !== undefined) {
            const description = message.data?.description;
            if (message.data?.restart === true && peer === undefined) {
              this.signallingRecoveries += 1;
              meet(message.from);
            } else if (message.data?.restart === true && message.from === peer && self < peer) {
              // Asked again, as the web app's engine answers it: our first offer went to a peer
              // admitted but not yet listening (the server drops what reaches it then).
              this.signallingRecoveries += 1;
              offeredAt = performance.now();
              send({ description: { type: 'offer', sdp: FAKE_SDP } });
              sendCandidates();
            }
            // An offer may come before the news of its sender.
            if (peer === undefined) peer = message.from;
            if (description?.type === 'offer') {
              described = true;
              send({ description: { type: 'answer', sdp: FAKE_SDP } });
              sendCandidates();
            } else if (description?.type === 'answer') {
              described = true;
              this.figures.add('signal offer → answer', performance.now() - offeredAt);
            } else if (message.data?.candidate !== undefined) candidates += 1;
          }
          if (described && candidates >= 2) {
            clearTimeout(timer);
            resolve();
          }
        });
      });
    } catch (error) {
      this.figures.fail(`signalling: ${(error as Error).message}`);
      throw new FlowFailed('signalling');
    } finally {
      socket.removeAllListeners('close');
      socket.close();
    }
  }

  // ---- Hub and spoke ----

  private async spokeOfficer(): Promise<void> {
    const officer = pick(this.network.officers);
    const person = someone();
    const mobile = String(this.mobileBase + 500_000 + (this.mobiles += 1));
    await this.api.call(
      'GET /spoke/patients/find',
      'GET',
      `/api/v1/spoke/patients/find?mobile=${mobile}`,
      officer.auth,
    );
    const patient = await this.api.call<{ id: string }>(
      'POST /spoke/patients',
      'POST',
      '/api/v1/spoke/patients',
      officer.auth,
      {
        id: randomUUID(),
        name: person.name,
        sex: person.sex,
        age: person.age,
        mobile,
        village: pick(VILLAGES),
      },
    );
    await this.api.call(
      'POST /spoke/patients/:id/consent',
      'POST',
      `/api/v1/spoke/patients/${patient.id}/consent`,
      officer.auth,
      {
        id: randomUUID(),
        method: 'verbal',
        givenBy: 'patient',
      },
    );
    const draft = await this.api.call<HubRequest>(
      'POST /spoke/requests',
      'POST',
      '/api/v1/spoke/requests',
      officer.auth,
      {
        id: randomUUID(),
        patientId: patient.id,
        mode: 'async',
        complaints: [
          { code: 'fever', duration: { value: 3, unit: 'days' }, severity: 'moderate' },
          { code: 'cough', duration: { value: 2, unit: 'days' } },
        ],
        vitals: {
          bloodPressure: {
            systolic: 118 + Math.floor(Math.random() * 20),
            diastolic: 76 + Math.floor(Math.random() * 10),
          },
          pulse: 80 + Math.floor(Math.random() * 20),
          temperature: { value: 38.2, unit: 'Cel' },
          spo2: 97,
          weight: { value: 58, unit: 'kg' },
        },
        ...(person.sex === 'female' && person.age >= 12 && person.age <= 50 ? { pregnancy: 'not_pregnant' } : {}),
      },
    );
    const roll = Math.random();
    const urgency =
      roll < URGENCY_MIX[0][1] ? 'emergency' : roll < URGENCY_MIX[0][1] + URGENCY_MIX[1][1] ? 'urgent' : 'routine';
    const answered = this.events.wait(`${draft.id}:answered`, QUEUE_WAIT_MS);
    answered.catch(() => undefined);
    const sent = await this.api.call<HubRequest>(
      'POST /spoke/requests/:id/send',
      'POST',
      `/api/v1/spoke/requests/${draft.id}/send`,
      officer.auth,
      {
        specialityCode: 'general_medicine',
        urgency,
      },
    );
    this.requestSentAt.set(sent.id, performance.now());
    const desk = sent.hubId === null ? undefined : this.hubDesks.get(sent.hubId);
    if (desk === undefined) throw new Error(`request routed to ${String(sent.hubId)}, a hub without bench doctors`);
    desk.add();
    await answered;
    const read = await this.api.call<HubRequest>(
      'GET /hubspoke/requests/:id',
      'GET',
      `/api/v1/hubspoke/requests/${sent.id}`,
      officer.auth,
    );
    if (read.status !== 'answered' || read.advice === null) throw new Error(`request ${sent.id} is ${read.status}`);
  }

  private async answerRequest(doctor: Staff): Promise<void> {
    let taken: HubRequest | null = null;
    try {
      taken = await untilSome(
        async () =>
          (
            await this.api.call<{ request: HubRequest | null }>(
              'POST /hub/take-next',
              'POST',
              '/api/v1/hub/take-next',
              doctor.auth,
              {},
            )
          ).request,
      );
      if (taken === null) throw new Error('take-next found nothing waiting');
      this.handOut(taken.id, this.requestSentAt, this.figures.queueToCall.hub);
      const consultationId = taken.consultationId;
      if (consultationId === null) throw new Error('a taken request without a consultation');
      const medicine = await this.formularyMedicine(doctor.auth);
      await this.api.call(
        'POST /hub/requests/:id/answer',
        'POST',
        `/api/v1/hub/requests/${taken.id}/answer`,
        doctor.auth,
        {
          advice: 'Paracetamol for the fever, fluids and rest; send again if it lasts beyond three days.',
          record: {
            examination: 'Febrile, chest clear on the officer’s report.',
            diagnoses: [{ code: 'R50.9' }],
            followUp: { afterDays: 3, with: 'same_facility' },
          },
        },
      );
      await this.sign(consultationId, doctor.auth, medicine);
      this.events.fire(`${taken.id}:answered`);
    } catch (error) {
      if (!(error instanceof FlowFailed)) this.figures.fail(`hub doctor: ${(error as Error).message}`);
      if (taken !== null) this.events.fail(`${taken.id}:answered`, 'the hub doctor could not answer');
    }
  }
}

// ---- Driving a rate -----------------------------------------------------------------------------

interface Step {
  rate: number;
  /** When arrivals started and stopped (performance.now()). */
  window: [number, number];
  curve: 'day' | 'flat';
  offered: number;
  seconds: number;
  figures: Figures;
  serverCpuCores: number;
  postgresCpuCores: number;
  machineBusyCores: number;
  loadgenCpuCores: number;
  drainSeconds: number;
  /** PostgreSQL backends busy and waiting for a lock, on average over the run; the query most often waiting. */
  backends?: { active: number; waiting: number; query: string };
}

function arrivalShare(curve: 'day' | 'flat', fraction: number): number {
  if (curve === 'flat') return 1;
  const at = fraction * (DAY_CURVE.length - 1);
  const low = Math.floor(at);
  const high = Math.min(DAY_CURVE.length - 1, low + 1);
  return DAY_CURVE[low]! + (DAY_CURVE[high]! - DAY_CURVE[low]!) * (at - low);
}

async function drive(
  day: Day,
  api: Api,
  deployment: Deployment,
  rate: number,
  seconds: number,
  curve: 'day' | 'flat',
  opdShare: number,
): Promise<Step> {
  const figures = new Figures();
  api.figures = figures;
  const pids = deployment.servers.map((s) => s.process.pid!);
  // The first use of each route compiles parts of its response serializer (fast-json-stringify's
  // validators for unions): the first seconds are left out of the latencies.
  const warmup = Math.min(5, seconds / 10);
  const started = performance.now();
  const ends = started + seconds * 1000;
  const flows = new Set<Promise<void>>();
  let due = 0;
  let issued = 0;
  let last = started;
  const take = () => ({
    loadgen: process.cpuUsage(),
    server: pids.reduce((sum, pid) => sum + processCpuSeconds(pid), 0),
    postgres: deployment.servers[0]!.storage === 'postgres' ? postgresProcesses() : new Map(),
    machine: machineCpuSeconds(),
    at: performance.now(),
  });
  let sample: ReturnType<typeof take> | null = null;
  let measureStart = started;
  // Every 100 ms: how many PostgreSQL backends are busy, and how many wait for a lock (on what).
  const watched = { samples: 0, active: 0, waiting: 0, queries: new Map<string, number>() };
  const watching = { on: true };
  const watcher = (async () => {
    while (watching.on && deployment.backends !== undefined) {
      const now = await deployment.backends();
      if (figures.recording) {
        watched.samples += 1;
        watched.active += now.active;
        watched.waiting += now.waiting;
        if (now.query !== null) watched.queries.set(now.query, (watched.queries.get(now.query) ?? 0) + 1);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  })();
  for (;;) {
    const now = performance.now();
    if (now >= ends) break;
    if (sample === null && now - started >= warmup * 1000) {
      figures.recording = true;
      sample = take();
      measureStart = now;
    }
    due += (rate * arrivalShare(curve, (now - started) / (ends - started)) * (now - last)) / 1000;
    last = now;
    for (; issued < Math.floor(due); issued += 1) {
      const flow: Promise<void> = day.consultation(Math.random() < opdShare).finally(() => flows.delete(flow));
      flows.add(flow);
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  const end = take();
  const start = sample ?? end;
  watching.on = false;
  await watcher;
  const mostWaiting = [...watched.queries].sort((a, b) => b[1] - a[1])[0]?.[0] ?? '-';
  const measured = (end.at - measureStart) / 1000;
  const drainStarted = performance.now();
  // The consultations still running are waited for, their latencies recorded as the others'.
  await Promise.all(flows);
  figures.recording = false;
  return {
    rate,
    window: [started, ends],
    curve,
    offered: issued,
    seconds,
    figures,
    serverCpuCores: (end.server - start.server) / measured,
    postgresCpuCores: postgresBetween(start.postgres, end.postgres).cpu / measured,
    machineBusyCores: (end.machine.busy - start.machine.busy) / measured,
    loadgenCpuCores:
      (end.loadgen.user + end.loadgen.system - start.loadgen.user - start.loadgen.system) / 1e6 / measured,
    drainSeconds: (performance.now() - drainStarted) / 1000,
    ...(watched.samples === 0
      ? {}
      : {
          backends: {
            active: watched.active / watched.samples,
            waiting: watched.waiting / watched.samples,
            query: mostWaiting,
          },
        }),
  };
}

function summary(step: Step) {
  const operations = [...step.figures.latencies.entries()].map(([name, values]) => ({
    name,
    count: values.length,
    p50: percentile(values, 0.5),
    p95: percentile(values, 0.95),
    p99: percentile(values, 0.99),
  }));
  // The development SMS outbox stands in for the patient's phone: not an operation of the platform.
  const worst = operations
    .filter((o) => !o.name.startsWith('GET /dev/'))
    .reduce((a, b) => (b.p99 > a.p99 ? b : a), {
      name: 'none',
      count: 0,
      p50: 0,
      p95: 0,
      p99: 0,
    });
  // Whole consultations finished per second, from the first arrival to the last finish (arrivals
  // and the drain after them); and the busiest 5 s.
  const [startedAt] = step.window;
  const completed = step.figures.completedAt.length;
  const lastAt = step.figures.completedAt.reduce((a, b) => Math.max(a, b), step.window[1]);
  // The most finishes within any 5 s (a window sliding over the sorted finishing times).
  const finishes = [...step.figures.completedAt].sort((x, y) => x - y);
  let busiest = 0;
  for (let first = 0, last = 0; last < finishes.length; last += 1) {
    while (finishes[last]! - finishes[first]! > 5000) first += 1;
    busiest = Math.max(busiest, last - first + 1);
  }
  return {
    operations,
    worst,
    consultationsPerSecond: completed / ((lastAt - startedAt) / 1000),
    peakConsultationsPerSecond: busiest / 5,
  };
}

function printOperations(step: Step): void {
  const { operations } = summary(step);
  const width = Math.max(...operations.map((o) => o.name.length), 9);
  console.log(
    `\n  ${'operation'.padEnd(width)}  ${'count'.padStart(7)}  ${'p50 ms'.padStart(8)}  ${'p95 ms'.padStart(8)}  ${'p99 ms'.padStart(8)}`,
  );
  for (const o of operations.sort((a, b) => b.p99 - a.p99))
    console.log(
      `  ${o.name.padEnd(width)}  ${String(o.count).padStart(7)}  ${round(o.p50, 1).toFixed(1).padStart(8)}  ${round(o.p95, 1).toFixed(1).padStart(8)}  ${round(o.p99, 1).toFixed(1).padStart(8)}`,
    );
  const q = step.figures.queueToCall;
  console.log(
    `  queue to call: OPD p50 ${round(percentile(q.opd, 0.5), 0).toString()} ms, p99 ${round(percentile(q.opd, 0.99), 0).toString()} ms; hub p50 ${round(percentile(q.hub, 0.5), 0).toString()} ms, p99 ${round(percentile(q.hub, 0.99), 0).toString()} ms`,
  );
  if (step.figures.errors.length > 0) {
    console.log(`  errors: ${String(step.figures.errorCount)}; the first:`);
    for (const e of step.figures.errors) console.log(`    ${e}`);
  }
}

export async function run(options: { duration: number }): Promise<void> {
  const storageOption = option('storage') ?? (process.env.DATABASE_URL ? 'postgres' : 'pglite');
  if (storageOption !== 'pglite' && storageOption !== 'postgres')
    throw new Error('--storage must be pglite or postgres');
  const storage: Storage = storageOption;
  const instances = numberOption('instances', 1);
  const findMax = process.argv.includes('--find-max');
  const curveOption = option('curve') ?? (findMax ? 'flat' : 'day');
  if (curveOption !== 'day' && curveOption !== 'flat') throw new Error('--curve must be day or flat');
  const curve: 'day' | 'flat' = curveOption;
  const rate = numberOption('rate', storage === 'pglite' ? 20 : 100);
  const opdShare = numberOption('opd-share', 0.15);
  const stepFactor = numberOption('step', 1.25);
  const p99Limit = numberOption('p99-limit', 100);
  const maxRate = numberOption('max-rate', findMax ? rate * 4 : rate);
  const duration = options.duration;

  console.log(
    `national-day on ${storage}, ${String(instances)} instance(s): ${findMax ? `finding the highest rate from ${String(rate)}/s` : `peak ${String(rate)} consultations/s`}, ${curve} curve, ${String(duration)} s`,
  );
  const seedStarted = performance.now();
  const deployment = await deploy(storage, instances, maxRate, opdShare, option('cpu-prof'));
  const { network } = deployment;
  console.log(
    `  ${String(network.opds.length)} OPDs with ${String(network.opdDoctors.length)} doctors, ${String(new Set(network.hubDoctors.map((d) => d.facilityId)).size)} hubs with ${String(network.hubDoctors.length)} doctors, ${String(network.spokes.length)} spokes with ${String(network.officers.length)} officers; ready in ${round((performance.now() - seedStarted) / 1000, 1).toString()} s`,
  );
  const api = new Api(deployment.url);
  const day = new Day(api, network);
  const steps: Step[] = [];
  try {
    const runStarted = new Date();
    await day.openConsoles();
    if (!findMax) steps.push(await drive(day, api, deployment, rate, duration, curve, opdShare));
    else {
      for (let current = rate; current <= maxRate; current = Math.round(current * stepFactor)) {
        const step = await drive(day, api, deployment, current, duration, curve, opdShare);
        steps.push(step);
        const { worst, consultationsPerSecond } = summary(step);
        console.log(
          `  step ${String(current)}/s: ${round(consultationsPerSecond, 1).toString()} completed/s, worst p99 ${round(worst.p99, 1).toString()} ms (${worst.name}), ${String(step.figures.errorCount)} errors`,
        );
        if (worst.p99 > p99Limit || step.figures.errorCount > 0) break;
        if (Math.round(current * stepFactor) === current) break;
      }
    }
    day.closeConsoles();
    // Let the servers record the last leaves and ends before the totals are counted.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const memory = deployment.servers.map((s) => processMemoryMiB(s.process.pid!));

    // ---- The totals, from the database ----
    const [totals] = await deployment.check<Record<string, string | number>>(
      `select
         (select count(*)::int from opd_tokens where opd_id = any($1::uuid[])) as tokens,
         (select count(*)::int from opd_tokens where opd_id = any($1::uuid[]) and status = 'completed') as "tokensCompleted",
         (select count(*)::int from (select token_id from consultations where token_id is not null
            group by token_id having count(*) > 1) t) as "tokensWithTwoConsultations",
         (select count(*)::int from consultations where facility_id = any($1::uuid[]) and status = 'completed'
            and rating is not null) as "opdRated",
         (select count(*)::int from teleconsult_requests where status = 'answered') as "requestsAnswered",
         (select count(*)::int from teleconsult_requests where status in ('waiting', 'taken')) as "requestsOpen",
         (select count(*)::int from consultations where kind = 'hub_spoke' and status = 'completed') as "hubConsultationsCompleted",
         (select count(*)::int from (select consultation_id from prescriptions group by consultation_id
            having count(*) > 1) t) as "consultationsWithTwoPrescriptions",
         (select count(*)::int from prescriptions) as prescriptions,
         (select count(*)::int from audit_log where at >= $2) as "auditEntries"`,
      [network.opds, runStarted],
    );
    const t = day.totals;
    const db = totals!;
    const totalsRight =
      db.tokensWithTwoConsultations === 0 &&
      db.consultationsWithTwoPrescriptions === 0 &&
      day.handedOutTwice === 0 &&
      db.tokensCompleted === t.opdCompleted &&
      db.opdRated === t.opdCompleted &&
      db.requestsAnswered === t.hubCompleted &&
      db.hubConsultationsCompleted === t.hubCompleted &&
      db.prescriptions === t.opdCompleted + t.hubCompleted;

    const passing = findMax
      ? steps.filter((s) => summary(s).worst.p99 <= p99Limit && s.figures.errorCount === 0)
      : steps;
    const chosen = passing.at(-1) ?? steps.at(-1)!;
    for (const step of steps) {
      console.log(`\nstep: ${String(step.rate)}/s peak, ${step.curve} curve`);
      printOperations(step);
    }
    const s = summary(chosen);
    const q = chosen.figures.queueToCall;
    const errors = steps.reduce((sum, step) => sum + step.figures.errorCount, 0);
    const proxy = deployment.proxy;
    report(
      `national-day (${storage}, ${String(instances)} instance(s), ${findMax ? `highest rate with every p99 ≤ ${String(p99Limit)} ms` : `peak ${String(rate)}/s`}, ${chosen.curve} curve, ${String(duration)} s per run)`,
      {
        storage,
        instances,
        curve: chosen.curve,
        peakRate: chosen.rate,
        ...(findMax
          ? { findMax: passing.length > 0 ? chosen.rate : 0, steps: steps.map((x) => x.rate).join(' ') }
          : {}),
        offered: chosen.offered,
        completed: chosen.figures.completed.opd + chosen.figures.completed.hub,
        completedOpd: chosen.figures.completed.opd,
        completedHubSpoke: chosen.figures.completed.hub,
        consultationsPerSecond: round(s.consultationsPerSecond, 1),
        peakConsultationsPerSecond: round(s.peakConsultationsPerSecond, 1),
        worstP99Ms: round(s.worst.p99, 1),
        worstOperation: s.worst.name,
        // The reported step's errors; with --find-max, every step's too (the last may have failed on them).
        errors: chosen.figures.errorCount,
        ...(findMax ? { errorsAllSteps: errors } : {}),
        firstErrors:
          steps
            .flatMap((x) => x.figures.errors)
            .slice(0, 3)
            .join(' | ') || '-',
        queueToCallOpdP50Ms: round(percentile(q.opd, 0.5), 0),
        queueToCallOpdP99Ms: round(percentile(q.opd, 0.99), 0),
        queueToCallHubP50Ms: round(percentile(q.hub, 0.5), 0),
        queueToCallHubP99Ms: round(percentile(q.hub, 0.99), 0),
        drainSeconds: round(chosen.drainSeconds, 1),
        serverCpuCores: round(chosen.serverCpuCores, 2),
        postgresCpuCores: round(chosen.postgresCpuCores, 2),
        machineBusyCores: round(chosen.machineBusyCores, 2),
        loadgenCpuCores: round(chosen.loadgenCpuCores, 2),
        ...(chosen.backends === undefined
          ? {}
          : {
              postgresBackendsActive: round(chosen.backends.active, 1),
              postgresBackendsWaitingForLock: round(chosen.backends.waiting, 1),
              postgresMostWaitingQuery: chosen.backends.query,
            }),
        auditEntriesPerConsultation: round(Number(db.auditEntries) / Math.max(1, t.opdCompleted + t.hubCompleted), 1),
        serverRssMiB: memory.map((m) => round(m.rss, 0)).join(' '),
        serverPeakRssMiB: memory.map((m) => round(m.peak, 0)).join(' '),
        ...(proxy === undefined ? {} : { proxiedPerInstance: proxy.counts.join(' ') }),
        allStartedOpd: t.opdStarted,
        allStartedHubSpoke: t.hubStarted,
        allCompletedOpd: t.opdCompleted,
        allCompletedHubSpoke: t.hubCompleted,
        handedOutTwice: day.handedOutTwice,
        signallingRecoveries: day.signallingRecoveries,
        ...db,
        totalsRight: String(totalsRight),
        machineLoad: (await import('node:os'))
          .loadavg()
          .map((l) => round(l, 2))
          .join(' '),
      },
    );
  } finally {
    day.closeConsoles();
    api.close();
    await deployment.stop();
  }
}
