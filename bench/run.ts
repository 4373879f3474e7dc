import { buildServer } from './lib.js';

/** `npm run bench -- NAME [--duration SECONDS]`; `npm run bench -- list` names them. */
const BENCHMARKS: Record<
  string,
  { description: string; load: () => Promise<{ run: (options: { duration: number }) => Promise<void> }> }
> = {
  health: {
    description: 'GET /health and an authenticated read vs a bare Node http server',
    load: () => import('./health.js'),
  },
  queue: {
    description:
      'OPD queue: 100 OPDs, 1,000 doctors, 50,000 patients on live sockets; call-next rate, latency, notice delay (--scale, --rate)',
    load: () => import('./queue.js'),
  },
  signalling: {
    description:
      'Call signalling: 10,000 WebSockets in 5,000 calls exchanging offers, answers and candidates; relay p50/p99, bytes per idle connection (--calls, --rate)',
    load: () => import('./signalling.js'),
  },
  import: {
    description: 'CSV import of a national care network (--scale 0.1 for a quick run), then facility search',
    load: () => import('./import.js'),
  },
  'national-day': {
    description:
      'Whole consultations end to end (85% hub-and-spoke, 15% OPD with OTP, live sockets and call signalling) on a day curve (--rate, --find-max, --storage, --instances)',
    load: () => import('./national-day.js'),
  },
  history: {
    description: "1 crore stored consultations (--scale): p99 of a patient's timeline and of a state's daily counts",
    load: () => import('./history.js'),
  },
  prescription: {
    description:
      'e-Prescriptions: signatures, verifications and PDFs per second on one core; public verification p99 under load',
    load: () => import('./prescription.js'),
  },
  spoke: {
    description:
      'Hub and spoke: 1,30,000 spokes, 16,500 hubs, 5,15,530 requests in one simulated day; routed/s, routing p99, SLA met, backlog when a third of doctors leave (--scale, default 0.05)',
    load: () => import('./spoke.js'),
  },
};

const [name, ...rest] = process.argv.slice(2);
const durationIndex = rest.indexOf('--duration');
const duration = durationIndex >= 0 ? Number(rest[durationIndex + 1]) : 10;

if (name === undefined || name === 'list') {
  for (const [key, value] of Object.entries(BENCHMARKS)) console.log(`${key.padEnd(16)} ${value.description}`);
  process.exit(name === undefined ? 1 : 0);
}
const benchmark = BENCHMARKS[name];
if (benchmark === undefined) {
  console.error(`Unknown benchmark "${name}". Known: ${Object.keys(BENCHMARKS).join(', ')}`);
  process.exit(1);
}
if (!Number.isFinite(duration) || duration <= 0) {
  console.error('--duration must be a positive number of seconds');
  process.exit(1);
}
buildServer();
await (await benchmark.load()).run({ duration });
