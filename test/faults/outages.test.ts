import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Queue } from 'bullmq';
import { withAdmin } from '../helpers/db.ts';
import { QUEUE_NAME } from '../../src/workers/registry.ts';
import {
  checkExactlyOnce, createFaultEnv, newOrganization, patchSpace, progress, seed, sleep, startService, until,
  type FaultEnv, type JobProgress, type Service,
} from './harness.ts';

/**
 * Redis stopped for 10 s, and PostgreSQL refusing the job's database for a while after its
 * connections were terminated: the job stops moving and picks up again by itself, /healthz of the
 * running API answers 503 meanwhile and 200 afterwards, without any process being restarted.
 */
const N = 20_000;

interface Watch {
  health: number[];
  stop(): Promise<void>;
}

/** Polls /healthz every 250 ms, recording each status. */
function watchHealth(apiUrl: string): Watch {
  const health: number[] = [];
  let on = true;
  const loop = (async () => {
    while (on) {
      const status = await fetch(`${apiUrl}/healthz`, { signal: AbortSignal.timeout(3000) }).then((r) => r.status, () => 0);
      health.push(status);
      await sleep(250);
    }
  })();
  return { health, stop: async () => { on = false; await loop; } };
}

async function healthStatus(apiUrl: string): Promise<number> {
  return fetch(`${apiUrl}/healthz`, { signal: AbortSignal.timeout(3000) }).then((r) => r.status, () => 0);
}

/** Samples a job's progress during an outage: how far it moved and whether it stood still at the end. */
async function sampleDuring(env: FaultEnv, jobId: string, ms: number): Promise<JobProgress[]> {
  const samples: JobProgress[] = [];
  const end = Date.now() + ms;
  while (Date.now() < end) {
    samples.push(await progress(env.pg, jobId));
    await sleep(500);
  }
  return samples;
}

