import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { operationOutcome, type OperationOutcomeIssue } from '@sanjog/shared';
import type { Actor, StateScope } from '../../platform/auth.js';
import { actingRole, scopeFor } from '../../platform/auth.js';
import { AppError, badRequest, conflict, forbidden, notFound, unavailable } from '../../platform/errors.js';
import type { AuditRecorder } from '../audit/index.js';
import { NETWORK_WRITERS } from '../facilities/index.js';
import type { GeographyService } from '../geography/index.js';
import { checkerFor, ErrorList } from './checks.js';
import { CsvError, CsvParser, readCsv } from './csv.js';
import { readHeader, type Header, type ImportKind, type ReferenceData, type RowError } from './formats.js';
import type { ImportCounts, ImportJobRow, ImportRepository } from './repository.js';
import { writerFor } from './writers.js';

/** At most this many errors are kept and shown; the rest are counted. */
export const MAX_REPORTED_ERRORS = 10_000;

export interface ImportOptions {
  /** Where uploads are kept while they are checked and written (default: the system's temp folder). */
  tmpDir?: string;
  /** Files of up to this many rows are answered when written; larger ones as a job to poll. */
  syncRows?: number;
  /** Rows per database round trip, for the checks and for the writes. */
  batchRows?: number;
  /** Told of an import that failed unexpectedly (it was rolled back). */
  onError?: (error: unknown, jobId: string) => void;
}

export interface StartImport {
  kind: ImportKind;
  dryRun: boolean;
  /** A client-generated job id, so that the client can poll progress while it still uploads. */
  id?: string | undefined;
  body: AsyncIterable<Uint8Array | string>;
  maxBytes: number;
  /** Answer as soon as the file is checked, without waiting for the writes (Prefer: respond-async). */
  respondAsync: boolean;
}

/** Thrown at the end of a dry run to roll back what it wrote, carrying what it would have done. */
class DryRunDone extends Error {
  constructor(readonly counts: ImportCounts) {
    super('dry run');
  }
}

const PROGRESS_INTERVAL_MS = 1000;
/** The statistics of the tables being filled are refreshed after this many rows, then at each doubling. */
const ANALYZE_FIRST_AT = 20_000;

export const payloadTooLarge = (maxBytes: number): AppError =>
  new AppError(
    413,
    operationOutcome({
      severity: 'error',
      code: 'too-costly',
      diagnostics: `The file is larger than ${Math.round(maxBytes / 1024 / 1024)} MiB; split it into several files`,
    }),
  );

/** The OperationOutcome of a refused file: one issue per problem, `expression: ['line 12.pincode']`. */
export function rejectionOutcome(jobId: string, errors: RowError[], errorCount: number) {
  const issues: OperationOutcomeIssue[] = errors.map((error) => ({
    severity: 'error',
    code: 'invalid',
    diagnostics: error.line === 0 ? error.reason : `Line ${error.line}, ${error.field}: ${error.reason}`,
    expression: [error.line === 0 ? 'file' : `line ${error.line}.${error.field}`],
  }));
  if (errorCount > errors.length) {
    issues.push({
      severity: 'information',
      code: 'too-costly',
      diagnostics: `${errorCount - errors.length} further errors are not listed; correct these and upload again`,
    });
  }
  return { ...operationOutcome(issues), id: jobId };
}

interface LiveJob {
  row: ImportJobRow;
  lastSaved: number;
}

/**
 * Bulk CSV imports of the care network. A file is read once as it is uploaded: every row is
 * checked while a copy goes to a temporary file, keeping only the keys the checks need. A file
 * with any error is refused whole, with every error listed. A clean file is read again from
 * the copy and written in batches in one transaction; a dry run rolls that transaction back, so
 * that it reports exactly what an import would do and changes nothing. Unchanged rows are not
 * touched, so re-importing a file changes nothing.
 */
export class ImportService {
  private readonly live = new Map<string, LiveJob>();
  private readonly running = new Set<Promise<unknown>>();
  private closing = false;
  private geographyData: Promise<{ states: Map<string, string>; districts: Set<string> }> | null = null;
  private readonly tmpDir: string;
  private readonly syncRows: number;
  private readonly batchRows: number;

