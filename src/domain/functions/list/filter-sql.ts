import { type RawBuilder, sql } from 'kysely';
import type { FieldSpec } from './fields.ts';
import type { FilterNode } from './filter-parse.ts';
import type { SqlValue } from './values.ts';

export type Condition = RawBuilder<boolean>;

/**
 * Compiles a parsed filter to SQL with every value a bound parameter and every name from the
 * allow-lists. Every piece is two-valued (true or false, never NULL), so NOT is the exact complement:
 * `NOT {parentId: {eq: X}}` includes the versions without a parent. Comparisons on a nullable column
 * are false for NULL (`(...) IS TRUE`); `neq` and `notIn` are the complements of `eq` and `in`, so
 * they include NULL.
 */
export function compileFilter(node: FilterNode, alias: string): Condition {
  const aliases = { next: 1 };
  return compile(node, alias, aliases);
}

function compile(node: FilterNode, alias: string, aliases: { next: number }): Condition {
  switch (node.kind) {
    case 'and':
      return node.items.length === 0 ? sql<boolean>`true` : group(node.items.map((n) => compile(n, alias, aliases)), 'and');
    case 'or':
      return node.items.length === 0 ? sql<boolean>`false` : group(node.items.map((n) => compile(n, alias, aliases)), 'or');
    case 'not':
      return sql<boolean>`(not ${compile(node.item, alias, aliases)})`;
    case 'relation': {
      const inner = `r${aliases.next++}`;
      const { table, outerColumn } = node.relation;
      return sql<boolean>`exists (select 1 from ${sql.table(table)} as ${sql.id(inner)} where ${sql.ref(`${inner}.id`)} = ${sql.ref(`${alias}.${outerColumn}`)} and ${compile(node.item, inner, aliases)})`;
    }
    case 'condition':
      return condition(node.field, node.op, node.value, sql.ref(`${alias}.${node.field.column}`));
  }
}

const group = (items: Condition[], joiner: 'and' | 'or') => sql<boolean>`(${sql.join(items, sql.raw(` ${joiner} `))})`;

/** A comparison that is NULL when the column is NULL, made false instead. */
const twoValued = (field: FieldSpec, c: Condition) => (field.nullable ? sql<boolean>`((${c}) is true)` : c);

/** `\`, `%` and `_` match themselves in LIKE patterns built from caller text. */
export const escapeLike = (text: string) => text.replace(/[\\%_]/g, (ch) => `\\${ch}`);

const COMPARISONS: Record<string, string> = { eq: '=', gt: '>', gte: '>=', lt: '<', lte: '<=' };

function condition(field: FieldSpec, op: string, value: SqlValue | SqlValue[] | boolean, col: RawBuilder<unknown>): Condition {
  const comparison = COMPARISONS[op];
  if (comparison) return twoValued(field, sql<boolean>`${col} ${sql.raw(comparison)} ${value}`);
  switch (op) {
    case 'neq':
      return sql<boolean>`${col} is distinct from ${value}`;
    case 'in':
      return inList(field, col, value as SqlValue[]);
    case 'notIn':
      return sql<boolean>`(not ${inList(field, col, value as SqlValue[])})`;
    case 'contains':
      return twoValued(field, sql<boolean>`${col} like ${`%${escapeLike(value as string)}%`}`);
    case 'startsWith':
      return twoValued(field, sql<boolean>`${col} like ${`${escapeLike(value as string)}%`}`);
    case 'endsWith':
      return twoValued(field, sql<boolean>`${col} like ${`%${escapeLike(value as string)}`}`);
    case 'isNull':
      return value ? sql<boolean>`${col} is null` : sql<boolean>`${col} is not null`;
  }
  // Unreachable: filter-parse.ts admits only the operators above.
  throw new Error(`no SQL for operator ${op}`);
}

function inList(field: FieldSpec, col: RawBuilder<unknown>, values: SqlValue[]): Condition {
  if (values.length === 0) return sql<boolean>`false`;
  return twoValued(field, sql<boolean>`${col} in (${sql.join(values)})`);
}
