import type { StaffRole } from '@sanjog/shared';
import type { RoleBinding } from '../../platform/auth.js';
import type { Database, Queryable } from '../../platform/db/database.js';

export interface UserRow {
  id: string;
  kind: 'staff' | 'patient';
  username: string | null;
  mobile: string | null;
  displayName: string;
  passwordHash: string | null;
  totpSecret: string | null;
  totpEnabled: boolean;
  failedLogins: number;
  lockedUntil: Date | null;
  active: boolean;
  preferredLanguage: string;
}

export interface SessionPrincipalRow {
  sessionId: string;
  expiresAt: Date;
  lastSeenAt: Date;
  userId: string;
  kind: 'staff' | 'patient';
  displayName: string;
  roles: RoleBinding[];
}

export interface SessionRow {
  id: string;
  kind: 'cookie' | 'bearer';
  label: string | null;
  createdAt: Date;
  expiresAt: Date;
  lastSeenAt: Date;
  ip: string | null;
  userAgent: string | null;
}

export interface OtpChallengeRow {
  id: string;
  mobile: string;
  codeHash: string;
  expiresAt: Date;
  attempts: number;
  consumedAt: Date | null;
}

const USER_COLUMNS = `id, kind, username, mobile, display_name as "displayName", password_hash as "passwordHash",
  totp_secret as "totpSecret", totp_enabled as "totpEnabled", failed_logins as "failedLogins",
  locked_until as "lockedUntil", active, preferred_language as "preferredLanguage"`;

const SESSION_COLUMNS = `id, kind, label, created_at as "createdAt", expires_at as "expiresAt",
  last_seen_at as "lastSeenAt", ip, user_agent as "userAgent"`;

export class IdentityRepository {
  constructor(private readonly db: Database) {}

  async findStaffByLogin(login: string): Promise<UserRow | undefined> {
    const [row] = await this.db.query<UserRow>(
      `select ${USER_COLUMNS} from users where kind = 'staff' and (username = lower($1) or mobile = $1) limit 1`,
      [login],
    );
    return row;
  }

  async findUser(id: string): Promise<UserRow | undefined> {
    const [row] = await this.db.query<UserRow>(`select ${USER_COLUMNS} from users where id = $1`, [id]);
    return row;
  }

  async findOrCreatePatientAccount(id: string, mobile: string, displayName: string): Promise<UserRow> {
    // Insert-or-read in one statement, so two verifications at once cannot make two accounts.
    await this.db.query(
      `insert into users (id, kind, mobile, display_name) values ($1, 'patient', $2, $3)
       on conflict (kind, mobile) where mobile is not null do nothing`,
      [id, mobile, displayName],
    );
    const [row] = await this.db.query<UserRow>(
      `select ${USER_COLUMNS} from users where kind = 'patient' and mobile = $1`,
      [mobile],
    );
    if (row === undefined) throw new Error('patient account vanished');
    return row;
  }

  async createStaffUser(
    user: { id: string; username: string; mobile: string | null; displayName: string; passwordHash: string },
    roles: { id: string; role: StaffRole; stateId: string | null; facilityId: string | null }[],
    tx: Queryable = this.db,
  ): Promise<void> {
    await tx.query(
      `insert into users (id, kind, username, mobile, display_name, password_hash) values ($1, 'staff', lower($2), $3, $4, $5)`,
      [user.id, user.username, user.mobile, user.displayName, user.passwordHash],
    );
    for (const role of roles) {
      await tx.query(
        'insert into role_bindings (id, user_id, role, state_id, facility_id) values ($1, $2, $3, $4, $5)',
        [role.id, user.id, role.role, role.stateId, role.facilityId],
      );
    }
  }

  async countUsers(): Promise<number> {
    const [row] = await this.db.query<{ count: number }>('select count(*)::int as count from users');
    return row?.count ?? 0;
  }

  /** Counts the failure and locks the account once the limit is reached; returns the new state. */
  async recordLoginFailure(
    userId: string,
    maxFailures: number,
    lockUntil: Date,
  ): Promise<{ failedLogins: number; lockedUntil: Date | null }> {
    const [row] = await this.db.query<{ failedLogins: number; lockedUntil: Date | null }>(
      `update users set failed_logins = failed_logins + 1,
         locked_until = case when failed_logins + 1 >= $2 then $3::timestamptz else locked_until end,
         updated_at = now()
       where id = $1 returning failed_logins as "failedLogins", locked_until as "lockedUntil"`,
      [userId, maxFailures, lockUntil],
    );
    return row ?? { failedLogins: 0, lockedUntil: null };
  }

  async clearLoginFailures(userId: string): Promise<void> {
    await this.db.query(
      'update users set failed_logins = 0, locked_until = null where id = $1 and (failed_logins > 0 or locked_until is not null)',
      [userId],
    );
  }

  async setTotp(userId: string, secret: string | null, enabled: boolean): Promise<void> {
    await this.db.query('update users set totp_secret = $2, totp_enabled = $3, updated_at = now() where id = $1', [
      userId,
      secret,
      enabled,
    ]);
  }

