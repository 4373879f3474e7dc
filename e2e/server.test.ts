import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { PGlite } from '@electric-sql/pglite';
import { describe, expect, it } from 'vitest';
import { ROOT, startServer } from '../scripts/server-process.js';

const run = promisify(execFile);

/** The built server as `npm start` runs it: its own process on the embedded database. */
describe('the server process', () => {
  it('starts on a fresh folder, migrates, loads the demo, serves, and shuts down cleanly on SIGTERM', async () => {
    const server = await startServer({}, { storage: 'pglite' });
    const ready = await fetch(`${server.url}/ready`);
    expect(await ready.json()).toMatchObject({ status: 'ready' });
    const signIn = await fetch(`${server.url}/api/v1/auth/staff`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ login: 'up.admin', password: 'Sanjog@2026' }),
    });
    expect(signIn.status).toBe(200);
    expect(await server.stop()).toBe(0);
  });

  it('keeps its data across a restart and loads the demo only once', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'sanjog-restart-'));
    const first = await startServer({}, { storage: 'pglite', dataDir });
    await first.stop();
    const second = await startServer({}, { storage: 'pglite', dataDir });
    const signIn = await fetch(`${second.url}/api/v1/auth/staff`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ login: 'national.admin', password: 'Sanjog@2026', tokenDelivery: 'bearer' }),
    });
    const { token } = (await signIn.json()) as { token: string };
    const facilities = (await (
      await fetch(`${second.url}/api/v1/facilities?q=Ayushman%20Arogya%20Mandir%20Malihabad`, {
        headers: { authorization: `Bearer ${token}` },
      })
    ).json()) as { total: number };
    expect(facilities.total).toBe(1);
    await second.stop();
  });

  it('stops with a message naming a bad setting', async () => {
    const failure = await run(process.execPath, ['apps/server/dist/server.js'], {
      cwd: ROOT,
      env: { ...process.env, PORT: 'eighty' },
    }).catch((error: unknown) => error as { code: number; stderr: string });
    expect(failure).toMatchObject({ code: 78 });
    expect((failure as { stderr: string }).stderr).toContain('PORT must be a whole number');
  });

  it('verifies the audit chain from the command line, and catches tampering', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'sanjog-audit-'));
    const server = await startServer({}, { storage: 'pglite', dataDir });
    for (const login of ['up.admin', 'auditor']) {
      await fetch(`${server.url}/api/v1/auth/staff`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ login, password: 'Sanjog@2026' }),
      });
    }
    await server.stop();
    const env = { ...process.env, DATA_DIR: dataDir, DATABASE_URL: '' };
    const intact = await run(process.execPath, ['apps/server/dist/cli/audit-verify.js'], { cwd: ROOT, env });
    expect(intact.stdout).toMatch(/Audit chain intact: 2 entries verified/);

    const db = new PGlite(dataDir);
    await db.exec(`alter table audit_log disable trigger audit_log_no_update;
      update audit_log set ip = '203.0.113.9' where seq = 1;`);
    await db.close();
    const broken = await run(process.execPath, ['apps/server/dist/cli/audit-verify.js'], { cwd: ROOT, env }).catch(
      (error: unknown) => error as { code: number; stderr: string },
    );
    expect(broken).toMatchObject({ code: 1 });
    expect((broken as { stderr: string }).stderr).toMatch(/BROKEN at entry 1/);
  });
});
