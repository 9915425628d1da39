import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, newOrganization, type TestContext } from '../helpers/context.ts';
import { seedInvocations, seedSpace } from '../helpers/seed.ts';
import { db } from '../../src/domain/db.ts';

let ctx: TestContext;
let org: Awaited<ReturnType<typeof newOrganization>>;
let src: string;

beforeAll(async () => {
  ctx = await createTestContext({}, { workers: true });
  org = await newOrganization(ctx);
  src = await seedSpace(ctx.orm, org.organizationId, 'src');
});
afterAll(async () => ctx?.close());

const q = (s: string) => encodeURIComponent(s);
const slugsIn = async (spaceId: string) =>
  (await db(ctx.orm.em.fork()).selectFrom('invocation').select('slug').where('space_id', '=', spaceId).orderBy('cursor_id').execute()).map((r) => r.slug);

describe('bulk clone', () => {
  it('clones sources x destination spaces x prefixes in that nesting order, patched', async () => {
    const [a, b] = await seedInvocations(ctx.orm, org.organizationId, src, 2, { prefix: 'cl' });
    const east = await seedSpace(ctx.orm, org.organizationId, 'east', { region: 'dest' });
    const west = await seedSpace(ctx.orm, org.organizationId, 'west', { region: 'dest' });
    const url = `/invocation?where=${q("Slug LIKE 'cl-%'")}&where_space=${q("Labels.region = 'dest'")}&name_prefixes=x-,y-`;
    const res = await org.admin.post(url, { Labels: { cloned: 'yes' } });
    expect(res.statusCode).toBe(200);
    const got = res.json().map((r: { Invocation: { Slug: string; SpaceID: string; Labels: object; Version: number } }) => [
      r.Invocation.Slug,
      r.Invocation.SpaceID,
    ]);
    expect(got).toEqual([
      ['x-cl-1', east], ['y-cl-1', east], ['x-cl-1', west], ['y-cl-1', west],
      ['x-cl-2', east], ['y-cl-2', east], ['x-cl-2', west], ['y-cl-2', west],
    ]);
    expect(res.json()[0].Invocation).toMatchObject({ Labels: { cloned: 'yes' }, Version: 1 });
    expect(res.json()[0].Invocation.InvocationID).not.toBe(a);
    expect(await slugsIn(east)).toEqual(['x-cl-1', 'y-cl-1', 'x-cl-2', 'y-cl-2']);
    expect(b).toBeTruthy();
  });

  it('reports a taken Slug as 409, or the existing entity with allow_exists=true', async () => {
    await seedInvocations(ctx.orm, org.organizationId, src, 2, { prefix: 'dup' });
    const first = await org.admin.post(`/invocation?where=${q("Slug LIKE 'dup-%'")}&name_prefixes=copy-`, null);
    expect(first.statusCode).toBe(200);
    const again = await org.admin.post(`/invocation?where=${q("Slug LIKE 'dup-%'")}&name_prefixes=copy-`, null);
    expect(again.statusCode).toBe(207);
    expect(again.json().map((r: { Error: { Status: number } }) => r.Error.Status)).toEqual([409, 409]);
    const allowed = await org.admin.post(`/invocation?where=${q("Slug LIKE 'dup-%'")}&name_prefixes=copy-&allow_exists=true`, null);
    expect(allowed.statusCode).toBe(200);
    expect(allowed.json().map((r: { Invocation: { InvocationID: string } }) => r.Invocation.InvocationID)).toEqual(
      first.json().map((r: { Invocation: { InvocationID: string } }) => r.Invocation.InvocationID),
    );
  });
});

