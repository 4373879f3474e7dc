import http from 'node:http';
import { performance } from 'node:perf_hooks';
export { buildServer, ROOT, startServer, type RunningServer } from '../scripts/server-process.js';

/** Signs in a demo staff member and returns a bearer header. */
export async function staffBearer(
  baseUrl: string,
  login: string,
  password = 'Sanjog@2026',
): Promise<Record<string, string>> {
  const response = await fetch(`${baseUrl}/api/v1/auth/staff`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ login, password, tokenDelivery: 'bearer' }),
  });
  const body = (await response.json()) as { token?: string };
  if (body.token === undefined) throw new Error(`sign-in of ${login} failed: ${JSON.stringify(body)}`);
  return { authorization: `Bearer ${body.token}` };
}

/** Prints the figures as a table, then as one JSON object on the last line. */
export function report(title: string, figures: Record<string, string | number>): void {
  console.log(`\n${title}`);
  const width = Math.max(...Object.keys(figures).map((k) => k.length));
  for (const [key, value] of Object.entries(figures)) console.log(`  ${key.padEnd(width)}  ${String(value)}`);
  console.log(JSON.stringify(figures));
}

export function round(value: number, digits = 2): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

// Helpers for benchmarks that watch processes (imports are hoisted, so this one may sit here).
import { readFileSync } from 'node:fs';

/** The value at quantile `q` (0..1) of some numbers, nearest rank; NaN when there are none. */
export function percentile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? Number.NaN;
}

/** CPU seconds (user + system) a process has used so far, from /proc/<pid>/stat (Linux). */
export function processCpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${String(pid)}/stat`, 'utf8');
  // The command name may hold spaces: the fields are counted after its closing parenthesis.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

/** Resident memory now and at its peak (VmRSS, VmHWM) of a process, in MiB, from /proc/<pid>/status. */
export function processMemoryMiB(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${String(pid)}/status`, 'utf8');
  const kib = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN);
  return { rss: kib('VmRSS') / 1024, peak: kib('VmHWM') / 1024 };
}

/** The soft limit on open files of a process, from /proc/<pid>/limits. */
export function openFileLimit(pid: number): number {
  const limits = readFileSync(`/proc/${String(pid)}/limits`, 'utf8');
  const match = /^Max open files\s+(\d+|unlimited)/m.exec(limits);
  return match?.[1] === undefined || match[1] === 'unlimited' ? Number.POSITIVE_INFINITY : Number(match[1]);
}

/** Busy and total CPU seconds of the whole machine so far, from /proc/stat. */
export function machineCpuSeconds(): { busy: number; total: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
  const ticks = line.trim().split(/\s+/).slice(1, 9).map(Number);
  const total = ticks.reduce((sum, t) => sum + t, 0);
  const idle = (ticks[3] ?? 0) + (ticks[4] ?? 0);
  return { busy: (total - idle) / CLOCK_TICKS, total: total / CLOCK_TICKS };
}

/** Linux reports process times in clock ticks; USER_HZ is 100 on every mainstream kernel. */
const CLOCK_TICKS = 100;

/**
 * Seconds a process's main thread has spent running and waiting for a CPU while runnable, from
 * /proc/<pid>/schedstat: the waiting shows how much other processes on the machine held it back.
 */
export function processScheduling(pid: number): { running: number; waiting: number } {
  const [running = 0, waiting = 0] = readFileSync(`/proc/${String(pid)}/schedstat`, 'utf8')
    .split(' ')
    .map(Number);
  return { running: running / 1e9, waiting: waiting / 1e9 };
}

/** The value after `--NAME` on the command line, if given. */
export function option(name: string): string | undefined {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? process.argv[index + 1] : undefined;
}

/** A positive number given as `--NAME VALUE`, or `fallback`. */
export function numberOption(name: string, fallback: number): number {
  const raw = option(name);
  const value = raw === undefined ? fallback : Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} must be a positive number`);
  return value;
}

/**
 * GETs at a steady `rate` per second for `seconds` (one every 1/rate s, each on its own,
 * kept-alive connections): the latency a client arriving at that rate sees. autocannon's
 * `overallRate` sends each second's share in a burst, which measures queueing, not latency.
 */
export async function pacedGets(
  paths: () => string,
  base: string,
  rate: number,
  seconds: number,
  headers: Record<string, string> = {},
): Promise<{ latencies: number[]; failures: number }> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const url = new URL(base);
  const latencies: number[] = [];
  let failures = 0;
  const one = (path: string) =>
    new Promise<void>((resolve) => {
      const started = performance.now();
      const request = http.get({ agent, host: url.hostname, port: url.port, path, headers }, (response) => {
        response.resume();
        response.on('end', () => {
          if (response.statusCode === 200) latencies.push(performance.now() - started);
          else failures += 1;
          resolve();
        });
      });
      request.on('error', () => {
        failures += 1;
        resolve();
      });
    });
  const inFlight: Promise<void>[] = [];
  const start = performance.now();
  const count = Math.round(rate * seconds);
  for (let i = 0; i < count; i += 1) {
    const due = start + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    inFlight.push(one(paths()));
  }
  await Promise.all(inFlight);
  agent.destroy();
  return { latencies, failures };
}
