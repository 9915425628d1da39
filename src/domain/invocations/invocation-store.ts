import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { type Db, INVOCATION_COLUMNS, type Prepared } from '../db.ts';
import { conflict, notFound, unprocessable, validation } from '../errors.ts';
import type { Actor } from '../identity/actor.ts';
import { isForeignKeyViolation, isUniqueViolation } from '../sql-errors.ts';
import { bridgeWorkersById } from '../spaces/bridge-worker-store.ts';
import { requireSpace } from '../spaces/space-store.ts';
import { checkDocumentIds, documentFields, type InvocationCreate, type InvocationPut } from './documents.ts';
import { requireInvocation } from './invocation-reads.ts';
import { applyInvocationPatch, parseInvocationPatch, sameFields } from './patch.ts';
import {
  buildInvocationState,
  type InvocationRow,
  type InvocationState,
  type InvocationView,
  rowToState,
  stateToColumns,
  toInvocationView,
} from './state.ts';

/** A patch retries this often when another writer bumped the Version between read and write. */
const PATCH_ATTEMPTS = 5;

/** A BridgeWorkerID must name a bridge worker of the caller's organization. */
export async function checkBridgeWorker(k: Db, organizationId: string, id: string | null): Promise<void> {
  if (id === null) return;
  const found = await bridgeWorkersById(k, organizationId, [id]);
  if (!found.has(id)) throw validation(`BridgeWorkerID: no bridge worker ${id} in the organization`);
}

const slugTaken = (slug: string, spaceId: string) => conflict(`an invocation with Slug '${slug}' exists in space ${spaceId}`);

/** Maps constraint failures of an invocation write to the caller's problem. */
function writeError(e: unknown, state: InvocationState, spaceId: string): unknown {
  if (isUniqueViolation(e)) return slugTaken(state.Slug, spaceId);
  if (isForeignKeyViolation(e)) {
    const constraint = (e as { constraint?: string }).constraint ?? '';
    return constraint.includes('bridge_worker')
      ? validation(`BridgeWorkerID: no bridge worker ${state.BridgeWorkerID} in the organization`)
      : notFound(`space ${spaceId} not found`);
  }
  return e;
}

function built(fields: Record<string, unknown>, previous?: InvocationState): InvocationState {
  const result = buildInvocationState(fields, previous);
  if (!result.ok) throw validation(result.message);
  return result.state;
}

/**
 * Creates an invocation. A Slug already used in the space is 409, or with `allowExists` the
 * existing invocation, unchanged.
 */
export async function createInvocation(
  k: Db,
  actor: Actor,
  spaceId: string,
  doc: InvocationCreate,
  allowExists: boolean,
): Promise<InvocationView> {
  await requireSpace(k, actor.organizationId, spaceId);
  checkDocumentIds(doc, { organizationId: actor.organizationId, spaceId });
  const state = built(documentFields(doc));
  await checkBridgeWorker(k, actor.organizationId, state.BridgeWorkerID);
  let row: InvocationRow | undefined;
  try {
    row = await k
      .insertInto('invocation')
      .values({ id: randomUUID(), organization_id: actor.organizationId, space_id: spaceId, ...stateToColumns(state) })
      .onConflict((oc) => oc.columns(['space_id', 'slug']).doNothing())
      .returning(INVOCATION_COLUMNS)
      .executeTakeFirst();
  } catch (e) {
    throw writeError(e, state, spaceId);
  }
  if (row) return toInvocationView(row);
  if (!allowExists) throw slugTaken(state.Slug, spaceId);
  const existing = await k
    .selectFrom('invocation')
    .select(INVOCATION_COLUMNS)
    .where('space_id', '=', spaceId)
    .where('slug', '=', state.Slug)
    .executeTakeFirst();
  // Deleted between our insert and this read: the slug is free again, but we did not create it.
  if (!existing) throw conflict(`the invocation with Slug '${state.Slug}' changed concurrently; try again`);
  return toInvocationView(existing);
}

/** The columns stateToColumns writes, in one fixed order (the object below names each exactly once). */
const STATE_COLUMNS = Object.keys({
  slug: 0, display_name: 0, function_name: 0, arguments: 0, toolchain_type: 0,
  bridge_worker_id: 0, labels: 0, annotations: 0, delete_gates: 0, hash: 0,
} satisfies Record<keyof ReturnType<typeof stateToColumns>, 0>) as Array<keyof ReturnType<typeof stateToColumns>>;

/**
 * A single PATCH or PUT's write, as a named prepared statement like the GET's read (db.ts,
 * Prepared): planning an UPDATE of a table with eight indexes on every call is work the statement
 * need not repeat. The text names columns from the code only; every value is a parameter.
 */
