import { Readable } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { JobEventHub } from '../infra/job-events.ts';
import type { JobQueue } from '../workers/queue.ts';
import { DomainError } from '../domain/errors.ts';
import { getJobRow, readResults } from '../domain/bulk/queries.ts';
import { jobView, type JobRow } from '../domain/bulk/job-view.ts';
import { actorOf } from './plugins/auth.ts';
import { parsePrefer } from './prefer.ts';
import { waitForJob } from './job-waiter.ts';

export interface BulkDeps {
  queue: JobQueue;
  events: JobEventHub;
  chunkSize: number;
  recordUndo: boolean;
}

const PAGE = 1000;

/** The whole result array, read page by page so a large job never sits in memory at once. */
async function* resultsJson(em: EntityManager, job: JobRow): AsyncGenerator<string> {
  yield '[';
  let after = 0;
  let first = true;
  for (;;) {
    const page = await readResults(em, job, { limit: PAGE, after });
    for (const r of page.results) {
      yield (first ? '' : ',') + JSON.stringify(r);
      first = false;
    }
    if (page.next === undefined) break;
    after = page.next;
  }
  yield ']';
}

/** How long a bulk call waits for Redis to take its planning job. */
const ENQUEUE_WAIT_MS = 2000;

/** After a job row is written: enqueue its planning unless it existed already (idempotent replay). */
export async function startJob(request: FastifyRequest, deps: BulkDeps, jobId: string, created: boolean): Promise<void> {
  if (!created) return;
  // The queue's connection holds commands until Redis is back rather than failing them, so the
  // call does not wait for that: the job is durable in PostgreSQL, and the held command or the
  // reconciler enqueues it later.
  const enqueued = deps.queue.enqueuePlan(jobId).then(
    () => true,
    (err: unknown) => {
      request.log.warn({ err, jobId }, 'enqueue failed; left to the reconciler');
      return true;
    },
  );
  let timer: NodeJS.Timeout | undefined;
  const slow = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), ENQUEUE_WAIT_MS)));
  if (!(await Promise.race([enqueued, slow]))) request.log.warn({ jobId }, 'Redis is slow to take the job; answering without waiting');
  clearTimeout(timer);
}

/**
 * Answers a bulk call per RFC 7240: wait for the job (Prefer: wait=N, default 10 s) and answer
 * 200/207 with every per-entity result, or 202 + Location with the job resource.
 */
export async function answerJob(request: FastifyRequest, reply: FastifyReply, deps: BulkDeps, jobId: string) {
  const pref = parsePrefer(request.headers.prefer);
  const finished = pref.respondAsync ? false : await waitForJob(request.em, deps.events, jobId, pref.waitSeconds * 1000);
  const row = await getJobRow(request.em, actorOf(request), jobId);
  if (pref.applied.length > 0) reply.header('Preference-Applied', pref.applied.join(', '));
  if (!finished) {
    return reply.status(202).header('Location', `/job/${jobId}`).send(jobView(row));
  }
  if (row.state === 'failed' && row.error_message) {
    throw new DomainError(row.error_status === 422 ? 'UNPROCESSABLE' : 'VALIDATION_ERROR', row.error_message);
  }
  const pending = (row.total ?? 0) - row.succeeded - row.failed;
  const status = row.failed === 0 && pending === 0 ? 200 : 207;
  return reply
    .status(status)
    .header('Content-Location', `/job/${jobId}/results`)
    .type('application/json; charset=utf-8')
    .send(Readable.from(resultsJson(request.em, row)));
}
