import type { Redis } from 'ioredis';

type Callback = (err: Error | null, res: { current: number; ttl: number } | null) => void;

interface Window {
  /** The count every API process had sent to Redis at the last flush (ours included). */
  shared: number;
  /** Calls counted here and not sent yet. */
  pending: number;
  /** Calls being sent by the flush in progress. */
  sending: number;
  resetAt: number;
  /** When this process last counted a call of the key: recently used keys learn the shared total. */
  usedAt: number;
}

/** How long after its last call here a key keeps learning the other processes' counts. */
const FOLLOW_MS = 2000;

/**
 * A store for @fastify/rate-limit that counts each call in the process and sends the counts to
 * Redis in one pipeline every `flushMs`, instead of one Redis round trip per call (measured: about
 * 250 us of CPU per request, a third of a single-entity GET). A token's count is exact within one
 * process; across processes each learns the others' calls at its next flush, so a token spread
 * over N API processes can overshoot its limit by what N-1 of them take in `flushMs`. While Redis
 * is away the processes keep counting on their own (fail-open across processes, never per call).
 */
export class BatchedRedisStore {
  private readonly windows = new Map<string, Window>();
  private readonly timer: NodeJS.Timeout;
  private flushing: Promise<void> | undefined;
  private readonly redis: Redis;
  private readonly prefix: string;
  private readonly timeWindowMs: number;

  constructor(redis: Redis, prefix: string, timeWindowMs: number, flushMs = 100) {
    this.redis = redis;
    this.prefix = prefix;
    this.timeWindowMs = timeWindowMs;
    this.timer = setInterval(() => void this.flush(), flushMs);
    this.timer.unref();
  }

  incr(key: string, cb: Callback): void {
    const w = this.window(key);
    w.pending++;
    w.usedAt = Date.now();
    cb(null, { current: w.shared + w.sending + w.pending, ttl: w.resetAt - Date.now() });
  }

  read(key: string, cb: Callback): void {
    const w = this.window(key);
    cb(null, { current: w.shared + w.sending + w.pending, ttl: w.resetAt - Date.now() });
  }

  /** One limit for every route: the count is per token, whatever it calls. */
  child(): this {
    return this;
  }

  close(): void {
    clearInterval(this.timer);
  }

  private window(key: string): Window {
    const now = Date.now();
    let w = this.windows.get(key);
    if (!w || now >= w.resetAt) {
      w = { shared: 0, pending: 0, sending: 0, resetAt: now + this.timeWindowMs, usedAt: now };
      this.windows.set(key, w);
    }
    return w;
  }

  /**
   * Sends every pending count (INCRBY; the first opens the window with its expiry) and learns the shared
   * totals of the keys used here lately (INCRBY 0), so a process also sees the calls of a token it
   * is not counting any more right now.
   */
  flush(): Promise<void> {
    this.flushing ??= this.send().finally(() => {
      this.flushing = undefined;
    });
    return this.flushing;
  }

  private async send(): Promise<void> {
    const now = Date.now();
    const batch: Array<[string, Window]> = [];
    for (const [key, w] of this.windows) {
      if (now >= w.resetAt) this.windows.delete(key);
      else if (w.pending > 0 || now - w.usedAt < FOLLOW_MS) batch.push([key, w]);
    }
    if (batch.length === 0 || this.redis.status !== 'ready') return;
    const pipeline = this.redis.pipeline();
    for (const [key, w] of batch) {
      w.sending = w.pending;
      w.pending = 0;
      // SET NX opens the window with its expiry (any Redis since 2.6.12; INCRBY keeps the TTL).
      const k = this.prefix + key;
      pipeline.set(k, '0', 'PX', this.timeWindowMs, 'NX').incrby(k, w.sending).pttl(k);
    }
    const results = await pipeline.exec().catch(() => null);
    batch.forEach(([, w], i) => {
      const total = results?.[i * 3 + 1]?.[1];
      const ttl = results?.[i * 3 + 2]?.[1];
      if (typeof total === 'number') {
        w.shared = total;
        if (typeof ttl === 'number' && ttl > 0) w.resetAt = Date.now() + ttl;
      } else {
        w.pending += w.sending; // not sent: try again at the next flush
      }
      w.sending = 0;
    });
  }
}
