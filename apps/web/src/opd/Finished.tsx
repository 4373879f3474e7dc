import { useEffect, useId, useRef, useState, type SyntheticEvent } from 'react';
import { api, ApiError, withQuery } from '../api';
import { Notice } from '../components/Notice';
import { Page } from '../components/Page';
import { errorMessage } from '../errors';
import { Link, navigate } from '../router';
import type { Prescription } from '../rx/types';
import { useApi } from '../useApi';
import { useOpdI18n } from './i18n';
import { openText } from './Start';
import type { Consultation, Opd, Token } from './types';

/** How a token ended: the consultation and its rating, or what happened and what to do now. */
export function Finished(props: {
  tokenId: string;
  ended: { status: string; event?: string | undefined };
  token: Token | undefined;
  consultation: Consultation | undefined;
  otherToken: Token | undefined;
  onConsultation: (consultation: Consultation) => void;
}) {
  const i18n = useOpdI18n();
  const { t } = i18n;
  const { ended, token, consultation, otherToken } = props;
  const again = token === undefined ? '/consult' : withQuery('/consult', { for: token.patientId, opd: token.opdId });
  const another = otherToken !== undefined && otherToken.id !== props.tokenId && (
    <Notice kind="info">
      <p>{t('ended.otherToken', { number: otherToken.tokenNumber, opd: otherToken.opdName })}</p>
      <p>
        <Link to={`/consult/token/${otherToken.id}`}>{t('opd.openWaitingRoom')}</Link>
      </p>
    </Notice>
  );
  const newToken = (
    <p>
      <Link to={again} className="button" data-testid="new-token">
        {t('ended.newToken')}
      </Link>
    </p>
  );

  if (consultation !== undefined && consultation.status === 'completed') {
    return (
      <Page title={t('done.title')}>
        <div data-testid="consultation-done">
          <Notice kind="success">
            <p>{t('done.body', { doctor: consultation.practitionerName, name: consultation.patientName })}</p>
          </Notice>
          <Summary consultation={consultation} />
          <p>
            <Link to="/prescriptions" data-testid="my-prescriptions-link">
              {t('card.prescriptions')}
            </Link>
          </p>
          <FollowUpBooking consultation={consultation} />
          {consultation.rating === null ? (
            <Rating consultation={consultation} onRated={props.onConsultation} />
          ) : (
            <p data-testid="rated">{t('rate.thanks', { stars: consultation.rating.rating })}</p>
          )}
          <p>
            <Link to="/home">{t('opd.backHome')}</Link>
          </p>
        </div>
      </Page>
    );
  }
  if (consultation !== undefined && consultation.status === 'not_happened') {
    const reason = consultation.notHappened?.reason;
    return (
      <Page title={t('ended.title')}>
        <Notice kind="info">
          <p data-testid="ended" data-status="not_happened">
            {t('ended.notHappened', { doctor: consultation.practitionerName })}
          </p>
          {reason !== undefined && <p>{t(`notHappened.${reason}`)}</p>}
        </Notice>
        {another || newToken}
      </Page>
    );
  }

  const words: Record<string, string> = {
    lapsed: t('ended.lapsed'),
    closed: t('ended.closed'),
    no_show: t('ended.noShow'),
    not_happened: t('ended.notHappenedShort'),
    cancelled: t('ended.cancelled'),
    transferred: t('ended.transferred'),
    completed: t('ended.completed'),
  };
  return (
    <Page title={t('ended.title')}>
      <Notice kind="info">
        <p data-testid="ended" data-status={ended.status}>
          {words[ended.status] ?? t('ended.unknown')}
        </p>
        {token?.outcomeReason != null && (ended.status === 'no_show' || ended.status === 'not_happened') && (
          <p>{t('ended.reason', { reason: token.outcomeReason })}</p>
        )}
      </Notice>
      {ended.status === 'closed' && token !== undefined && <NextSession token={token} />}
      {another || newToken}
    </Page>
  );
}

