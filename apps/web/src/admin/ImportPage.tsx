import { useEffect, useId, useRef, useState, type ChangeEvent } from 'react';
import { isOperationOutcome, operationOutcome } from '@sanjog/shared';
import { api, ApiError, toApiError, withQuery } from '../api';
import { Icon } from '../components/Icon';
import { alert } from '../components/icons';
import { LoadError, Notice } from '../components/Notice';
import { Page } from '../components/Page';
import { errorMessage } from '../errors';
import { useSession } from '../session';
import { useApi } from '../useApi';
import { BackLink, icons, LiveMessage } from './components';
import { useAdminI18n, type AdminI18n } from './i18n';
import { newIdempotencyKey, useAnnouncer } from './shared';

const KINDS = ['facilities', 'practitioners', 'mappings'] as const;
type ImportKind = (typeof KINDS)[number];

interface Count {
  inserted: number;
  updated: number;
  unchanged: number;
  retired: number;
}

interface RowError {
  line: number;
  field: string;
  reason: string;
}

export interface ImportJob {
  id: string;
  kind: ImportKind;
  dryRun: boolean;
  status: 'validating' | 'writing' | 'succeeded' | 'rejected' | 'failed';
  bytesRead: number;
  rowsRead: number;
  rowsValidated: number;
  rowsWritten: number;
  rowsTotal: number | null;
  errorCount: number;
  errors?: RowError[];
  counts: Partial<Record<'facilities' | 'practitioners' | 'roles' | 'mappings', Count>>;
  startedAt: string;
  finishedAt: string | null;
}

/** The columns of each file (as the server's template has them); `true` marks the required ones. */
const COLUMNS: Record<ImportKind, [string, boolean][]> = {
  facilities: [
    ['registry_id', true],
    ['name', true],
    ['kind', true],
    ['subtype', false],
    ['state_code', true],
    ['district_code', true],
    ['address_line', false],
    ['city', false],
    ['pincode', false],
    ['latitude', false],
    ['longitude', false],
    ['languages', false],
    ['phone', false],
    ['active', false],
  ],
  practitioners: [
    ['registry_id', true],
    ['name', true],
    ['gender', true],
    ['qualification', false],
    ['registration_council', false],
    ['registration_number', false],
    ['state_code', true],
    ['languages', false],
    ['specialities', false],
    ['mobile', false],
    ['active', false],
    ['facility_registry_id', false],
    ['role', false],
    ['role_specialities', false],
  ],
  mappings: [
    ['spoke_registry_id', true],
    ['speciality_code', true],
    ['hub_registry_id', true],
    ['rank', true],
  ],
};

const POLL_MS = 1000;
/** Error rows drawn at a time: a phone stays responsive with a file of 10,000 mistakes. */
const ERRORS_STEP = 500;

const finished = (job: ImportJob) => job.status === 'succeeded' || job.status === 'rejected' || job.status === 'failed';

type Phase =
  | { step: 'idle' }
  | { step: 'running'; dryRun: boolean; job: ImportJob | undefined }
  | { step: 'done'; dryRun: boolean; job: ImportJob }
  | { step: 'error'; dryRun: boolean; message: string };

/**
 * Sends the file as it is (streamed from disk by the browser) with our own job id, so that the
 * job can be polled for progress while the upload is still running.
 */
async function upload(kind: ImportKind, file: File, dryRun: boolean, id: string): Promise<void> {
  let response: Response;
  try {
    response = await fetch(withQuery(`/api/v1/imports/${kind}`, { dryRun: String(dryRun), id }), {
      method: 'POST',
      headers: {
        accept: 'application/json',
        'content-type': 'text/csv',
        // A real import answers once the file is checked; the writing is followed by polling.
        ...(dryRun ? {} : { prefer: 'respond-async' }),
      },
      credentials: 'same-origin',
      body: file,
    });
  } catch {
    throw toApiError(new Error('network unreachable'));
  }
  // 422: the file was refused; its errors are on the job.
  if (response.ok || response.status === 422) return;
  let parsed: unknown;
  try {
    parsed = await response.json();
  } catch {
    parsed = undefined;
  }
  throw new ApiError(
    response.status,
    isOperationOutcome(parsed)
      ? parsed
      : operationOutcome({ severity: 'error', code: 'processing', diagnostics: `HTTP ${response.status}` }),
  );
}

