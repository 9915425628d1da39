import type { EntityManager } from '@mikro-orm/postgresql';
import type { Config } from '../config.ts';
import type { JobEventPublisher } from '../infra/job-events.ts';
import { planJob } from '../domain/bulk/plan.ts';
import { runChunk } from '../domain/bulk/chunk.ts';
import { findStalledWork, purgeExpiredJobs } from '../domain/bulk/reconcile.ts';
import type { JobRow } from '../domain/bulk/job-view.ts';
import type { JobName, JobPayload } from './registry.ts';
import type { JobQueue } from './queue.ts';
import type { WorkerMetrics } from '../infra/metrics.ts';
import type { Logger } from '../infra/logger.ts';
import { FINISHED_STATES } from '../domain/bulk/bulk.db.ts';
import { waitingJobs } from '../domain/bulk/org-slots.ts';

export interface ProcessorDeps {
  config: Pick<Config, 'JOB_RETENTION_DAYS' | 'MAX_RUNNING_JOBS_PER_ORG'>;
  /** A fresh EntityManager per queue job. */
  em: () => EntityManager;
  queue: JobQueue;
  events: JobEventPublisher;
  reconcileStaleSeconds: number;
  metrics?: WorkerMetrics;
}

/** Per queue job: a logger already bound to the queue job, the bulk job and the chunk. */
export interface ProcessorContext {
  log: Logger;
}

const eventOf = (job: JobRow) => ({
  jobId: job.id,
  state: job.state,
  total: job.total,
  succeeded: job.succeeded,
  failed: job.failed,
});

const seconds = (from: string | null, to: string | null) => (from && to ? (Date.parse(to) - Date.parse(from)) / 1000 : 0);

/** Reports a bulk job that this call brought to a final state. */
function finished(deps: ProcessorDeps, ctx: ProcessorContext, job: JobRow): void {
  if (!FINISHED_STATES.includes(job.state)) return;
  const took = seconds(job.started_at ?? job.created_at, job.finished_at);
  deps.metrics?.jobFinished(job.operation, job.state, took);
  ctx.log.info({ state: job.state, total: job.total, succeeded: job.succeeded, failed: job.failed, seconds: took }, 'bulk job finished');
}

type Processors = { [N in JobName]: (p: JobPayload<N>, ctx: ProcessorContext) => Promise<string> };

/** One thin adapter per job name; a name without a processor fails type-checking. */
export function createProcessors(deps: ProcessorDeps): Processors {
  const cap = deps.config.MAX_RUNNING_JOBS_PER_ORG;
  // A finished job frees a slot of its organization: offer it to the jobs waiting for one.
  const wakeWaiting = async (organizationId: string) => {
    for (const id of await waitingJobs(deps.em(), organizationId, cap)) await deps.queue.reenqueuePlan(id);
  };
  return {
    plan: async ({ jobId }, ctx) => {
      const outcome = await planJob(deps.em(), jobId, { maxRunningPerOrg: cap });
      if (outcome.kind === 'skipped') return `skipped: ${outcome.state}`;
      finished(deps, ctx, outcome.job);
      await deps.queue.enqueueChunks(jobId, outcome.chunks);
      await deps.events.publish(eventOf(outcome.job));
      return `planned ${outcome.job.total} items in ${outcome.chunks.length} chunks`;
    },
    chunk: async ({ jobId, chunk }, ctx) => {
      const started = performance.now();
      const outcome = await runChunk(deps.em(), jobId, chunk);
      if (outcome.kind === 'skipped') return `skipped: job ${outcome.state}`;
      if (outcome.processed > 0) {
        const took = (performance.now() - started) / 1000;
        deps.metrics?.chunkDone(outcome.job.operation, took, outcome.succeeded, outcome.failed);
        finished(deps, ctx, outcome.job);
        await deps.events.publish(eventOf(outcome.job));
        if (FINISHED_STATES.includes(outcome.job.state)) await wakeWaiting(outcome.job.organization_id);
      }
      return `processed ${outcome.processed}`;
    },
    reconcile: async () => {
      const work = await findStalledWork(deps.em(), deps.reconcileStaleSeconds);
      for (const w of work) {
        if (w.plan) await deps.queue.reenqueuePlan(w.jobId);
        else await deps.queue.reenqueueChunks(w.jobId, w.chunks);
      }
      return `re-enqueued ${work.length} jobs`;
    },
    retention: async () => `removed ${await purgeExpiredJobs(deps.em(), deps.config.JOB_RETENTION_DAYS)} jobs`,
  };
}
