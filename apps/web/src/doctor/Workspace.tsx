import { useEffect, useState, type KeyboardEvent, type ReactNode } from 'react';
import { LoadError, Loading } from '../components/Notice';
import type { Consultation, UploadedFile } from '../opd/types';
import { useApi } from '../useApi';
import { useDoctorI18n } from './i18n';
import { PrescriptionPanel } from './PrescriptionPanel';

const WIDE = '(min-width: 60em)';

function useWide(): boolean {
  const [wide, setWide] = useState(() => window.matchMedia(WIDE).matches);
  useEffect(() => {
    const query = window.matchMedia(WIDE);
    const update = () => setWide(query.matches);
    query.addEventListener('change', update);
    return () => query.removeEventListener('change', update);
  }, []);
  return wide;
}

/**
 * The main work (the call, the record form) with the patient's earlier consultations and
 * uploads beside it on a desktop, or one tab away on a phone.
 */
export function Workspace({
  patientId,
  consultationId,
  children,
}: {
  patientId: string;
  consultationId: string | null;
  children: ReactNode;
}) {
  const { t } = useDoctorI18n();
  const wide = useWide();
  const [tab, setTab] = useState<'work' | 'history'>('work');
  // The prescription is written beside the record, once the consultation has started.
  const work = (
    <>
      {children}
      {consultationId !== null && <PrescriptionPanel consultationId={consultationId} patientId={patientId} />}
    </>
  );
  if (wide) {
    return (
      <div className="workspace">
        <div className="workspace-main">{work}</div>
        <aside className="workspace-side" aria-labelledby="history-heading">
          <h2 id="history-heading">{t('history.title')}</h2>
          <History patientId={patientId} consultationId={consultationId} />
        </aside>
      </div>
    );
  }
  const tabs = [
    { id: 'work' as const, label: consultationId === null ? t('history.tabCall') : t('history.tabRecord') },
    { id: 'history' as const, label: t('history.title') },
  ];
  const onKey = (event: KeyboardEvent<HTMLButtonElement>) => {
    if (event.key !== 'ArrowRight' && event.key !== 'ArrowLeft') return;
    event.preventDefault();
    const next = tab === 'work' ? 'history' : 'work';
    setTab(next);
    document.getElementById(`tab-${next}`)?.focus();
  };
  return (
    <div className="workspace-tabs">
      <div role="tablist" aria-label={t('history.tabs')} className="tablist">
        {tabs.map((item) => (
          <button
            key={item.id}
            id={`tab-${item.id}`}
            type="button"
            role="tab"
            className="tab"
            aria-selected={tab === item.id}
            aria-controls={`panel-${item.id}`}
            tabIndex={tab === item.id ? 0 : -1}
            onClick={() => setTab(item.id)}
            onKeyDown={onKey}
            data-testid={`tab-${item.id}`}
          >
            {item.label}
          </button>
        ))}
      </div>
      {/* Both panels stay mounted, so that a half-typed record survives a look at the history. */}
      <div id="panel-work" role="tabpanel" aria-labelledby="tab-work" hidden={tab !== 'work'}>
        {work}
      </div>
      <div id="panel-history" role="tabpanel" aria-labelledby="tab-history" hidden={tab !== 'history'}>
        <History patientId={patientId} consultationId={consultationId} />
      </div>
    </div>
  );
}

function History({ patientId, consultationId }: { patientId: string; consultationId: string | null }) {
  const i18n = useDoctorI18n();
  const { t } = i18n;
  const consultations = useApi<{ items: Consultation[] }>(
    `/api/v1/patients/${encodeURIComponent(patientId)}/consultations?limit=10`,
  );
  const files = useApi<{ items: UploadedFile[] }>(`/api/v1/patients/${encodeURIComponent(patientId)}/files`);
  const earlier = (consultations.data?.items ?? []).filter(
    (item) => item.id !== consultationId && item.status !== 'in_progress',
  );
  return (
    <div className="history" data-testid="history">
      <section aria-labelledby="uploads-heading">
        <h3 id="uploads-heading">{t('history.uploads')}</h3>
        {files.error !== undefined && files.data === undefined && (
          <LoadError error={files.error} onRetry={files.reload} />
        )}
        {files.loading && <Loading />}
        {files.data !== undefined &&
          (files.data.items.length === 0 ? (
            <p className="hint">{t('history.noUploads')}</p>
          ) : (
            <ul className="rows" data-testid="uploads">
              {files.data.items.map((file) => (
                <li key={file.id}>
                  <a
                    href={`/api/v1/files/${encodeURIComponent(file.id)}`}
                    target="_blank"
                    rel="noopener"
                    className="row-title"
                  >
                    {file.title ?? t('history.untitled')}
                  </a>
                  <span className="row-meta">
                    {file.mediaType === 'application/pdf' ? 'PDF' : t('history.photo')} · {i18n.date(file.createdAt)}
                  </span>
                </li>
              ))}
            </ul>
          ))}
      </section>
      <section aria-labelledby="earlier-heading">
        <h3 id="earlier-heading">{t('history.earlier')}</h3>
        {consultations.error !== undefined && consultations.data === undefined && (
          <LoadError error={consultations.error} onRetry={consultations.reload} />
        )}
        {consultations.loading && <Loading />}
        {consultations.data !== undefined && earlier.length === 0 && <p className="hint">{t('history.noEarlier')}</p>}
        <ul className="earlier">
          {earlier.map((item) => (
            <li key={item.id}>
              <details>
                <summary>
                  <span className="row-title">{i18n.date(item.startedAt)}</span>{' '}
                  <span className="row-meta">
                    {item.status === 'not_happened'
                      ? t('history.notHappened')
                      : item.record.diagnoses.map((diagnosis) => diagnosis.title).join('; ') ||
                        item.record.chiefComplaints.map((complaint) => complaint.display).join(', ')}
                  </span>
                </summary>
                <dl className="facts-list">
                  <div>
                    <dt>{t('history.doctor')}</dt>
                    <dd>
                      {item.practitionerName}, {item.facilityName}
                    </dd>
                  </div>
                  {item.record.chiefComplaints.length > 0 && (
                    <div>
                      <dt>{t('record.complaints')}</dt>
                      <dd>{item.record.chiefComplaints.map((complaint) => complaint.display).join(', ')}</dd>
                    </div>
                  )}
                  {item.record.diagnoses.length > 0 && (
                    <div>
                      <dt>{t('record.diagnoses')}</dt>
                      <dd>
                        {item.record.diagnoses.map((diagnosis) => `${diagnosis.code} ${diagnosis.title}`).join('; ')}
                      </dd>
                    </div>
                  )}
                  {item.record.advice !== null && (
                    <div>
                      <dt>{t('record.advice')}</dt>
                      <dd className="pre-line">{item.record.advice}</dd>
                    </div>
                  )}
                </dl>
              </details>
            </li>
          ))}
        </ul>
      </section>
    </div>
  );
}
