import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import WebSocket from 'ws';
import {
  numberOption,
  openFileLimit,
  percentile,
  processCpuSeconds,
  processMemoryMiB,
  processScheduling,
  machineCpuSeconds,
  report,
  round,
  startServer,
  type RunningServer,
} from './lib.js';
import { inParallel } from './queue.js';

/**
 * `signalling`: call signalling at national scale.
 *
 * 5,000 consultations in progress (a doctor and a patient each, seeded in bulk SQL with a bearer
 * session per person). Through the API as the apps do: every participant asks for its call
 * credentials, opens the signalling WebSocket and waits for its welcome, so 10,000 sockets in
 * 5,000 rooms. The server's memory is read before and after, with the sockets idle. Then the
 * calls exchange offers, answers and ICE candidates (a 3 KB SDP, 200-byte candidates) at
 * `--rate` messages per second for `--duration` seconds, each message timed from the moment its
 * sender wrote it to the moment its addressee parsed it (one process, one clock).
 *
 * Reports connections, relay latency p50/p99/max, messages lost, the server's CPU per thousand
 * messages, and bytes of server memory per idle connection (resident set growth over the idle
 * sockets: an upper bound, it includes whatever the heap kept). The number of sockets is bounded
 * by the open-file limit (`ulimit -n`) of this process and the server's: above it, fewer are
 * opened and the report says so. The relay is timed in this one process with its 10,000 sockets,
 * on the same machine as the server: `serverWaitingForCpuPct` (the server ready to run with no
 * CPU free), `otherCpuCores` (other processes' CPU over the relay phase) and `loadAverage1m` say
 * how much the machine held both back.
 *
 * Options: `--calls N` (default 5,000), `--rate MESSAGES_PER_SECOND` (default 2,000),
 * `--duration SECONDS` (default 10).
 */

const STATE_ID = 'IN-09';
const DISTRICT_ID = 'IN-09-162';
const SDP = `v=0\r\no=- 4611731400430051336 2 IN IP4 127.0.0.1\r\n${'a=candidate-ish filler line for a realistic offer size\r\n'.repeat(55)}`;
const CANDIDATE = {
  candidate: 'candidate:842163049 1 udp 1677729535 203.0.113.7 54321 typ srflx raddr 10.0.0.5 rport 54321 generation 0',
  sdpMid: '0',
  sdpMLineIndex: 0,
};

interface Person {
  userId: string;
  auth: string;
  participantId?: string;
  token?: string;
  socket?: WebSocket;
}

interface Call {
  consultationId: string;
  doctor: Person;
  patient: Person;
}

type Sql = (text: string, params?: unknown[]) => Promise<unknown>;

function bearer(hashes: string[]): string {
  const token = randomBytes(32).toString('base64url');
  hashes.push(createHash('sha256').update(token).digest('hex'));
  return `Bearer ${token}`;
}

function plan(count: number) {
  const hashes: string[] = [];
  const facilityId = randomUUID();
  const calls: (Call & { practitionerId: string; patientId: string })[] = Array.from({ length: count }, () => ({
    consultationId: randomUUID(),
    practitionerId: randomUUID(),
    patientId: randomUUID(),
    doctor: { userId: randomUUID(), auth: bearer(hashes) },
    patient: { userId: randomUUID(), auth: bearer(hashes) },
  }));
  return { facilityId, calls, hashes };
}

