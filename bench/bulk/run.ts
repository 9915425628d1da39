import { randomBytes } from 'node:crypto';
import { loadavg } from 'node:os';
import { Queue } from 'bullmq';
import { sql } from 'kysely';
import { db } from '../../src/domain/db.ts';
import { createRedis } from '../../src/infra/redis.ts';
import { QUEUE_NAME } from '../../src/workers/registry.ts';
import { compareApi, type ApiRow } from './api-load.ts';
import { applyServerSettings, BLOCK, type BenchDatabase, createBenchDatabase, dropBenchDatabase, seedInvocations, serverActivity, vacuum } from './database.ts';
import { type BulkCase, type BulkOp, runFloor, runJob } from './jobs.ts';
import { runNaive, type NaiveTiming } from './naive.ts';
import { checkTargets, type TargetCheck } from './targets.ts';
import { jobPhases, type JobPhases, readLogs } from './chunk-log.ts';
import { median } from './stats.ts';
import { type Child, cpuBetween, freePort, machineCpu, type MachineCpu, MAIN_SCRIPT, memoryOf, startChild, stopAllChildren } from './service.ts';

export interface BulkBenchOptions {
  n: number;
  serverUrl: string;
  redisUrl: string;
  dbName?: string;
  /** Job sizes (besides n) whose patch cost per entity is measured too. */
  scale: number[];
  /** How often each of those smaller jobs runs, each time on other blocks (default 3): a job of a second moves with the host. */
  scaleRuns?: number;
  naiveSample: number;
  loadSeconds: number;
  connections: number;
  /** Service settings passed to the processes (unset: the service's defaults). */
  chunkSize?: number;
  concurrency?: number;
  /** Further settings of the service's processes (`--set K=V`), for comparing one setting's effect. */
  serviceEnv?: Record<string, string>;
  /** PostgreSQL server settings for this run only (`--pg-set K=V`; applyServerSettings). */
  pgSettings?: Record<string, string>;
  workers: number;
  logLevel: string;
  /** Write a CPU profile of each worker process into this directory. */
  cpuProfDir?: string;
  /** Log statements slower than this (ms) with their plans to the PostgreSQL server log. */
  explainMs?: number;
  skipApi?: boolean;
  /** RATE_LIMIT_PER_MINUTE of the service (default 1,000,000: counted, never reached; 0: off). */
  rateLimit?: number;
  /** Skip the second patch and delete run with BULK_RECORD_UNDO=false. */
  skipNoUndo?: boolean;
  /** Only the single-entity calls (for working on the API path). */
  skipBulk?: boolean;
  /** No CHECKPOINT before each bulk measurement (default: one before each). */
  noCheckpoint?: boolean;
  log?: (line: string) => void;
}

export interface BulkRow {
  op: BulkOp;
  entities: number;
  oursSeconds: number;
  oursPerSecond: number;
  floorSeconds: number;
  floorPerSecond: number;
  /** ours / floor time: 1 is the physical limit. */
  oursOverFloor: number;
  /** The naive loop's time for the same entities, extrapolated from its sample. */
  naiveSeconds: number;
  naiveOverOurs: number;
}

/** Patch and delete once more with BULK_RECORD_UNDO=false: what recording the undo data costs. */
export interface UndoRow {
  op: 'patch' | 'delete';
  withUndoSeconds: number;
  withoutUndoSeconds: number;
  floorSeconds: number;
}

export interface ScaleRow {
  entities: number;
  /** Medians over the runs (one run for the job of all N). */
  oursMicrosPerEntity: number;
  floorMicrosPerEntity: number;
  /** Each run's figure, in the order run (ours and floor alternate, each run on its own blocks). */
  oursRuns: number[];
  floorRuns: number[];
}

/** One timed job or statement, with what the PostgreSQL server did while it ran. */
export interface Measurement {
  /** ours (through the service), floor (one statement); `ours no-undo` with BULK_RECORD_UNDO=false; warm-up is not reported elsewhere. */
  kind: 'ours' | 'floor' | 'ours no-undo' | 'warm-up';
  op: BulkOp;
  entities: number;
  seconds: number;
  /** Checkpoints the server began meanwhile (the one the bench asks for before each is not counted). */
  checkpoints: number;
  /** WAL the server wrote meanwhile. */
  walMiB: number;
  /** Autovacuum and autoanalyze runs that finished meanwhile on the bench database's tables (they take CPU from the job). */
  autovacuums: number;
  /** The machine's CPU meanwhile, all cores (null off Linux): how much of it was busy, waited on the disk, or was taken by the host. */
  cpu: MachineCpu | null;
  /** A job through the service: its planning and its chunks' times by tenth, from the workers' logs (null for the floor, or with a log level above info). */
  phases: JobPhases | null;
}

