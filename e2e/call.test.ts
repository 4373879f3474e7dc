import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../scripts/server-process.js';
import { launchChromium } from './browser.js';

/**
 * Video calls in real Chromium with a fake camera and microphone: a patient (in the waiting
 * room) and the OPD doctor see each other, a specialist joins as a third, the patient's network
 * drops and comes back without leaving the call, a stranger is refused; then the same with the
 * patient and the doctor on two server instances (PostgreSQL + Redis).
 */
const databaseUrl = process.env.DATABASE_URL;
const redisUrl = process.env.REDIS_URL;
const SECRET_KEY = 'e2e-call-secret-key-0123456789abcdefghijkl';
const PASSWORD = 'Sanjog@2026';
/** A 1 × 1 PNG. */
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
);

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium(['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream']);
});
afterAll(async () => {
  await browser.close();
});

/** Keeps every RTCPeerConnection of the page reachable, so that the test can read its statistics. */
function recordPeerConnections(options: { relayOnly: boolean }) {
  const Native = window.RTCPeerConnection;
  const all: RTCPeerConnection[] = [];
  const page = window as unknown as { __pcs: RTCPeerConnection[]; __lossPercent?: number };
  page.__pcs = all;
  window.RTCPeerConnection = class extends Native {
    constructor(configuration?: RTCConfiguration) {
      // Relay only: as behind a NAT where no direct path works, media must go through TURN.
      super(options.relayOnly ? { ...configuration, iceTransportPolicy: 'relay' } : configuration);
      all.push(this);
    }

    // A lossy link, as the statistics of a bad mobile network report it: with `__lossPercent`
    // set, that share of the packets counts as lost (media itself still flows on loopback).
    override async getStats(selector?: MediaStreamTrack | null): Promise<RTCStatsReport> {
      const report = await super.getStats(selector);
      const loss = page.__lossPercent;
      if (loss === undefined) return report;
      const lossy = new Map<string, unknown>();
      report.forEach((entry: Record<string, unknown>, key: string) => {
        if (entry.type !== 'inbound-rtp') return lossy.set(key, entry);
        const received = Number(entry.packetsReceived ?? 0);
        lossy.set(key, { ...entry, packetsLost: Math.round((received * loss) / (100 - loss)) });
      });
      return lossy;
    }
  };
}

async function newContext(options = { relayOnly: false }): Promise<BrowserContext> {
  const context = await browser.newContext({
    viewport: { width: 412, height: 900 },
    locale: 'en-IN',
    permissions: ['camera', 'microphone'],
  });
  await context.addInitScript(recordPeerConnections, options);
  return context;
}

interface VideoStats {
  /** Open peer connections. */
  links: number;
  /** Per open link: video frames decoded and bytes received so far. */
  perLink: { framesDecoded: number; bytesReceived: number; state: string }[];
}

/** Inbound video statistics of each open peer connection of the page, from getStats. */
function videoStats(page: Page): Promise<VideoStats> {
  return page.evaluate(async () => {
    const pcs = (window as unknown as { __pcs: RTCPeerConnection[] }).__pcs.filter(
      (pc) => pc.connectionState !== 'closed',
    );
    const perLink = [];
    for (const pc of pcs) {
      let framesDecoded = 0;
      let bytesReceived = 0;
      (await pc.getStats()).forEach((entry: Record<string, unknown>) => {
        if (entry.type === 'inbound-rtp' && entry.kind === 'video') {
          framesDecoded += Number(entry.framesDecoded ?? 0);
          bytesReceived += Number(entry.bytesReceived ?? 0);
        }
      });
      perLink.push({ framesDecoded, bytesReceived, state: pc.connectionState });
    }
    return { links: pcs.length, perLink };
  });
}

