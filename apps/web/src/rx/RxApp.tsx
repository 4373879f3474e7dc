import { useId, useState, type SyntheticEvent } from 'react';
import { api, ApiError } from '../api';
import { Field } from '../components/Field';
import { LoadError, Loading, Notice } from '../components/Notice';
import { Page } from '../components/Page';
import { SignedIn } from '../components/SignedIn';
import { errorMessage } from '../errors';
import { NotFound } from '../pages/NotFound';
import { Link, navigate } from '../router';
import { useSession } from '../session';
import { useApi } from '../useApi';
import { RxI18nProvider, useRxI18n, type RxI18n } from './i18n';
import type { Prescription, Verification } from './types';
import '../pages/pages.css';
import './rx.css';

const RX = /^\/rx\/([0-9a-fA-F-]{36})$/;
const UUID = /[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}/;

/**
 * e-Prescriptions outside the doctor's console: the public check behind the QR code (with
 * dispensing for a signed-in pharmacist), the pharmacist's lookup, and the patient's list.
 */
export function RxApp({ path }: { path: string }) {
  const id = RX.exec(path)?.[1];
  return (
    <RxI18nProvider>
      {id !== undefined ? (
        <VerifyPage key={id} id={id.toLowerCase()} />
      ) : path === '/pharmacy' ? (
        <SignedIn>{(me) => (me.roles.includes('pharmacist') ? <Lookup /> : <PharmacistsOnly />)}</SignedIn>
      ) : path === '/prescriptions' ? (
        <SignedIn>{() => <MyPrescriptions />}</SignedIn>
      ) : (
        <NotFound />
      )}
    </RxI18nProvider>
  );
}

function sexWord(sex: string, i18n: RxI18n): string {
  return sex === 'female' || sex === 'male' || sex === 'other' || sex === 'unknown' ? i18n.t(`sex.${sex}`) : sex;
}

/** The public check: readable without signing in, as a pharmacist's phone opens the QR code. */
function VerifyPage({ id }: { id: string }) {
  const i18n = useRxI18n();
  const { t } = i18n;
  const { session } = useSession();
  const check = useApi<Verification>(`/api/v1/public/prescriptions/${id}`);
  const pharmacist = session.status === 'signedIn' && session.me.roles.includes('pharmacist');
  const [result, setResult] = useState<Verification | undefined>();
  const [recorded, setRecorded] = useState(false);
  const data = result ?? check.data;
  if (check.error?.status === 404)
    return (
      <Page title={t('verify.title')}>
        <div className="rx-verdict rx-bad" data-testid="rx-verdict" data-genuine="false">
          <strong>{t('verify.notGenuine')}</strong>
          <p>{t('verify.notFound')}</p>
        </div>
      </Page>
    );
  return (
    <Page title={t('verify.title')}>
      {check.error !== undefined && data === undefined && <LoadError error={check.error} onRetry={check.reload} />}
      {data === undefined && check.error === undefined && <Loading />}
      {data !== undefined && (
        <>
          <div
            className={data.genuine ? 'rx-verdict rx-good' : 'rx-verdict rx-bad'}
            data-testid="rx-verdict"
            data-genuine={String(data.genuine)}
            role="status"
          >
            <strong>{data.genuine ? t('verify.genuine') : t('verify.notGenuine')}</strong>
            {data.genuine ? (
              <p>{t('verify.genuineBody')}</p>
            ) : (
              <ul>
                {data.problems.map((problem) => (
                  <li key={problem}>{problem}</li>
                ))}
              </ul>
            )}
            {data.replacedById !== null && (
              <p>
                {t('verify.replaced')} <Link to={`/rx/${data.replacedById}`}>{t('verify.openNewer')}</Link>
              </p>
            )}
          </div>
          <RxFacts data={data} />
          <p data-testid="rx-dispensing">
            {data.dispensing === null
              ? t('verify.notDispensed')
              : t('verify.dispensedAt', {
                  date: i18n.date(data.dispensing.dispensedAt),
                  place: data.dispensing.pharmacy === null ? '' : `, ${data.dispensing.pharmacy}`,
                  count: data.dispensing.dispensedItems,
                  total: data.dispensing.totalItems,
                })}
          </p>
          {recorded && <Notice kind="success">{t('dispense.done')}</Notice>}
          {pharmacist && data.genuine && data.dispensing === null && (
            <DispenseForm
              data={data}
              onDone={(fresh, dispensedHere) => {
                setResult(fresh);
                setRecorded(dispensedHere);
              }}
            />
          )}
          {!pharmacist && session.status !== 'signedIn' && data.genuine && data.dispensing === null && (
            <p>
              <Link to={`/staff/sign-in?next=${encodeURIComponent(`/rx/${id}`)}`}>{t('verify.pharmacistSignIn')}</Link>
            </p>
          )}
        </>
      )}
    </Page>
  );
}

