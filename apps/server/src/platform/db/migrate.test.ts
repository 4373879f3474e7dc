import { mkdtemp, writeFile, copyFile, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDatabase, type TestDatabase } from '../../test/database.js';
import { migrate, MIGRATIONS_DIR, readMigrations } from './migrate.js';

let database: TestDatabase;
beforeAll(async () => {
  database = await openTestDatabase({ migrate: false });
});
afterAll(async () => {
  await database.drop();
});

describe(`migrations (${process.env.TEST_STORAGE ?? 'pglite'})`, () => {
  it('applies every numbered migration on an empty database', async () => {
    const applied = await migrate(database.db);
    const files = await readMigrations();
    expect(applied).toEqual(files.map((f) => f.name));
    const tables = await database.db.query<{ name: string }>(
      'select table_name as name from information_schema.tables where table_schema = current_schema() order by 1',
    );
    expect(tables.map((t) => t.name)).toEqual(
      expect.arrayContaining(['users', 'sessions', 'patients', 'audit_log', 'states', 'facilities']),
    );
  });

  it('does nothing the second time', async () => {
    expect(await migrate(database.db)).toEqual([]);
  });

  it('refuses to start when an applied migration was edited', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'migrations-'));
    for (const file of await readdir(MIGRATIONS_DIR))
      await copyFile(path.join(MIGRATIONS_DIR, file), path.join(dir, file));
    await writeFile(path.join(dir, '0001_foundation.sql'), '-- rewritten history\n', { flag: 'a' });
    await expect(migrate(database.db, dir)).rejects.toThrow(/0001_foundation was changed/);
  });

  it('applies a new migration all or nothing', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'migrations-'));
    for (const file of await readdir(MIGRATIONS_DIR))
      await copyFile(path.join(MIGRATIONS_DIR, file), path.join(dir, file));
    await writeFile(path.join(dir, '9998_good.sql'), 'create table migration_probe (id int);');
    await writeFile(path.join(dir, '9999_bad.sql'), 'create table broken (;');
    await expect(migrate(database.db, dir)).rejects.toThrow();
    const probe = await database.db.query(
      "select 1 from information_schema.tables where table_name = 'migration_probe' and table_schema = current_schema()",
    );
    expect(probe).toHaveLength(0);
  });
});
