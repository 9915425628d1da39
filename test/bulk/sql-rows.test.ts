import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, newOrganization, type TestContext } from '../helpers/context.ts';
import { seedSpace } from '../helpers/seed.ts';
import { db, INVOCATION_COLUMNS } from '../../src/domain/db.ts';
import { toInvocationView } from '../../src/domain/invocations/index.ts';
import { invocationViewSql } from '../../src/domain/bulk/ops/sql-rows.ts';

let ctx: TestContext;
let org: Awaited<ReturnType<typeof newOrganization>>;
let space: string;
let worker: string;

beforeAll(async () => {
  ctx = await createTestContext({}, { workers: true });
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
async function seedVaried(suffix: string): Promise<string[]> {
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
        slug: `${r.slug}${suffix}`,
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

const jobOf = (res: { headers: Record<string, unknown> }) => String(res.headers['content-location']).split('/')[2]!;
const readRows = (ids: string[]) =>
  db(ctx.orm.em.fork()).selectFrom('invocation').select(INVOCATION_COLUMNS).where('id', 'in', ids).orderBy('id').execute();
const undoRows = (jobId: string) =>
  db(ctx.orm.em.fork()).selectFrom('bulk_undo').select(INVOCATION_COLUMNS).where('job_id', '=', jobId).orderBy('id').execute();

describe('rows built in PostgreSQL', () => {
  it('the result view equals what Node writes for the same row, field order included', async () => {
    const ids = await seedVaried('');
    const rows = await readRows(ids);
    expect(rows).toHaveLength(2);
    for (const row of rows) {
      const built = await sql<{ view: unknown; same_view: boolean; view_text: string }>`
        select ${invocationViewSql('i')} as view,
               ${invocationViewSql('i')}::jsonb = ${JSON.stringify(toInvocationView(row))}::jsonb as same_view,
               ${invocationViewSql('i')}::text as view_text
          from invocation i where i.id = ${row.id}`.execute(db(ctx.orm.em.fork()));
      const got = built.rows[0]!;
      expect(got.view).toEqual(JSON.parse(JSON.stringify(toInvocationView(row))));
      // Results are answered as stored: the fields keep the order Node's view writes them in.
      expect(Object.keys(JSON.parse(got.view_text))).toEqual(Object.keys(toInvocationView(row)));
      expect(got.same_view).toBe(true);
    }
  });

  it('the undo row a patch or a delete records is the row as it was, every column as read', async () => {
    const ids = await seedVaried('-undo');
    // A patch checks the entity it writes as a whole; these labels pass it and are still not ASCII.
    await sql`update invocation set labels = ${JSON.stringify({ 'app.kubernetes.io/name': 'ünïcødé ✓', team: 'a b/c' })}::jsonb
               where id = ${ids[1]}`.execute(db(ctx.orm.em.fork()));
    const where = encodeURIComponent(`InvocationID IN ('${ids.join("', '")}')`);
    const original = await readRows(ids);
    const patched = await org.admin.patch(`/invocation?where=${where}`, { DisplayName: 'patched' });
    expect(patched.statusCode, patched.body).toBe(200);
    expect(await undoRows(jobOf(patched))).toEqual(original);
    const changed = await readRows(ids);
    expect(changed.map((r) => r.version)).toEqual(original.map((r) => r.version + 1));
    await sql`update invocation set delete_gates = '{}' where id = any(${ids}::uuid[])`.execute(db(ctx.orm.em.fork()));
    const ungated = await readRows(ids);
    const deleted = await org.admin.delete(`/invocation?where=${where}`);
    expect(deleted.statusCode).toBe(200);
    expect(await readRows(ids)).toEqual([]);
    expect(await undoRows(jobOf(deleted))).toEqual(ungated);
  });
});
