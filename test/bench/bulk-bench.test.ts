import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseOptions } from '../../bench/bulk.ts';
import { formatResults } from '../../bench/bulk/report.ts';
import { median, runBulkBench, scaleRunBlocks } from '../../bench/bulk/run.ts';
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

    const text = formatResults(r);
    expect(text).toContain('| patch ');
    expect(text).toContain('| GET ');
    expect(text).toContain('BULK_RECORD_UNDO=false');
    expect(text).toMatch(/worker peak RSS: \d+ MiB/);
    const left = await withAdmin((c) => c.query('select 1 from pg_database where datname = $1', [dbName]));
    expect(left.rowCount).toBe(0);
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
    expect(() => loadConfig({ QUEUE_PREFIX: 'has space' })).toThrow(/QUEUE_PREFIX/);
    expect(loadConfig({ QUEUE_PREFIX: 'bench-1:a' }).QUEUE_PREFIX).toBe('bench-1:a');
  });
});