function RxFacts({ data }: { data: Verification }) {
  const i18n = useRxI18n();
  const { t } = i18n;
  const age = data.patient.ageYears === null ? '—' : t('verify.years', { age: String(data.patient.ageYears) });
  return (
    <div className="rx-facts">
      <dl className="rx-dl">
        <div>
          <dt>{t('verify.doctor')}</dt>
          <dd data-testid="rx-doctor">
            {data.doctor.name}, {data.doctor.qualification}
            <br />
            {t('verify.registration', { number: data.doctor.registrationNumber })}
            {data.doctor.registrationCouncil === null ? '' : ` (${data.doctor.registrationCouncil})`}
          </dd>
        </div>
        <div>
          <dt>{t('verify.patient')}</dt>
          <dd>{t('verify.patientFacts', { name: data.patient.name, age, sex: sexWord(data.patient.sex, i18n) })}</dd>
        </div>
        <div>
          <dt>{t('verify.date')}</dt>
          <dd>{i18n.date(data.signedAt)}</dd>
        </div>
        <div>
          <dt>{t('verify.facility')}</dt>
          <dd>{data.facility.name}</dd>
        </div>
      </dl>
      <h2>{t('verify.medicines')}</h2>
      <ol className="rx-items" data-testid="rx-items">
        {data.items.map((item) => (
          <li key={item.index}>
            <strong>
              {item.name} {item.form} {item.strength ?? ''}
            </strong>
            <span className="rx-directions">{item.directions.en}</span>
            {item.directions.local !== null && (
              <span className="rx-directions" lang={data.language}>
                {item.directions.local}
              </span>
            )}
            {item.instructions !== null && <span className="rx-directions">{item.instructions}</span>}
            {item.instructionsLocal !== null && (
              <span className="rx-directions" lang={data.language}>
                {item.instructionsLocal}
              </span>
            )}
          </li>
        ))}
      </ol>
      {data.investigations.length > 0 && (
        <>
          <h2>{t('verify.investigations')}</h2>
          <p>{data.investigations.join(', ')}</p>
        </>
      )}
      {data.advice !== null && (
        <>
          <h2>{t('verify.advice')}</h2>
          <p className="pre-line">{data.advice}</p>
        </>
      )}
      {data.followUpDate !== null && (
        <p>
          {t('verify.followUp')}: {i18n.date(data.followUpDate)}
        </p>
      )}
    </div>
  );
}

/** The pharmacist ticks what was given; the server records it once, whoever tries again. */
function DispenseForm({
  data,
  onDone,
}: {
  data: Verification;
  onDone: (result: Verification, dispensedHere: boolean) => void;
}) {
  const i18n = useRxI18n();
  const { t } = i18n;
  const headingId = useId();
  const [given, setGiven] = useState<Record<number, boolean>>(() =>
    Object.fromEntries(data.items.map((item) => [item.index, true])),
  );
  const [quantities, setQuantities] = useState<Record<number, string>>({});
  const [note, setNote] = useState('');
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string | undefined>();

  const submit = async (event: SyntheticEvent) => {
    event.preventDefault();
    setSaving(true);
    setError(undefined);
    try {
      const result = await api.post<Verification>(`/api/v1/prescriptions/${data.id}/dispense`, {
        items: data.items.map((item) => ({
          index: item.index,
          dispensed: given[item.index] ?? false,
          ...(quantities[item.index]?.trim() ? { quantity: quantities[item.index]?.trim() } : {}),
        })),
        ...(note.trim() === '' ? {} : { note: note.trim() }),
      });
      onDone(result, true);
    } catch (caught) {
      setError(errorMessage(caught, i18n));
      if (caught instanceof ApiError && caught.status === 409) {
        const fresh = await api.get<Verification>(`/api/v1/public/prescriptions/${data.id}`).catch(() => undefined);
        if (fresh !== undefined) onDone(fresh, false);
      }
    } finally {
      setSaving(false);
    }
  };

  return (
    <section className="rx-dispense" aria-labelledby={headingId}>
      <h2 id={headingId}>{t('dispense.title')}</h2>
      {error !== undefined && <Notice kind="error">{error}</Notice>}
      <form onSubmit={(event) => void submit(event)} data-testid="dispense-form">
        {data.items.map((item) => (
          <fieldset key={item.index} className="rx-dispense-item">
            <legend>
              {item.index}. {item.name} {item.form} {item.strength ?? ''}
            </legend>
            <label className="checkbox">
              <input
                type="checkbox"
                checked={given[item.index] ?? false}
                onChange={(event) => setGiven({ ...given, [item.index]: event.target.checked })}
              />{' '}
              {t('dispense.give')}
            </label>
            <Field
              id={`qty-${String(item.index)}`}
              label={t('dispense.quantity')}
              value={quantities[item.index] ?? ''}
              onChange={(event) => setQuantities({ ...quantities, [item.index]: event.target.value })}
              maxLength={100}
            />
          </fieldset>
        ))}
        <Field
          id="dispense-note"
          label={t('dispense.note')}
          value={note}
          onChange={(e) => setNote(e.target.value)}
          maxLength={500}
        />
        <button type="submit" className="button" disabled={saving} data-testid="dispense-submit">
          {saving ? t('dispense.saving') : t('dispense.submit')}
        </button>
      </form>
    </section>
  );
}

