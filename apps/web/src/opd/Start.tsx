import { useEffect, useId, useRef, useState, type SyntheticEvent } from 'react';
import { api, ApiError, withQuery } from '../api';
import { Icon } from '../components/Icon';
import { arrow } from '../components/icons';
import { LoadError, Loading, Notice } from '../components/Notice';
import { Page } from '../components/Page';
import { Select } from '../components/Select';
import { errorMessage } from '../errors';
import { Link, navigate, useLocation } from '../router';
import { useApi } from '../useApi';
import { useOpdI18n, type OpdI18n } from './i18n';
import { ProfileForm } from './ProfileForm';
import { Records } from './Records';
import type { Opd, Profile, State, Token } from './types';
import { ageOf, languageNamer, newId } from './util';

const BASE = '/consult';

/** "Male · 40 years" */
export function profileFacts(profile: Profile, i18n: OpdI18n): string {
  const age = ageOf(profile);
  return [i18n.t(`sex.${profile.sex}`), age === null ? null : i18n.t('profile.years', { age })]
    .filter((fact): fact is string => fact !== null)
    .join(' · ');
}

/** Open OPDs first (those with a free doctor first), then closed ones by opening time. */
function byAvailability(a: Opd, b: Opd): number {
  if (a.openNow !== b.openNow) return a.openNow ? -1 : 1;
  if (a.openNow) {
    if (a.doctorsAvailable > 0 !== b.doctorsAvailable > 0) return a.doctorsAvailable > 0 ? -1 : 1;
    return (a.estimatedWaitMinutes ?? 0) - (b.estimatedWaitMinutes ?? 0) || a.name.localeCompare(b.name);
  }
  return (a.opensAt ?? '9').localeCompare(b.opensAt ?? '9') || a.name.localeCompare(b.name);
}

/**
 * Three short steps, each its own address so that Back and a refresh work: whose consultation,
 * which OPD, then (optionally) earlier records and the token itself.
 */
export function Start() {
  const { query } = useLocation();
  const patientId = query.get('for');
  const opdId = query.get('opd');
  const family = useApi<{ items: Profile[] }>('/api/v1/me/patients');
  const tokens = useApi<{ items: Token[] }>('/api/v1/me/tokens');
  const { t } = useOpdI18n();

  if (family.error !== undefined && family.data === undefined)
    return (
      <Page title={t('opd.title')}>
        <LoadError error={family.error} onRetry={family.reload} />
      </Page>
    );
  if (family.data === undefined)
    return (
      <Page title={t('opd.title')}>
        <Loading />
      </Page>
    );
  const profiles = family.data.items;
  const profile = profiles.find((item) => item.id === patientId);
  const live = tokens.data?.items ?? [];
  if (profile === undefined) return <ChooseWho profiles={profiles} tokens={live} onAdded={family.reload} />;
  const token = live.find((item) => item.patientId === profile.id);
  if (opdId === null) return <ChooseOpd profile={profile} token={token} />;
  return <TakeToken profile={profile} opdId={opdId} token={token} />;
}

function Steps({ step }: { step: 1 | 2 | 3 }) {
  const { t } = useOpdI18n();
  return <p className="steps">{t('opd.step', { step, steps: 3 })}</p>;
}

function ChooseWho({ profiles, tokens, onAdded }: { profiles: Profile[]; tokens: Token[]; onAdded: () => void }) {
  const i18n = useOpdI18n();
  const { t } = i18n;
  const [adding, setAdding] = useState(profiles.length === 0);
  return (
    <Page title={t('who.title')}>
      <Steps step={1} />
      <p className="free">{t('opd.free')}</p>
      {profiles.length > 0 && (
        <ul className="choice-list" data-testid="who-list">
          {profiles.map((profile) => {
            const token = tokens.find((item) => item.patientId === profile.id);
            return (
              <li key={profile.id}>
                <Link
                  to={token === undefined ? withQuery(BASE, { for: profile.id }) : `${BASE}/token/${token.id}`}
                  className="choice-row"
                  data-testid="who-choice"
                >
                  <span className="choice-row-text">
                    <span className="row-title">{profile.name}</span>
                    <span className="row-meta">{profileFacts(profile, i18n)}</span>
                    {token !== undefined && (
                      <span className="badge badge-token">{t('who.hasToken', { number: token.tokenNumber })}</span>
                    )}
                  </span>
                  <Icon d={arrow} className="choice-row-arrow" />
                </Link>
              </li>
            );
          })}
        </ul>
      )}
      {adding ? (
        <section className="panel" aria-labelledby="add-person">
          <h2 id="add-person">{profiles.length === 0 ? t('who.addFirst') : t('who.addSomeone')}</h2>
          <ProfileForm
            first={profiles.length === 0}
            defaultStateId={profiles[0]?.stateId}
            onAdded={(profile) => {
              onAdded();
              navigate(withQuery(BASE, { for: profile.id }));
            }}
            onCancel={profiles.length === 0 ? undefined : () => setAdding(false)}
          />
        </section>
      ) : (
        <p>
          <button
            type="button"
            className="button button-secondary"
            onClick={() => setAdding(true)}
            data-testid="add-person"
          >
            {t('who.addSomeone')}
          </button>
        </p>
      )}
    </Page>
  );
}

