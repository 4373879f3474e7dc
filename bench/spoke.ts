import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { buildApp } from '../apps/server/src/app.js';
import type { Actor } from '../apps/server/src/platform/auth.js';
import { InProcessBus } from '../apps/server/src/platform/bus.js';
import type { Clock } from '../apps/server/src/platform/clock.js';
import { loadConfig } from '../apps/server/src/platform/config.js';
import type { Database } from '../apps/server/src/platform/db/database.js';
import { migrate } from '../apps/server/src/platform/db/migrate.js';
import { openPglite } from '../apps/server/src/platform/db/pglite.js';
import { openPostgres } from '../apps/server/src/platform/db/postgres.js';
import { GeographyRepository } from '../apps/server/src/modules/geography/index.js';
import { HubSpokeRepository } from '../apps/server/src/modules/hubspoke/index.js';
import { TerminologyRepository } from '../apps/server/src/modules/terminology/index.js';
import { loadClinicalTerms, loadIndiaGeography, loadSpecialities } from '../apps/server/src/seed/reference.js';
import { percentile, report, round } from './lib.js';

/**
 * `spoke`: hub-and-spoke routing through one simulated day at the national record.
 *
 * Full scale: 1,30,000 spokes, 16,500 hubs (one doctor each, rostered round the clock), each spoke
 * mapped to two hubs of its state, and 5,15,530 complete requests (eSanjeevani's record day)
 * arriving with the day's peaks (late morning and afternoon, India time). The network and the
 * draft requests are written in bulk SQL; then the day runs minute by minute on a simulated clock
 * (a day in minutes of wall time): each minute's arrivals are sent through the real service
 * (`HubSpokeService.send`: completeness check, the mapped hubs, who is available now, the
 * routing update, the audit entry) several at once; each hub's free doctor takes the next
 * request with the hand-out's own `for update skip locked` statement and answers it after
 * `--consult` minutes; the sweeper overflows and raises SLA alerts every minute. At 14:00 a
 * third of the doctors go off shift.
 *
 * Reports requests sent, requests routed per second (wall time of the sending), the p50/p99
 * routing latency (one `send`, wall time), the share of requests answered within their service
 * level, the backlog by hour and after the doctors left, and the hand-out latency.
 *
 * Options: `--scale 0.05` (default; `--scale 1` for the full network and day), `--concurrency N`
 * (sends in flight, default 8), `--consult MINUTES` (a doctor's time per request, default 12).
 * PostgreSQL when DATABASE_URL is set (a new database, dropped afterwards), else PGlite.
 */

const FULL = { spokes: 130_000, hubs: 16_500, requests: 515_530 };
/** Share of the day's requests arriving in each hour, India time (primary-care hours, two peaks). */
const HOURLY = [1, 1, 0, 0, 0, 1, 2, 5, 12, 22, 30, 32, 28, 20, 22, 24, 18, 12, 7, 5, 3, 2, 1, 1];
const URGENCY_MIX = [
  ['emergency', 0.05],
  ['urgent', 0.2],
  ['routine', 0.75],
] as const;
const DAY_START = new Date('2026-11-23T00:00:00+05:30');
const OFF_SHIFT_MINUTE = 14 * 60;

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

class SimulatedClock implements Clock {
  private current = DAY_START.getTime();
  now(): Date {
    return new Date(this.current);
  }
  set(at: Date): void {
    this.current = at.getTime();
  }
}

/** Inserts rows column-wise with unnest, in batches. */
async function bulk(db: Database, sql: string, columns: unknown[][], batch = 20_000): Promise<void> {
  const length = columns[0]?.length ?? 0;
  for (let start = 0; start < length; start += batch) {
    await db.query(
      sql,
      columns.map((column) => column.slice(start, start + batch)),
    );
  }
}

