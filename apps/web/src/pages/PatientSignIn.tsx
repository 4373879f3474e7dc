import { useEffect, useRef, useState, type SyntheticEvent } from 'react';
import { INDIAN_MOBILE_PATTERN, normaliseIndianMobile, OTP_PATTERN } from '@sanjog/shared';
import { api, ApiError, serverNow, withQuery, type SignInResponse } from '../api';
import { Field } from '../components/Field';
import { Notice } from '../components/Notice';
import { Page } from '../components/Page';
import { errorMessage } from '../errors';
import { useNow } from '../hooks';
import { useI18n } from '../i18n';
import { Link } from '../router';
import { OTP_CHALLENGE_KEY, useSession } from '../session';
import './pages.css';

interface Challenge {
  mobile: string;
  challengeId: string;
  expiresAt: string;
  /** Client time of sending, for the "send again" pause. */
  sentAt: number;
}

/** Asking again sooner mostly produces two SMS that race each other. */
const RESEND_PAUSE_MS = 30_000;
const MOBILE = new RegExp(INDIAN_MOBILE_PATTERN);
const CODE = new RegExp(OTP_PATTERN);

// The request is kept for this tab only, so that reading the SMS (or the demo outbox) and coming
// back, or a refresh on a flaky link, does not lose it.
function readChallenge(): Challenge | null {
  try {
    const raw = sessionStorage.getItem(OTP_CHALLENGE_KEY);
    const value = raw === null ? null : (JSON.parse(raw) as Partial<Challenge>);
    if (
      typeof value?.mobile === 'string' &&
      typeof value.challengeId === 'string' &&
      typeof value.expiresAt === 'string'
    ) {
      return {
        mobile: value.mobile,
        challengeId: value.challengeId,
        expiresAt: value.expiresAt,
        sentAt: Number(value.sentAt) || 0,
      };
    }
  } catch {
    // Unreadable or blocked storage: start over.
  }
  return null;
}

function storeChallenge(challenge: Challenge | null): void {
  try {
    if (challenge === null) sessionStorage.removeItem(OTP_CHALLENGE_KEY);
    else sessionStorage.setItem(OTP_CHALLENGE_KEY, JSON.stringify(challenge));
  } catch {
    // Not kept across a refresh; the flow still works.
  }
}

/** Reads the code from the SMS on Android Chrome (WebOTP) when the SMS carries the origin line. */
function useSmsAutofill(active: boolean, onCode: (code: string) => void): void {
  useEffect(() => {
    if (!active || !('OTPCredential' in window)) return;
    const controller = new AbortController();
    const get = navigator.credentials.get.bind(navigator.credentials) as (options: object) => Promise<unknown>;
    get({ otp: { transport: ['sms'] }, signal: controller.signal })
      .then((credential) => {
        const code = (credential as { code?: unknown } | null)?.code;
        if (typeof code === 'string' && CODE.test(code)) onCode(code);
      })
      .catch(() => undefined);
    return () => controller.abort();
  }, [active, onCode]);
}

/** Whether this server is a demo with an SMS outbox to read codes from (404 on real servers). */
function useDemoOutbox(ask: boolean): boolean {
  const [demo, setDemo] = useState(false);
  useEffect(() => {
    if (!ask) return;
    const controller = new AbortController();
    api
      .get('/api/v1/dev/sms-outbox?limit=1', { signal: controller.signal })
      .then(() => setDemo(true))
      .catch(() => undefined);
    return () => controller.abort();
  }, [ask]);
  return demo;
}

type Errors = { mobile?: string; code?: string; form?: string };

