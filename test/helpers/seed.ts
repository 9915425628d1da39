import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Orm } from '../../src/infra/orm.ts';
import { db } from '../../src/domain/db.ts';
import { invocationHash } from '../../src/domain/invocations/hash.ts';

/** Test data written straight to PostgreSQL, so bulk tests do not depend on the single-entity routes. */
export async function seedSpace(orm: Orm, organizationId: string, slug: string, labels: Record<string, string> = {}) {
  const id = randomUUID();
  await db(orm.em.fork())
    .insertInto('space')
    .values({ id, organization_id: organizationId, slug, display_name: slug, labels: JSON.stringify(labels), annotations: '{}', delete_gates: '{}' })
    .execute();
  return id;
}

export interface SeedOptions {
  prefix?: string;
  functionName?: string;
  labels?: Record<string, string>;
  deleteGates?: Record<string, boolean>;
}

/** n invocations named `${prefix}-${i}` (i from 1), in cursor order. Answers their ids in order. */
export async function seedInvocations(orm: Orm, organizationId: string, spaceId: string, n: number, o: SeedOptions = {}) {
  const prefix = o.prefix ?? 'inv';
  const functionName = o.functionName ?? 'deploy';
  const hash = invocationHash(functionName, []);
  const res = await sql<{ id: string }>`
    insert into invocation (id, organization_id, space_id, slug, display_name, function_name, arguments,
                            toolchain_type, labels, annotations, delete_gates, hash)
    select gen_random_uuid(), ${organizationId}, ${spaceId}, ${prefix} || '-' || g, 'Invocation ' || g,
           ${functionName}, '[]'::jsonb, 'Kubernetes/YAML', ${JSON.stringify(o.labels ?? {})}::jsonb, '{}'::jsonb,
           ${JSON.stringify(o.deleteGates ?? {})}::jsonb, ${hash}
      from generate_series(1, ${n}) g
     order by g
    returning id`.execute(db(orm.em.fork()));
  return res.rows.map((r) => r.id);
}

export async function versionsOf(orm: Orm, ids: string[]): Promise<Map<string, number>> {
  const rows = await db(orm.em.fork()).selectFrom('invocation').select(['id', 'version']).where('id', 'in', ids).execute();
  return new Map(rows.map((r) => [r.id, r.version]));
}
