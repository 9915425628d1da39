/**
 * What the OpenAPI document says about each route beyond its zod schemas, keyed by `METHOD /url` as
 * Fastify registers it. The document test fails for a route missing here, so a new route cannot ship
 * undocumented. Operation IDs of the Invocation API are the ones its document gives.
 */

export const TAGS = [
  { name: 'Bulk', description: 'Clone, patch and delete many invocations at once; every call is a durable job.' },
  { name: 'Jobs', description: 'Bulk jobs: state, counts, per-entity results, live progress, cancel and retry.' },
  { name: 'Invocations', description: 'Single-invocation calls of the Invocation API.' },
  { name: 'Spaces', description: 'Spaces hold invocations, bridge workers and filters.' },
  { name: 'Bridge workers', description: 'Bridge workers of a space.' },
  { name: 'Filters', description: 'Saved `where` expressions, usable as `filter` on lists and bulk calls.' },
  { name: 'Organizations and tokens', description: 'Tenants and their bearer tokens.' },
  { name: 'Function versions', description: 'The Function Versions API (camelCase JSON under /api, its own error envelope).' },
  { name: 'Health', description: 'Liveness of the service and its stores; metrics.' },
] as const;

export type Tag = (typeof TAGS)[number]['name'];

/** A response given as media types, for answers that are not JSON (a stream, metrics text). */
export interface MediaResponse {
  description: string;
  content: Record<string, { schema: Record<string, unknown>; example?: unknown }>;
}

export interface OperationDoc {
  operationId: string;
  summary: string;
  tag: Tag;
  description?: string;
  /** Answered like a bulk call (Prefer; 200/207 results or 202 + Location); `idempotent`: takes Idempotency-Key. */
  jobAnswer?: { idempotent: boolean };
  /** Answers the route's schemas do not declare; `'error'` is the API's error envelope. */
  responses?: Record<string, MediaResponse | 'error'>;
}

const op = (tag: Tag, operationId: string, summary: string, description?: string): OperationDoc =>
  description === undefined ? { tag, operationId, summary } : { tag, operationId, summary, description };

const SSE_EXAMPLE =
  'event: progress\ndata: {"JobID":"2ab06441-0c09-4524-862f-72e9cfc97b07","State":"running","Operation":"patch",' +
  '"DryRun":false,"Total":5000,"Succeeded":1000,"Failed":0,"Pending":4000,...}\n\n' +
  'event: done\ndata: {"JobID":"2ab06441-0c09-4524-862f-72e9cfc97b07","State":"completed",...}\n\n';

const METRICS_EXAMPLE =
  '# HELP bulkops_entities_processed_total Entities processed by bulk jobs, by operation and outcome.\n' +
  '# TYPE bulkops_entities_processed_total counter\n' +
  'bulkops_entities_processed_total{operation="patch",outcome="succeeded"} 8040\n';

const BULK_ANSWER =
  'The call creates a durable job. By default the answer waits for it (at most `Prefer: wait=N` seconds, ' +
  'default 10) and is **200** with one result per entity when every entity succeeded (also `[]` when none ' +
  'matched) or **207** when some failed. With `Prefer: respond-async`, or when the job outlives the wait, ' +
  'the answer is **202** with `Location: /job/{job_id}` and the job resource. A problem with the request ' +
  'itself (no selection, a bad `where`, an unknown filter, a body that is not a JSON object) is one 4xx ' +
  'and creates no job.';

const bulk = (...args: Parameters<typeof op>): OperationDoc => ({ ...op(...args), jobAnswer: { idempotent: true } });

