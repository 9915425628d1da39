import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { cancelJob, pauseJob, resumeJob, retryJob, revertJob } from '../../domain/bulk/control.ts';
import { getJob, getJobRow, listJobs, readResults } from '../../domain/bulk/queries.ts';
import { actorOf } from '../plugins/auth.ts';
import { answerJob, startJob, type BulkDeps } from '../bulk-answer.ts';
import { streamJobEvents } from '../job-events-stream.ts';
import { ErrorBody } from '../schemas/common.ts';
import { BulkResultItem, IdempotencyKey, Job } from '../schemas/bulk.ts';

const JobParams = z.strictObject({ job_id: z.uuid('job_id must be a UUID') });
const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody, 422: ErrorBody };
const bool = z.enum(['true', 'false'], "must be 'true' or 'false'").transform((v) => v === 'true');
const limit = (max: number, dflt: number) => z.coerce.number().int().min(1).max(max).default(dflt);

/** RFC 8288 link to the next page, so any list can be walked without knowing its cursor scheme. */
function nextLink(path: string, query: Record<string, unknown>, after: string | number): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && k !== 'after') params.set(k, String(v));
  params.set('after', String(after));
  return `<${path}?${params}>; rel="next"`;
}

export const jobRoutes: FastifyPluginAsyncZod<{ deps: BulkDeps }> = async (app, { deps }) => {
  app.get(
    '/job',
    {
      schema: {
        querystring: z.strictObject({ limit: limit(1000, 100), after: z.uuid('after must be a JobID').optional() }),
        response: { 200: z.array(Job), ...errors },
      },
    },
    async (request, reply) => {
      const page = await listJobs(request.em, actorOf(request), request.query);
      if (page.next) reply.header('Link', nextLink('/job', request.query, page.next));
      return page.jobs;
    },
  );

  app.get('/job/:job_id', { schema: { params: JobParams, response: { 200: Job, ...errors } } }, async (request) =>
    getJob(request.em, actorOf(request), request.params.job_id),
  );

  app.get(
    '/job/:job_id/results',
    {
      schema: {
        params: JobParams,
        querystring: z.strictObject({
          status: z.enum(['succeeded', 'failed']).optional(),
          limit: limit(10_000, 1000),
          after: z.coerce.number().int().min(0).optional(),
        }),
        response: { 200: z.array(BulkResultItem), ...errors },
      },
    },
    async (request, reply) => {
      const job = await getJobRow(request.em, actorOf(request), request.params.job_id);
      const page = await readResults(request.em, job, request.query);
      if (page.next !== undefined) reply.header('Link', nextLink(`/job/${job.id}/results`, request.query, page.next));
      return page.results;
    },
  );

  app.get('/job/:job_id/events', { schema: { params: JobParams } }, async (request, reply) => {
    const job = await getJobRow(request.em, actorOf(request), request.params.job_id);
    return streamJobEvents(request, reply, deps.events, job);
  });

  app.post('/job/:job_id/cancel', { schema: { params: JobParams, response: { 200: Job, ...errors } } }, async (request) =>
    cancelJob(request.em, actorOf(request), request.params.job_id),
  );

  app.post(
    '/job/:job_id/revert',
    {
      schema: {
        params: JobParams,
        querystring: z.strictObject({ force: bool.default(false), dry_run: bool.default(false) }),
        response: { 200: z.array(BulkResultItem), 202: Job, 207: z.array(BulkResultItem), ...errors },
      },
    },
    async (request, reply) => {
      const { force, dry_run: dryRun } = request.query;
      const { job, created } = await revertJob(request.em, actorOf(request), request.params.job_id, {
        force,
        dryRun,
        chunkSize: deps.chunkSize,
        recordUndo: deps.recordUndo,
      });
      await startJob(request, deps, job.JobID, created);
      return answerJob(request, reply, deps, job.JobID);
    },
  );

  app.post('/job/:job_id/pause', { schema: { params: JobParams, response: { 200: Job, ...errors } } }, async (request) =>
    pauseJob(request.em, actorOf(request), request.params.job_id),
  );

  app.post('/job/:job_id/resume', { schema: { params: JobParams, response: { 200: Job, ...errors } } }, async (request) => {
    const resumed = await resumeJob(request.em, actorOf(request), request.params.job_id);
    // A lost enqueue is picked up by the reconciler: the job is queued/running with a fresh heartbeat.
    const enqueue = resumed.plan
      ? deps.queue.enqueuePlan(resumed.job.JobID)
      : deps.queue.enqueueChunks(resumed.job.JobID, resumed.chunks);
    await enqueue.catch((err: unknown) => request.log.warn({ err }, 'enqueue on resume failed; left to the reconciler'));
    return resumed.job;
  });

  app.post('/job/:job_id/retry', { schema: { params: JobParams, response: { 200: z.array(BulkResultItem), 202: Job, 207: z.array(BulkResultItem), ...errors } } }, async (request, reply) => {
    const key = request.headers['idempotency-key'];
    const { job, created } = await retryJob(request.em, actorOf(request), request.params.job_id, {
      chunkSize: deps.chunkSize,
      recordUndo: deps.recordUndo,
      idempotencyKey: key === undefined ? undefined : IdempotencyKey.parse(key),
    });
    await startJob(request, deps, job.JobID, created);
    return answerJob(request, reply, deps, job.JobID);
  });
};
