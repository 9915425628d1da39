import { validation } from '../../errors.ts';
import { clip } from '../ids.ts';
import { type FieldSpec, ORDER_FIELDS, type OrderField, VERSION_ENTITY } from './fields.ts';

/**
 * The `orderBy` query parameter: a JSON array of one-key objects `{field: direction}`. Plain `asc`
 * puts NULLs last and `desc` first, as PostgreSQL does; `id` ends every order as the tiebreaker,
 * so an order is total and a keyset cursor names one position.
 */
export const DIRECTIONS = ['asc', 'desc', 'asc_nulls_first', 'asc_nulls_last', 'desc_nulls_first', 'desc_nulls_last'] as const;
export type Direction = (typeof DIRECTIONS)[number];

export interface SortKey {
  field: OrderField;
  spec: FieldSpec;
  desc: boolean;
  nullsFirst: boolean;
}

export const DEFAULT_ORDER = '[{"createdAt":"asc"}]';
const MAX_ORDER_BYTES = 1024;

export function parseOrderBy(text: string | undefined): SortKey[] {
  const raw = text ?? DEFAULT_ORDER;
  if (Buffer.byteLength(raw) > MAX_ORDER_BYTES) throw validation(`orderBy: longer than ${MAX_ORDER_BYTES} bytes`);
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw validation('orderBy: not valid JSON');
  }
  if (!Array.isArray(json)) throw validation('orderBy: expected a JSON array of {field: direction} objects');
  if (json.length === 0) return parseOrderBy(DEFAULT_ORDER);
  const keys = json.map((element, i) => parseElement(element, `orderBy[${i}]`));
  const seen = new Set<string>();
  for (const k of keys) {
    if (seen.has(k.field)) throw validation(`orderBy: '${k.field}' appears twice`);
    seen.add(k.field);
  }
  if (!seen.has('id')) keys.push(sortKey('id', 'asc'));
  return keys;
}

function parseElement(element: unknown, path: string): SortKey {
  if (typeof element !== 'object' || element === null || Array.isArray(element)) {
    throw validation(`${path}: expected an object with one field, e.g. {"createdAt": "desc"}`);
  }
  const entries = Object.entries(element);
  if (entries.length !== 1) throw validation(`${path}: expected exactly one field per element, got ${entries.length}`);
  const [field, direction] = entries[0]!;
  if (!(ORDER_FIELDS as readonly string[]).includes(field)) {
    throw validation(`${path}: cannot order by '${clip(field)}' (allowed: ${ORDER_FIELDS.join(', ')})`);
  }
  if (typeof direction !== 'string' || !(DIRECTIONS as readonly string[]).includes(direction)) {
    throw validation(`${path}.${field}: unknown direction ${clip(JSON.stringify(direction) ?? '')} (allowed: ${DIRECTIONS.join(', ')})`);
  }
  return sortKey(field as OrderField, direction as Direction);
}

function sortKey(field: OrderField, direction: Direction): SortKey {
  const desc = direction.startsWith('desc');
  const nullsFirst = direction.endsWith('nulls_first') || direction === 'desc';
  return { field, spec: VERSION_ENTITY.fields[field]!, desc, nullsFirst };
}

/** The same order read backwards: for `before` pages. */
export const reversed = (keys: SortKey[]): SortKey[] =>
  keys.map((k) => ({ ...k, desc: !k.desc, nullsFirst: !k.nullsFirst }));

/** A stable text of the order, for binding cursors to it. */
export const orderText = (keys: SortKey[]) =>
  keys.map((k) => `${k.field}:${k.desc ? 'desc' : 'asc'}:${k.nullsFirst ? 'first' : 'last'}`).join(',');
