import { isDeepStrictEqual } from 'node:util';
import { sql, type RawBuilder } from 'kysely';
import type { Db } from '../../db.ts';
import { rowToState, type InvocationRow, type InvocationState } from '../../invocations/index.ts';
import { bridgeWorkersById } from '../../spaces/bridge-worker-store.ts';

/** The writable columns as a jsonb_to_recordset column list matching writableRecord's keys (fixed text). */
export const WRITABLE_COLUMNS_SQL = sql.raw(
  'slug text, display_name text, function_name text, arguments jsonb, toolchain_type text, ' +
    'bridge_worker_id uuid, labels jsonb, annotations jsonb, delete_gates jsonb, hash text',
);

/** One entity's writable columns as a JSON record for jsonb_to_recordset. */
export function writableRecord(s: InvocationState) {
  return {
    slug: s.Slug,
    display_name: s.DisplayName,
    function_name: s.FunctionName,
    arguments: s.Arguments,
    toolchain_type: s.ToolchainType,
    bridge_worker_id: s.BridgeWorkerID,
    labels: s.Labels,
    annotations: s.Annotations,
    delete_gates: s.DeleteGates,
    hash: s.Hash,
  };
}

/** Each writable column with its jsonb_to_recordset type and the state field it holds (fixed text). */
const WRITABLE_COLUMNS = [
  ['slug', 'text', 'Slug'],
  ['display_name', 'text', 'DisplayName'],
  ['function_name', 'text', 'FunctionName'],
  ['arguments', 'jsonb', 'Arguments'],
  ['toolchain_type', 'text', 'ToolchainType'],
  ['bridge_worker_id', 'uuid', 'BridgeWorkerID'],
  ['labels', 'jsonb', 'Labels'],
  ['annotations', 'jsonb', 'Annotations'],
  ['delete_gates', 'jsonb', 'DeleteGates'],
  ['hash', 'text', 'Hash'],
] as const satisfies ReadonlyArray<readonly [string, string, keyof InvocationState]>;

type WritableColumn = (typeof WRITABLE_COLUMNS)[number];

/**
 * The columns an UPDATE of these rows must write: those where some row's next state differs from
 * the row as read (locked). A patch of Labels sends and sets labels alone, not all ten columns:
 * the statement's payload, which Node builds and PostgreSQL parses, is half as large or less.
 */
export function changedColumns(changes: ReadonlyArray<{ row: InvocationRow; next: InvocationState }>): WritableColumn[] {
  const pending = new Set<WritableColumn>(WRITABLE_COLUMNS);
  for (const { row, next } of changes) {
    if (pending.size === 0) break;
    const current = rowToState(row);
    for (const column of pending) {
      const field = column[2];
      if (!isDeepStrictEqual(next[field], current[field])) pending.delete(column);
    }
  }
  return WRITABLE_COLUMNS.filter((c) => !pending.has(c));
}

/** The given columns of one state as a JSON record for jsonb_to_recordset. */
export function partialRecord(s: InvocationState, columns: readonly WritableColumn[]): Record<string, unknown> {
  const record: Record<string, unknown> = {};
  for (const [name, , field] of columns) record[name] = s[field];
  return record;
}

/** The given columns as a jsonb_to_recordset column list (`name type, ...`), with a leading comma. */
export const recordsetColumnsSql = (columns: readonly WritableColumn[]): RawBuilder<unknown> =>
  sql.raw(columns.map(([name, type]) => `, ${name} ${type}`).join(''));

/** `name = u.name, ...` for the given columns, with a trailing comma. */
export const setFromSql = (columns: readonly WritableColumn[], from: string): RawBuilder<unknown> =>
  sql.raw(columns.map(([name]) => `${name} = ${from}.${name}, `).join(''));

/** Of the given BridgeWorkerIDs, those with no bridge worker in the organization. */
export async function missingBridgeWorkers(
  tx: Db,
  organizationId: string,
  ids: ReadonlyArray<string | null>,
): Promise<Set<string>> {
  const wanted = ids.filter((id): id is string => id !== null);
  const found = await bridgeWorkersById(tx, organizationId, wanted);
  return new Set(wanted.filter((id) => !found.has(id)));
}
