import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { z } from 'zod';
import { type Db, db } from '../db.ts';
import { conflict, notFound } from '../errors.ts';
import { DisplayNameField, objectError, SlugField } from '../fields.ts';
import type { Actor } from '../identity/actor.ts';
import { type Page, type PageRequest, toPage } from '../paging.ts';
import { isForeignKeyViolation, isUniqueViolation } from '../sql-errors.ts';
import { requireSpace } from './space-store.ts';
import { type BridgeWorkerRow, type BridgeWorkerView, toBridgeWorkerView } from './views.ts';

export const BridgeWorkerCreateSchema = z.strictObject({
  Slug: SlugField,
  DisplayName: DisplayNameField.optional(),
}, { error: objectError });
export type BridgeWorkerCreate = z.output<typeof BridgeWorkerCreateSchema>;

export async function createBridgeWorker(
  em: EntityManager,
  actor: Actor,
  spaceId: string,
  input: BridgeWorkerCreate,
): Promise<BridgeWorkerView> {
  const k = db(em);
  await requireSpace(k, actor.organizationId, spaceId);
  try {
    const row = await k
      .insertInto('bridge_worker')
      .values({
        id: randomUUID(),
        organization_id: actor.organizationId,
        space_id: spaceId,
        slug: input.Slug,
        display_name: input.DisplayName ?? '',
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return toBridgeWorkerView(row);
  } catch (e) {
    if (isUniqueViolation(e)) throw conflict(`a bridge worker with Slug '${input.Slug}' exists in space ${spaceId}`);
    if (isForeignKeyViolation(e)) throw notFound(`space ${spaceId} not found`);
    throw e;
  }
}

async function requireBridgeWorker(k: Db, organizationId: string, spaceId: string, id: string): Promise<BridgeWorkerRow> {
  const row = await k
    .selectFrom('bridge_worker')
    .selectAll()
    .where('id', '=', id)
    .where('space_id', '=', spaceId)
    .where('organization_id', '=', organizationId)
    .executeTakeFirst();
  if (!row) throw notFound(`bridge worker ${id} not found in space ${spaceId}`);
  return row;
}

export async function getBridgeWorker(em: EntityManager, actor: Actor, spaceId: string, id: string): Promise<BridgeWorkerView> {
  const k = db(em);
  await requireSpace(k, actor.organizationId, spaceId);
  return toBridgeWorkerView(await requireBridgeWorker(k, actor.organizationId, spaceId, id));
}

export async function listBridgeWorkers(
  em: EntityManager,
  actor: Actor,
  spaceId: string,
  page: PageRequest,
): Promise<Page<BridgeWorkerView>> {
  const k = db(em);
  await requireSpace(k, actor.organizationId, spaceId);
  let query = k.selectFrom('bridge_worker').selectAll().where('space_id', '=', spaceId);
  if (page.after !== undefined) query = query.where('cursor_id', '>', page.after);
  const rows = await query.orderBy('cursor_id').limit(page.limit + 1).execute();
  const { items, nextAfter } = toPage(rows, page.limit);
  return { items: items.map(toBridgeWorkerView), nextAfter };
}

/** Bridge workers of the organization among `ids` (an invocation may name one in any of its spaces). */
export async function bridgeWorkersById(k: Db, organizationId: string, ids: readonly string[]): Promise<Map<string, BridgeWorkerRow>> {
  if (ids.length === 0) return new Map();
  const rows = await k
    .selectFrom('bridge_worker')
    .selectAll()
    .where('organization_id', '=', organizationId)
    .where('id', 'in', [...new Set(ids)])
    .execute();
  return new Map(rows.map((r) => [r.id, r]));
}
