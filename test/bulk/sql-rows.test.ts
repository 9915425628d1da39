import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, newOrganization, type TestContext } from '../helpers/context.ts';
import { seedSpace } from '../helpers/seed.ts';
import { db, INVOCATION_COLUMNS } from '../../src/domain/db.ts';
import { toInvocationView } from '../../src/domain/invocations/index.ts';
import { invocationViewSql, rowSnapshotSql } from '../../src/domain/bulk/ops/sql-rows.ts';

let ctx: TestContext;
let org: Awaited<ReturnType<typeof newOrganization>>;
let space: string;
let worker: string;

beforeAll(async () => {
  ctx = await createTestContext();
  org = await newOrganization(ctx);
  space = await seedSpace(ctx.orm, org.organizationId, 'rows');
  worker = randomUUID();
  await db(ctx.orm.em.fork())
    .insertInto('bridge_worker')
    .values({ id: worker, organization_id: org.organizationId, space_id: space, slug: 'bw', display_name: 'BW' })
    .execute();
});
afterAll(async () => ctx?.close());

/** Rows unlike each other in every field the JSON carries: nulls, nesting, unicode, empty maps. */
async function seedVaried(): Promise<string[]> {
  const k = db(ctx.orm.em.fork());
  const rows = [
    { slug: 'plain', labels: {}, annotations: {}, arguments: [], bridge_worker_id: null, delete_gates: {} },
    {
      slug: 'rich.one_2',
      labels: { 'app.kubernetes.io/name': 'ünïcødé ✓', team: 'a"b\\c' },
      annotations: { note: 'line\nbreak' },
      arguments: [{ ParameterName: 'n', Value: 3 }, { Value: true }, { Value: 'x' }, { Value: 1.5 }],
      bridge_worker_id: worker,
      delete_gates: { hold: true, other: false },
    },
  ];
  const ids: string[] = [];
  for (const r of rows) {
    const id = randomUUID();
    ids.push(id);
    await k
      .insertInto('invocation')
      .values({
        id,
        organization_id: org.organizationId,
        space_id: space,
        slug: r.slug,
        display_name: `Display ${r.slug}`,
        function_name: 'fn',
        arguments: JSON.stringify(r.arguments),
        toolchain_type: 'Kubernetes/YAML',
        bridge_worker_id: r.bridge_worker_id,
        labels: JSON.stringify(r.labels),
        annotations: JSON.stringify(r.annotations),
        delete_gates: JSON.stringify(r.delete_gates),
        hash: 'h',
      })
      .execute();
  }
  // A Version and timestamps that are not the defaults, including a time with a fraction.
  await sql`update invocation set version = 7, created_at = '2024-02-29 23:59:58.6+05', updated_at = now() where id = ${ids[1]}`.execute(k);
  return ids;
}

describe('rows as JSON built in PostgreSQL', () => {
  it('equal what Node writes for the same row: the undo snapshot and the result view', async () => {
    const ids = await seedVaried();
    const k = db(ctx.orm.em.fork());
    const rows = await k.selectFrom('invocation').select(INVOCATION_COLUMNS).where('id', 'in', ids).execute();
    expect(rows).toHaveLength(2);
    for (const row of rows) {
      const built = await sql<{ snapshot: unknown; view: unknown; same_snapshot: boolean; same_view: boolean }>`
        select ${rowSnapshotSql('i')} as snapshot, ${invocationViewSql('i')} as view,
               ${rowSnapshotSql('i')}::jsonb = ${JSON.stringify(row)}::jsonb as same_snapshot,
               ${invocationViewSql('i')}::jsonb = ${JSON.stringify(toInvocationView(row))}::jsonb as same_view,
               ${invocationViewSql('i')}::text as view_text
          from invocation i where i.id = ${row.id}`.execute(k);
      const got = built.rows[0]!;
      expect(got.snapshot).toEqual(JSON.parse(JSON.stringify(row)));
      expect(got.view).toEqual(JSON.parse(JSON.stringify(toInvocationView(row))));
      // Results are answered as stored: the fields keep the order Node's view writes them in.
      expect(Object.keys(JSON.parse((got as unknown as { view_text: string }).view_text))).toEqual(Object.keys(toInvocationView(row)));
      expect(got.same_snapshot).toBe(true);
      expect(got.same_view).toBe(true);
    }
  });
});
