import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { numberOption, percentile, report, round, startServer } from './lib.js';

/**
 * `history`: the platform after years of use — 1 crore (10,000,000) stored consultations —
 * and the two reads that must stay fast on it: a patient's timeline (what a doctor opens
 * before every consultation) and a state's daily counts (a dashboard's chart).
 *
 * Seeding (PostgreSQL, a new database): states weighted by population, 2.5 patients per 10
 * consultations, facilities and two doctors each per state, consultations spread over the last
 * 365 days at day-time hours (85% hub-and-spoke, 15% OPD), each with a coded record; written by
 * `insert … select … from generate_series` in batches, with every index of the schema in place,
 * then VACUUM ANALYZE. The output says how long each part took.
 *
 * Timeline: `GET /api/v1/patients/:id/timeline` as a doctor who treated the patient (the route
 * allows only those treating them), for random patients, one request at a time after a
 * warm-up, through the real server. Daily counts: `GET /api/v1/states/:id/consultations/daily`
 * (the last 30 local days, by kind and outcome) as a national administrator, for random states
 * by weight and for the largest state, one request at a time; the plan of its query is printed.
 *
 * Options: `--scale 0.01` (a hundredth: 1 lakh consultations; default 1), `--samples N`
 * (timelines and daily counts measured, default 500), `--batch N` (rows per insert, 2,50,000).
 * Needs DATABASE_URL.
 */

const FULL = 10_000_000;
/** Rough shares of India's population (Census 2011, per cent) by LGD state code; the rest get 0.5. */
const POPULATION: Record<string, number> = {
  'IN-09': 16.5,
  'IN-27': 9.3,
  'IN-10': 8.6,
  'IN-19': 7.5,
  'IN-23': 6,
  'IN-33': 6,
  'IN-08': 5.7,
  'IN-29': 5,
  'IN-24': 5,
  'IN-28': 4.1,
  'IN-21': 3.5,
  'IN-36': 2.9,
  'IN-32': 2.8,
  'IN-20': 2.7,
  'IN-18': 2.6,
  'IN-03': 2.3,
  'IN-22': 2.1,
  'IN-06': 2.1,
  'IN-07': 1.4,
};
const FIRST = ['Ram', 'Sita', 'Mohan', 'Geeta', 'Abdul', 'Farah', 'Suresh', 'Lakshmi', 'Kavya', 'Raju'];
const LAST = ['Prasad', 'Devi', 'Yadav', 'Khan', 'Gowda', 'Verma', 'Singh', 'Reddy', 'Patel', 'Nayak'];

/** PostgreSQL's md5(text)::uuid, in JavaScript: the seeded ids are known without asking. */
function md5Uuid(text: string): string {
  const hex = createHash('md5').update(text).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function get(agent: http.Agent, url: URL, auth: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      { agent, host: url.hostname, port: url.port, path: url.pathname, headers: { authorization: auth } },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
        response.on('error', reject);
      },
    );
    request.on('error', reject);
    request.end();
  });
}