  constructor(
    private readonly repository: ImportRepository,
    private readonly geography: Pick<GeographyService, 'listStates' | 'listDistricts'>,
    private readonly audit: AuditRecorder,
    private readonly options: ImportOptions = {},
  ) {
    this.tmpDir = options.tmpDir ?? tmpdir();
    this.syncRows = options.syncRows ?? 10_000;
    this.batchRows = options.batchRows ?? 5_000;
  }

  writeScope(actor: Actor): StateScope {
    const scope = scopeFor(actor.principal, NETWORK_WRITERS);
    if (!scope.all && scope.stateIds.length === 0) throw forbidden('You administer no state');
    return scope;
  }

  /**
   * Checks the uploaded file and, if it is clean, writes it. Resolves with the finished job, or
   * (large files, or `respondAsync`) with the job still writing; throws a 422 listing every
   * error of a refused file.
   */
  async start(actor: Actor, input: StartImport): Promise<{ job: ImportJobRow; finished: boolean }> {
    if (this.closing) throw unavailable('The server is shutting down; try again shortly');
    const scope = this.writeScope(actor);
    const id = input.id ?? randomUUID();
    const row = await this.repository.createJob({
      id,
      kind: input.kind,
      stateId: !scope.all && scope.stateIds.length === 1 ? (scope.stateIds[0] ?? null) : null,
      dryRun: input.dryRun,
      createdBy: actor.principal.userId,
    });
    if (row === undefined) throw conflict('An import with this id already exists', 'querystring.id');
    const job: LiveJob = { row, lastSaved: Date.now() };
    this.live.set(id, job);
    let dir: string | undefined;
    let handedOver = false;
    try {
      dir = await mkdtemp(path.join(this.tmpDir, 'sanjog-import-'));
      const spoolPath = path.join(dir, 'upload.csv');
      const reference = await this.reference(scope);
      const errors = await this.check(job, input, reference, spoolPath);
      if (errors.count > 0) {
        const sorted = errors.sorted();
        await this.finish(actor, job, 'rejected', { errors: sorted, errorCount: errors.count });
        throw new AppError(422, rejectionOutcome(id, sorted, errors.count));
      }
      job.row.status = 'writing';
      job.row.checkedAt = new Date();
      await this.saveProgress(job, true);
      const spoolDir = dir;
      const done = this.write(actor, job, reference, scope, spoolPath).finally(() =>
        rm(spoolDir, { recursive: true, force: true }),
      );
      handedOver = true;
      this.running.add(done);
      void done.finally(() => this.running.delete(done));
      if (input.respondAsync || (job.row.rowsTotal ?? 0) > this.syncRows)
        return { job: { ...job.row }, finished: false };
      const outcome = await done;
      if (outcome.error !== undefined) throw outcome.error;
      return { job: outcome.job, finished: true };
    } catch (error) {
      if (job.row.finishedAt === null && !handedOver) {
        const reason =
          error instanceof AppError
            ? (error.outcome.issue[0]?.diagnostics ?? error.message)
            : 'The upload was interrupted or could not be read; nothing was changed';
        await this.finish(actor, job, 'failed', {
          errors: [{ line: 0, field: 'file', reason }],
          errorCount: 1,
        }).catch(() => undefined);
      }
      throw error;
    } finally {
      if (!handedOver) {
        this.live.delete(id);
        if (dir !== undefined) await rm(dir, { recursive: true, force: true });
      }
    }
  }

  async get(actor: Actor, id: string): Promise<ImportJobRow> {
    const scope = this.writeScope(actor);
    const live = this.live.get(id);
    const job = live === undefined ? await this.repository.findJob(id) : { ...live.row };
    if (job === undefined || !this.visible(actor, scope, job)) throw notFound('Import');
    return job;
  }

  async list(actor: Actor, limit: number): Promise<Omit<ImportJobRow, 'errors'>[]> {
    const scope = this.writeScope(actor);
    const rows = await this.repository.listJobs(scope, actor.principal.userId, limit);
    return rows.map((row) => {
      const live = this.live.get(row.id);
      if (live === undefined) return row;
      const { errors: _errors, ...progress } = live.row;
      return progress;
    });
  }

  /** Stops taking imports and waits for those writing (a shutdown rolls them back). */
  async close(): Promise<void> {
    this.closing = true;
    await Promise.allSettled([...this.running]);
  }

