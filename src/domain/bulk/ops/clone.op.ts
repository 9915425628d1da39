import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { applyInvocationPatch, parseInvocationPatch, rowToState, toInvocationView } from '../../invocations/index.ts';
import type { InvocationPatch, InvocationState } from '../../invocations/index.ts';
import { type Db, INVOCATION_COLUMNS } from '../../db.ts';
import type { ChunkContext, ItemRow } from '../chunk.ts';
import type { BulkRequest } from '../submit.ts';
import { entityError, failed, recorded, succeeded, type ItemOutcome } from '../item-result.ts';
import type { InvocationRow } from './lock-rows.ts';
import { missingBridgeWorkers, writableRecord, WRITABLE_COLUMNS_SQL } from './write-rows.ts';
import { recordSucceeded, invocationViewSql } from './sql-rows.ts';

interface Clone {
  seq: number;
  id: string;
  spaceId: string;
  source: InvocationRow;
  state: InvocationState;
}

async function readSources(tx: Db, organizationId: string, ids: string[]) {
  const rows = await tx
    .selectFrom('invocation')
    .select(INVOCATION_COLUMNS)
    .where('organization_id', '=', organizationId)
    .where('id', 'in', [...new Set(ids)])
    .execute();
  return new Map(rows.map((r) => [r.id, r]));
}

async function existingSpaces(tx: Db, organizationId: string, ids: string[]) {
  const rows = await tx.selectFrom('space').select('id').where('organization_id', '=', organizationId).where('id', 'in', [...new Set(ids)]).execute();
  return new Set(rows.map((r) => r.id));
}

/** The clone an item describes: the source with the prefixed Slug, then the request's merge patch. */
function planClone(item: ItemRow, source: InvocationRow, patch: InvocationPatch): Clone | string {
  const base = { ...rowToState(source), Slug: (item.prefix ?? '') + source.slug };
  const result = applyInvocationPatch(base, patch);
  if (!result.ok) return result.message;
  return { seq: item.seq, id: randomUUID(), spaceId: item.dest_space_id ?? source.space_id, source, state: result.next };
}

/**
 * Bulk clone: one new invocation per item (source x destination space x prefix). A Slug taken in
 * the destination is a 409 for that item, or with allow_exists the existing entity as a success.
 */
export async function cloneItems(ctx: ChunkContext): Promise<ItemOutcome[]> {
  const { tx, job, items } = ctx;
  const request = job.request as BulkRequest;
  const patch = parseInvocationPatch(request.body ?? null, { allowNull: true });
  const org = job.organization_id;
  const sources = await readSources(tx, org, items.map((i) => i.entity_id));
  const spaces = await existingSpaces(tx, org, items.map((i) => i.dest_space_id ?? sources.get(i.entity_id)?.space_id ?? i.entity_id));
  const outcomes: ItemOutcome[] = [];
  const clones: Clone[] = [];
  for (const item of items) {
    const source = sources.get(item.entity_id);
    if (!source) {
      outcomes.push(failed(item.seq, entityError(404, 'NotFound', `invocation ${item.entity_id} no longer exists`, { id: item.entity_id })));
      continue;
    }
    const ref = { id: source.id, slug: source.slug };
    const dest = item.dest_space_id ?? source.space_id;
    if (!spaces.has(dest)) {
      outcomes.push(failed(item.seq, entityError(404, 'NotFound', `destination space ${dest} no longer exists`, ref)));
      continue;
    }
    const clone = planClone(item, source, patch);
    if (typeof clone === 'string') outcomes.push(failed(item.seq, entityError(400, 'Validation', clone, ref)));
    else clones.push(clone);
  }
  const missing = await missingBridgeWorkers(tx, org, clones.map((c) => c.state.BridgeWorkerID));
  const valid = clones.filter((c) => {
    if (!c.state.BridgeWorkerID || !missing.has(c.state.BridgeWorkerID)) return true;
    const message = `BridgeWorkerID: bridge worker ${c.state.BridgeWorkerID} not found`;
    outcomes.push(failed(c.seq, entityError(400, 'Validation', message, { id: c.source.id, slug: c.source.slug })));
    return false;
  });
  const inserted = job.dry_run ? new Set<string>() : await insertClones(ctx, org, valid);
  const taken = await takenSlugs(tx, valid.filter((c) => !inserted.has(c.id)));
  for (const c of valid) {
    outcomes.push(inserted.has(c.id) ? recorded(c.seq) : cloneOutcome(c, taken, job.dry_run, request.allow_exists === true, org));
  }
  return outcomes.sort((a, b) => a.seq - b.seq);
}

