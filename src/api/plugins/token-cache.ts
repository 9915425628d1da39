import type { Actor } from '../../domain/identity/actor.ts';

/**
 * Recently authenticated tokens, by the SHA-256 of their secret, for `ttlMs`. Every call but
 * /healthz authenticates; without this each single-entity call pays a token lookup round trip
 * before its own query. Only successes are kept (a new token works at once); a token removed from
 * the database keeps working here for at most `ttlMs`. Bounded: the oldest entry makes room.
 */
export class TokenCache {
  private readonly entries = new Map<string, { actor: Actor; expires: number }>();
  private readonly ttlMs: number;
  private readonly max: number;

  constructor(ttlMs: number, max = 10_000) {
    this.ttlMs = ttlMs;
    this.max = max;
  }

  get(key: string, now = Date.now()): Actor | undefined {
    const hit = this.entries.get(key);
    if (!hit) return undefined;
    if (hit.expires > now) return hit.actor;
    this.entries.delete(key);
    return undefined;
  }

  set(key: string, actor: Actor, now = Date.now()): void {
    if (this.ttlMs <= 0) return;
    this.entries.delete(key);
    if (this.entries.size >= this.max) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    this.entries.set(key, { actor, expires: now + this.ttlMs });
  }
}
