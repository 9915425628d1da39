import type { Selectable } from 'kysely';
import { type Db, type InvocationTable, INVOCATION_COLUMNS } from '../../db.ts';

export type InvocationRow = Selectable<InvocationTable>;

/**
 * Reads and locks a chunk's entities of one organization. Locks are taken in id order so that
 * chunks of concurrent jobs over overlapping entities never deadlock.
 */
export async function lockInvocations(
  tx: Db,
  organizationId: string,
  ids: readonly string[],
): Promise<Map<string, InvocationRow>> {
  if (ids.length === 0) return new Map();
  const rows = await tx
    .selectFrom('invocation')
    .select(INVOCATION_COLUMNS)
    .where('organization_id', '=', organizationId)
    .where('id', '=', (eb) => eb.fn.any(eb.val([...ids])))
    .orderBy('id')
    .forUpdate()
    .execute();
  return new Map(rows.map((r) => [r.id, r]));
}
