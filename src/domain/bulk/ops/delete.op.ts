import { sql } from 'kysely';
import type { ChunkContext, ItemRow } from '../chunk.ts';
import { entityError, failed, recorded, succeeded, type ItemOutcome } from '../item-result.ts';
import { lockInvocations, type InvocationRow } from './lock-rows.ts';
import { recordSucceeded, invocationColumnsSql, integerList, uuidList } from './sql-rows.ts';
import { INVOCATION_COLUMNS } from '../../db.ts';

const gatesOf = (row: InvocationRow) => Object.keys(row.delete_gates ?? {});

/** A per-item check before deleting a locked row: an outcome refuses it, null lets it go on. */
export type DeleteCheck = (item: ItemRow, row: InvocationRow) => ItemOutcome | null;

/**
 * Bulk delete: gated entities fail with 422, missing ones with 404, the rest are deleted. A dry
 * run reads and reports; a real one deletes first and asks questions after (deleteUngated).
 */
export async function deleteItems(ctx: ChunkContext): Promise<ItemOutcome[]> {
  return ctx.job.dry_run ? deleteEntities(ctx, () => null) : deleteUngated(ctx);
}

/**
 * A delete with no per-item check needs nothing of the rows but their DeleteGates, which the
 * DELETE can test itself: one statement deletes every ungated entity of the chunk and records its
 * result and undo data, without reading or locking the rows first (that read and lock took as long
 * as the delete). Only the items it did not delete are read afterwards, to say why: gone (404),
 * gated (422), or, where neither holds any more, changed by another transaction meanwhile (409).
 */
async function deleteUngated(ctx: ChunkContext): Promise<ItemOutcome[]> {
  const { tx, job, items } = ctx;
  // In id order, the order lockInvocations takes locks in: the plan (a nested loop over the list,
  // by primary key) locks rows in the list's order. Were a plan to take them in another order
  // against a concurrent chunk, PostgreSQL would end the deadlock by failing one transaction, which
  // rolls back whole (its claim included) and which BullMQ runs again.
  const targets = [...items].sort((a, b) => (a.entity_id < b.entity_id ? -1 : a.entity_id > b.entity_id ? 1 : 0));
  const res = await sql<{ seq: number }>`
    with del as (
      delete from invocation i
       using unnest(${uuidList(targets.map((t) => t.entity_id))}, ${integerList(targets.map((t) => t.seq))}) as u(id, seq)
       where i.id = u.id and i.organization_id = ${job.organization_id} and i.delete_gates = '{}'::jsonb
      returning ${invocationColumnsSql('i')}, u.seq)${recordDeleted(ctx)}`.execute(tx);
  const done = new Set(res.rows.map((r) => r.seq));
  const outcomes = items.filter((i) => done.has(i.seq)).map((i) => recorded(i.seq));
  const left = items.filter((i) => !done.has(i.seq));
  if (left.length === 0) return outcomes;
  const rows = await tx
    .selectFrom('invocation')
    .select(INVOCATION_COLUMNS)
    .where('organization_id', '=', job.organization_id)
    .where('id', '=', (eb) => eb.fn.any(eb.val(left.map((i) => i.entity_id))))
    .execute();
  const byId = new Map(rows.map((r) => [r.id, r]));
  for (const item of left) {
    const row = byId.get(item.entity_id);
    outcomes.push(
      !row
        ? gone(item)
        : gatesOf(row).length > 0
          ? gated(item.seq, row)
          : failed(item.seq, entityError(409, 'Conflict', changedMessage(row), { id: row.id, slug: row.slug })),
    );
  }
  return withMessages(outcomes).sort((a, b) => a.seq - b.seq);
}

const gone = (item: ItemRow) =>
  failed(item.seq, entityError(404, 'NotFound', `invocation ${item.entity_id} no longer exists`, { id: item.entity_id }));

function gated(seq: number, row: InvocationRow): ItemOutcome {
  const message = `deletion of invocation ${row.slug} is blocked by DeleteGates: ${gatesOf(row).join(', ')}`;
  return failed(seq, entityError(422, 'DeleteGated', message, { id: row.id, slug: row.slug }));
}

const changedMessage = (row: InvocationRow) => `invocation ${row.slug} changed during the delete; nothing was deleted`;

/** DeleteResponse items carry a Message beside an Error. */
function withMessages(outcomes: ItemOutcome[]): ItemOutcome[] {
  for (const o of outcomes) {
    const error = o.result.Error as { Message?: string } | undefined;
    if (error?.Message) o.result.Message = error.Message;
  }
  return outcomes;
}

/** After a CTE `del` of deleted rows with their item's seq: writes each one's item, result and undo data. */
const recordDeleted = (ctx: ChunkContext) =>
  recordSucceeded(ctx, { relation: sql`del`, seq: sql`del.seq`, entityId: sql`del.id` }, {
    result: sql`json_build_object('Message', 'invocation ' || del.slug || ' (' || del.id || ') deleted')`,
    undo: ctx.job.record_undo ? 'del' : undefined,
  });

/**
 * Deletes the items' entities after `check`, the DeleteGates (422) and a missing row (404), and
 * records each deleted row as the undo data. DeleteResponse items carry a Message beside an Error.
 */
export async function deleteEntities(ctx: ChunkContext, check: DeleteCheck): Promise<ItemOutcome[]> {
  const { tx, job, items } = ctx;
  const rows = await lockInvocations(tx, job.organization_id, items.map((i) => i.entity_id));
  const outcomes: ItemOutcome[] = [];
  const doomed: Array<{ seq: number; row: InvocationRow }> = [];
  for (const item of items) {
    const row = rows.get(item.entity_id);
    const refused = !row ? gone(item) : (check(item, row) ?? (gatesOf(row).length > 0 ? gated(item.seq, row) : null));
    if (refused) outcomes.push(refused);
    else doomed.push({ seq: item.seq, row: row! });
  }
  const deleted = job.dry_run ? new Set(doomed.map((d) => d.row.id)) : await deleteChecked(ctx, doomed);
  for (const { seq, row } of doomed) {
    if (!deleted.has(row.id)) {
      outcomes.push(failed(seq, entityError(409, 'Conflict', changedMessage(row), { id: row.id, slug: row.slug })));
    } else if (job.dry_run) {
      outcomes.push(succeeded(seq, { Message: `invocation ${row.slug} (${row.id}) would be deleted` }));
    } else {
      outcomes.push(recorded(seq));
    }
  }
  return withMessages(outcomes).sort((a, b) => a.seq - b.seq);
}

/**
 * Deletes the rows whose Version is still the one read, and in the same statement writes each
 * deleted row's item with its result and undo data (the row as it was). Answers the ids deleted.
 */
async function deleteChecked(ctx: ChunkContext, doomed: Array<{ seq: number; row: InvocationRow }>): Promise<Set<string>> {
  if (doomed.length === 0) return new Set();
  const pairs = JSON.stringify(doomed.map((d) => ({ seq: d.seq, id: d.row.id, version: d.row.version })));
  const res = await sql<{ seq: number }>`
    with del as (
      delete from invocation i
       using jsonb_to_recordset(${pairs}::jsonb) as u(seq integer, id uuid, version integer)
       where i.id = u.id and i.version = u.version
      returning ${invocationColumnsSql('i')}, u.seq)${recordDeleted(ctx)}`.execute(ctx.tx);
  const seqs = new Set(res.rows.map((r) => r.seq));
  return new Set(doomed.filter((d) => seqs.has(d.seq)).map((d) => d.row.id));
}
