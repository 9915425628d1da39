import { sql } from 'kysely';
import { rowToState, toInvocationView } from '../../invocations/index.ts';
import { INVOCATION_COLUMNS, type Db } from '../../db.ts';
import type { ChunkContext, ItemRow } from '../chunk.ts';
import type { BulkRequest } from '../submit.ts';
import { entityError, failed, succeeded, type ItemOutcome } from '../item-result.ts';
import { lockInvocations, type InvocationRow } from './lock-rows.ts';
import { type Change, preview, writeChanges } from './patch.op.ts';
import { deleteEntities } from './delete.op.ts';
import { missingBridgeWorkers, writableRecord, WRITABLE_COLUMNS_SQL } from './write-rows.ts';

interface Undo {
  before: InvocationRow | null;
  versionAfter: number | null;
}

/** The undo data of the source items a revert chunk works on, by the revert item's seq. */
async function undoData(tx: Db, ctx: ChunkContext): Promise<Map<number, Undo>> {
  const bySource = new Map(ctx.items.map((i) => [i.source_seq, i.seq]));
  const rows = await tx
    .selectFrom('bulk_item as b')
    .leftJoin('bulk_undo as u', (j) => j.onRef('u.job_id', '=', 'b.job_id').onRef('u.seq', '=', 'b.seq'))
    .select(['b.seq', 'b.version_after', ...INVOCATION_COLUMNS.map((c) => `u.${c}` as const)])
    .where('b.job_id', '=', ctx.job.source_job_id!)
    .where('b.seq', 'in', ctx.items.map((i) => i.source_seq!))
    .execute();
  // An item without an undo row (a clone's, or a job that kept none) has every u column null.
  return new Map(
    rows.map(({ seq, version_after, ...row }) => [
      bySource.get(seq)!,
      { before: row.id === null ? null : (row as InvocationRow), versionAfter: version_after },
    ]),
  );
}

const force = (ctx: ChunkContext) => (ctx.job.request as BulkRequest).force === true;

/** 409 for an entity changed since the job wrote it, unless force. */
function changedSince(ctx: ChunkContext, item: ItemRow, row: InvocationRow, undo: Undo | undefined): ItemOutcome | null {
  if (force(ctx) || undo?.versionAfter == null || row.version === undo.versionAfter) return null;
  const message =
    `invocation ${row.slug} is at Version ${row.version}, but the job left it at Version ${undo.versionAfter}: ` +
    'it changed since and was left alone (force=true reverts it anyway)';
  return failed(item.seq, { ...entityError(409, 'Conflict', message, { id: row.id, slug: row.slug }), Details: { VersionFound: row.version, VersionWritten: undo.versionAfter } });
}

/** Undo of a patch: each entity gets back the fields it had, as a new Version. */
export async function restoreItems(ctx: ChunkContext): Promise<ItemOutcome[]> {
  const { tx, job, items } = ctx;
  const undo = await undoData(tx, ctx);
  const rows = await lockInvocations(tx, job.organization_id, items.map((i) => i.entity_id));
  const outcomes: ItemOutcome[] = [];
  const changes: Change[] = [];
  for (const item of items) {
    const row = rows.get(item.entity_id);
    const u = undo.get(item.seq);
    if (!row || !u?.before) {
      outcomes.push(failed(item.seq, entityError(404, 'NotFound', `invocation ${item.entity_id} no longer exists; nothing to restore`, { id: item.entity_id })));
      continue;
    }
    const refused = changedSince(ctx, item, row, u);
    if (refused) outcomes.push(refused);
    else changes.push({ seq: item.seq, row, next: rowToState(u.before) });
  }
  const missing = await missingBridgeWorkers(tx, job.organization_id, changes.map((c) => c.next.BridgeWorkerID));
  const writable = changes.filter((c) => {
    if (!c.next.BridgeWorkerID || !missing.has(c.next.BridgeWorkerID)) return true;
    const message = `BridgeWorkerID: bridge worker ${c.next.BridgeWorkerID} no longer exists; the invocation was left alone`;
    outcomes.push(failed(c.seq, entityError(409, 'Conflict', message, { id: c.row.id, slug: c.row.slug })));
    return false;
  });
  outcomes.push(...(job.dry_run ? writable.map(preview) : await writeChanges(ctx, writable)));
  return outcomes.sort((a, b) => a.seq - b.seq);
}

/** Undo of a clone: the clones the job created are deleted (same Version rule, DeleteGates 422). */
export async function deleteCreatedItems(ctx: ChunkContext): Promise<ItemOutcome[]> {
  const undo = await undoData(ctx.tx, ctx);
  return deleteEntities(ctx, (item, row) => changedSince(ctx, item, row, undo.get(item.seq)));
}

/**
 * Undo of a delete: each entity comes back with its InvocationID, Slug, fields, CursorID and
 * CreatedAt; its Version continues from the deleted one. A Slug taken since is a 409.
 */
