import { sql, type RawBuilder } from 'kysely';
import { INVOCATION_COLUMNS } from '../../db.ts';
import type { ChunkContext } from '../chunk.ts';

/**
 * JSON of an invocation row built inside PostgreSQL, so a chunk's statement can record per-entity
 * results and undo data from the rows it writes without shipping each row to Node and back.
 * Both must equal what Node would have written: test/bulk/sql-rows.test.ts compares them.
 */

const ref = (alias: string, column: string) => sql.ref(`${alias}.${column}`);

/**
 * The row as a snapshot for bulk_item.before, in the shape the driver reads it (InvocationRow:
 * snake_case, bigint and timestamps as the text PostgreSQL sends for them), so an undo reads a
 * snapshot the same way whichever path recorded it.
 */
export function rowSnapshotSql(alias: string): RawBuilder<unknown> {
  const r = (c: string) => ref(alias, c);
  return sql`json_build_object(
    'id', ${r('id')}, 'organization_id', ${r('organization_id')}, 'space_id', ${r('space_id')},
    'slug', ${r('slug')}, 'display_name', ${r('display_name')}, 'function_name', ${r('function_name')},
    'arguments', ${r('arguments')}, 'toolchain_type', ${r('toolchain_type')},
    'bridge_worker_id', ${r('bridge_worker_id')}, 'labels', ${r('labels')}, 'annotations', ${r('annotations')},
    'delete_gates', ${r('delete_gates')}, 'hash', ${r('hash')}, 'version', ${r('version')},
    'cursor_id', ${r('cursor_id')}::text, 'created_at', ${r('created_at')}::text, 'updated_at', ${r('updated_at')}::text)`;
}

/** RFC 3339 in UTC with whole seconds, as formatTime (identity/organizations.ts) writes it. */
const rfc3339 = (t: RawBuilder<unknown>) => sql`to_char(${t} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')`;

/** toInvocationView(row) (invocations/state.ts) of the row under `alias`. */
export function invocationViewSql(alias: string): RawBuilder<unknown> {
  const r = (c: string) => ref(alias, c);
  return sql`json_build_object(
    'InvocationID', ${r('id')}, 'OrganizationID', ${r('organization_id')}, 'SpaceID', ${r('space_id')},
    'Slug', ${r('slug')}, 'DisplayName', ${r('display_name')}, 'FunctionName', ${r('function_name')},
    'Arguments', ${r('arguments')}, 'ToolchainType', ${r('toolchain_type')},
    'BridgeWorkerID', ${r('bridge_worker_id')}, 'Labels', ${r('labels')}, 'Annotations', ${r('annotations')},
    'DeleteGates', ${r('delete_gates')}, 'Hash', ${r('hash')}, 'Version', ${r('version')},
    'CursorID', ${r('cursor_id')}, 'EntityType', 'Invocation',
    'CreatedAt', ${rfc3339(r('created_at'))}, 'UpdatedAt', ${rfc3339(r('updated_at'))})`;
}

/** The invocation columns as a select list of `alias` (search_text left out). */
export const invocationColumnsSql = (alias: string) => sql.join(INVOCATION_COLUMNS.map((c) => ref(alias, c)));


/**
 * INSERT of the item of every row of `from` (a relation with the chunk's seq in `seq`): the item's
 * target comes from the chunk, its result and undo data from the given expressions over `from`.
 * For a statement that writes entities and records their results in the same breath. Returns seq.
 */
export function insertSucceeded(
  { job, chunk, items }: Pick<ChunkContext, 'job' | 'chunk' | 'items'>,
  from: { relation: RawBuilder<unknown>; seq: RawBuilder<unknown> },
  values: { result: RawBuilder<unknown>; before?: RawBuilder<unknown>; createdId?: RawBuilder<unknown>; versionAfter?: RawBuilder<unknown> },
): RawBuilder<{ seq: number }> {
  const col = <K extends keyof (typeof items)[number]>(k: K) => items.map((i) => i[k]);
  return sql<{ seq: number }>`
    insert into bulk_item (job_id, seq, chunk, entity_id, dest_space_id, prefix, source_seq,
                           status, result, before, created_id, version_after)
    select ${job.id}, it.seq, ${chunk}, it.entity_id, it.dest_space_id, it.prefix, it.source_seq,
           'succeeded', ${values.result}, ${values.before ?? sql`null`}, ${values.createdId ?? sql`null`},
           ${values.versionAfter ?? sql`null`}
      from ${from.relation}
      join unnest(${col('seq')}::integer[], ${col('entity_id')}::uuid[], ${col('dest_space_id')}::uuid[],
                  ${col('prefix')}::text[], ${col('source_seq')}::integer[])
           as it(seq, entity_id, dest_space_id, prefix, source_seq) on it.seq = ${from.seq}
    returning seq`;
}