describe('outages', () => {
  let env: FaultEnv;
  let apiProc: Service;
  const fast = { RECONCILE_STALE_SECONDS: '3', RECONCILE_EVERY_SECONDS: '1', WORKER_LOCK_SECONDS: '5' };
  beforeAll(async () => {
    env = await createFaultEnv();
    apiProc = await startService('api', env.env({ BULK_CHUNK_SIZE: '500' }));
    await startService('worker', env.env(fast));
  });
  afterAll(async () => env?.close());

  it('Redis stopped for 10 s: the job waits, /healthz says 503, both recover on their own', async () => {
    const org = await newOrganization(apiProc.url, env.rootToken);
    const spaceId = await seed(env.pg, org.id, N, 'redis');
    const jobId = await patchSpace(org.admin, spaceId, { Labels: { outage: 'redis' } });
    await until('progress', () => progress(env.pg, jobId), (p) => p.succeeded >= 2_000, 60_000, 20);
    expect(await healthStatus(apiProc.url)).toBe(200);

    const watch = watchHealth(apiProc.url);
    await env.redis.stop();
    const tStop = Date.now();
    const sampling = sampleDuring(env, jobId, 10_000);
    // Single-entity reads need only PostgreSQL: they keep working without Redis.
    const one = await env.pg.query<{ id: string }>('select id from invocation where space_id = $1 limit 1', [spaceId]);
    const read = await org.admin.call('GET', `/space/${spaceId}/invocation/${one.rows[0]!.id}`);
    // A bulk call is accepted (durable in PostgreSQL) and answered within its Prefer: wait.
    const lateSpace = await seed(env.pg, org.id, 100, 'redis-late');
    const tSubmit = Date.now();
    const late = await org.admin.call('PATCH', `/invocation?where=${encodeURIComponent(`SpaceID = '${lateSpace}'`)}`, { Labels: { late: 'yes' } }, { prefer: 'wait=2' });
    const submitSeconds = (Date.now() - tSubmit) / 1000;
    const samples = await sampling;
    await env.redis.start(); // empty: no persistence
    const tStart = Date.now();
    await until('/healthz 200', () => healthStatus(apiProc.url), (s) => s === 200, 30_000, 100);
    const tHealthy = Date.now();
    await watch.stop();

    const done = await until('the job to complete', () => progress(env.pg, jobId), (p) => p.state !== 'running', 120_000, 100);
    const check = await checkExactlyOnce(env.pg, jobId, spaceId, N);
    const lateDone = await until('the job submitted during the outage', () => progress(env.pg, late.json.JobID), (p) => p.state === 'completed', 60_000, 100);
    const lateCheck = await checkExactlyOnce(env.pg, late.json.JobID, lateSpace, 100);
    const last = samples.at(-1)!;
    const secondHalf = samples.slice(Math.floor(samples.length / 2));
    expect(read.status).toBe(200);
    expect(late.status).toBe(202);
    expect(submitSeconds).toBeLessThan(6);
    expect(lateDone).toMatchObject({ total: 100, succeeded: 100, failed: 0 });
    expect(lateCheck.versions).toEqual({ 2: 100 });
    expect(watch.health).toContain(503);
    expect(secondHalf.every((s) => s.succeeded === last.succeeded)).toBe(true); // stood still
    expect(last.succeeded).toBeLessThan(N);
    expect(done).toMatchObject({ state: 'completed', total: N, succeeded: N, failed: 0 });
    expect(check.versions).toEqual({ 2: N });
    expect(check.items).toEqual({ rows: N, entities: N, succeeded: N, with_result: N, version_matches: N });
    console.log(JSON.stringify({
      test: 'Redis stopped 10 s', entities: N, bulkCallDuringOutage: { status: late.status, seconds: submitSeconds }, succeededAtStop: samples[0]!.succeeded, succeededDuringOutage: last.succeeded,
      healthDuringOutage: summarize(watch.health), secondsDown: (tStart - tStop) / 1000,
      secondsToHealthyAfterStart: (tHealthy - tStart) / 1000, secondsToDoneAfterStart: (Date.now() - tStart) / 1000,
    }));
  });

  // 20 s is longer than a queue job's retry budget (5 attempts, 1+2+4+8 s of backoff): the
  // chunks end up in BullMQ's failed set, and only the reconciler can bring them back.
  it('PostgreSQL connections terminated and refused for 20 s: the job waits, /healthz says 503, both recover', async () => {
    const org = await newOrganization(apiProc.url, env.rootToken);
    const spaceId = await seed(env.pg, org.id, N, 'pg');
    const jobId = await patchSpace(org.admin, spaceId, { Labels: { outage: 'postgres' } });
    await until('progress', () => progress(env.pg, jobId), (p) => p.succeeded >= 2_000, 60_000, 20);
    const atCut = await progress(env.pg, jobId);

    const watch = watchHealth(apiProc.url);
    const tCut = Date.now();
    const terminated = await withAdmin(async (c) => {
      await c.query(`alter database ${env.dbName} allow_connections false`);
      const r = await c.query('select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()', [env.dbName]);
      return r.rowCount ?? 0;
    });
    await sleep(20_000);
    const backendsDuring = await withAdmin(async (c) => {
      const r = await c.query<{ n: number }>(`select count(*)::int as n from pg_stat_activity where datname = $1`, [env.dbName]);
      return r.rows[0]!.n;
    });
    const queue = new Queue(QUEUE_NAME, { connection: env.redis.client() });
    const countsDuring = await queue.getJobCounts('failed', 'delayed', 'wait', 'active');
    await withAdmin((c) => c.query(`alter database ${env.dbName} allow_connections true`));
    const tBack = Date.now();
    await until('/healthz 200', () => healthStatus(apiProc.url), (s) => s === 200, 30_000, 100);
    const tHealthy = Date.now();
    await watch.stop();
    await queue.close();

    // The test's own connection was one of those terminated.
    await env.reconnect();
    const afterOutage = await progress(env.pg, jobId);
    const done = await until('the job to complete', () => progress(env.pg, jobId), (p) => p.state !== 'running', 120_000, 100);
    const check = await checkExactlyOnce(env.pg, jobId, spaceId, N);
    expect(terminated).toBeGreaterThan(0);
    // No connection to the database was possible, so nothing moved; every chunk left used up
    // its queue attempts meanwhile and only the reconciler brought them back.
    expect(backendsDuring).toBe(0);
    expect(countsDuring.failed).toBeGreaterThan(0);
    expect(watch.health).toContain(503);
    expect(done).toMatchObject({ state: 'completed', total: N, succeeded: N, failed: 0 });
    expect(check.versions).toEqual({ 2: N });
    expect(check.items).toEqual({ rows: N, entities: N, succeeded: N, with_result: N, version_matches: N });
    console.log(JSON.stringify({
      test: 'PostgreSQL terminated + refused 20 s', queueJobsAtEndOfOutage: countsDuring, entities: N, succeededAtCut: atCut.succeeded, backendsTerminated: terminated,
      succeededRightAfter: afterOutage.succeeded, healthDuringOutage: summarize(watch.health),
      secondsToHealthyAfterBack: (tHealthy - tBack) / 1000, secondsToDoneAfterBack: (Date.now() - tBack) / 1000,
      secondsCutToBack: (tBack - tCut) / 1000,
    }));
  });
});

/** Runs of equal statuses, e.g. "200x4 503x40 200x2". */
function summarize(statuses: number[]): string {
  const runs: string[] = [];
  let prev = -1;
  let count = 0;
  for (const s of [...statuses, -2]) {
    if (s === prev) count++;
    else {
      if (prev !== -1) runs.push(`${prev}x${count}`);
      prev = s;
      count = 1;
    }
  }
  return runs.join(' ');
}