const columns = (alias?: string) => sql.join(INVOCATION_COLUMNS.map((c) => sql.ref(alias ? `${alias}.${c}` : c)));

const slugKey = (spaceId: string, slug: string) => `${spaceId}/${slug}`;

/** The outcome of a clone that was not inserted: taken Slug (409, or allow_exists), or a dry run. */
function cloneOutcome(c: Clone, taken: Map<string, InvocationRow>, dryRun: boolean, allowExists: boolean, org: string): ItemOutcome {
  const existing = taken.get(slugKey(c.spaceId, c.state.Slug));
  if (existing && allowExists) return succeeded(c.seq, { Invocation: toInvocationView(existing) });
  if (existing) {
    const message = `Slug: an invocation with Slug '${c.state.Slug}' exists in space ${c.spaceId}`;
    return failed(c.seq, entityError(409, 'Conflict', message, { id: c.source.id, slug: c.source.slug }));
  }
  if (dryRun) {
    const now = new Date().toISOString();
    const preview = { id: c.id, organization_id: org, space_id: c.spaceId, version: 1, cursor_id: '0', created_at: now, updated_at: now };
    return succeeded(c.seq, { Invocation: { ...toInvocationView({ ...c.source, ...preview }), ...c.state } });
  }
  // Taken within this very chunk by another clone (two sources with the same Slug into one space).
  const message = `Slug: an invocation with Slug '${c.state.Slug}' exists in space ${c.spaceId}`;
  return failed(c.seq, entityError(409, 'Conflict', message, { id: c.source.id, slug: c.source.slug }));
}

/**
 * One INSERT for the chunk; rows whose Slug is taken are skipped by ON CONFLICT. The same statement
 * writes each clone's item with its result and created id. Answers the ids inserted.
 */
async function insertClones(ctx: ChunkContext, org: string, clones: Clone[]): Promise<Set<string>> {
  if (clones.length === 0) return new Set();
  const records = clones.map((c, ord) => ({ ...writableRecord(c.state), id: c.id, space_id: c.spaceId, seq: c.seq, ord }));
  const res = await sql<{ seq: number }>`
    with u as (
      select * from jsonb_to_recordset(${JSON.stringify(records)}::jsonb)
                 as u(id uuid, space_id uuid, seq integer, ord integer, ${WRITABLE_COLUMNS_SQL})),
    ins as (
      insert into invocation (id, organization_id, space_id, slug, display_name, function_name, arguments,
                              toolchain_type, bridge_worker_id, labels, annotations, delete_gates, hash)
      select u.id, ${org}, u.space_id, u.slug, u.display_name, u.function_name, u.arguments,
             u.toolchain_type, u.bridge_worker_id, u.labels, u.annotations, u.delete_gates, u.hash
        from u order by u.ord
      on conflict (space_id, slug) do nothing
      returning ${columns()})${recordSucceeded(ctx, { relation: sql`ins join u on u.id = ins.id`, seq: sql`u.seq` }, {
      result: sql`json_build_object('Invocation', ${invocationViewSql('ins')})`,
      createdId: sql`ins.id`,
      versionAfter: sql`ins.version`,
    })}`.execute(ctx.tx);
  const seqs = new Set(res.rows.map((r) => r.seq));
  return new Set(clones.filter((c) => seqs.has(c.seq)).map((c) => c.id));
}

/** The entities already holding the Slugs of clones that were not inserted (or, in a dry run, all). */
async function takenSlugs(tx: Db, clones: Clone[]): Promise<Map<string, InvocationRow>> {
  if (clones.length === 0) return new Map();
  const pairs = JSON.stringify(clones.map((c) => ({ space_id: c.spaceId, slug: c.state.Slug })));
  const res = await sql<InvocationRow>`
    select ${columns('i')} from invocation i
      join jsonb_to_recordset(${pairs}::jsonb) as p(space_id uuid, slug text)
        on i.space_id = p.space_id and i.slug = p.slug`.execute(tx);
  return new Map(res.rows.map((r) => [slugKey(r.space_id, r.slug), r]));
}
