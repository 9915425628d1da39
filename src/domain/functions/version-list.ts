import type { EntityManager } from '@mikro-orm/postgresql';
import { type RawBuilder, sql } from 'kysely';
import { db } from '../db.ts';
import { validation } from '../errors.ts';
import { type Actor, isOrgAdmin } from '../identity/actor.ts';
import { loadFunction } from './access.ts';
import { parseId, PREFIX, type Prefix } from './ids.ts';
import { decodeCursor, encodeCursor, queryDigest, cursorSecret } from './list/cursor.ts';
import { VERSION_ENTITY } from './list/fields.ts';
import { compileFilter } from './list/filter-sql.ts';
import { parseFilter } from './list/filter-parse.ts';
import { after, type KeyValue, orderByClause } from './list/keyset.ts';
import { orderText, parseOrderBy, reversed, type SortKey } from './list/order-by.ts';
import type { DeletedVisibility } from './versions.ts';
import { isoTime, type VersionRow, type VersionView, versionView } from './views.ts';

/** GET /api/function-versions: one keyset page of the versions the caller may see. */
export interface ListQuery {
  limit?: number | undefined;
  after?: string | undefined;
  before?: string | undefined;
  ids?: string | undefined;
  filter?: string | undefined;
  orderBy?: string | undefined;
  function_id?: string | undefined;
  include_deleted?: DeletedVisibility | undefined;
  parent_id?: string | undefined;
  input_schema_id?: string | undefined;
  output_schema_id?: string | undefined;
}

export interface PageInfo {
  total: number;
  hasNextPage: boolean;
  hasPreviousPage: boolean;
  startCursor: string | null;
  endCursor: string | null;
}

export interface VersionPage {
  data: VersionView[];
  pageInfo: PageInfo;
}

export const MAX_LIMIT = 100;
const MAX_IDS = 100;
const ALIAS = 'v';

interface Plan {
  limit: number;
  keys: SortKey[];
  where: RawBuilder<boolean>[];
  digest: string;
  cursor: { values: KeyValue[]; backward: boolean } | null;
}

export async function listVersions(em: EntityManager, actor: Actor, q: ListQuery): Promise<VersionPage> {
  const secret = await cursorSecret(em);
  const plan = await planList(em, actor, q, secret);
  const backward = plan.cursor?.backward ?? false;
  const seekKeys = backward ? reversed(plan.keys) : plan.keys;
  const seek = plan.cursor ? after(seekKeys, plan.cursor.values, ALIAS) : null;
  const k = db(em);
  const base = k.selectFrom('function_version as v').where(sql<boolean>`${sql.join(plan.where, sql` and `)}`);
  const [rows, stats] = await Promise.all([
    base
      .selectAll('v')
      .$if(seek !== null, (qb) => qb.where(seek!))
      .orderBy(orderByClause(seekKeys, ALIAS))
      .limit(plan.limit + 1)
      .execute(),
    base
      .select([
        sql<string>`count(*)`.as('total'),
        // Rows at or before the cursor's position (reading direction): is there a page behind us?
        (seek ? sql<boolean>`coalesce(bool_or(not ${seek}), false)` : sql<boolean>`false`).as('behind'),
      ])
      .executeTakeFirstOrThrow(),
  ]);
  const more = rows.length > plan.limit;
  const page = rows.slice(0, plan.limit);
  if (backward) page.reverse();
  const cursorOf = (row: VersionRow) => encodeCursor(secret, plan.digest, keyValues(plan.keys, row));
  return {
    data: page.map((r) => versionView(r)),
    pageInfo: {
      total: Number(stats.total),
      hasNextPage: backward ? stats.behind : more,
      hasPreviousPage: backward ? more : stats.behind,
      startCursor: page.length > 0 ? cursorOf(page[0]!) : null,
      endCursor: page.length > 0 ? cursorOf(page[page.length - 1]!) : null,
    },
  };
}