const UPDATE_IF_VERSION_SQL = `
  update invocation
     set ${STATE_COLUMNS.map((c, i) => `${c} = $${i + 1}`).join(', ')}, version = version + 1, updated_at = now()
   where id = $${STATE_COLUMNS.length + 1} and version = $${STATE_COLUMNS.length + 2}
  returning ${INVOCATION_COLUMNS.join(', ')}`;

/** Writes `next` over the row if it still has `version`; undefined when someone else wrote first. */
async function updateIfVersion(
  pool: Prepared,
  id: string,
  version: number,
  next: InvocationState,
  spaceId: string,
): Promise<InvocationRow | undefined> {
  const columns = stateToColumns(next);
  try {
    const res = await pool.query<InvocationRow>({
      name: 'invocation_update_if_version',
      text: UPDATE_IF_VERSION_SQL,
      values: [...STATE_COLUMNS.map((c) => columns[c]), id, version],
    });
    return res.rows[0];
  } catch (e) {
    throw writeError(e, next, spaceId);
  }
}

/** RFC 7396 merge patch of one invocation; a patch that changes nothing writes nothing. */
export async function patchInvocation(
  pool: Prepared,
  k: Db,
  actor: Actor,
  spaceId: string,
  id: string,
  body: unknown,
): Promise<InvocationView> {
  const patch = parseInvocationPatch(body);
  for (let attempt = 0; attempt < PATCH_ATTEMPTS; attempt++) {
    const row = await requireInvocation(pool, k, actor, spaceId, id);
    const outcome = applyInvocationPatch(rowToState(row), patch);
    if (!outcome.ok) throw validation(outcome.message);
    if (!outcome.changed) return toInvocationView(row);
    if (outcome.next.BridgeWorkerID !== row.bridge_worker_id) {
      await checkBridgeWorker(k, actor.organizationId, outcome.next.BridgeWorkerID);
    }
    const updated = await updateIfVersion(pool, row.id, row.version, outcome.next, spaceId);
    if (updated) return toInvocationView(updated);
  }
  throw conflict(`invocation ${id} kept changing while the patch was applied; try again`);
}

/**
 * Replaces an invocation's writable fields (absent optional ones reset to their defaults). The
 * Version sent must be the current one, checked inside the UPDATE; a stale one is 409 and changes
 * nothing. A body equal to the stored invocation writes nothing and keeps the Version.
 */
export async function replaceInvocation(
  pool: Prepared,
  k: Db,
  actor: Actor,
  spaceId: string,
  id: string,
  doc: InvocationPut,
): Promise<InvocationView> {
  const row = await requireInvocation(pool, k, actor, spaceId, id);
  checkDocumentIds(doc, { organizationId: actor.organizationId, spaceId, invocationId: id });
  const stale = () => conflict(`Version ${doc.Version} of invocation ${id} is stale: it has changed since it was read`);
  if (row.version !== doc.Version) throw stale();
  const current = rowToState(row);
  const next = built(documentFields(doc), current);
  if (sameFields(next, current)) return toInvocationView(row);
  if (next.BridgeWorkerID !== row.bridge_worker_id) await checkBridgeWorker(k, actor.organizationId, next.BridgeWorkerID);
  const updated = await updateIfVersion(pool, id, doc.Version, next, spaceId);
  if (updated) return toInvocationView(updated);
  await requireInvocation(pool, k, actor, spaceId, id);
  throw stale();
}

/** Deletes one invocation unless a delete gate is present (422). */
export async function deleteInvocation(
  pool: Prepared,
  k: Db,
  actor: Actor,
  spaceId: string,
  id: string,
): Promise<{ Message: string }> {
  // Gates removed between our DELETE and our read: the second round deletes.
  for (let attempt = 0; attempt < 2; attempt++) {
    // The gate check is part of the DELETE, so a gate added concurrently still blocks it.
    const deleted = await k
      .deleteFrom('invocation')
      .where('id', '=', id)
      .where('space_id', '=', spaceId)
      .where('organization_id', '=', actor.organizationId)
      .where(sql<boolean>`delete_gates = '{}'::jsonb`)
      .returning('id')
      .executeTakeFirst();
    if (deleted) return { Message: `invocation ${id} deleted` };
    const gates = Object.keys((await requireInvocation(pool, k, actor, spaceId, id)).delete_gates ?? {});
    if (gates.length > 0) {
      throw unprocessable(`invocation ${id} has delete gates (${gates.join(', ')}); remove them before deleting`);
    }
  }
  throw conflict(`invocation ${id} kept changing while it was deleted; try again`);
}