export interface BulkBenchResults {
  meta: Record<string, unknown>;
  /** Every bulk measurement in the order run. */
  measurements: Measurement[];
  bulk: BulkRow[];
  scale: ScaleRow[];
  naive: NaiveTiming;
  api: ApiRow[];
  undo: UndoRow[];
  workerPeakRssMiB: number;
  /** Each speed target against this run's figures (bench/bulk/targets.ts). */
  targets: TargetCheck[];
}

export interface Services {
  apiUrl: string;
  api: Child;
  workers: Child[];
  prefix: string;
  /** What the API process was started with, for a restart with other settings. */
  env: Record<string, string>;
}

export async function startServices(bdb: BenchDatabase, o: BulkBenchOptions): Promise<Services> {
  const prefix = `bulkops-bench-${randomBytes(4).toString('hex')}`;
  const port = await freePort();
  const env: Record<string, string> = {
    DATABASE_URL: bdb.url,
    REDIS_URL: o.redisUrl,
    QUEUE_PREFIX: prefix,
    LOG_LEVEL: o.logLevel,
    PORT: String(port),
    // The limiter stays on (its Redis round trip is part of every call measured) but must never
    // refuse: a refused request is not a measurement.
    RATE_LIMIT_PER_MINUTE: String(o.rateLimit ?? 1_000_000),
    // as the production image runs (Dockerfile); the tests run with the checks on
    CHECK_RESPONSES: 'false',
    ...(o.chunkSize ? { BULK_CHUNK_SIZE: String(o.chunkSize) } : {}),
    ...(o.concurrency ? { WORKER_CONCURRENCY: String(o.concurrency) } : {}),
    ...o.serviceEnv,
  };
  const apiUrl = `http://127.0.0.1:${port}`;
  const healthy = async () => (await fetch(`${apiUrl}/healthz`)).ok;
  const flags = o.cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${o.cpuProfDir}`] : [];
  const api = await startChild('api', MAIN_SCRIPT, { ...env, ROLE: 'api' }, healthy, flags, 'bench/logs/api.log');
  const workers: Child[] = [];
  for (let i = 0; i < o.workers; i++) {
    // Ready when its metrics listener answers (it opens after the workers run), whatever the log level.
    const metricsPort = await freePort();
    const serving = async () => (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).ok;
    const logFile = `bench/logs/worker-${i}.log`;
    workers.push(await startChild(`worker-${i}`, MAIN_SCRIPT, { ...env, ROLE: 'worker', METRICS_PORT: String(metricsPort) }, serving, flags, logFile));
  }
  return { apiUrl, api, workers, prefix, env };
}

/** Restarts the API process on the same port with some settings changed (the API fixes them on each job). */
export async function restartApi(s: Services, changes: Record<string, string>): Promise<void> {
  await s.api.stop();
  const healthy = async () => (await fetch(`${s.apiUrl}/healthz`)).ok;
  s.api = await startChild('api', MAIN_SCRIPT, { ...s.env, ...changes, ROLE: 'api' }, healthy, [], 'bench/logs/api-restarted.log');
}

export async function stopServices(s: Services, redisUrl: string): Promise<void> {
  await s.api.stop();
  for (const w of s.workers) await w.stop();
  const connection = createRedis(redisUrl);
  const queue = new Queue(QUEUE_NAME, { connection, prefix: s.prefix });
  await queue.obliterate({ force: true }).catch(() => {});
  await queue.close();
  connection.disconnect();
}

/** Seeds, starts the service, measures everything in one run on one database, and cleans up. */
export async function runBulkBench(o: BulkBenchOptions): Promise<BulkBenchResults> {
  const log = o.log ?? (() => {});
  const name = o.dbName ?? `bulkops_bench_${randomBytes(4).toString('hex')}`;
  const meta = { n: o.n, startedAt: new Date().toISOString(), loadBefore: loadavg(), node: process.version, workers: o.workers,
    chunkSize: o.chunkSize ?? 'default', concurrency: o.concurrency ?? 'default', logLevel: o.logLevel, serviceEnv: o.serviceEnv ?? {},
    checkpointBeforeEach: !o.noCheckpoint };
  let bdb: BenchDatabase | undefined;
  let services: Services | undefined;
  const server = await applyServerSettings(o.serverUrl, o.pgSettings ?? {});
  try {
    let t = performance.now();
    bdb = await createBenchDatabase(o.serverUrl, name, o.explainMs);
    await seedInvocations(bdb, o.n);
    log(`seeded ${o.n} invocations in ${secs(t)} s`);
    t = performance.now();
    services = await startServices(bdb, o);
    log(`service started in ${secs(t)} s (api + ${o.workers} worker process(es))`);
    const results = await measure(bdb, services, o, log);
    results.workerPeakRssMiB = Math.max(results.workerPeakRssMiB, ...services.workers.map((w) => memoryOf(w.pid).peakMiB));
    const full = { ...results, meta: { ...meta, pg: await pgVersion(bdb), pgServer: await pgServerSettings(bdb), pgSettings: server.effective,
      loadAfter: loadavg(), finishedAt: new Date().toISOString() } };
    return { ...full, targets: checkTargets(full) };
  } finally {
    try {
      if (services) await stopServices(services, o.redisUrl);
      // A start that failed half way (a worker never became ready) leaves the API running.
      await stopAllChildren();
      await dropBenchDatabase(o.serverUrl, bdb ?? { name });
    } finally {
      await server.reset();
    }
  }
}

async function measure(bdb: BenchDatabase, s: Services, o: BulkBenchOptions, log: (l: string) => void) {
  if (o.skipBulk) {
    const naive = { sample: 0, patchSecondsPerEntity: 0, cloneSecondsPerEntity: 0, deleteSecondsPerEntity: 0 };
    return { measurements: [], bulk: [], scale: [], naive, api: await apiRows(bdb, s, o, log), undo: [], workerPeakRssMiB: 0 };
  }
  const pid = s.workers[0]!.pid;
  let peak = 0;
  const measurements: Measurement[] = [];
  const settle = () => vacuum(bdb, { checkpoint: !o.noCheckpoint });
  const logPaths = s.workers.flatMap((w) => (w.logPath ? [w.logPath] : []));
  const timed = async <T extends { seconds: number; jobId?: string }>(kind: Measurement['kind'], c: BulkCase, entities: number, run: () => Promise<T>) => {
    await settle();
    const before = await serverActivity(bdb);
    const cpuBefore = machineCpu();
    const r = await run();
    const cpu = cpuBetween(cpuBefore, machineCpu());
    const after = await serverActivity(bdb);
    // The service writes its log in batches at least every 100 ms: the last chunk's line follows.
    if (r.jobId) await new Promise((done) => setTimeout(done, LOG_FLUSH_MS));
    measurements.push({
      kind, op: c.op, entities, seconds: r.seconds,
      checkpoints: after.checkpoints - before.checkpoints,
      walMiB: (after.walBytes - before.walBytes) / 2 ** 20,
      autovacuums: after.autovacuums - before.autovacuums,
      cpu,
      phases: r.jobId ? jobPhases(readLogs(logPaths), r.jobId) : null,
    });
    return r;
  };
  const ours = async (c: BulkCase, expected: number, kind: Exclude<Measurement['kind'], 'floor'> = 'ours') => {
    const r = await timed(kind, c, expected, () => runJob(bdb, s.apiUrl, pid, c));
    if (r.succeeded !== expected || r.failed !== 0) {
      throw new Error(`${c.op} ${c.where}: ${r.succeeded} succeeded, ${r.failed} failed, expected ${expected} successes`);
    }
    peak = Math.max(peak, r.workerPeakRssMiB);
    log(`  ours  ${c.op.padEnd(6)} ${expected} in ${r.seconds.toFixed(2)} s (worker RSS peak ${r.workerPeakRssMiB.toFixed(0)} MiB)`);
    return r.seconds;
  };
  const floor = async (c: BulkCase, expected: number) => {
    const r = await timed('floor', c, expected, () => runFloor(bdb, c));
    if (r.rows !== expected) throw new Error(`floor ${c.op} ${c.where}: ${r.rows} rows, expected ${expected}`);
    log(`  floor ${c.op.padEnd(6)} ${expected} in ${r.seconds.toFixed(2)} s`);
    return r.seconds;
  };

  // Ten chunks (inv-10000 to inv-19999), so that every connection the worker runs chunks on has
  // planned their statements once: the cost per entity measured is a running service's, which its
  // pool keeps warm (DATABASE_POOL_MIN), not a new server process's first plans. One chunk warmed
  // one connection, and the 10,000-entity job planned on cold ones (docs/benchmarks.md, "Small jobs: warm connections").
  const warm = await count(bdb, "slug like 'inv-1____'");
  await ours({ op: 'patch', where: "Slug LIKE 'inv-1____'", body: { Labels: { warm: 'up' } } }, warm, 'warm-up');

  const scale: ScaleRow[] = [];
  const micros = (seconds: number, entities: number) => (seconds / entities) * 1e6;
  for (const size of [...o.scale.filter((x) => x < o.n), o.n]) {
    if (size >= o.n) {
      const os = await ours({ op: 'patch', where: "Labels.set = 'orig'", body: { Labels: { bench: `ours-${size}` } } }, o.n);
      const fs = await floor({ op: 'patch', where: "Labels.set = 'orig'", body: { Labels: { bench: `floor-${size}` } } }, o.n);
      scale.push({ entities: o.n, oursMicrosPerEntity: micros(os, o.n), floorMicrosPerEntity: micros(fs, o.n), oursRuns: [micros(os, o.n)], floorRuns: [micros(fs, o.n)] });
      continue;
    }
    const oursRuns: number[] = [];
    const floorRuns: number[] = [];
    let entities = 0;
    for (const run of scaleRunBlocks(o.n, size, o.scaleRuns ?? 3)) {
      const blocks = run.map((b) => `'${b}'`).join(', ');
      const where = `Labels.block IN (${blocks})`;
      entities = await count(bdb, `labels->>'block' in (${blocks})`);
      if (entities >= o.n) break; // the same job as the full one
      oursRuns.push(micros(await ours({ op: 'patch', where, body: { Labels: { bench: `ours-${size}` } } }, entities), entities));
      floorRuns.push(micros(await floor({ op: 'patch', where, body: { Labels: { bench: `floor-${size}` } } }, entities), entities));
    }
    if (oursRuns.length === 0) continue;
    scale.push({ entities, oursMicrosPerEntity: median(oursRuns), floorMicrosPerEntity: median(floorRuns), oursRuns, floorRuns });
  }
  const patch = scale[scale.length - 1]!;
  const times: Record<BulkOp, { ours: number; floor: number }> = {
    patch: { ours: (patch.oursMicrosPerEntity * o.n) / 1e6, floor: (patch.floorMicrosPerEntity * o.n) / 1e6 },
    clone: {
      ours: await ours({ op: 'clone', where: "Slug LIKE 'inv-%'", prefix: 'c-' }, o.n),
      floor: await floor({ op: 'clone', where: "Slug LIKE 'inv-%'", prefix: 'f-' }, o.n),
    },
    delete: { ours: 0, floor: 0 },
  };
  times.delete.ours = await ours({ op: 'delete', where: "Slug LIKE 'c-%'" }, o.n);
  times.delete.floor = await floor({ op: 'delete', where: "Slug LIKE 'f-%'" }, o.n);

  await settle();
  const naive = await runNaive(bdb, Math.min(o.naiveSample, o.n), 'naive');
  log(`  naive loop on ${naive.sample}: patch ${(naive.patchSecondsPerEntity * 1e3).toFixed(2)} ms, clone ${(naive.cloneSecondsPerEntity * 1e3).toFixed(2)} ms, delete ${(naive.deleteSecondsPerEntity * 1e3).toFixed(2)} ms per entity`);
  const perEntity: Record<BulkOp, number> = {
    patch: naive.patchSecondsPerEntity,
    clone: naive.cloneSecondsPerEntity,
    delete: naive.deleteSecondsPerEntity,
  };
  const bulk = (['patch', 'clone', 'delete'] as const).map((op): BulkRow => {
    const t = times[op];
    const naiveSeconds = perEntity[op] * o.n;
    return {
      op,
      entities: o.n,
      oursSeconds: t.ours,
      oursPerSecond: o.n / t.ours,
      floorSeconds: t.floor,
      floorPerSecond: o.n / t.floor,
      oursOverFloor: t.ours / t.floor,
      naiveSeconds,
      naiveOverOurs: naiveSeconds / t.ours,
    };
  });
  const undo: UndoRow[] = [];
  if (!o.skipNoUndo) {
    await restartApi(s, { BULK_RECORD_UNDO: 'false' });
    const patched = await ours({ op: 'patch', where: "Labels.set = 'orig'", body: { Labels: { bench: 'no-undo' } } }, o.n, 'ours no-undo');
    await ours({ op: 'clone', where: "Slug LIKE 'inv-%'", prefix: 'd-' }, o.n, 'ours no-undo');
    const deleted = await ours({ op: 'delete', where: "Slug LIKE 'd-%'" }, o.n, 'ours no-undo');
    await restartApi(s, {});
    undo.push({ op: 'patch', withUndoSeconds: times.patch.ours, withoutUndoSeconds: patched, floorSeconds: times.patch.floor });
    undo.push({ op: 'delete', withUndoSeconds: times.delete.ours, withoutUndoSeconds: deleted, floorSeconds: times.delete.floor });
  }
  const api = o.skipApi ? [] : await apiRows(bdb, s, o, log);
  return { measurements, bulk, scale, naive, api, undo, workerPeakRssMiB: peak };
}

async function apiRows(bdb: BenchDatabase, s: Services, o: BulkBenchOptions, log: (l: string) => void): Promise<ApiRow[]> {
  await vacuum(bdb);
  const sample = await sql<{ id: string; space_id: string }>`
    select id, space_id from invocation where slug like 'inv-%' order by random() limit 10000`.execute(db(bdb.orm.em.fork()));
  const spaceOf = new Map(sample.rows.map((r) => [r.id, r.space_id]));
  const port = await freePort();
  const bare = await startChild('bare floor', 'bench/bulk/bare-server.ts', {
    DATABASE_URL: bdb.url,
    PORT: String(port),
    ORGANIZATION_ID: bdb.actor.organizationId,
  }, 'bare floor ready');
  try {
    const rows = await compareApi(
      { baseUrl: s.apiUrl, headers: { authorization: `Bearer ${bdb.secret}` }, spaceOf },
      { baseUrl: `http://127.0.0.1:${port}`, headers: {}, spaceOf },
      { connections: o.connections, seconds: o.loadSeconds },
    );
    for (const r of rows) log(`  ${r.call}: ours ${r.ours.rps.toFixed(0)}/s p99 ${r.ours.p99} ms, floor ${r.floor.rps.toFixed(0)}/s p99 ${r.floor.p99} ms`);
    return rows;
  } finally {
    await bare.stop();
  }
}

