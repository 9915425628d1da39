import { sql, type Selectable } from 'kysely';
import type { EntityManager } from '@mikro-orm/postgresql';
import { db, type Db } from '../db.ts';
import type { BulkItemTable, Effect, JobState, Operation } from './bulk.db.ts';
import type { JobRow } from './job-view.ts';
import type { ItemOutcome } from './item-result.ts';
import { deleteItems } from './ops/delete.op.ts';
import { patchItems } from './ops/patch.op.ts';
import { cloneItems } from './ops/clone.op.ts';
import { deleteCreatedItems, recreateItems, restoreItems } from './ops/revert.op.ts';

export type ItemRow = Pick<Selectable<BulkItemTable>, 'seq' | 'entity_id' | 'dest_space_id' | 'prefix' | 'source_seq'>;

/** Everything an operation needs to process one chunk inside its transaction. */
export interface ChunkContext {
  tx: Db;
  job: JobRow;
  chunk: number;
  items: ItemRow[];
}

export type OperationHandler = (ctx: ChunkContext) => Promise<ItemOutcome[]>;

const HANDLERS: Record<Exclude<Operation, 'revert'>, OperationHandler> = {
  patch: patchItems,
  clone: cloneItems,
  delete: deleteItems,
};

/** A revert does what its effect says, from the undo data of the items it reverts. */
const REVERT_HANDLERS: Record<Effect, OperationHandler> = {
  patch: restoreItems,
  clone: recreateItems,
  delete: deleteCreatedItems,
};

const handlerFor = (job: JobRow): OperationHandler =>
  job.operation === 'revert' ? REVERT_HANDLERS[job.effect] : HANDLERS[job.operation];

export type ChunkOutcome =
  | { kind: 'skipped'; state: JobState }
  | { kind: 'done'; processed: number; succeeded: number; failed: number; job: JobRow };

/**
 * Runs one chunk in one transaction: claim it (a second run of the same chunk waits, then finds it
 * done and changes nothing), apply the operation to its targets, write every target's item,
 * and bump the job's counters. The chunk that brings Pending to 0 completes the job.
 */
export async function runChunk(em: EntityManager, jobId: string, chunk: number): Promise<ChunkOutcome> {
  return em.transactional(async (txEm) => {
    const tx = db(txEm);
    const job = await tx.selectFrom('bulk_job').selectAll().where('id', '=', jobId).executeTakeFirst();
    if (!job) return { kind: 'skipped', state: 'cancelled' } as const;
    if (job.state !== 'running') return { kind: 'skipped', state: job.state } as const;
    // Deleting the chunk's row is its lock: a second run of the chunk waits here until the first
    // commits, then finds no row.
    const claimed = await tx
      .deleteFrom('bulk_chunk')
      .where('job_id', '=', jobId)
      .where('chunk', '=', chunk)
      // The ids as one text: node-postgres parses a uuid[] element by element, which was a
      // quarter of a delete chunk's time in Node in a CPU profile.
      .returning([sql<string>`array_to_string(entity_ids, ',')`.as('entity_ids'), 'dest_space_ids', 'prefixes', 'source_seqs'])
      .executeTakeFirst();
    if (!claimed) return { kind: 'done', processed: 0, succeeded: 0, failed: 0, job } as const;
    const first = chunk * job.chunk_size + 1;
    const entityIds = claimed.entity_ids === '' ? [] : claimed.entity_ids.split(',');
    const items: ItemRow[] = entityIds.map((entity_id, k) => ({
      seq: first + k,
      entity_id,
      dest_space_id: claimed.dest_space_ids?.[k] ?? null,
      prefix: claimed.prefixes?.[k] ?? null,
      source_seq: claimed.source_seqs?.[k] ?? null,
    }));
    if (items.length === 0) return { kind: 'done', processed: 0, succeeded: 0, failed: 0, job } as const;
    const outcomes = await handlerFor(job)({ tx, job, chunk, items });
    await writeOutcomes(tx, job, chunk, items, outcomes);
    const ok = outcomes.filter((o) => o.status === 'succeeded').length;
    const updated = await bumpCounters(tx, jobId, ok, outcomes.length - ok);
    return { kind: 'done', processed: outcomes.length, succeeded: ok, failed: outcomes.length - ok, job: updated } as const;
  });
}

/** Writes the item of every outcome its operation's statement did not record itself. */
async function writeOutcomes(tx: Db, job: JobRow, chunk: number, items: ItemRow[], outcomes: ItemOutcome[]): Promise<void> {
  const bySeq = new Map(items.map((i) => [i.seq, i]));
  const rows = outcomes
    .filter((o) => !o.written)
    .map((o) => {
      const item = bySeq.get(o.seq)!;
      return {
        seq: o.seq,
        entity_id: item.entity_id,
        dest_space_id: item.dest_space_id,
        prefix: item.prefix,
        source_seq: item.source_seq,
        status: o.status,
        result: o.result,
        created_id: o.createdId ?? null,
        version_after: o.versionAfter ?? null,
      };
    });
  if (rows.length === 0) return;
  await sql`
    insert into bulk_item (job_id, seq, chunk, entity_id, dest_space_id, prefix, source_seq,
                           status, result, created_id, version_after)
    select ${job.id}, u.seq, ${chunk}, u.entity_id, u.dest_space_id, u.prefix, u.source_seq,
           u.status, u.result, u.created_id, u.version_after
      from json_to_recordset(${JSON.stringify(rows)}::json)
           as u(seq integer, entity_id uuid, dest_space_id uuid, prefix text, source_seq integer,
                status text, result json, created_id uuid, version_after integer)`.execute(tx);
}

async function bumpCounters(tx: Db, jobId: string, ok: number, bad: number): Promise<JobRow> {
  const done = sql<boolean>`total = succeeded + failed + ${ok + bad}`;
  return tx
    .updateTable('bulk_job')
    .set({
      succeeded: sql`succeeded + ${ok}`,
      failed: sql`failed + ${bad}`,
      heartbeat_at: sql`now()`,
      // A job paused while its last chunk was in flight is complete all the same.
      state: sql`case when state in ('running', 'paused') and ${done} then 'completed' else state end`,
      finished_at: sql`case when state in ('running', 'paused') and ${done} then now() else finished_at end`,
    })
    .where('id', '=', jobId)
    .returningAll()
    .executeTakeFirstOrThrow();
}
