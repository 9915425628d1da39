import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, newOrganization, type TestContext } from '../helpers/context.ts';

let ctx: TestContext;
let org: Awaited<ReturnType<typeof newOrganization>>;
let other: Awaited<ReturnType<typeof newOrganization>>;
let spaceId: string;
const NO_SUCH = '1b4e28ba-2fa1-41d2-883f-0016d3cca427';

beforeAll(async () => {
  ctx = await createTestContext();
  org = await newOrganization(ctx);
  other = await newOrganization(ctx);
  spaceId = (await org.admin.post('/space', { Slug: 'main' })).json().SpaceID;
});
afterAll(async () => ctx?.close());

describe('bridge workers', () => {
  it('creates, gets and lists bridge workers of a space', async () => {
    const res = await org.member.post(`/space/${spaceId}/bridge_worker`, { Slug: 'worker-1', DisplayName: 'Worker' });
    expect(res.statusCode).toBe(200);
    const worker = res.json();
    expect(worker).toMatchObject({ SpaceID: spaceId, OrganizationID: org.organizationId, Slug: 'worker-1', Version: 1, EntityType: 'BridgeWorker' });
    const got = await org.member.get(`/space/${spaceId}/bridge_worker/${worker.BridgeWorkerID}`);
    expect(got.json()).toEqual(worker);
    await org.member.post(`/space/${spaceId}/bridge_worker`, { Slug: 'worker-2' });
    const list = await org.member.get(`/space/${spaceId}/bridge_worker?limit=1`);
    expect(list.json().map((w: { Slug: string }) => w.Slug)).toEqual(['worker-1']);
    expect(list.headers.link).toMatch(/after=\d+>; rel="next"$/);
  });

  it('answers 409 for a duplicate Slug, 400 for bad fields, 404 for unknown or foreign ones', async () => {
    await org.member.post(`/space/${spaceId}/bridge_worker`, { Slug: 'dup' });
    expect((await org.member.post(`/space/${spaceId}/bridge_worker`, { Slug: 'dup' })).statusCode).toBe(409);
    const bad = await org.member.post(`/space/${spaceId}/bridge_worker`, { Slug: 'ok', Labels: {} });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().Message).toContain("unknown field 'Labels'");
    expect((await org.member.get(`/space/${spaceId}/bridge_worker/${NO_SUCH}`)).statusCode).toBe(404);
    expect((await org.member.get(`/space/${spaceId}/bridge_worker/nope`)).json().Message).toContain('bridge_worker_id');
    const mine = (await org.member.post(`/space/${spaceId}/bridge_worker`, { Slug: 'private' })).json();
    expect((await other.member.get(`/space/${spaceId}/bridge_worker/${mine.BridgeWorkerID}`)).statusCode).toBe(404);
    expect((await other.member.get(`/space/${spaceId}/bridge_worker`)).statusCode).toBe(404);
    expect((await other.member.post(`/space/${spaceId}/bridge_worker`, { Slug: 'x' })).statusCode).toBe(404);
  });
});

describe('filters', () => {
  it('creates, gets and lists filters; FromSpaceID is left out when unset', async () => {
    const res = await org.member.post(`/space/${spaceId}/filter`, { Slug: 'prod', From: 'Invocation', Where: "Labels.env = 'prod'" });
    expect(res.statusCode).toBe(200);
    const filter = res.json();
    expect(filter).toMatchObject({ Slug: 'prod', From: 'Invocation', Where: "Labels.env = 'prod'", SpaceID: spaceId, EntityType: 'Filter', Version: 1 });
    expect(filter).not.toHaveProperty('FromSpaceID');
    expect((await org.member.get(`/space/${spaceId}/filter/${filter.FilterID}`)).json()).toEqual(filter);
    const scoped = await org.member.post(`/space/${spaceId}/filter`, { Slug: 'scoped', From: 'Space', FromSpaceID: spaceId });
    expect(scoped.json().FromSpaceID).toBe(spaceId);
    const list = (await org.member.get(`/space/${spaceId}/filter`)).json();
    expect(list.map((f: { Slug: string }) => f.Slug)).toEqual(['prod', 'scoped']);
  });

  it('refuses bad From, unknown FromSpaceID, duplicates, and hides filters from other organizations', async () => {
    const badFrom = await org.member.post(`/space/${spaceId}/filter`, { Slug: 'f1', From: 'Organization' });
    expect(badFrom.statusCode).toBe(400);
    expect(badFrom.json().Message).toContain('From');
    const foreignSpace = (await other.admin.post('/space', { Slug: 'theirs' })).json().SpaceID;
    const badRef = await org.member.post(`/space/${spaceId}/filter`, { Slug: 'f2', From: 'Space', FromSpaceID: foreignSpace });
    expect(badRef.statusCode).toBe(400);
    expect(badRef.json().Message).toContain('FromSpaceID');
    const long = await org.member.post(`/space/${spaceId}/filter`, { Slug: 'f3', From: 'Space', Where: 'x'.repeat(8193) });
    expect(long.json().Message).toContain('Where');
    const f = (await org.member.post(`/space/${spaceId}/filter`, { Slug: 'once', From: 'Space' })).json();
    expect((await org.member.post(`/space/${spaceId}/filter`, { Slug: 'once', From: 'Space' })).statusCode).toBe(409);
    expect((await other.member.get(`/space/${spaceId}/filter/${f.FilterID}`)).statusCode).toBe(404);
    expect((await org.member.get(`/space/${spaceId}/filter/${NO_SUCH}`)).statusCode).toBe(404);
  });

  it('makes a space with filters or bridge workers non-empty (409 on delete)', async () => {
    const s = (await org.admin.post('/space', { Slug: 'with-filter' })).json().SpaceID;
    await org.member.post(`/space/${s}/filter`, { Slug: 'f', From: 'Invocation' });
    const res = await org.admin.delete(`/space/${s}`);
    expect(res.statusCode).toBe(409);
    expect(res.json().Message).toContain('filters');
    const referenced = (await org.admin.post('/space', { Slug: 'referenced' })).json().SpaceID;
    await org.member.post(`/space/${spaceId}/filter`, { Slug: 'points-at', From: 'Space', FromSpaceID: referenced });
    const ref = await org.admin.delete(`/space/${referenced}`);
    expect(ref.statusCode).toBe(409);
    expect(ref.json().Message).toContain('FromSpaceID');
  });
});
