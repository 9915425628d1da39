import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, newOrganization, type TestContext } from '../helpers/context.ts';
import { seedInvocations, seedSpace, versionsOf } from '../helpers/seed.ts';
import { db } from '../../src/domain/db.ts';
import { planJob } from '../../src/domain/bulk/plan.ts';
import { runChunk } from '../../src/domain/bulk/chunk.ts';

/**
 * A job's targets wait in its chunk rows until a chunk writes their items; what a cancelled job
 * never reached is reported from those rows, in result order among the items that were written,
 * and a retry takes exactly those targets (and the failed ones).
 */
let ctx: TestContext;
let org: Awaited<ReturnType<typeof newOrganization>>;

beforeAll(async () => {
  ctx = await createTestContext({ BULK_CHUNK_SIZE: '10' });
  org = await newOrganization(ctx);
});
afterAll(async () => ctx?.close());

const q = (s: string) => encodeURIComponent(s);
const status = (r: { Error?: { Status: number; ErrorCategory: string } }) => (r.Error ? r.Error.ErrorCategory : 'ok');

async function walk(url: string): Promise<{ sizes: number[]; results: Array<Record<string, any>> }> {
  const results: Array<Record<string, any>> = [];
  const sizes: number[] = [];
  let next: string | undefined = url;
  while (next) {
    const page = await org.admin.get(next);
    expect(page.statusCode).toBe(200);
    sizes.push(page.json().length);
    results.push(...page.json());
    next = /<([^>]+)>; rel="next"/.exec((page.headers.link as string | undefined) ?? '')?.[1];
  }
  return { sizes, results };
}

describe('targets a job never reached', () => {
  it('are NotProcessed in result order after a cancel, and a retry does exactly them', async () => {
    const space = await seedSpace(ctx.orm, org.organizationId, 'unreached');
    const ids = await seedInvocations(ctx.orm, org.organizationId, space, 25, { prefix: 'unr' });
    const res = await org.admin.patch(`/invocation?where=${q(`SpaceID = '${space}'`)}`, { DisplayName: 'once' }, { prefer: 'respond-async' });
    expect(res.statusCode).toBe(202);
    const jobId = res.json().JobID;
    expect(await planJob(ctx.orm.em.fork(), jobId)).toMatchObject({ kind: 'planned', chunks: [0, 1, 2] });
    // Only the middle chunk runs (a second run of it finds it done), then the job is cancelled.
    expect(await runChunk(ctx.orm.em.fork(), jobId, 1)).toMatchObject({ kind: 'done', processed: 10, succeeded: 10 });
    expect(await runChunk(ctx.orm.em.fork(), jobId, 1)).toMatchObject({ kind: 'done', processed: 0 });
    expect((await org.admin.post(`/job/${jobId}/cancel`)).statusCode).toBe(200);

    const all = await walk(`/job/${jobId}/results?limit=7`);
    expect(all.sizes).toEqual([7, 7, 7, 4]);
    const expected = [...Array(10).fill('NotProcessed'), ...Array(10).fill('ok'), ...Array(5).fill('NotProcessed')];
    expect(all.results.map(status)).toEqual(expected);
    expect(all.results.map((r) => r.Error?.ErrorMetadata?.EntityID ?? r.Invocation.InvocationID)).toEqual(ids);
    expect(all.results[0]!.Error.Message).toMatch(/the job was cancelled before this entity was reached/);
    const failed = await walk(`/job/${jobId}/results?status=failed&limit=4`);
    expect(failed.results.map((r) => r.Error.ErrorMetadata.EntityID)).toEqual([...ids.slice(0, 10), ...ids.slice(20)]);
    const succeeded = await walk(`/job/${jobId}/results?status=succeeded`);
    expect(succeeded.results.map((r) => r.Invocation.InvocationID)).toEqual(ids.slice(10, 20));

    const w = await ctx.startWorker();
    const retry = await org.admin.post(`/job/${jobId}/retry`);
    expect(retry.statusCode).toBe(200);
    expect(retry.json().map((r: { Invocation: { InvocationID: string } }) => r.Invocation.InvocationID)).toEqual([...ids.slice(0, 10), ...ids.slice(20)]);
    expect([...(await versionsOf(ctx.orm, ids)).values()]).toEqual(Array(25).fill(2));
    const retryJob = (await org.admin.get('/job?limit=1')).json()[0];
    const sources = await db(ctx.orm.em.fork()).selectFrom('bulk_item').select('source_seq').where('job_id', '=', retryJob.JobID).orderBy('seq').execute();
    expect(sources.map((s) => s.source_seq)).toEqual([...Array.from({ length: 10 }, (_, i) => i + 1), 21, 22, 23, 24, 25]);
    await w.close();
  });
});
