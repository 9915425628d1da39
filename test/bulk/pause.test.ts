import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sleep, until } from '../helpers/wait.ts';
import { createTestContext, newOrganization, type TestContext } from '../helpers/context.ts';
import { seedInvocations, seedSpace, versionsOf } from '../helpers/seed.ts';
import { db } from '../../src/domain/db.ts';

let ctx: TestContext;
let org: Awaited<ReturnType<typeof newOrganization>>;

beforeAll(async () => {
  ctx = await createTestContext({ BULK_CHUNK_SIZE: '20' });
  org = await newOrganization(ctx);
});
afterAll(async () => ctx?.close());


describe('pause and resume', () => {
  it('pauses mid-job with two workers, stays paused across a restart, and resumes without processing anything twice', async () => {
    const space = await seedSpace(ctx.orm, org.organizationId, 'pause');
    const ids = await seedInvocations(ctx.orm, org.organizationId, space, 2000, { prefix: 'p' });
    const res = await org.admin.patch(`/invocation?where=${encodeURIComponent("Slug LIKE 'p-%'")}`, { DisplayName: 'paused' }, { prefer: 'respond-async' });
    const jobId = res.json().JobID as string;
    const job = () => org.admin.get(`/job/${jobId}`).then((r) => r.json());
    let workers = [await ctx.startWorker(), await ctx.startWorker()];
    await until(job, (j) => j.Succeeded >= 200);
    const paused = await org.admin.post(`/job/${jobId}/pause`);
    expect(paused.statusCode).toBe(200);
    expect(paused.json().State).toBe('paused');
    await sleep(500); // chunks in flight commit
    const settled = await job();
    await sleep(700);
    const later = await job();
    expect(later).toMatchObject({ State: 'paused', Succeeded: settled.Succeeded });
    expect(later.Pending).toBeGreaterThan(0);
    expect(later.Succeeded + later.Pending).toBe(2000);

    // Every process restarts: the job is still paused and nothing moves.
    await Promise.all(workers.map((w) => w.close()));
    workers = [await ctx.startWorker({ reconcileStaleSeconds: 0, reconcileEverySeconds: 1 }), await ctx.startWorker()];
    await sleep(1500);
    expect(await job()).toMatchObject({ State: 'paused', Succeeded: settled.Succeeded });

    const resumed = await org.admin.post(`/job/${jobId}/resume`);
    expect(resumed.statusCode).toBe(200);
    expect(resumed.json().State).toBe('running');
    const done = await until(job, (j) => j.State === 'completed');
    expect(done).toMatchObject({ Total: 2000, Succeeded: 2000, Failed: 0, Pending: 0 });
    expect([...(await versionsOf(ctx.orm, ids)).values()].every((v) => v === 2)).toBe(true);
    const items = await db(ctx.orm.em.fork()).selectFrom('bulk_item').select('status').where('job_id', '=', jobId).execute();
    expect(items.filter((i) => i.status === 'succeeded')).toHaveLength(2000);
    expect((await org.admin.post(`/job/${jobId}/pause`)).statusCode).toBe(409);
    expect((await org.admin.post(`/job/${jobId}/resume`)).statusCode).toBe(409);
    await Promise.all(workers.map((w) => w.close()));
  });
});
