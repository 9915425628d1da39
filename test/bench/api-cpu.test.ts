import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { SERVER_URL, withAdmin } from '../helpers/db.ts';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/**
 * A smoke run of `npm run bench:api-cpu` with every kind of target: today's API, a setting
 * variant, another commit's API (a git worktree of HEAD) and the bare floor. Figures mean little
 * at this size; that each is there, read from /proc, and that the database and the worktree are
 * gone afterwards is what this asserts.
 */
describe('npm run bench:api-cpu (smoke)', () => {
  it('measures the CPU per request of every target and cleans up after itself', { timeout: 120_000 }, async () => {
    const { stdout } = await run(
      process.execPath,
      ['bench/api-cpu.ts', '--requests', '1000', '--rounds', '1', '--connections', '4', '--variant', 'LOG_LEVEL=warn', '--baseline', 'HEAD'],
      { cwd: ROOT, env: { ...process.env, BENCH_DATABASE_URL: SERVER_URL, BENCH_REDIS_URL: process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379' } },
    );
    const table = stdout.slice(stdout.lastIndexOf('| call'));
    const [head, , ...rows] = table.trim().split('\n').map((l) => l.split('|').slice(1, -1).map((c) => c.trim()));
    expect(head).toEqual([
      'call', 'round',
      'ours us/request', 'ours sys', 'ours pg',
      'variant us/request', 'variant sys', 'variant pg',
      'baseline us/request', 'baseline sys', 'baseline pg',
      'floor us/request', 'floor sys', 'floor pg',
      'floor / ours',
    ]);
    expect(rows.map((r) => r[0])).toEqual(['GET', 'PATCH']);
    for (const r of rows) {
      const [ours, oursSys, floor] = [2, 3, 11].map((i) => Number(r[i]));
      // Every target's own CPU and its queries' CPU in PostgreSQL were read.
      for (const i of [2, 4, 5, 7, 8, 10, 11, 13]) expect(Number(r[i])).toBeGreaterThan(0);
      expect(oursSys).toBeLessThanOrEqual(ours!);
      expect(Number(r[14])).toBeCloseTo(floor! / ours!, 1);
    }

    const left = await withAdmin((c) => c.query("select datname from pg_database where datname like 'bulkops_cpu_%'"));
    expect(left.rows).toEqual([]);
    const { stdout: worktrees } = await run('git', ['worktree', 'list'], { cwd: ROOT });
    expect(worktrees).not.toContain('bulkops-baseline-');
  });
});
