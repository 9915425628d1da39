import { afterAll, beforeAll, expect, it } from 'vitest';
import { createFaultEnv, newOrganization, patchSpace, progress, seed, startService, until, type FaultEnv } from './harness.ts';

/**
 * Two bulk patches over the same 10,000 entities at once, on two worker processes, while single
 * PUTs race them: no update is lost, and each entity's Version is 1 plus the number of changes
 * that reached it (both patches, and the PUT if it was accepted).
 */
const N = 10_000;
const PUTS = 300;
let env: FaultEnv;
beforeAll(async () => {
  env = await createFaultEnv();
});
afterAll(async () => env?.close());

interface Row {
  id: string;
  version: number;
  display_name: string;
  labels: Record<string, string>;
}

it('concurrent bulk patches and PUTs lose no update', async () => {
  const apiProc = await startService('api', env.env({ BULK_CHUNK_SIZE: '250' }));
  await Promise.all([startService('worker', env.env()), startService('worker', env.env())]);
  const org = await newOrganization(apiProc.url, env.rootToken);
  const spaceId = await seed(env.pg, org.id, N, 'race');
  const ids = (await env.pg.query<{ id: string }>('select id from invocation where space_id = $1 order by random() limit $2', [spaceId, PUTS])).rows.map((r) => r.id);

  const [jobA, jobB] = await Promise.all([
    patchSpace(org.admin, spaceId, { Labels: { a: 'from-a' } }),
    patchSpace(org.admin, spaceId, { Labels: { b: 'from-b' } }),
  ]);
  // Each PUT reads the entity and writes it back with the Version it read and a new DisplayName.
  const putOutcomes = await Promise.all(
    ids.map(async (id, i) => {
      await new Promise((r) => setTimeout(r, i * 5));
      const got = await org.admin.call('GET', `/space/${spaceId}/invocation/${id}`);
      const put = await org.admin.call('PUT', `/space/${spaceId}/invocation/${id}`, { ...got.json.Invocation, DisplayName: `put-${i}` });
      return { id, status: put.status, name: `put-${i}`, body: put.json };
    }),
  );
  for (const jobId of [jobA, jobB]) {
    await until('both jobs to complete', () => progress(env.pg, jobId), (p) => p.state !== 'running' && p.state !== 'queued', 120_000, 100);
  }
  const [a, b] = [await progress(env.pg, jobA), await progress(env.pg, jobB)];
  expect(a).toMatchObject({ state: 'completed', total: N, succeeded: N, failed: 0 });
  expect(b).toMatchObject({ state: 'completed', total: N, succeeded: N, failed: 0 });

  const rows = new Map(
    (await env.pg.query<Row>('select id, version, display_name, labels from invocation where space_id = $1', [spaceId])).rows.map((r) => [r.id, r]),
  );
  const putOk = new Map(putOutcomes.filter((p) => p.status === 200).map((p) => [p.id, p]));
  expect(putOutcomes.filter((p) => p.status !== 200 && p.status !== 409).slice(0, 3)).toEqual([]);
  let lost = 0;
  let badVersion = 0;
  for (const row of rows.values()) {
    const put = putOk.get(row.id);
    if (row.labels.a !== 'from-a' || row.labels.b !== 'from-b') lost++;
    if (put && row.display_name !== put.name) lost++;
    if (row.version !== 1 + 2 + (put ? 1 : 0)) badVersion++;
  }
  expect(rows.size).toBe(N);
  expect(lost).toBe(0);
  expect(badVersion).toBe(0);
  // Each job recorded each entity once.
  const perJob = await env.pg.query<{ job_id: string; n: string; entities: string }>(
    `select job_id, count(*) as n, count(distinct entity_id) as entities from bulk_item where job_id = any($1) group by job_id`, [[jobA, jobB]],
  );
  expect(perJob.rows.map((r) => [Number(r.n), Number(r.entities)])).toEqual([[N, N], [N, N]]);
  // The two jobs really ran at the same time.
  const times = await env.pg.query<{ overlap_ms: number }>(
    `select extract(epoch from (least(a.finished_at, b.finished_at) - greatest(a.started_at, b.started_at))) * 1000 as overlap_ms
       from bulk_job a, bulk_job b where a.id = $1 and b.id = $2`, [jobA, jobB],
  );
  const overlapMs = Number(times.rows[0]!.overlap_ms);
  expect(overlapMs).toBeGreaterThan(0);
  console.log(JSON.stringify({
    test: 'concurrent bulk patches + PUTs', entities: N, puts: PUTS,
    jobsOverlapMs: Math.round(overlapMs), putsAccepted: putOk.size, putsRefused409: PUTS - putOk.size, lostUpdates: lost, versionMismatches: badVersion,
  }));
});