/** Waits until the page decodes video from `links` others. */
async function waitForVideo(page: Page, links: number, timeoutMs = 30_000): Promise<VideoStats> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const stats = await videoStats(page);
    if (stats.perLink.filter((l) => l.framesDecoded > 0).length >= links) return stats;
    if (Date.now() > deadline) throw new Error(`no video from ${String(links)} peer(s): ${JSON.stringify(stats)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Bytes and frames keep arriving on every link: a second sample, two seconds later, is higher on each. */
async function expectFlowing(page: Page, links: number): Promise<void> {
  const before = await waitForVideo(page, links);
  await new Promise((resolve) => setTimeout(resolve, 2000));
  const after = await videoStats(page);
  const growing = after.perLink.filter((link) =>
    before.perLink.some(
      (earlier) => link.bytesReceived > earlier.bytesReceived && link.framesDecoded > earlier.framesDecoded,
    ),
  );
  expect(growing.length, JSON.stringify({ before, after })).toBeGreaterThanOrEqual(links);
  for (const link of after.perLink.filter((l) => l.framesDecoded > 0)) expect(link.state).toBe('connected');
}

/** The kinds of local candidate (host, srflx, relay) of the page's connected links. */
function selectedCandidateTypes(page: Page): Promise<string[]> {
  return page.evaluate(async () => {
    const types: string[] = [];
    for (const pc of (window as unknown as { __pcs: RTCPeerConnection[] }).__pcs) {
      if (pc.connectionState !== 'connected') continue;
      const entries = new Map<string, Record<string, unknown>>();
      (await pc.getStats()).forEach((entry: Record<string, unknown>, key: string) => entries.set(key, entry));
      const transport = [...entries.values()].find((e) => e.type === 'transport');
      const pair = entries.get(String(transport?.selectedCandidatePairId));
      types.push(String(entries.get(String(pair?.localCandidateId))?.candidateType));
    }
    return types;
  });
}

/** The bitrate caps of the page's senders, by kind (null: none). */
function senderCaps(page: Page): Promise<{ video: (number | null)[]; audio: (number | null)[] }> {
  return page.evaluate(() => {
    const caps: { video: (number | null)[]; audio: (number | null)[] } = { video: [], audio: [] };
    for (const pc of (window as unknown as { __pcs: RTCPeerConnection[] }).__pcs) {
      if (pc.connectionState === 'closed') continue;
      for (const transceiver of pc.getTransceivers()) {
        const kind = transceiver.receiver.track.kind as 'audio' | 'video';
        const encoding = transceiver.sender.getParameters().encodings[0];
        if (transceiver.sender.track !== null) caps[kind].push(encoding?.maxBitrate ?? null);
      }
    }
    return caps;
  });
}

/** What the page sends of video, in kbps, over `ms`. */
async function outboundVideoKbps(page: Page, ms: number): Promise<number> {
  const sent = () =>
    page.evaluate(async () => {
      let bytes = 0;
      for (const pc of (window as unknown as { __pcs: RTCPeerConnection[] }).__pcs) {
        if (pc.connectionState === 'closed') continue;
        (await pc.getStats()).forEach((entry: Record<string, unknown>) => {
          if (entry.type === 'outbound-rtp' && entry.kind === 'video') bytes += Number(entry.bytesSent ?? 0);
        });
      }
      return bytes;
    });
  const before = await sent();
  await new Promise((resolve) => setTimeout(resolve, ms));
  return (((await sent()) - before) * 8) / ms;
}

async function latestCode(server: RunningServer, mobile: string): Promise<string> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const response = await fetch(`${server.url}/api/v1/dev/sms-outbox?mobile=${mobile}&limit=5`);
    const { messages } = (await response.json()) as { messages: { body: string; createdAt: string }[] };
    const newest = [...messages].sort((a, b) => b.createdAt.localeCompare(a.createdAt))[0];
    const code = newest === undefined ? undefined : /\b(\d{6})\b/.exec(newest.body)?.[1];
    if (code !== undefined) return code;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`no code sent to ${mobile}`);
}

let mobileSeed = Date.now() % 10_000_000;
const newMobile = () => `97${String((mobileSeed += 1) % 100_000_000).padStart(8, '0')}`;

/** Signs the context in as a new patient (session cookie), through the API as the app does. */
async function signInPatient(context: BrowserContext, server: RunningServer): Promise<string> {
  const mobile = newMobile();
  const challenge = await context.request.post(`${server.url}/api/v1/auth/otp`, { data: { mobile } });
  const { challengeId } = (await challenge.json()) as { challengeId: string };
  const verified = await context.request.post(`${server.url}/api/v1/auth/otp/verify`, {
    data: { challengeId, code: await latestCode(server, mobile) },
  });
  expect(verified.status()).toBe(200);
  return mobile;
}

async function signInStaff(context: BrowserContext, server: RunningServer, login: string): Promise<void> {
  const response = await context.request.post(`${server.url}/api/v1/auth/staff`, {
    data: { login, password: PASSWORD },
  });
  expect(response.status()).toBe(200);
}

// The caller names the shape it expects; the server's schemas are tested elsewhere.
async function call<T>(context: BrowserContext, method: 'GET' | 'POST', url: string, data?: object): Promise<T> {
  const response =
    method === 'GET' ? await context.request.get(url) : await context.request.post(url, { data: data ?? {} });
  if (response.status() >= 300)
    throw new Error(`${method} ${url}: ${String(response.status())} ${await response.text()}`);
  return (await response.json()) as T;
}

/**
 * A patient takes a token at the demo General OPD (through `patientServer`), the demo OPD doctor
 * calls it (through `doctorServer`) and the patient joins: the consultation is in progress.
 */
async function startConsultation(
  patientServer: RunningServer,
  doctorServer: RunningServer,
  doctorConsole: boolean,
  contextOptions = { relayOnly: false },
) {
  const patient = await newContext(contextOptions);
  const doctor = await newContext(contextOptions);
  await signInPatient(patient, patientServer);
  await signInStaff(doctor, doctorServer, 'up.opddoctor');
  const profile = await call<{ id: string }>(patient, 'POST', `${patientServer.url}/api/v1/me/patients`, {
    self: true,
    name: 'Call Patient',
    sex: 'female',
    ageYears: 34,
    stateId: 'IN-09',
    districtId: 'IN-09-162',
  });
  const opds = await call<{ items: { id: string; name: string }[] }>(
    patient,
    'GET',
    `${patientServer.url}/api/v1/opds?stateId=IN-09`,
  );
  const opd = opds.items.find((o) => o.name.includes('General'));
  if (opd === undefined) throw new Error('no General OPD in the demo data');
  const token = await call<{ id: string }>(patient, 'POST', `${patientServer.url}/api/v1/opd/tokens`, {
    opdId: opd.id,
    patientId: profile.id,
  });
  // The doctor calls from the OPD console (whose workspace then holds the call), or through the API.
  const doctorPage = await doctor.newPage();
  if (doctorConsole) {
    await doctorPage.goto(`${doctorServer.url}/home`);
    await doctorPage.click('[data-testid=card-queue-link]');
    await doctorPage.click('[data-testid=call-next]');
    await doctorPage.waitForSelector('[data-testid=calling]').catch(async (error: unknown) => {
      // What the console told the doctor instead says why.
      const news = await doctorPage.textContent('[data-testid=doctor-news]', { timeout: 1000 }).catch(() => null);
      throw new Error(`the console shows no call (its notice: ${String(news)})`, { cause: error });
    });
  } else {
    const called = await call<{ token: { id: string } }>(
      doctor,
      'POST',
      `${doctorServer.url}/api/v1/opd/${opd.id}/call-next`,
      {},
    );
    expect(called.token.id).toBe(token.id);
  }
  const joined = await call<{ status: string; consultationId: string }>(
    patient,
    'POST',
    `${patientServer.url}/api/v1/opd/tokens/${token.id}/join`,
    { mode: 'video' },
  );
  expect(joined.status).toBe('in_consultation');
  return { patient, doctor, doctorPage, tokenId: token.id, consultationId: joined.consultationId };
}

async function callScenario(
  patientServer: RunningServer,
  doctorServer: RunningServer,
  doctorConsole: boolean,
): Promise<void> {
  const { patient, doctor, doctorPage, tokenId, consultationId } = await startConsultation(
    patientServer,
    doctorServer,
    doctorConsole,
  );
  if (!doctorConsole) await doctorPage.goto(`${doctorServer.url}/call/${consultationId}`);
  // In the console the call appears in the workspace once the patient has joined.
  await doctorPage.waitForSelector('[data-testid=call][data-status=in-call]', { timeout: 30_000 });

  // The patient's waiting room shows the call; time from opening it to the first remote frame.
  const patientPage = await patient.newPage();
  let joinAt: number | undefined;
  patientPage.on('request', (request) => {
    if (request.method() === 'POST' && request.url().endsWith(`/consultations/${consultationId}/call`))
      joinAt ??= Date.now();
  });
  const openedAt = Date.now();
  await patientPage.goto(`${patientServer.url}/consult/token/${tokenId}`);
  await waitForVideo(patientPage, 1);
  const firstFrameAt = Date.now();
  console.log(
    `first remote video frame (loopback): ${String(firstFrameAt - (joinAt ?? openedAt))} ms after the join request, ` +
      `${String(firstFrameAt - openedAt)} ms after opening the waiting room (page and chunks loaded)`,
  );
  await patientPage.waitForSelector('[data-testid=in-consultation] [data-testid=call][data-status=in-call]');

  // Both see and hear each other: frames decoded and bytes arriving on both sides.
  await expectFlowing(patientPage, 1);
  await expectFlowing(doctorPage, 1);

  // Chat goes through the server and is kept with the consultation.
  await patientPage.fill('[data-testid=chat-input]', 'Namaste doctor');
  await patientPage.click('[data-testid=chat-send]');
  await doctorPage.waitForSelector('[data-testid=chat-log] >> text=Namaste doctor');

  // A photo goes peer to peer over the data channel.
  await patientPage.setInputFiles('[data-testid=call-file]', { name: 'rash.png', mimeType: 'image/png', buffer: PNG });
  await doctorPage.waitForSelector('[data-testid=files-received] >> text=rash.png');

  // The measured quality drops (a quarter of the packets lost): the low-data mode is proposed,
  // and accepted it caps what both ends of the link send: video 150 kbps, audio 32 kbps.
  await patientPage.waitForSelector('[data-testid=call-quality][data-quality=good]');
  await patientPage.evaluate(() => {
    (window as unknown as { __lossPercent?: number }).__lossPercent = 25;
  });
  await patientPage.waitForSelector('[data-testid=call-quality][data-quality=poor]');
  await patientPage.click('[data-testid=low-bandwidth-accept]');
  await patientPage.evaluate(() => {
    delete (window as unknown as { __lossPercent?: number }).__lossPercent;
  });
  for (const page of [patientPage, doctorPage]) {
    await expect.poll(() => senderCaps(page), { timeout: 10_000 }).toEqual({ video: [150_000], audio: [32_000] });
  }
  await new Promise((resolve) => setTimeout(resolve, 3000));
  const sentKbps = await outboundVideoKbps(patientPage, 4000);
  console.log(`patient's video in low-data mode: ${sentKbps.toFixed(0)} kbps`);
  expect(sentKbps).toBeGreaterThan(0);
  expect(sentKbps).toBeLessThanOrEqual(165);
  // Switched off again by hand, the caps go (and the proposal does not come back by itself).
  await patientPage.click('[data-testid=call-low-bandwidth]');
  for (const page of [patientPage, doctorPage]) {
    await expect.poll(() => senderCaps(page), { timeout: 10_000 }).toEqual({ video: [null], audio: [null] });
  }

  // When the call cannot be made, the patient asks for a phone call and the doctor sees it. Here a
  // second page of the patient's whose signalling never answers: the WebSocket is routed to a mock
  // that opens and stays silent, so this page never hears its welcome.
  const silentPage = await patient.newPage();
  const silentSockets: string[][] = [];
  await silentPage.routeWebSocket(/\/api\/v1\/calls\/signal\b/, (socket) => {
    const sent: string[] = [];
    silentSockets.push(sent);
    socket.onMessage((message) => sent.push(message.toString()));
  });
  await silentPage.goto(`${patientServer.url}/call/${consultationId}`);
  await silentPage.click('[data-testid=callback-request]');
  await silentPage.waitForSelector('[data-testid=callback-asked]');
  await silentPage.waitForSelector('[data-testid=call][data-status=joining]');
  await doctorPage.waitForSelector('[data-testid=callbacks] li[data-status=open]');
  // The page in the call hears of it through the room.
  await patientPage.waitForSelector('[data-testid=callback-asked]');

  // A specialist is invited by the doctor and joins as a third participant.
  const specialist = await newContext();
  await signInStaff(specialist, doctorServer, 'up.hubdoctor');
  await call(doctor, 'POST', `${doctorServer.url}/api/v1/consultations/${consultationId}/call/invites`, {
    username: 'up.hubdoctor',
    role: 'specialist',
  });
  const specialistPage = await specialist.newPage();
  await specialistPage.goto(`${doctorServer.url}/call/${consultationId}`);
  await expectFlowing(specialistPage, 2);
  await expectFlowing(patientPage, 2);
  await expectFlowing(doctorPage, 2);
  // CALL_SCREENSHOTS=folder keeps pictures of the three-way call, for looking at the layout.
  const screenshots = process.env.CALL_SCREENSHOTS;
  if (screenshots !== undefined) {
    for (const [name, page] of [
      ['patient', patientPage],
      ['doctor', doctorPage],
      ['specialist', specialistPage],
    ] as const) {
      await page.screenshot({ path: `${screenshots}/call-${name}.png`, fullPage: true });
    }
  }

  // The silent page's socket answered no ping: the heartbeat dropped it and made a new one.
  await expect.poll(() => silentSockets.length, { timeout: 30_000 }).toBeGreaterThanOrEqual(2);
  expect(silentSockets[0]).toContain(JSON.stringify({ type: 'ping' }));
  await silentPage.close();

  // The patient's network drops: the doctor sees them away, not gone.
  const patientPeer = (
    await call<{ participantId: string }>(
      patient,
      'POST',
      `${patientServer.url}/api/v1/consultations/${consultationId}/call`,
    )
  ).participantId;
  // ICE restarts so far (hearing of a peer twice is none): the recovery below must add its own.
  const restartsOf = async () => {
    const counts = await Promise.all(
      [patientPage, doctorPage, specialistPage].map((page) =>
        page.getAttribute('[data-testid=call]', 'data-ice-restarts').then(Number),
      ),
    );
    return counts.reduce((a, b) => a + b, 0);
  };
  const restartsBefore = await restartsOf();
  await patient.setOffline(true);
  await doctorPage.waitForSelector(`[data-testid=remote-peer][data-peer="${patientPeer}"][data-state=away]`);
  await new Promise((resolve) => setTimeout(resolve, 2000));
  // And it comes back: the signalling socket reconnects, ICE restarts, media flows again.
  await patient.setOffline(false);
  await doctorPage.waitForSelector(`[data-testid=remote-peer][data-peer="${patientPeer}"]:not([data-state=away])`);
  await patientPage.waitForSelector('[data-testid=call][data-status=in-call]');
  // The patient's network came back: its links restart ICE (counted where the new offer is made).
  await expect.poll(restartsOf, { timeout: 10_000 }).toBeGreaterThan(restartsBefore);
  console.log(`ICE restarts: ${String(restartsBefore)} before the drop, ${String(await restartsOf())} after`);
  await expectFlowing(patientPage, 2);
  await expectFlowing(doctorPage, 2);
  // The patient never left the consultation: its token is still in consultation.
  const tokens = await call<{ items: { id: string; status: string }[] }>(
    patient,
    'GET',
    `${patientServer.url}/api/v1/me/tokens`,
  );
  expect(tokens.items.find((t) => t.id === tokenId)?.status).toBe('in_consultation');
  // Every join and leave was recorded: the patient joined, dropped, and joined again.
  const events = await call<{ items: { participantId: string; event: string; detail: { rejoin?: boolean } }[] }>(
    doctor,
    'GET',
    `${doctorServer.url}/api/v1/consultations/${consultationId}/call/events`,
  );
  const patientEvents = events.items.filter((e) => e.participantId === patientPeer);
  expect(patientEvents.map((e) => e.event).slice(0, 3)).toEqual(['join', 'leave', 'join']);

  // Someone who is not a participant is refused.
  const stranger = await newContext();
  await signInPatient(stranger, patientServer);
  const strangerPage = await stranger.newPage();
  await strangerPage.goto(`${patientServer.url}/call/${consultationId}`);
  await strangerPage.waitForSelector('[data-testid=call][data-status=refused]');
  expect((await videoStats(strangerPage)).links).toBe(0);

  for (const context of [patient, doctor, specialist, stranger]) await context.close();
}

