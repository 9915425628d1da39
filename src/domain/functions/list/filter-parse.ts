import { validation } from '../../errors.ts';
import { clip } from '../ids.ts';
import { ALL_OPERATORS, type EntitySpec, type FieldSpec, OPERATORS_BY_TYPE, type RelationSpec } from './fields.ts';
import { parseScalar, type SqlValue } from './values.ts';

/**
 * The `filter` query parameter: a JSON object of AND/OR arrays, a NOT object, field conditions
 * `{field: {operator: value}}` and relation traversal (`function`, `parent`). Several keys in one
 * object are ANDed. Parsing checks every name against the allow-lists in fields.ts and every value
 * against its field's type, so compiling (filter-sql.ts) cannot fail.
 */
export type FilterNode =
  | { kind: 'and' | 'or'; items: FilterNode[] }
  | { kind: 'not'; item: FilterNode }
  | { kind: 'relation'; relation: RelationSpec; item: FilterNode }
  | { kind: 'condition'; field: FieldSpec; op: string; value: SqlValue | SqlValue[] | boolean };

export const FILTER_LIMITS = { maxBytes: 4096, maxDepth: 6, maxConditions: 50, maxListValues: 100 } as const;

export interface ParsedFilter {
  node: FilterNode;
  /** The filter as JSON with sorted keys: what a cursor is bound to. */
  canonical: string;
}

export function parseFilter(text: string, entity: EntitySpec): ParsedFilter {
  if (Buffer.byteLength(text) > FILTER_LIMITS.maxBytes) {
    throw validation(`filter: longer than ${FILTER_LIMITS.maxBytes} bytes`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw validation('filter: not valid JSON');
  }
  const counter = { conditions: 0 };
  const node = parseObject(json, entity, 'filter', 1, counter);
  return { node, canonical: canonicalJson(json) };
}

interface Counter {
  conditions: number;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function parseObject(value: unknown, entity: EntitySpec, path: string, depth: number, counter: Counter): FilterNode {
  if (depth > FILTER_LIMITS.maxDepth) throw validation(`${path}: the filter nests deeper than ${FILTER_LIMITS.maxDepth} levels`);
  if (!isPlainObject(value)) throw validation(`${path}: expected a filter object`);
  const items = Object.entries(value).map(([key, v]) => parseEntry(key, v, entity, path, depth, counter));
  return items.length === 1 ? items[0]! : { kind: 'and', items };
}

function parseEntry(key: string, value: unknown, entity: EntitySpec, path: string, depth: number, counter: Counter): FilterNode {
  const here = `${path}.${key}`;
  if (key === 'AND' || key === 'OR') {
    if (!Array.isArray(value)) throw validation(`${here}: expected an array of filter objects`);
    const items = value.map((v, i) => parseObject(v, entity, `${here}[${i}]`, depth + 1, counter));
    return { kind: key === 'AND' ? 'and' : 'or', items };
  }
  if (key === 'NOT') return { kind: 'not', item: parseObject(value, entity, here, depth + 1, counter) };
  // Own properties only: a key such as `constructor` or `__proto__` must not find Object's members.
  const relation = Object.hasOwn(entity.relations, key) ? entity.relations[key] : undefined;
  if (relation) {
    return { kind: 'relation', relation, item: parseObject(value, relation.entity, here, depth + 1, counter) };
  }
  const field = Object.hasOwn(entity.fields, key) ? entity.fields[key] : undefined;
  if (!field) {
    const known = [...Object.keys(entity.fields), ...Object.keys(entity.relations), 'AND', 'OR', 'NOT'];
    throw validation(`${path}: unknown field '${clip(key)}' of ${entity.name} (known: ${known.join(', ')})`);
  }
  return parseCondition(field, value, here, counter);
}

function parseCondition(field: FieldSpec, value: unknown, path: string, counter: Counter): FilterNode {
  if (!isPlainObject(value) || Object.keys(value).length === 0) {
    throw validation(`${path}: expected an object of operators, e.g. {"eq": ...}`);
  }
  const allowed = OPERATORS_BY_TYPE[field.type];
  const items = Object.entries(value).map(([op, operand]): FilterNode => {
    const here = `${path}.${op}`;
    if (!ALL_OPERATORS.includes(op)) throw validation(`${path}: unknown operator '${clip(op)}' (known: ${ALL_OPERATORS.join(', ')})`);
    if (!allowed.includes(op)) throw validation(`${path}: operator '${op}' does not apply to this field (allowed: ${allowed.join(', ')})`);
    counter.conditions += 1;
    if (counter.conditions > FILTER_LIMITS.maxConditions) {
      throw validation(`filter: more than ${FILTER_LIMITS.maxConditions} conditions`);
    }
    return { kind: 'condition', field, op, value: parseOperand(field, op, operand, here) };
  });
  return items.length === 1 ? items[0]! : { kind: 'and', items };
}

function parseOperand(field: FieldSpec, op: string, operand: unknown, path: string): SqlValue | SqlValue[] {
  if (op === 'isNull') {
    if (typeof operand !== 'boolean') throw validation(`${path}: expected true or false`);
    return operand;
  }
  if (op === 'in' || op === 'notIn') {
    if (!Array.isArray(operand)) throw validation(`${path}: expected an array`);
    if (operand.length > FILTER_LIMITS.maxListValues) {
      throw validation(`${path}: more than ${FILTER_LIMITS.maxListValues} values`);
    }
    return operand.map((v, i) => parseScalar(field, v, `${path}[${i}]`));
  }
  return parseScalar(field, operand, path);
}

/** JSON with object keys sorted at every level, so equal filters bind cursors equally. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (isPlainObject(value)) {
    const keys = Object.keys(value).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
