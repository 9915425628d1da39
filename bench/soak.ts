/**
 * Soak run: one service instance (`node src/main.ts`, API and workers in one process) under mixed
 * single-entity traffic plus a stream of bulk patches, for SOAK_MINUTES (default 30). Every
 * SOAK_SAMPLE_SECONDS it samples the process's RSS, its V8 heap after a full GC (through the
 * inspector), the queue depth and the jobs' states into a CSV, and at the end prints the trends
 * and a verdict: no failed job, no 5xx, and (for runs of 10 minutes or more, after the first
 * fifth) no growth of the heap after GC beyond SOAK_MAX_HEAP_GROWTH_MB_PER_HOUR (default 10).
 * RSS is reported beside it: V8 and the allocator grow it lazily, so alone it shows no leak.
 *
 *   npm run bench:soak                       # 30 minutes
 *   SOAK_MINUTES=2 npm run bench:soak        # a quick check
 *
 * It makes its own database on the local PostgreSQL (SOAK_DATABASE_SERVER) and runs its own
 * redis-server on a free port, and removes both at the end. Output: bench/out/soak-<time>.csv/.json.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import pg from 'pg';
import { QUEUE_NAME } from '../src/workers/registry.ts';
import { HeapProbe } from './soak-inspect.ts';
import { bulkStream, newStats, percentile, singleEntityLoop, slope, type Stats, type Target } from './soak-traffic.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const env = (name: string, dflt: number) => Number(process.env[name] ?? dflt);
const MINUTES = env('SOAK_MINUTES', 30);
const SAMPLE_S = env('SOAK_SAMPLE_SECONDS', 5);
const LOOPS = env('SOAK_CONCURRENCY', 8);
const BULK_EVERY_S = env('SOAK_BULK_EVERY_SECONDS', 10);
const SEED = env('SOAK_SEED_INVOCATIONS', 5000);
const MAX_HEAP_GROWTH = env('SOAK_MAX_HEAP_GROWTH_MB_PER_HOUR', 10);
const SERVER = process.env.SOAK_DATABASE_SERVER ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const GROUPS = 10;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
const dbUrl = (name: string) => Object.assign(new URL(SERVER), { pathname: `/${name}` }).toString();
async function admin(sqlText: string) {
  const c = new pg.Client({ connectionString: SERVER });
  await c.connect();
  await c.query(sqlText).finally(() => c.end());
}
const rssMb = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;

interface Sample {
  t: number; rssMb: number; heapAfterGcMb: number; wait: number; active: number; delayed: number; qFailed: number;
  queued: number; running: number; completed: number; failedJobs: number; requests: number; rps: number; p50: number; p99: number; errors5xx: number;
}

async function main() {
  const dbName = `bulkops_soak_${randomBytes(4).toString('hex')}`;
  const redisPort = await freePort();
  const apiPort = await freePort();
  const inspectPort = await freePort();
  const token = `soak_${randomBytes(16).toString('hex')}`;
  await admin(`create database ${dbName}`);
  const redisProc = spawn('redis-server', ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  const service = spawn(process.execPath, [`--inspect=127.0.0.1:${inspectPort}`, 'src/main.ts'], {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'inherit'],
    env: {
      PATH: process.env.PATH ?? '', ROLE: 'all', PORT: String(apiPort), LOG_LEVEL: 'warn', BOOTSTRAP_TOKEN: token,
      DATABASE_URL: dbUrl(dbName), REDIS_URL: `redis://127.0.0.1:${redisPort}`, RATE_LIMIT_PER_MINUTE: '0', BULK_CHUNK_SIZE: '500',
    },
  });
  const base = `http://127.0.0.1:${apiPort}`;
  const cleanup = async () => {
    if (service.exitCode === null) {
      service.kill('SIGTERM');
      await new Promise((r) => service.once('exit', r));
    }
    redisProc.kill('SIGKILL');
    await admin(`drop database if exists ${dbName} with (force)`).catch(() => {});
  };
  process.once('SIGINT', () => void cleanup().then(() => process.exit(130)));
  try {
    for (let i = 0; i < 300; i++) {
      if ((await fetch(`${base}/healthz`).then((r) => r.status, () => 0)) === 200) break;
      await sleep(100);
    }
    const target = await setUp(base, token, dbName);
    const samples = await run(service.pid!, new HeapProbe(inspectPort), target, redisPort, dbName);
    report(samples, dbName, redisPort);
  } finally {
    await cleanup();
  }
}

async function setUp(base: string, token: string, dbName: string): Promise<Target> {
  const h = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  const space = await (await fetch(`${base}/space`, { method: 'POST', headers: h, body: JSON.stringify({ Slug: 'soak' }) })).json() as { SpaceID: string; OrganizationID: string };
  const c = new pg.Client({ connectionString: dbUrl(dbName) });
  await c.connect();
  await c.query(
    `insert into invocation (id, organization_id, space_id, slug, display_name, function_name, arguments, toolchain_type, labels, annotations, delete_gates, hash)
     select gen_random_uuid(), $1, $2, 'seed-' || g, 'seed', 'deploy', '[]', 'Kubernetes/YAML', jsonb_build_object('group', (g % ${GROUPS})::text), '{}', '{}', 'seed'
       from generate_series(1, $3::int) g`,
    [space.OrganizationID, space.SpaceID, SEED],
  );
  await c.end();
  return { base, token, spaceId: space.SpaceID, groups: GROUPS };
}

const stats: Stats = newStats();

async function run(pid: number, heap: HeapProbe, target: Target, redisPort: number, dbName: string): Promise<Sample[]> {
  const end = Date.now() + MINUTES * 60_000;
  const done = () => Date.now() > end;
  const loops = [...Array.from({ length: LOOPS }, (_, i) => singleEntityLoop(target, stats, i, done)), bulkStream(target, stats, BULK_EVERY_S * 1000, done)];
  const redis = new Redis(`redis://127.0.0.1:${redisPort}`, { maxRetriesPerRequest: null });
  const queue = new Queue(QUEUE_NAME, { connection: redis });
  const c = new pg.Client({ connectionString: dbUrl(dbName) });
  await c.connect();
  const samples: Sample[] = [];
  const t0 = Date.now();
  let lastRequests = 0;
  const sample = async () => {
    const q = await queue.getJobCounts('wait', 'active', 'delayed', 'failed');
    const jobs = await c.query<{ state: string; n: number }>('select state, count(*)::int as n from bulk_job group by state');
    const by = Object.fromEntries(jobs.rows.map((r) => [r.state, r.n]));
    const s: Sample = {
      t: Math.round((Date.now() - t0) / 1000), rssMb: Math.round(rssMb(pid) * 10) / 10, heapAfterGcMb: await heap.heapAfterGcMb(),
      wait: q.wait ?? 0, active: q.active ?? 0, delayed: q.delayed ?? 0, qFailed: q.failed ?? 0,
      queued: by.queued ?? 0, running: by.running ?? 0, completed: by.completed ?? 0, failedJobs: by.failed ?? 0,
      requests: stats.requests, rps: Math.round((stats.requests - lastRequests) / SAMPLE_S),
      p50: Math.round(percentile(stats.latenciesMs, 50)), p99: Math.round(percentile(stats.latenciesMs, 99)), errors5xx: stats.serverErrors,
    };
    // Latencies are kept per sample window only, so the driver's own memory stays flat.
    stats.latenciesMs.length = 0;
    lastRequests = stats.requests;
    samples.push(s);
    console.log(`${s.t}s rss=${s.rssMb}MB heap=${s.heapAfterGcMb}MB queue wait=${s.wait} active=${s.active} jobs running=${s.running} queued=${s.queued} done=${s.completed} failed=${s.failedJobs} rps=${s.rps} p99=${s.p99}ms 5xx=${s.errors5xx}`);
  };
  while (!done()) {
    await sleep(SAMPLE_S * 1000);
    await sample();
  }
  await Promise.all(loops);
  // Let the last bulk jobs finish before judging them.
  for (let i = 0; i < 240; i++) {
    const open = await c.query<{ n: number }>("select count(*)::int as n from bulk_job where state in ('queued', 'running')");
    if (open.rows[0]!.n === 0) break;
    await sleep(500);
  }
  await sample();
  const items = await c.query<{ category: string | null; n: number }>(
    "select result->'Error'->>'ErrorCategory' as category, count(*)::int as n from bulk_item where status = 'failed' group by 1",
  );
  itemFailures = Object.fromEntries(items.rows.map((r) => [r.category ?? 'unknown', r.n]));
  await c.end();
  await queue.close();
  redis.disconnect(); // a connection handed to BullMQ is not closed by it
  heap.close();
  return samples;
}

let itemFailures: Record<string, number> = {};

function report(samples: Sample[], dbName: string, redisPort: number): void {
  const last = samples.at(-1)!;
  const steady = samples.slice(Math.floor(samples.length / 5), -1);
  const perHour = (pts: Array<[number, number]>) => Math.round(slope(pts) * 3600 * 10) / 10;
  const rssTrend = perHour(steady.map((s) => [s.t, s.rssMb]));
  const heapTrend = perHour(steady.map((s) => [s.t, s.heapAfterGcMb]));
  const queueTrend = perHour(steady.map((s) => [s.t, s.wait + s.delayed]));
  const growthJudged = MINUTES >= 10;
  const verdict = {
    failedJobs: last.failedJobs, serverErrors: last.errors5xx, heapAfterGcGrowthMbPerHour: heapTrend, rssGrowthMbPerHour: rssTrend,
    queueDepthGrowthPerHour: queueTrend,
    ok: last.failedJobs === 0 && last.errors5xx === 0 && last.queued + last.running === 0 && (!growthJudged || heapTrend <= MAX_HEAP_GROWTH),
  };
  const summary = {
    minutes: MINUTES, loops: LOOPS, bulkEverySeconds: BULK_EVERY_S, requests: last.requests, byStatus: stats.byStatus,
    jobsSubmitted: stats.jobs.length, jobsCompleted: last.completed, itemFailuresByCategory: itemFailures,
    heapAfterGcMb: { first: samples[0]?.heapAfterGcMb, min: Math.min(...samples.map((s) => s.heapAfterGcMb)), max: Math.max(...samples.map((s) => s.heapAfterGcMb)), last: last.heapAfterGcMb },
    rssMb: { first: samples[0]?.rssMb, min: Math.min(...samples.map((s) => s.rssMb)), max: Math.max(...samples.map((s) => s.rssMb)), last: last.rssMb },
    maxQueueWait: Math.max(...samples.map((s) => s.wait)), growthJudged, verdict, database: dbName, redisPort,
  };
  mkdirSync(`${ROOT}bench/out`, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const header = Object.keys(samples[0]!).join(',');
  writeFileSync(`${ROOT}bench/out/soak-${stamp}.csv`, [header, ...samples.map((s) => Object.values(s).join(','))].join('\n') + '\n');
  writeFileSync(`${ROOT}bench/out/soak-${stamp}.json`, JSON.stringify({ summary, samples }, null, 2));
  console.log(`RSS trend:           ${spark(samples.map((s) => s.rssMb))} (${summary.rssMb.min}-${summary.rssMb.max} MB, ${rssTrend} MB/h after warm-up)`);
  console.log(`heap after GC trend: ${spark(samples.map((s) => s.heapAfterGcMb))} (${summary.heapAfterGcMb.min}-${summary.heapAfterGcMb.max} MB, ${heapTrend} MB/h after warm-up)`);
  console.log(JSON.stringify(summary, null, 2));
  console.log(`written: bench/out/soak-${stamp}.csv and .json`);
  process.exitCode = verdict.ok ? 0 : 1;
}

function spark(values: number[]): string {
  const bars = '▁▂▃▄▅▆▇█';
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  return values.map((v) => bars[hi === lo ? 0 : Math.round(((v - lo) / (hi - lo)) * 7)]).join('');
}

await main();