export async function run(): Promise<void> {
  if (process.env.DATABASE_URL === undefined)
    throw new Error('history needs PostgreSQL: set DATABASE_URL (a new database is made and dropped)');
  const scale = numberOption('scale', 1);
  const samples = Math.round(numberOption('samples', 500));
  const batch = Math.round(numberOption('batch', 250_000));
  const consultations = Math.max(1000, Math.round(FULL * scale));
  const patients = Math.max(100, Math.round(consultations / 4));
  const facilitiesPerState = Math.max(2, Math.round(consultations / 200_000));

  console.log(
    `history: ${consultations.toLocaleString('en-IN')} consultations, ${patients.toLocaleString('en-IN')} patients (scale ${String(scale)})`,
  );
  const server = await startServer({}, { storage: 'postgres' });
  const db = new pg.Client({ connectionString: server.databaseUrl });
  await db.connect();
  const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
  try {
    await db.query('set synchronous_commit = off');
    const { rows: stateRows } = await db.query<{ id: string; districtId: string }>(
      `select s.id, (select d.id from districts d where d.state_id = s.id order by d.id limit 1) as "districtId"
       from states s where exists (select 1 from districts d where d.state_id = s.id) order by s.id`,
    );
    const states = stateRows.map((s) => s.id);
    const districts = stateRows.map((s) => s.districtId);
    // A bag of state indexes, each as often as its share of the population: patient k lives in bag[k % size].
    const bag = stateRows.flatMap((s, i) =>
      Array.from({ length: Math.round(2 * (POPULATION[s.id] ?? 0.5)) }, () => i + 1),
    );
    const stateBag = bag.map((i) => states[i - 1]!);
    const districtBag = bag.map((i) => districts[i - 1]!);

    // ---- The network: facilities, doctors with sign-ins ----
    const timings: Record<string, number> = {};
    let started = performance.now();
    await db.query(
      `insert into facilities (id, state_id, district_id, name, kind)
       select md5('hist-f-' || s.id || '-' || j)::uuid, s.id, s.d,
         case when j % 5 = 0 then 'History OPD ' else 'History Hub ' end || s.id || ' ' || j,
         case when j % 5 = 0 then 'opd' else 'hub' end
       from unnest($1::text[], $2::text[]) as s(id, d) cross join generate_series(0, $3::int - 1) as j`,
      [states, districts, facilitiesPerState],
    );
    const doctors: { userId: string; practitionerId: string; stateId: string; facilityId: string; hash: string }[] = [];
    const bearerOf = new Map<string, string>();
    for (const stateId of states)
      for (let j = 0; j < facilitiesPerState; j += 1)
        for (let x = 0; x < 2; x += 1) {
          const token = randomBytes(32).toString('base64url');
          const practitionerId = md5Uuid(`hist-d-${stateId}-${String(j)}-${String(x)}`);
          bearerOf.set(practitionerId, `Bearer ${token}`);
          doctors.push({
            userId: md5Uuid(`hist-u-${stateId}-${String(j)}-${String(x)}`),
            practitionerId,
            stateId,
            facilityId: md5Uuid(`hist-f-${stateId}-${String(j)}`),
            hash: createHash('sha256').update(token).digest('hex'),
          });
        }
    // A national administrator reads the daily counts, as a dashboard would.
    const adminToken = randomBytes(32).toString('base64url');
    const adminUserId = md5Uuid('hist-u-national-admin');
    const adminAuth = `Bearer ${adminToken}`;
    await db.query(
      `insert into users (id, kind, username, display_name) values ($1, 'staff', 'history.national', 'History national admin')`,
      [adminUserId],
    );
    await db.query(
      `insert into role_bindings (id, user_id, role, state_id, facility_id) values (gen_random_uuid(), $1, 'national_admin', null, null)`,
      [adminUserId],
    );
    const column = <K extends keyof (typeof doctors)[number]>(key: K) => doctors.map((d) => d[key]);
    await db.query(
      `insert into users (id, kind, username, display_name)
       select u, 'staff', 'history.doctor.' || n, 'Dr History ' || n from unnest($1::uuid[]) with ordinality as t(u, n)`,
      [column('userId')],
    );
    await db.query(
      `insert into role_bindings (id, user_id, role, state_id, facility_id)
       select gen_random_uuid(), u, 'hub_doctor', s, f from unnest($1::uuid[], $2::text[], $3::uuid[]) as t(u, s, f)`,
      [column('userId'), column('stateId'), column('facilityId')],
    );
    await db.query(
      `insert into practitioners (id, state_id, user_id, name, gender, qualification, languages, specialities)
       select p, s, u, 'Dr History ' || n, case when n % 2 = 0 then 'female' else 'male' end, 'MBBS', '{hi,en}',
         '{general_medicine}'
       from unnest($1::uuid[], $2::text[], $3::uuid[]) with ordinality as t(p, s, u, n)`,
      [column('practitionerId'), column('stateId'), column('userId')],
    );
    await db.query(
      `insert into practitioner_roles (id, practitioner_id, facility_id, state_id, role, active)
       select gen_random_uuid(), p, f, s, 'hub_doctor', true from unnest($1::uuid[], $2::uuid[], $3::text[]) as t(p, f, s)`,
      [column('practitionerId'), column('facilityId'), column('stateId')],
    );
    await db.query(
      `insert into sessions (id, token_hash, user_id, kind, label, created_at, expires_at, last_seen_at)
       select gen_random_uuid(), h, u, 'bearer', 'history', now(), now() + interval '1 day', now()
       from unnest($1::text[], $2::uuid[]) as t(h, u)`,
      [
        [...column('hash'), createHash('sha256').update(adminToken).digest('hex')],
        [...column('userId'), adminUserId],
      ],
    );
    timings.networkSeconds = (performance.now() - started) / 1000;

    // ---- Patients ----
    started = performance.now();
    for (let from = 1; from <= patients; from += batch) {
      await db.query(
        `insert into patients (id, state_id, district_id, name, sex, birth_year, mobile, village, created_at, updated_at)
         select md5('hist-p-' || k)::uuid, ($1::text[])[1 + k % $3], ($2::text[])[1 + k % $3],
           ($6::text[])[1 + k % 10] || ' ' || ($7::text[])[1 + (k / 10) % 10],
           case when k % 2 = 0 then 'female' else 'male' end, 1940 + k % 80,
           '9' || lpad((k % 1000000000)::text, 9, '0'), 'Village ' || (k % 5000),
           now() - interval '400 days', now() - interval '400 days'
         from generate_series($4::int, $5::int) as k`,
        [stateBag, districtBag, bag.length, from, Math.min(patients, from + batch - 1), FIRST, LAST],
      );
    }
    timings.patientSeconds = (performance.now() - started) / 1000;

    // ---- Consultations ----
    // Patient of consultation n: scattered over all patients (a multiplicative hash), so a
    // patient's visits are spread over the year. The patient's state, facility and doctor follow.
    started = performance.now();
    for (let from = 1; from <= consultations; from += batch) {
      const to = Math.min(consultations, from + batch - 1);
      await db.query(
        `insert into consultations (id, kind, state_id, patient_id, practitioner_id, facility_id, mode, consultation_type,
           consultation_type_source, status, started_at, ended_at, chief_complaints, vitals, diagnoses, advice,
           created_at, updated_at)
         select md5('hist-c-' || n)::uuid, case when n % 100 < 15 then 'opd' else 'hub_spoke' end, st,
           md5('hist-p-' || k)::uuid, md5('hist-d-' || st || '-' || (k % $4) || '-' || (n % 2))::uuid,
           md5('hist-f-' || st || '-' || (k % $4))::uuid,
           case when n % 100 < 15 then 'video' else 'text' end, case when n % 3 = 0 then 'follow_up' else 'first' end,
           'auto', 'completed', at, at + interval '8 minutes',
           '[{"code": "fever", "display": "Fever", "redFlag": false}]'::jsonb,
           jsonb_build_object('pulse', 60 + n % 40, 'spo2', 94 + n % 6),
           '[{"code": "R50.9", "title": "Fever, unspecified"}]'::jsonb, 'Fluids and rest.', at, at
         from (
           select n, k, ($1::text[])[1 + k % $2] as st,
             -- The last 365 days, 08:00 to 20:00 India time (02:30 to 14:30 UTC).
             (current_date - (n::bigint * 7919 % 365)::int)::timestamp at time zone 'UTC'
               + interval '150 minutes' + make_interval(mins => (n::bigint * 31 % 720)::int) as at
           from (select n, 1 + (n::bigint * 2654435761 % $3)::int as k from generate_series($5::int, $6::int) as n) s
         ) c`,
        [stateBag, bag.length, patients, facilitiesPerState, from, to],
      );
      if (consultations > batch)
        console.log(
          `  ${to.toLocaleString('en-IN')} consultations (${round((performance.now() - started) / 1000, 0).toString()} s)`,
        );
    }
    timings.consultationSeconds = (performance.now() - started) / 1000;
    started = performance.now();
    await db.query('vacuum analyze consultations');
    await db.query('vacuum analyze patients');
    timings.vacuumSeconds = (performance.now() - started) / 1000;
    const seedSeconds =
      timings.networkSeconds + timings.patientSeconds + timings.consultationSeconds + timings.vacuumSeconds;
    const { rows: sizeRows } = await db.query<{ size: string }>(
      `select pg_size_pretty(pg_total_relation_size('consultations')) as size`,
    );
    console.log(`  seeded in ${round(seedSeconds, 1).toString()} s; consultations take ${sizeRows[0]?.size ?? '?'}`);

    // ---- A patient's timeline, through the API ----
    const timeline: number[] = [];
    let timelineErrors = 0;
    let firstError = '-';
    let consultationsSeen = 0;
    const base = new URL(server.url);
    const pickPatient = async () => {
      for (;;) {
        const k = 1 + Math.floor(Math.random() * patients);
        const patientId = md5Uuid(`hist-p-${String(k)}`);
        const { rows } = await db.query<{ practitionerId: string }>(
          'select practitioner_id as "practitionerId" from consultations where patient_id = $1 limit 1',
          [patientId],
        );
        const auth = rows[0] === undefined ? undefined : bearerOf.get(rows[0].practitionerId);
        if (auth !== undefined) return { patientId, auth };
      }
    };
    const warmup = Math.min(50, samples);
    for (let i = 0; i < samples + warmup; i += 1) {
      const { patientId, auth } = await pickPatient();
      const t0 = performance.now();
      const answer = await get(agent, new URL(`/api/v1/patients/${patientId}/timeline`, base), auth);
      const ms = performance.now() - t0;
      if (answer.status !== 200) {
        timelineErrors += 1;
        if (firstError === '-') firstError = `${String(answer.status)} ${answer.body.slice(0, 200)}`;
        continue;
      }
      if (i < warmup) continue;
      timeline.push(ms);
      consultationsSeen += (JSON.parse(answer.body) as { consultations: unknown[] }).consultations.length;
    }

    // ---- A state's daily counts, through the API ----
    // The query the stats repository runs to count 30 local days afresh (for its plan).
    const dailySql = `select to_char(day, 'YYYY-MM-DD') as day, kind, started, completed, "notHappened" from (
        select (started_at at time zone 'Asia/Kolkata')::date as day, kind, count(*)::int as started,
          (count(*) filter (where status = 'completed'))::int as completed,
          (count(*) filter (where status = 'not_happened'))::int as "notHappened"
        from consultations where state_id = $1
          and started_at >= (current_date - 29)::timestamp at time zone 'Asia/Kolkata'
          and started_at < (current_date + 1)::timestamp at time zone 'Asia/Kolkata'
        group by 1, 2) counted order by 1, 2`;
    let dailyErrors = 0;
    const daily: number[] = [];
    const largest: number[] = [];
    const largestState = stateBag.reduce(
      (best, s) => (stateBag.filter((x) => x === s).length > stateBag.filter((x) => x === best).length ? s : best),
      stateBag[0]!,
    );
    // The first view of the largest state's month counts every day (nothing kept yet); after it
    // the finished days are read back and only yesterday and today are counted.
    const firstViewStarted = performance.now();
    const firstView = await get(agent, new URL(`/api/v1/states/${largestState}/consultations/daily`, base), adminAuth);
    const dailyFirstViewMs = performance.now() - firstViewStarted;
    if (firstView.status !== 200) dailyErrors += 1;
    for (let i = 0; i < samples + warmup; i += 1) {
      const stateId = i % 2 === 0 ? largestState : stateBag[Math.floor(Math.random() * stateBag.length)]!;
      const t0 = performance.now();
      const answer = await get(agent, new URL(`/api/v1/states/${stateId}/consultations/daily`, base), adminAuth);
      const ms = performance.now() - t0;
      if (answer.status !== 200) {
        dailyErrors += 1;
        if (firstError === '-') firstError = `${String(answer.status)} ${answer.body.slice(0, 200)}`;
        continue;
      }
      if (i < warmup) continue;
      (stateId === largestState ? largest : daily).push(ms);
    }
    const { rows: plan } = await db.query<{ 'QUERY PLAN': string }>(`explain (analyze, buffers) ${dailySql}`, [
      largestState,
    ]);
    console.log(`\n  plan of the daily counts for ${largestState}:`);
    for (const line of plan) console.log(`    ${line['QUERY PLAN']}`);
    const { rows: countRows } = await db.query<{ n: number }>(
      `select count(*)::int as n from consultations where state_id = $1 and started_at >= now() - interval '30 days'`,
      [largestState],
    );

    report(`history benchmark (PostgreSQL, ${consultations.toLocaleString('en-IN')} consultations)`, {
      storage: 'postgres',
      scale,
      consultations,
      patients,
      facilities: states.length * facilitiesPerState,
      doctors: doctors.length,
      seedSeconds: round(seedSeconds, 1),
      seedPatientsSeconds: round(timings.patientSeconds, 1),
      seedConsultationsSeconds: round(timings.consultationSeconds, 1),
      consultationsPerSecondSeeded: round(consultations / timings.consultationSeconds, 0),
      vacuumAnalyzeSeconds: round(timings.vacuumSeconds, 1),
      consultationsTableSize: sizeRows[0]?.size ?? '?',
      timelineSamples: timeline.length,
      timelineConsultationsAverage: round(consultationsSeen / Math.max(1, timeline.length), 1),
      timelineP50Ms: round(percentile(timeline, 0.5), 2),
      timelineP95Ms: round(percentile(timeline, 0.95), 2),
      timelineP99Ms: round(percentile(timeline, 0.99), 2),
      timelineTargetMs: 10,
      timelineErrors,
      firstError,
      dailyCountsApi: 'GET /api/v1/states/:id/consultations/daily',
      dailyCountsErrors: dailyErrors,
      dailyCountsLargestState: largestState,
      dailyCountsLargestStateRows30Days: countRows[0]?.n ?? 0,
      dailyCountsLargestStateFirstViewMs: round(dailyFirstViewMs, 2),
      dailyCountsLargestStateP50Ms: round(percentile(largest, 0.5), 2),
      dailyCountsLargestStateP99Ms: round(percentile(largest, 0.99), 2),
      dailyCountsOtherStatesP99Ms: round(percentile(daily, 0.99), 2),
      dailyCountsTargetMs: 100,
      machineLoad: loadavg()
        .map((l) => round(l, 2))
        .join(' '),
    });
  } finally {
    agent.destroy();
    await db.end();
    await server.stop();
  }
}
