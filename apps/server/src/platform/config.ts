import { randomBytes } from 'node:crypto';
import path from 'node:path';

/**
 * Configuration is read from the environment once, at start, and validated here; nothing else
 * in the server reads `process.env`. A bad value stops the start with a message that names the
 * variable and says what it should be.
 */
export interface Config {
  environment: 'development' | 'test' | 'production';
  host: string;
  port: number;
  /** PostgreSQL connection string; when absent the embedded PGlite in `dataDir` is used. */
  databaseUrl: string | undefined;
  dataDir: string;
  /** Redis connection string for events between instances; in-process events when absent. */
  redisUrl: string | undefined;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Secret for HMACs (one-time codes, tokens); every instance of one deployment shares it. */
  secretKey: string;
  publicBaseUrl: string;
  cookieSecure: boolean;
  trustProxy: boolean;
  sessionTtlHours: number;
  bearerTokenTtlDays: number;
  /** How long an instance may reuse a resolved session before asking the database again. */
  sessionCacheSeconds: number;
  otp: {
    ttlSeconds: number;
    maxAttempts: number;
    maxPerMobilePerWindow: number;
    maxPerIpPerWindow: number;
    windowMinutes: number;
  };
  staffLogin: { maxFailures: number; lockoutMinutes: number };
  sms: { adapter: 'outbox' } | { adapter: 'http'; gatewayUrl: string; gatewayToken: string; senderId: string };
  queue: {
    /** How long a called patient has to join before the call counts as missed. */
    callWindowSeconds: number;
    /** After this long a follow-up waiting for one doctor may be seen by another. */
    preferenceMinutes: number;
    /** How often missed calls and closed OPDs are swept. */
    sweepSeconds: number;
  };
  /** Video calls: where browsers find their way through NAT, and how long credentials last. */
  calls: {
    /** STUN servers (`stun:host:port`); none by default, which is enough on one network. */
    stunUrls: string[];
    /** TURN servers (`turn:host:port?transport=udp`), e.g. coturn with `use-auth-secret`. */
    turnUrls: string[];
    /** coturn's `static-auth-secret`: TURN passwords are HMACs of it, issued per call. */
    turnSecret: string | undefined;
    turnCredentialTtlSeconds: number;
    /** How long a participant's join credential may be used to open the signalling socket. */
    joinTokenTtlSeconds: number;
  };
  /** Load demo data on the first start (a database without any user). */
  demoData: boolean;
  /** Serve the built web app from this folder, when it exists. */
  webDistDir: string;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

class EnvReader {
  readonly problems: string[] = [];
  constructor(private readonly env: Env) {}

  private raw(name: string): string | undefined {
    const value = this.env[name];
    return value === undefined || value.trim() === '' ? undefined : value.trim();
  }

  string(name: string, fallback: string): string {
    return this.raw(name) ?? fallback;
  }

  optionalString(name: string): string | undefined {
    return this.raw(name);
  }

  oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    if ((allowed as readonly string[]).includes(value)) return value as T;
    this.problems.push(`${name} must be one of ${allowed.join(', ')} (got "${value}")`);
    return fallback;
  }

  integer(name: string, fallback: number, min: number, max: number): number {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    const parsed = Number(value);
    if (!/^-?[0-9]+$/.test(value) || parsed < min || parsed > max) {
      this.problems.push(`${name} must be a whole number from ${min} to ${max} (got "${value}")`);
      return fallback;
    }
    return parsed;
  }

  boolean(name: string, fallback: boolean): boolean {
    const value = this.raw(name)?.toLowerCase();
    if (value === undefined) return fallback;
    if (['1', 'true', 'yes', 'on'].includes(value)) return true;
    if (['0', 'false', 'no', 'off'].includes(value)) return false;
    this.problems.push(`${name} must be true or false (got "${value}")`);
    return fallback;
  }

  /** A comma-separated list of ICE server URLs (RFC 7064/7065: `stun:host[:port]`, `turn:host[:port][?transport=udp|tcp]`). */
  iceUrls(name: string, schemes: readonly string[]): string[] {
    const value = this.raw(name);
    if (value === undefined) return [];
    const urls = value
      .split(',')
      .map((url) => url.trim())
      .filter((url) => url !== '');
    const pattern = new RegExp(`^(${schemes.join('|')}):[A-Za-z0-9.\\-\\[\\]:]+(\\?transport=(udp|tcp))?$`);
    for (const url of urls) {
      if (!pattern.test(url))
        this.problems.push(
          `${name} must be a comma-separated list of ${schemes.map((s) => `${s}:host[:port]`).join(' or ')} URLs (got "${url}")`,
        );
    }
    return urls;
  }

  url(name: string, protocols: readonly string[]): string | undefined {
    const value = this.raw(name);
    if (value === undefined) return undefined;
    try {
      const parsed = new URL(value);
      if (!protocols.includes(parsed.protocol)) throw new Error('protocol');
      return value;
    } catch {
      this.problems.push(
        `${name} must be a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')} (got "${redact(value)}")`,
      );
      return undefined;
    }
  }
}

/** Hides a password inside a connection string before it is printed. */
function redact(value: string): string {
  return value.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');
}

