import { sql, type RawBuilder, type SqlBool } from 'kysely';
import type { CheckedExpression, CheckedSubject, CheckedTerm, MatchMode, OrderOp, ScalarValue, ValueSubject } from './checked.ts';

/**
 * Compiles a checked expression into a parameterized SQL condition on the table alias given.
 * Identifiers come only from the attribute allow-list; every value, map key included, is a bound
 * parameter with an explicit cast, so no text of the expression is ever part of the SQL.
 *
 * Semantics decided here (SEMANTICS.md leaves them open):
 * - A negative operator (`!=`, `NOT IN`, `NOT LIKE`/`!~~`, `NOT ILIKE`, `!~`, `!~*`) matches
 *   exactly the rows its positive form does not match. So `Labels.env != 'prod'` also matches
 *   entities with no `env` label, and `BridgeWorkerID != '…'` matches invocations without a
 *   worker. The language has no OR, and this is the only reading under which "everything except
 *   prod" can be said; `Labels ? 'env' AND Labels.env != 'prod'` asks for the SQL reading.
 * - Positive operators never match a missing map key (nor a NULL BridgeWorkerID): `Labels.env <
 *   'm'`, `Labels.env LIKE '%'` and `Labels.env IN (...)` need the key to be present.
 * - `Map.key IS NULL` means the key is absent; `DeleteGates IS NULL` means no gate is set.
 * - String ordering (`< <= > >=`) compares code points (COLLATE "C"), whatever the database's
 *   collation. Equality is exact.
 * - `Labels.key = 'v'` and `IN` lists of up to 10 values compile to `labels @> '{"key":"v"}'`
 *   (one containment per value), which the GIN index on the map answers.
 */
const MAX_CONTAINMENT_ALTERNATIVES = 10;
const ALIAS_PATTERN = /^[a-z_][a-z0-9_]*$/;

type Sql = RawBuilder<unknown>;
/** A compiled predicate; `nullable` when it yields NULL for a missing key or a NULL column. */
interface Predicate {
  sql: Sql;
  nullable: boolean;
}

export function compileExpression(expr: CheckedExpression, alias: string): RawBuilder<SqlBool> {
  checkAlias(alias);
  return and(expr.terms.map((t) => compileTerm(t, alias)));
}

export function checkAlias(alias: string): void {
  if (!ALIAS_PATTERN.test(alias)) throw new Error(`invalid table alias '${alias}'`);
}

/** Joins conditions with AND; no condition at all is `true`. */
export function and(parts: readonly RawBuilder<SqlBool>[]): RawBuilder<SqlBool> {
  if (parts.length === 0) return sql<SqlBool>`true`;
  return sql<SqlBool>`(${sql.join(parts, sql` and `)})`;
}

function compileTerm(t: CheckedTerm, alias: string): RawBuilder<SqlBool> {
  switch (t.kind) {
    case 'compare':
      return finish(compareValue(t.subject, t.op === 'ne' ? 'eq' : t.op, t.value, alias), t.op === 'ne');
    case 'compare-subjects':
      return finish(compareSubjects(t.subject, t.op === 'ne' ? 'eq' : t.op, t.other, alias), t.op === 'ne');
    case 'match':
      return finish(match(t.subject, t.mode, t.pattern, alias), t.negated);
    case 'in':
      return finish(inList(t.subject, dedupe(t.values), alias), t.negated);
    case 'null':
      return finish(isNull(t.subject, alias), t.negated);
    case 'has':
      return sql<SqlBool>`(${column(alias, t.attr.column)} ? ${t.key}::text)`;
  }
}

/** A negative operator is the exact complement of its positive form (NULL counts as no match). */
function finish(p: Predicate, negated: boolean): RawBuilder<SqlBool> {
  if (!negated) return sql<SqlBool>`(${p.sql})`;
  return p.nullable ? sql<SqlBool>`(not coalesce(${p.sql}, false))` : sql<SqlBool>`(not (${p.sql}))`;
}

const column = (alias: string, name: string) => sql.ref(`${alias}.${name}`);

