import { sql } from 'kysely';
import type { EntityManager } from '@mikro-orm/postgresql';
import { db } from '../db.ts';
import { pendingChunks } from './plan.ts';

export interface StalledWork {
  jobId: string;
  /** Not planned yet: enqueue its planning job. */
  plan: boolean;
  /** Planned: the chunks whose items are still pending. */
  chunks: number[];
}

/**
 * Unfinished jobs whose last progress is older than `staleSeconds`. Their queue jobs may have been
 * lost (Redis emptied, a worker killed); re-enqueueing is safe because every step is idempotent and
 * BullMQ drops a duplicate id still in the queue.
 */
export async function findStalledWork(em: EntityManager, staleSeconds: number, limit = 100): Promise<StalledWork[]> {
  const k = db(em);
  const jobs = await k
    .selectFrom('bulk_job')
    .select(['id', 'state', 'total'])
    .where('state', 'in', ['queued', 'running'])
    .where('heartbeat_at', '<', sql<string>`now() - make_interval(secs => ${staleSeconds})`)
    .orderBy('heartbeat_at')
    .limit(limit)
    .execute();
  const work: StalledWork[] = [];
  for (const job of jobs) {
    if (job.total === null) work.push({ jobId: job.id, plan: true, chunks: [] });
    else work.push({ jobId: job.id, plan: false, chunks: await pendingChunks(k, job.id) });
  }
  // Touch them so the next pass leaves them alone unless they stall again.
  if (jobs.length > 0) {
    await k.updateTable('bulk_job').set({ heartbeat_at: sql`now()` }).where('id', 'in', jobs.map((j) => j.id)).execute();
  }
  return work;
}

/**
 * Retention: finished jobs older than the period lose their items (results and undo data); the job
 * row stays, marked purged, so a late revert or results call can say why there is nothing left.
 */
export async function purgeExpiredJobs(em: EntityManager, retentionDays: number, batch = 20): Promise<number> {
  const k = db(em);
  let purged = 0;
  for (;;) {
    const jobs = await k
      .selectFrom('bulk_job')
      .select('id')
      .where('finished_at', '<', sql<string>`now() - make_interval(secs => ${retentionDays * 86400})`)
      .where('purged_at', 'is', null)
      .orderBy('finished_at')
      .limit(batch)
      .execute();
    for (const { id } of jobs) {
      await em.transactional(async (tx) => {
        await db(tx).deleteFrom('bulk_item').where('job_id', '=', id).execute();
        await db(tx).deleteFrom('bulk_undo').where('job_id', '=', id).execute();
        await db(tx).deleteFrom('bulk_chunk').where('job_id', '=', id).execute();
        await db(tx).updateTable('bulk_job').set({ purged_at: sql`now()` }).where('id', '=', id).execute();
      });
    }
    purged += jobs.length;
    if (jobs.length < batch) return purged;
  }
}
