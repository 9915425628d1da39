import { describe, expect, it } from 'vitest';
import { nextLink } from '../../src/cli/client.ts';
import { exitCodeFor, type Job, jobDetails, jobSummary } from '../../src/cli/output.ts';
import { rateAndEta, shortDuration } from '../../src/cli/progress.ts';

const job = (over: Partial<Job>): Job => ({
  JobID: '2ab06441-0c09-4524-862f-72e9cfc97b07',
  State: 'completed',
  Operation: 'patch',
  DryRun: false,
  UndoRecorded: true,
  Total: 10,
  Succeeded: 10,
  Failed: 0,
  CreatedAt: '2026-11-23T03:28:44.000Z',
  Request: {},
  ...over,
});

describe('exit codes mirror the answer a waiting call would have had', () => {
  it('0 when every entity succeeded, also when none matched', () => {
    expect(exitCodeFor(job({}))).toBe(0);
    expect(exitCodeFor(job({ Total: 0, Succeeded: 0 }))).toBe(0);
  });
  it('2 when some failed, or a cancelled job left some unprocessed', () => {
    expect(exitCodeFor(job({ Succeeded: 9, Failed: 1 }))).toBe(2);
    expect(exitCodeFor(job({ State: 'cancelled', Succeeded: 4 }))).toBe(2);
  });
  it('1 when the job failed as a whole', () => {
    expect(exitCodeFor(job({ State: 'failed', Total: 0, Succeeded: 0, Error: { Status: 422, Message: 'too many' } }))).toBe(1);
  });
});

describe('job show', () => {
  it('says when a job kept no undo data, and what that means for its operation', () => {
    expect(jobDetails(job({}))).not.toContain('UndoData');
    expect(jobDetails(job({ UndoRecorded: false }))).toMatch(/UndoData\s+not recorded: cannot be reverted/);
    expect(jobDetails(job({ UndoRecorded: false, Operation: 'clone' }))).toMatch(/UndoData\s+the created ids only/);
  });
});

describe('progress figures', () => {
  it('rate from the job start and ETA at that rate', () => {
    const j = job({ State: 'running', Succeeded: 300, Failed: 100, Total: 1000, StartedAt: '2026-11-23T03:00:00.000Z' });
    const { rate, eta } = rateAndEta(j, Date.parse('2026-11-23T03:00:04.000Z'));
    expect(rate).toBe(100);
    expect(eta).toBe(6);
    expect(rateAndEta(job({ State: 'running', Succeeded: 0, Total: 5 })).eta).toBe(Number.POSITIVE_INFINITY);
    // A finished job's rate stops at FinishedAt, however late it is looked at.
    const finished = job({ Succeeded: 1000, StartedAt: '2026-11-23T03:00:00.000Z', FinishedAt: '2026-11-23T03:00:02.000Z', Total: 1000 });
    expect(rateAndEta(finished, Date.parse('2026-11-23T04:00:00.000Z'))).toEqual({ rate: 500, eta: 0 });
  });
  it('short durations', () => {
    expect([0.4, 59, 61, 3599, 3720, Number.POSITIVE_INFINITY].map(shortDuration)).toEqual(['0s', '59s', '1m01s', '59m59s', '1h02m', '?']);
  });
  it('a summary line with counts, time and rate', () => {
    const j = job({ Succeeded: 4990, Failed: 10, Total: 5000, StartedAt: '2026-11-23T03:00:00.000Z', FinishedAt: '2026-11-23T03:00:02.500Z' });
    expect(jobSummary(j)).toBe(`Job ${j.JobID} patch completed: 4990 succeeded, 10 failed of 5000 in 2.5 s (2000/s)`);
    expect(jobSummary(job({ DryRun: true, StartedAt: '2026-11-23T03:00:00.000Z', FinishedAt: '2026-11-23T03:00:00.040Z' }))).toMatch(
      /in 40 ms \(250\/s\) \[dry run: nothing written\]$/,
    );
  });
});

describe('Link headers', () => {
  it('finds rel="next" among other links', () => {
    expect(nextLink('</job?limit=2&after=abc>; rel="next"')).toBe('/job?limit=2&after=abc');
    expect(nextLink('</a>; rel="prev", </b>; rel="next"')).toBe('/b');
    expect(nextLink(null)).toBeUndefined();
    expect(nextLink('</a>; rel="prev"')).toBeUndefined();
  });
});
