import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, newOrganization, type TestContext } from '../helpers/context.ts';
import { seedInvocations, seedSpace } from '../helpers/seed.ts';

let ctx: TestContext;
let org: Awaited<ReturnType<typeof newOrganization>>;
let other: Awaited<ReturnType<typeof newOrganization>>;

beforeAll(async () => {
  ctx = await createTestContext();
  org = await newOrganization(ctx);
  other = await newOrganization(ctx);
});
afterAll(async () => ctx?.close());

/** GET reads the space and the invocation in one query; the two 404s must stay apart. */
describe('GET /space/{space_id}/invocation/{invocation_id}', () => {
  it('answers the invocation, and names what is missing: the space, or the invocation in it', async () => {
    const space = await seedSpace(ctx.orm, org.organizationId, 'get-a');
    const second = await seedSpace(ctx.orm, org.organizationId, 'get-b');
    const [id] = await seedInvocations(ctx.orm, org.organizationId, space, 1, { prefix: 'get' });
    const ok = await org.member.get(`/space/${space}/invocation/${id}`);
    expect(ok.statusCode).toBe(200);
    expect(ok.json().Invocation).toMatchObject({ InvocationID: id, SpaceID: space, Slug: 'get-1', Version: 1 });

    const noSpace = randomUUID();
    const missingSpace = await org.member.get(`/space/${noSpace}/invocation/${id}`);
    expect(missingSpace.statusCode).toBe(404);
    expect(missingSpace.json().Message).toBe(`space ${noSpace} not found`);

    const wrongSpace = await org.member.get(`/space/${second}/invocation/${id}`);
    expect(wrongSpace.statusCode).toBe(404);
    expect(wrongSpace.json().Message).toBe(`invocation ${id} not found in space ${second}`);

    const foreign = await other.member.get(`/space/${space}/invocation/${id}`);
    expect(foreign.statusCode).toBe(404);
    expect(foreign.json().Message).toBe(`space ${space} not found`);
  });
});