/** The pharmacist's way in when the QR code cannot be scanned: the link or the code typed. */
function Lookup() {
  const { t } = useRxI18n();
  const [text, setText] = useState('');
  const [error, setError] = useState<string | undefined>();
  const open = (event: SyntheticEvent) => {
    event.preventDefault();
    const id = UUID.exec(text)?.[0];
    if (id === undefined) setError(t('pharmacy.bad'));
    else navigate(`/rx/${id.toLowerCase()}`);
  };
  return (
    <Page title={t('pharmacy.title')}>
      <p>{t('pharmacy.body')}</p>
      <form className="form" onSubmit={open}>
        <Field
          id="rx-code"
          label={t('pharmacy.code')}
          value={text}
          error={error}
          onChange={(event) => setText(event.target.value)}
          data-testid="rx-code"
        />
        <button type="submit" className="button">
          {t('pharmacy.open')}
        </button>
      </form>
    </Page>
  );
}

function PharmacistsOnly() {
  const { t } = useRxI18n();
  return (
    <Page title={t('pharmacy.title')}>
      <Notice kind="info">{t('pharmacy.pharmacistsOnly')}</Notice>
    </Page>
  );
}

/** The patient's prescriptions (and their family's), newest first, each with its PDF. */
function MyPrescriptions() {
  const i18n = useRxI18n();
  const { t } = i18n;
  const list = useApi<{ items: Prescription[] }>('/api/v1/me/prescriptions?limit=50');
  return (
    <Page title={t('mine.title')}>
      {list.error !== undefined && list.data === undefined && <LoadError error={list.error} onRetry={list.reload} />}
      {list.loading && <Loading />}
      {list.data !== undefined && list.data.items.length === 0 && <p>{t('mine.none')}</p>}
      <ul className="rx-mine" data-testid="my-prescriptions">
        {list.data?.items.map((rx) => (
          <li key={rx.id} data-testid="my-prescription" data-status={rx.status}>
            <div className="row-title">
              {i18n.date(rx.signedAt)} · {rx.document.patient.name}{' '}
              <span className="badge">
                {rx.status === 'cancelled'
                  ? t('rx.cancelled')
                  : rx.dispensing !== null
                    ? t('rx.dispensed')
                    : t('rx.active')}
              </span>
            </div>
            <div className="row-meta">
              {t('mine.by', { doctor: rx.document.doctor.name, facility: rx.document.facility.name })}
            </div>
            <ul className="rx-mine-items">
              {rx.document.items.map((item) => (
                <li key={item.index}>
                  {item.name} {item.strength ?? ''} —{' '}
                  {item.directions.local === null ? (
                    item.directions.en
                  ) : (
                    <span lang={rx.document.language}>{item.directions.local}</span>
                  )}
                </li>
              ))}
            </ul>
            {rx.status === 'active' && (
              <p className="rx-actions">
                <a className="button" href={rx.pdfUrl} download data-testid="download-pdf">
                  {t('mine.download')}
                </a>{' '}
                <Link to={`/rx/${rx.id}`} className="button button-secondary">
                  {t('mine.show')}
                </Link>
              </p>
            )}
          </li>
        ))}
      </ul>
    </Page>
  );
}