  private visible(actor: Actor, scope: StateScope, job: Pick<ImportJobRow, 'createdBy' | 'stateId'>): boolean {
    return (
      scope.all ||
      job.createdBy === actor.principal.userId ||
      (job.stateId !== null && scope.stateIds.includes(job.stateId))
    );
  }

  private async reference(scope: StateScope): Promise<ReferenceData> {
    this.geographyData ??= this.loadGeography().catch((error: unknown) => {
      this.geographyData = null;
      throw error;
    });
    const [geography, specialities] = await Promise.all([this.geographyData, this.repository.specialityCodes()]);
    return { ...geography, specialities: new Set(specialities), scope };
  }

  /** States by LGD code and by id, and every district id; they change only with a new country pack. */
  private async loadGeography(): Promise<{ states: Map<string, string>; districts: Set<string> }> {
    const states = new Map<string, string>();
    const districts = new Set<string>();
    for (const state of await this.geography.listStates()) {
      states.set(state.code.replace(/^0+(?=.)/, ''), state.id);
      states.set(state.id.toUpperCase(), state.id);
      for (const district of await this.geography.listDistricts(state.id)) districts.add(district.id);
    }
    return { states, districts };
  }

  /** The first pass: reads the upload as it arrives, copies it to `spoolPath`, checks every row. */
  private async check(
    job: LiveJob,
    input: StartImport,
    reference: ReferenceData,
    spoolPath: string,
  ): Promise<ErrorList> {
    const errors = new ErrorList(MAX_REPORTED_ERRORS);
    const checker = checkerFor(input.kind, reference, this.repository, errors);
    const parser = new CsvParser();
    const spool = createWriteStream(spoolPath);
    let header: Header | undefined;
    let broken = false;
    const progress = job.row;
    const take = async (records: { line: number; fields: string[] }[]) => {
      for (const record of records) {
        if (header === undefined) {
          const read = readHeader(input.kind, record.fields);
          header = read.header;
          errors.addAll(record.line, read.problems);
          if (read.problems.length > 0) broken = true;
          continue;
        }
        if (broken) return;
        progress.rowsRead += 1;
        checker.row(record.line, header, record.fields);
        if (checker.pending >= this.batchRows) {
          await checker.flush();
          progress.rowsValidated = checker.checked;
        }
      }
    };
    try {
      for await (const raw of input.body) {
        const chunk = typeof raw === 'string' ? Buffer.from(raw) : raw;
        progress.bytesRead += chunk.byteLength;
        if (progress.bytesRead > input.maxBytes) throw payloadTooLarge(input.maxBytes);
        // Once the file is known to be broken, the rest is only read (to answer), not kept or checked.
        if (!broken && !spool.write(chunk)) await once(spool, 'drain');
        if (!broken) {
          try {
            await take(parser.write(chunk));
          } catch (error) {
            if (!(error instanceof CsvError)) throw error;
            errors.add(error.line, 'file', error.message);
            broken = true;
          }
        }
        await this.saveProgress(job);
      }
      if (!broken) {
        try {
          await take(parser.end());
        } catch (error) {
          if (!(error instanceof CsvError)) throw error;
          errors.add(error.line, 'file', error.message);
          broken = true;
        }
      }
      if (header === undefined) errors.add(1, 'file', 'The file is empty; its first line must name the columns');
      else if (progress.rowsRead === 0 && !broken) errors.add(2, 'file', 'The file has no rows after the header');
      if (!broken) await checker.flush();
      progress.rowsValidated = checker.checked;
      progress.rowsTotal = progress.rowsRead;
      await closeSpool(spool);
      return errors;
    } catch (error) {
      spool.destroy();
      throw error;
    }
  }

