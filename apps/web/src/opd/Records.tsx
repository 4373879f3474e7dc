import { useRef, useState, type SyntheticEvent } from 'react';
import { ApiError, toApiError, withQuery } from '../api';
import { Field } from '../components/Field';
import { LoadError, Notice } from '../components/Notice';
import { errorMessage } from '../errors';
import { useApi } from '../useApi';
import { useOpdI18n, type OpdI18n } from './i18n';
import type { UploadedFile } from './types';
import { newId } from './util';

export const MAX_UPLOAD_BYTES = 10 * 1024 * 1024;
const TYPES = ['image/jpeg', 'image/png', 'image/webp', 'application/pdf'];

/** "1.2 MB", "340 kB". */
export function fileSize(bytes: number, i18n: Pick<OpdI18n, 'locale'>): string {
  const format = new Intl.NumberFormat(i18n.locale, { maximumFractionDigits: 1 });
  return bytes >= 1024 * 1024
    ? `${format.format(bytes / 1024 / 1024)} MB`
    : `${format.format(Math.max(1, bytes / 1024))} kB`;
}

/**
 * Sends the file itself as the body (no form encoding), with progress for slow links. The id in
 * the address makes a retry after a dropped link return the first upload instead of a second.
 */
function upload(
  patientId: string,
  file: File,
  id: string,
  title: string,
  onProgress: (fraction: number) => void,
): Promise<UploadedFile> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open(
      'POST',
      withQuery(`/api/v1/me/patients/${encodeURIComponent(patientId)}/files`, {
        id,
        title: title === '' ? undefined : title,
      }),
    );
    xhr.setRequestHeader('content-type', file.type);
    xhr.setRequestHeader('accept', 'application/json');
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable) onProgress(event.loaded / event.total);
    };
    xhr.onload = () => {
      let body: unknown;
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        body = undefined;
      }
      if (xhr.status >= 200 && xhr.status < 300) resolve(body as UploadedFile);
      else {
        const outcome =
          (body as { resourceType?: string } | undefined)?.resourceType === 'OperationOutcome'
            ? (body as ApiError['outcome'])
            : {
                resourceType: 'OperationOutcome' as const,
                issue: [
                  {
                    severity: 'error' as const,
                    code: 'processing' as const,
                    diagnostics: `HTTP ${String(xhr.status)}`,
                  },
                ],
              };
        reject(new ApiError(xhr.status, outcome));
      }
    };
    xhr.onerror = () => reject(toApiError(new Error('network unreachable')));
    xhr.ontimeout = () => reject(toApiError(new Error('timed out')));
    xhr.timeout = 10 * 60_000;
    xhr.send(file);
  });
}

/** Earlier records (photos of reports, PDFs) that the doctor will see with the consultation. */
export function Records({ patientId }: { patientId: string }) {
  const i18n = useOpdI18n();
  const { t } = i18n;
  const list = useApi<{ items: UploadedFile[] }>(`/api/v1/me/patients/${encodeURIComponent(patientId)}/files`);
  const [title, setTitle] = useState('');
  const [file, setFile] = useState<File | null>(null);
  const [error, setError] = useState<string | undefined>();
  const [progress, setProgress] = useState<number | null>(null);
  const [done, setDone] = useState<string | undefined>();
  const fileInput = useRef<HTMLInputElement>(null);
  // One id per chosen file and title: pressing Upload again after a failure retries safely.
  const attempt = useRef<{ file: File; title: string; id: string } | null>(null);

  const choose = (chosen: File | null) => {
    setDone(undefined);
    setError(undefined);
    if (chosen === null) {
      setFile(null);
      return;
    }
    if (!TYPES.includes(chosen.type)) {
      setError(t('records.wrongType'));
      setFile(null);
      return;
    }
    if (chosen.size > MAX_UPLOAD_BYTES) {
      setError(t('records.tooBig', { size: fileSize(chosen.size, i18n) }));
      setFile(null);
      return;
    }
    setFile(chosen);
  };

  const submit = async (event: SyntheticEvent) => {
    event.preventDefault();
    if (progress !== null) return;
    if (file === null) {
      setError(t('records.chooseFile'));
      fileInput.current?.focus();
      return;
    }
    const trimmed = title.trim();
    if (attempt.current?.file !== file || attempt.current.title !== trimmed)
      attempt.current = { file, title: trimmed, id: newId() };
    setError(undefined);
    setProgress(0);
    try {
      const uploaded = await upload(patientId, file, attempt.current.id, trimmed, setProgress);
      setDone(t('records.uploaded', { title: uploaded.title ?? file.name }));
      setFile(null);
      setTitle('');
      attempt.current = null;
      if (fileInput.current !== null) fileInput.current.value = '';
      list.reload();
    } catch (failure) {
      const apiError = toApiError(failure);
      setError(
        apiError.status === 413
          ? t('records.tooBig', { size: fileSize(file.size, i18n) })
          : apiError.status === 415
            ? t('records.wrongType')
            : errorMessage(apiError, i18n),
      );
    } finally {
      setProgress(null);
    }
  };

  const items = list.data?.items ?? [];
  return (
    <section className="panel" aria-labelledby="records-heading" data-testid="records">
      <h2 id="records-heading">{t('records.title')}</h2>
      <p className="hint">{t('records.intro')}</p>
      {list.error !== undefined && list.data === undefined && <LoadError error={list.error} onRetry={list.reload} />}
      {items.length > 0 && (
        <ul className="rows" data-testid="record-list">
          {items.map((item) => (
            <li key={item.id}>
              <a
                className="row-title"
                href={`/api/v1/files/${encodeURIComponent(item.id)}`}
                target="_blank"
                rel="noopener"
              >
                {item.title ?? t('records.untitled')}
              </a>
              <span className="row-meta">
                {item.mediaType === 'application/pdf' ? t('records.pdf') : t('records.photo')} ·{' '}
                {fileSize(item.sizeBytes, i18n)} · {i18n.date(item.createdAt)}
              </span>
            </li>
          ))}
        </ul>
      )}
      <form className="form" onSubmit={(event) => void submit(event)} noValidate>
        <Field
          id="record-title"
          label={t('records.what')}
          hint={t('records.whatHint')}
          maxLength={200}
          value={title}
          onChange={(event) => setTitle(event.target.value)}
        />
        <Field
          ref={fileInput}
          id="record-file"
          label={t('records.file')}
          hint={t('records.fileHint')}
          error={error}
          className="input-file"
          type="file"
          accept={TYPES.join(',')}
          onChange={(event) => choose(event.target.files?.[0] ?? null)}
          data-testid="record-file"
        />
        {progress !== null && (
          <p className="upload-progress">
            <label htmlFor="record-progress">{t('records.uploading')}</label>
            <progress id="record-progress" max={1} value={progress} />
          </p>
        )}
        {done !== undefined && <Notice kind="success">{done}</Notice>}
        <button
          type="submit"
          className="button button-secondary"
          disabled={progress !== null}
          data-testid="record-upload"
        >
          {progress !== null ? t('records.uploading') : t('records.upload')}
        </button>
      </form>
    </section>
  );
}
