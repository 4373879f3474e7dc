import type { Principal } from '../../platform/auth.js';

interface Entry {
  principal: Principal;
  expiresAt: number;
  cachedUntil: number;
}

/**
 * Recently resolved sessions, so that an authenticated request does not cost a database round
 * trip each time. Entries live a few seconds at most; a revocation removes them at once here and,
 * through the event bus, on every other instance.
 */
export class SessionCache {
  private readonly byTokenHash = new Map<string, Entry>();
  private readonly tokenHashBySession = new Map<string, string>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries = 100_000,
  ) {}

  get(tokenHash: string, now: number): Principal | undefined {
    const entry = this.byTokenHash.get(tokenHash);
    if (entry === undefined) return undefined;
    if (entry.cachedUntil <= now || entry.expiresAt <= now) {
      this.delete(tokenHash, entry.principal.sessionId);
      return undefined;
    }
    return entry.principal;
  }

  set(tokenHash: string, principal: Principal, expiresAt: number, now: number): void {
    if (this.ttlMs <= 0) return;
    if (this.byTokenHash.size >= this.maxEntries) {
      // Maps iterate in insertion order: drop the oldest.
      const oldest = this.byTokenHash.keys().next().value;
      if (oldest !== undefined) this.delete(oldest, this.byTokenHash.get(oldest)?.principal.sessionId);
    }
    this.byTokenHash.set(tokenHash, { principal, expiresAt, cachedUntil: now + this.ttlMs });
    this.tokenHashBySession.set(principal.sessionId, tokenHash);
  }

  forgetSession(sessionId: string): void {
    const tokenHash = this.tokenHashBySession.get(sessionId);
    if (tokenHash !== undefined) this.delete(tokenHash, sessionId);
  }

  forgetUser(userId: string): void {
    for (const [tokenHash, entry] of this.byTokenHash) {
      if (entry.principal.userId === userId) this.delete(tokenHash, entry.principal.sessionId);
    }
  }

  private delete(tokenHash: string, sessionId: string | undefined): void {
    this.byTokenHash.delete(tokenHash);
    if (sessionId !== undefined) this.tokenHashBySession.delete(sessionId);
  }
}
