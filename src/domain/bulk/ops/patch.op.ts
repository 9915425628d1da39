import { sql } from 'kysely';
import { applyInvocationPatch, parseInvocationPatch, rowToState, toInvocationView } from '../../invocations/index.ts';
import type { InvocationState } from '../../invocations/index.ts';
import { isUniqueViolation } from '../../sql-errors.ts';
import type { ChunkContext } from '../chunk.ts';
import type { BulkRequest } from '../submit.ts';
import { entityError, failed, recorded, succeeded, type ItemOutcome } from '../item-result.ts';
import { lockInvocations, type InvocationRow } from './lock-rows.ts';
import { changedColumns, missingBridgeWorkers, partialRecord, recordsetColumnsSql, setFromSql } from './write-rows.ts';
import { recordSucceeded, invocationColumnsSql, invocationViewSql } from './sql-rows.ts';

export interface Change {
  seq: number;
  row: InvocationRow;
  next: InvocationState;
}

/**
 * Bulk merge patch: each entity gets the patch applied and validated on its own; entities whose
 * result fails validation fail alone (400); unchanged ones succeed without a write. Writes are one
 * UPDATE for the chunk with the version check inside it.
 */
export async function patchItems(ctx: ChunkContext): Promise<ItemOutcome[]> {
  const { tx, job, items } = ctx;
  const patch = parseInvocationPatch((job.request as BulkRequest).body);
  const rows = await lockInvocations(tx, job.organization_id, items.map((i) => i.entity_id));
  const outcomes: ItemOutcome[] = [];
  const changes: Change[] = [];
  for (const item of items) {
    const row = rows.get(item.entity_id);
    if (!row) {
      outcomes.push(failed(item.seq, entityError(404, 'NotFound', `invocation ${item.entity_id} no longer exists`, { id: item.entity_id })));
      continue;
    }
    const result = applyInvocationPatch(rowToState(row), patch);
    if (!result.ok) {
      outcomes.push(failed(item.seq, entityError(400, 'Validation', result.message, { id: row.id, slug: row.slug })));
    } else if (!result.changed) {
      outcomes.push(succeeded(item.seq, { Invocation: toInvocationView(row) }));
    } else {
      changes.push({ seq: item.seq, row, next: result.next });
    }
  }
  const missing = await missingBridgeWorkers(tx, job.organization_id, changes.map((c) => c.next.BridgeWorkerID));
  const writable = changes.filter((c) => {
    if (!c.next.BridgeWorkerID || !missing.has(c.next.BridgeWorkerID)) return true;
    const message = `BridgeWorkerID: bridge worker ${c.next.BridgeWorkerID} not found`;
    outcomes.push(failed(c.seq, entityError(400, 'Validation', message, { id: c.row.id, slug: c.row.slug })));
    return false;
  });
  outcomes.push(...(job.dry_run ? writable.map(preview) : await writeChanges(ctx, writable)));
  return outcomes.sort((a, b) => a.seq - b.seq);
}

export function preview(c: Change): ItemOutcome {
  const view = { ...toInvocationView(c.row), ...c.next, Version: c.row.version + 1 };
  return succeeded(c.seq, { Invocation: view });
}

/**
 * One UPDATE for the chunk, version check inside it; the same statement records each written
 * entity's result (the row as written) and undo data (the row as it was) on its item. Answers the
 * seqs it recorded.
 */
function updateStatement(ctx: ChunkContext, changes: Change[]) {
  const { job } = ctx;
  // Only the changes' items: a chunk whose Slugs collide runs this once per change.
  const seqs = new Set(changes.map((c) => c.seq));
  const items = ctx.items.filter((i) => seqs.has(i.seq));
  // Only the columns some change of the chunk changes are sent and set; the rest keep their values.
  const columns = changedColumns(changes);
  const records = changes.map((c) => ({ ...partialRecord(c.next, columns), seq: c.seq, id: c.row.id, version: c.row.version }));
  // Without undo data the rows as they were are neither read back nor written.
  const withOld = job.record_undo ? sql`join old on old.id = upd.id` : sql``;
  return sql<{ seq: number }>`
    with u as (
      select * from jsonb_to_recordset(${JSON.stringify(records)}::jsonb)
                 as u(seq integer, id uuid, version integer${recordsetColumnsSql(columns)})),
    old as (
      select ${invocationColumnsSql('i')} from invocation i join u on i.id = u.id),
    upd as (
      update invocation i
         set ${setFromSql(columns, 'u')}version = i.version + 1, updated_at = now()
        from u
       where i.id = u.id and i.version = u.version
      returning ${invocationColumnsSql('i')}, u.seq)${recordSucceeded({ ...ctx, items }, { relation: sql`upd ${withOld}`, seq: sql`upd.seq`, entityId: sql`upd.id` }, {
      result: sql`json_build_object('Invocation', ${invocationViewSql('upd')})`,
      undo: job.record_undo ? 'old' : undefined,
      versionAfter: sql`upd.version`,
    })}`;
}

/**
 * One UPDATE for the chunk. A Slug taken by another entity aborts it; then each change is written
 * alone under a savepoint so only the colliding entities fail (409).
 */
export async function writeChanges(ctx: ChunkContext, changes: Change[]): Promise<ItemOutcome[]> {
  const { tx } = ctx;
  if (changes.length === 0) return [];
  await sql`savepoint bulk_patch`.execute(tx);
  try {
    const written = await updateStatement(ctx, changes).execute(tx);
    await sql`release savepoint bulk_patch`.execute(tx);
    return toOutcomes(changes, new Set(written.rows.map((w) => w.seq)));
  } catch (e) {
    if (!isUniqueViolation(e)) throw e;
    await sql`rollback to savepoint bulk_patch`.execute(tx);
  }
  const outcomes: ItemOutcome[] = [];
  for (const change of changes) {
    await sql`savepoint bulk_patch_one`.execute(tx);
    try {
      const written = await updateStatement(ctx, [change]).execute(tx);
      await sql`release savepoint bulk_patch_one`.execute(tx);
      outcomes.push(...toOutcomes([change], new Set(written.rows.map((w) => w.seq))));
    } catch (e) {
      if (!isUniqueViolation(e)) throw e;
      await sql`rollback to savepoint bulk_patch_one`.execute(tx);
      const message = `Slug: an invocation with Slug '${change.next.Slug}' exists in space ${change.row.space_id}`;
      outcomes.push(failed(change.seq, entityError(409, 'Conflict', message, { id: change.row.id, slug: change.row.slug })));
    }
  }
  return outcomes;
}

function toOutcomes(changes: Change[], written: Set<number>): ItemOutcome[] {
  return changes.map((c) => {
    if (written.has(c.seq)) return recorded(c.seq);
    // Cannot happen while the row is locked; reported rather than assumed.
    const message = `invocation ${c.row.slug} changed during the patch; it was not patched`;
    return failed(c.seq, entityError(409, 'Conflict', message, { id: c.row.id, slug: c.row.slug }));
  });
}