async function planList(em: EntityManager, actor: Actor, q: ListQuery, secret: Buffer): Promise<Plan> {
  if (q.after !== undefined && q.before !== undefined) throw validation('after and before cannot be used together');
  const limit = q.limit ?? MAX_LIMIT;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) throw validation(`limit: must be 1..${MAX_LIMIT}`);
  const keys = parseOrderBy(q.orderBy);
  const filter = q.filter === undefined ? null : parseFilter(q.filter, VERSION_ENTITY);
  const narrow = {
    functionId: optionalId(PREFIX.function, q.function_id, 'function_id'),
    parentId: optionalId(PREFIX.version, q.parent_id, 'parent_id'),
    inputSchemaId: optionalId(PREFIX.schema, q.input_schema_id, 'input_schema_id'),
    outputSchemaId: optionalId(PREFIX.schema, q.output_schema_id, 'output_schema_id'),
    ids: parseIds(q.ids),
    deleted: q.include_deleted ?? 'false',
  };
  if (narrow.functionId === null && !isOrgAdmin(actor)) {
    throw validation('function_id is required: only organization admins may list the versions of every function');
  }
  if (narrow.functionId !== null) await loadFunction(em, actor, narrow.functionId);
  const where = scopeConditions(actor, narrow);
  if (filter) where.push(compileFilter(filter.node, ALIAS));
  const digest = queryDigest({
    org: actor.organizationId,
    order: orderText(keys),
    filter: filter?.canonical ?? null,
    ...narrow,
  });
  const token = q.after ?? q.before;
  const name = q.after !== undefined ? 'after' : 'before';
  const cursor = token === undefined ? null : { values: decodeCursor(secret, digest, keys, token, name), backward: q.before !== undefined };
  return { limit, keys, where, digest, cursor };
}

type Narrowing = {
  functionId: string | null;
  parentId: string | null;
  inputSchemaId: string | null;
  outputSchemaId: string | null;
  ids: string[] | null;
  deleted: DeletedVisibility;
};

/** The caller's organization, then every narrowing parameter, ANDed: nothing here widens. */
function scopeConditions(actor: Actor, n: Narrowing): RawBuilder<boolean>[] {
  const col = (c: string) => sql.ref(`${ALIAS}.${c}`);
  const where = [sql<boolean>`${col('organization_id')} = ${actor.organizationId}`];
  if (n.functionId !== null) where.push(sql<boolean>`${col('function_id')} = ${n.functionId}`);
  if (n.parentId !== null) where.push(sql<boolean>`${col('parent_id')} = ${n.parentId}`);
  if (n.inputSchemaId !== null) where.push(sql<boolean>`${col('input_schema_id')} = ${n.inputSchemaId}`);
  if (n.outputSchemaId !== null) where.push(sql<boolean>`${col('output_schema_id')} = ${n.outputSchemaId}`);
  if (n.ids !== null) where.push(sql<boolean>`${col('id')} = any(${n.ids}::uuid[])`);
  if (n.deleted === 'false') where.push(sql<boolean>`${col('deleted_at')} is null`);
  if (n.deleted === 'only') where.push(sql<boolean>`${col('deleted_at')} is not null`);
  return where;
}

const optionalId = (prefix: Prefix, text: string | undefined, name: string) =>
  text === undefined ? null : parseId(prefix, text, name);

function parseIds(text: string | undefined): string[] | null {
  if (text === undefined) return null;
  const parts = text.split(',').map((s) => s.trim());
  if (parts.length > MAX_IDS) throw validation(`ids: more than ${MAX_IDS} ids`);
  const uuids = parts.map((p, i) => parseId(PREFIX.version, p, `ids[${i}]`));
  return [...new Set(uuids)].sort();
}

/**
 * The row's sort key values as the cursor keeps them. Timestamps become ISO 8601: exact, since the
 * columns keep milliseconds, and independent of the session's DateStyle.
 */
function keyValues(keys: SortKey[], row: VersionRow): KeyValue[] {
  return keys.map((k) => {
    const v = (row as unknown as Record<string, unknown>)[k.spec.column];
    if (v === null || v === undefined) return null;
    return k.spec.type === 'time' ? isoTime(v as string | Date) : String(v);
  });
}
