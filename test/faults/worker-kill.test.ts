import { afterAll, beforeAll, expect, it } from 'vitest';
import { checkExactlyOnce, createFaultEnv, openTransactions, newOrganization, progress, seed, sleep, startService, until, type FaultEnv } from './harness.ts';

/**
 * SIGKILL of a worker in the middle of a 50,000-entity bulk patch: its open chunk transactions
 * roll back with the dead connections, and a new worker finishes the job. BullMQ hands the killed
 * worker's active chunks on once their lock lapses (WORKER_LOCK_SECONDS); everything else is still
 * waiting in the queue.
 */
const N = 50_000;
let env: FaultEnv;
beforeAll(async () => {
  env = await createFaultEnv();
});
afterAll(async () => env?.close());

it('a new worker finishes a job whose worker was killed mid-way; every entity patched exactly once', async () => {
  const workerEnv = env.env({ BULK_CHUNK_SIZE: '500', WORKER_LOCK_SECONDS: '3', RECONCILE_STALE_SECONDS: '5', RECONCILE_EVERY_SECONDS: '2' });
  const apiProc = await startService('api', env.env({ BULK_CHUNK_SIZE: '500' }));
  const org = await newOrganization(apiProc.url, env.rootToken);
  const spaceId = await seed(env.pg, org.id, N, 'kill');
  const first = await startService('worker', workerEnv);

  const t0 = Date.now();
  const res = await org.admin.call('PATCH', `/invocation?where=${encodeURIComponent(`SpaceID = '${spaceId}'`)}`, { Labels: { patched: 'yes' } }, { prefer: 'respond-async' });
  expect(res.status).toBe(202);
  const jobId: string = res.json.JobID;

  const before = await until('progress', () => progress(env.pg, jobId), (p) => p.succeeded >= 10_000, 60_000, 20);
  // Kill while a chunk transaction is open, so that one is cut off half-way.
  const open = await until('a chunk transaction in flight', () => openTransactions(env), (n) => n > 0, 10_000, 5);
  expect(await first.kill('SIGKILL')).toBe(null);
  const atKill = await progress(env.pg, jobId);
  await sleep(1500);
  const stalled = await progress(env.pg, jobId);
  expect(stalled.succeeded).toBe(atKill.succeeded); // nothing moves without a worker
  expect(stalled.state).toBe('running');
  expect(stalled.succeeded).toBeLessThan(N);

  const tRestart = Date.now();
  await startService('worker', workerEnv);
  const done = await until('the job to complete', () => progress(env.pg, jobId), (p) => p.state !== 'running', 120_000, 100);
  const tDone = Date.now();

  const check = await checkExactlyOnce(env.pg, jobId, spaceId, N);
  expect(done).toMatchObject({ state: 'completed', total: N, succeeded: N, failed: 0 });
  expect(check.versions).toEqual({ 2: N });
  expect(check.items).toEqual({ rows: N, entities: N, succeeded: N, with_result: N, version_matches: N });
  // Through the API: the result list has each entity once.
  const seen = new Set<string>();
  let after = 0;
  for (;;) {
    const page = await org.admin.call('GET', `/job/${jobId}/results?limit=10000&after=${after}`);
    expect(page.status).toBe(200);
    for (const r of page.json as Array<{ Invocation: { InvocationID: string; Version: number; Labels: Record<string, string> } }>) {
      expect(r.Invocation.Labels.patched).toBe('yes');
      seen.add(r.Invocation.InvocationID);
    }
    after += page.json.length;
    if (page.json.length < 10_000) break;
  }
  expect(seen.size).toBe(N);
  console.log(JSON.stringify({
    test: 'worker SIGKILL', entities: N, succeededBeforeKill: before.succeeded, succeededAtKill: atKill.succeeded,
    openTransactionsAtKill: open, recoverySeconds: (tDone - tRestart) / 1000, totalSeconds: (tDone - t0) / 1000,
  }));
});