async function openDatabase(): Promise<{ db: Database; storage: string; drop: () => Promise<void> }> {
  const adminUrl = process.env.DATABASE_URL;
  if (adminUrl === undefined) {
    const db = await openPglite(undefined);
    return { db, storage: 'pglite', drop: () => db.close() };
  }
  const name = `sanjog_spoke_${String(process.pid)}_${String(Date.now())}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const db = await openPostgres({ connectionString: url.toString(), maxConnections: 20 });
  return {
    db,
    storage: 'postgres',
    drop: async () => {
      await db.close();
      const cleanup = new pg.Client({ connectionString: adminUrl });
      await cleanup.connect();
      await cleanup.query(`drop database if exists ${name} with (force)`);
      await cleanup.end();
    },
  };
}

interface Plan {
  spokes: { id: string; stateId: string; districtId: string }[];
  hubs: { id: string; stateId: string; districtId: string; doctorId: string }[];
  requests: { id: string; spokeId: string; stateId: string; urgency: string; minute: number }[];
}

/** The network and the day's requests, spread over every district of the country. */
async function plan(db: Database, scale: number): Promise<Plan> {
  const districts = await db.query<{ id: string; stateId: string }>(
    'select id, state_id as "stateId" from districts order by id',
  );
  const hubCount = Math.max(2, Math.round(FULL.hubs * scale));
  const spokeCount = Math.max(1, Math.round(FULL.spokes * scale));
  const requestCount = Math.max(1, Math.round(FULL.requests * scale));
  const place = (i: number) => {
    const d = districts[i % districts.length];
    if (d === undefined) throw new Error('no districts');
    return { stateId: d.stateId, districtId: d.id };
  };
  const hubs = Array.from({ length: hubCount }, (_, i) => ({ id: randomUUID(), doctorId: randomUUID(), ...place(i) }));
  const spokes = Array.from({ length: spokeCount }, (_, i) => ({ id: randomUUID(), ...place(i) }));
  // Minutes of arrival: the hourly shares spread evenly within each hour.
  const total = HOURLY.reduce((a, b) => a + b, 0);
  const minutes: number[] = [];
  for (const [hour, share] of HOURLY.entries()) {
    const count = Math.round((requestCount * share) / total);
    for (let k = 0; k < count; k += 1) minutes.push(hour * 60 + Math.floor((k * 60) / Math.max(1, count)));
  }
  while (minutes.length < requestCount) minutes.push(11 * 60 + (minutes.length % 60));
  minutes.length = requestCount;
  minutes.sort((a, b) => a - b);
  let seed = 7;
  const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648;
  const requests = minutes.map((minute, i) => {
    const spoke = spokes[Math.floor(random() * spokes.length)] ?? spokes[i % spokes.length];
    if (spoke === undefined) throw new Error('no spoke');
    const r = random();
    const urgency =
      r < URGENCY_MIX[0][1] ? 'emergency' : r < URGENCY_MIX[0][1] + URGENCY_MIX[1][1] ? 'urgent' : 'routine';
    return { id: randomUUID(), spokeId: spoke.id, stateId: spoke.stateId, urgency, minute };
  });
  return { spokes, hubs, requests };
}

async function seed(db: Database, network: Plan, userId: string): Promise<void> {
  await db.query(
    `insert into users (id, kind, username, display_name) values ($1, 'staff', 'bench.cho', 'Bench officer')`,
    [userId],
  );
  const facilities = [
    ...network.hubs.map((h, i) => ({ ...h, kind: 'hub', name: `Hub ${String(i)}` })),
    ...network.spokes.map((s, i) => ({ ...s, kind: 'spoke', name: `Spoke ${String(i)}` })),
  ];
  await bulk(
    db,
    `insert into facilities (id, state_id, district_id, name, kind)
     select * from unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[])`,
    [
      facilities.map((f) => f.id),
      facilities.map((f) => f.stateId),
      facilities.map((f) => f.districtId),
      facilities.map((f) => f.name),
      facilities.map((f) => f.kind),
    ],
  );
  // Each spoke maps to two hubs of its own state for general medicine.
  const hubsByState = new Map<string, string[]>();
  for (const hub of network.hubs) hubsByState.set(hub.stateId, [...(hubsByState.get(hub.stateId) ?? []), hub.id]);
  const mappings: { spokeId: string; stateId: string; hubId: string; rank: number }[] = [];
  for (const [index, spoke] of network.spokes.entries()) {
    const hubs = hubsByState.get(spoke.stateId) ?? network.hubs.map((h) => h.id);
    const first = hubs[index % hubs.length];
    const second = hubs[(index + 1) % hubs.length];
    if (first !== undefined) mappings.push({ spokeId: spoke.id, stateId: spoke.stateId, hubId: first, rank: 1 });
    if (second !== undefined && second !== first)
      mappings.push({ spokeId: spoke.id, stateId: spoke.stateId, hubId: second, rank: 2 });
  }
  await bulk(
    db,
    `insert into spoke_hub_mappings (id, state_id, spoke_id, speciality_code, hub_id, rank)
     select gen_random_uuid(), s, sp, 'general_medicine', h, r from unnest($1::text[], $2::uuid[], $3::uuid[], $4::int[]) as t(s, sp, h, r)`,
    [
      mappings.map((m) => m.stateId),
      mappings.map((m) => m.spokeId),
      mappings.map((m) => m.hubId),
      mappings.map((m) => m.rank),
    ],
  );
  // One doctor per hub, rostered round the clock (two shifts a day that join).
  await bulk(
    db,
    `insert into practitioners (id, state_id, name, gender) select id, s, 'Dr Bench', 'unknown' from unnest($1::uuid[], $2::text[]) as t(id, s)`,
    [network.hubs.map((h) => h.doctorId), network.hubs.map((h) => h.stateId)],
  );
  await bulk(
    db,
    `insert into practitioner_roles (id, practitioner_id, facility_id, state_id, role)
     select gen_random_uuid(), p, f, s, 'hub_doctor' from unnest($1::uuid[], $2::uuid[], $3::text[]) as t(p, f, s)`,
    [network.hubs.map((h) => h.doctorId), network.hubs.map((h) => h.id), network.hubs.map((h) => h.stateId)],
  );
  await bulk(
    db,
    `insert into shifts (id, practitioner_id, facility_id, state_id, weekday, starts_at, ends_at)
     select gen_random_uuid(), p, f, s, w, t.starts, t.ends
     from unnest($1::uuid[], $2::uuid[], $3::text[]) as d(p, f, s)
     cross join generate_series(0, 6) as w
     cross join (values (time '00:00', time '12:00'), (time '12:00', time '00:00')) as t(starts, ends)`,
    [network.hubs.map((h) => h.doctorId), network.hubs.map((h) => h.id), network.hubs.map((h) => h.stateId)],
    5_000,
  );
  // The day's patients, their consent, and their complete draft requests.
  const requests = network.requests;
  await bulk(
    db,
    `insert into patients (id, state_id, name, sex, birth_year, created_by)
     select id, s, 'Bench patient', case when random() < 0.5 then 'female' else 'male' end, 1960, u
     from unnest($1::uuid[], $2::text[], $3::uuid[]) as t(id, s, u)`,
    [requests.map((r) => r.id), requests.map((r) => r.stateId), requests.map(() => userId)],
  );
  await bulk(
    db,
    `insert into teleconsultation_consents (id, patient_id, state_id, spoke_id, method, given_by, recorded_by, recorded_at)
     select id, id, s, sp, 'verbal', 'patient', u, now() from unnest($1::uuid[], $2::text[], $3::uuid[], $4::uuid[]) as t(id, s, sp, u)`,
    [
      requests.map((r) => r.id),
      requests.map((r) => r.stateId),
      requests.map((r) => r.spokeId),
      requests.map(() => userId),
    ],
  );
  const vitals = JSON.stringify({
    bloodPressure: { systolic: 130, diastolic: 84 },
    pulse: 88,
    temperature: { value: 38.1, unit: 'Cel' },
    spo2: 97,
  });
  const complaints = JSON.stringify([
    {
      code: 'fever',
      snomedCode: '386661006',
      display: 'Fever',
      displayHi: 'बुखार',
      redFlag: false,
      duration: { value: 3, unit: 'days' },
      severity: 'moderate',
      note: null,
    },
  ]);
  await bulk(
    db,
    `insert into teleconsult_requests (id, state_id, spoke_id, patient_id, created_by, status, mode, suggested_speciality,
       suggested_urgency, complaints, vitals, pregnancy, consent_id)
     select id, s, sp, id, u, 'draft', 'async', 'general_medicine', g, c::jsonb, v::jsonb, 'not_pregnant', id
     from unnest($1::uuid[], $2::text[], $3::uuid[], $4::text[], $5::uuid[], $6::text[], $7::text[]) as t(id, s, sp, g, u, c, v)`,
    [
      requests.map((r) => r.id),
      requests.map((r) => r.stateId),
      requests.map((r) => r.spokeId),
      requests.map((r) => r.urgency),
      requests.map(() => userId),
      requests.map(() => complaints),
      requests.map(() => vitals),
    ],
  );
}

export async function run(): Promise<void> {
  const scale = numberOption('scale', 0.05);
  const concurrency = numberOption('concurrency', 8);
  const consultMinutes = numberOption('consult', 12);
  const { db, storage, drop } = await openDatabase();
  try {
    const seedStart = performance.now();
    await migrate(db);
    await loadIndiaGeography(new GeographyRepository(db));
    await loadSpecialities(new TerminologyRepository(db));
    await loadClinicalTerms(new TerminologyRepository(db));
    const network = await plan(db, scale);
    const userId = randomUUID();
    await seed(db, network, userId);
    if (storage === 'postgres') await db.query('analyze');
    const seedSeconds = (performance.now() - seedStart) / 1000;
    console.log(
      `spoke benchmark on ${storage}, scale ${String(scale)}: ${String(network.spokes.length)} spokes, ${String(network.hubs.length)} hubs, ${String(network.requests.length)} requests (seeded in ${String(round(seedSeconds, 1))} s)`,
    );

    const clock = new SimulatedClock();
    const bus = new InProcessBus();
    const config = loadConfig({
      NODE_ENV: 'test',
      SECRET_KEY: 'bench-secret-key-0123456789abcdefghijklmnop',
      WEB_DIST_DIR: '/nonexistent',
      LOG_LEVEL: 'silent',
    });
    const app = await buildApp(config, { db, bus, clock });
    const service = app.services.hubSpoke;
    const repository = new HubSpokeRepository(db);
    const actorFor = (spoke: { id: string; stateId: string }): Actor => ({
      principal: {
        userId,
        kind: 'staff',
        displayName: 'Bench officer',
        sessionId: 'bench',
        roles: [{ role: 'spoke_operator', stateId: spoke.stateId, facilityId: spoke.id }],
      },
      ip: '127.0.0.1',
    });
    const spokeState = new Map(network.spokes.map((s) => [s.id, s.stateId]));
    const doctorOfHub = new Map(network.hubs.map((h) => [h.id, h.doctorId]));
    const busyUntil = new Map<string, number>();
    const offShift = new Set<string>();

    const byMinute = new Map<number, Plan['requests']>();
    for (const r of network.requests) byMinute.set(r.minute, [...(byMinute.get(r.minute) ?? []), r]);
    const routingMs: number[] = [];
    const takeMs: number[] = [];
    let sendingSeconds = 0;
    let failures = 0;
    const backlogByHour: number[] = [];
    let peakAfterOff = 0;
    const wallStart = performance.now();

    for (let minute = 0; minute < 24 * 60; minute += 1) {
      const now = new Date(DAY_START.getTime() + minute * 60_000);
      clock.set(now);
      if (minute === OFF_SHIFT_MINUTE) {
        // A third of the doctors go off shift: routing stops choosing their hubs, and they stop taking.
        const leaving = network.hubs.filter((_, i) => i % 3 === 0).map((h) => h.doctorId);
        for (const id of leaving) offShift.add(id);
        await db.query(
          `insert into practitioner_availability (practitioner_id, status, changed_at)
           select p, 'off_shift', $2 from unnest($1::uuid[]) as t(p)
           on conflict (practitioner_id) do update set status = 'off_shift', changed_at = $2`,
          [leaving, now],
        );
      }
      // Arrivals of this minute, `concurrency` at once.
      const arrivals = byMinute.get(minute) ?? [];
      const phaseStart = performance.now();
      let next = 0;
      await Promise.all(
        Array.from({ length: Math.min(concurrency, arrivals.length) }, async () => {
          while (next < arrivals.length) {
            const request = arrivals[next++];
            if (request === undefined) break;
            const started = performance.now();
            try {
              await service.send(
                actorFor({ id: request.spokeId, stateId: spokeState.get(request.spokeId) ?? request.stateId }),
                request.id,
                {
                  urgency: request.urgency as 'emergency' | 'urgent' | 'routine',
                },
              );
              routingMs.push(performance.now() - started);
            } catch (error) {
              failures += 1;
              if (failures <= 3) console.error('send failed:', error);
            }
          }
        }),
      );
      sendingSeconds += (performance.now() - phaseStart) / 1000;

      // Each hub's free doctor takes the next request (urgent first) and answers after the consult time.
      const waitingHubs = await db.query<{ hubId: string; waiting: number }>(
        `select hub_id as "hubId", count(*)::int as waiting from teleconsult_requests where status = 'waiting' group by hub_id`,
      );
      const nowMs = now.getTime();
      await Promise.all(
        waitingHubs.map(async ({ hubId }) => {
          const doctorId = doctorOfHub.get(hubId);
          if (doctorId === undefined || offShift.has(doctorId) || (busyUntil.get(doctorId) ?? 0) > nowMs) return;
          const started = performance.now();
          const taken = await repository.takeNext(
            {
              practitionerId: doctorId,
              name: '',
              stateId: '',
              facilityIds: [hubId],
              hubIds: [hubId],
              specialities: [],
            },
            now,
            now,
          );
          takeMs.push(performance.now() - started);
          if (taken === undefined) return;
          const done = new Date(nowMs + consultMinutes * 60_000);
          busyUntil.set(doctorId, done.getTime());
          await db.query(`update teleconsult_requests set status = 'answered', answered_at = $2 where id = $1`, [
            taken.id,
            done,
          ]);
        }),
      );
      await service.sweep();

      const waiting = waitingHubs.reduce((sum, h) => sum + h.waiting, 0);
      if (minute % 60 === 59) backlogByHour.push(waiting);
      if (minute >= OFF_SHIFT_MINUTE) peakAfterOff = Math.max(peakAfterOff, waiting);
      if (minute % 120 === 119)
        console.log(
          `  ${String(Math.floor((minute + 1) / 60)).padStart(2, '0')}:00  sent ${String(routingMs.length)}  waiting ${String(waiting)}  wall ${String(round((performance.now() - wallStart) / 1000, 1))} s`,
        );
    }

    const [outcome] = await db.query<{
      met: number;
      total: number;
      waiting: number;
      overflowed: number;
      alerted: number;
    }>(
      `select count(*) filter (where status = 'answered' and answered_at <= sla_due_at)::int as met,
         count(*) filter (where sent_at is not null)::int as total,
         count(*) filter (where status = 'waiting')::int as waiting,
         count(*) filter (where route_index > 0)::int as overflowed,
         count(*) filter (where sla_alerted_at is not null)::int as alerted
       from teleconsult_requests`,
    );
    const [before] = backlogByHour.slice(13, 14);
    await app.close();
    await bus.close();
    report(
      `spoke benchmark (${storage}, scale ${String(scale)}: ${String(network.spokes.length)} spokes, ${String(network.hubs.length)} hubs, ${String(network.requests.length)} requests in one simulated day; ${String(concurrency)} sends in flight; ${String(consultMinutes)} min per consultation; a third of doctors off shift at 14:00)`,
      {
        storage,
        scale,
        spokes: network.spokes.length,
        hubs: network.hubs.length,
        requests: routingMs.length,
        failedSends: failures,
        routedPerSecond: round(routingMs.length / sendingSeconds, 1),
        routingP50Ms: round(percentile(routingMs, 0.5), 2),
        routingP99Ms: round(percentile(routingMs, 0.99), 2),
        takeP99Ms: round(percentile(takeMs, 0.99), 2),
        slaMetShare: round((outcome?.met ?? 0) / Math.max(1, outcome?.total ?? 0), 4),
        overflowedShare: round((outcome?.overflowed ?? 0) / Math.max(1, outcome?.total ?? 0), 4),
        slaAlerts: outcome?.alerted ?? 0,
        backlogAt14: before ?? 0,
        peakBacklogAfterThirdOffShift: peakAfterOff,
        backlogAtMidnight: outcome?.waiting ?? 0,
        backlogByHour: backlogByHour.join(' '),
        seedSeconds: round(seedSeconds, 1),
        wallSeconds: round((performance.now() - wallStart) / 1000, 1),
      },
    );
  } finally {
    await drop();
  }
}
