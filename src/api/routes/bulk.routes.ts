import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { validation } from '../../domain/errors.ts';
import type { Operation } from '../../domain/bulk/bulk.db.ts';
import { createJob, type BulkRequest } from '../../domain/bulk/submit.ts';
import { parsePrefixes, validateBulkRequest } from '../../domain/bulk/validate-request.ts';
import { actorOf } from '../plugins/auth.ts';
import { answerJob, startJob, type BulkDeps } from '../bulk-answer.ts';
import { ErrorBody } from '../schemas/common.ts';
import { BulkCloneQuery, BulkDeleteQuery, BulkPatchQuery, BulkResultItem, IdempotencyKey, Job } from '../schemas/bulk.ts';

const responses = {
  200: z.array(BulkResultItem),
  202: Job,
  207: z.array(BulkResultItem),
  400: ErrorBody,
  401: ErrorBody,
  403: ErrorBody,
  404: ErrorBody,
  413: ErrorBody,
  415: ErrorBody,
  422: ErrorBody,
};

function idempotencyKey(request: FastifyRequest): string | undefined {
  const raw = request.headers['idempotency-key'];
  if (raw === undefined) return undefined;
  const parsed = IdempotencyKey.safeParse(raw);
  if (!parsed.success) throw validation('Idempotency-Key: 1-255 printable ASCII characters without spaces');
  return parsed.data;
}

type Query = z.infer<typeof BulkCloneQuery>;

/** The request as stored on the job and echoed by it: the parameters given, prefixes parsed. */
function bulkRequest(query: Partial<Query>, body: unknown, withBody: boolean): BulkRequest {
  const { name_prefixes, dry_run: _dryRun, ...rest } = query;
  const request: BulkRequest = { ...rest };
  const prefixes = parsePrefixes(name_prefixes);
  if (prefixes) request.name_prefixes = prefixes;
  if (withBody) request.body = body ?? null;
  return request;
}

async function submit(
  request: FastifyRequest,
  reply: FastifyReply,
  deps: BulkDeps,
  operation: Exclude<Operation, 'revert'>,
  query: Partial<Query>,
) {
  const actor = actorOf(request);
  const body = bulkRequest(query, request.body, operation !== 'delete');
  await validateBulkRequest(request.em, actor, operation, body);
  const { job, created } = await createJob(request.em, actor, {
    operation,
    request: body,
    dryRun: query.dry_run ?? false,
    idempotencyKey: idempotencyKey(request),
    chunkSize: deps.chunkSize,
    recordUndo: deps.recordUndo,
  });
  await startJob(request, deps, job.JobID, created);
  return answerJob(request, reply, deps, job.JobID);
}

export const bulkRoutes: FastifyPluginAsyncZod<{ deps: BulkDeps }> = async (app, { deps }) => {
  app.post('/invocation', { schema: { querystring: BulkCloneQuery, response: responses } }, (request, reply) =>
    submit(request, reply, deps, 'clone', request.query),
  );
  app.patch('/invocation', { schema: { querystring: BulkPatchQuery, response: responses } }, (request, reply) =>
    submit(request, reply, deps, 'patch', request.query),
  );
  app.delete('/invocation', { schema: { querystring: BulkDeleteQuery, response: responses } }, (request, reply) =>
    submit(request, reply, deps, 'delete', request.query),
  );
};