describe('empty selections', () => {
  it('answers 200 with an empty array for a clone or delete that matches nothing', async () => {
    const clone = await org.admin.post(`/invocation?where=${q("Slug = 'no-such'")}&name_prefixes=x-`, null);
    expect(clone.statusCode).toBe(200);
    expect(clone.json()).toEqual([]);
    const del = await org.admin.delete(`/invocation?where=${q("Slug = 'no-such'")}`);
    expect(del.statusCode).toBe(200);
    expect(del.json()).toEqual([]);
  });

  it('refuses an unknown filter, a bad where_space and bad prefixes before any job exists', async () => {
    const jobs = async () => (await org.admin.get('/job?limit=1000')).json().length;
    const before = await jobs();
    const unknown = await org.admin.delete('/invocation?filter=00000000-0000-4000-8000-000000000000');
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().Message).toMatch(/filter/);
    const space = await org.admin.post(`/invocation?where=${q("Slug = 'x'")}&where_space=${q('Nope = 1')}`, null);
    expect(space.statusCode).toBe(400);
    expect(space.json().Message).toMatch(/^where_space/);
    const prefix = await org.admin.post(`/invocation?where=${q("Slug = 'x'")}&name_prefixes=${q('ok-,-bad')}`, null);
    expect(prefix.statusCode).toBe(400);
    expect(prefix.json().Message).toMatch(/name_prefixes/);
    const include = await org.admin.delete(`/invocation?where=${q("Slug = 'x'")}&include=Nope`);
    expect(include.statusCode).toBe(400);
    expect(await jobs()).toBe(before);
  });
});

describe('bulk delete', () => {
  it('deletes ungated entities and fails gated ones with 422', async () => {
    const space = await seedSpace(ctx.orm, org.organizationId, 'del');
    const free = await seedInvocations(ctx.orm, org.organizationId, space, 2, { prefix: 'free' });
    const gated = await seedInvocations(ctx.orm, org.organizationId, space, 1, { prefix: 'gated', deleteGates: { protect: true } });
    const res = await org.admin.delete(`/invocation?where=${q(`SpaceID = '${space}'`)}`);
    expect(res.statusCode).toBe(207);
    const body = res.json();
    expect(body).toHaveLength(3);
    expect(body[0].Message).toContain(free[0]);
    expect(body[0]).not.toHaveProperty('Error');
    expect(body[2].Error).toMatchObject({ Status: 422, ErrorCategory: 'DeleteGated', ErrorMetadata: { EntityID: gated[0], EntitySlug: 'gated-1' } });
    expect(await slugsIn(space)).toEqual(['gated-1']);
  });

  it('dry_run reports what would happen and writes nothing', async () => {
    const space = await seedSpace(ctx.orm, org.organizationId, 'dry');
    await seedInvocations(ctx.orm, org.organizationId, space, 2, { prefix: 'dry' });
    const res = await org.admin.delete(`/invocation?where=${q(`SpaceID = '${space}'`)}&dry_run=true`);
    expect(res.statusCode).toBe(200);
    expect(res.json()[0].Message).toContain('would be deleted');
    expect(await slugsIn(space)).toEqual(['dry-1', 'dry-2']);
    const patch = await org.admin.patch(`/invocation?where=${q(`SpaceID = '${space}'`)}&dry_run=true`, { DisplayName: 'new' });
    expect(patch.json()[0].Invocation).toMatchObject({ DisplayName: 'new', Version: 2 });
    const rows = await db(ctx.orm.em.fork()).selectFrom('invocation').select(['display_name', 'version']).where('space_id', '=', space).execute();
    expect(rows.every((r) => r.display_name !== 'new' && r.version === 1)).toBe(true);
  });

  it('fails the whole job before writing when max_affected is exceeded', async () => {
    const space = await seedSpace(ctx.orm, org.organizationId, 'guard');
    await seedInvocations(ctx.orm, org.organizationId, space, 3, { prefix: 'guard' });
    const res = await org.admin.delete(`/invocation?where=${q(`SpaceID = '${space}'`)}&max_affected=2`);
    expect(res.statusCode).toBe(422);
    expect(res.json().Message).toMatch(/matched 3 invocations, more than max_affected=2/);
    expect(await slugsIn(space)).toHaveLength(3);
  });
});
