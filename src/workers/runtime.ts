import { Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { pino } from 'pino';
import type { Config } from '../config.ts';
import type { Orm } from '../infra/orm.ts';
import { createRedis } from '../infra/redis.ts';
import { JobEventPublisher } from '../infra/job-events.ts';
import type { WorkerMetrics } from '../infra/metrics.ts';
import type { Logger } from '../infra/logger.ts';
import { JOBS, type JobName, QUEUE_NAME } from './registry.ts';
import { JobQueue } from './queue.ts';
import { createProcessors, type ProcessorContext } from './processors.ts';
import { startMaintenance } from './maintenance.ts';

export interface WorkerDeps {
  config: Config;
  orm: Orm;
  /** BullMQ key prefix; tests isolate themselves with their own. */
  prefix?: string;
  /** How long an unfinished job may go without progress before the reconciler re-enqueues it. */
  reconcileStaleSeconds?: number;
  reconcileEverySeconds?: number;
  /** Root logger; each queue job logs through a child bound to its ids. Silent when absent. */
  logger?: Logger;
  metrics?: WorkerMetrics;
}

export interface RunningWorkers {
  worker: Worker;
  queue: JobQueue;
  close(): Promise<void>;
}

const RETENTION_EVERY_MS = 3600_000;

type Processors = ReturnType<typeof createProcessors>;

/** Runs one queue job, logging how it ended (with its bound ids) and timing it. */
async function observed(name: JobName, log: Logger, metrics: WorkerMetrics | undefined, fn: () => Promise<string>) {
  const started = performance.now();
  const took = () => (performance.now() - started) / 1000;
  try {
    const result = await fn();
    metrics?.queueJobDone(name, 'completed', took());
    // The periodic sweeps run every few seconds on every worker; say so only when they did something.
    const idle = /^(re-enqueued|removed) 0 /.test(result);
    log[idle ? 'debug' : 'info']({ seconds: took(), result }, 'queue job done');
    return result;
  } catch (err) {
    metrics?.queueJobDone(name, 'failed', took());
    log.error({ seconds: took(), err }, 'queue job failed');
    throw err;
  }
}

/** The BullMQ worker: parses each payload again and hands it to its processor with a bound logger. */
function bulkWorker(deps: WorkerDeps, connection: Redis, processors: Processors, logger: Logger): Worker {
  const lockMs = deps.config.WORKER_LOCK_SECONDS * 1000;
  const worker = new Worker(
    QUEUE_NAME,
    async (job: Job) => {
      const name = job.name as JobName;
      const schema = JOBS[name];
      if (!schema) throw new Error(`no processor for job ${job.name}`);
      const payload = schema.parse(job.data);
      const log = logger.child({ queue: QUEUE_NAME, queueJobId: job.id, queueJobName: name, attempt: job.attemptsMade + 1, ...payload });
      const run = processors[name] as (p: typeof payload, c: ProcessorContext) => Promise<string>;
      return observed(name, log, deps.metrics, () => run(payload, { log }));
    },
    {
      connection,
      concurrency: deps.config.WORKER_CONCURRENCY,
      lockDuration: lockMs,
      stalledInterval: lockMs,
      ...(deps.prefix ? { prefix: deps.prefix } : {}),
    },
  );
  // Connection errors: BullMQ reconnects by itself; the log says why the queue stalled meanwhile.
  worker.on('error', (err) => logger.warn({ err }, 'worker connection error'));
  return worker;
}

/**
 * Starts a worker for the bulk queue, plus the reconciler and the retention sweep on this
 * process's own timers: kept in Redis they would vanish with the very data loss they repair.
 */
export async function startWorkers(deps: WorkerDeps): Promise<RunningWorkers> {
  const { config, orm } = deps;
  const logger = deps.logger ?? pino({ level: 'silent' });
  const producer = createRedis(config.redisUrl);
  const publisher = createRedis(config.redisUrl);
  const consumer = createRedis(config.redisUrl);
  const queue = new JobQueue(producer, deps.prefix);
  const processors = createProcessors({
    config,
    em: () => orm.em.fork(),
    queue,
    events: new JobEventPublisher(publisher),
    reconcileStaleSeconds: deps.reconcileStaleSeconds ?? config.RECONCILE_STALE_SECONDS,
    ...(deps.metrics ? { metrics: deps.metrics } : {}),
  });
  const worker = bulkWorker(deps, consumer, processors, logger);

  const everyMs = (deps.reconcileEverySeconds ?? config.RECONCILE_EVERY_SECONDS) * 1000;
  const sweep = (name: 'reconcile' | 'retention') => {
    const log = logger.child({ task: name });
    return () => observed(name, log, deps.metrics, () => processors[name]({}, { log }));
  };
  const maintenance = startMaintenance(
    [
      { name: 'reconcile', everyMs, runAtStart: true, run: sweep('reconcile') },
      { name: 'retention', everyMs: RETENTION_EVERY_MS, runAtStart: false, run: sweep('retention') },
    ],
    (task, err) => logger.warn({ task, err }, 'periodic task failed; retried next period'),
  );
  // Earlier versions kept these passes as BullMQ schedulers; drop them so they do not run twice.
  await Promise.all(['reconcile', 'retention'].map((id) => queue.queue.removeJobScheduler(id).catch(() => false)));

  return {
    worker,
    queue,
    close: async () => {
      await maintenance.stop();
      await worker.close(); // lets the active chunk commit
      await queue.close();
      producer.disconnect();
      publisher.disconnect();
      consumer.disconnect();
    },
  };
}
