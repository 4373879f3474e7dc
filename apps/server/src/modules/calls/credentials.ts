import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** An entry of RTCConfiguration.iceServers, as the browser takes it. */
export interface IceServer {
  urls: string[];
  username?: string;
  credential?: string;
}

/**
 * A TURN credential in the shared-secret scheme of the TURN REST API draft, which coturn
 * implements with `use-auth-secret` and `static-auth-secret`: the username is the expiry (Unix
 * seconds) and the user, the password is base64(HMAC-SHA1(secret, username)). coturn checks it
 * without asking anyone, and refuses it after the expiry.
 */
export function turnCredential(
  secret: string,
  userId: string,
  now: Date,
  ttlSeconds: number,
): { username: string; credential: string; expiresAt: Date } {
  const expiry = Math.floor(now.getTime() / 1000) + ttlSeconds;
  const username = `${String(expiry)}:${userId}`;
  const credential = createHmac('sha1', secret).update(username).digest('base64');
  return { username, credential, expiresAt: new Date(expiry * 1000) };
}

/** The ICE servers a participant gets: STUN as configured, TURN with a credential of their own. */
export function iceServersFor(
  config: { stunUrls: string[]; turnUrls: string[]; turnSecret: string | undefined; turnCredentialTtlSeconds: number },
  userId: string,
  now: Date,
): IceServer[] {
  const servers: IceServer[] = [];
  if (config.stunUrls.length > 0) servers.push({ urls: config.stunUrls });
  if (config.turnUrls.length > 0 && config.turnSecret !== undefined) {
    const { username, credential } = turnCredential(config.turnSecret, userId, now, config.turnCredentialTtlSeconds);
    servers.push({ urls: config.turnUrls, username, credential });
  }
  return servers;
}

/** A room id: 128 random bits, so that nobody can guess one (unlike a room named after an appointment). */
export function newRoomId(): string {
  return randomBytes(16).toString('base64url');
}

/** What a join credential says: who may join which room, until when. */
export interface JoinClaims {
  roomId: string;
  consultationId: string;
  userId: string;
  participantId: string;
  name: string;
  role: string;
  /** Unix milliseconds. */
  expiresAt: number;
}

/**
 * A participant's join credential: the claims, signed with the deployment's secret (HMAC-SHA256,
 * key separated by purpose), so that any instance can check it without a shared store. It only
 * opens the signalling socket; the room is checked again in the database at that moment.
 */
export class JoinTokens {
  private readonly key: Buffer;

  constructor(secretKey: string) {
    this.key = createHmac('sha256', secretKey).update('sanjog call join token').digest();
  }

  sign(claims: JoinClaims): string {
    const payload = Buffer.from(JSON.stringify(claims)).toString('base64url');
    return `${payload}.${this.mac(payload)}`;
  }

  /** The claims of a genuine, unexpired token; undefined otherwise. */
  verify(token: string, now: number): JoinClaims | undefined {
    const dot = token.indexOf('.');
    if (dot <= 0 || token.length > 4096) return undefined;
    const payload = token.slice(0, dot);
    const given = Buffer.from(token.slice(dot + 1), 'base64url');
    const expected = Buffer.from(this.mac(payload), 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    let claims: JoinClaims;
    try {
      claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as JoinClaims;
    } catch {
      return undefined;
    }
    if (typeof claims.expiresAt !== 'number' || claims.expiresAt <= now) return undefined;
    return claims;
  }

  /** A participant's id in a room: stable across rejoins, opaque to the others. */
  participantId(roomId: string, userId: string): string {
    return createHmac('sha256', this.key).update(`${roomId}:${userId}`).digest('base64url').slice(0, 16);
  }

  private mac(payload: string): string {
    return createHmac('sha256', this.key).update(payload).digest('base64url');
  }
}
