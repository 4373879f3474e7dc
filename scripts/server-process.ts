/** Starting the real server as a child process, for benchmarks and browser tests. */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));

export interface RunningServer {
  url: string;
  dataDir: string;
  process: ChildProcess;
  storage: 'pglite' | 'postgres';
  /** The database the server uses, when it is PostgreSQL (for benchmarks that seed it directly). */
  databaseUrl?: string;
  /** Sends SIGTERM and resolves with the exit code once the process has ended. */
  stop(): Promise<number | null>;
}

/** Builds the server if its sources changed (tsc -b is incremental). */
export function buildServer(): void {
  execFileSync(path.join(ROOT, 'node_modules/.bin/tsc'), ['-b', 'apps/server/tsconfig.build.json'], {
    cwd: ROOT,
    stdio: 'inherit',
  });
}

export interface StartOptions {
  /** Keep the embedded database in this folder (and leave it there afterwards). */
  dataDir?: string;
  /** PostgreSQL (a new database at DATABASE_URL) or PGlite; PostgreSQL when DATABASE_URL is set. */
  storage?: 'pglite' | 'postgres';
  /** Share this PostgreSQL database (another instance's) instead of creating one; left in place. */
  databaseUrl?: string;
}

/**
 * Starts the real server as its own process on a fresh store: a new PGlite folder, or a new
 * database in the PostgreSQL at DATABASE_URL (dropped afterwards), with the demo data loaded.
 */
export async function startServer(
  env: Record<string, string> = {},
  options: StartOptions = {},
): Promise<RunningServer> {
  const dataDir = options.dataDir ?? mkdtempSync(path.join(tmpdir(), 'sanjog-'));
  let databaseUrl: string | undefined;
  let dropDatabase: (() => Promise<void>) | undefined;
  const storage = options.storage ?? (process.env.DATABASE_URL ? 'postgres' : 'pglite');
  const adminUrl = process.env.DATABASE_URL;
  if (options.databaseUrl !== undefined) {
    databaseUrl = options.databaseUrl;
  } else if (storage === 'postgres') {
    if (adminUrl === undefined) throw new Error('PostgreSQL needs DATABASE_URL');
    const name = `sanjog_run_${String(process.pid)}_${String(Date.now())}`;
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`create database ${name}`);
    await admin.end();
    const url = new URL(adminUrl);
    url.pathname = `/${name}`;
    databaseUrl = url.toString();
    dropDatabase = async () => {
      const cleanup = new pg.Client({ connectionString: adminUrl });
      await cleanup.connect();
      await cleanup.query(`drop database if exists ${name} with (force)`);
      await cleanup.end();
    };
  }
  // SERVER_NODE_ARGS (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof") profiles the server under a benchmark.
  const nodeArgs = (process.env.SERVER_NODE_ARGS ?? '').split(' ').filter((arg) => arg !== '');
  const child = spawn(process.execPath, [...nodeArgs, 'apps/server/dist/server.js'], {
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
    dataDir,
    process: child,
    storage: databaseUrl === undefined ? 'pglite' : 'postgres',
    ...(databaseUrl === undefined ? {} : { databaseUrl }),
    stop: async () => {
      let code = child.exitCode;
      // A process already ended by a signal (a test's SIGKILL) has no exit code and will not exit again.
      if (code === null && child.signalCode === null) {
        const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        code = await exited;
      }
      if (options.dataDir === undefined) rmSync(dataDir, { recursive: true, force: true });
      await dropDatabase?.();
      return code;
    },
  };
}
