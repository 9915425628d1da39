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

/** GET reads a found invocation in one query and checks the space only on a miss; the two 404s must stay apart. */
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

    // PATCH, PUT and DELETE read through the same statement and answer the same two 404s.
    const current = ok.json().Invocation;
    for (const call of [
      (url: string) => org.member.patch(url, { DisplayName: 'x' }),
      (url: string) => org.member.put(url, current),
      (url: string) => org.member.delete(url),
    ]) {
      const noSpaceRes = await call(`/space/${noSpace}/invocation/${id}`);
      expect(noSpaceRes.statusCode).toBe(404);
      expect(noSpaceRes.json().Message).toBe(`space ${noSpace} not found`);
      const wrongSpaceRes = await call(`/space/${second}/invocation/${id}`);
      expect(wrongSpaceRes.statusCode).toBe(404);
      expect(wrongSpaceRes.json().Message).toBe(`invocation ${id} not found in space ${second}`);
    }
    expect((await org.member.get(`/space/${space}/invocation/${id}`)).json().Invocation.Version).toBe(1);
  });
});

const executions = (plans: { generic: number; custom: number }[]) => plans.reduce((n, s) => n + s.generic + s.custom, 0);

/** Plans of a named prepared statement on every connection of the pool (each is asked in turn). */
async function preparedPlans(name = 'invocation_in_space'): Promise<{ generic: number; custom: number }[]> {
  // Prepared statements belong to a connection: hold every connection of the pool and ask each.
  const pool = await ctx.orm.em.getConnection().getNativeClient();
  const clients = await Promise.all(Array.from({ length: pool.options.max ?? 5 }, () => pool.connect()));
  try {
    const seen = await Promise.all(
      clients.map(async (c) => {
        const r = await c.query<{ generic_plans: string; custom_plans: string }>(
          `select generic_plans, custom_plans from pg_prepared_statements where name = $1`,
          [name],
        );
        return r.rows.map((row) => ({ generic: Number(row.generic_plans), custom: Number(row.custom_plans) }));
      }),
    );
    return seen.flat();
  } finally {
    for (const c of clients) c.release();
  }
}

describe('GET as a prepared statement', () => {
  it('is parsed once per connection and then runs on its cached generic plan', async () => {
    const space = await seedSpace(ctx.orm, org.organizationId, 'get-prepared');
    const ids = await seedInvocations(ctx.orm, org.organizationId, space, 3, { prefix: 'prep' });
    const before = executions(await preparedPlans());
    for (let i = 0; i < 12; i++) {
      const res = await org.member.get(`/space/${space}/invocation/${ids[i % ids.length]}`);
      expect(res.statusCode).toBe(200);
      expect(res.json().Invocation.InvocationID).toBe(ids[i % ids.length]);
    }
    const after = await preparedPlans();
    expect(executions(after) - before).toBe(12);
    // Five custom plans first on a connection, then its generic plan for every later execution.
    expect(after.some((s) => s.generic > 0)).toBe(true);
  });
});

describe('PATCH and PUT as prepared statements', () => {
  it("read through the GET's statement and write through one of their own, with the same answers", async () => {
    const space = await seedSpace(ctx.orm, org.organizationId, 'patch-prepared');
    const [id] = await seedInvocations(ctx.orm, org.organizationId, space, 1, { prefix: 'pp' });
    const url = `/space/${space}/invocation/${id}`;
    const [readsBefore, writesBefore] = [executions(await preparedPlans()), executions(await preparedPlans('invocation_update_if_version'))];
    let version = 1;
    for (let i = 0; i < 7; i++) {
      const res = await org.member.patch(url, { Labels: { round: String(i) }, Arguments: [{ Value: i }] });
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json()).toMatchObject({ Version: ++version, Labels: { round: String(i) }, Arguments: [{ Value: i }] });
    }
    const current = (await org.member.get(url)).json().Invocation;
    const put = await org.member.put(url, { ...current, Labels: undefined, DisplayName: 'replaced' });
    expect(put.statusCode, put.body).toBe(200);
    expect(put.json()).toMatchObject({ Version: version + 1, Labels: {}, DisplayName: 'replaced' });
    // Seven patches and a PUT each read once and write once; the GET between them reads once more.
    expect(executions(await preparedPlans()) - readsBefore).toBe(9);
    const writes = await preparedPlans('invocation_update_if_version');
    expect(executions(writes) - writesBefore).toBe(8);
    expect(writes.some((s) => s.generic > 0)).toBe(true);
  });
});
