import { once } from 'node:events';
import {
  createReadStream,
  createWriteStream,
  mkdirSync,
  readFileSync,
  statSync,
  writeFileSync,
  type WriteStream,
} from 'node:fs';
import { request } from 'node:http';
import { availableParallelism, loadavg } from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import pg from 'pg';
import { report, ROOT, round, startServer, staffBearer } from './lib.js';

/**
 * `import`: bulk CSV import of a national-size care network, then facility search on it.
 *
 * Generates facilities.csv (1,30,000 spokes and 16,500 hubs over India's real states and
 * districts), practitioners.csv (2,00,000 practitioners with their roles: an operator per spoke,
 * doctors at hubs, a fifth of them also specialists at a second hub) and mappings.csv (every
 * spoke to 2 hubs of its state for 2 specialities), streamed to disk under .bench/. Starts the
 * real server, uploads the three files as national.admin, polls each job, and reports the import
 * time, rows per second, the server's peak memory (VmHWM) and the p99 of a facility search by
 * name prefix on that data. `--scale 0.1` makes everything ten times smaller;
 * `--connections N` sets the search concurrency (default 10).
 */

interface District {
  stateCode: string;
  districtCode: string;
  name: string;
}

function argument(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  const value = index >= 0 ? Number(process.argv[index + 1]) : fallback;
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} must be a positive number`);
  return value;
}

/** A small deterministic random source, so that every run imports the same network. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const HEADS = ['Ram', 'Shiv', 'Dev', 'Har', 'Krish', 'Sun', 'Chand', 'Bel', 'Ked', 'Mal', 'Nar', 'Pal', 'Raj', 'Sar'];
const MORE = ['Tir', 'Vis', 'Kal', 'Gan', 'Mad', 'Bhag', 'Jag', 'Lak', 'Man', 'Nand', 'Pur', 'Sit', 'Ud', 'Ved'];
const MIDDLES = ['', 'a', 'i', 'u', 'ra', 'li', 'na', 'ma', 'ta', 'ka', 'va', 'sa'];
const TAILS = [
  'pur',
  'nagar',
  'ganj',
  'abad',
  'gaon',
  'khed',
  'wadi',
  'palli',
  'halli',
  'kota',
  'garh',
  'puram',
  'wara',
];
const SPOKE_TYPES = [
  ['Sub Centre', 'SC'],
  ['Ayushman Arogya Mandir', 'HWC'],
  ['Primary Health Centre', 'PHC'],
  ['Urban PHC', 'UPHC'],
] as const;
const FIRST = ['Anil', 'Sunita', 'Meera', 'Ravi', 'Kavita', 'Suresh', 'Anjali', 'Vikram', 'Pooja', 'Arjun', 'Lakshmi'];
const LAST = ['Verma', 'Devi', 'Shukla', 'Gowda', 'Reddy', 'Singh', 'Nair', 'Patel', 'Das', 'Iyer', 'Khan', 'Rao'];
const DOCTOR_SPECIALITIES = ['general_medicine', 'paediatrics', 'obstetrics_gynaecology', 'dermatology', 'psychiatry'];
const MAPPED_SPECIALITIES = ['general_medicine', 'paediatrics'];
const LANGUAGES: Record<string, string> = { '29': 'kn;en', '32': 'ml;en', '33': 'ta;en', '19': 'bn;en', '27': 'mr;en' };

function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

async function writeLine(out: WriteStream, fields: (string | number)[]): Promise<void> {
  if (!out.write(`${fields.map((f) => csvField(String(f))).join(',')}\n`)) await once(out, 'drain');
}

async function close(out: WriteStream): Promise<void> {
  const closed = once(out, 'close');
  out.end();
  await closed;
}

interface Generated {
  files: { kind: 'facilities' | 'practitioners' | 'mappings'; file: string; rows: number; bytes: number }[];
  prefixes: string[];
}

/** Streams the three files to `dir`; nothing of them is held in memory but the hub lists. */
async function generate(dir: string, scale: number): Promise<Generated> {
  mkdirSync(dir, { recursive: true });
  const rand = random(2026);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)] as T;
  const districts: District[] = readFileSync(
    path.join(ROOT, 'apps/server/reference-data/india-states-districts.csv'),
    'utf8',
  )
    .trim()
    .split(/\r?\n/)
    .slice(1)
    .map((line) => {
      const [stateCode = '', , districtCode = '', name = ''] = line.split(',');
      return { stateCode: stateCode.padStart(2, '0'), districtCode, name };
    });
  const spokes = Math.round(130_000 * scale);
  const hubs = Math.round(16_500 * scale);
  const doctors = Math.round(200_000 * scale) - spokes;
  const place = () => `${pick(rand() < 0.5 ? HEADS : MORE)}${pick(MIDDLES)}${pick(TAILS)}`;
  const hfr = (stateCode: string, serial: number) => `IN${stateCode}${String(50_000_000 + serial)}`;

  // Hubs go round the districts so that every district has some when there are enough.
  const hubsByDistrict = new Map<string, string[]>();
  const hubsByState = new Map<string, string[]>();
  const files: Generated['files'] = [];
  const prefixes: string[] = [];
  const facilitiesFile = path.join(dir, 'facilities.csv');
  const facilities = createWriteStream(facilitiesFile);
  await writeLine(facilities, [
    'registry_id',
    'name',
    'kind',
    'subtype',
    'state_code',
    'district_code',
    'address_line',
    'city',
    'pincode',
    'latitude',
    'longitude',
    'languages',
    'phone',
    'active',
  ]);
  let serial = 0;
  const spokeList: { registryId: string; district: District }[] = [];
  for (let i = 0; i < hubs + spokes; i += 1) {
    const isHub = i < hubs;
    const district = districts[i % districts.length] as District;
    const registryId = hfr(district.stateCode, serial++);
    const town = place();
    const [typeName, subtype] = isHub
      ? i % districts.length === i
        ? ([`${district.name} District Hospital`, 'DH'] as const)
        : ([`${town} Community Health Centre`, 'CHC'] as const)
      : pick(SPOKE_TYPES);
    const name = isHub && subtype === 'DH' ? typeName : `${town} ${typeName}`;
    if (prefixes.length < 400 && rand() < 0.01) prefixes.push(name.slice(0, 4 + Math.floor(rand() * 4)));
    const key = `${district.stateCode}-${district.districtCode}`;
    if (isHub) {
      const local = hubsByDistrict.get(key) ?? [];
      const state = hubsByState.get(district.stateCode) ?? [];
      local.push(registryId);
      state.push(registryId);
      hubsByDistrict.set(key, local);
      hubsByState.set(district.stateCode, state);
    } else spokeList.push({ registryId, district });
    await writeLine(facilities, [
      registryId,
      name,
      isHub ? 'hub' : 'spoke',
      subtype,
      district.stateCode,
      district.districtCode,
      `Ward ${1 + Math.floor(rand() * 30)}, ${town}`,
      district.name,
      String(100_000 + Math.floor(rand() * 800_000)),
      round(8 + rand() * 27, 5),
      round(68 + rand() * 29, 5),
      LANGUAGES[district.stateCode] ?? 'hi;en',
      `0${String(1_000_000_000 + Math.floor(rand() * 8_999_999_999)).slice(0, 10)}`,
      isHub || rand() < 0.98 ? 'true' : 'false',
    ]);
  }
  await close(facilities);
  files.push({ kind: 'facilities', file: facilitiesFile, rows: hubs + spokes, bytes: statSync(facilitiesFile).size });

  const hubsNear = (district: District): string[] => {
    const local = hubsByDistrict.get(`${district.stateCode}-${district.districtCode}`) ?? [];
    return local.length >= 2 ? local : (hubsByState.get(district.stateCode) ?? []);
  };

  const practitionersFile = path.join(dir, 'practitioners.csv');
  const practitioners = createWriteStream(practitionersFile);
  await writeLine(practitioners, [
    'registry_id',
    'name',
    'gender',
    'qualification',
    'registration_council',
    'registration_number',
    'state_code',
    'languages',
    'specialities',
    'mobile',
    'active',
    'facility_registry_id',
    'role',
    'role_specialities',
  ]);
  let practitionerRows = 0;
  const hubList = [...hubsByState.entries()].flatMap(([stateCode, ids]) => ids.map((id) => ({ stateCode, id })));
  for (let i = 0; i < spokes + doctors; i += 1) {
    const operator = i < spokes;
    const hpr = `71${String(i).padStart(12, '0')}`;
    const female = rand() < 0.5;
    const name = `${operator ? '' : 'Dr '}${pick(FIRST)} ${pick(LAST)}`;
    const mobile = String(6_000_000_000 + ((i * 7919) % 3_999_999_999));
    if (operator) {
      const spoke = spokeList[i] as { registryId: string; district: District };
      const stateCode = spoke.district.stateCode;
      await writeLine(practitioners, [
        hpr,
        name,
        female ? 'female' : 'male',
        'BSc Nursing (CHO)',
        '',
        '',
        stateCode,
        LANGUAGES[stateCode] ?? 'hi;en',
        '',
        mobile,
        'true',
        spoke.registryId,
        'spoke_operator',
        '',
      ]);
      practitionerRows += 1;
      continue;
    }
    const hub = hubList[i % hubList.length] as { stateCode: string; id: string };
    const speciality = pick(DOCTOR_SPECIALITIES);
    const fields = [
      hpr,
      name,
      female ? 'female' : 'male',
      speciality === 'general_medicine' ? 'MBBS' : 'MBBS; MD',
      `${hub.stateCode}MC`,
      `R${String(i)}`,
      hub.stateCode,
      LANGUAGES[hub.stateCode] ?? 'hi;en',
      speciality,
      mobile,
      'true',
    ];
    await writeLine(practitioners, [...fields, hub.id, 'hub_doctor', speciality]);
    practitionerRows += 1;
    const sameState = hubsByState.get(hub.stateCode) ?? [];
    if (rand() < 0.2 && sameState.length > 1) {
      const other = pick(sameState);
      const second = other === hub.id ? (sameState.find((id) => id !== hub.id) ?? hub.id) : other;
      await writeLine(practitioners, [...fields, second, 'specialist', speciality]);
      practitionerRows += 1;
    }
  }
  await close(practitioners);
  files.push({
    kind: 'practitioners',
    file: practitionersFile,
    rows: practitionerRows,
    bytes: statSync(practitionersFile).size,
  });

  const mappingsFile = path.join(dir, 'mappings.csv');
  const mappings = createWriteStream(mappingsFile);
  await writeLine(mappings, ['spoke_registry_id', 'speciality_code', 'hub_registry_id', 'rank']);
  let mappingRows = 0;
  for (const [index, spoke] of spokeList.entries()) {
    const near = hubsNear(spoke.district);
    if (near.length < 2) continue;
    for (const speciality of MAPPED_SPECIALITIES) {
      const first = (index + MAPPED_SPECIALITIES.indexOf(speciality)) % near.length;
      const order = [near[first] as string, near[(first + 1) % near.length] as string];
      for (const [rank, hub] of order.entries()) {
        await writeLine(mappings, [spoke.registryId, speciality, hub, rank + 1]);
        mappingRows += 1;
      }
    }
  }
  await close(mappings);
  files.push({ kind: 'mappings', file: mappingsFile, rows: mappingRows, bytes: statSync(mappingsFile).size });
  return { files, prefixes };
}

/** The server's resident memory: now (VmRSS) and its peak so far (VmHWM), in MiB. */
function memoryOf(pid: number): { rss: number; hwm: number } {
  const status = readFileSync(`/proc/${String(pid)}/status`, 'utf8');
  const kib = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
  return { rss: kib('VmRSS') / 1024, hwm: kib('VmHWM') / 1024 };
}

/** The PostgreSQL database the server uses, from its environment; undefined for PGlite. */
function databaseUrlOf(pid: number): string | undefined {
  const url = /(?:^|\0)DATABASE_URL=([^\0]*)/.exec(readFileSync(`/proc/${String(pid)}/environ`, 'utf8'))?.[1];
  return url === undefined || url === '' ? undefined : url;
}

/** CPU seconds (user + system) a process has used so far; 0 when it cannot be read (not this host). */
function cpuSecondsOf(pid: number): number {
  try {
    const fields =
      readFileSync(`/proc/${String(pid)}/stat`, 'utf8')
        .split(') ')[1]
        ?.split(' ') ?? [];
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
  } catch {
    return 0;
  }
}

/**
 * Follows the CPU time of the PostgreSQL backends of the server's database (when PostgreSQL runs
 * on this machine): on a busy machine the wall time says little, the CPU time says what it costs.
 */
async function watchPostgres(url: string | undefined): Promise<{ stop: () => Promise<number> }> {
  if (url === undefined) return { stop: () => Promise.resolve(0) };
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const used = new Map<number, { start: number; last: number }>();
  const sample = async () => {
    const rows = await client.query<{ pid: number }>(
      'select pid from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()',
    );
    for (const { pid } of rows.rows) {
      const cpu = cpuSecondsOf(pid);
      const known = used.get(pid);
      if (known === undefined) used.set(pid, { start: cpu, last: cpu });
      else known.last = cpu;
    }
  };
  await sample();
  const timer = setInterval(() => void sample().catch(() => undefined), 250);
  return {
    stop: async () => {
      clearInterval(timer);
      await sample().catch(() => undefined);
      await client.end();
      return [...used.values()].reduce((sum, { start, last }) => sum + last - start, 0);
    },
  };
}

/**
 * After a bulk load PostgreSQL wants VACUUM ANALYZE (autovacuum would do it within a minute or
 * so, competing with the measurement); the embedded PGlite has no such need. Returns the seconds.
 */
async function settle(url: string | undefined): Promise<number> {
  if (url === undefined) return 0;
  const started = performance.now();
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('vacuum (analyze) facilities, practitioners, practitioner_roles, spoke_hub_mappings');
  } finally {
    await client.end();
  }
  return (performance.now() - started) / 1000;
}

interface Job {
  id: string;
  status: string;
  rowsTotal: number | null;
  rowsWritten: number;
  errorCount: number;
  startedAt: string;
  checkedAt: string | null;
  finishedAt: string | null;
  errors?: { line: number; field: string; reason: string }[];
  counts: Record<string, { inserted: number; updated: number; unchanged: number; retired: number }>;
}

/** Streams a file as the body of a POST (never read whole), and parses the JSON answer. */
function upload(url: string, file: string, headers: Record<string, string>): Promise<{ status: number; body: Job }> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        headers: {
          ...headers,
          'content-type': 'text/csv',
          'content-length': String(statSync(file).size),
          prefer: 'respond-async',
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          try {
            resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString()) as Job });
          } catch (error) {
            reject(error instanceof Error ? error : new Error(String(error)));
          }
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    createReadStream(file, { highWaterMark: 1024 * 1024 }).pipe(req);
  });
}

async function importFile(
  baseUrl: string,
  kind: string,
  file: string,
  auth: Record<string, string>,
  onPoll: () => void,
): Promise<{ job: Job; seconds: number }> {
  const started = performance.now();
  const answer = await upload(`${baseUrl}/api/v1/imports/${kind}`, file, auth);
  let job = answer.body;
  if (answer.status === 422) {
    const errors = (answer.body as unknown as { issue: { diagnostics: string }[] }).issue.slice(0, 10);
    throw new Error(`${kind} refused:\n${errors.map((e) => e.diagnostics).join('\n')}`);
  }
  if (answer.status !== 200 && answer.status !== 202) throw new Error(`${kind}: ${JSON.stringify(answer.body)}`);
  while (job.status === 'validating' || job.status === 'writing') {
    onPoll();
    await new Promise((resolve) => setTimeout(resolve, 250));
    const response = await fetch(`${baseUrl}/api/v1/imports/${job.id}`, { headers: auth });
    job = (await response.json()) as Job;
  }
  if (job.status !== 'succeeded') throw new Error(`${kind} import ${job.status}: ${JSON.stringify(job.errors)}`);
  return { job, seconds: (performance.now() - started) / 1000 };
}

export async function run(options: { duration: number }): Promise<void> {
  const scale = argument('scale', 1);
  const connections = argument('connections', 10);
  const dir = path.join(ROOT, '.bench', `import-${String(scale)}`);
  const generateStarted = performance.now();
  const generated = await generate(dir, scale);
  const generateSeconds = (performance.now() - generateStarted) / 1000;
  const totalRows = generated.files.reduce((sum, f) => sum + f.rows, 0);
  console.log(
    `generated ${generated.files.map((f) => `${f.kind} ${String(f.rows)} rows (${String(round(f.bytes / 1048576, 1))} MiB)`).join(', ')} in ${String(round(generateSeconds, 1))} s`,
  );

  const loadBefore = loadavg()[0] ?? 0;
  const server = await startServer();
  const pid = server.process.pid;
  if (pid === undefined) throw new Error('the server has no pid');
  try {
    const auth = await staffBearer(server.url, 'national.admin');
    // Start the peak (VmHWM) afresh, so that it is the import's and not the start's.
    writeFileSync(`/proc/${String(pid)}/clear_refs`, '5');
    const baseline = memoryOf(pid);
    let peakRss = baseline.rss;
    const sampler = setInterval(() => {
      peakRss = Math.max(peakRss, memoryOf(pid).rss);
    }, 100);
    const seconds: Record<string, number> = {};
    const counts: Record<string, string> = {};
    const databaseUrl = databaseUrlOf(pid);
    const postgres = await watchPostgres(databaseUrl);
    const serverCpuBefore = cpuSecondsOf(pid);
    const started = performance.now();
    try {
      for (const { kind, file } of generated.files) {
        const { job, seconds: took } = await importFile(server.url, kind, file, auth, () => {
          peakRss = Math.max(peakRss, memoryOf(pid).rss);
        });
        seconds[kind] = took;
        const at = (time: string | null) => (time === null ? Number.NaN : Date.parse(time));
        seconds[`${kind}Check`] = (at(job.checkedAt) - at(job.startedAt)) / 1000;
        seconds[`${kind}Write`] = (at(job.finishedAt) - at(job.checkedAt)) / 1000;
        for (const [entity, count] of Object.entries(job.counts)) {
          counts[entity] =
            `${String(count.inserted)} inserted, ${String(count.updated)} updated, ${String(count.unchanged)} unchanged`;
        }
        console.log(`${kind}: ${String(job.rowsTotal)} rows in ${String(round(took, 1))} s`);
      }
    } finally {
      clearInterval(sampler);
    }
    const importSeconds = (performance.now() - started) / 1000;
    const serverCpuSeconds = cpuSecondsOf(pid) - serverCpuBefore;
    const postgresCpuSeconds = await postgres.stop();
    const afterImport = memoryOf(pid);

    // Importing the same file again must change nothing (and shows the cost of the checks alone).
    const facilities = generated.files[0];
    if (facilities === undefined) throw new Error('no facilities file');
    const again = await importFile(server.url, 'facilities', facilities.file, auth, () => undefined);
    const unchanged = again.job.counts.facilities;
    if (unchanged === undefined || unchanged.unchanged !== facilities.rows) {
      throw new Error(`re-import changed rows: ${JSON.stringify(unchanged)}`);
    }

    const settleSeconds = await settle(databaseUrl);

    // Facility search by name prefix, as a directory client types: FHIR when it exists, else the API.
    const fhirProbe = await fetch(`${server.url}/fhir/R4/Organization?name=ram&_count=20`, { headers: auth });
    const fhir = fhirProbe.status === 200;
    const apiPath = (prefix: string) => `/api/v1/facilities?q=${encodeURIComponent(prefix)}&limit=20`;
    const fhirPath = (prefix: string) => `/fhir/R4/Organization?name=${encodeURIComponent(prefix)}&_count=20`;
    const prefixes = generated.prefixes.length > 0 ? generated.prefixes : ['Ram'];
    // How many facilities each prefix matches: the broad ones are the slow ones.
    const matches: number[] = [];
    for (const prefix of prefixes) {
      const response = await fetch(`${server.url}${apiPath(prefix)}`, { headers: auth });
      matches.push(((await response.json()) as { total: number }).total);
    }
    matches.sort((a, b) => a - b);
    const measure = async (path: (prefix: string) => string, clients: number) => {
      const requests = {
        url: server.url,
        connections: clients,
        headers: auth,
        requests: prefixes.map((prefix) => ({ method: 'GET', path: path(prefix) })),
      };
      await autocannon({ ...requests, duration: 2 });
      return autocannon({ ...requests, duration: options.duration });
    };
    const search = await measure(fhir ? fhirPath : apiPath, connections);
    const searchAlone = await measure(fhir ? fhirPath : apiPath, 1);
    const api = fhir ? await measure(apiPath, connections) : search;
    const apiAlone = fhir ? await measure(apiPath, 1) : searchAlone;

    report(`import benchmark (${server.storage}, scale ${String(scale)})`, {
      storage: server.storage,
      scale,
      // Other work on the machine slows everything down: say how busy it was.
      machineLoad: `${String(round(loadBefore, 1))} before, ${String(round(loadavg()[0] ?? 0, 1))} after (${String(availableParallelism())} CPUs)`,
      rows: totalRows,
      fileMiB: round(generated.files.reduce((sum, f) => sum + f.bytes, 0) / 1048576, 1),
      generateSeconds: round(generateSeconds, 1),
      ...Object.fromEntries(
        ['facilities', 'practitioners', 'mappings'].map((kind) => [
          `${kind}Seconds`,
          `${String(round(seconds[kind] ?? 0, 1))} (check ${String(round(seconds[`${kind}Check`] ?? 0, 1))}, write ${String(round(seconds[`${kind}Write`] ?? 0, 1))})`,
        ]),
      ),
      importSeconds: round(importSeconds, 1),
      rowsPerSecond: round(totalRows / importSeconds, 0),
      serverCpuSeconds: round(serverCpuSeconds, 1),
      postgresCpuSeconds: round(postgresCpuSeconds, 1),
      reimportFacilitiesSeconds: round(again.seconds, 1),
      vacuumAnalyzeSeconds: round(settleSeconds, 1),
      ...counts,
      baselineRssMiB: round(baseline.rss, 0),
      sampledPeakRssMiB: round(peakRss, 0),
      peakRssMiB: round(afterImport.hwm, 0),
      searchEndpoint: fhir ? 'GET /fhir/R4/Organization?name=' : 'GET /api/v1/facilities?q=',
      searchPrefixes: prefixes.length,
      prefixMatchesMedian: matches[Math.floor(matches.length / 2)] ?? 0,
      prefixMatchesMax: matches.at(-1) ?? 0,
      searchConnections: connections,
      searchRps: round(search.requests.average, 0),
      searchP50Ms: search.latency.p50,
      searchP99Ms: search.latency.p99,
      searchP99Ms1Connection: searchAlone.latency.p99,
      apiSearchP50Ms: api.latency.p50,
      apiSearchP99Ms: api.latency.p99,
      apiSearchP99Ms1Connection: apiAlone.latency.p99,
      searchFailures: [search, searchAlone, api, apiAlone].reduce((sum, r) => sum + r.errors + r.non2xx, 0),
    });
  } finally {
    await server.stop();
  }
}
