import { sql, type RawBuilder } from 'kysely';
import { INVOCATION_COLUMNS } from '../../db.ts';
import type { ChunkContext } from '../chunk.ts';

/**
 * What a chunk's statement records beside the rows it writes, built inside PostgreSQL so the rows
 * never travel to Node and back: each entity's result as JSON (which must equal what Node would
 * have written: test/bulk/sql-rows.test.ts compares them) and its undo data as a typed row.
 */

const ref = (alias: string, column: string) => sql.ref(`${alias}.${column}`);

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

/**
 * Ids as one bound text parameter that PostgreSQL splits, not a JS array: node-postgres quotes and
 * escapes every element of an array parameter, and a chunk sends thousands of ids.
 */
export const uuidList = (ids: readonly string[]) => sql`string_to_array(${ids.join(',')}, ',')::uuid[]`;
export const integerList = (xs: readonly number[]) => sql`string_to_array(${xs.join(',')}, ',')::integer[]`;

/** The invocation columns as a select list of `alias` (search_text left out). */
export const invocationColumnsSql = (alias: string) => sql.join(INVOCATION_COLUMNS.map((c) => ref(alias, c)));


/**
 * The tail of a WITH list (it begins with a comma) that records, for every row of `from` (a
 * relation with the chunk's seq in `seq`), its item and optionally its undo data: the target from
 * the chunk, the result and the rest from the given expressions over `from`. `undo` names the
 * alias in `from` whose invocation columns are the row as it was; they go to bulk_undo as they
 * are. For a statement that writes entities and records their results in the same breath.
 * The statement returns the seqs it recorded.
 */
export function recordSucceeded(
  { job, chunk, items }: Pick<ChunkContext, 'job' | 'chunk' | 'items'>,
  from: { relation: RawBuilder<unknown>; seq: RawBuilder<unknown>; entityId?: RawBuilder<unknown> },
  values: { result: RawBuilder<unknown>; undo?: string | undefined; createdId?: RawBuilder<unknown>; versionAfter?: RawBuilder<unknown> },
): RawBuilder<{ seq: number }> {
  const col = <K extends keyof (typeof items)[number]>(k: K) => items.map((i) => i[k]);
  // A data-modifying WITH query runs to completion whether or not the statement reads it.
  const undo = values.undo
    ? sql`, recorded_undo as (
        insert into bulk_undo (job_id, seq, ${sql.join(INVOCATION_COLUMNS.map((c) => sql.ref(c)))})
        select ${job.id}, ${from.seq}, ${invocationColumnsSql(values.undo)}
          from ${from.relation})`
    : sql``;
  // Where `from` holds each item's entity and the items carry nothing else (a patch, a delete), the
  // items are not sent again: they were more than half of a delete chunk's bytes to PostgreSQL.
  const bare = from.entityId && items.every((i) => i.dest_space_id === null && i.prefix === null && i.source_seq === null);
  if (bare) {
    return sql<{ seq: number }>`${undo}
    insert into bulk_item (job_id, seq, chunk, entity_id, status, result, created_id, version_after)
    select ${job.id}, ${from.seq}, ${chunk}, ${from.entityId}, 'succeeded', ${values.result},
           ${values.createdId ?? sql`null`}, ${values.versionAfter ?? sql`null`}
      from ${from.relation}
    returning seq`;
  }
  return sql<{ seq: number }>`${undo}
    insert into bulk_item (job_id, seq, chunk, entity_id, dest_space_id, prefix, source_seq,
                           status, result, created_id, version_after)
    select ${job.id}, it.seq, ${chunk}, it.entity_id, it.dest_space_id, it.prefix, it.source_seq,
           'succeeded', ${values.result}, ${values.createdId ?? sql`null`}, ${values.versionAfter ?? sql`null`}
      from ${from.relation}
      join unnest(${col('seq')}::integer[], ${col('entity_id')}::uuid[], ${col('dest_space_id')}::uuid[],
                  ${col('prefix')}::text[], ${col('source_seq')}::integer[])
           as it(seq, entity_id, dest_space_id, prefix, source_seq) on it.seq = ${from.seq}
    returning seq`;
}
