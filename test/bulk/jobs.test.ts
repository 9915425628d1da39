import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { sleep, until } from '../helpers/wait.ts';
import { createTestContext, newOrganization, type TestContext } from '../helpers/context.ts';
import { seedInvocations, seedSpace, versionsOf } from '../helpers/seed.ts';
import { db } from '../../src/domain/db.ts';
import { runChunk } from '../../src/domain/bulk/chunk.ts';
import { planJob } from '../../src/domain/bulk/plan.ts';
import { purgeExpiredJobs } from '../../src/domain/bulk/reconcile.ts';

let ctx: TestContext;
let org: Awaited<ReturnType<typeof newOrganization>>;
let other: Awaited<ReturnType<typeof newOrganization>>;
let space: string;

// Small chunks so that a few dozen entities make several chunks.
beforeAll(async () => {
  ctx = await createTestContext({ BULK_CHUNK_SIZE: '10' });
  org = await newOrganization(ctx);
  other = await newOrganization(ctx);
  space = await seedSpace(ctx.orm, org.organizationId, 'jobs');
});
afterAll(async () => ctx?.close());

const q = (s: string) => encodeURIComponent(s);
const async = { prefer: 'respond-async' };
const k = () => db(ctx.orm.em.fork());


describe('asynchronous jobs without a running worker', () => {
  it('answers 202 with Location and the job; cancel stops it; items are reported as not processed', async () => {
    await seedInvocations(ctx.orm, org.organizationId, space, 5, { prefix: 'cancel' });
    const res = await org.admin.patch(`/invocation?where=${q("Slug LIKE 'cancel-%'")}`, { DisplayName: 'c' }, async);
    expect(res.statusCode).toBe(202);
    const job = res.json();
    expect(res.headers.location).toBe(`/job/${job.JobID}`);
    expect(job).toMatchObject({ State: 'queued', Operation: 'patch', Succeeded: 0, Failed: 0 });
    expect(job.Request).toMatchObject({ where: "Slug LIKE 'cancel-%'", body: { DisplayName: 'c' } });
    const cancelled = await org.admin.post(`/job/${job.JobID}/cancel`);
    expect(cancelled.statusCode).toBe(200);
    expect(cancelled.json().State).toBe('cancelled');
    expect((await org.admin.post(`/job/${job.JobID}/cancel`)).statusCode).toBe(409);
  });

  it('keeps another organization out of a job: 404 on every job route', async () => {
    const res = await org.admin.patch(`/invocation?where=${q("Slug = 'none'")}`, { DisplayName: 'x' }, async);
    const id = res.json().JobID;
    for (const [method, url] of [
      ['GET', `/job/${id}`], ['GET', `/job/${id}/results`], ['GET', `/job/${id}/events`],
      ['POST', `/job/${id}/cancel`], ['POST', `/job/${id}/retry`],
    ] as const) {
      const r = await other.admin.request({ method, url });
      expect(r.statusCode, `${method} ${url}`).toBe(404);
    }
    expect((await other.admin.get('/job')).json().map((j: { JobID: string }) => j.JobID)).not.toContain(id);
    expect((await org.admin.get('/job/00000000-0000-4000-8000-000000000000')).statusCode).toBe(404);
    expect((await org.admin.get('/job/not-a-uuid')).statusCode).toBe(400);
  });

  it('gives the same job for the same Idempotency-Key and request, and 422 for another request', async () => {
    const url = `/invocation?where=${q("Slug = 'idem'")}`;
    const h = { ...async, 'idempotency-key': 'key-1' };
    const first = await org.admin.patch(url, { DisplayName: 'a' }, h);
    const second = await org.admin.patch(url, { DisplayName: 'a' }, h);
    expect(second.json().JobID).toBe(first.json().JobID);
    const different = await org.admin.patch(url, { DisplayName: 'b' }, h);
    expect(different.statusCode).toBe(422);
    expect(different.json().Message).toMatch(/Idempotency-Key/);
    // Two first uses of a key at once still make one job.
    const h2 = { ...async, 'idempotency-key': 'key-race' };
    const racing = await Promise.all([1, 2, 3].map(() => org.admin.patch(url, { DisplayName: 'r' }, h2)));
    expect(racing.map((r) => r.statusCode)).toEqual([202, 202, 202]);
    expect(new Set(racing.map((r) => r.json().JobID)).size).toBe(1);
    // Keys are per organization.
    const theirs = await other.admin.patch(url, { DisplayName: 'b' }, h);
    expect(theirs.statusCode).toBe(202);
    expect(theirs.json().JobID).not.toBe(first.json().JobID);
  });
});