/**
 * The Labels.block numbers each run of a smaller job patches. A job of 10,000 takes about a second,
 * which the host moves by up to 2x between runs: it runs several times, each run on blocks no
 * earlier run of this size patched, from block 3 (the warm-up patched block 2), as many runs as
 * the table holds; the medians are compared. A table too small for that gets one run on block 1.
 */
export function scaleRunBlocks(n: number, size: number, runs: number): number[][] {
  const width = Math.max(1, Math.ceil(size / BLOCK));
  const full = Math.floor(n / BLOCK);
  const out: number[][] = [];
  for (let r = 0; r < runs; r++) {
    const from = 3 + r * width;
    if (from + width - 1 > full) break;
    out.push(Array.from({ length: width }, (_, i) => from + i));
  }
  return out.length > 0 ? out : [Array.from({ length: width }, (_, i) => 1 + i)];
}


async function count(bdb: BenchDatabase, condition: string): Promise<number> {
  const r = await sql<{ n: string }>`select count(*) as n from invocation where ${sql.raw(condition)}`.execute(db(bdb.orm.em.fork()));
  return Number(r.rows[0]?.n ?? 0);
}

/** The server settings that move bulk figures most, as this run had them. */
export const PG_SERVER_SETTINGS = ['shared_buffers', 'max_wal_size', 'checkpoint_timeout', 'wal_compression', 'synchronous_commit', 'autovacuum'];

async function pgServerSettings(bdb: BenchDatabase): Promise<Record<string, string>> {
  const r = await sql<{ name: string; v: string }>`
    select name, current_setting(name) as v from pg_settings where name = any(${PG_SERVER_SETTINGS})`.execute(db(bdb.orm.em.fork()));
  return Object.fromEntries(PG_SERVER_SETTINGS.map((n) => [n, r.rows.find((x) => x.name === n)?.v ?? '?']));
}

async function pgVersion(bdb: BenchDatabase): Promise<string> {
  const r = await sql<{ v: string }>`select current_setting('server_version') as v`.execute(db(bdb.orm.em.fork()));
  return r.rows[0]?.v ?? '?';
}

/** Longer than the service's log batching interval (src/infra/logger.ts). */
const LOG_FLUSH_MS = 300;

const secs = (start: number) => ((performance.now() - start) / 1000).toFixed(1);
