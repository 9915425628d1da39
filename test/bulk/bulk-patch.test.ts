import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, newOrganization, type TestContext } from '../helpers/context.ts';
import { seedInvocations, seedSpace, versionsOf } from '../helpers/seed.ts';
import { db } from '../../src/domain/db.ts';
import { invocationHash } from '../../src/domain/invocations/hash.ts';

let ctx: TestContext;
let org: Awaited<ReturnType<typeof newOrganization>>;
let spaceId: string;

beforeAll(async () => {
  ctx = await createTestContext({}, { workers: true });
  org = await newOrganization(ctx);
  spaceId = await seedSpace(ctx.orm, org.organizationId, 'main');
});
afterAll(async () => ctx?.close());

const mergePatch = { 'content-type': 'application/merge-patch+json' };
const jobCount = async () => Number((await db(ctx.orm.em.fork()).selectFrom('bulk_job').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);

describe('bulk patch', () => {
  it('patches every selected entity and answers 200 with each result in order', async () => {
    const ids = await seedInvocations(ctx.orm, org.organizationId, spaceId, 25, { prefix: 'all' });
    const res = await org.admin.patch(`/invocation?where=${encodeURIComponent("Slug LIKE 'all-%'")}`, {
      FunctionName: 'rollout',
      Labels: { tier: 'backend' },
    }, mergePatch);
    expect(res.statusCode).toBe(200);
    const body = res.json() as Array<{ Invocation: Record<string, unknown> }>;
    expect(body).toHaveLength(25);
    expect(body.map((r) => r.Invocation.InvocationID)).toEqual(ids);
    for (const r of body) {
      expect(r.Invocation).toMatchObject({ FunctionName: 'rollout', Labels: { tier: 'backend' }, Version: 2 });
      expect(r.Invocation.Hash).toBe(invocationHash('rollout', []));
      expect(r).not.toHaveProperty('Error');
    }
    const versions = await versionsOf(ctx.orm, ids);
    expect([...versions.values()].every((v) => v === 2)).toBe(true);
  });

  it('keeps Version when the patch changes nothing, and answers 200 for an empty selection', async () => {
    const ids = await seedInvocations(ctx.orm, org.organizationId, spaceId, 3, { prefix: 'same', functionName: 'keep' });
    const res = await org.admin.patch(`/invocation?where=${encodeURIComponent("Slug LIKE 'same-%'")}`, { FunctionName: 'keep' });
    expect(res.statusCode).toBe(200);
    expect(res.json().map((r: { Invocation: { Version: number } }) => r.Invocation.Version)).toEqual([1, 1, 1]);
    expect([...(await versionsOf(ctx.orm, ids)).values()]).toEqual([1, 1, 1]);
    const none = await org.admin.patch(`/invocation?where=${encodeURIComponent("Slug = 'nothing-here'")}`, { DisplayName: 'x' });
    expect(none.statusCode).toBe(200);
    expect(none.json()).toEqual([]);
  });

  it('answers 207 when some entities fail, with their errors, and changes only the others', async () => {
    const ids = await seedInvocations(ctx.orm, org.organizationId, spaceId, 3, { prefix: 'clash' });
    // All three renamed to one Slug in one space: the first wins, the others collide.
    const res = await org.admin.patch(`/invocation?where=${encodeURIComponent("Slug LIKE 'clash-%'")}`, { Slug: 'clash-winner' });
    expect(res.statusCode).toBe(207);
    const body = res.json();
    expect(body[0].Invocation.Slug).toBe('clash-winner');
    for (const r of body.slice(1)) {
      expect(r.Error).toMatchObject({ Status: 409, ErrorCategory: 'Conflict', ErrorMetadata: { EntityType: 'Invocation' } });
      expect(r).not.toHaveProperty('Invocation');
    }
    const versions = await versionsOf(ctx.orm, ids);
    expect(ids.map((id) => versions.get(id))).toEqual([2, 1, 1]);
  });

  it('writes each entity its own changes where entities of one chunk change different fields, and a revert undoes each', async () => {
    // The first entity already has the patch's DisplayName, so only its Labels change; the second
    // changes both: the columns written must be those any entity of the chunk changes, not the first's.
    const ids = await seedInvocations(ctx.orm, org.organizationId, spaceId, 2, { prefix: 'mixed', labels: { keep: 'me' } });
    const k = db(ctx.orm.em.fork());
    await k.updateTable('invocation').set({ display_name: 'Target', annotations: JSON.stringify({ note: 'first' }) }).where('id', '=', ids[0]!).execute();
    const read = () => k.selectFrom('invocation').select(['id', 'slug', 'display_name', 'function_name', 'labels', 'annotations', 'hash', 'version'])
      .where('id', 'in', ids).orderBy('cursor_id').execute();
    const before = await read();
    const res = await org.admin.patch(`/invocation?where=${encodeURIComponent("Slug LIKE 'mixed-%'")}`, { DisplayName: 'Target', Labels: { tier: 'x' } }, mergePatch);
    expect(res.statusCode).toBe(200);
    const after = await read();
    expect(after.map((r) => [r.display_name, r.labels, r.annotations, r.version])).toEqual([
      ['Target', { keep: 'me', tier: 'x' }, { note: 'first' }, 2],
      ['Target', { keep: 'me', tier: 'x' }, {}, 2],
    ]);
    expect(after.map((r) => [r.slug, r.function_name, r.hash])).toEqual(before.map((r) => [r.slug, r.function_name, r.hash]));
    const job = String(res.headers['content-location']).split('/')[2]!;
    expect((await org.admin.post(`/job/${job}/revert`)).statusCode).toBe(200);
    const reverted = await read();
    expect(reverted.map((r) => [r.display_name, r.labels, r.annotations, r.version])).toEqual([
      ['Target', { keep: 'me' }, { note: 'first' }, 3],
      ['Invocation 2', { keep: 'me' }, {}, 3],
    ]);
  });

  it('refuses bad requests with 4xx and writes no job row', async () => {
    const before = await jobCount();
    const cases: Array<[Promise<{ statusCode: number; json(): { Message: string } }>, number, RegExp]> = [
      [org.admin.patch('/invocation', { DisplayName: 'x' }), 400, /selection/],
      [org.admin.patch(`/invocation?where=${encodeURIComponent("Slug = 'x'")}`, { Version: 3 }), 400, /Version/],
      [org.admin.patch(`/invocation?where=${encodeURIComponent("Slug = 'x'")}`, { Color: 'red' }), 400, /Color/],
      [org.admin.patch(`/invocation?where=${encodeURIComponent("Slug = 'x'")}`, [1, 2]), 400, /object/],
      [org.admin.patch(`/invocation?where=${encodeURIComponent('Slug = ')}`, { DisplayName: 'x' }), 400, /where/],
      [org.admin.patch(`/invocation?where=${encodeURIComponent("Slug = 'x'")}&bogus=1`, { DisplayName: 'x' }), 400, /bogus/],
      [
        org.admin.request({ method: 'PATCH', url: `/invocation?where=${encodeURIComponent("Slug = 'x'")}`, payload: '<a/>', headers: { 'content-type': 'application/xml' } }),
        415,
        /content type/,
      ],
    ];
    for (const [pending, status, message] of cases) {
      const res = await pending;
      expect(res.statusCode, res.json().Message).toBe(status);
      expect(res.json().Message).toMatch(message);
    }
    expect(await jobCount()).toBe(before);
  });
});