describe('video calls on one server', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer({ SECRET_KEY }, { storage: 'pglite' });
  });
  afterAll(async () => {
    await server.stop();
  });

  it('connects patient and doctor, takes a third, survives a dropped network and refuses a stranger', async () => {
    await callScenario(server, server, true);
  });
});

describe.skipIf(databaseUrl === undefined || redisUrl === undefined)(
  'video calls across two server instances (needs DATABASE_URL and REDIS_URL)',
  () => {
    let a: RunningServer;
    let b: RunningServer;
    beforeAll(async () => {
      a = await startServer({ SECRET_KEY, REDIS_URL: redisUrl! }, { storage: 'postgres' });
      b = await startServer({ SECRET_KEY, REDIS_URL: redisUrl! }, { databaseUrl: a.databaseUrl! });
    });
    afterAll(async () => {
      await b.stop();
      await a.stop();
    });

    it('connects a patient on one instance with the doctor on the other, through Redis', async () => {
      await callScenario(a, b, false);
    });
  },
);

const turnserver = spawnSync('turnserver', ['--version']).error === undefined;

describe.skipIf(!turnserver)("video calls through coturn (needs Debian's coturn: apt-get install coturn)", () => {
  const TURN_SECRET = 'e2e-coturn-static-auth-secret-0123456789';
  const TURN_PORT = 34780;
  let coturn: ChildProcess;
  let server: RunningServer;
  beforeAll(async () => {
    // coturn as the README runs it (use-auth-secret), on loopback for the test.
    coturn = spawn(
      'turnserver',
      [
        '-n',
        '--listening-ip=127.0.0.1',
        '--relay-ip=127.0.0.1',
        `--listening-port=${String(TURN_PORT)}`,
        '--min-port=49160',
        '--max-port=49400',
        '--use-auth-secret',
        `--static-auth-secret=${TURN_SECRET}`,
        '--realm=sanjog.test',
        '--allow-loopback-peers',
        '--fingerprint',
        '--no-cli',
        '--no-tls',
        '--no-dtls',
        '--log-file=stdout',
      ],
      { stdio: 'ignore' },
    );
    await new Promise((resolve) => setTimeout(resolve, 1000));
    server = await startServer(
      {
        SECRET_KEY,
        CALL_STUN_URLS: `stun:127.0.0.1:${String(TURN_PORT)}`,
        CALL_TURN_URLS: `turn:127.0.0.1:${String(TURN_PORT)}?transport=udp`,
        CALL_TURN_SECRET: TURN_SECRET,
      },
      { storage: 'pglite' },
    );
  });
  afterAll(async () => {
    await server.stop();
    coturn.kill('SIGTERM');
  });

  it('connects a patient and a doctor through the TURN relay with the credentials the server issued', async () => {
    const { patient, doctor, doctorPage, tokenId, consultationId } = await startConsultation(server, server, false, {
      relayOnly: true,
    });
    await doctorPage.goto(`${server.url}/call/${consultationId}`);
    const patientPage = await patient.newPage();
    await patientPage.goto(`${server.url}/consult/token/${tokenId}`);
    await expectFlowing(patientPage, 1);
    await expectFlowing(doctorPage, 1);
    expect(await selectedCandidateTypes(patientPage)).toEqual(['relay']);
    expect(await selectedCandidateTypes(doctorPage)).toEqual(['relay']);
    await patient.close();
    await doctor.close();
  });
});
