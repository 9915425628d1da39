import { sql } from 'kysely';
import type { EntityManager } from '@mikro-orm/postgresql';
import { db } from '../db.ts';
import { notFound } from '../errors.ts';
import type { Actor } from '../identity/actor.ts';
import { FINISHED_STATES } from './bulk.db.ts';
import { jobView, type JobResource, type JobRow } from './job-view.ts';

/** A job of the caller's organization; another organization's job is 404. */
export async function getJobRow(em: EntityManager, actor: Actor, jobId: string): Promise<JobRow> {
  const row = await db(em)
    .selectFrom('bulk_job')
    .selectAll()
    .where('id', '=', jobId)
    .where('organization_id', '=', actor.organizationId)
    .executeTakeFirst();
  if (!row) throw notFound(`job ${jobId} not found`);
  return row;
}

export async function getJob(em: EntityManager, actor: Actor, jobId: string): Promise<JobResource> {
  return jobView(await getJobRow(em, actor, jobId));
}

/** Newest first; `after` is the JobID of the last job of the previous page. */
export async function listJobs(
  em: EntityManager,
  actor: Actor,
  page: { limit: number; after?: string | undefined },
): Promise<{ jobs: JobResource[]; next?: string }> {
  const k = db(em);
  let q = k.selectFrom('bulk_job').selectAll().where('organization_id', '=', actor.organizationId);
  if (page.after) {
    const anchor = await k
      .selectFrom('bulk_job')
      .select(['created_at', 'id'])
      .where('id', '=', page.after)
      .where('organization_id', '=', actor.organizationId)
      .executeTakeFirst();
    if (!anchor) throw notFound(`job ${page.after} (after) not found`);
    q = q.where((eb) => eb.tuple(eb.ref('created_at'), eb.ref('id')), '<', (eb) => eb.tuple(eb.val(anchor.created_at), eb.val(anchor.id)));
  }
  const rows = await q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(page.limit + 1).execute();
  const more = rows.length > page.limit;
  const jobs = rows.slice(0, page.limit).map(jobView);
  return more ? { jobs, next: jobs[jobs.length - 1]!.JobID } : { jobs };
}

export type ResultStatus = 'succeeded' | 'failed';

function notProcessed(job: JobRow, entityId: string): Record<string, unknown> {
  const message = `not processed: the job was ${job.state} before this entity was reached`;
  const error = {
    Status: 409,
    ErrorCategory: 'NotProcessed',
    Message: message,
    ErrorMetadata: { EntityID: entityId, EntityType: 'Invocation' },
  };
  // DeleteResponse carries a Message beside its Error.
  return job.operation === 'delete' ? { Error: error, Message: message } : { Error: error };
}

/**
 * One page of per-entity results in the synchronous shape, in result order. Targets a finished job
 * never reached (its remaining chunks) are reported as failed with ErrorCategory NotProcessed; an
 * unfinished job's are not listed yet.
 */
export async function readResults(
  em: EntityManager,
  job: JobRow,
  page: { status?: ResultStatus | undefined; limit: number; after?: number | undefined },
): Promise<{ results: Array<Record<string, unknown>>; next?: number }> {
  const finished = FINISHED_STATES.includes(job.state);
  const after = page.after ?? 0;
  const limit = page.limit + 1;
  let q = db(em)
    .selectFrom('bulk_item')
    .select(['seq', 'status', 'result', 'entity_id'])
    .where('job_id', '=', job.id)
    .where('seq', '>', after);
  if (page.status) q = q.where('status', '=', page.status);
  const items = q.orderBy('seq').limit(limit);
  // A finished job's remaining chunks are the targets it never reached.
  const unreached = finished && page.status !== 'succeeded';
  const rows = unreached
    ? (
        await sql<{ seq: number; status: string; result: unknown; entity_id: string }>`
          select * from (${items}) done
          union all
          (select c.chunk * ${job.chunk_size} + u.k::integer as seq, 'pending' as status, null::json as result, u.entity_id
             from bulk_chunk c cross join lateral unnest(c.entity_ids) with ordinality as u(entity_id, k)
            where c.job_id = ${job.id} and (c.chunk + 1) * ${job.chunk_size} > ${after}
              and c.chunk * ${job.chunk_size} + u.k > ${after}
            order by 1 limit ${limit})
          order by seq limit ${limit}`.execute(db(em))
      ).rows
    : await items.execute();
  const more = rows.length > page.limit;
  const results = rows.slice(0, page.limit).map((r) =>
    r.status === 'pending' ? notProcessed(job, r.entity_id) : (r.result as Record<string, unknown>),
  );
  return more ? { results, next: rows[page.limit - 1]!.seq } : { results };
}
