import { sql, type RawBuilder, type SqlBool } from 'kysely';
import { db } from '../../src/domain/db.ts';
import { resolveSelection } from '../../src/domain/query/index.ts';
import type { BenchDatabase } from './database.ts';
import { sampleRss } from './service.ts';

export type BulkOp = 'patch' | 'clone' | 'delete';

/** One bulk call as a client makes it, and the same change as the floor's single statement. */
export interface BulkCase {
  op: BulkOp;
  /** The where expression selecting the targets. */
  where: string;
  /** Clone: the one prefix; the floor uses its own so both can run on the same sources. */
  prefix?: string;
  /** Patch: the merge patch (Labels.bench set to a value not there yet, so every entity changes). */
  body?: unknown;
}

export interface JobTiming {
  jobId: string;
  seconds: number;
  total: number;
  succeeded: number;
  failed: number;
  /** Highest RSS of the worker process seen while the job ran. */
  workerPeakRssMiB: number;
}

const METHOD: Record<BulkOp, string> = { patch: 'PATCH', clone: 'POST', delete: 'DELETE' };

/**
 * Submits the bulk call with `Prefer: respond-async` and waits until the job is finished in
 * PostgreSQL: the last chunk marks it completed in the transaction that writes its item results,
 * so at that moment every per-entity result is durable.
 */
export async function runJob(bdb: BenchDatabase, apiUrl: string, workerPid: number, c: BulkCase): Promise<JobTiming> {
  const params = new URLSearchParams({ where: c.where });
  if (c.prefix) params.set('name_prefixes', c.prefix);
  const headers: Record<string, string> = { authorization: `Bearer ${bdb.secret}`, prefer: 'respond-async' };
  const withBody = c.op !== 'delete';
  if (withBody) headers['content-type'] = 'application/json';
  const rss = sampleRss(workerPid);
  const start = performance.now();
  const res = await fetch(`${apiUrl}/invocation?${params}`, {
    method: METHOD[c.op],
    headers,
    ...(withBody ? { body: JSON.stringify(c.body ?? null) } : {}),
  });
  const answer = (await res.json()) as { JobID?: string };
  if (res.status !== 202 || !answer.JobID) {
    rss.stop();
    throw new Error(`${c.op}: expected 202 with a JobID, got ${res.status} ${JSON.stringify(answer)}`);
  }
  const job = await waitFinished(bdb, answer.JobID);
  const seconds = (performance.now() - start) / 1000;
  const workerPeakRssMiB = rss.stop();
  if (job.state !== 'completed') throw new Error(`${c.op}: job ${answer.JobID} ended ${job.state}`);
  return { jobId: answer.JobID, seconds, total: job.total ?? 0, succeeded: job.succeeded, failed: job.failed, workerPeakRssMiB };
}

async function waitFinished(bdb: BenchDatabase, jobId: string) {
  const k = db(bdb.orm.em.fork());
  const deadline = Date.now() + 3600_000;
  for (;;) {
    const job = await k
      .selectFrom('bulk_job')
      .select(['state', 'total', 'succeeded', 'failed'])
      .where('id', '=', jobId)
      .executeTakeFirstOrThrow();
    if (['completed', 'failed', 'cancelled'].includes(job.state)) return job;
    if (Date.now() > deadline) throw new Error(`job ${jobId} did not finish within an hour`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** The where expression compiled exactly as the bulk call compiles it (alias i). */
async function condition(bdb: BenchDatabase, where: string): Promise<RawBuilder<SqlBool>> {
  const sel = await resolveSelection(bdb.orm.em.fork(), bdb.actor, { entity: 'Invocation', alias: 'i', where });
  return sel.condition;
}

const WRITABLE = sql.raw(
  'slug, display_name, function_name, arguments, toolchain_type, bridge_worker_id, labels, annotations, delete_gates, hash',
);

/**
 * The floor: the same change as one set-based statement on the same selection, with nothing on top
 * (no per-entity validation, no result rows, no undo data). Answers seconds and rows changed.
 */
export async function runFloor(bdb: BenchDatabase, c: BulkCase): Promise<{ seconds: number; rows: number }> {
  const cond = await condition(bdb, c.where);
  const statement = floorStatement(c, cond);
  const k = db(bdb.orm.em.fork());
  const start = performance.now();
  const res = await statement.execute(k);
  return { seconds: (performance.now() - start) / 1000, rows: Number(res.numAffectedRows ?? 0) };
}

function floorStatement(c: BulkCase, cond: RawBuilder<SqlBool>) {
  if (c.op === 'patch') {
    const labels = (c.body as { Labels?: Record<string, string> }).Labels ?? {};
    return sql`
      update invocation i set labels = i.labels || ${JSON.stringify(labels)}::jsonb,
                              version = i.version + 1, updated_at = now()
       where ${cond}`;
  }
  if (c.op === 'clone') {
    return sql`
      insert into invocation (id, organization_id, space_id, ${WRITABLE})
      select gen_random_uuid(), i.organization_id, i.space_id, ${c.prefix ?? ''} || i.slug, i.display_name,
             i.function_name, i.arguments, i.toolchain_type, i.bridge_worker_id, i.labels, i.annotations,
             i.delete_gates, i.hash
        from invocation i where ${cond} order by i.cursor_id`;
  }
  return sql`delete from invocation i where ${cond}`;
}
