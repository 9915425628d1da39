import { EventEmitter } from 'node:events';
import type { Redis } from 'ioredis';

/**
 * Progress of bulk jobs over Redis pub/sub: workers publish after each committed chunk, API
 * processes relay to waiting calls and SSE streams. Events are hints only; readers confirm state
 * in PostgreSQL, so a lost message costs latency, never correctness.
 */
export interface JobEvent {
  jobId: string;
  state: string;
  total: number | null;
  succeeded: number;
  failed: number;
}

const CHANNEL_PREFIX = 'bulkops:job-events:';

export class JobEventPublisher {
  private readonly redis: Redis;
  constructor(redis: Redis) {
    this.redis = redis;
  }
  async publish(event: JobEvent): Promise<void> {
    await this.redis.publish(CHANNEL_PREFIX + event.jobId, JSON.stringify(event)).catch(() => {});
  }
}

/** One subscriber connection per process, fanned out to listeners by job id. */
export class JobEventHub {
  private readonly redis: Redis;
  private readonly emitter = new EventEmitter();
  private ready: Promise<unknown> | null = null;

  constructor(subscriber: Redis) {
    this.redis = subscriber;
    this.emitter.setMaxListeners(0);
    this.redis.on('pmessage', (_pattern: string, channel: string, message: string) => {
      try {
        const event = JSON.parse(message) as JobEvent;
        this.emitter.emit(channel.slice(CHANNEL_PREFIX.length), event);
      } catch {
        // not ours
      }
    });
  }

  /**
   * Calls listener for each event of the job until the returned function is called. Does not wait
   * for the subscription: while Redis is away it would wait with it, and readers poll PostgreSQL
   * anyway, so an event missed before the subscription is in place costs a poll interval at most.
   */
  async subscribe(jobId: string, listener: (e: JobEvent) => void): Promise<() => void> {
    this.ready ??= this.redis.psubscribe(`${CHANNEL_PREFIX}*`).catch(() => {
      this.ready = null;
    });
    this.emitter.on(jobId, listener);
    return () => this.emitter.off(jobId, listener);
  }

  close(): void {
    this.redis.disconnect();
  }
}
