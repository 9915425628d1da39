import { readFile } from 'node:fs/promises';
import { type Command, InvalidArgumentError } from 'commander';
import { CliError } from './client.ts';
import { contextOf } from './context.ts';
import type { Job } from './output.ts';
import { watchToEnd } from './watch.ts';

interface BulkOptions {
  where?: string;
  filter?: string;
  contains?: string;
  patch?: string;
  namePrefixes?: string;
  whereSpace?: string;
  filterSpace?: string;
  allowExists?: boolean;
  dryRun?: boolean;
  maxAffected?: number;
  idempotencyKey?: string;
}

export function parseCount(value: string): number {
  if (!/^\d{1,10}$/.test(value)) throw new InvalidArgumentError('must be a non-negative integer');
  return Number(value);
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** The merge patch from a file or stdin, parsed here so a typo is named before anything is sent. */
async function readPatch(source: string): Promise<unknown> {
  const name = source === '-' ? 'stdin' : source;
  let text: string;
  try {
    text = source === '-' ? await readStdin() : await readFile(source, 'utf8');
  } catch (e) {
    throw new CliError(`--patch: cannot read ${name}: ${(e as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new CliError(`--patch: ${name} is not JSON: ${(e as Error).message}`);
  }
}

const flag = (on: boolean | undefined) => (on ? 'true' : undefined);

/** Submits with `Prefer: respond-async`, then follows the job to its end. */
async function submit(command: Command, method: 'POST' | 'PATCH' | 'DELETE', o: BulkOptions): Promise<void> {
  const ctx = contextOf(command);
  const body = o.patch === undefined ? undefined : await readPatch(o.patch);
  const query = {
    where: o.where,
    filter: o.filter,
    contains: o.contains,
    name_prefixes: o.namePrefixes,
    where_space: o.whereSpace,
    filter_space: o.filterSpace,
    allow_exists: flag(o.allowExists),
    dry_run: flag(o.dryRun),
    max_affected: o.maxAffected,
  };
  const headers: Record<string, string> = { prefer: 'respond-async' };
  if (o.idempotencyKey) headers['idempotency-key'] = o.idempotencyKey;
  const { body: job } = await ctx.client.json<Job>(method, '/invocation', {
    query,
    body,
    contentType: 'application/merge-patch+json',
    headers,
  });
  if (!ctx.json) ctx.note(`Job ${job.JobID} ${job.State} (${job.Operation}${job.DryRun ? ', dry run' : ''}); following its progress`);
  process.exitCode = await watchToEnd(ctx, job);
}

function selectionOptions(command: Command): Command {
  return command
    .option('--where <expr>', "where expression selecting the invocations, e.g. \"Labels.tier = 'backend'\"")
    .option('--filter <id>', 'FilterID of a saved filter (ANDed with --where)')
    .option('--contains <text>', 'free-text match on names, labels and annotations (ANDed)')
    .option('--dry-run', 'report per entity what would happen; write nothing')
    .option('--max-affected <n>', 'fail before writing anything if more than n invocations match', parseCount)
    .option('--idempotency-key <key>', 'the same key and request within 24 h gives the same job');
}

export function registerInvocationCommands(program: Command): void {
  const invocation = program.command('invocation').description('bulk operations on invocations (each one a job)');

  selectionOptions(invocation.command('bulk-patch').description('apply a JSON merge patch to every selected invocation'))
    .requiredOption('--patch <file>', 'RFC 7396 merge patch: a JSON file, or - for stdin')
    .action((o: BulkOptions, cmd: Command) => submit(cmd, 'PATCH', o));

  selectionOptions(invocation.command('bulk-clone').description('clone every selected invocation'))
    .option('--patch <file>', 'merge patch applied to each clone: a JSON file, or - for stdin')
    .option('--name-prefixes <list>', 'comma-separated prefixes; one clone per prefix, named prefix + Slug')
    .option('--where-space <expr>', 'where expression selecting the destination spaces (default: the source space)')
    .option('--filter-space <id>', 'FilterID of a saved Space filter selecting the destination spaces')
    .option('--allow-exists', 'a clone whose Slug is taken succeeds with the existing invocation')
    .action((o: BulkOptions, cmd: Command) => submit(cmd, 'POST', o));

  selectionOptions(invocation.command('bulk-delete').description('delete every selected invocation (DeleteGates keep theirs)'))
    .action((o: BulkOptions, cmd: Command) => submit(cmd, 'DELETE', o));
}
