import { type RawBuilder, sql } from 'kysely';
import type { FieldType } from './fields.ts';
import type { SortKey } from './order-by.ts';

/**
 * Keyset seek predicates, NULL-aware. A cursor holds a row's sort key values; `after(keys, values)`
 * is true exactly for the rows that come strictly after that position in the order `keys` (whose
 * last key is the unique id). The predicate is two-valued (never NULL), so `not after(...)` is exactly
 * "at or before the position", which the list uses for hasPreviousPage/hasNextPage.
 *
 * For keys k1..kn and values v1..vn:
 *   after = OR_i ( k1 = v1 AND ... AND k(i-1) = v(i-1) AND k_i beyond v_i )
 * where, for one key, "beyond v" means:
 *   v NULL, nulls first:   k IS NOT NULL          (every value follows the NULLs)
 *   v NULL, nulls last:    false                  (nothing follows the NULLs but equal NULLs)
 *   v set, nulls first:    k > v (k < v for desc), false for NULL k
 *   v set, nulls last:     k > v (k < v for desc), or k IS NULL
 * and "k = v" is `k IS NULL` when v is NULL.
 */
export type KeyValue = string | null;

const CAST: Record<FieldType, string> = { id: 'uuid', text: 'text', time: 'timestamptz', bool: 'boolean', enum: 'text' };

const param = (key: SortKey, value: string) => sql`${value}::${sql.raw(CAST[key.spec.type])}`;
const column = (key: SortKey, alias: string) => sql.ref(`${alias}.${key.spec.column}`);

function equalTo(key: SortKey, value: KeyValue, alias: string): RawBuilder<boolean> {
  const col = column(key, alias);
  if (value === null) return sql<boolean>`${col} is null`;
  const eq = sql<boolean>`${col} = ${param(key, value)}`;
  return key.spec.nullable ? sql<boolean>`(${eq}) is true` : eq;
}

function beyond(key: SortKey, value: KeyValue, alias: string): RawBuilder<boolean> | null {
  const col = column(key, alias);
  if (value === null) return key.nullsFirst ? sql<boolean>`${col} is not null` : null;
  const cmp = sql<boolean>`${col} ${sql.raw(key.desc ? '<' : '>')} ${param(key, value)}`;
  if (!key.spec.nullable) return cmp;
  return key.nullsFirst ? sql<boolean>`(${cmp}) is true` : sql<boolean>`((${cmp}) is true or ${col} is null)`;
}

/** Rows strictly after the position `values` in the order `keys`. */
export function after(keys: SortKey[], values: KeyValue[], alias: string): RawBuilder<boolean> {
  if (canUseRowComparison(keys, values)) {
    const cols = keys.map((k) => column(k, alias));
    const vals = keys.map((k, i) => param(k, values[i]!));
    return sql<boolean>`(${sql.join(cols)}) ${sql.raw(keys[0]!.desc ? '<' : '>')} (${sql.join(vals)})`;
  }
  const terms: RawBuilder<boolean>[] = [];
  keys.forEach((key, i) => {
    const step = beyond(key, values[i]!, alias);
    if (!step) return;
    const prefix = keys.slice(0, i).map((k, j) => equalTo(k, values[j]!, alias));
    terms.push(prefix.length === 0 ? step : sql<boolean>`(${sql.join([...prefix, step], sql` and `)})`);
  });
  return terms.length === 0 ? sql<boolean>`false` : sql<boolean>`(${sql.join(terms, sql` or `)})`;
}

/**
 * A row comparison `(a, b, id) > (x, y, z)` says the same when every key goes one way and no
 * column can be NULL, and PostgreSQL can walk an index with it (the default order's case).
 */
function canUseRowComparison(keys: SortKey[], values: KeyValue[]): boolean {
  return keys.every((k, i) => !k.spec.nullable && values[i] !== null && k.desc === keys[0]!.desc);
}

export function orderByClause(keys: SortKey[], alias: string): RawBuilder<unknown> {
  return sql.join(
    keys.map((k) => sql`${column(k, alias)} ${sql.raw(k.desc ? 'desc' : 'asc')} ${sql.raw(k.nullsFirst ? 'nulls first' : 'nulls last')}`),
  );
}
