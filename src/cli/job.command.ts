import { type Command, Option } from 'commander';
import { nextLink } from './client.ts';
import { contextOf } from './context.ts';
import { jobDetails, jobSummary, jobTable, type Job, resultLine, type ResultItem } from './output.ts';
import { parseCount } from './bulk.command.ts';
import { watchToEnd, writeResultsJson } from './watch.ts';

const PAGE = 10_000;

async function list(o: { limit: number; after?: string }, cmd: Command): Promise<void> {
  const ctx = contextOf(cmd);
  const { body: jobs, res } = await ctx.client.json<Job[]>('GET', '/job', { query: { limit: o.limit, after: o.after } });
  if (ctx.json) return ctx.out(JSON.stringify(jobs));
  ctx.out(jobs.length === 0 ? 'no jobs' : jobTable(jobs));
  const last = jobs.at(-1);
  if (last && nextLink(res.headers.get('link'))) ctx.note(`more: bulkops job list --after ${last.JobID}`);
}

async function show(id: string, _o: unknown, cmd: Command): Promise<void> {
  const ctx = contextOf(cmd);
  const { body: job } = await ctx.client.json<Job>('GET', `/job/${encodeURIComponent(id)}`);
  ctx.out(ctx.json ? JSON.stringify(job) : jobDetails(job));
}

async function results(id: string, o: { status?: string; limit?: number }, cmd: Command): Promise<void> {
  const ctx = contextOf(cmd);
  const path = `/job/${encodeURIComponent(id)}/results`;
  if (ctx.json) {
    await writeResultsJson(ctx, encodeURIComponent(id), o);
    return ctx.out('');
  }
  const max = o.limit ?? Number.POSITIVE_INFINITY;
  let shown = 0;
  for await (const page of ctx.client.pages<ResultItem>(path, { status: o.status, limit: Math.min(max, PAGE) })) {
    for (const item of page.slice(0, max - shown)) ctx.out(resultLine(item));
    shown += Math.min(page.length, max - shown);
    if (shown >= max) break;
  }
  if (shown === 0) ctx.note('no results');
}

async function cancel(id: string, _o: unknown, cmd: Command): Promise<void> {
  const ctx = contextOf(cmd);
  const { body: job } = await ctx.client.json<Job>('POST', `/job/${encodeURIComponent(id)}/cancel`);
  ctx.out(ctx.json ? JSON.stringify(job) : jobSummary(job));
}

async function watch(id: string, _o: unknown, cmd: Command): Promise<void> {
  const ctx = contextOf(cmd);
  const { body: job } = await ctx.client.json<Job>('GET', `/job/${encodeURIComponent(id)}`);
  process.exitCode = await watchToEnd(ctx, job);
}

/** Pause and resume answer the job at once; the job goes on (or waits) in the service. */
function control(action: 'pause' | 'resume') {
  return async (id: string, _o: unknown, cmd: Command): Promise<void> => {
    const ctx = contextOf(cmd);
    const { body: job } = await ctx.client.json<Job>('POST', `/job/${encodeURIComponent(id)}/${action}`);
    ctx.out(ctx.json ? JSON.stringify(job) : jobSummary(job));
  };
}

async function revert(id: string, o: { force?: boolean; dryRun?: boolean }, cmd: Command): Promise<void> {
  const ctx = contextOf(cmd);
  const { body: job } = await ctx.client.json<Job>('POST', `/job/${encodeURIComponent(id)}/revert`, {
    query: { force: o.force ? 'true' : undefined, dry_run: o.dryRun ? 'true' : undefined },
    headers: { prefer: 'respond-async' },
  });
  if (!ctx.json) ctx.note(`Job ${job.JobID} ${job.State} (revert of ${id}${job.DryRun ? ', dry run' : ''}); following its progress`);
  process.exitCode = await watchToEnd(ctx, job);
}

async function retry(id: string, _o: unknown, cmd: Command): Promise<void> {
  const ctx = contextOf(cmd);
  const { body: job } = await ctx.client.json<Job>('POST', `/job/${encodeURIComponent(id)}/retry`, {
    headers: { prefer: 'respond-async' },
  });
  if (!ctx.json) ctx.note(`Job ${job.JobID} ${job.State} (${job.Operation}, retrying ${id}); following its progress`);
  process.exitCode = await watchToEnd(ctx, job);
}

export function registerJobCommands(program: Command): void {
  const job = program.command('job').description('bulk jobs: list, inspect, follow, cancel, retry, revert, pause, resume');
  job
    .command('list')
    .description("the organization's jobs, newest first")
    .option('--limit <n>', 'jobs per page (1-1000)', parseCount, 20)
    .option('--after <id>', 'the page after this JobID')
    .action(list);
  job.command('show').argument('<id>', 'JobID').description('state, counts and timestamps of a job').action(show);
  job
    .command('results')
    .argument('<id>', 'JobID')
    .description('per-entity results of a job, in order')
    .addOption(new Option('--status <status>', 'only these results').choices(['succeeded', 'failed']))
    .option('--limit <n>', 'at most n results', parseCount)
    .action(results);
  job.command('cancel').argument('<id>', 'JobID').description('cancel a queued or running job').action(cancel);
  job
    .command('watch')
    .argument('<id>', 'JobID')
    .description('follow a job to its end with a progress bar; exit code 0, 2 (some failed) or 1')
    .action(watch);
  job
    .command('retry')
    .argument('<id>', 'JobID')
    .description('start a job over the entities that failed or were not processed, and follow it')
    .action(retry);
  job
    .command('revert')
    .argument('<id>', 'JobID of a finished job')
    .description('undo what a job changed (a new job), and follow it')
    .option('--force', 'restore entities changed since the job wrote them too')
    .option('--dry-run', 'report per entity what would be restored; write nothing')
    .action(revert);
  job.command('pause').argument('<id>', 'JobID').description('stop starting new chunks of a job').action(control('pause'));
  job.command('resume').argument('<id>', 'JobID').description('continue a paused job where it stopped').action(control('resume'));
}