async function seed(sql: Sql, network: ReturnType<typeof plan>): Promise<void> {
  const { facilityId, calls, hashes } = network;
  const doctorUsers = calls.map((c) => c.doctor.userId);
  const patientUsers = calls.map((c) => c.patient.userId);
  await sql(`insert into facilities (id, state_id, district_id, name, kind) values ($1, $2, $3, 'Bench OPD', 'opd')`, [
    facilityId,
    STATE_ID,
    DISTRICT_ID,
  ]);
  await sql(
    `insert into users (id, kind, username, display_name)
     select id, 'staff', 'bench.doctor.' || n, 'Dr Bench ' || n from unnest($1::uuid[]) with ordinality as t(id, n)`,
    [doctorUsers],
  );
  await sql(
    `insert into role_bindings (id, user_id, role, state_id, facility_id)
     select gen_random_uuid(), id, 'opd_doctor', $2, $3 from unnest($1::uuid[]) as t(id)`,
    [doctorUsers, STATE_ID, facilityId],
  );
  await sql(
    `insert into practitioners (id, state_id, user_id, name, gender, qualification, languages, specialities)
     select id, $3, u, 'Dr Bench ' || n, 'female', 'MBBS', '{hi}', '{general_medicine}'
     from unnest($1::uuid[], $2::uuid[]) with ordinality as t(id, u, n)`,
    [calls.map((c) => c.practitionerId), doctorUsers, STATE_ID],
  );
  await sql(
    `insert into users (id, kind, mobile, display_name)
     select id, 'patient', '62' || lpad(n::text, 8, '0'), 'Patient ' || n from unnest($1::uuid[]) with ordinality as t(id, n)`,
    [patientUsers],
  );
  await sql(
    `insert into patients (id, state_id, district_id, account_user_id, name, sex, birth_year, mobile)
     select id, $3, $4, u, 'Patient ' || n, 'female', 1990, '62' || lpad(n::text, 8, '0')
     from unnest($1::uuid[], $2::uuid[]) with ordinality as t(id, u, n)`,
    [calls.map((c) => c.patientId), patientUsers, STATE_ID, DISTRICT_ID],
  );
  await sql(
    `insert into consultations (id, kind, state_id, patient_id, practitioner_id, facility_id, mode, consultation_type,
       consultation_type_source, started_at)
     select id, 'opd', $4, p, pr, $5, 'video', 'first', 'auto', now()
     from unnest($1::uuid[], $2::uuid[], $3::uuid[]) as t(id, p, pr)`,
    [
      calls.map((c) => c.consultationId),
      calls.map((c) => c.patientId),
      calls.map((c) => c.practitionerId),
      STATE_ID,
      facilityId,
    ],
  );
  await sql(
    `insert into sessions (id, token_hash, user_id, kind, label, created_at, expires_at, last_seen_at)
     select gen_random_uuid(), h, u, 'bearer', 'bench', now(), now() + interval '1 day', now()
     from unnest($1::text[], $2::uuid[]) as t(h, u)`,
    [hashes, calls.flatMap((c) => [c.doctor.userId, c.patient.userId])],
  );
}

async function seedServer(
  network: ReturnType<typeof plan>,
  storage: 'pglite' | 'postgres',
): Promise<{ server: RunningServer; cleanup: () => void }> {
  if (storage === 'postgres') {
    const server = await startServer();
    const client = new pg.Client({ connectionString: server.databaseUrl });
    await client.connect();
    try {
      await client.query('begin');
      await seed((text, params) => client.query(text, params), network);
      await client.query('commit');
      await client.query('analyze');
    } finally {
      await client.end();
    }
    return { server, cleanup: () => undefined };
  }
  // PGlite is one process's database: the first start migrates the folder, then it is seeded here.
  const dataDir = mkdtempSync(path.join(tmpdir(), 'sanjog-signalling-'));
  const first = await startServer({}, { dataDir, storage: 'pglite' });
  await first.stop();
  const db = new PGlite(dataDir);
  await db.waitReady;
  try {
    await db.transaction(async (tx) => {
      await seed((text, params) => tx.query(text, params), network);
    });
    await db.exec('analyze');
  } finally {
    await db.close();
  }
  const server = await startServer({}, { dataDir, storage: 'pglite' });
  return { server, cleanup: () => rmSync(dataDir, { recursive: true, force: true }) };
}

