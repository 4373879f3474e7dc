import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));

export interface RunningServer {
  url: string;
  process: ChildProcess;
  storage: 'pglite' | 'postgres';
  stop(): Promise<void>;
}

/** Builds the server if its sources changed (tsc -b is incremental). */
export function buildServer(): void {
  execFileSync(path.join(ROOT, 'node_modules/.bin/tsc'), ['-b', 'apps/server/tsconfig.build.json'], {
    cwd: ROOT,
    stdio: 'inherit',
  });
}

/**
 * Starts the real server as its own process on a fresh store: a new PGlite folder, or a new
 * database in the PostgreSQL at DATABASE_URL (dropped afterwards), with the demo data loaded.
 */
export async function startServer(env: Record<string, string> = {}): Promise<RunningServer> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'sanjog-bench-'));
  let databaseUrl: string | undefined;
  let dropDatabase: (() => Promise<void>) | undefined;
  if (process.env.DATABASE_URL) {
    const name = `sanjog_bench_${String(process.pid)}_${String(Date.now())}`;
    const admin = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await admin.connect();
    await admin.query(`create database ${name}`);
    await admin.end();
    const url = new URL(process.env.DATABASE_URL);
    url.pathname = `/${name}`;
    databaseUrl = url.toString();
    dropDatabase = async () => {
      const cleanup = new pg.Client({ connectionString: process.env.DATABASE_URL });
      await cleanup.connect();
      await cleanup.query(`drop database if exists ${name} with (force)`);
      await cleanup.end();
    };
  }
  const child = spawn(process.execPath, ['apps/server/dist/server.js'], {
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: '0',
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      LOG_LEVEL: 'warn',
      DEMO_DATA: 'true',
      // Benchmarks sign in many times from one address.
      OTP_MAX_PER_IP: '1000000',
      OTP_MAX_PER_MOBILE: '1000000',
      ...(databaseUrl === undefined ? { DATABASE_URL: '' } : { DATABASE_URL: databaseUrl }),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let output = '';
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /running at (http:\/\/localhost:\d+)/.exec(output);
      if (match?.[1] !== undefined) resolve(match[1].replace('localhost', '127.0.0.1'));
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (chunk: Buffer) => process.stderr.write(chunk));
    child.once('exit', (code) =>
      reject(new Error(`server exited with ${String(code)} before it was ready:\n${output}`)),
    );
  });
  return {
    url,
    process: child,
    storage: databaseUrl === undefined ? 'pglite' : 'postgres',
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dataDir, { recursive: true, force: true });
      await dropDatabase?.();
    },
  };
}

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
