import { randomUUID } from 'node:crypto';
import type { Principal } from '../../platform/auth.js';
import type { Clock } from '../../platform/clock.js';
import type { Config } from '../../platform/config.js';
import {
  AppError,
  badRequest,
  locked,
  notFound,
  tooManyRequests,
  unauthenticated,
  unavailable,
} from '../../platform/errors.js';
import { operationOutcome } from '@sanjog/shared';
import type { AuditRecorder } from '../audit/index.js';
import { SmsDeliveryError, type SmsSender } from '../sms/index.js';
import type { IdentityRepository, SessionRow, UserRow } from './repository.js';
import { hashOtpCode, hashPassword, hashToken, newOtpCode, newToken, sameHash, verifyPassword } from './secrets.js';
import type { SessionCache } from './session-cache.js';
import { newTotpSecret, otpauthUri, verifyTotp } from './totp.js';

export type IdentityConfig = Pick<
  Config,
  'otp' | 'staffLogin' | 'secretKey' | 'sessionTtlHours' | 'bearerTokenTtlDays'
>;

export interface ClientInfo {
  ip: string;
  userAgent: string | null;
}

export interface SignedIn {
  principal: Principal;
  token: string;
  expiresAt: Date;
}

/** Only touch `last_seen_at` this often, so that every request is not a write. */
const TOUCH_INTERVAL_MS = 5 * 60 * 1000;

const WRONG_CREDENTIALS = 'Wrong user name or password';

/** Events other instances act on. */
export const SESSION_REVOKED_TOPIC = 'identity.session-revoked';

export interface SessionEvents {
  publish(topic: string, message: unknown): Promise<void>;
}

export class IdentityService {
  private dummyHash: Promise<string> | null = null;

  constructor(
    private readonly repository: IdentityRepository,
    private readonly sms: SmsSender,
    private readonly audit: AuditRecorder,
    private readonly clock: Clock,
    private readonly config: IdentityConfig,
    private readonly cache: SessionCache,
    private readonly events: SessionEvents,
  ) {}

  /** Called when another instance revoked a session. */
  onSessionRevoked(message: unknown): void {
    const sessionId = (message as { sessionId?: unknown } | null)?.sessionId;
    if (typeof sessionId === 'string') this.cache.forgetSession(sessionId);
  }

  // ---- Patients: mobile number and one-time code --------------------------------------------

  async requestOtp(mobile: string, client: ClientInfo): Promise<{ challengeId: string; expiresAt: Date }> {
    const now = this.clock.now();
    const windowStart = new Date(now.getTime() - this.config.otp.windowMinutes * 60_000);
    const windowMs = this.config.otp.windowMinutes * 60_000;
    const retryAfter = (oldest: Date | null) =>
      oldest === null ? windowMs / 1000 : (oldest.getTime() + windowMs - now.getTime()) / 1000;

    const byIp = await this.repository.countChallengesFromIp(client.ip, windowStart);
    if (byIp.count >= this.config.otp.maxPerIpPerWindow) {
      throw tooManyRequests('Too many codes requested from this network; try again later', retryAfter(byIp.oldest));
    }
    const byMobile = await this.repository.countChallengesForMobile(mobile, windowStart);
    if (byMobile.count >= this.config.otp.maxPerMobilePerWindow) {
      throw tooManyRequests(
        'Too many codes sent to this number; wait before asking again',
        retryAfter(byMobile.oldest),
      );
    }

    const challengeId = randomUUID();
    const code = newOtpCode();
    const expiresAt = new Date(now.getTime() + this.config.otp.ttlSeconds * 1000);
    await this.repository.createChallenge({
      id: challengeId,
      mobile,
      codeHash: hashOtpCode(this.config.secretKey, challengeId, code),
      createdAt: now,
      expiresAt,
      ip: client.ip,
    });
    const minutes = Math.round(this.config.otp.ttlSeconds / 60);
    try {
      await this.sms.send({
        to: mobile,
        body: `${code} is your Sanjog sign-in code. It is valid for ${minutes} minutes. Do not share it with anyone.`,
      });
    } catch (error) {
      if (error instanceof SmsDeliveryError)
        throw unavailable('We could not send the SMS just now; please try again in a minute');
      throw error;
    }
    return { challengeId, expiresAt };
  }