describe('a delete chunk whose entities changed after planning', () => {
  it('deletes the rest, and says which were gone (404) or had gained DeleteGates (422)', async () => {
    const ids = await seedInvocations(ctx.orm, org.organizationId, space, 6, { prefix: 'later' });
    const res = await org.admin.request({ method: 'DELETE', url: `/invocation?where=${q("Slug LIKE 'later-%'")}`, headers: async });
    expect(res.statusCode).toBe(202);
    const jobId = res.json().JobID;
    expect(await planJob(ctx.orm.em.fork(), jobId)).toMatchObject({ kind: 'planned', job: { total: 6 } });
    await k().deleteFrom('invocation').where('id', '=', ids[1]!).execute();
    await k().updateTable('invocation').set({ delete_gates: JSON.stringify({ hold: 'x' }) }).where('id', '=', ids[4]!).execute();
    expect(await runChunk(ctx.orm.em.fork(), jobId, 0)).toMatchObject({ kind: 'done', processed: 6, succeeded: 4, failed: 2 });
    const left = await k().selectFrom('invocation').select('id').where('id', 'in', ids).execute();
    expect(left.map((r) => r.id)).toEqual([ids[4]]);
    const results = (await org.admin.get(`/job/${jobId}/results`)).json();
    expect(results.map((r: { Error?: { Status: number } }) => r.Error?.Status ?? 200)).toEqual([200, 404, 200, 200, 422, 200]);
    expect(results[0].Message).toBe(`invocation later-1 (${ids[0]}) deleted`);
    expect(results[1]).toMatchObject({ Message: `invocation ${ids[1]} no longer exists`, Error: { ErrorCategory: 'NotFound' } });
    expect(results[4]).toMatchObject({ Error: { ErrorCategory: 'DeleteGated', ErrorMetadata: { EntitySlug: 'later-5' } } });
    expect(results[4].Message).toMatch(/blocked by DeleteGates: hold/);
    // The undo data is the row as it was: reverting brings back the four deleted, with their ids.
    const items = await k().selectFrom('bulk_item').select('seq').where('job_id', '=', jobId).orderBy('seq').execute();
    const undo = await k().selectFrom('bulk_undo').select(['seq', 'id', 'slug']).where('job_id', '=', jobId).execute();
    const undone = new Map(undo.map((u) => [u.seq, u.id]));
    expect(items.map((i) => undone.get(i.seq) ?? null)).toEqual([ids[0], null, ids[2], ids[3], null, ids[5]]);
    expect(undo.find((u) => u.id === ids[0])?.slug).toBe('later-1');
  });
});