const SQL_OPS: Record<Exclude<OrderOp, 'ne'>, Sql> = {
  eq: sql.raw('='),
  lt: sql.raw('<'),
  le: sql.raw('<='),
  gt: sql.raw('>'),
  ge: sql.raw('>='),
};
const CASTS = { string: sql.raw('text'), uuid: sql.raw('uuid'), time: sql.raw('timestamptz'), integer: sql.raw('bigint'), boolean: sql.raw('boolean') };

/** The SQL value of a subject; strings that are ordered get the "C" collation. */
function valueOf(s: ValueSubject, alias: string, ordered: boolean): Predicate {
  const collate = ordered && s.type === 'string' ? sql` collate "C"` : sql``;
  switch (s.kind) {
    case 'column':
      return { sql: sql`${column(alias, s.attr.column)}${collate}`, nullable: s.attr.nullable };
    case 'entry':
      return s.type === 'string'
        ? { sql: sql`(${column(alias, s.attr.column)} ->> ${s.key}::text)${collate}`, nullable: true }
        : { sql: sql`(${column(alias, s.attr.column)} -> ${s.key}::text)`, nullable: true };
    case 'len':
      return { sql: mapLength(column(alias, s.attr.column)), nullable: false };
  }
}

/** The number of keys; a stored value that is not an object counts as empty rather than raising. */
const mapLength = (ref: Sql) =>
  sql`(select count(*) from jsonb_object_keys(case when jsonb_typeof(${ref}) = 'object' then ${ref} else '{}'::jsonb end))`;

/** `labels @> '{"key": value}'`: what the GIN (jsonb_path_ops) index on the map answers. */
const contains = (s: Extract<ValueSubject, { kind: 'entry' }>, value: ScalarValue, alias: string): Sql =>
  sql`${column(alias, s.attr.column)} @> ${JSON.stringify({ [s.key]: value })}::jsonb`;

function compareValue(s: ValueSubject, op: Exclude<OrderOp, 'ne'>, value: ScalarValue, alias: string): Predicate {
  if (s.kind === 'entry' && op === 'eq') return { sql: contains(s, value, alias), nullable: false };
  const left = valueOf(s, alias, op !== 'eq');
  return { sql: sql`${left.sql} ${SQL_OPS[op]} ${value}::${CASTS[s.type]}`, nullable: left.nullable };
}

function compareSubjects(a: ValueSubject, op: Exclude<OrderOp, 'ne'>, b: ValueSubject, alias: string): Predicate {
  const left = valueOf(a, alias, op !== 'eq');
  const right = valueOf(b, alias, op !== 'eq');
  return { sql: sql`${left.sql} ${SQL_OPS[op]} ${right.sql}`, nullable: left.nullable || right.nullable };
}

const MATCH_SQL: Record<MatchMode, Sql> = { like: sql.raw('like'), ilike: sql.raw('ilike'), regex: sql.raw('~'), iregex: sql.raw('~*') };

function match(s: ValueSubject, mode: MatchMode, pattern: string, alias: string): Predicate {
  const left = valueOf(s, alias, false);
  return { sql: sql`${left.sql} ${MATCH_SQL[mode]} ${pattern}::text`, nullable: left.nullable };
}

function inList(s: ValueSubject, values: ScalarValue[], alias: string): Predicate {
  if (s.kind === 'entry' && values.length <= MAX_CONTAINMENT_ALTERNATIVES) {
    return { sql: sql`(${sql.join(values.map((v) => contains(s, v, alias)), sql` or `)})`, nullable: false };
  }
  const left = valueOf(s, alias, false);
  const elem = s.kind === 'entry' && s.type === 'boolean' ? sql`(${left.sql})::boolean` : left.sql;
  // One array parameter per list keeps 100 terms of 1000 values far below PostgreSQL's 65535.
  return { sql: sql`${elem} = any(${values}::${CASTS[s.type]}[])`, nullable: left.nullable };
}

function isNull(s: CheckedSubject, alias: string): Predicate {
  const ref = column(alias, s.attr.column);
  if (s.kind === 'entry') return { sql: sql`not (${ref} ? ${s.key}::text)`, nullable: false };
  if (s.kind === 'map') return { sql: sql`${ref} = '{}'::jsonb`, nullable: false };
  return { sql: sql`${valueOf(s, alias, false).sql} is null`, nullable: false };
}

function dedupe(values: ScalarValue[]): ScalarValue[] {
  return [...new Set(values)];
}
