import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { actorOf } from '../plugins/auth.ts';
import { JSON_BODY, MERGE_PATCH_BODY } from '../plugins/content-type.ts';
import {
  createInvocation,
  deleteInvocation,
  getInvocation,
  InvocationCreateSchema,
  InvocationPutSchema,
  listInvocations,
  parseInvocationProjection,
  patchInvocation,
  replaceInvocation,
} from '../../domain/invocations/index.ts';
import { ErrorBody } from '../schemas/common.ts';
import { DeleteResponse, ExtendedInvocationOut, InvocationOut, PageQuery, ProjectionQuery, SelectionQuery } from '../schemas/entities.ts';
import { resolveSelection } from '../../domain/query/index.ts';
import { nextLink } from '../schemas/paging.ts';

const SpaceParams = z.object({ space_id: z.uuid('must be a UUID') });
const InvocationParams = SpaceParams.extend({ invocation_id: z.uuid('must be a UUID') });
const ListQuery = z.strictObject({ ...PageQuery, ...ProjectionQuery, ...SelectionQuery });
const CreateQuery = z.strictObject({ allow_exists: z.enum(['true', 'false'], 'must be true or false').default('false') });
const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 500: ErrorBody };
const bodyErrors = { 413: ErrorBody, 415: ErrorBody };

export const invocationRoutes: FastifyPluginAsyncZod = async (app) => {
  const list = async (
    request: Parameters<typeof nextLink>[0] & { query: z.output<typeof ListQuery> },
    reply: { header(name: string, value: string): unknown },
    spaceId?: string,
  ) => {
    const { limit, after, where, filter, contains, ...projectionQuery } = request.query;
    const actor = actorOf(request);
    const selection = await resolveSelection(request.em, actor, {
      entity: 'Invocation',
      alias: 'invocation',
      where,
      filter,
      contains,
      spaceId,
    });
    const page = await listInvocations(request.em, actor, {
      spaceId,
      page: { limit, after },
      projection: parseInvocationProjection(projectionQuery, selection.namedAttributes),
      condition: selection.condition,
    });
    const link = nextLink(request, page.nextAfter);
    if (link) reply.header('link', link);
    return page.items;
  };

  app.get(
    '/invocation',
    { schema: { querystring: ListQuery, response: { 200: z.array(ExtendedInvocationOut), ...errors } } },
    async (request, reply) => list(request, reply),
  );

  app.get(
    '/space/:space_id/invocation',
    { schema: { params: SpaceParams, querystring: ListQuery, response: { 200: z.array(ExtendedInvocationOut), ...errors } } },
    async (request, reply) => list(request, reply, request.params.space_id),
  );

  app.get(
    '/space/:space_id/invocation/:invocation_id',
    {
      schema: {
        params: InvocationParams,
        querystring: z.strictObject(ProjectionQuery),
        response: { 200: ExtendedInvocationOut, ...errors },
      },
    },
    async (request) => {
      const { space_id, invocation_id } = request.params;
      const projection = parseInvocationProjection(request.query);
      return getInvocation(request.prepared, request.db, actorOf(request), space_id, invocation_id, projection);
    },
  );

  app.post(
    '/space/:space_id/invocation',
    {
      onRequest: JSON_BODY,
      schema: {
        params: SpaceParams,
        querystring: CreateQuery,
        body: InvocationCreateSchema,
        response: { 200: InvocationOut, ...errors, 409: ErrorBody, ...bodyErrors },
      },
    },
    async (request) =>
      createInvocation(
        request.db,
        actorOf(request),
        request.params.space_id,
        request.body,
        request.query.allow_exists === 'true',
      ),
  );

  app.patch(
    '/space/:space_id/invocation/:invocation_id',
    {
      onRequest: MERGE_PATCH_BODY,
      // The body is a merge patch whose nulls mean "remove": the domain parses it (parseInvocationPatch).
      schema: { params: InvocationParams, response: { 200: InvocationOut, ...errors, 409: ErrorBody, ...bodyErrors } },
    },
    async (request) =>
      patchInvocation(request.prepared, request.db, actorOf(request), request.params.space_id, request.params.invocation_id, request.body),
  );

  app.put(
    '/space/:space_id/invocation/:invocation_id',
    {
      onRequest: JSON_BODY,
      schema: {
        params: InvocationParams,
        body: InvocationPutSchema,
        response: { 200: InvocationOut, ...errors, 409: ErrorBody, ...bodyErrors },
      },
    },
    async (request) =>
      replaceInvocation(request.prepared, request.db, actorOf(request), request.params.space_id, request.params.invocation_id, request.body),
  );

  app.delete(
    '/space/:space_id/invocation/:invocation_id',
    { schema: { params: InvocationParams, response: { 200: DeleteResponse, ...errors, 422: ErrorBody } } },
    async (request) =>
      deleteInvocation(request.prepared, request.db, actorOf(request), request.params.space_id, request.params.invocation_id),
  );
};
