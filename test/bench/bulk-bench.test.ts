import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseOptions } from '../../bench/bulk.ts';
import { formatResults } from '../../bench/bulk/report.ts';
import { PG_SERVER_SETTINGS, runBulkBench, scaleRunBlocks, type BulkBenchResults } from '../../bench/bulk/run.ts';
import { median } from '../../bench/bulk/stats.ts';
import { checkTargets } from '../../bench/bulk/targets.ts';
import { applyServerSettings } from '../../bench/bulk/database.ts';
import { loadConfig } from '../../src/config.ts';
import { SERVER_URL, withAdmin } from '../helpers/db.ts';

const N = 2000;

/**
 * A smoke run of `npm run bench` at a small N: the real service in child processes, every
 * measurement taken once. Timings mean nothing at this size; that every figure is there and
 * plausible, the checks inside the bench passed (every job completed with N successes, the floor
 * changed N rows) and the database is gone afterwards is what this asserts.
 */
describe('npm run bench (smoke, N = 2,000)', () => {
  it('measures every figure and cleans up after itself', { timeout: 60_000 }, async () => {
    const dbName = `bulkops_bench_t_${randomBytes(4).toString('hex')}`;
    const options = parseOptions(['--n', String(N), '--naive', '50', '--seconds', '1', '--connections', '10']);
    const r = await runBulkBench({
      ...options,
      dbName,
      serverUrl: SERVER_URL,
      redisUrl: process.env.TEST_REDIS_URL ?? options.redisUrl,
    });

    expect(r.bulk.map((b) => b.op)).toEqual(['patch', 'clone', 'delete']);
    for (const b of r.bulk) {
      expect(b.entities).toBe(N);
      for (const x of [b.oursSeconds, b.floorSeconds, b.naiveSeconds]) expect(x).toBeGreaterThan(0);
      expect(b.oursPerSecond).toBeCloseTo(N / b.oursSeconds, 6);
      expect(b.oursOverFloor).toBeCloseTo(b.oursSeconds / b.floorSeconds, 6);
      expect(b.naiveOverOurs).toBeCloseTo(b.naiveSeconds / b.oursSeconds, 6);
      // A 2,000-entity job through HTTP, Redis and a worker takes well under a minute here.
      expect(b.oursSeconds).toBeLessThan(60);
    }
    expect(r.naive.sample).toBe(50);
    expect(r.scale).toHaveLength(1);
    expect(r.scale[0]?.entities).toBe(N);
    expect(r.scale[0]?.oursRuns).toEqual([r.scale[0]?.oursMicrosPerEntity]);
    expect(r.api.map((a) => a.call)).toEqual(['GET', 'PATCH']);
    for (const a of r.api) {
      expect(a.ours.requests).toBeGreaterThan(0);
      expect(a.floor.requests).toBeGreaterThan(0);
      expect(a.ours.p99).toBeGreaterThanOrEqual(a.ours.p50);
      expect(a.share).toBeCloseTo(a.ours.rps / a.floor.rps, 6);
    }
    expect(r.api.every((a) => a.ours.bad === 0 && a.floor.bad === 0)).toBe(true);
    expect(r.undo.map((u) => u.op)).toEqual(['patch', 'delete']);
    for (const u of r.undo) for (const x of [u.withUndoSeconds, u.withoutUndoSeconds, u.floorSeconds]) expect(x).toBeGreaterThan(0);
    // A Node process with the ORM loaded: tens of MiB at least, far below a GiB.
    expect(r.workerPeakRssMiB).toBeGreaterThan(30);
    expect(r.workerPeakRssMiB).toBeLessThan(1024);

    // Warm-up, the patch, clone and delete each ours then floor, then the three without undo data.
    expect(r.measurements.map((m) => `${m.kind} ${m.op}`)).toEqual([
      'warm-up patch', 'ours patch', 'floor patch', 'ours clone', 'floor clone', 'ours delete', 'floor delete',
      'ours no-undo patch', 'ours no-undo clone', 'ours no-undo delete',
    ]);
    for (const m of r.measurements) {
      expect(Number.isInteger(m.checkpoints) && m.checkpoints >= 0).toBe(true);
      expect(Number.isInteger(m.autovacuums) && m.autovacuums >= 0).toBe(true);
      // Every change of a row writes WAL; a 2,000-row change writes far less than a GiB.
      expect(m.walMiB).toBeGreaterThan(0);
      expect(m.walMiB).toBeLessThan(1024);
      // Two cores for as long as the measurement ran, give or take a tick (10 ms) of /proc/stat each;
      // a floor statement of a few ms may fall between ticks.
      const cpu = m.cpu!;
      for (const x of [cpu.busy, cpu.idle, cpu.iowait, cpu.steal]) expect(x).toBeGreaterThanOrEqual(0);
      if (m.seconds > 0.2) expect(cpu.busy).toBeGreaterThan(0);
      expect(cpu.busy + cpu.idle + cpu.iowait + cpu.steal).toBeLessThanOrEqual(2 * m.seconds + 0.05 + 0.2);
    }
    // Each job through the service was read back from the worker's log: planned, then one chunk per 1,000 entities (the default chunk size).
    for (const m of r.measurements) {
      if (m.kind === 'floor') {
        expect(m.phases).toBeNull();
        continue;
      }
      expect(m.phases?.planSeconds).toBeGreaterThan(0);
      expect(m.phases?.planSeconds).toBeLessThan(m.seconds);
      expect(m.phases?.chunks).toBe(Math.ceil(m.entities / 1000));
      for (const ms of m.phases!.chunkMsByTenth) expect(ms).toBeGreaterThan(0);
    }
    const wal = (kind: string, op: string) => r.measurements.find((m) => m.kind === kind && m.op === op)!.walMiB;
    // The service also writes a result and an undo row for each entity: more WAL than the statement alone.
    expect(wal('ours', 'patch')).toBeGreaterThan(wal('floor', 'patch'));
    expect(wal('ours', 'delete')).toBeGreaterThan(wal('floor', 'delete'));
    expect(r.measurements.find((m) => m.kind === 'ours' && m.op === 'patch')?.seconds).toBeCloseTo((r.scale[0]!.oursMicrosPerEntity * N) / 1e6, 6);

    const text = formatResults(r);
    expect(text).toContain('| ours delete ');
    expect(text).toMatch(/median chunk ms, first tenth to last/);
    // The run says which server settings it had; this server's own answer for each.
    const shown = await withAdmin((c) => c.query<{ v: string }>("select current_setting('max_wal_size') as v"));
    expect(r.meta.pgServer).toMatchObject({ max_wal_size: shown.rows[0]!.v });
    expect(Object.keys(r.meta.pgServer as object)).toEqual(PG_SERVER_SETTINGS);
    expect(text).toContain(`max_wal_size=${shown.rows[0]!.v}`);
    expect(text).toContain('| patch ');
    expect(text).toContain('| GET ');
    expect(text).toContain('BULK_RECORD_UNDO=false');
    expect(text).toMatch(/worker peak RSS: \d+ MiB/);
    // Every target the run measured has a verdict: one job size compares no flatness, and RSS is
    // judged only at 1,000,000 entities.
    expect(r.targets).toHaveLength(8);
    expect(r.targets.find((t) => t.id === 'rss')?.met).toBeNull();
    expect(r.targets.find((t) => t.id === 'get')?.met).not.toBeNull();
    expect(text).toMatch(/\| patch: at most 2x the floor's time +\| +\d+\.\d\dx \| +(met|NOT MET) \|/);
    const left = await withAdmin((c) => c.query('select 1 from pg_database where datname = $1', [dbName]));
    expect(left.rowCount).toBe(0);
  });

  it('sets server settings for a run and resets them, refusing what a reload cannot apply or a reset would lose', async () => {
    // checkpoint_warning only decides when the server log warns of frequent checkpoints.
    const now = async () => (await withAdmin((c) => c.query<{ v: string }>("select current_setting('checkpoint_warning') as v"))).rows[0]!.v;
    const held = async () =>
      (await withAdmin((c) => c.query("select 1 from pg_file_settings where name = 'checkpoint_warning' and sourcefile like '%postgresql.auto.conf'"))).rowCount;
    // A run of this test that died half way would leave the setting behind.
    await withAdmin(async (c) => {
      await c.query('alter system reset checkpoint_warning');
      await c.query('select pg_reload_conf()');
    });
    const before = await now();
    const asked = before === '47s' ? '53s' : '47s';

    const server = await applyServerSettings(SERVER_URL, { checkpoint_warning: asked });
    expect(server.effective).toEqual({ checkpoint_warning: asked });
    expect(await now()).toBe(asked);
    // A second run cannot take over a value the first set: its reset would remove it.
    await expect(applyServerSettings(SERVER_URL, { checkpoint_warning: '59s' })).rejects.toThrow(/ALTER SYSTEM holds a value/);
    await server.reset();
    expect(await held()).toBe(0);
    await expect.poll(now).toBe(before);

    await expect(applyServerSettings(SERVER_URL, { shared_buffers: '1GB' })).rejects.toThrow(/only when the server restarts/);
    await expect(applyServerSettings(SERVER_URL, { no_such_setting: '1' })).rejects.toThrow(/no such PostgreSQL setting/);
    // A value refused after one accepted: the accepted one is undone as well.
    await expect(applyServerSettings(SERVER_URL, { checkpoint_warning: asked, max_wal_size: 'banana' })).rejects.toThrow(/max_wal_size/);
    expect(await held()).toBe(0);
    expect(parseOptions(['--pg-set', 'max_wal_size=16GB', '--pg-set', 'checkpoint_timeout=30min']).pgSettings).toEqual({
      max_wal_size: '16GB',
      checkpoint_timeout: '30min',
    });
    expect(() => parseOptions(['--pg-set', 'max_wal_size'])).toThrow(/--pg-set: expected NAME=value/);
  });

  it('runs a smaller job on blocks of its own each time, as many times as the table holds', () => {
    // 100,000 invocations are blocks 1-10 of 10,000; the warm-up patched block 2.
    expect(scaleRunBlocks(100_000, 10_000, 3)).toEqual([[3], [4], [5]]);
    expect(scaleRunBlocks(1_000_000, 100_000, 3)).toEqual([[3, 4, 5, 6, 7, 8, 9, 10, 11, 12], [13, 14, 15, 16, 17, 18, 19, 20, 21, 22], [23, 24, 25, 26, 27, 28, 29, 30, 31, 32]]);
    expect(scaleRunBlocks(50_000, 20_000, 3)).toEqual([[3, 4]]);
    expect(scaleRunBlocks(40_000, 20_000, 3)).toEqual([[3, 4]]);
    expect(scaleRunBlocks(30_000, 20_000, 3)).toEqual([[1, 2]]);
    expect(scaleRunBlocks(100_000, 10_000, 1)).toEqual([[3]]);
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(parseOptions(['--scale-runs', '5']).scaleRuns).toBe(5);
    expect(() => parseOptions(['--scale-runs', '0'])).toThrow(/--scale-runs/);
  });

  it('refuses bad options and a bad QUEUE_PREFIX, naming them', () => {
    expect(() => parseOptions(['--n', '0'])).toThrow(/--n/);
    expect(() => parseOptions(['--set', 'NOEQUALS'])).toThrow(/--set/);
    expect(parseOptions(['--set', 'DATABASE_POOL_MIN=0', '--set', 'X=a=b']).serviceEnv).toEqual({ DATABASE_POOL_MIN: '0', X: 'a=b' });
    expect(parseOptions([]).serviceEnv).toBeUndefined();
    expect(parseOptions([]).noCheckpoint).toBe(false);
    expect(parseOptions(['--no-checkpoint']).noCheckpoint).toBe(true);
    expect(() => loadConfig({ QUEUE_PREFIX: 'has space' })).toThrow(/QUEUE_PREFIX/);
    expect(loadConfig({ QUEUE_PREFIX: 'bench-1:a' }).QUEUE_PREFIX).toBe('bench-1:a');
  });

  it('judges each target from the figures, and says where a run did not measure one', () => {
    const run = (o: { patch: number; del: number; naive: number; scale: number[]; n: number; rss: number; get: [number, number, number] }) => {
      const bulk = (['patch', 'clone', 'delete'] as const).map((op) => {
        const floorSeconds = 10;
        const oursSeconds = floorSeconds * (op === 'patch' ? o.patch : op === 'delete' ? o.del : 1);
        const naiveSeconds = oursSeconds * o.naive;
        return { op, entities: o.n, oursSeconds, oursPerSecond: o.n / oursSeconds, floorSeconds, floorPerSecond: o.n / floorSeconds,
          oursOverFloor: oursSeconds / floorSeconds, naiveSeconds, naiveOverOurs: naiveSeconds / oursSeconds };
      });
      const scale = o.scale.map((us, k) => ({ entities: 10_000 * 10 ** k, oursMicrosPerEntity: us, floorMicrosPerEntity: 80, oursRuns: [us], floorRuns: [80] }));
      const [share, p99, bad] = o.get;
      const load = { requests: 1, rps: 1, p50: 1, p99, bad };
      const api = [{ call: 'GET', ours: load, floor: { ...load, bad: 0 }, share }];
      return { meta: {}, bulk, scale, naive: { sample: 1, patchSecondsPerEntity: 0, cloneSecondsPerEntity: 0, deleteSecondsPerEntity: 0 },
        api, undo: [], workerPeakRssMiB: o.rss } as unknown as Omit<BulkBenchResults, 'targets'>;
    };
    const met = (r: ReturnType<typeof run>) => Object.fromEntries(checkTargets(r).map((t) => [t.id, t.met]));

    expect(met(run({ patch: 1.5, del: 2.9, naive: 60, scale: [100, 90, 110], n: 1_000_000, rss: 450, get: [0.7, 30, 0] }))).toEqual({
      'patch-floor': true, 'clone-floor': true, 'delete-floor': true, 'patch-naive': true, 'clone-naive': true, 'delete-naive': true, flatness: true, rss: true, get: true,
    });
    // Each limit crossed: 2.1x, 3.1x, 49x, a spread of 1.26, 512 MiB, p99 of 50 ms.
    expect(met(run({ patch: 2.1, del: 3.1, naive: 49, scale: [126, 100], n: 1_000_000, rss: 512, get: [0.9, 50, 0] }))).toEqual({
      'patch-floor': false, 'clone-floor': true, 'delete-floor': false, 'patch-naive': false, 'clone-naive': false, 'delete-naive': false, flatness: false, rss: false, get: false,
    });
    const small = checkTargets(run({ patch: 1, del: 1, naive: 60, scale: [100], n: 100_000, rss: 900, get: [0.5, 10, 3] }));
    // One size compares nothing; RSS counts only at 1,000,000; a load run with errors measured nothing.
    expect(small.some((t) => t.id === 'flatness')).toBe(false);
    expect(small.find((t) => t.id === 'rss')?.met).toBeNull();
    expect(small.find((t) => t.id === 'get')).toMatchObject({ met: null, measured: 'no measurement (answers not 2xx)' });
  });
});
