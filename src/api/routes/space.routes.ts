import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { actorOf } from '../plugins/auth.ts';
import { JSON_BODY, MERGE_PATCH_BODY } from '../plugins/content-type.ts';
import { resolveSelection } from '../../domain/query/index.ts';
import { createSpace, deleteSpace, getSpace, listSpaces, patchSpace, SpaceCreateSchema } from '../../domain/spaces/index.ts';
import { ErrorBody } from '../schemas/common.ts';
import { DeleteResponse, PageQuery, SelectionQuery, SpaceOut } from '../schemas/entities.ts';
import { nextLink } from '../schemas/paging.ts';

const SpaceParams = z.object({ space_id: z.uuid('must be a UUID') });
const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 500: ErrorBody };

export const spaceRoutes: FastifyPluginAsyncZod = async (app) => {
  app.post(
    '/space',
    {
      onRequest: JSON_BODY,
      schema: { body: SpaceCreateSchema, response: { 200: SpaceOut, ...errors, 409: ErrorBody, 413: ErrorBody, 415: ErrorBody } },
    },
    async (request) => createSpace(request.em, actorOf(request), request.body),
  );

  app.get(
    '/space',
    { schema: { querystring: z.strictObject({ ...PageQuery, ...SelectionQuery }), response: { 200: z.array(SpaceOut), ...errors } } },
    async (request, reply) => {
      const { limit, after, where, filter, contains } = request.query;
      const actor = actorOf(request);
      const selection = await resolveSelection(request.em, actor, { entity: 'Space', alias: 'space', where, filter, contains });
      const page = await listSpaces(request.em, actor, { limit, after }, selection.condition);
      const link = nextLink(request, page.nextAfter);
      if (link) reply.header('link', link);
      return page.items;
    },
  );

  app.get(
    '/space/:space_id',
    { schema: { params: SpaceParams, response: { 200: SpaceOut, ...errors } } },
    async (request) => getSpace(request.em, actorOf(request), request.params.space_id),
  );

  app.patch(
    '/space/:space_id',
    {
      onRequest: MERGE_PATCH_BODY,
      schema: { params: SpaceParams, response: { 200: SpaceOut, ...errors, 409: ErrorBody, 413: ErrorBody, 415: ErrorBody } },
    },
    async (request) => patchSpace(request.em, actorOf(request), request.params.space_id, request.body),
  );

  app.delete(
    '/space/:space_id',
    { schema: { params: SpaceParams, response: { 200: DeleteResponse, ...errors, 409: ErrorBody, 422: ErrorBody } } },
    async (request) => deleteSpace(request.em, actorOf(request), request.params.space_id),
  );
};