  async verifyOtp(challengeId: string, code: string, client: ClientInfo): Promise<SignedIn> {
    const now = this.clock.now();
    const challenge = await this.repository.takeAttempt(challengeId);
    if (challenge === undefined) throw notFound('This sign-in code request');
    if (challenge.consumedAt !== null) throw expired('This code was already used; ask for a new one');
    if (challenge.expiresAt.getTime() <= now.getTime()) throw expired('This code has expired; ask for a new one');
    if (challenge.attempts > this.config.otp.maxAttempts) {
      throw tooManyRequests('Too many wrong codes; ask for a new one', 1);
    }
    if (!sameHash(challenge.codeHash, hashOtpCode(this.config.secretKey, challengeId, code))) {
      const left = this.config.otp.maxAttempts - challenge.attempts;
      throw unauthenticated(
        left > 0 ? `Wrong code; ${left} ${left === 1 ? 'try' : 'tries'} left` : 'Wrong code; ask for a new one',
      );
    }
    if (!(await this.repository.consumeChallenge(challengeId, now))) {
      throw expired('This code was already used; ask for a new one');
    }
    const user = await this.repository.findOrCreatePatientAccount(
      randomUUID(),
      challenge.mobile,
      `+91 ${challenge.mobile}`,
    );
    return this.startSession(user, 'cookie', null, client);
  }

  // ---- Staff: user name or mobile, password, optional TOTP ----------------------------------

  async staffSignIn(
    input: { login: string; password: string; totp?: string | undefined; tokenKind: 'cookie' | 'bearer' },
    client: ClientInfo,
  ): Promise<SignedIn> {
    const now = this.clock.now();
    const user = await this.repository.findStaffByLogin(input.login.trim());
    if (user === undefined || user.passwordHash === null || !user.active) {
      // Spend the same time as a real check, so that timing does not reveal which names exist.
      await verifyPassword(await this.getDummyHash(), input.password);
      throw unauthenticated(WRONG_CREDENTIALS);
    }
    if (user.lockedUntil !== null && user.lockedUntil.getTime() > now.getTime()) {
      throw locked(
        'This account is locked after too many failed sign-ins; try again later',
        (user.lockedUntil.getTime() - now.getTime()) / 1000,
      );
    }
    const passwordOk = await verifyPassword(user.passwordHash, input.password);
    if (!passwordOk) throw await this.failSignIn(user, now, WRONG_CREDENTIALS, client);
    if (user.totpEnabled && user.totpSecret !== null) {
      if (input.totp === undefined) {
        throw new AppError(
          401,
          operationOutcome({
            severity: 'error',
            code: 'login',
            diagnostics: 'Enter the 6-digit code from your authenticator app',
            expression: ['body.totp'],
          }),
        );
      }
      if (!verifyTotp(user.totpSecret, input.totp, now)) {
        throw await this.failSignIn(user, now, 'Wrong authenticator code', client);
      }
    }
    await this.repository.clearLoginFailures(user.id);
    return this.startSession(user, input.tokenKind, input.tokenKind === 'bearer' ? 'sign-in' : null, client);
  }

  private async failSignIn(user: UserRow, now: Date, message: string, client: ClientInfo): Promise<AppError> {
    const lockUntil = new Date(now.getTime() + this.config.staffLogin.lockoutMinutes * 60_000);
    const state = await this.repository.recordLoginFailure(user.id, this.config.staffLogin.maxFailures, lockUntil);
    await this.audit.record({
      actorId: user.id,
      actorRole: null,
      action: 'sign-in',
      resourceType: 'Session',
      ip: client.ip,
      outcome: 'failure',
      detail: { failedLogins: state.failedLogins },
    });
    if (state.lockedUntil !== null && state.lockedUntil.getTime() > now.getTime()) {
      return locked(
        'Too many failed sign-ins; this account is locked for a while',
        (state.lockedUntil.getTime() - now.getTime()) / 1000,
      );
    }
    return unauthenticated(message);
  }

  private getDummyHash(): Promise<string> {
    this.dummyHash ??= hashPassword(newToken());
    return this.dummyHash;
  }