export async function recreateItems(ctx: ChunkContext): Promise<ItemOutcome[]> {
  const { tx, job, items } = ctx;
  const undo = await undoData(tx, ctx);
  const outcomes: ItemOutcome[] = [];
  const wanted: Array<{ seq: number; before: InvocationRow }> = [];
  for (const item of items) {
    const before = undo.get(item.seq)?.before;
    if (before) wanted.push({ seq: item.seq, before });
    else outcomes.push(failed(item.seq, entityError(404, 'NotFound', `no undo data for invocation ${item.entity_id}`, { id: item.entity_id })));
  }
  const blocked = await recreateBlockers(tx, job.organization_id, wanted.map((w) => w.before));
  const ready = wanted.filter((w) => {
    const why = blocked.get(w.before.id);
    if (why) outcomes.push(failed(w.seq, entityError(409, 'Conflict', why, { id: w.before.id, slug: w.before.slug })));
    return !why;
  });
  const inserted = job.dry_run ? new Map<string, InvocationRow>() : await insertBack(tx, job.organization_id, ready.map((r) => r.before));
  for (const { seq, before } of ready) {
    const row = job.dry_run ? { ...before, version: before.version + 1 } : inserted.get(before.id);
    if (row) outcomes.push(succeeded(seq, { Invocation: toInvocationView(row) }, { createdId: row.id, versionAfter: row.version }));
    else outcomes.push(failed(seq, entityError(409, 'Conflict', `invocation ${before.slug} could not be restored: its Slug or id was taken meanwhile`, { id: before.id, slug: before.slug })));
  }
  return outcomes.sort((a, b) => a.seq - b.seq);
}

/** Why each deleted entity cannot come back: its id or Slug taken, its space or worker gone. */
async function recreateBlockers(tx: Db, org: string, rows: InvocationRow[]): Promise<Map<string, string>> {
  const why = new Map<string, string>();
  if (rows.length === 0) return why;
  const pairs = JSON.stringify(rows.map((r) => ({ id: r.id, space_id: r.space_id, slug: r.slug })));
  const taken = await sql<{ id: string; taken_id: boolean; taken_slug: boolean; space_exists: boolean }>`
    select p.id,
           exists (select 1 from invocation i where i.id = p.id) as taken_id,
           exists (select 1 from invocation i where i.space_id = p.space_id and i.slug = p.slug) as taken_slug,
           exists (select 1 from space s where s.id = p.space_id and s.organization_id = ${org}) as space_exists
      from jsonb_to_recordset(${pairs}::jsonb) as p(id uuid, space_id uuid, slug text)`.execute(tx);
  const bySlug = new Map(rows.map((r) => [r.id, r]));
  for (const t of taken.rows) {
    const r = bySlug.get(t.id)!;
    if (!t.space_exists) why.set(t.id, `space ${r.space_id} no longer exists; invocation ${r.slug} cannot come back`);
    else if (t.taken_id) why.set(t.id, `invocation ${r.id} exists again; nothing was restored`);
    else if (t.taken_slug) why.set(t.id, `Slug '${r.slug}' was taken in space ${r.space_id} since the delete`);
  }
  const missing = await missingBridgeWorkers(tx, org, rows.map((r) => r.bridge_worker_id));
  for (const r of rows) {
    if (!why.has(r.id) && r.bridge_worker_id && missing.has(r.bridge_worker_id)) {
      why.set(r.id, `BridgeWorkerID: bridge worker ${r.bridge_worker_id} no longer exists; invocation ${r.slug} cannot come back as it was`);
    }
  }
  return why;
}

async function insertBack(tx: Db, org: string, rows: InvocationRow[]): Promise<Map<string, InvocationRow>> {
  if (rows.length === 0) return new Map();
  const records = rows.map((r) => ({
    ...writableRecord(rowToState(r)),
    id: r.id,
    space_id: r.space_id,
    version: r.version + 1,
    cursor_id: Number(r.cursor_id),
    created_at: r.created_at,
  }));
  const res = await sql<InvocationRow>`
    insert into invocation (id, organization_id, space_id, slug, display_name, function_name, arguments,
                            toolchain_type, bridge_worker_id, labels, annotations, delete_gates, hash,
                            version, cursor_id, created_at)
    overriding system value
    select u.id, ${org}, u.space_id, u.slug, u.display_name, u.function_name, u.arguments,
           u.toolchain_type, u.bridge_worker_id, u.labels, u.annotations, u.delete_gates, u.hash,
           u.version, u.cursor_id, u.created_at
      from jsonb_to_recordset(${JSON.stringify(records)}::jsonb)
           as u(id uuid, space_id uuid, version integer, cursor_id bigint, created_at timestamptz, ${WRITABLE_COLUMNS_SQL})
    on conflict do nothing
    returning ${sql.join(INVOCATION_COLUMNS.map((c) => sql.ref(c)))}`.execute(tx);
  return new Map(res.rows.map((r) => [r.id, r]));
}
