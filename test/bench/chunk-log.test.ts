import { describe, expect, it } from 'vitest';
import { jobPhases } from '../../bench/bulk/chunk-log.ts';

const JOB = '5b0c8a56-2f3e-4c1a-9d57-0d6f0c1e2a10';
const OTHER = 'f1e2d3c4-b5a6-4978-8a9b-0c1d2e3f4a5b';
const line = (o: Record<string, unknown>) => JSON.stringify({ level: 30, msg: 'queue job done', ...o });
const chunk = (jobId: string, k: number, seconds: number) => line({ queueJobName: 'chunk', jobId, chunk: k, seconds });

describe('jobPhases (a job\'s planning and chunk times from the workers\' logs)', () => {
  it('takes the median chunk of each tenth in chunk order, across logs, the last run of a retried chunk counting', () => {
    // 20 chunks: the first half at 50 ms, the second at 30, logged out of order over two workers.
    const chunks = Array.from({ length: 20 }, (_, k) => chunk(JOB, k, k < 10 ? 0.05 : 0.03));
    const a = [line({ queueJobName: 'plan', jobId: JOB, seconds: 0.25 }), ...chunks.filter((_, k) => k % 2 === 0).reverse()];
    const b = [
      chunk(JOB, 19, 0.9), // a first run of chunk 19 that failed over; its rerun below counts
      ...chunks.filter((_, k) => k % 2 === 1),
      chunk(OTHER, 0, 5),
      line({ queueJobName: 'chunk', jobId: JOB, chunk: 3, seconds: 0.05, msg: 'queue job failed' }),
      '{"level":30,"msg":"queue job done","jobId":"' + JOB, // cut by a write in flight
    ];
    const phases = jobPhases([a.join('\n'), b.join('\n')], JOB);
    expect(phases).not.toBeNull();
    expect(phases!.planSeconds).toBe(0.25);
    expect(phases!.chunks).toBe(20);
    expect(phases!.chunkMsByTenth.map((x) => Math.round(x))).toEqual([50, 50, 50, 50, 50, 30, 30, 30, 30, 30]);
  });

  it('gives one part per chunk for a job of fewer than ten, and null without a planning line', () => {
    const log = [line({ queueJobName: 'plan', jobId: JOB, seconds: 0.1 }), chunk(JOB, 1, 0.02), chunk(JOB, 0, 0.04)].join('\n');
    expect(jobPhases([log], JOB)?.chunkMsByTenth.map((x) => Math.round(x))).toEqual([40, 20]);
    expect(jobPhases([chunk(JOB, 0, 0.04)], JOB)).toBeNull();
    expect(jobPhases([log], OTHER)).toBeNull();
  });
});