  // ---- Sessions and tokens -----------------------------------------------------------------

  private async startSession(
    user: UserRow,
    kind: 'cookie' | 'bearer',
    label: string | null,
    client: ClientInfo,
  ): Promise<SignedIn> {
    const now = this.clock.now();
    const ttlMs =
      kind === 'cookie' ? this.config.sessionTtlHours * 3_600_000 : this.config.bearerTokenTtlDays * 86_400_000;
    const token = newToken();
    const sessionId = randomUUID();
    const expiresAt = new Date(now.getTime() + ttlMs);
    await this.repository.createSession({
      id: sessionId,
      tokenHash: hashToken(token),
      userId: user.id,
      kind,
      label,
      createdAt: now,
      expiresAt,
      ip: client.ip,
      userAgent: client.userAgent,
    });
    const principal = await this.resolve(token);
    if (principal === null) throw new Error('a new session did not resolve');
    await this.audit.record({
      actorId: user.id,
      actorRole: principal.kind === 'patient' ? 'patient' : (principal.roles[0]?.role ?? null),
      action: 'sign-in',
      resourceType: 'Session',
      resourceId: sessionId,
      ip: client.ip,
      detail: { kind },
    });
    return { principal, token, expiresAt };
  }

  /** The principal behind a session cookie or bearer token, or null when it is not live. */
  async resolve(token: string): Promise<Principal | null> {
    const now = this.clock.now();
    const row = await this.repository.findSessionPrincipal(hashToken(token), now);
    if (row === undefined) return null;
    if (now.getTime() - row.lastSeenAt.getTime() > TOUCH_INTERVAL_MS)
      await this.repository.touchSession(row.sessionId, now);
    return {
      userId: row.userId,
      kind: row.kind,
      displayName: row.displayName,
      sessionId: row.sessionId,
      roles: row.roles,
    };
  }

  async issueApiToken(principal: Principal, label: string, client: ClientInfo): Promise<SignedIn> {
    const user = await this.repository.findUser(principal.userId);
    if (user === undefined) throw notFound('User');
    return this.startSession(user, 'bearer', label, client);
  }

  listSessions(principal: Principal): Promise<SessionRow[]> {
    return this.repository.listSessions(principal.userId, this.clock.now());
  }

  async revokeSession(principal: Principal, sessionId: string, client: ClientInfo): Promise<void> {
    if (!(await this.repository.revokeSession(principal.userId, sessionId, this.clock.now())))
      throw notFound('Session');
    await this.audit.record({
      actorId: principal.userId,
      actorRole: principal.kind === 'patient' ? 'patient' : (principal.roles[0]?.role ?? null),
      action: 'sign-out',
      resourceType: 'Session',
      resourceId: sessionId,
      ip: client.ip,
    });
  }

  /** Housekeeping: challenges and sessions a day past their use. */
  purgeExpired(): Promise<void> {
    return this.repository.purgeExpired(new Date(this.clock.now().getTime() - 86_400_000));
  }

  // ---- TOTP enrolment ----------------------------------------------------------------------

  async beginTotp(principal: Principal): Promise<{ secret: string; otpauthUri: string }> {
    const user = await this.staffUser(principal);
    if (user.totpEnabled) throw badRequest('An authenticator is already set up; turn it off first');
    const secret = newTotpSecret();
    await this.repository.setTotp(user.id, secret, false);
    return { secret, otpauthUri: otpauthUri(secret, user.username ?? user.id) };
  }

  async enableTotp(principal: Principal, code: string): Promise<void> {
    const user = await this.staffUser(principal);
    if (user.totpSecret === null) throw badRequest('Start the authenticator set-up first');
    if (!verifyTotp(user.totpSecret, code, this.clock.now())) throw badRequest('Wrong authenticator code', 'body.code');
    await this.repository.setTotp(user.id, user.totpSecret, true);
  }

  private async staffUser(principal: Principal): Promise<UserRow> {
    const user = await this.repository.findUser(principal.userId);
    if (user?.kind !== 'staff') throw badRequest('Only staff accounts use an authenticator app');
    return user;
  }
}

function expired(diagnostics: string): AppError {
  return new AppError(410, operationOutcome({ severity: 'error', code: 'expired', diagnostics }));
}
