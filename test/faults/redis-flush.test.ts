import { afterAll, beforeAll, expect, it } from 'vitest';
import { checkExactlyOnce, createFaultEnv, newOrganization, patchSpace, progress, seed, sleep, startService, until, type FaultEnv } from './harness.ts';

/**
 * FLUSHALL in the middle of a job: the queued chunks vanish from Redis (and with them any queue
 * schedulers). PostgreSQL still knows which items are pending; the worker's reconciler finds the
 * job without progress and enqueues its pending chunks again.
 */
const N = 30_000;
const CHUNK = 500;
const CONCURRENCY = 3;
let env: FaultEnv;
beforeAll(async () => {
  env = await createFaultEnv();
});
afterAll(async () => env?.close());

it('the reconciler finishes a job whose queue was emptied by FLUSHALL; every entity patched exactly once', async () => {
  const apiProc = await startService('api', env.env({ BULK_CHUNK_SIZE: String(CHUNK) }));
  await startService('worker', env.env({ RECONCILE_STALE_SECONDS: '2', RECONCILE_EVERY_SECONDS: '1', WORKER_CONCURRENCY: String(CONCURRENCY) }));
  const org = await newOrganization(apiProc.url, env.rootToken);
  const spaceId = await seed(env.pg, org.id, N, 'flush');
  const redis = env.redis.client();

  const jobId = await patchSpace(org.admin, spaceId, { Labels: { flushed: 'no' }, DisplayName: 'after flush' });
  await until('progress', () => progress(env.pg, jobId), (p) => p.succeeded >= 5_000, 60_000, 20);
  const queuedBefore = await redis.dbsize();
  expect(await redis.flushall()).toBe('OK');
  const tFlush = Date.now();
  const atFlush = await progress(env.pg, jobId);
  // The chunks in flight (one per worker slot) commit; after them nothing is left to run until the
  // reconciler steps in.
  await sleep(600);
  const afterFlush = await progress(env.pg, jobId);
  expect(afterFlush.succeeded - atFlush.succeeded).toBeLessThanOrEqual(CONCURRENCY * CHUNK);

  const done = await until('the job to complete', () => progress(env.pg, jobId), (p) => p.state !== 'running', 120_000, 100);
  const check = await checkExactlyOnce(env.pg, jobId, spaceId, N);
  expect(done).toMatchObject({ state: 'completed', total: N, succeeded: N, failed: 0 });
  expect(check.versions).toEqual({ 2: N });
  expect(check.items).toEqual({ rows: N, entities: N, succeeded: N, with_result: N, version_matches: N });
  console.log(JSON.stringify({
    test: 'FLUSHALL', entities: N, redisKeysBeforeFlush: queuedBefore, succeededAtFlush: atFlush.succeeded,
    succeededJustAfter: afterFlush.succeeded, secondsFromFlushToDone: (Date.now() - tFlush) / 1000,
  }));
});