  /** The second pass: writes the checked copy in batches in one transaction. Never rejects. */
  private async write(
    actor: Actor,
    job: LiveJob,
    reference: ReferenceData,
    scope: StateScope,
    spoolPath: string,
  ): Promise<{ job: ImportJobRow; error?: Error }> {
    const progress = job.row;
    try {
      let counts: ImportCounts;
      try {
        counts = await this.repository.transaction(async (tx) => {
          const writer = writerFor(progress.kind, tx, this.repository, reference, {
            userId: actor.principal.userId,
            scope,
          });
          let header: Header | undefined;
          let analyzeAt = ANALYZE_FIRST_AT;
          // One batch is written while the next is read: the database and this process work at once.
          let writing: Promise<number> | undefined;
          const written = async () => {
            if (writing === undefined) return;
            progress.rowsWritten += await writing;
            writing = undefined;
            if (progress.rowsWritten >= analyzeAt) {
              await this.repository.refreshStatistics(tx, progress.kind);
              analyzeAt = progress.rowsWritten * 2;
            }
            if (this.repository.progressBesideTransaction) await this.saveProgress(job);
          };
          for await (const records of readCsv(createReadStream(spoolPath, { highWaterMark: 1024 * 1024 }))) {
            for (const record of records) {
              if (header === undefined) header = readHeader(progress.kind, record.fields).header;
              else {
                writer.row(header, record.fields);
                if (writer.ready >= this.batchRows) {
                  await written();
                  writing = writer.flush(false);
                  // Handled when awaited; this only keeps an early failure from going unnoticed meanwhile.
                  writing.catch(() => undefined);
                }
              }
            }
            if (this.closing) throw new Error('The server is shutting down');
          }
          await written();
          progress.rowsWritten += await writer.flush(true);
          if (progress.dryRun) throw new DryRunDone(writer.counts);
          return writer.counts;
        });
      } catch (error) {
        if (!(error instanceof DryRunDone)) throw error;
        counts = error.counts;
      }
      return { job: await this.finish(actor, job, 'succeeded', { counts }) };
    } catch (error) {
      this.options.onError?.(error, progress.id);
      const reason = this.closing
        ? 'The server shut down during the import; it was rolled back and nothing was changed. Upload the file again.'
        : 'The import failed and was rolled back; nothing was changed. Quote the import id when reporting it.';
      const failed = await this.finish(actor, job, 'failed', {
        errors: [{ line: 0, field: 'file', reason }],
        errorCount: 1,
      }).catch(() => ({ ...progress }));
      return { job: failed, error: error instanceof Error ? error : new Error(String(error)) };
    } finally {
      this.live.delete(progress.id);
    }
  }

  private async saveProgress(job: LiveJob, force = false): Promise<void> {
    const now = Date.now();
    if (!force && now - job.lastSaved < PROGRESS_INTERVAL_MS) return;
    job.lastSaved = now;
    await this.repository.saveProgress(job.row.id, job.row);
  }

  /** Records the outcome on the job and in the audit log. */
  private async finish(
    actor: Actor,
    job: LiveJob,
    status: 'succeeded' | 'rejected' | 'failed',
    result: { errors?: RowError[]; errorCount?: number; counts?: ImportCounts },
  ): Promise<ImportJobRow> {
    const progress = job.row;
    // The live row changes only once the outcome is stored, so that a poll never sees half of it.
    const finished = await this.repository.finishJob(progress.id, {
      ...progress,
      status,
      errors: result.errors ?? [],
      errorCount: result.errorCount ?? 0,
      counts: result.counts ?? {},
    });
    if (finished === undefined) throw new Error(`import job ${progress.id} vanished`);
    job.row = finished;
    await this.audit.record({
      actorId: actor.principal.userId,
      actorRole: actingRole(actor.principal, NETWORK_WRITERS),
      action: 'create',
      resourceType: 'ImportJob',
      resourceId: progress.id,
      stateId: progress.stateId,
      ip: actor.ip,
      outcome: status === 'succeeded' ? 'success' : 'failure',
      detail: {
        kind: progress.kind,
        dryRun: progress.dryRun,
        status,
        rowsTotal: progress.rowsTotal,
        bytes: progress.bytesRead,
        errorCount: finished.errorCount,
        counts: finished.counts,
      },
    });
    return finished;
  }
}

async function closeSpool(spool: WriteStream): Promise<void> {
  const closed = once(spool, 'close');
  spool.end();
  await closed;
}

/** For routes: a request body that is not a stream is a client error. */
export function asByteStream(body: unknown): AsyncIterable<Uint8Array | string> {
  if (typeof body === 'object' && body !== null && Symbol.asyncIterator in body) {
    return body as AsyncIterable<Uint8Array | string>;
  }
  throw badRequest('Send the CSV file as the request body, with content-type text/csv');
}