export function PatientSignIn() {
  const i18n = useI18n();
  const { t } = i18n;
  const session = useSession();
  const [challenge, setChallenge] = useState<Challenge | null>(readChallenge);
  const [mobile, setMobile] = useState(() => (challenge === null ? '' : challenge.mobile));
  const [code, setCode] = useState('');
  const [errors, setErrors] = useState<Errors>({});
  const [busy, setBusy] = useState<'send' | 'verify' | null>(null);
  const [news, setNews] = useState('');
  const mobileInput = useRef<HTMLInputElement>(null);
  const codeInput = useRef<HTMLInputElement>(null);
  const focusCode = useRef(false);

  const now = useNow(challenge === null ? null : 1000);
  const demo = useDemoOutbox(challenge !== null);
  useSmsAutofill(challenge !== null, setCode);

  useEffect(() => {
    if (challenge !== null && focusCode.current) codeInput.current?.focus();
    focusCode.current = false;
  }, [challenge]);

  const secondsLeft = challenge === null ? 0 : (Date.parse(challenge.expiresAt) - serverNow()) / 1000;
  const expired = challenge !== null && secondsLeft <= 0;
  const resendIn = challenge === null ? 0 : (challenge.sentAt + RESEND_PAUSE_MS - now) / 1000;
  const canResend = expired || resendIn <= 0;

  const send = async (event?: SyntheticEvent) => {
    event?.preventDefault();
    if (busy !== null) return;
    const normalised = normaliseIndianMobile(mobile);
    if (!MOBILE.test(normalised)) {
      setErrors({ mobile: t('patient.mobileInvalid') });
      mobileInput.current?.focus();
      return;
    }
    const again = challenge !== null;
    setBusy('send');
    setErrors({});
    setNews('');
    try {
      const answer = await api.post<{ challengeId: string; expiresAt: string }>('/api/v1/auth/otp', {
        mobile: normalised,
      });
      const next: Challenge = {
        mobile: normalised,
        challengeId: answer.challengeId,
        expiresAt: answer.expiresAt,
        sentAt: Date.now(),
      };
      storeChallenge(next);
      focusCode.current = true;
      setChallenge(next);
      setCode('');
      if (again) setNews(t('patient.newCodeSent', { mobile: i18n.mobile(normalised) }));
    } catch (error) {
      const message =
        error instanceof ApiError && error.status === 400 ? t('patient.mobileInvalid') : errorMessage(error, i18n);
      setErrors(again ? { form: message } : { mobile: message });
    } finally {
      setBusy(null);
    }
  };

  const verify = async (event: SyntheticEvent) => {
    event.preventDefault();
    if (challenge === null || busy !== null) return;
    const entered = code.replace(/\s/g, '');
    if (!CODE.test(entered)) {
      setErrors({ code: t('patient.codeInvalid') });
      codeInput.current?.focus();
      return;
    }
    setBusy('verify');
    setErrors({});
    setNews('');
    try {
      const answer = await api.post<SignInResponse>('/api/v1/auth/otp/verify', {
        challengeId: challenge.challengeId,
        code: entered,
      });
      storeChallenge(null);
      session.signedIn(answer.me);
    } catch (error) {
      setErrors(verifyError(error));
      codeInput.current?.focus();
    } finally {
      setBusy(null);
    }
  };

  // The server words a wrong code as "Wrong code; 3 tries left": we keep only the number.
  const verifyError = (error: unknown): Errors => {
    if (!(error instanceof ApiError)) return { form: errorMessage(error, i18n) };
    switch (error.status) {
      case 400:
        return { code: t('patient.codeInvalid') };
      case 401: {
        const left = Number(/(\d+)/.exec(error.diagnostics ?? '')?.[1] ?? 0);
        return { code: left > 0 ? t('patient.wrongCode', { left }) : t('patient.wrongCodeLast') };
      }
      case 404:
      case 410:
        return { form: expired ? t('patient.expired') : t('patient.used') };
      case 429:
        return { form: t('patient.tooManyWrong') };
      default:
        return { form: errorMessage(error, i18n) };
    }
  };

  const changeNumber = () => {
    storeChallenge(null);
    setChallenge(null);
    setCode('');
    setErrors({});
    setNews('');
    window.setTimeout(() => mobileInput.current?.focus(), 0);
  };

  const sessionEnded = session.session.status === 'signedOut' && session.session.reason === 'expired';

  return (
    <Page title={t('patient.title')}>
      {sessionEnded && <Notice kind="info">{t('error.sessionEnded')}</Notice>}

      {challenge === null ? (
        <form className="form" onSubmit={(event) => void send(event)} noValidate>
          <Field
            ref={mobileInput}
            id="mobile"
            name="mobile"
            label={t('patient.mobileLabel')}
            hint={t('patient.mobileHint')}
            error={errors.mobile}
            prefix="+91"
            type="tel"
            inputMode="numeric"
            autoComplete="tel-national"
            value={mobile}
            onChange={(event) => setMobile(event.target.value)}
          />
          <button type="submit" className="button" data-testid="send-code" disabled={busy !== null}>
            {busy === 'send' ? t('patient.sending') : t('patient.sendCode')}
          </button>
        </form>
      ) : (
        <>
          <p className="lead" data-testid="code-sent">
            {t('patient.codeSent', { mobile: i18n.mobile(challenge.mobile) })}{' '}
            <button type="button" className="link-button" onClick={changeNumber} data-testid="change-number">
              {t('patient.changeNumber')}
            </button>
          </p>

          {demo && (
            <Notice kind="info">
              <p>{t('patient.demoNote')}</p>
              <p>
                <Link to={withQuery('/dev/outbox', { mobile: challenge.mobile })} data-testid="outbox-link">
                  {t('patient.demoOutbox')}
                </Link>
              </p>
            </Notice>
          )}

          {news !== '' && <Notice kind="success">{news}</Notice>}
          {errors.form !== undefined && <Notice kind="error">{errors.form}</Notice>}

          <form className="form" onSubmit={(event) => void verify(event)} noValidate>
            <Field
              ref={codeInput}
              id="otp-code"
              name="code"
              label={t('patient.codeLabel')}
              hint={t('patient.codeHint')}
              error={errors.code}
              className="input-code"
              type="text"
              inputMode="numeric"
              autoComplete="one-time-code"
              pattern="[0-9]*"
              maxLength={6}
              value={code}
              onChange={(event) => setCode(event.target.value.replace(/[^0-9]/g, ''))}
            />
            {/* The ticking countdown is not a live region (it would speak every second); running out is. */}
            {expired ? (
              <Notice kind="error">
                <p data-testid="countdown">{t('patient.expired')}</p>
              </Notice>
            ) : (
              <p className="countdown" data-testid="countdown">
                {t('patient.expiresIn', { time: i18n.clock(secondsLeft) })}
              </p>
            )}
            <button type="submit" className="button" data-testid="verify-code" disabled={busy !== null || expired}>
              {busy === 'verify' ? t('patient.verifying') : t('patient.verify')}
            </button>
          </form>

          <div className="resend">
            <button
              type="button"
              className="button button-secondary"
              data-testid="send-again"
              disabled={busy !== null || !canResend}
              onClick={() => void send()}
            >
              {busy === 'send' ? t('patient.sending') : t('patient.sendAgain')}
            </button>
            {!canResend && <p className="hint">{t('patient.sendAgainIn', { time: i18n.clock(resendIn) })}</p>}
          </div>
        </>
      )}

      <p className="aside-link">
        <Link to="/staff/sign-in">{t('patient.staffLink')}</Link>
      </p>
    </Page>
  );
}
