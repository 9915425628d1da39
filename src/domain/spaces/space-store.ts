import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { type Expression, type SqlBool, sql } from 'kysely';
import { type Db, db } from '../db.ts';
import { conflict, notFound, unprocessable, validation } from '../errors.ts';
import { type Actor, requireOrgAdmin } from '../identity/actor.ts';
import { type Page, type PageRequest, toPage } from '../paging.ts';
import { isForeignKeyViolation, isUniqueViolation } from '../sql-errors.ts';
import { applySpacePatch, parseSpacePatch, type SpaceCreate, spaceRowFields, withSpaceDefaults } from './space-fields.ts';
import { type SpaceRow, type SpaceView, toSpaceView } from './views.ts';

/** Optimistic updates retry this often when another writer bumped the Version in between. */
const UPDATE_ATTEMPTS = 5;

/** A space of the caller's organization; any other space is 404, as if it did not exist. */
export async function requireSpace(k: Db, organizationId: string, spaceId: string): Promise<SpaceRow> {
  const row = await k
    .selectFrom('space')
    .selectAll()
    .where('id', '=', spaceId)
    .where('organization_id', '=', organizationId)
    .executeTakeFirst();
  if (!row) throw notFound(`space ${spaceId} not found`);
  return row;
}

const slugTaken = (slug: string) => conflict(`a space with Slug '${slug}' exists in the organization`);

/** Spaces shape the organization, so only its admins create, change or delete them. */
export async function createSpace(em: EntityManager, actor: Actor, input: SpaceCreate): Promise<SpaceView> {
  requireOrgAdmin(actor);
  const fields = withSpaceDefaults(input);
  try {
    const row = await db(em)
      .insertInto('space')
      .values({
        id: randomUUID(),
        organization_id: actor.organizationId,
        slug: fields.Slug,
        display_name: fields.DisplayName,
        labels: JSON.stringify(fields.Labels),
        annotations: JSON.stringify(fields.Annotations),
        delete_gates: JSON.stringify(fields.DeleteGates),
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return toSpaceView(row);
  } catch (e) {
    if (isUniqueViolation(e)) throw slugTaken(fields.Slug);
    throw e;
  }
}

export async function getSpace(em: EntityManager, actor: Actor, spaceId: string): Promise<SpaceView> {
  return toSpaceView(await requireSpace(db(em), actor.organizationId, spaceId));
}

/** `condition`: a compiled where/filter/contains on alias `space` (query/selection.ts). */
export async function listSpaces(
  em: EntityManager,
  actor: Actor,
  page: PageRequest,
  condition?: Expression<SqlBool>,
): Promise<Page<SpaceView>> {
  let query = db(em).selectFrom('space').selectAll().where('organization_id', '=', actor.organizationId);
  if (page.after !== undefined) query = query.where('cursor_id', '>', page.after);
  if (condition) query = query.where(condition);
  const rows = await query.orderBy('cursor_id').limit(page.limit + 1).execute();
  const { items, nextAfter } = toPage(rows, page.limit);
  return { items: items.map(toSpaceView), nextAfter };
}

export async function patchSpace(em: EntityManager, actor: Actor, spaceId: string, body: unknown): Promise<SpaceView> {
  requireOrgAdmin(actor);
  const patch = parseSpacePatch(body);
  const k = db(em);
  for (let attempt = 0; attempt < UPDATE_ATTEMPTS; attempt++) {
    const row = await requireSpace(k, actor.organizationId, spaceId);
    const outcome = applySpacePatch(spaceRowFields(row), patch);
    if (!outcome.ok) throw validation(outcome.message);
    if (!outcome.changed) return toSpaceView(row);
    const next = outcome.next;
    try {
      const updated = await k
        .updateTable('space')
        .set({
          slug: next.Slug,
          display_name: next.DisplayName,
          labels: JSON.stringify(next.Labels),
          annotations: JSON.stringify(next.Annotations),
          delete_gates: JSON.stringify(next.DeleteGates),
          version: sql`version + 1`,
          updated_at: sql`now()`,
        })
        .where('id', '=', row.id)
        .where('version', '=', row.version)
        .returningAll()
        .executeTakeFirst();
      if (updated) return toSpaceView(updated);
    } catch (e) {
      if (isUniqueViolation(e)) throw slugTaken(next.Slug);
      throw e;
    }
  }
  throw conflict(`space ${spaceId} kept changing while the patch was applied; try again`);
}

/**
 * Deletes an empty space. A space that still holds invocations, bridge workers or filters, or that
 * a filter names as its FromSpaceID, is refused with 409 rather than emptied: deleting a space
 * never deletes anything else.
 */
export async function deleteSpace(em: EntityManager, actor: Actor, spaceId: string): Promise<{ Message: string }> {
  requireOrgAdmin(actor);
  try {
    return await em.transactional(async (tx) => {
      const k = db(tx);
      // The row lock makes concurrent inserts into this space wait for us, then fail their FK check.
      const row = await k
        .selectFrom('space')
        .selectAll()
        .where('id', '=', spaceId)
        .where('organization_id', '=', actor.organizationId)
        .forUpdate()
        .executeTakeFirst();
      if (!row) throw notFound(`space ${spaceId} not found`);
      const gates = Object.keys(row.delete_gates ?? {});
      if (gates.length > 0) {
        throw unprocessable(`space ${spaceId} has delete gates (${gates.join(', ')}); remove them first`);
      }
      await refuseNonEmpty(k, spaceId);
      await k.deleteFrom('space').where('id', '=', spaceId).execute();
      return { Message: `space ${spaceId} deleted` };
    });
  } catch (e) {
    if (isForeignKeyViolation(e)) throw conflict(`space ${spaceId} is not empty`);
    throw e;
  }
}

async function refuseNonEmpty(k: Db, spaceId: string): Promise<void> {
  const { rows } = await sql<{ invocations: boolean; workers: boolean; filters: boolean; referenced: boolean }>`
    select exists (select 1 from invocation where space_id = ${spaceId}) as invocations,
           exists (select 1 from bridge_worker where space_id = ${spaceId}) as workers,
           exists (select 1 from filter where space_id = ${spaceId}) as filters,
           exists (select 1 from filter where from_space_id = ${spaceId}) as referenced`.execute(k);
  const found = rows[0];
  if (!found) return;
  const held = [
    found.invocations && 'invocations',
    found.workers && 'bridge workers',
    found.filters && 'filters',
    found.referenced && 'a filter naming it as FromSpaceID',
  ].filter((x): x is string => typeof x === 'string');
  if (held.length > 0) throw conflict(`space ${spaceId} is not empty: it still has ${held.join(', ')}`);
}
