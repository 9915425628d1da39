/** What the CLI prints: the job resource, result items, and the exit code a finished job means. */
import type { JobResource } from '../domain/bulk/job-view.ts';

/** The job resource as the service answers it (GET /job/{id}). */
export type Job = JobResource;

export interface ResultItem {
  Invocation?: Record<string, unknown>;
  Message?: string;
  Error?: {
    Status: number;
    ErrorCategory: string;
    Message: string;
    ErrorMetadata?: { EntityID: string; EntitySlug?: string; EntityType: string };
  };
}

export const FINISHED = new Set<Job['State']>(['completed', 'failed', 'cancelled']);

export const EXIT_OK = 0;
export const EXIT_ERROR = 1;
export const EXIT_PARTIAL = 2;

/**
 * The exit code of a finished job, mirroring the HTTP answer a waiting call would have had:
 * 0 for 200 (every entity succeeded), 2 for 207 (some failed or were never processed), 1 when the
 * job failed as a whole (a waiting call would have answered 4xx).
 */
export function exitCodeFor(job: Job): number {
  if (job.State === 'failed' && job.Error) return EXIT_ERROR;
  const pending = (job.Total ?? 0) - job.Succeeded - job.Failed;
  return job.Failed === 0 && pending === 0 ? EXIT_OK : EXIT_PARTIAL;
}

const seconds = (from?: string, to?: string) =>
  from && to ? Math.max(0, (Date.parse(to) - Date.parse(from)) / 1000) : undefined;

/** One line: `Job <id> patch completed: 5000 succeeded, 2 failed of 5002 in 3.1 s (1613/s)`. */
export function jobSummary(job: Job): string {
  const total = job.Total === undefined ? '' : ` of ${job.Total}`;
  const took = seconds(job.StartedAt, job.FinishedAt);
  const done = job.Succeeded + job.Failed;
  const tookText = took === undefined ? '' : took < 1 ? `${Math.round(took * 1000)} ms` : `${took.toFixed(1)} s`;
  const timing = took === undefined ? '' : ` in ${tookText}` + (took > 0 && done > 0 ? ` (${Math.round(done / took)}/s)` : '');
  const dry = job.DryRun ? ' [dry run: nothing written]' : '';
  return `Job ${job.JobID} ${job.Operation} ${job.State}: ${job.Succeeded} succeeded, ${job.Failed} failed${total}${timing}${dry}`;
}

export function jobDetails(job: Job): string {
  const rows: Array<[string, unknown]> = [
    ['JobID', job.JobID],
    ['State', job.State],
    ['Operation', job.Operation + (job.DryRun ? ' (dry run)' : '')],
    ['Total', job.Total ?? '(not planned yet)'],
    ['Succeeded', job.Succeeded],
    ['Failed', job.Failed],
    ['Pending', job.Pending ?? '-'],
    ['CreatedAt', job.CreatedAt],
    ['StartedAt', job.StartedAt ?? '-'],
    ['FinishedAt', job.FinishedAt ?? '-'],
    ['Request', JSON.stringify(job.Request)],
  ];
  if (job.SourceJobID) rows.push(['SourceJobID', job.SourceJobID]);
  if (!job.UndoRecorded) rows.push(['UndoData', job.Operation === 'clone' ? 'the created ids only' : 'not recorded: cannot be reverted']);
  if (job.Error) rows.push(['Error', `${job.Error.Status}: ${job.Error.Message}`]);
  return rows.map(([k, v]) => `${k.padEnd(11)} ${String(v)}`).join('\n');
}

/** Columns padded to their widest cell. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

export function jobTable(jobs: Job[]): string {
  return table(
    ['JOB', 'STATE', 'OPERATION', 'TOTAL', 'SUCCEEDED', 'FAILED', 'CREATED'],
    jobs.map((j) => [
      j.JobID,
      j.State,
      j.Operation + (j.DryRun ? ' (dry)' : ''),
      String(j.Total ?? '-'),
      String(j.Succeeded),
      String(j.Failed),
      j.CreatedAt,
    ]),
  );
}

/** `ok      etl-1  f3cf...  Version 2` or `failed  etl-2  8d88...  409 Conflict: ...`. */
export function resultLine(item: ResultItem): string {
  if (item.Error) {
    const meta = item.Error.ErrorMetadata;
    const who = meta ? `${meta.EntitySlug ?? '-'}  ${meta.EntityID}` : '-';
    return `failed  ${who}  ${item.Error.Status} ${item.Error.ErrorCategory}: ${item.Error.Message}`;
  }
  const inv = item.Invocation;
  if (inv) return `ok      ${String(inv.Slug)}  ${String(inv.InvocationID)}  Version ${String(inv.Version)}  space ${String(inv.SpaceID)}`;
  return `ok      ${item.Message ?? ''}`;
}
