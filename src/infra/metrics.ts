import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Queue } from 'bullmq';
import type { Orm } from './orm.ts';

/**
 * What the workers report. Processors call these hooks; only this file knows prom-client, so the
 * domain and the processors stay free of it.
 */
export interface WorkerMetrics {
  /** One applied chunk: its wall time and the entities it settled. */
  chunkDone(operation: string, seconds: number, succeeded: number, failed: number): void;
  /** A bulk job that reached a final state in this process (planning or its last chunk). */
  jobFinished(operation: string, state: string, seconds: number): void;
  /** Any queue job (plan, chunk, reconcile, retention) and how it ended. */
  queueJobDone(name: string, outcome: 'completed' | 'failed', seconds: number): void;
}

/** Sub-second chunks up to multi-minute jobs. */
const CHUNK_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
const JOB_BUCKETS = [0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 900, 1800, 3600];

/**
 * One registry per process. With ROLE=all the API and the workers share it, so one scrape sees
 * both; queue depth and pool usage are read at scrape time, never on a timer.
 */
export class Metrics implements WorkerMetrics {
  readonly registry = new Registry();
  /** By qualified name (Redis prefix + name): under ROLE=all the API and the workers hold the same queue. */
  private readonly queues = new Map<string, Queue>();
  private orm: Orm | null = null;

  private readonly httpDuration = new Histogram({
    name: 'bulkops_http_request_duration_seconds',
    help: 'HTTP request duration by method, route pattern and status code',
    labelNames: ['method', 'route', 'status_code'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });

  private readonly chunkDuration = new Histogram({
    name: 'bulkops_chunk_duration_seconds',
    help: 'Time to apply one chunk of a bulk job, by operation',
    labelNames: ['operation'] as const,
    buckets: CHUNK_BUCKETS,
    registers: [this.registry],
  });

  private readonly jobDuration = new Histogram({
    name: 'bulkops_job_duration_seconds',
    help: 'Bulk job duration from start to its final state, by operation and final state',
    labelNames: ['operation', 'state'] as const,
    buckets: JOB_BUCKETS,
    registers: [this.registry],
  });

  private readonly entities = new Counter({
    name: 'bulkops_entities_processed_total',
    help: 'Entities settled by bulk jobs, by operation and outcome (succeeded or failed)',
    labelNames: ['operation', 'outcome'] as const,
    registers: [this.registry],
  });

  private readonly queueJobDuration = new Histogram({
    name: 'bulkops_queue_job_duration_seconds',
    help: 'BullMQ job processing time in this process, by job name and outcome',
    labelNames: ['name', 'outcome'] as const,
    buckets: CHUNK_BUCKETS,
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
    const self = this;
    new Gauge({
      name: 'bulkops_queue_jobs',
      help: 'Jobs in each BullMQ queue by state, read from Redis at scrape time',
      labelNames: ['queue', 'state'] as const,
      registers: [this.registry],
      async collect() {
        this.reset();
        for (const queue of self.queues.values()) {
          const counts = await queue.getJobCounts().catch(() => null);
          if (!counts) continue; // Redis away: report nothing rather than zeros
          for (const [state, n] of Object.entries(counts)) this.set({ queue: queue.name, state }, n);
        }
      },
    });
    new Gauge({
      name: 'bulkops_db_pool_connections',
      help: 'PostgreSQL pool connections: total open, idle, and callers waiting for one',
      labelNames: ['state'] as const,
      registers: [this.registry],
      async collect() {
        if (!self.orm) return;
        const pool = await self.orm.em.getConnection().getNativeClient();
        this.set({ state: 'total' }, pool.totalCount);
        this.set({ state: 'idle' }, pool.idleCount);
        this.set({ state: 'waiting' }, pool.waitingCount);
      },
    });
    new Gauge({
      name: 'bulkops_db_pool_max',
      help: 'Largest number of connections the PostgreSQL pool opens',
      registers: [this.registry],
      async collect() {
        if (self.orm) this.set((await self.orm.em.getConnection().getNativeClient()).options.max ?? 0);
      },
    });
  }

  /** Queues whose depth is reported; a process adds the queues it holds. */
  watchQueue(queue: Queue): void {
    this.queues.set(queue.qualifiedName, queue);
  }

  watchPool(orm: Orm): void {
    this.orm = orm;
  }

  observeHttp(method: string, route: string, statusCode: number, seconds: number): void {
    this.httpDuration.observe({ method, route, status_code: String(statusCode) }, seconds);
  }

  chunkDone(operation: string, seconds: number, succeeded: number, failed: number): void {
    this.chunkDuration.observe({ operation }, seconds);
    if (succeeded > 0) this.entities.inc({ operation, outcome: 'succeeded' }, succeeded);
    if (failed > 0) this.entities.inc({ operation, outcome: 'failed' }, failed);
  }

  jobFinished(operation: string, state: string, seconds: number): void {
    this.jobDuration.observe({ operation, state }, seconds);
  }

  queueJobDone(name: string, outcome: 'completed' | 'failed', seconds: number): void {
    this.queueJobDuration.observe({ name, outcome }, seconds);
  }

  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
