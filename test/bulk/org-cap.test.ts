import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, newOrganization, type TestContext } from '../helpers/context.ts';
import { seedInvocations, seedSpace } from '../helpers/seed.ts';
import { db } from '../../src/domain/db.ts';
import { until } from '../helpers/wait.ts';

/**
 * MAX_RUNNING_JOBS_PER_ORG: an organization's jobs beyond the cap stay queued and start on their
 * own when a running one finishes; other organizations are not held up by it.
 */
let ctx: TestContext;
let a: Awaited<ReturnType<typeof newOrganization>>;
let b: Awaited<ReturnType<typeof newOrganization>>;
const CAP = 2;
const JOBS = 5;
const PER_JOB = 300;

beforeAll(async () => {
  ctx = await createTestContext({ MAX_RUNNING_JOBS_PER_ORG: String(CAP), BULK_CHUNK_SIZE: '10', WORKER_CONCURRENCY: '4' });
  a = await newOrganization(ctx);
  b = await newOrganization(ctx);
});
afterAll(async () => ctx?.close());

const q = (s: string) => encodeURIComponent(s);
const k = () => db(ctx.orm.em.fork());

async function states(ids: string[]) {
  const rows = await k().selectFrom('bulk_job').select(['id', 'state']).where('id', 'in', ids).execute();
  return new Map(rows.map((r) => [r.id, r.state]));
}

describe('per-organization cap on running jobs', () => {
  it('runs at most CAP jobs of an organization at once; the rest wait queued and start by themselves', async () => {
    const space = await seedSpace(ctx.orm, a.organizationId, 'cap');
    for (let j = 0; j < JOBS; j++) await seedInvocations(ctx.orm, a.organizationId, space, PER_JOB, { prefix: `cap${j}` });
    const ids: string[] = [];
    for (let j = 0; j < JOBS; j++) {
      const res = await a.admin.patch(`/invocation?where=${q(`Slug LIKE 'cap${j}-%'`)}`, { Labels: { j: String(j) } }, { prefer: 'respond-async' });
      expect(res.statusCode).toBe(202);
      ids.push(res.json().JobID);
    }
    const bSpace = await seedSpace(ctx.orm, b.organizationId, 'other');
    await seedInvocations(ctx.orm, b.organizationId, bSpace, 20, { prefix: 'b' });

    await ctx.startWorker();
    let maxRunning = 0;
    let sawWaiting = false;
    let bDuringWait: number | undefined;
    for (let i = 0; i < 3000; i++) {
      const s = await states(ids);
      const running = [...s.values()].filter((v) => v === 'running').length;
      const queued = [...s.values()].filter((v) => v === 'queued').length;
      maxRunning = Math.max(maxRunning, running);
      if (running === CAP && queued > 0 && !sawWaiting) {
        sawWaiting = true;
        // Organization B is not held up by A's waiting jobs.
        const t = Date.now();
        const res = await b.admin.patch(`/invocation?where=${q("Slug LIKE 'b-%'")}`, { DisplayName: 'b' }, { prefer: 'wait=20' });
        expect(res.statusCode).toBe(200);
        bDuringWait = Date.now() - t;
      }
      if ([...s.values()].every((v) => v === 'completed')) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    const final = await states(ids);
    expect([...final.values()]).toEqual(Array(JOBS).fill('completed'));
    expect(maxRunning).toBe(CAP);
    expect(sawWaiting).toBe(true);
    expect(bDuringWait).toBeLessThan(10_000);
    const jobs = await k().selectFrom('bulk_job').select(['succeeded', 'total']).where('id', 'in', ids).execute();
    expect(jobs.every((j) => j.total === PER_JOB && j.succeeded === PER_JOB)).toBe(true);
  });

  it('a paused job keeps its slot, so resuming it never takes the organization over the cap', async () => {
    const space = await seedSpace(ctx.orm, a.organizationId, 'cap-paused');
    await seedInvocations(ctx.orm, a.organizationId, space, 5, { prefix: 'cp' });
    // One running job and one started, then paused, hold the organization's two slots.
    const hold = await k().selectFrom('bulk_job').select('id').where('organization_id', '=', a.organizationId).limit(CAP).execute();
    await k().updateTable('bulk_job').set({ state: 'running' }).where('id', '=', hold[0]!.id).execute();
    await k().updateTable('bulk_job').set({ state: 'paused' }).where('id', '=', hold[1]!.id).execute();
    const res = await a.admin.patch(`/invocation?where=${q("Slug LIKE 'cp-%'")}`, { DisplayName: 'p' }, { prefer: 'wait=2' });
    expect(res.statusCode).toBe(202);
    expect(res.json().State).toBe('queued');
    // Once the paused job is gone (cancelled here), the waiting job gets the slot.
    await k().updateTable('bulk_job').set({ state: 'cancelled' }).where('id', '=', hold[1]!.id).execute();
    await ctx.queue.reenqueuePlan(res.json().JobID);
    const done = await until(async () => (await states([res.json().JobID])).get(res.json().JobID), (s) => s === 'completed', 20_000);
    expect(done).toBe('completed');
    await k().updateTable('bulk_job').set({ state: 'completed' }).where('id', '=', hold[0]!.id).execute();
  });

  it('a waiting job can be cancelled; it never starts', async () => {
    const space = await seedSpace(ctx.orm, a.organizationId, 'cap-cancel');
    await seedInvocations(ctx.orm, a.organizationId, space, 5, { prefix: 'cc' });
    // Two running jobs (by state) hold the organization's slots.
    const hold = await k().selectFrom('bulk_job').select('id').where('organization_id', '=', a.organizationId).limit(CAP).execute();
    await k().updateTable('bulk_job').set({ state: 'running' }).where('id', 'in', hold.map((h) => h.id)).execute();
    const res = await a.admin.patch(`/invocation?where=${q("Slug LIKE 'cc-%'")}`, { DisplayName: 'c' }, { prefer: 'wait=2' });
    expect(res.statusCode).toBe(202);
    expect(res.json().State).toBe('queued');
    const cancelled = await a.admin.post(`/job/${res.json().JobID}/cancel`);
    expect(cancelled.json().State).toBe('cancelled');
    await k().updateTable('bulk_job').set({ state: 'completed' }).where('id', 'in', hold.map((h) => h.id)).execute();
    const items = await k().selectFrom('bulk_item').select('seq').where('job_id', '=', res.json().JobID).execute();
    expect(items).toEqual([]);
  });
});
