import type { FastifyInstance } from 'fastify';
import { buildApp } from './app.js';
import { openBus, type Bus } from './platform/bus.js';
import { systemClock } from './platform/clock.js';
import { ConfigError, loadConfig, type Config } from './platform/config.js';
import type { Database } from './platform/db/database.js';
import { migrate } from './platform/db/migrate.js';
import { openDatabase } from './platform/db/open.js';
import { FacilityRepository } from './modules/facilities/index.js';
import { FormularyRepository } from './modules/formulary/index.js';
import { GeographyRepository } from './modules/geography/index.js';
import { IdentityRepository } from './modules/identity/index.js';
import { MappingRepository } from './modules/mappings/index.js';
import { OpdRepository } from './modules/opds/index.js';
import { PatientRepository } from './modules/patients/index.js';
import { PractitionerRepository } from './modules/practitioners/index.js';
import { RosterRepository } from './modules/rosters/index.js';
import { TerminologyRepository } from './modules/terminology/index.js';
import { demoSignIns, formatSignIns, loadDemoData } from './seed/demo.js';
import { loadClinicalTerms, loadFormulary, loadIndiaGeography, loadSpecialities } from './seed/reference.js';

/** Opens the database, brings its schema and reference data up to date, and loads demo data. */
export async function prepareDatabase(
  config: Config,
  db: Database,
): Promise<{ migrations: string[]; demoLoaded: boolean }> {
  const migrations = await migrate(db);
  const geography = new GeographyRepository(db);
  await loadIndiaGeography(geography);
  await loadSpecialities(new TerminologyRepository(db));
  await loadClinicalTerms(new TerminologyRepository(db));
  await loadFormulary(new FormularyRepository(db));
  const demoLoaded = config.demoData
    ? await loadDemoData({
        identity: new IdentityRepository(db),
        facilities: new FacilityRepository(db),
        practitioners: new PractitionerRepository(db),
        mappings: new MappingRepository(db),
        rosters: new RosterRepository(db),
        opds: new OpdRepository(db),
        patients: new PatientRepository(db),
      })
    : false;
  return { migrations, demoLoaded };
}

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(78); // EX_CONFIG
    }
    throw error;
  }

  const db = await openDatabase(config);
  let bus: Bus | undefined;
  let app: FastifyInstance | undefined;
  try {
    const prepared = await prepareDatabase(config, db);
    bus = await openBus(config.redisUrl);
    app = await buildApp(config, { db, bus, clock: systemClock });
    if (prepared.migrations.length > 0) app.log.info({ migrations: prepared.migrations }, 'database migrated');
    await app.listen({ host: config.host, port: config.port });
  } catch (error) {
    console.error(error);
    await app?.close().catch(() => undefined);
    await bus?.close();
    await db.close();
    process.exit(1);
  }

  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : config.port;
  const storage = config.databaseUrl === undefined ? `embedded PGlite in ${config.dataDir}` : 'PostgreSQL';
  console.log(
    `\nSanjog is running at http://localhost:${port}  (storage: ${storage}; events: ${config.redisUrl === undefined ? 'in-process' : 'Redis'})`,
  );
  console.log(`API documentation: http://localhost:${port}/docs`);
  if (config.demoData) {
    console.log(`\nDemo sign-ins (one per role):\n${formatSignIns(demoSignIns())}`);
    if (config.sms.adapter === 'outbox')
      console.log(`SMS outbox (one-time codes): http://localhost:${port}/dev/outbox\n`);
  }

  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, 'shutting down: finishing requests in flight');
    const force = setTimeout(() => process.exit(1), 15_000);
    force.unref();
    try {
      await app.close();
      await bus.close();
      await db.close();
      process.exit(0);
    } catch (error) {
      app.log.error({ err: error }, 'shutdown failed');
      process.exit(1);
    }
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
}

// Run only as the entry point, so that scripts and tests may import `prepareDatabase`.
if (process.argv[1] !== undefined && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  await main();
}
