import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, newOrganization, type TestContext } from '../helpers/context.ts';
import { seedInvocations, seedSpace } from '../helpers/seed.ts';

let ctx: TestContext;
let org: Awaited<ReturnType<typeof newOrganization>>;
let other: Awaited<ReturnType<typeof newOrganization>>;
let alpha: string;
let beta: string;

beforeAll(async () => {
  ctx = await createTestContext();
  org = await newOrganization(ctx);
  other = await newOrganization(ctx);
  alpha = await seedSpace(ctx.orm, org.organizationId, 'alpha', { env: 'prod' });
  beta = await seedSpace(ctx.orm, org.organizationId, 'beta', { env: 'dev' });
  await seedInvocations(ctx.orm, org.organizationId, alpha, 3, { prefix: 'web', labels: { team: 'web' } });
  await seedInvocations(ctx.orm, org.organizationId, beta, 2, { prefix: 'db', labels: { team: 'data' }, functionName: 'migrate' });
  const otherSpace = await seedSpace(ctx.orm, other.organizationId, 'alpha');
  await seedInvocations(ctx.orm, other.organizationId, otherSpace, 2, { prefix: 'web', labels: { team: 'web' } });
});
afterAll(async () => ctx?.close());

const q = encodeURIComponent;
const slugs = (body: Array<{ Invocation: { Slug: string } }>) => body.map((r) => r.Invocation.Slug);

describe('where, filter and contains on lists', () => {
  it('filters invocations across spaces and within one, never across organizations', async () => {
    const all = await org.member.get(`/invocation?where=${q("Labels.team = 'web'")}`);
    expect(all.statusCode).toBe(200);
    expect(slugs(all.json())).toEqual(['web-1', 'web-2', 'web-3']);
    const inBeta = await org.member.get(`/space/${beta}/invocation?where=${q("FunctionName = 'migrate' AND Slug != 'db-1'")}`);
    expect(slugs(inBeta.json())).toEqual(['db-2']);
    const contains = await org.member.get(`/invocation?contains=DATA`);
    expect(slugs(contains.json())).toEqual(['db-1', 'db-2']);
  });

  it('returns the fields the where names beside the selected ones', async () => {
    const res = await org.member.get(`/invocation?where=${q("FunctionName = 'migrate'")}&select=DisplayName`);
    const inv = res.json()[0].Invocation;
    expect(Object.keys(inv).sort()).toEqual(['DisplayName', 'FunctionName', 'InvocationID', 'OrganizationID', 'Slug', 'SpaceID']);
  });

  it('filters spaces with where', async () => {
    const res = await org.member.get(`/space?where=${q("Labels.env = 'prod'")}`);
    expect(res.json().map((s: { Slug: string }) => s.Slug)).toEqual(['alpha']);
  });

  it('applies a saved Filter, ANDed with where, and checks its Where when saved', async () => {
    const bad = await org.admin.post(`/space/${alpha}/filter`, { Slug: 'bad', From: 'Invocation', Where: "Slug = 'x' OR Slug = 'y'" });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().Message).toMatch(/Where.*position/);
    const made = await org.admin.post(`/space/${alpha}/filter`, { Slug: 'web', From: 'Invocation', Where: "Labels.team = 'web'" });
    expect(made.statusCode).toBe(200);
    const id = made.json().FilterID;
    const res = await org.member.get(`/invocation?filter=${id}&where=${q("Slug != 'web-2'")}`);
    expect(slugs(res.json())).toEqual(['web-1', 'web-3']);
    const forSpaces = await org.member.get(`/space?filter=${id}`);
    expect(forSpaces.statusCode).toBe(400);
    const foreign = await other.member.get(`/invocation?filter=${id}`);
    expect(foreign.statusCode).toBe(400);
  });

  it('refuses a bad where with a 400 naming the position', async () => {
    const res = await org.member.get(`/invocation?where=${q("Slug = 'a' and Slug = 'b'")}`);
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({ Code: '400', Message: expect.stringMatching(/^where: .*position \d+/) });
  });
});
