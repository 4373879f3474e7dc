import { useEffect, useRef, useState, type SyntheticEvent } from 'react';
import { TOTP_PATTERN } from '@sanjog/shared';
import { api, ApiError, type SignInResponse } from '../api';
import { Field } from '../components/Field';
import { Notice } from '../components/Notice';
import { Page } from '../components/Page';
import { errorMessage } from '../errors';
import { useI18n } from '../i18n';
import { Link } from '../router';
import { useSession } from '../session';
import './pages.css';

const TOTP = new RegExp(TOTP_PATTERN);

type FieldName = 'login' | 'password' | 'totp';
type Errors = Partial<Record<FieldName | 'form', string>>;

export function StaffSignIn() {
  const i18n = useI18n();
  const { t } = i18n;
  const session = useSession();
  const [login, setLogin] = useState('');
  const [password, setPassword] = useState('');
  const [totp, setTotp] = useState('');
  const [showPassword, setShowPassword] = useState(false);
  // The authenticator step appears only when the server asks for it (401 naming body.totp).
  const [needTotp, setNeedTotp] = useState(false);
  const [errors, setErrors] = useState<Errors>({});
  const [busy, setBusy] = useState(false);
  const loginInput = useRef<HTMLInputElement>(null);
  const passwordInput = useRef<HTMLInputElement>(null);
  const totpInput = useRef<HTMLInputElement>(null);

  useEffect(() => {
    if (needTotp) totpInput.current?.focus();
  }, [needTotp]);

  // Errors are shown all at once; focus goes to the first field that needs fixing.
  const fail = (next: Errors) => {
    setErrors(next);
    const first = (['login', 'password', 'totp'] as const).find((name) => next[name] !== undefined);
    if (first !== undefined) ({ login: loginInput, password: passwordInput, totp: totpInput })[first].current?.focus();
  };

  const submit = async (event: SyntheticEvent) => {
    event.preventDefault();
    if (busy) return;
    const trimmed = login.trim();
    const invalid: Errors = {};
    if (trimmed.length < 3) invalid.login = t('staff.loginInvalid');
    if (password === '') invalid.password = t('staff.passwordInvalid');
    if (needTotp && !TOTP.test(totp)) invalid.totp = t('staff.totpInvalid');
    if (Object.keys(invalid).length > 0) return fail(invalid);

    setBusy(true);
    setErrors({});
    try {
      const body = needTotp ? { login: trimmed, password, totp } : { login: trimmed, password };
      const answer = await api.post<SignInResponse>('/api/v1/auth/staff', body);
      session.signedIn(answer.me);
    } catch (error) {
      if (error instanceof ApiError && error.status === 401 && error.field === 'totp' && !needTotp) {
        setNeedTotp(true);
      } else if (error instanceof ApiError && error.status === 401) {
        // With the code step shown, the password already passed once: the code is what failed.
        if (needTotp) {
          setTotp('');
          fail({ totp: t('staff.wrongTotp') });
        } else {
          fail({ form: t('staff.wrongCredentials') });
        }
      } else if (error instanceof ApiError && error.status === 400 && isFieldName(error.field)) {
        const messages = {
          login: t('staff.loginInvalid'),
          password: t('staff.passwordInvalid'),
          totp: t('staff.totpInvalid'),
        };
        fail({ [error.field]: messages[error.field] });
      } else {
        fail({ form: errorMessage(error, i18n) });
      }
    } finally {
      setBusy(false);
    }
  };

  const sessionEnded = session.session.status === 'signedOut' && session.session.reason === 'expired';

  return (
    <Page title={t('staff.title')}>
      {sessionEnded && <Notice kind="info">{t('error.sessionEnded')}</Notice>}
      {errors.form !== undefined && <Notice kind="error">{errors.form}</Notice>}
      <form className="form" onSubmit={(event) => void submit(event)} noValidate>
        <Field
          ref={loginInput}
          id="login"
          name="username"
          label={t('staff.loginLabel')}
          error={errors.login}
          type="text"
          autoComplete="username"
          autoCapitalize="none"
          autoCorrect="off"
          spellCheck={false}
          value={login}
          onChange={(event) => {
            setLogin(event.target.value);
            // Another person's account may not need the second step.
            setNeedTotp(false);
          }}
        />
        <Field
          ref={passwordInput}
          id="password"
          name="password"
          label={t('staff.passwordLabel')}
          error={errors.password}
          type={showPassword ? 'text' : 'password'}
          autoComplete="current-password"
          autoCapitalize="none"
          autoCorrect="off"
          spellCheck={false}
          value={password}
          onChange={(event) => setPassword(event.target.value)}
        />
        <label className="checkbox" htmlFor="show-password">
          <input
            id="show-password"
            type="checkbox"
            checked={showPassword}
            onChange={(event) => setShowPassword(event.target.checked)}
          />
          <span>{t('staff.showPassword')}</span>
        </label>
        {needTotp && (
          <>
            <Notice kind="info">{t('staff.totpNeeded')}</Notice>
            <Field
              ref={totpInput}
              id="totp"
              name="totp"
              label={t('staff.totpLabel')}
              hint={t('staff.totpHint')}
              error={errors.totp}
              className="input-code"
              type="text"
              inputMode="numeric"
              autoComplete="one-time-code"
              pattern="[0-9]*"
              maxLength={6}
              value={totp}
              onChange={(event) => setTotp(event.target.value.replace(/[^0-9]/g, ''))}
            />
          </>
        )}
        <button type="submit" className="button" data-testid="staff-sign-in" disabled={busy}>
          {busy ? t('staff.signingIn') : t('staff.signIn')}
        </button>
      </form>
      <p className="aside-link">
        <Link to="/patient/sign-in">{t('staff.patientLink')}</Link>
      </p>
    </Page>
  );
}

function isFieldName(value: string | undefined): value is FieldName {
  return value === 'login' || value === 'password' || value === 'totp';
}
