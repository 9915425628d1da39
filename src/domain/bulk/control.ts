import { sql } from 'kysely';
import type { EntityManager } from '@mikro-orm/postgresql';
import { db } from '../db.ts';
import { conflict } from '../errors.ts';
import type { Actor } from '../identity/actor.ts';
import { FINISHED_STATES, INVERSE_EFFECT } from './bulk.db.ts';
import { pendingChunks } from './plan.ts';
import { isUniqueViolation } from '../sql-errors.ts';
import { jobView, type JobResource } from './job-view.ts';
import { getJobRow } from './queries.ts';
import { createJob, type BulkRequest } from './submit.ts';

/**
 * Stops a job: no new chunk starts (chunks check the state first); a chunk in flight finishes its
 * transaction. Items never reached are reported as not processed.
 */
export async function cancelJob(em: EntityManager, actor: Actor, jobId: string): Promise<JobResource> {
  const row = await getJobRow(em, actor, jobId);
  const updated = await db(em)
    .updateTable('bulk_job')
    .set({ state: 'cancelled', finished_at: sql`now()` })
    .where('id', '=', row.id)
    .where('state', 'in', ['queued', 'running', 'paused'])
    .returningAll()
    .executeTakeFirst();
  if (!updated) throw conflict(`job ${jobId} is ${row.state} already and cannot be cancelled`);
  return jobView(updated);
}

/** A new job of the same operation over the entities that failed or were not processed. */
export async function retryJob(
  em: EntityManager,
  actor: Actor,
  jobId: string,
  opts: { chunkSize: number; recordUndo: boolean; idempotencyKey?: string | undefined },
) {
  const source = await getJobRow(em, actor, jobId);
  if (!FINISHED_STATES.includes(source.state)) {
    throw conflict(`job ${jobId} is ${source.state}; only a finished job can be retried`);
  }
  if (source.operation === 'revert') throw conflict('a revert job cannot be retried; revert the original job again');
  const remaining = source.total === null ? 0 : source.total - source.succeeded;
  if (remaining === 0) throw conflict(`job ${jobId} has no failed or unprocessed entities to retry`);
  return createJob(em, actor, {
    operation: source.operation,
    request: source.request as BulkRequest,
    dryRun: source.dry_run,
    sourceJobId: source.id,
    idempotencyKey: opts.idempotencyKey,
    chunkSize: opts.chunkSize,
    recordUndo: opts.recordUndo,
  });
}

/** Stops starting chunks; chunks in flight commit. The job keeps its place and its counts. */
export async function pauseJob(em: EntityManager, actor: Actor, jobId: string): Promise<JobResource> {
  const row = await getJobRow(em, actor, jobId);
  const updated = await db(em)
    .updateTable('bulk_job')
    .set({ state: 'paused' })
    .where('id', '=', row.id)
    .where('state', 'in', ['queued', 'running'])
    .returningAll()
    .executeTakeFirst();
  if (!updated) throw conflict(`job ${jobId} is ${row.state}; only a queued or running job can be paused`);
  return jobView(updated);
}

/** What resuming a job must enqueue: its planning, or the chunks still pending. */
export interface Resumed {
  job: JobResource;
  plan: boolean;
  chunks: number[];
}

export async function resumeJob(em: EntityManager, actor: Actor, jobId: string): Promise<Resumed> {
  const row = await getJobRow(em, actor, jobId);
  const updated = await db(em)
    .updateTable('bulk_job')
    .set({ state: sql`case when total is null then 'queued' else 'running' end`, heartbeat_at: sql`now()` })
    .where('id', '=', row.id)
    .where('state', '=', 'paused')
    .returningAll()
    .executeTakeFirst();
  if (!updated) throw conflict(`job ${jobId} is ${row.state}, not paused; only a paused job can be resumed`);
  const plan = updated.total === null;
  return { job: jobView(updated), plan, chunks: plan ? [] : await pendingChunks(db(em), jobId) };
}

/**
 * A revert: a new job that undoes what a finished job changed, item by item. Reverting the same
 * job again answers the first revert job; dry runs always make a new (dry) job.
 */
export async function revertJob(
  em: EntityManager,
  actor: Actor,
  jobId: string,
  opts: { force: boolean; dryRun: boolean; chunkSize: number; recordUndo: boolean },
): Promise<{ job: JobResource; created: boolean }> {
  const source = await getJobRow(em, actor, jobId);
  if (!FINISHED_STATES.includes(source.state)) {
    throw conflict(`job ${jobId} is ${source.state}; only a completed, failed or cancelled job can be reverted`);
  }
  if (source.dry_run) throw conflict(`job ${jobId} was a dry run and changed nothing; there is nothing to revert`);
  if (source.purged_at) throw conflict(`job ${jobId} is past its retention period; its undo data was removed`);
  // A clone's undo data is the ids it created, recorded with its results in any case.
  if (!source.record_undo && source.effect !== 'clone') {
    throw conflict(`job ${jobId} ran without undo data (BULK_RECORD_UNDO was false when it was submitted); it cannot be reverted`);
  }
  const existing = () =>
    db(em)
      .selectFrom('bulk_job')
      .selectAll()
      .where('source_job_id', '=', source.id)
      .where('operation', '=', 'revert')
      .where('dry_run', '=', false)
      .executeTakeFirst();
  if (!opts.dryRun) {
    const first = await existing();
    if (first) return { job: jobView(first), created: false };
  }
  try {
    return await createJob(em, actor, {
      operation: 'revert',
      effect: INVERSE_EFFECT[source.effect],
      request: opts.force ? { force: true } : {},
      dryRun: opts.dryRun,
      sourceJobId: source.id,
      chunkSize: opts.chunkSize,
      recordUndo: opts.recordUndo,
    });
  } catch (e) {
    const first = isUniqueViolation(e) && !opts.dryRun ? await existing() : undefined;
    if (first) return { job: jobView(first), created: false };
    throw e;
  }
}
