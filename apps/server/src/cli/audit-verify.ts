import { systemClock } from '../platform/clock.js';
import { ConfigError, loadConfig } from '../platform/config.js';
import { openDatabase } from '../platform/db/open.js';
import { AuditLog, AuditRepository } from '../modules/audit/index.js';

/**
 * `npm run audit:verify`: walks the audit hash chain of the configured database and exits 0 when
 * it is whole, 1 (naming the first broken entry) when anything was edited or removed.
 */
try {
  const config = loadConfig();
  const db = await openDatabase(config);
  const result = await new AuditLog(new AuditRepository(db), systemClock).verify();
  await db.close();
  if (result.ok) {
    console.log(`Audit chain intact: ${result.checked} entries verified.`);
  } else {
    console.error(
      `Audit chain BROKEN at entry ${result.firstBrokenSeq ?? '?'}: ${result.reason ?? ''} (${result.checked} entries verified before it).`,
    );
    process.exitCode = 1;
  }
} catch (error) {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exitCode = 2;
}
