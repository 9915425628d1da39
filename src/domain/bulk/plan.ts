import { sql } from 'kysely';
import type { EntityManager } from '@mikro-orm/postgresql';
import { db, type Db } from '../db.ts';
import type { JobRow } from './job-view.ts';
import type { BulkRequest } from './submit.ts';
import { resolveJobSelection, type JobSelection } from './job-selection.ts';
import { claimRunSlot } from './org-slots.ts';

/** Raised inside the planning transaction to undo the item insert when max_affected is exceeded. */
class TooManyTargets extends Error {
  readonly matched: number;
  constructor(matched: number) {
    super('too many targets');
    this.matched = matched;
  }
}

export type PlanOutcome =
  | { kind: 'skipped'; state: string }
  | { kind: 'planned'; job: JobRow; chunks: number[] };

/**
 * Freezes the selection: one INSERT ... SELECT writes an item per target (ids never pass through
 * Node), numbered in the order results are reported. Idempotent: a job planned already is only
 * asked for its pending chunks, so a re-delivered planning job re-enqueues and changes nothing.
 */
export async function planJob(em: EntityManager, jobId: string, opts: { maxRunningPerOrg?: number } = {}): Promise<PlanOutcome> {
  let outcome: PlanOutcome;
  let chunks: number[] | undefined;
  try {
    outcome = await em.transactional(async (txEm) => {
      const tx = db(txEm);
      const job = await tx.selectFrom('bulk_job').selectAll().where('id', '=', jobId).forUpdate().executeTakeFirst();
      if (!job) return { kind: 'skipped', state: 'missing' } as const;
      if (job.state !== 'queued' && job.state !== 'running') return { kind: 'skipped', state: job.state } as const;
      if (job.total !== null) return { kind: 'planned', job, chunks: [] } as const;
      const cap = opts.maxRunningPerOrg;
      if (cap !== undefined && !(await claimRunSlot(tx, job, cap))) return { kind: 'skipped', state: 'waiting' } as const;
      const selection = await resolveJobSelection(txEm, job);
      // Numbering the selection sorts it; the default 4 MB sorted 100,000 targets on disk.
      await sql`set local work_mem = '64MB'`.execute(tx);
      const total = await insertItems(tx, job, selection);
      const max = (job.request as BulkRequest).max_affected;
      if (max !== undefined && total > max) throw new TooManyTargets(total);
      chunks = await insertChunks(tx, job, total);
      const planned = await tx
        .updateTable('bulk_job')
        .set({
          total,
          state: total === 0 ? 'completed' : 'running',
          started_at: sql`now()`,
          finished_at: total === 0 ? sql`now()` : null,
          heartbeat_at: sql`now()`,
        })
        .where('id', '=', jobId)
        .returningAll()
        .executeTakeFirstOrThrow();
      return { kind: 'planned', job: planned, chunks: [] } as const;
    });
  } catch (e) {
    if (!(e instanceof TooManyTargets)) throw e;
    const max = (await db(em).selectFrom('bulk_job').select('request').where('id', '=', jobId).executeTakeFirstOrThrow())
      .request as BulkRequest;
    const message = `the selection matched ${e.matched} invocations, more than max_affected=${max.max_affected}; nothing was changed`;
    const job = await failJob(db(em), jobId, 422, message);
    return { kind: 'planned', job, chunks: [] };
  }
  if (outcome.kind === 'planned' && outcome.job.state === 'running') {
    outcome.chunks = chunks ?? (await pendingChunks(db(em), jobId));
  }
  return outcome;
}

export async function pendingChunks(k: Db, jobId: string): Promise<number[]> {
  const rows = await k.selectFrom('bulk_chunk').select('chunk').where('job_id', '=', jobId).orderBy('chunk').execute();
  return rows.map((r) => r.chunk);
}

/** A row per chunk of a job just planned; answers the chunks. */
async function insertChunks(tx: Db, job: JobRow, total: number): Promise<number[]> {
  const chunks = Array.from({ length: Math.ceil(total / CS(job)) }, (_, i) => i);
  if (chunks.length > 0) {
    await sql`insert into bulk_chunk (job_id, chunk) select ${job.id}, c from unnest(${chunks}::integer[]) c`.execute(tx);
  }
  return chunks;
}

export async function failJob(k: Db, jobId: string, status: number, message: string): Promise<JobRow> {
  return k
    .updateTable('bulk_job')
    .set({ state: 'failed', error_status: status, error_message: message, finished_at: sql`now()`, total: 0 })
    .where('id', '=', jobId)
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Writes the job's items with one set-based statement; answers how many. */
export async function insertItems(tx: Db, job: JobRow, selection: JobSelection): Promise<number> {
  const res = await (selection.kind === 'items' ? fromItems(job, selection) : fromInvocations(job, selection)).execute(tx);
  return Number(res.numAffectedRows ?? 0);
}

const CS = (job: JobRow) => job.chunk_size;

function fromInvocations(job: JobRow, sel: Extract<JobSelection, { kind: 'invocations' }>) {
  if (job.operation !== 'clone') {
    return sql`
      insert into bulk_item (job_id, seq, chunk, entity_id)
      select ${job.id}, s.rn, (s.rn - 1) / ${CS(job)}, s.id
        from (select i.id, row_number() over (order by i.cursor_id) as rn
                from invocation i where ${sel.condition}) s`;
  }
  const prefixes = sel.prefixes.length > 0 ? sel.prefixes : [''];
  const destinations = sel.spaceCondition
    ? sql`join lateral (select d.id, d.cursor_id from space d where ${sel.spaceCondition}) dest on true`
    : sql`cross join lateral (select i.space_id as id, 0::bigint as cursor_id) dest`;
  return sql`
    insert into bulk_item (job_id, seq, chunk, entity_id, dest_space_id, prefix)
    select ${job.id}, s.rn, (s.rn - 1) / ${CS(job)}, s.id, s.dest_id, s.prefix
      from (select i.id, dest.id as dest_id, p.prefix,
                   row_number() over (order by i.cursor_id, dest.cursor_id, p.ord) as rn
              from invocation i
              ${destinations}
              cross join unnest(${prefixes}::text[]) with ordinality as p(prefix, ord)
             where ${sel.condition}) s`;
}

/**
 * A retry or revert: the items of an earlier job, in their original order. A revert works on what
 * the source changed: the entity it patched or deleted, or the clone it created.
 */
function fromItems(job: JobRow, sel: Extract<JobSelection, { kind: 'items' }>) {
  const entity = job.operation === 'revert' ? sql`coalesce(b.created_id, b.entity_id)` : sql`b.entity_id`;
  return sql`
    insert into bulk_item (job_id, seq, chunk, entity_id, dest_space_id, prefix, source_seq)
    select ${job.id}, s.rn, (s.rn - 1) / ${CS(job)}, s.entity_id, s.dest_space_id, s.prefix, s.seq
      from (select ${entity} as entity_id, b.dest_space_id, b.prefix, b.seq, row_number() over (order by b.seq) as rn
              from bulk_item b
             where b.job_id = ${sel.sourceJobId} and ${sel.itemCondition}) s`;
}
