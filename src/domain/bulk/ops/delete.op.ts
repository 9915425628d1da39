import { sql } from 'kysely';
import type { ChunkContext, ItemRow } from '../chunk.ts';
import { entityError, failed, recorded, succeeded, type ItemOutcome } from '../item-result.ts';
import { lockInvocations, type InvocationRow } from './lock-rows.ts';
import type { UndoJob } from './patch.op.ts';
import { invocationColumnsSql, rowSnapshotSql, jobJoinKey } from './sql-rows.ts';

const gatesOf = (row: InvocationRow) => Object.keys(row.delete_gates ?? {});

/** A per-item check before deleting a locked row: an outcome refuses it, null lets it go on. */
export type DeleteCheck = (item: ItemRow, row: InvocationRow) => ItemOutcome | null;

/** Bulk delete: gated entities fail with 422, the rest are deleted (version checked in the DELETE). */
export async function deleteItems(ctx: ChunkContext): Promise<ItemOutcome[]> {
  return deleteEntities(ctx, () => null);
}

/**
 * Deletes the items' entities after `check`, the DeleteGates (422) and a missing row (404), and
 * records each deleted row as the undo data. DeleteResponse items carry a Message beside an Error.
 */
export async function deleteEntities({ tx, job, items }: ChunkContext, check: DeleteCheck): Promise<ItemOutcome[]> {
  const rows = await lockInvocations(tx, job.organization_id, items.map((i) => i.entity_id));
  const outcomes: ItemOutcome[] = [];
  const doomed: Array<{ seq: number; row: InvocationRow }> = [];
  for (const item of items) {
    const row = rows.get(item.entity_id);
    if (!row) {
      const message = `invocation ${item.entity_id} no longer exists`;
      outcomes.push(failed(item.seq, entityError(404, 'NotFound', message, { id: item.entity_id })));
      continue;
    }
    const refused = check(item, row);
    if (refused) {
      outcomes.push(refused);
      continue;
    }
    const gates = gatesOf(row);
    if (gates.length > 0) {
      const message = `deletion of invocation ${row.slug} is blocked by DeleteGates: ${gates.join(', ')}`;
      outcomes.push(failed(item.seq, entityError(422, 'DeleteGated', message, { id: row.id, slug: row.slug })));
      continue;
    }
    doomed.push({ seq: item.seq, row });
  }
  const deleted = job.dry_run ? new Set(doomed.map((d) => d.row.id)) : await deleteChecked(tx, job, doomed);
  for (const { seq, row } of doomed) {
    if (!deleted.has(row.id)) {
      const message = `invocation ${row.slug} changed during the delete; nothing was deleted`;
      outcomes.push(failed(seq, entityError(409, 'Conflict', message, { id: row.id, slug: row.slug })));
    } else if (job.dry_run) {
      outcomes.push(succeeded(seq, { Message: `invocation ${row.slug} (${row.id}) would be deleted` }, { before: row }));
    } else {
      outcomes.push(recorded(seq));
    }
  }
  for (const o of outcomes) {
    const error = o.result.Error as { Message?: string } | undefined;
    if (error?.Message) o.result.Message = error.Message;
  }
  return outcomes.sort((a, b) => a.seq - b.seq);
}

/**
 * Deletes the rows whose Version is still the one read, and in the same statement records each
 * deleted row's result and undo data (the row as it was) on its item. Answers the ids deleted.
 */
async function deleteChecked(tx: ChunkContext['tx'], job: UndoJob, doomed: Array<{ seq: number; row: InvocationRow }>): Promise<Set<string>> {
  if (doomed.length === 0) return new Set();
  const pairs = JSON.stringify(doomed.map((d) => ({ seq: d.seq, id: d.row.id, version: d.row.version })));
  const res = await sql<{ id: string }>`
    with del as (
      delete from invocation i
       using jsonb_to_recordset(${pairs}::jsonb) as u(seq integer, id uuid, version integer)
       where i.id = u.id and i.version = u.version
      returning ${invocationColumnsSql('i')}, u.seq)
    update bulk_item b
       set status = 'succeeded', before = ${job.record_undo ? rowSnapshotSql('del') : sql`null`},
           result = json_build_object('Message', 'invocation ' || del.slug || ' (' || del.id || ') deleted')
      from del
     where b.job_id = ${jobJoinKey(job.id)} and b.seq = del.seq
    returning del.id`.execute(tx);
  return new Set(res.rows.map((r) => r.id));
}