function ForWhom({ profile }: { profile: Profile }) {
  const i18n = useOpdI18n();
  const { t } = i18n;
  return (
    <p className="for-whom" data-testid="for-whom">
      <span>{t('opd.forWhom', { name: profile.name })}</span>{' '}
      <span className="row-meta">({profileFacts(profile, i18n)})</span> <Link to={BASE}>{t('opd.change')}</Link>
    </p>
  );
}

function HasToken({ token }: { token: Token }) {
  const { t } = useOpdI18n();
  return (
    <Notice kind="info">
      <p>{t('opd.alreadyToken', { number: token.tokenNumber, opd: token.opdName })}</p>
      <p>
        <Link to={`${BASE}/token/${token.id}`} className="button">
          {t('opd.openWaitingRoom')}
        </Link>
      </p>
    </Notice>
  );
}

/** "Open now, until 5:00 pm" or "Closed. Opens 23 Nov, 9:00 am". */
export function openText(opd: Pick<Opd, 'openNow' | 'opensAt' | 'closesAt'>, i18n: OpdI18n): string {
  const { t } = i18n;
  if (opd.openNow) return t('opds.openNow');
  return opd.opensAt === undefined
    ? t('opds.closedNoHours')
    : t('opds.closedOpens', { time: i18n.dateTime(opd.opensAt) });
}

function ChooseOpd({ profile, token }: { profile: Profile; token: Token | undefined }) {
  const i18n = useOpdI18n();
  const { t } = i18n;
  const { query } = useLocation();
  const stateId = query.get('state') ?? profile.stateId;
  const states = useApi<{ states: State[] }>('/api/v1/geography/states');
  const opds = useApi<{ items: Opd[] }>(withQuery('/api/v1/opds', { stateId, limit: 200 }));
  const language = languageNamer(i18n.locale);
  const stateName = states.data?.states.find((state) => state.id === stateId)?.name ?? stateId;
  const items = [...(opds.data?.items ?? [])].sort(byAvailability);
  const open = items.filter((opd) => opd.openNow).length;
  return (
    <Page title={t('opds.title')}>
      <Steps step={2} />
      <ForWhom profile={profile} />
      {token !== undefined && <HasToken token={token} />}
      <form className="filters" onSubmit={(event) => event.preventDefault()}>
        <Select
          id="opd-state"
          label={t('opds.state')}
          hint={t('opds.stateHint')}
          options={(states.data?.states ?? [{ id: stateId, name: stateId }]).map((state) => ({
            value: state.id,
            label: state.name,
          }))}
          value={stateId}
          onChange={(event) =>
            navigate(
              withQuery(BASE, {
                for: profile.id,
                state: event.target.value === profile.stateId ? undefined : event.target.value,
              }),
              { replace: true },
            )
          }
        />
      </form>
      {opds.error !== undefined && <LoadError error={opds.error} onRetry={opds.reload} />}
      {opds.loading && <Loading />}
      {opds.data !== undefined && (
        <p className="count" role="status">
          {items.length === 0 ? t('opds.none', { state: stateName }) : t('opds.count', { open, total: items.length })}
        </p>
      )}
      <ul className="opd-list" data-testid="opd-list">
        {items.map((opd) => (
          <li
            key={opd.id}
            className={opd.openNow ? 'opd' : 'opd opd-closed'}
            data-testid="opd-item"
            data-open={opd.openNow}
          >
            <h2 className="opd-name">{opd.name}</h2>
            <p className={opd.openNow ? 'opd-status opd-open' : 'opd-status'}>{openText(opd, i18n)}</p>
            <dl className="facts-list">
              <div>
                <dt>{t('opds.speciality')}</dt>
                <dd>{opd.specialityName ?? t('opds.general')}</dd>
              </div>
              {opd.languages.length > 0 && (
                <div>
                  <dt>{t('opds.languages')}</dt>
                  <dd>{opd.languages.map(language).join(', ')}</dd>
                </div>
              )}
              {opd.openNow && (
                <div>
                  <dt>{opd.doctorsAvailable === 0 ? t('opds.doctors') : t('opds.wait')}</dt>
                  <dd data-testid="opd-wait">
                    {opd.doctorsAvailable === 0
                      ? t('opds.noDoctorFree')
                      : opd.estimatedWaitMinutes !== null && opd.estimatedWaitMinutes <= 1
                        ? t('opds.waitSoon', { waiting: opd.waiting })
                        : t('opds.waitWith', {
                            minutes: opd.estimatedWaitMinutes ?? opd.consultationMinutes,
                            waiting: opd.waiting,
                          })}
                  </dd>
                </div>
              )}
            </dl>
            {opd.openNow && (
              <Link
                to={withQuery(BASE, { for: profile.id, opd: opd.id })}
                className="button"
                aria-label={t('opds.chooseNamed', { name: opd.name })}
                data-testid="opd-choose"
              >
                {t('opds.choose')}
              </Link>
            )}
          </li>
        ))}
      </ul>
    </Page>
  );
}