export const OPERATIONS: Record<string, OperationDoc> = {
  'GET /healthz': op('Health', 'GetHealth', 'Health check', 'Answers 200 when PostgreSQL and Redis answer, 503 otherwise. No token needed.'),

  'POST /organization': op('Organizations and tokens', 'CreateOrganization', 'Create an organization', 'System administrators only.'),
  'POST /token': op('Organizations and tokens', 'CreateToken', 'Issue a bearer token', 'The `Secret` is shown once; only its hash is stored.'),

  'POST /space': op('Spaces', 'CreateSpace', 'Create a space'),
  'GET /space': op('Spaces', 'ListSpaces', 'List spaces', 'Keyset pages in CursorID order; a `Link: <...>; rel="next"` header points to the next page.'),
  'GET /space/:space_id': op('Spaces', 'GetSpace', 'Get a space'),
  'PATCH /space/:space_id': op('Spaces', 'PatchSpace', 'Patch a space (RFC 7396 merge patch)'),
  'DELETE /space/:space_id': op('Spaces', 'DeleteSpace', 'Delete a space', 'Refused with 422 while a DeleteGate is set, 409 while the space holds entities.'),

  'POST /space/:space_id/bridge_worker': op('Bridge workers', 'CreateBridgeWorker', 'Create a bridge worker'),
  'GET /space/:space_id/bridge_worker': op('Bridge workers', 'ListBridgeWorkers', 'List bridge workers of a space'),
  'GET /space/:space_id/bridge_worker/:bridge_worker_id': op('Bridge workers', 'GetBridgeWorker', 'Get a bridge worker'),

  'POST /space/:space_id/filter': op('Filters', 'CreateFilter', 'Save a filter', 'The Where expression is checked when saved.'),
  'GET /space/:space_id/filter': op('Filters', 'ListFilters', 'List filters of a space'),
  'GET /space/:space_id/filter/:filter_id': op('Filters', 'GetFilter', 'Get a filter'),

  'GET /invocation': op('Invocations', 'ListAllInvocations', 'List invocations across spaces', 'Retrieves a list of Invocations across spaces in the Organization.'),
  'GET /space/:space_id/invocation': op('Invocations', 'ListInvocations', 'List invocations of a space'),
  'GET /space/:space_id/invocation/:invocation_id': op('Invocations', 'GetInvocation', 'Get an invocation'),
  'POST /space/:space_id/invocation': op('Invocations', 'CreateInvocation', 'Create an invocation'),
  'PATCH /space/:space_id/invocation/:invocation_id': op(
    'Invocations',
    'PatchInvocation',
    'Patch an invocation (RFC 7396 merge patch)',
    'Version grows by 1 when something changed; a patch that changes nothing keeps it.',
  ),
  'PUT /space/:space_id/invocation/:invocation_id': op(
    'Invocations',
    'UpdateInvocation',
    'Replace an invocation',
    'The body must carry the Version read; a stale Version is 409 and changes nothing.',
  ),
  'DELETE /space/:space_id/invocation/:invocation_id': op('Invocations', 'DeleteInvocation', 'Delete an invocation', 'Refused with 422 while a DeleteGate is set.'),

  'POST /invocation': bulk(
    'Bulk',
    'BulkCreateInvocations',
    'Bulk clone invocations',
    'Clones every selected invocation into each destination space (`where_space`/`filter_space`, default its ' +
      'own space) once per name prefix (`name_prefixes`, default none), with `Slug = prefix + source Slug`, then ' +
      'applies the body to each clone as a merge patch (`null`: no change). A Slug already taken in the ' +
      'destination is a per-entity 409, or success with the existing entity when `allow_exists=true`. Results ' +
      'come in source x space x prefix order.\n\n' +
      BULK_ANSWER,
  ),
  'PATCH /invocation': bulk(
    'Bulk',
    'BulkPatchInvocations',
    'Bulk patch invocations (RFC 7396 merge patch)',
    'Applies the body to every selected invocation. `null` removes a map key; arrays replace whole. A patch ' +
      'whose result is invalid for one entity fails that entity only (Status 400); a patch that changes nothing ' +
      'succeeds and keeps Version.\n\n' +
      BULK_ANSWER,
  ),
  'DELETE /invocation': bulk(
    'Bulk',
    'BulkDeleteInvocations',
    'Bulk delete invocations',
    'Deletes every selected invocation; one with a DeleteGate set fails with Status 422 and is kept.\n\n' + BULK_ANSWER,
  ),

  'GET /job': op('Jobs', 'ListJobs', "List the organization's bulk jobs", 'Newest first; a `Link` header points to the next page.'),
  'GET /job/:job_id': op('Jobs', 'GetJob', 'Get a bulk job', 'State, counts and timestamps. Another organization\'s job is 404.'),
  'GET /job/:job_id/results': op(
    'Jobs',
    'ListJobResults',
    'Per-entity results of a job',
    'The same items a waiting bulk call answers, in the same order, paged: follow the `Link` header. ' +
      'Entities a finished job never reached are reported failed with ErrorCategory `NotProcessed`.',
  ),
  'GET /job/:job_id/events': {
    ...op(
      'Jobs',
      'StreamJobEvents',
      'Live progress of a job (Server-Sent Events)',
      'A `progress` event carrying the job resource whenever it changes, then one `done` event with the final ' +
        'job resource when it finishes, and the stream ends. Comment lines keep the connection alive.',
    ),
    responses: { 200: { description: 'OK', content: { 'text/event-stream': { schema: { type: 'string' }, example: SSE_EXAMPLE } } } },
  },
  'POST /job/:job_id/cancel': op('Jobs', 'CancelJob', 'Cancel a job', 'Chunks already committed stay; the rest is not processed. A finished job is 409.'),
  'POST /job/:job_id/retry': bulk(
    'Jobs',
    'RetryJob',
    'Retry the failed and unprocessed entities of a job',
    'Starts a new job over the entities that failed or were not processed, answered like a bulk call.',
  ),
  'POST /job/:job_id/revert': {
    ...op(
      'Jobs',
      'RevertJob',
      'Revert a finished job',
      'Starts a job with Operation `revert` that undoes what the job changed, answered like a bulk call. An entity ' +
        'changed since the job wrote it is a per-entity 409 unless `force=true`. Reverting a job twice answers the first revert job.',
    ),
    jobAnswer: { idempotent: false },
  },
  'POST /job/:job_id/pause': op('Jobs', 'PauseJob', 'Pause a job', 'No new chunk starts; chunks in flight commit.'),
  'POST /job/:job_id/resume': op('Jobs', 'ResumeJob', 'Resume a paused job'),

  'GET /metrics': {
    ...op(
      'Health',
      'GetMetrics',
      'Prometheus metrics',
      'HTTP, queue, job, chunk, entity and PostgreSQL pool metrics in the Prometheus text format. System ' +
        'administrators only; with METRICS_PORT set they are also served on that port without a token.',
    ),
    responses: {
      200: { description: 'OK', content: { 'text/plain; version=0.0.4': { schema: { type: 'string' }, example: METRICS_EXAMPLE } } },
      403: 'error',
    },
  },

  'POST /api/workspaces': op('Function versions', 'createWorkspace', 'Create a workspace'),
  'GET /api/workspaces/:id': op('Function versions', 'getWorkspace', 'Get a workspace'),
  'POST /api/schemas': op('Function versions', 'createSchema', 'Create a JSON schema'),
  'GET /api/schemas/:id': op('Function versions', 'getSchema', 'Get a JSON schema'),
  'POST /api/functions': op('Function versions', 'createFunction', 'Create a function'),
  'GET /api/functions/:id': op('Function versions', 'getFunction', 'Get a function'),
  'GET /api/function-versions': op(
    'Function versions',
    'listFunctionVersions',
    'List function versions',
    'Keyset pages (`after`/`before` cursors bound to the filter and orderBy that made them) with exact ' +
      '`pageInfo`. Non-admin callers must pass `function_id`.',
  ),
  'POST /api/function-versions': op('Function versions', 'createFunctionVersion', 'Create a function version'),
  'GET /api/function-versions/:id': op('Function versions', 'getFunctionVersion', 'Get a function version'),
  'PATCH /api/function-versions/:id': op('Function versions', 'updateFunctionVersion', 'Update a function version'),
  'DELETE /api/function-versions/:id': op('Function versions', 'deleteFunctionVersion', 'Soft-delete a function version'),
  'POST /api/function-versions/:id/fork': op('Function versions', 'forkFunctionVersion', 'Fork a function version', 'A new version of the same function with the files deep-copied.'),
  'DELETE /api/function-versions/:id/purge': op('Function versions', 'purgeFunctionVersion', 'Purge a soft-deleted version'),
  'POST /api/function-versions/:id/restore': op('Function versions', 'restoreFunctionVersion', 'Restore a soft-deleted version'),
  'POST /api/function-versions/:id/set-default': op('Function versions', 'setDefaultFunctionVersion', "Make a version its function's default"),
};
