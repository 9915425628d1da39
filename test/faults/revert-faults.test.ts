import { afterAll, beforeAll, expect, it } from 'vitest';
import { checkExactlyOnce, createFaultEnv, newOrganization, openTransactions, patchSpace, progress, seed, startService, until, type Api, type FaultEnv } from './harness.ts';

/**
 * The undo of a bulk patch under the same faults as the patch itself: a worker SIGKILLed in the
 * middle of the revert, and Redis emptied in the middle of one. Every entity must come back exactly
 * once: its patch undone (Version 3: seeded 1, patched 2, restored 3) and one result per entity.
 */
const N = 20_000;
let env: FaultEnv;
beforeAll(async () => {
  env = await createFaultEnv();
});
afterAll(async () => env?.close());

async function patchedThenReverting(admin: Api, spaceId: string): Promise<string> {
  const patchJob = await patchSpace(admin, spaceId, { Labels: { undo: 'me' }, DisplayName: 'patched' });
  await until('the patch to complete', () => progress(env.pg, patchJob), (p) => p.state === 'completed', 120_000, 100);
  const res = await admin.call('POST', `/job/${patchJob}/revert`, undefined, { prefer: 'respond-async' });
  expect(res.status).toBe(202);
  return res.json.JobID as string;
}

async function checkRestored(revertJob: string, spaceId: string) {
  const check = await checkExactlyOnce(env.pg, revertJob, spaceId, N, 2);
  expect(check.job).toMatchObject({ state: 'completed', total: N, succeeded: N, failed: 0 });
  expect(check.versions).toEqual({ 3: N });
  expect(check.items).toEqual({ rows: N, entities: N, succeeded: N, with_result: N, version_matches: N });
  const left = await env.pg.query<{ n: number }>(
    `select count(*)::int as n from invocation where space_id = $1 and (labels ? 'undo' or display_name = 'patched')`,
    [spaceId],
  );
  expect(left.rows[0]!.n).toBe(0);
}

it('a worker killed mid-revert: a new worker finishes it and every entity is restored once', async () => {
  const workerEnv = env.env({ BULK_CHUNK_SIZE: '500', WORKER_LOCK_SECONDS: '3', RECONCILE_STALE_SECONDS: '5', RECONCILE_EVERY_SECONDS: '2' });
  const apiProc = await startService('api', env.env({ BULK_CHUNK_SIZE: '500' }));
  const org = await newOrganization(apiProc.url, env.rootToken);
  const spaceId = await seed(env.pg, org.id, N, 'rkill');
  const first = await startService('worker', workerEnv);
  const revertJob = await patchedThenReverting(org.admin, spaceId);
  await until('revert progress', () => progress(env.pg, revertJob), (p) => p.succeeded >= 4_000, 60_000, 20);
  await until('a chunk transaction in flight', () => openTransactions(env), (n) => n > 0, 10_000, 5);
  expect(await first.kill('SIGKILL')).toBe(null);
  const atKill = await progress(env.pg, revertJob);
  expect(atKill.succeeded).toBeLessThan(N);
  await startService('worker', workerEnv);
  await until('the revert to complete', () => progress(env.pg, revertJob), (p) => p.state !== 'running', 120_000, 100);
  await checkRestored(revertJob, spaceId);
  console.log(JSON.stringify({ test: 'SIGKILL mid-revert', entities: N, restoredAtKill: atKill.succeeded }));
});

it('Redis emptied mid-revert: the reconciler finishes it and every entity is restored once', async () => {
  const apiProc = await startService('api', env.env({ BULK_CHUNK_SIZE: '500' }));
  await startService('worker', env.env({ BULK_CHUNK_SIZE: '500', RECONCILE_STALE_SECONDS: '2', RECONCILE_EVERY_SECONDS: '1' }));
  const org = await newOrganization(apiProc.url, env.rootToken);
  const spaceId = await seed(env.pg, org.id, N, 'rflush');
  const revertJob = await patchedThenReverting(org.admin, spaceId);
  await until('revert progress', () => progress(env.pg, revertJob), (p) => p.succeeded >= 3_000, 60_000, 20);
  expect(await env.redis.client().flushall()).toBe('OK');
  const atFlush = await progress(env.pg, revertJob);
  await until('the revert to complete', () => progress(env.pg, revertJob), (p) => p.state !== 'running', 120_000, 100);
  await checkRestored(revertJob, spaceId);
  console.log(JSON.stringify({ test: 'FLUSHALL mid-revert', entities: N, restoredAtFlush: atFlush.succeeded }));
});
