import { Queue } from 'bullmq';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { QUEUE_NAME } from '../../src/workers/registry.ts';
import { checkExactlyOnce, createFaultEnv, newOrganization, patchSpace, progress, seed, sleep, startService, until, type FaultEnv } from './harness.ts';

/**
 * SIGTERM to a worker during a job: it stops taking chunks, lets the chunks it holds commit, and
 * exits 0; the job waits in PostgreSQL and the next worker to start continues it.
 */
const N = 20_000;
const CHUNK = 2_000;
let env: FaultEnv;
beforeAll(async () => {
  env = await createFaultEnv();
});
afterAll(async () => env?.close());

it('a worker stopped with SIGTERM commits its active chunks; the job continues on the next start', async () => {
  const apiProc = await startService('api', env.env({ BULK_CHUNK_SIZE: String(CHUNK) }));
  const worker = await startService('worker', env.env({ RECONCILE_STALE_SECONDS: '3', RECONCILE_EVERY_SECONDS: '1' }));
  const org = await newOrganization(apiProc.url, env.rootToken);
  const spaceId = await seed(env.pg, org.id, N, 'term');
  const queue = new Queue(QUEUE_NAME, { connection: env.redis.client() });

  const jobId = await patchSpace(org.admin, spaceId, { Labels: { shutdown: 'graceful' } });
  await until('progress', () => progress(env.pg, jobId), (p) => p.succeeded >= CHUNK, 60_000, 20);
  // Signal while the worker holds a chunk whose results are not committed yet (its row still there).
  const pendingOf = async (chunks: number[]) =>
    (await env.pg.query<{ n: number }>(
      `select coalesce(sum(cardinality(entity_ids)), 0)::int as n from bulk_chunk where job_id = $1 and chunk = any($2)`, [jobId, chunks],
    )).rows[0]!.n;
  let held: number[] = [];
  const pendingAtSignal = await until('a chunk in flight', async () => {
    held = (await queue.getActive()).map((j) => (j.data as { chunk: number }).chunk);
    return held.length > 0 ? pendingOf(held) : 0;
  }, (n) => n > 0, 10_000, 5);
  const tSignal = Date.now();
  const code = await worker.kill('SIGTERM');
  const stopSeconds = (Date.now() - tSignal) / 1000;

  const pendingOfHeld = await pendingOf(held);
  const counts = await queue.getJobCounts('active', 'failed', 'wait');
  const atStop = await progress(env.pg, jobId);
  await sleep(1000);
  const stillAtStop = await progress(env.pg, jobId);
  expect(code).toBe(0);
  // Logs are written in batches: what was still buffered at exit is written all the same.
  expect(worker.output()).toContain('"msg":"shutting down"');
  expect(pendingOfHeld).toBe(0); // the chunks it held committed before it exited
  expect(counts.active).toBe(0); // and were handed back finished, not left to stall
  expect(counts.failed).toBe(0);
  expect(stillAtStop.succeeded).toBe(atStop.succeeded);
  expect(atStop.state).toBe('running');
  expect(atStop.succeeded).toBeLessThan(N);

  const tRestart = Date.now();
  await startService('worker', env.env());
  const done = await until('the job to complete', () => progress(env.pg, jobId), (p) => p.state !== 'running', 120_000, 100);
  const check = await checkExactlyOnce(env.pg, jobId, spaceId, N);
  expect(done).toMatchObject({ state: 'completed', total: N, succeeded: N, failed: 0 });
  expect(check.versions).toEqual({ 2: N });
  expect(check.items).toEqual({ rows: N, entities: N, succeeded: N, with_result: N, version_matches: N });
  await queue.close();
  console.log(JSON.stringify({
    test: 'SIGTERM', entities: N, chunkSize: CHUNK, chunksHeldAtSignal: held, pendingItemsOfThemAtSignal: pendingAtSignal, exitCode: code, secondsToExit: stopSeconds,
    succeededAtExit: atStop.succeeded, queueWaitingAtExit: counts.wait, secondsToDoneAfterRestart: (Date.now() - tRestart) / 1000,
  }));
});
