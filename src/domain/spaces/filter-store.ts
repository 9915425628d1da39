import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { validateWhere } from '../query/index.ts';
import { z } from 'zod';
import { type Db, db } from '../db.ts';
import { conflict, notFound, validation } from '../errors.ts';
import { DisplayNameField, objectError, SlugField } from '../fields.ts';
import type { Actor } from '../identity/actor.ts';
import { type Page, type PageRequest, toPage } from '../paging.ts';
import { isForeignKeyViolation, isUniqueViolation } from '../sql-errors.ts';
import { FILTER_TARGETS } from '../entities/space.entity.ts';
import { requireSpace } from './space-store.ts';
import { type FilterRow, type FilterView, toFilterView } from './views.ts';

/** SEMANTICS.md bounds a whole where expression at 8192 characters. */
export const MAX_WHERE = 8192;

export const FilterCreateSchema = z.strictObject({
  Slug: SlugField,
  DisplayName: DisplayNameField.optional(),
  From: z.enum(FILTER_TARGETS, `must be one of ${FILTER_TARGETS.join(', ')}`),
  Where: z.string().max(MAX_WHERE, `must be at most ${MAX_WHERE} characters`).optional(),
  FromSpaceID: z.uuid('must be a UUID').optional(),
}, { error: objectError });
export type FilterCreate = z.output<typeof FilterCreateSchema>;

export async function createFilter(
  em: EntityManager,
  actor: Actor,
  spaceId: string,
  input: FilterCreate,
): Promise<FilterView> {
  const k = db(em);
  await requireSpace(k, actor.organizationId, spaceId);
  const where = input.Where ?? '';
  // A saved Where is checked now, so a Filter can never fail when it is used.
  validateWhere(input.From, where, 'Where');
  if (input.FromSpaceID !== undefined) await requireFromSpace(k, actor.organizationId, input.FromSpaceID);
  try {
    const row = await k
      .insertInto('filter')
      .values({
        id: randomUUID(),
        organization_id: actor.organizationId,
        space_id: spaceId,
        slug: input.Slug,
        display_name: input.DisplayName ?? '',
        from_entity: input.From,
        where_expr: where,
        from_space_id: input.FromSpaceID ?? null,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return toFilterView(row);
  } catch (e) {
    if (isUniqueViolation(e)) throw conflict(`a filter with Slug '${input.Slug}' exists in space ${spaceId}`);
    if (isForeignKeyViolation(e)) throw notFound(`space ${spaceId} or FromSpaceID ${input.FromSpaceID} not found`);
    throw e;
  }
}

async function requireFromSpace(k: Db, organizationId: string, id: string): Promise<void> {
  const found = await k
    .selectFrom('space')
    .select('id')
    .where('id', '=', id)
    .where('organization_id', '=', organizationId)
    .executeTakeFirst();
  if (!found) throw validation(`FromSpaceID: no space ${id} in the organization`);
}

/** A filter of the organization by id, for `filter=` on lists and bulk calls. */
export async function findFilter(k: Db, organizationId: string, id: string): Promise<FilterRow | undefined> {
  return k
    .selectFrom('filter')
    .selectAll()
    .where('id', '=', id)
    .where('organization_id', '=', organizationId)
    .executeTakeFirst();
}

export async function getFilter(em: EntityManager, actor: Actor, spaceId: string, id: string): Promise<FilterView> {
  const k = db(em);
  await requireSpace(k, actor.organizationId, spaceId);
  const row = await findFilter(k, actor.organizationId, id);
  if (!row || row.space_id !== spaceId) throw notFound(`filter ${id} not found in space ${spaceId}`);
  return toFilterView(row);
}

export async function listFilters(
  em: EntityManager,
  actor: Actor,
  spaceId: string,
  page: PageRequest,
): Promise<Page<FilterView>> {
  const k = db(em);
  await requireSpace(k, actor.organizationId, spaceId);
  let query = k.selectFrom('filter').selectAll().where('space_id', '=', spaceId);
  if (page.after !== undefined) query = query.where('cursor_id', '>', page.after);
  const rows = await query.orderBy('cursor_id').limit(page.limit + 1).execute();
  const { items, nextAfter } = toPage(rows, page.limit);
  return { items: items.map(toFilterView), nextAfter };
}
