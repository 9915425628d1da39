import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, newOrganization, type TestContext } from '../helpers/context.ts';
import { seedInvocations, seedSpace } from '../helpers/seed.ts';
import { db } from '../../src/domain/db.ts';

/** bulk_item has no foreign key to its job (see its migration); a trigger keeps them together. */
let ctx: TestContext;

beforeAll(async () => {
  ctx = await createTestContext({ BULK_CHUNK_SIZE: '5' }, { workers: true });
});
afterAll(async () => ctx?.close());

const k = () => db(ctx.orm.em.fork());
const q = (s: string) => encodeURIComponent(s);
const itemsOf = async (jobIds: string[]) =>
  Number((await k().selectFrom('bulk_item').select((eb) => eb.fn.countAll().as('n')).where('job_id', 'in', jobIds).executeTakeFirstOrThrow()).n);

describe('a job and its items', () => {
  it('go together: deleting jobs (or the organization that owns them) deletes their items, and only theirs', async () => {
    const a = await newOrganization(ctx);
    const b = await newOrganization(ctx);
    const jobs: Record<string, string[]> = { a: [], b: [] };
    for (const [name, org] of [['a', a], ['b', b]] as const) {
      const space = await seedSpace(ctx.orm, org.organizationId, `items-${name}`);
      await seedInvocations(ctx.orm, org.organizationId, space, 12, { prefix: `it${name}` });
      for (const body of [{ DisplayName: 'one' }, { DisplayName: 'two' }]) {
        const res = await org.admin.patch(`/invocation?where=${q(`Slug LIKE 'it${name}-%'`)}`, body);
        expect(res.statusCode).toBe(200);
        jobs[name]!.push(String(res.headers['content-location']).split('/')[2]!);
      }
    }
    expect(await itemsOf(jobs.a!)).toBe(24);
    expect(await itemsOf(jobs.b!)).toBe(24);

    await k().deleteFrom('bulk_job').where('id', '=', jobs.a![0]!).execute();
    expect(await itemsOf([jobs.a![0]!])).toBe(0);
    expect(await itemsOf([jobs.a![1]!])).toBe(12);

    await k().deleteFrom('organization').where('id', '=', b.organizationId).execute();
    expect(await itemsOf(jobs.b!)).toBe(0);
    expect(await itemsOf([jobs.a![1]!])).toBe(12);
  });
});