function sizeText(bytes: number, i18n: AdminI18n): string {
  if (bytes < 1024 * 1024) return i18n.t('import.sizeKb', { size: Math.max(1, Math.round(bytes / 1024)) });
  return i18n.t('import.sizeMb', { size: Math.round((bytes / 1024 / 1024) * 10) / 10 });
}

/** A file of the errors, to fix them in a spreadsheet next to the original. */
function errorsCsv(errors: RowError[]): string {
  const quote = (value: string) => (/[",\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value);
  return ['line,column,reason', ...errors.map((error) => `${error.line},${quote(error.field)},${quote(error.reason)}`)]
    .join('\r\n')
    .concat('\r\n');
}

export function ImportPage() {
  const i18n = useAdminI18n();
  const { t } = i18n;
  const { expire } = useSession();
  const [kind, setKind] = useState<ImportKind>('facilities');
  const [file, setFile] = useState<File | undefined>();
  const [phase, setPhase] = useState<Phase>({ step: 'idle' });
  /** The check that passed, for exactly this kind and file: only then may it be imported. */
  const [cleared, setCleared] = useState<{ kind: ImportKind; file: File } | undefined>();
  const [message, announce] = useAnnouncer();
  const recent = useApi<{ items: ImportJob[] }>('/api/v1/imports?limit=5');
  const live = useRef(true);
  useEffect(
    () => () => {
      live.current = false;
    },
    [],
  );
  const kindId = useId();

  const choose = (event: ChangeEvent<HTMLInputElement>) => {
    setFile(event.target.files?.[0]);
    setPhase({ step: 'idle' });
    setCleared(undefined);
  };

  const run = async (dryRun: boolean) => {
    if (file === undefined || phase.step === 'running') return;
    const id = newIdempotencyKey();
    const chosen = { kind, file };
    setPhase({ step: 'running', dryRun, job: undefined });
    announce(dryRun ? t('import.checking') : t('import.importing'));
    let sent = false;
    // A call, not a read: `sent` and the page's life change while we await.
    const watch = () => !sent && live.current;
    const poll = async (): Promise<ImportJob | undefined> => {
      try {
        return await api.get<ImportJob>(`/api/v1/imports/${id}`);
      } catch (error) {
        // Not created yet (the upload has not reached the server), or a blip: ask again.
        if (toApiError(error).status === 401) expire();
        return undefined;
      }
    };
    // Progress while the upload runs: the server counts what it has read.
    const watching = (async () => {
      while (watch()) {
        await new Promise((resolve) => window.setTimeout(resolve, POLL_MS));
        const job = watch() ? await poll() : undefined;
        if (job !== undefined && watch()) setPhase({ step: 'running', dryRun, job });
      }
    })();
    try {
      await upload(kind, file, dryRun, id);
      sent = true;
      await watching;
      let job = await poll();
      // 202: checked and now being written; follow it to the end.
      const alive = () => live.current;
      while (alive() && (job === undefined || !finished(job))) {
        if (job !== undefined) setPhase({ step: 'running', dryRun, job });
        await new Promise((resolve) => window.setTimeout(resolve, POLL_MS));
        job = await poll();
      }
      if (!alive() || job === undefined) return;
      setPhase({ step: 'done', dryRun, job });
      recent.reload();
      if (job.status === 'succeeded' && dryRun) setCleared(chosen);
      if (!dryRun) setCleared(undefined);
      announce(
        job.status === 'succeeded'
          ? dryRun
            ? t('import.checkClean', { rows: job.rowsTotal ?? job.rowsRead })
            : t('import.done', { rows: job.rowsTotal ?? job.rowsRead })
          : t('import.rejected', { count: job.errorCount }),
      );
    } catch (error) {
      sent = true;
      const failure = toApiError(error);
      if (failure.status === 401) expire();
      const text =
        failure.status === 413
          ? t('import.tooLarge')
          : failure.offline
            ? t('import.offline')
            : errorMessage(failure, i18n);
      if (live.current) setPhase({ step: 'error', dryRun, message: text });
    }
  };

  const ready =
    cleared !== undefined &&
    file !== undefined &&
    cleared.file === file &&
    cleared.kind === kind &&
    phase.step !== 'running';
  const busy = phase.step === 'running';

  return (
    <Page title={t('import.title')}>
      <BackLink to="/home">{t('admin.home')}</BackLink>
      <p>{t('import.intro')}</p>
      <div className="form form-wide">
        <fieldset className="field checks" aria-describedby={`${kindId}-hint`}>
          <legend>{t('import.kind')}</legend>
          <p id={`${kindId}-hint`} className="hint">
            {t('import.kindHint')}
          </p>
          {KINDS.map((value) => (
            <label key={value} className="checkbox" htmlFor={`import-kind-${value}`}>
              <input
                id={`import-kind-${value}`}
                type="radio"
                name="import-kind"
                value={value}
                checked={kind === value}
                disabled={busy}
                onChange={() => {
                  setKind(value);
                  setPhase({ step: 'idle' });
                }}
              />
              <span>{t(`import.kind.${value}`)}</span>
            </label>
          ))}
        </fieldset>
        <details className="columns">
          <summary>{t('import.columns')}</summary>
          <p className="hint">{t('import.columnsHint')}</p>
          <ul className="column-list">
            {COLUMNS[kind].map(([name, required]) => (
              <li key={name}>
                <code>{name}</code>
                {required && <span className="badge badge-required">{t('import.required')}</span>}
              </li>
            ))}
          </ul>
          <p>
            <a href={`/api/v1/imports/${kind}/template`} download={`${kind}.csv`} data-testid="import-template">
              {t('import.template')}
            </a>
          </p>
        </details>
        <div className="field">
          <label htmlFor="import-file">{t('import.file')}</label>
          <p id="import-file-hint" className="hint">
            {t('import.fileHint')}
          </p>
          <input
            id="import-file"
            className="input input-file"
            type="file"
            accept=".csv,text/csv"
            aria-describedby="import-file-hint"
            disabled={busy}
            onChange={choose}
            data-testid="import-file"
          />
          {file !== undefined && (
            <p className="hint" data-testid="import-file-name">
              {t('import.chosen', { name: file.name, size: sizeText(file.size, i18n) })}
            </p>
          )}
        </div>
        <div className="form-actions">
          <button
            type="button"
            className="button button-secondary"
            disabled={file === undefined || busy}
            onClick={() => void run(true)}
            data-testid="import-check"
          >
            {t('import.check')}
          </button>
          <button
            type="button"
            className="button"
            disabled={!ready}
            aria-describedby="import-ready-hint"
            onClick={() => void run(false)}
            data-testid="import-run"
          >
            <Icon d={icons.upload} /> {t('import.run')}
          </button>
        </div>
        <p id="import-ready-hint" className="hint">
          {ready ? t('import.readyHint') : t('import.checkFirst')}
        </p>
      </div>
      <LiveMessage message={message} />

      {phase.step === 'running' && <Progress job={phase.job} dryRun={phase.dryRun} size={file?.size ?? 0} />}
      {phase.step === 'error' && <Notice kind="error">{phase.message}</Notice>}
      {phase.step === 'done' && <Result job={phase.job} dryRun={phase.dryRun} />}

      <RecentImports jobs={recent.data?.items} />
      {recent.error !== undefined && recent.data === undefined && (
        <LoadError error={recent.error} onRetry={recent.reload} />
      )}
    </Page>
  );
}

/** How far the check or the import has come: bytes read while checking, rows while writing. */
function Progress({ job, dryRun, size }: { job: ImportJob | undefined; dryRun: boolean; size: number }) {
  const i18n = useAdminI18n();
  const { t } = i18n;
  const writing = job?.status === 'writing';
  const max = writing ? (job.rowsTotal ?? 0) : size;
  const value = writing ? job.rowsWritten : Math.min(job?.bytesRead ?? 0, size);
  const percent = max > 0 ? Math.floor((value / max) * 100) : 0;
  // A check also works out what would change (then undoes it): that part is not "written".
  const label = writing
    ? t(dryRun ? 'import.progressWorkingOut' : 'import.progressWriting', {
        done: job.rowsWritten,
        total: job.rowsTotal ?? 0,
      })
    : t('import.progressChecking', { rows: job?.rowsRead ?? 0 });
  const panel = useRef<HTMLDivElement>(null);
  useEffect(() => {
    // Braces: scrollIntoView returns a promise in new browsers; an effect may return only a cleanup.
    panel.current?.scrollIntoView({ block: 'nearest' });
  }, []);
  return (
    <div className="panel import-progress" data-testid="import-progress" aria-busy="true" ref={panel}>
      <p className="count">{dryRun ? t('import.checking') : t('import.importing')}</p>
      <label htmlFor="import-progress-bar">{label}</label>
      <progress id="import-progress-bar" max={100} value={job === undefined ? undefined : percent}>
        {t('import.percent', { percent })}
      </progress>
      {job !== undefined && <p className="hint">{t('import.percent', { percent })}</p>}
      <p className="hint">{t('import.keepOpen')}</p>
    </div>
  );
}

const ENTITIES = ['facilities', 'practitioners', 'roles', 'mappings'] as const;

function CountsTable({ job, caption }: { job: ImportJob; caption: string }) {
  const i18n = useAdminI18n();
  const { t } = i18n;
  const rows = ENTITIES.flatMap((entity) => {
    const count = job.counts[entity];
    return count === undefined ? [] : [[entity, count] as const];
  });
  if (rows.length === 0) return null;
  return (
    <table className="data-table counts-table" role="table" data-testid="import-counts">
      <caption>{caption}</caption>
      <thead role="rowgroup">
        <tr role="row">
          <th role="columnheader" scope="col">
            {t('import.records')}
          </th>
          <th role="columnheader" scope="col">
            {t('import.inserted')}
          </th>
          <th role="columnheader" scope="col">
            {t('import.updated')}
          </th>
          <th role="columnheader" scope="col">
            {t('import.unchanged')}
          </th>
          <th role="columnheader" scope="col">
            {t('import.retired')}
          </th>
        </tr>
      </thead>
      <tbody role="rowgroup">
        {rows.map(([entity, count]) => (
          <tr key={entity} role="row" data-entity={entity}>
            <th role="rowheader" scope="row" data-label={t('import.records')}>
              {t(`import.entity.${entity}`)}
            </th>
            <td role="cell" data-label={t('import.inserted')} data-testid="count-inserted">
              {i18n.number(count.inserted)}
            </td>
            <td role="cell" data-label={t('import.updated')} data-testid="count-updated">
              {i18n.number(count.updated)}
            </td>
            <td role="cell" data-label={t('import.unchanged')} data-testid="count-unchanged">
              {i18n.number(count.unchanged)}
            </td>
            <td role="cell" data-label={t('import.retired')}>
              {i18n.number(count.retired)}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Result({ job, dryRun }: { job: ImportJob; dryRun: boolean }) {
  const i18n = useAdminI18n();
  const { t } = i18n;
  const rows = job.rowsTotal ?? job.rowsRead;
  const result = useRef<HTMLDivElement>(null);
  useEffect(() => {
    result.current?.scrollIntoView({ block: 'nearest' });
  }, []);
  if (job.status === 'succeeded') {
    return (
      <div data-testid="import-result" data-status="clean" ref={result}>
        <Notice kind="success">
          <p>{dryRun ? t('import.checkClean', { rows }) : t('import.done', { rows })}</p>
          {dryRun && <p>{t('import.checkCleanNext')}</p>}
        </Notice>
        <CountsTable job={job} caption={dryRun ? t('import.wouldChange') : t('import.changed')} />
      </div>
    );
  }
  return (
    <div data-testid="import-result" data-status="errors" ref={result}>
      <Notice kind="error">
        <p data-testid="import-error-count" data-count={job.errorCount}>
          {job.status === 'failed' ? t('import.failed') : t('import.rejected', { count: job.errorCount })}
        </p>
        <p>{t('import.nothingChanged')}</p>
      </Notice>
      <ErrorTable errors={job.errors ?? []} total={job.errorCount} />
    </div>
  );
}

function ErrorTable({ errors, total }: { errors: RowError[]; total: number }) {
  const i18n = useAdminI18n();
  const { t } = i18n;
  const [shown, setShown] = useState(ERRORS_STEP);
  const [download, setDownload] = useState<string | undefined>();
  useEffect(() => {
    if (errors.length === 0) return;
    const url = URL.createObjectURL(new Blob([errorsCsv(errors)], { type: 'text/csv' }));
    setDownload(url);
    return () => URL.revokeObjectURL(url);
  }, [errors]);
  if (errors.length === 0) return null;
  return (
    <>
      <table className="data-table" role="table" data-testid="import-errors">
        <caption>{t('import.errorsCaption')}</caption>
        <thead role="rowgroup">
          <tr role="row">
            <th role="columnheader" scope="col">
              {t('import.line')}
            </th>
            <th role="columnheader" scope="col">
              {t('import.column')}
            </th>
            <th role="columnheader" scope="col">
              {t('import.reason')}
            </th>
          </tr>
        </thead>
        <tbody role="rowgroup">
          {errors.slice(0, shown).map((error, index) => (
            <tr key={index} role="row" data-testid="import-error">
              <th role="rowheader" scope="row" data-label={t('import.line')}>
                {error.line === 0 ? t('import.wholeFile') : i18n.number(error.line)}
              </th>
              <td role="cell" data-label={t('import.column')}>
                <code>{error.field}</code>
              </td>
              <td role="cell" data-label={t('import.reason')}>
                {error.reason}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {shown < errors.length && (
        <p>
          <button type="button" className="button button-secondary" onClick={() => setShown((n) => n + ERRORS_STEP)}>
            {t('import.showMore', { count: Math.min(ERRORS_STEP, errors.length - shown), shown, total: errors.length })}
          </button>
        </p>
      )}
      {total > errors.length && (
        <p className="hint">
          <Icon d={alert} /> {t('import.moreNotListed', { count: total - errors.length })}
        </p>
      )}
      {download !== undefined && (
        <p>
          <a href={download} download="import-errors.csv">
            {t('import.downloadErrors')}
          </a>
        </p>
      )}
    </>
  );
}

function RecentImports({ jobs }: { jobs: ImportJob[] | undefined }) {
  const i18n = useAdminI18n();
  const { t } = i18n;
  const headingId = useId();
  if (jobs === undefined || jobs.length === 0) return null;
  return (
    <section className="admin-section" aria-labelledby={headingId}>
      <h2 id={headingId}>{t('import.recent')}</h2>
      <ul className="rows">
        {jobs.map((job) => (
          <li key={job.id}>
            <span className="row-title">
              {t(`import.kind.${job.kind}`)} · {job.dryRun ? t('import.wasCheck') : t('import.wasImport')}
            </span>
            <span className="row-meta">
              <time dateTime={job.startedAt}>{i18n.dateTime(job.startedAt)}</time> · {t(`import.status.${job.status}`)}
              {' · '}
              {t('import.rows', { rows: job.rowsTotal ?? job.rowsRead })}
              {job.errorCount > 0 && ` · ${t('import.errorsShort', { count: job.errorCount })}`}
            </span>
          </li>
        ))}
      </ul>
    </section>
  );
}