describe('jobs with workers', () => {
  it('a chunk run twice changes nothing the second time', async () => {
    const ids = await seedInvocations(ctx.orm, org.organizationId, space, 12, { prefix: 'twice' });
    const res = await org.admin.patch(`/invocation?where=${q("Slug LIKE 'twice-%'")}`, { DisplayName: 't' }, async);
    const jobId = res.json().JobID;
    const w = await ctx.startWorker();
    const done = await until(() => org.admin.get(`/job/${jobId}`).then((r) => r.json()), (j) => j.State === 'completed');
    expect(done).toMatchObject({ Total: 12, Succeeded: 12, Failed: 0, Pending: 0 });
    const again = await runChunk(ctx.orm.em.fork(), jobId, 0);
    expect(again).toMatchObject({ kind: 'skipped', state: 'completed' });
    // Even forced back to running, a chunk finds its items done.
    await k().updateTable('bulk_job').set({ state: 'running' }).where('id', '=', jobId).execute();
    expect(await runChunk(ctx.orm.em.fork(), jobId, 0)).toMatchObject({ kind: 'done', processed: 0 });
    await k().updateTable('bulk_job').set({ state: 'completed' }).where('id', '=', jobId).execute();
    expect([...(await versionsOf(ctx.orm, ids)).values()].every((v) => v === 2)).toBe(true);
    await w.close();
  });

  it('two workers share one job; every entity is changed once and has one result', async () => {
    const w1 = await ctx.startWorker();
    const w2 = await ctx.startWorker();
    const ids = await seedInvocations(ctx.orm, org.organizationId, space, 400, { prefix: 'pair' });
    const res = await org.admin.patch(`/invocation?where=${q("Slug LIKE 'pair-%'")}`, { Labels: { shared: 'yes' } }, { prefer: 'wait=60' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toHaveLength(400);
    const versions = await versionsOf(ctx.orm, ids);
    expect([...versions.values()].every((v) => v === 2)).toBe(true);
    const jobId = (await org.admin.get('/job?limit=1')).json()[0].JobID;
    const items = await k().selectFrom('bulk_item').select(['status']).where('job_id', '=', jobId).execute();
    expect(items.length).toBe(400);
    expect(items.every((i) => i.status === 'succeeded')).toBe(true);
    await Promise.all([w1.close(), w2.close()]);
  });

  it('pages results and filters them by status; streams progress over SSE', async () => {
    const w = await ctx.startWorker();
    await seedInvocations(ctx.orm, org.organizationId, space, 15, { prefix: 'page' });
    await seedInvocations(ctx.orm, org.organizationId, space, 5, { prefix: 'page-gated', deleteGates: { keep: true } });
    const res = await org.admin.delete(`/invocation?where=${q("Slug LIKE 'page-%'")}`, );
    expect(res.statusCode).toBe(207);
    const jobId = res.headers['content-location']!.toString().split('/')[2]!;
    // Walking the Link headers in pages of 8 gives back exactly the synchronous answer.
    const walked: unknown[] = [];
    let url: string | undefined = `/job/${jobId}/results?limit=8`;
    const sizes: number[] = [];
    while (url) {
      const page = await org.admin.get(url);
      sizes.push(page.json().length);
      walked.push(...page.json());
      url = /<([^>]+)>; rel="next"/.exec((page.headers.link as string | undefined) ?? '')?.[1];
    }
    expect(sizes).toEqual([8, 8, 4]);
    expect(walked).toEqual(res.json());
    const failed = await org.admin.get(`/job/${jobId}/results?status=failed`);
    expect(failed.json()).toHaveLength(5);
    expect(failed.json().every((r: { Error: { Status: number } }) => r.Error.Status === 422)).toBe(true);
    const events = await org.admin.get(`/job/${jobId}/events`);
    expect(events.headers['content-type']).toContain('text/event-stream');
    expect(events.body).toMatch(/event: done\ndata: .*"State":"completed"/);
    // Retry covers the failed entities only.
    const retry = await org.admin.post(`/job/${jobId}/retry`);
    expect(retry.statusCode).toBe(207);
    expect(retry.json()).toHaveLength(5);
    await w.close();
  });

  it('a reconciler finishes jobs whose queue entries were lost', async () => {
    const ids = await seedInvocations(ctx.orm, org.organizationId, space, 30, { prefix: 'lost' });
    const res = await org.admin.patch(`/invocation?where=${q("Slug LIKE 'lost-%'")}`, { DisplayName: 'l' }, async);
    const jobId = res.json().JobID;
    await ctx.queue.queue.obliterate({ force: true }); // Redis lost the work
    const w = await ctx.startWorker({ reconcileStaleSeconds: 0, reconcileEverySeconds: 1 });
    const done = await until(() => org.admin.get(`/job/${jobId}`).then((r) => r.json()), (j) => j.State === 'completed');
    expect(done.Succeeded).toBe(30);
    expect([...(await versionsOf(ctx.orm, ids)).values()].every((v) => v === 2)).toBe(true);
    await w.close();
  });

  it('removes the results of finished jobs past retention and marks them purged', async () => {
    const res = await org.admin.patch(`/invocation?where=${q("Slug = 'nothing'")}`, { DisplayName: 'x' }, async);
    const jobId = res.json().JobID;
    await k().updateTable('bulk_job').set({ state: 'completed', finished_at: sql`now() - interval '8 days'` }).where('id', '=', jobId).execute();
    expect(await purgeExpiredJobs(ctx.orm.em.fork(), 7)).toBeGreaterThanOrEqual(1);
    expect((await org.admin.get(`/job/${jobId}`)).json().PurgedAt).toBeTruthy();
    expect(await k().selectFrom('bulk_item').select('seq').where('job_id', '=', jobId).execute()).toEqual([]);
  });
});