/** A token closed at closing: keep the place (in arrival order) for the OPD's next session. */
function NextSession({ token }: { token: Token }) {
  const i18n = useOpdI18n();
  const { t } = i18n;
  const opd = useApi<Opd>(`/api/v1/opds/${encodeURIComponent(token.opdId)}`);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const keep = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const booked = await api.post<Token>(`/api/v1/opd/tokens/${encodeURIComponent(token.id)}/next-session`, {});
      navigate(`/consult/token/${booked.id}`);
    } catch (failure) {
      setError(errorMessage(failure, i18n));
      setBusy(false);
    }
  };
  return (
    <section className="panel" data-testid="next-session">
      {opd.data !== undefined && (
        <p className="opd-status">
          {opd.data.name}: {openText(opd.data, i18n)}
        </p>
      )}
      {error !== undefined && <Notice kind="error">{error}</Notice>}
      {!(opd.data?.openNow ?? false) && (token.nextSessionAt !== null || opd.data?.opensAt != null) && (
        <p>
          <button type="button" className="button" disabled={busy} onClick={() => void keep()} data-testid="keep-place">
            {t('ended.keepPlace', { time: i18n.dateTime(token.nextSessionAt ?? opd.data?.opensAt ?? '') })}
          </button>
        </p>
      )}
    </section>
  );
}

/** The doctor asked to see the patient again here: book it with the same doctor, in a tap. */
function FollowUpBooking({ consultation }: { consultation: Consultation }) {
  const i18n = useOpdI18n();
  const { t } = i18n;
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const followUp = consultation.record.followUp;
  if (consultation.kind !== 'opd' || followUp === null) return null;
  if (followUp.with !== 'same_doctor' && followUp.with !== 'same_facility') return null;
  const book = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const booked = await api.post<Token>('/api/v1/opd/follow-ups', { consultationId: consultation.id });
      navigate(`/consult/token/${booked.id}`);
    } catch (failure) {
      setError(errorMessage(failure, i18n));
      setBusy(false);
    }
  };
  return (
    <section className="panel" aria-labelledby="follow-up-heading">
      <h2 id="follow-up-heading">{t('done.followUp')}</h2>
      <p>
        {t(followUp.with === 'same_doctor' ? 'followUp.sameDoctor' : 'followUp.sameOpd', {
          doctor: consultation.practitionerName,
          date: i18n.date(followUp.dueDate),
        })}
      </p>
      {error !== undefined && <Notice kind="error">{error}</Notice>}
      <button type="button" className="button" disabled={busy} onClick={() => void book()} data-testid="book-follow-up">
        {t('followUp.book')}
      </button>
    </section>
  );
}

/** What the doctor wrote that the patient needs: advice, diagnosis, follow-up, prescription. */
function Summary({ consultation }: { consultation: Consultation }) {
  const i18n = useOpdI18n();
  const { t } = i18n;
  const { record } = consultation;
  return (
    <section className="panel" aria-labelledby="summary-heading">
      <h2 id="summary-heading">{t('done.summary')}</h2>
      <dl className="facts-list">
        {record.diagnoses.length > 0 && (
          <div>
            <dt>{t('done.diagnosis')}</dt>
            <dd>{record.diagnoses.map((diagnosis) => diagnosis.title).join('; ')}</dd>
          </div>
        )}
        {record.advice !== null && (
          <div>
            <dt>{t('done.advice')}</dt>
            <dd className="pre-line">{record.advice}</dd>
          </div>
        )}
        {record.investigations.length > 0 && (
          <div>
            <dt>{t('done.tests')}</dt>
            <dd>{record.investigations.join(', ')}</dd>
          </div>
        )}
        {record.followUp !== null && (
          <div>
            <dt>{t('done.followUp')}</dt>
            <dd>{t('done.followUpOn', { date: i18n.date(record.followUp.dueDate) })}</dd>
          </div>
        )}
      </dl>
      <Prescriptions consultationId={consultation.id} />
    </section>
  );
}

/** While none is signed, look again this often: the doctor may sign after completing. */
const PRESCRIPTION_POLL_MS = 15_000;

/**
 * The prescriptions signed in this consultation (a cancelled one drops out; its replacement
 * shows), each with its PDF, as under "My prescriptions".
 */