type Claim = 'pregnant' | 'disabled';

function TakeToken({ profile, opdId, token }: { profile: Profile; opdId: string; token: Token | undefined }) {
  const i18n = useOpdI18n();
  const { t } = i18n;
  const claimsId = useId();
  const opd = useApi<Opd>(`/api/v1/opds/${encodeURIComponent(opdId)}`);
  const [claims, setClaims] = useState<Claim[]>([]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<{ message: string; existing?: boolean } | undefined>();
  const attempt = useRef<{ content: string; id: string } | null>(null);
  const errorBox = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (error !== undefined) errorBox.current?.focus();
  }, [error]);

  const toggle = (claim: Claim, on: boolean) =>
    setClaims((previous) =>
      on ? [...previous.filter((c) => c !== claim), claim] : previous.filter((c) => c !== claim),
    );

  const take = async (event: SyntheticEvent) => {
    event.preventDefault();
    if (busy) return;
    const body = { opdId, patientId: profile.id, ...(claims.length > 0 ? { claims } : {}) };
    const content = JSON.stringify(body);
    if (attempt.current?.content !== content) attempt.current = { content, id: newId() };
    const id = attempt.current.id;
    setBusy(true);
    setError(undefined);
    try {
      const taken = await api.post<Token>('/api/v1/opd/tokens', { id, ...body }, { idempotencyKey: `token-${id}` });
      navigate(`${BASE}/token/${taken.id}`, { replace: true });
    } catch (failure) {
      if (failure instanceof ApiError && failure.status === 409)
        setError({ message: t('take.otherOpd'), existing: true });
      else if (failure instanceof ApiError && failure.status === 422) {
        const words = failure.diagnostics ?? '';
        setError({
          message: /closed/i.test(words)
            ? t('take.closed')
            : /full/i.test(words)
              ? t('take.full')
              : /all given/i.test(words)
                ? t('take.noneLeft')
                : errorMessage(failure, i18n),
        });
      } else setError({ message: errorMessage(failure, i18n) });
      setBusy(false);
    }
  };

  const data = opd.data;
  return (
    <Page title={t('take.title')}>
      <Steps step={3} />
      <ForWhom profile={profile} />
      {token !== undefined && <HasToken token={token} />}
      {opd.error !== undefined && <LoadError error={opd.error} onRetry={opd.reload} />}
      {data === undefined ? (
        opd.loading && <Loading />
      ) : (
        <>
          <p className="for-whom">
            <span>{t('take.at', { opd: data.name })}</span>{' '}
            <Link to={withQuery(BASE, { for: profile.id })}>{t('opd.change')}</Link>
          </p>
          {!data.openNow && (
            <Notice kind="info">
              <p>{openText(data, i18n)}</p>
              <p>{t('take.comeBack')}</p>
            </Notice>
          )}
          <Records patientId={profile.id} />
          {data.openNow && token === undefined && (
            <form className="form take-form" onSubmit={(event) => void take(event)} noValidate>
              <fieldset className="field checks" aria-describedby={`${claimsId}-hint`}>
                <legend>{t('take.claims')}</legend>
                <p id={`${claimsId}-hint`} className="hint">
                  {t('take.claimsHint')}
                </p>
                {profile.sex !== 'male' && (
                  <label className="checkbox" htmlFor={`${claimsId}-pregnant`}>
                    <input
                      id={`${claimsId}-pregnant`}
                      type="checkbox"
                      checked={claims.includes('pregnant')}
                      onChange={(event) => toggle('pregnant', event.target.checked)}
                    />
                    <span>{t('take.pregnant')}</span>
                  </label>
                )}
                <label className="checkbox" htmlFor={`${claimsId}-disabled`}>
                  <input
                    id={`${claimsId}-disabled`}
                    type="checkbox"
                    checked={claims.includes('disabled')}
                    onChange={(event) => toggle('disabled', event.target.checked)}
                  />
                  <span>{t('take.disabled')}</span>
                </label>
              </fieldset>
              <p className="hint">{t('take.whatNext')}</p>
              {error !== undefined && (
                <div ref={errorBox} tabIndex={-1}>
                  <Notice kind="error">
                    <p>{error.message}</p>
                    {error.existing === true && (
                      <p>
                        <Link to="/home">{t('take.seeMyTokens')}</Link>
                      </p>
                    )}
                  </Notice>
                </div>
              )}
              <button type="submit" className="button button-big" disabled={busy} data-testid="take-token">
                {busy ? t('take.taking') : t('take.take')}
              </button>
            </form>
          )}
        </>
      )}
    </Page>
  );
}
