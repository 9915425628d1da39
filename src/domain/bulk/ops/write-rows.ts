import { sql } from 'kysely';
import type { Db } from '../../db.ts';
import type { InvocationState } from '../../invocations/index.ts';
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
