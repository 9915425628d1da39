import type { SwaggerTransform } from '@fastify/swagger';
import { jsonSchemaTransform } from 'fastify-type-provider-zod';
import { OPERATIONS, type OperationDoc } from './operations.ts';
import { API_QUERY_PARAMETERS, PATH_PARAMETERS, QUERY_PARAMETERS } from './parameters.ts';
import { BULK_EXAMPLES } from './bulk-examples.ts';

type Json = Record<string, any>;

const ERROR_REF = { $ref: '#/components/schemas/StandardErrorResponse' };
const API_ERROR_REF = { $ref: '#/components/schemas/ApiError' };

const STATUS_TEXT: Record<string, string> = {
  200: 'OK',
  201: 'Created',
  202: 'Accepted: the job goes on; follow `Location` (or GET /job/{job_id}/events) for its progress',
  207: 'Multi-Status: some entities failed; each item says how',
  400: 'The request is invalid; the message names the problem',
  401: 'Missing or invalid bearer token',
  403: "The token's role or organization does not allow this",
  404: 'Not found (or belongs to another organization)',
  409: 'Conflict with the current state',
  413: 'The body is larger than 1 MiB',
  415: 'Unsupported content type',
  422: 'The request is well-formed but cannot be carried out',
  500: 'Internal error (never details)',
  503: 'PostgreSQL or Redis does not answer',
};

const MERGE_PATCH_TYPES = ['application/merge-patch+json', 'application/json'];
const PREFERENCE_APPLIED = { type: 'string', description: 'The `Prefer` preferences honoured (RFC 7240).' };
const BULK_RESPONSE_HEADERS = {
  'Content-Location': { type: 'string', description: 'The job\'s results: `/job/{job_id}/results`.' },
  'Preference-Applied': PREFERENCE_APPLIED,
};
const LINK_HEADER = { Link: { type: 'string', description: 'RFC 8288 `<...>; rel="next"` when a next page exists.' } };

function methodOf(route: { method: string | string[] }): string {
  return Array.isArray(route.method) ? String(route.method[0]) : route.method;
}

function describeProperties(target: Json | undefined, text: Record<string, string>): void {
  for (const [name, prop] of Object.entries<Json>(target?.properties ?? {})) {
    if (!prop.description && text[name]) prop.description = text[name];
  }
}

/** Merge-patch routes parse their body in the domain, so their zod schema has none to show. */
function mergePatchBody(description: string, nullable = false): Json {
  return { description, type: nullable ? ['object', 'null'] : 'object', additionalProperties: true };
}

function addBodies(schema: Json, key: string): void {
  if (key === 'PATCH /invocation' || key === 'POST /invocation') {
    const clone = key.startsWith('POST');
    const what = clone ? 'applied to each clone (`null` or no body: none)' : 'applied to every selected invocation';
    const fields = 'Slug, DisplayName, FunctionName, Arguments, ToolchainType, BridgeWorkerID, Labels, Annotations, DeleteGates';
    schema.body = mergePatchBody(`RFC 7396 merge patch ${what}. Patchable: ${fields}; anything else is 400.`, clone);
  } else if (/^PATCH \/space\/:space_id(\/invocation\/:invocation_id)?$/.test(key)) {
    schema.body = mergePatchBody('RFC 7396 merge patch: `null` removes a key, arrays replace whole.');
  }
  if (schema.body && key.startsWith('PATCH') && !key.startsWith('PATCH /api')) schema.consumes = MERGE_PATCH_TYPES;
  if (key === 'POST /invocation') schema.consumes = MERGE_PATCH_TYPES;
}

function jobAnswerHeaders(idempotent: boolean): Json {
  const properties: Json = {
    prefer: {
      type: 'string',
      description: 'RFC 7240: `wait=N` bounds the wait for the job (default 10 s); `respond-async` answers 202 at once.',
      examples: ['respond-async'],
    },
  };
  if (idempotent) {
    properties['idempotency-key'] = {
      type: 'string',
      description: 'The same key and request within 24 h answers the same job; the same key with another request is 422.',
      examples: ['rotate-labels-2026-11-23'],
    };
  }
  return { type: 'object', properties };
}

function addBulkExamples(schema: Json, key: string): void {
  const ex = BULK_EXAMPLES[key];
  if (!ex) return;
  for (const [name, value] of Object.entries(ex.query)) {
    const prop = schema.querystring?.properties?.[name];
    if (prop) prop.examples = [value];
  }
  if (ex.body && schema.body) schema.body['x-examples'] = ex.body;
}

/** Every status a route can answer: its declared ones, plus what the auth hook and error handler add. */
function completeResponses(schema: Json, key: string, isPublic: boolean, doc: OperationDoc | undefined): void {
  const response: Json = (schema.response ??= {});
  const errorRef = key.includes(' /api/') ? API_ERROR_REF : ERROR_REF;
  for (const [status, extra] of Object.entries(doc?.responses ?? {})) {
    response[status] = extra === 'error' ? { ...errorRef } : { 'x-response-description': extra.description, content: extra.content };
  }
  const wanted = ['500'];
  if (!isPublic) wanted.push('401');
  if (schema.querystring || schema.params || schema.body) wanted.push('400');
  if (schema.params) wanted.push('404');
  if (schema.body) wanted.push('413', '415');
  for (const status of wanted) response[status] ??= { ...errorRef };
  for (const [status, entry] of Object.entries<Json>(response)) {
    // @fastify/swagger drops the siblings of a $ref but reads a plain `description` first.
    const text = STATUS_TEXT[status] ?? 'Response';
    if (entry.$ref) entry.description ??= text;
    else entry['x-response-description'] ??= text;
  }
  if (doc?.jobAnswer) addJobAnswerHeaders(response);
  if (key.startsWith('GET') && response[200]?.type === 'array') response[200].headers = LINK_HEADER;
}

function addJobAnswerHeaders(response: Json): void {
  if (response[202]) {
    response[202].headers = { Location: { type: 'string', description: 'The job: `/job/{job_id}`.' }, 'Preference-Applied': PREFERENCE_APPLIED };
  }
  for (const s of ['200', '207']) if (response[s]) response[s].headers = BULK_RESPONSE_HEADERS;
}

/**
 * Builds on the zod provider's transform (zod schemas to JSON Schema 2020-12): adds the operation's
 * summary and tag, parameter descriptions, the bodies and headers the zod schemas leave to the
 * domain, examples of the bulk calls, and the responses every route can give (401, 500, ...).
 */
export const docsTransform: SwaggerTransform = (input) => {
  const out = jsonSchemaTransform(input as Parameters<typeof jsonSchemaTransform>[0]);
  const schema = (out.schema ?? {}) as Json;
  if (schema.hide) return out;
  const key = `${methodOf(input.route)} ${input.url}`;
  const isPublic = input.route.config?.public === true;
  const doc = OPERATIONS[key];
  if (doc) {
    schema.operationId = doc.operationId;
    schema.summary = doc.summary;
    schema.tags = [doc.tag];
    if (doc.description) schema.description = doc.description;
  }
  if (isPublic) schema.security = [];
  describeProperties(schema.querystring, input.url.startsWith('/api/') ? API_QUERY_PARAMETERS : QUERY_PARAMETERS);
  describeProperties(schema.params, PATH_PARAMETERS);
  addBodies(schema, key);
  if (doc?.jobAnswer) schema.headers = jobAnswerHeaders(doc.jobAnswer.idempotent);
  completeResponses(schema, key, isPublic, doc);
  addBulkExamples(schema, key);
  return { schema, url: out.url };
};