function post(
  agent: http.Agent,
  baseUrl: string,
  pathname: string,
  auth: string,
): Promise<{ status: number; body: string }> {
  const url = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const request = http.request(
      {
        agent,
        host: url.hostname,
        port: url.port,
        method: 'POST',
        path: pathname,
        headers: { authorization: auth, 'content-type': 'application/json', 'content-length': 2 },
      },
      (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (body += chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
      },
    );
    request.on('error', reject);
    request.end('{}');
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function run(options: { duration: number }): Promise<void> {
  const storage: 'pglite' | 'postgres' = process.env.DATABASE_URL ? 'postgres' : 'pglite';
  const callCount = numberOption('calls', 5000);
  const rate = numberOption('rate', 2000);
  const duration = options.duration;
  console.log(`signalling benchmark on ${storage}: ${String(callCount)} calls, ${String(callCount * 2)} participants`);
  const network = plan(callCount);
  const { server, cleanup } = await seedServer(network, storage);
  const serverPid = server.process.pid!;
  try {
    // ---- Credentials through the API ------------------------------------------------------
    const agent = new http.Agent({ keepAlive: true, maxSockets: 32 });
    const people = network.calls.flatMap((c) => [
      { person: c.doctor, call: c },
      { person: c.patient, call: c },
    ]);
    const credentialsStarted = performance.now();
    let credentialErrors = 0;
    await inParallel(people, 32, async ({ person, call }) => {
      const response = await post(agent, server.url, `/api/v1/consultations/${call.consultationId}/call`, person.auth);
      if (response.status !== 200) {
        credentialErrors += 1;
        if (credentialErrors <= 3) console.error(`credentials: ${String(response.status)} ${response.body}`);
        return;
      }
      const body = JSON.parse(response.body) as { participantId: string; token: string };
      person.participantId = body.participantId;
      person.token = body.token;
    });
    agent.destroy();
    const credentialsSeconds = (performance.now() - credentialsStarted) / 1000;
    console.log(`  ${String(people.length - credentialErrors)} credentials in ${round(credentialsSeconds, 1)} s`);

    // ---- Open the signalling sockets --------------------------------------------------------
    // A socket is a file on both sides: stay under the lower open-file limit, with room to spare.
    const fdLimit = Math.min(openFileLimit(serverPid), openFileLimit(process.pid));
    const callsPlanned = Math.max(0, Math.min(callCount, Math.floor((fdLimit - 600) / 2)));
    const calls = network.calls.slice(0, callsPlanned).filter((c) => c.doctor.token && c.patient.token);
    await sleep(2000);
    const memoryBefore = processMemoryMiB(serverPid);
    const wsBase = server.url.replace(/^http/, 'ws');
    const latencies: number[] = [];
    let received = 0;
    let connectErrors = 0;
    const connectStarted = performance.now();
    const session = () => randomBytes(9).toString('base64url');
    await inParallel(
      calls.flatMap((c) => [c.doctor, c.patient]),
      200,
      async (person, index) => {
        await new Promise<void>((resolve) => {
          const socket = new WebSocket(
            `${wsBase}/api/v1/calls/signal?token=${encodeURIComponent(person.token!)}&session=${session()}`,
            {
              headers: { authorization: person.auth },
              perMessageDeflate: false,
              localAddress: `127.0.0.${String(1 + Math.floor(index / 25_000))}`,
            },
          );
          let welcomed = false;
          const done = (ok: boolean) => {
            if (welcomed) return;
            welcomed = true;
            if (!ok) connectErrors += 1;
            resolve();
          };
          const timer = setTimeout(() => done(false), 60_000);
          socket.on('message', (data: Buffer) => {
            const at = performance.now();
            const message = JSON.parse(data.toString()) as { type: string; data?: { sentAt?: number } };
            if (message.type === 'welcome') {
              clearTimeout(timer);
              done(true);
            } else if (message.type === 'signal' && typeof message.data?.sentAt === 'number') {
              received += 1;
              latencies.push(at - message.data.sentAt);
            }
          });
          socket.on('error', () => {
            clearTimeout(timer);
            done(false);
          });
          socket.on('close', () => {
            clearTimeout(timer);
            done(false);
          });
          person.socket = socket;
        });
      },
    );
    const connectSeconds = (performance.now() - connectStarted) / 1000;
    const open = calls.filter(
      (c) => c.doctor.socket?.readyState === WebSocket.OPEN && c.patient.socket?.readyState === WebSocket.OPEN,
    );
    const connections = calls.reduce(
      (n, c) =>
        n +
        (c.doctor.socket?.readyState === WebSocket.OPEN ? 1 : 0) +
        (c.patient.socket?.readyState === WebSocket.OPEN ? 1 : 0),
      0,
    );
    console.log(
      `  ${String(connections)} signalling sockets in ${round(connectSeconds, 1)} s (${String(connectErrors)} failed)`,
    );
    // Idle: let the joins' writes and the peer-joined notices settle, then read the memory.
    await sleep(5000);
    const memoryIdle = processMemoryMiB(serverPid);
    const bytesPerIdleConnection =
      connections === 0 ? Number.NaN : ((memoryIdle.rss - memoryBefore.rss) * 1024 * 1024) / connections;

    // ---- Exchange offers, answers and candidates ---------------------------------------------
    // Per call, in turn: offer (doctor → patient), answer (patient → doctor), then candidates
    // both ways. Paced in 10 ms ticks.
    const kinds = ['offer', 'answer', 'candidate', 'candidate', 'candidate', 'candidate'] as const;
    let sent = 0;
    const cpuBefore = processCpuSeconds(serverPid);
    const schedulingBefore = processScheduling(serverPid);
    const machineBefore = machineCpuSeconds();
    const loadgenBefore = process.cpuUsage();
    const relayStarted = performance.now();
    const perTick = rate / 100;
    let due = 0;
    while (performance.now() - relayStarted < duration * 1000 && open.length > 0) {
      due += perTick;
      while (due >= 1) {
        due -= 1;
        const call = open[sent % open.length]!;
        const kind = kinds[Math.floor(sent / open.length) % kinds.length]!;
        const fromDoctor = kind === 'offer' || (kind === 'candidate' && sent % 2 === 0);
        const from = fromDoctor ? call.doctor : call.patient;
        const to = fromDoctor ? call.patient : call.doctor;
        const data =
          kind === 'candidate'
            ? { candidate: CANDIDATE, sentAt: performance.now() }
            : { description: { type: kind, sdp: SDP }, sentAt: performance.now() };
        from.socket!.send(JSON.stringify({ type: 'signal', to: to.participantId, data }));
        sent += 1;
      }
      await sleep(10);
    }
    const relaySeconds = (performance.now() - relayStarted) / 1000;
    await sleep(2000);
    const serverCpu = processCpuSeconds(serverPid) - cpuBefore;
    const schedulingAfter = processScheduling(serverPid);
    const machineAfter = machineCpuSeconds();
    const loadgen = process.cpuUsage(loadgenBefore);
    const phaseSeconds = relaySeconds + 2;
    const otherCpuCores =
      (machineAfter.busy - machineBefore.busy - serverCpu - (loadgen.user + loadgen.system) / 1e6) / phaseSeconds;
    const memoryAfter = processMemoryMiB(serverPid);

    for (const call of calls) {
      call.doctor.socket?.terminate();
      call.patient.socket?.terminate();
    }
    const wanted = callCount * 2;
    report(
      `signalling benchmark (${storage}; ${String(callCount)} calls planned, ${String(open.length)} with both sockets open; ${String(rate)} messages/s for ${String(duration)} s)`,
      {
        storage,
        connections,
        connectionsWanted: wanted,
        openFileLimit: fdLimit,
        limitedByOpenFiles: callsPlanned < callCount ? 'yes' : 'no',
        calls: open.length,
        credentialsPerSecond: round((people.length - credentialErrors) / credentialsSeconds, 0),
        connectSeconds: round(connectSeconds, 1),
        connectErrors,
        messagesSent: sent,
        messagesReceived: received,
        messagesLost: sent - received,
        messagesPerSecond: round(sent / relaySeconds, 0),
        relayP50Ms: round(percentile(latencies, 0.5), 3),
        relayP99Ms: round(percentile(latencies, 0.99), 3),
        relayMaxMs: round(
          latencies.reduce((a, b) => Math.max(a, b), 0),
          2,
        ),
        serverCpuMsPer1000Messages: round((1000 * serverCpu * 1000) / Math.max(1, sent), 1),
        serverWaitingForCpuPct: round(
          (100 * (schedulingAfter.waiting - schedulingBefore.waiting)) /
            Math.max(
              1e-9,
              schedulingAfter.running - schedulingBefore.running + schedulingAfter.waiting - schedulingBefore.waiting,
            ),
          1,
        ),
        otherCpuCores: round(otherCpuCores, 2),
        loadAverage1m: round(loadavg()[0] ?? 0, 1),
        serverRssBeforeMiB: round(memoryBefore.rss, 1),
        serverRssIdleMiB: round(memoryIdle.rss, 1),
        serverRssAfterMiB: round(memoryAfter.rss, 1),
        bytesPerIdleConnection: round(bytesPerIdleConnection, 0),
      },
    );
  } finally {
    await server.stop();
    cleanup();
  }
}