export function loadConfig(env: Env = process.env, cwd: string = process.cwd()): Config {
  const read = new EnvReader(env);
  const environment = read.oneOf('NODE_ENV', ['development', 'test', 'production'] as const, 'development');
  const port = read.integer('PORT', 8080, 0, 65535);
  const databaseUrl = read.url('DATABASE_URL', ['postgres:', 'postgresql:']);
  const redisUrl = read.url('REDIS_URL', ['redis:', 'rediss:']);

  let secretKey = read.optionalString('SECRET_KEY');
  if (secretKey !== undefined && secretKey.length < 32) {
    read.problems.push('SECRET_KEY must be at least 32 characters (a random string shared by every instance)');
  }
  if (secretKey === undefined) {
    if (environment === 'production') {
      read.problems.push(
        'SECRET_KEY must be set in production (at least 32 random characters, the same on every instance)',
      );
    }
    // Development and test: a per-process secret is enough; codes issued before a restart stop working.
    secretKey = randomBytes(32).toString('base64url');
  }

  const smsAdapter = read.oneOf('SMS_ADAPTER', ['outbox', 'http'] as const, 'outbox');
  let sms: Config['sms'] = { adapter: 'outbox' };
  if (smsAdapter === 'http') {
    const gatewayUrl = read.url('SMS_GATEWAY_URL', ['http:', 'https:']);
    const gatewayToken = read.optionalString('SMS_GATEWAY_TOKEN');
    if (gatewayUrl === undefined) read.problems.push('SMS_GATEWAY_URL must be set when SMS_ADAPTER is http');
    if (gatewayToken === undefined) read.problems.push('SMS_GATEWAY_TOKEN must be set when SMS_ADAPTER is http');
    sms = {
      adapter: 'http',
      gatewayUrl: gatewayUrl ?? '',
      gatewayToken: gatewayToken ?? '',
      senderId: read.string('SMS_SENDER_ID', 'SANJOG'),
    };
  } else if (environment === 'production' && !read.boolean('ALLOW_SMS_OUTBOX', false)) {
    read.problems.push('SMS_ADAPTER must be http in production (or set ALLOW_SMS_OUTBOX=true for a demo deployment)');
  }

  const turnUrls = read.iceUrls('CALL_TURN_URLS', ['turn', 'turns']);
  const turnSecret = read.optionalString('CALL_TURN_SECRET');
  if (turnUrls.length > 0 && turnSecret === undefined)
    read.problems.push("CALL_TURN_SECRET must be set when CALL_TURN_URLS is (coturn's static-auth-secret)");
  if (turnSecret !== undefined && turnSecret.length < 16)
    read.problems.push('CALL_TURN_SECRET must be at least 16 characters');

  const host = read.string('HOST', '0.0.0.0');
  const config: Config = {
    environment,
    host,
    port,
    databaseUrl,
    dataDir: path.resolve(cwd, read.string('DATA_DIR', './data')),
    redisUrl,
    logLevel: read.oneOf(
      'LOG_LEVEL',
      ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const,
      environment === 'test' ? 'silent' : 'info',
    ),
    secretKey,
    publicBaseUrl: read.url('PUBLIC_BASE_URL', ['http:', 'https:']) ?? `http://localhost:${port}`,
    cookieSecure: read.boolean('COOKIE_SECURE', environment === 'production'),
    trustProxy: read.boolean('TRUST_PROXY', false),
    sessionTtlHours: read.integer('SESSION_TTL_HOURS', 12, 1, 24 * 30),
    bearerTokenTtlDays: read.integer('BEARER_TOKEN_TTL_DAYS', 30, 1, 365),
    sessionCacheSeconds: read.integer('SESSION_CACHE_SECONDS', 30, 0, 300),
    otp: {
      ttlSeconds: read.integer('OTP_TTL_SECONDS', 300, 30, 3600),
      maxAttempts: read.integer('OTP_MAX_ATTEMPTS', 5, 1, 20),
      maxPerMobilePerWindow: read.integer('OTP_MAX_PER_MOBILE', 3, 1, 1_000_000),
      maxPerIpPerWindow: read.integer('OTP_MAX_PER_IP', 30, 1, 1_000_000),
      windowMinutes: read.integer('OTP_WINDOW_MINUTES', 15, 1, 1440),
    },
    staffLogin: {
      maxFailures: read.integer('LOGIN_MAX_FAILURES', 5, 1, 100),
      lockoutMinutes: read.integer('LOGIN_LOCKOUT_MINUTES', 15, 1, 1440),
    },
    sms,
    queue: {
      callWindowSeconds: read.integer('OPD_CALL_WINDOW_SECONDS', 120, 15, 900),
      preferenceMinutes: read.integer('OPD_PREFERENCE_MINUTES', 30, 0, 600),
      sweepSeconds: read.integer('OPD_SWEEP_SECONDS', 5, 1, 300),
    },
    calls: {
      stunUrls: read.iceUrls('CALL_STUN_URLS', ['stun', 'stuns']),
      turnUrls,
      turnSecret,
      turnCredentialTtlSeconds: read.integer('CALL_TURN_TTL_SECONDS', 3600, 60, 86_400),
      joinTokenTtlSeconds: read.integer('CALL_JOIN_TOKEN_TTL_SECONDS', 300, 10, 3600),
    },
    demoData: read.boolean('DEMO_DATA', environment !== 'production'),
    webDistDir: path.resolve(cwd, read.string('WEB_DIST_DIR', 'apps/web/dist')),
  };
  if (read.problems.length > 0) throw new ConfigError(read.problems);
  return config;
}
