import type { CliContext } from './context.ts';
import { followJob } from './follow.ts';
import { exitCodeFor, EXIT_ERROR, FINISHED, type Job, jobSummary, resultLine, type ResultItem } from './output.ts';
import { createProgress } from './progress.ts';

const FAILED_SHOWN = 20;
const PAGE = 10_000;

/**
 * Follows a job to its end with a live progress bar, prints what it did, and answers the exit
 * code. Ctrl-C stops watching only: the job goes on in the service.
 */
export async function watchToEnd(ctx: CliContext, job: Job): Promise<number> {
  const progress = createProgress(ctx.progress);
  const onInterrupt = () => {
    progress.stop();
    ctx.note(`\nstopped watching; job ${job.JobID} goes on: bulkops job watch ${job.JobID}`);
    process.exit(130);
  };
  process.once('SIGINT', onInterrupt);
  let final: Job;
  try {
    progress.update(job);
    final = FINISHED.has(job.State) ? job : await followJob(ctx.client, job.JobID, (j) => progress.update(j));
    progress.update(final);
  } finally {
    progress.stop();
    process.off('SIGINT', onInterrupt);
  }
  await report(ctx, final);
  return exitCodeFor(final);
}

async function report(ctx: CliContext, job: Job): Promise<void> {
  if (job.State === 'failed' && job.Error) ctx.note(`bulkops: job ${job.JobID} failed: ${job.Error.Message} (Status ${job.Error.Status})`);
  if (ctx.json) {
    process.stdout.write(`{"Job":${JSON.stringify(job)},"Results":`);
    await writeResultsJson(ctx, job.JobID, {});
    process.stdout.write('}\n');
    return;
  }
  if (exitCodeFor(job) === EXIT_ERROR) return;
  ctx.out(jobSummary(job));
  if (job.Failed === 0) return;
  const { body: failed } = await ctx.client.json<ResultItem[]>('GET', `/job/${job.JobID}/results`, {
    query: { status: 'failed', limit: FAILED_SHOWN },
  });
  ctx.out('Failed entities:');
  for (const item of failed) ctx.out(`  ${resultLine(item)}`);
  if (job.Failed > failed.length) {
    ctx.out(`  ... and ${job.Failed - failed.length} more: bulkops job results ${job.JobID} --status failed`);
  }
}

/** A JSON array of a job's results written page by page, so a large job never sits in memory. */
export async function writeResultsJson(
  ctx: CliContext,
  jobId: string,
  query: { status?: string; limit?: number },
): Promise<void> {
  process.stdout.write('[');
  let written = 0;
  const max = query.limit ?? Number.POSITIVE_INFINITY;
  for await (const page of ctx.client.pages<ResultItem>(`/job/${jobId}/results`, { status: query.status, limit: Math.min(max, PAGE) })) {
    for (const item of page.slice(0, max - written)) {
      process.stdout.write((written === 0 ? '' : ',') + JSON.stringify(item));
      written++;
    }
    if (written >= max) break;
  }
  process.stdout.write(']');
}
