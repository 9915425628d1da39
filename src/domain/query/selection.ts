import type { EntityManager } from '@mikro-orm/postgresql';
import { sql, type RawBuilder, type SqlBool } from 'kysely';
import { db } from '../db.ts';
import type { Actor } from '../identity/actor.ts';
import { validation } from '../errors.ts';
import { CONTAINS_FIELDS, inTableOrder, type QueryEntity } from './attributes.ts';
import { and, checkAlias } from './compiler.ts';
import { containsCondition } from './contains.ts';
import { isUuid } from './literals.ts';
import { compileWhere } from './where.ts';

export interface SelectionRequest {
  entity: QueryEntity;
  where?: string | undefined;
  /** A saved Filter's id (FilterID). */
  filter?: string | undefined;
  contains?: string | undefined;
  /** Invocation only: the space of a space-scoped call (`/space/{space_id}/invocation`). */
  spaceId?: string | undefined;
  /** The table alias the condition refers to; default `i` for Invocation, `s` for Space. */
  alias?: string | undefined;
  /** Parameter names used in messages, e.g. `{ where: 'where_space', filter: 'filter_space' }`. */
  names?: { where?: string; filter?: string; contains?: string } | undefined;
}

export interface Selection {
  /** Organization scope AND space scope AND where AND the filter's Where AND contains. */
  condition: RawBuilder<SqlBool>;
  alias: string;
  /** Attributes named by where, the filter's Where and contains, in the entity's table order. */
  namedAttributes: string[];
  /** False when neither where, filter nor contains was given: the selection is the whole scope. */
  hasCriteria: boolean;
}

/**
 * The one place lists and bulk jobs turn `where`, `filter` and `contains` into SQL. The result is
 * a condition on `alias` for `FROM invocation <alias>` (or `space <alias>`): use it in a list query
 * or in `INSERT INTO items (...) SELECT ... FROM invocation i WHERE <condition>`.
 *
 * A `filter` that does not exist in the caller's organization is a 400 (VALIDATION_ERROR), not a
 * 404: the list being asked for exists; one of its parameters names nothing. A Filter from another
 * organization gets the same answer, so ids do not leak across organizations. A Filter for
 * Invocation with a FromSpaceID restricts the selection to that space on organization-wide calls;
 * on a space-scoped call the two spaces must be the same (else 400). FromSpaceID of a Space filter
 * is ignored (spaces do not live in spaces).
 */
export async function resolveSelection(em: EntityManager, actor: Actor, req: SelectionRequest): Promise<Selection> {
  const { entity } = req;
  const alias = req.alias ?? (entity === 'Invocation' ? 'i' : 's');
  checkAlias(alias);
  const names = { where: 'where', filter: 'filter', contains: 'contains', ...req.names };
  const parts: RawBuilder<SqlBool>[] = [sql<SqlBool>`${sql.ref(`${alias}.organization_id`)} = ${actor.organizationId}::uuid`];
  const named: string[] = [];
  if (req.spaceId !== undefined) parts.push(spaceScope(entity, alias, req.spaceId));
  if (req.where) {
    const w = compileWhere(entity, req.where, alias, names.where);
    parts.push(w.condition);
    named.push(...w.attributes);
  }
  if (req.filter !== undefined) {
    const f = await savedFilter(em, actor, req, names.filter);
    const w = compileWhere(entity, f.where_expr, alias, `${names.filter} Where`);
    if (entity === 'Invocation' && f.from_space_id && req.spaceId === undefined) {
      parts.push(sql<SqlBool>`${sql.ref(`${alias}.space_id`)} = ${f.from_space_id}::uuid`);
    }
    parts.push(w.condition);
    named.push(...w.attributes);
  }
  if (req.contains) {
    parts.push(containsCondition(entity, req.contains, alias, names.contains));
    named.push(...CONTAINS_FIELDS[entity]);
  }
  const hasCriteria = Boolean(req.where?.trim()) || req.filter !== undefined || Boolean(req.contains);
  return { condition: and(parts), alias, namedAttributes: inTableOrder(entity, named), hasCriteria };
}

function spaceScope(entity: QueryEntity, alias: string, spaceId: string): RawBuilder<SqlBool> {
  if (entity !== 'Invocation') throw new Error('only Invocation selections are space-scoped');
  if (!isUuid(spaceId)) throw validation(`SpaceID '${spaceId}' is not a UUID`);
  return sql<SqlBool>`${sql.ref(`${alias}.space_id`)} = ${spaceId}::uuid`;
}

async function savedFilter(em: EntityManager, actor: Actor, req: SelectionRequest, name: string) {
  const id = req.filter as string;
  if (!isUuid(id)) throw validation(`${name}: '${id}' is not a Filter id (a UUID)`);
  const row = await db(em)
    .selectFrom('filter')
    .select(['id', 'from_entity', 'where_expr', 'from_space_id'])
    .where('id', '=', id)
    .where('organization_id', '=', actor.organizationId)
    .executeTakeFirst();
  if (!row) throw validation(`${name}: no Filter '${id}' in this organization`);
  if (row.from_entity !== req.entity) {
    throw validation(`${name}: Filter '${id}' selects ${row.from_entity}, not ${req.entity}`);
  }
  if (req.entity === 'Invocation' && row.from_space_id && req.spaceId !== undefined && row.from_space_id !== req.spaceId.toLowerCase()) {
    throw validation(`${name}: Filter '${id}' is for space ${row.from_space_id}, not space ${req.spaceId}`);
  }
  return row;
}