  async createSession(session: {
    id: string;
    tokenHash: string;
    userId: string;
    kind: 'cookie' | 'bearer';
    label: string | null;
    createdAt: Date;
    expiresAt: Date;
    ip: string;
    userAgent: string | null;
  }): Promise<void> {
    await this.db.query(
      `insert into sessions (id, token_hash, user_id, kind, label, created_at, expires_at, last_seen_at, ip, user_agent)
       values ($1, $2, $3, $4, $5, $6, $7, $6, $8, $9)`,
      [
        session.id,
        session.tokenHash,
        session.userId,
        session.kind,
        session.label,
        session.createdAt,
        session.expiresAt,
        session.ip,
        session.userAgent,
      ],
    );
  }

  async findSessionPrincipal(tokenHash: string, now: Date): Promise<SessionPrincipalRow | undefined> {
    const [row] = await this.db.query<SessionPrincipalRow>(
      `select s.id as "sessionId", s.expires_at as "expiresAt", s.last_seen_at as "lastSeenAt",
         u.id as "userId", u.kind, u.display_name as "displayName",
         coalesce((select json_agg(json_build_object('role', r.role, 'stateId', r.state_id, 'facilityId', r.facility_id) order by r.created_at)
                   from role_bindings r where r.user_id = u.id), '[]'::json) as roles
       from sessions s join users u on u.id = s.user_id
       where s.token_hash = $1 and s.revoked_at is null and s.expires_at > $2 and u.active`,
      [tokenHash, now],
    );
    return row;
  }

  async touchSession(sessionId: string, at: Date): Promise<void> {
    await this.db.query('update sessions set last_seen_at = $2 where id = $1', [sessionId, at]);
  }

  listSessions(userId: string, now: Date): Promise<SessionRow[]> {
    return this.db.query<SessionRow>(
      `select ${SESSION_COLUMNS} from sessions where user_id = $1 and revoked_at is null and expires_at > $2 order by created_at desc`,
      [userId, now],
    );
  }

  /** Revokes one of the user's sessions; false when there is no such live session. */
  async revokeSession(userId: string, sessionId: string, at: Date): Promise<boolean> {
    const rows = await this.db.query(
      'update sessions set revoked_at = $3 where id = $2 and user_id = $1 and revoked_at is null returning id',
      [userId, sessionId, at],
    );
    return rows.length === 1;
  }

  async revokeAllSessions(userId: string, at: Date): Promise<number> {
    const rows = await this.db.query(
      'update sessions set revoked_at = $2 where user_id = $1 and revoked_at is null returning id',
      [userId, at],
    );
    return rows.length;
  }

  async countChallengesForMobile(mobile: string, since: Date): Promise<{ count: number; oldest: Date | null }> {
    const [row] = await this.db.query<{ count: number; oldest: Date | null }>(
      'select count(*)::int as count, min(created_at) as oldest from otp_challenges where mobile = $1 and created_at > $2',
      [mobile, since],
    );
    return row ?? { count: 0, oldest: null };
  }

  async countChallengesFromIp(ip: string, since: Date): Promise<{ count: number; oldest: Date | null }> {
    const [row] = await this.db.query<{ count: number; oldest: Date | null }>(
      'select count(*)::int as count, min(created_at) as oldest from otp_challenges where ip = $1 and created_at > $2',
      [ip, since],
    );
    return row ?? { count: 0, oldest: null };
  }

  async createChallenge(challenge: {
    id: string;
    mobile: string;
    codeHash: string;
    createdAt: Date;
    expiresAt: Date;
    ip: string;
  }): Promise<void> {
    await this.db.query(
      'insert into otp_challenges (id, mobile, code_hash, created_at, expires_at, ip) values ($1, $2, $3, $4, $5, $6)',
      [challenge.id, challenge.mobile, challenge.codeHash, challenge.createdAt, challenge.expiresAt, challenge.ip],
    );
  }

  /**
   * Counts one attempt and returns the challenge, in one statement so that parallel guesses
   * cannot exceed the limit. Undefined when the challenge does not exist.
   */
  async takeAttempt(challengeId: string): Promise<OtpChallengeRow | undefined> {
    const [row] = await this.db.query<OtpChallengeRow>(
      `update otp_challenges set attempts = attempts + 1 where id = $1
       returning id, mobile, code_hash as "codeHash", expires_at as "expiresAt", attempts, consumed_at as "consumedAt"`,
      [challengeId],
    );
    return row;
  }

  /** Marks the challenge used; false when another request used it first. */
  async consumeChallenge(challengeId: string, at: Date): Promise<boolean> {
    const rows = await this.db.query(
      'update otp_challenges set consumed_at = $2 where id = $1 and consumed_at is null returning id',
      [challengeId, at],
    );
    return rows.length === 1;
  }

  /** Removes one-time code challenges and sessions that can no longer be used. */
  async purgeExpired(before: Date): Promise<void> {
    await this.db.query('delete from otp_challenges where created_at < $1', [before]);
    await this.db.query('delete from sessions where expires_at < $1', [before]);
  }
}