function Prescriptions({ consultationId }: { consultationId: string }) {
  const i18n = useOpdI18n();
  const { t } = i18n;
  const [found, setFound] = useState(false);
  const list = useApi<{ items: Prescription[] }>(
    `/api/v1/consultations/${encodeURIComponent(consultationId)}/prescriptions`,
    found ? {} : { refreshMs: PRESCRIPTION_POLL_MS },
  );
  const active = (list.data?.items ?? []).filter((rx) => rx.status === 'active');
  useEffect(() => {
    if (active.length > 0) setFound(true);
  }, [active.length]);
  if (active.length === 0) return <p className="hint">{t('done.noPrescription')}</p>;
  return (
    <ul className="done-prescriptions" data-testid="consultation-prescriptions">
      {active.map((rx) => (
        <li key={rx.id} data-testid="consultation-prescription">
          <p>
            {rx.document.items.map((item) => `${item.name} ${item.strength ?? ''}`.trim()).join(', ') ||
              t('done.prescription')}
          </p>
          <p>
            <a className="button" href={rx.pdfUrl} download data-testid="prescription-pdf">
              {t('done.prescriptionPdf')}
            </a>{' '}
            <Link to={`/rx/${rx.id}`} className="button button-secondary">
              {t('done.prescription')}
            </Link>
          </p>
        </li>
      ))}
    </ul>
  );
}

const STARS = [1, 2, 3, 4, 5] as const;

function Rating({ consultation, onRated }: { consultation: Consultation; onRated: (c: Consultation) => void }) {
  const i18n = useOpdI18n();
  const { t } = i18n;
  const id = useId();
  const [stars, setStars] = useState(0);
  const [comment, setComment] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const group = useRef<HTMLFieldSetElement>(null);

  const submit = async (event: SyntheticEvent) => {
    event.preventDefault();
    if (busy) return;
    if (stars === 0) {
      setError(t('rate.choose'));
      group.current?.querySelector('input')?.focus();
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      const trimmed = comment.trim();
      onRated(
        await api.post<Consultation>(`/api/v1/consultations/${encodeURIComponent(consultation.id)}/rating`, {
          rating: stars,
          ...(trimmed === '' ? {} : { comment: trimmed }),
        }),
      );
    } catch (failure) {
      if (failure instanceof ApiError && failure.status === 409) {
        // Rated already (another device, or a retry whose answer was lost).
        onRated(await api.get<Consultation>(`/api/v1/consultations/${encodeURIComponent(consultation.id)}`));
      } else setError(errorMessage(failure, i18n));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="form rating-form" onSubmit={(event) => void submit(event)} noValidate data-testid="rating">
      <fieldset
        ref={group}
        className={error === undefined ? 'field stars' : 'field stars field-invalid'}
        aria-describedby={error === undefined ? `${id}-hint` : `${id}-hint ${id}-error`}
      >
        <legend>{t('rate.title', { doctor: consultation.practitionerName })}</legend>
        <p id={`${id}-hint`} className="hint">
          {t('rate.hint')}
        </p>
        {error !== undefined && (
          <p id={`${id}-error`} className="field-error" role="alert">
            {error}
          </p>
        )}
        <div className="star-row">
          {STARS.map((value) => (
            <label key={value} htmlFor={`${id}-${value}`} className={value <= stars ? 'star star-on' : 'star'}>
              <input
                id={`${id}-${value}`}
                type="radio"
                name={`${id}-stars`}
                value={value}
                checked={stars === value}
                onChange={() => setStars(value)}
                data-testid={`star-${value}`}
              />
              <span aria-hidden="true" className="star-glyph">
                ★
              </span>
              <span className="visually-hidden">{t(`rate.star${value}`)}</span>
            </label>
          ))}
        </div>
        {stars > 0 && <p className="star-words">{t(`rate.star${stars as 1 | 2 | 3 | 4 | 5}`)}</p>}
      </fieldset>
      <div className="field">
        <label htmlFor={`${id}-comment`}>{t('rate.comment')}</label>
        <textarea
          id={`${id}-comment`}
          className="input"
          rows={3}
          maxLength={1000}
          value={comment}
          onChange={(event) => setComment(event.target.value)}
        />
      </div>
      <button type="submit" className="button" disabled={busy} data-testid="rate-submit">
        {busy ? t('rate.sending') : t('rate.send')}
      </button>
    </form>
  );
}
