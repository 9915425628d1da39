import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { actorOf } from '../plugins/auth.ts';
import { JSON_BODY } from '../plugins/content-type.ts';
import { createFilter, FilterCreateSchema, getFilter, listFilters } from '../../domain/spaces/index.ts';
import { ErrorBody } from '../schemas/common.ts';
import { FilterOut, PageQuery } from '../schemas/entities.ts';
import { nextLink } from '../schemas/paging.ts';

const SpaceParams = z.object({ space_id: z.uuid('must be a UUID') });
const FilterParams = SpaceParams.extend({ filter_id: z.uuid('must be a UUID') });
const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 500: ErrorBody };

export const filterRoutes: FastifyPluginAsyncZod = async (app) => {
  app.post(
    '/space/:space_id/filter',
    {
      onRequest: JSON_BODY,
      schema: {
        params: SpaceParams,
        body: FilterCreateSchema,
        response: { 200: FilterOut, ...errors, 409: ErrorBody, 413: ErrorBody, 415: ErrorBody },
      },
    },
    async (request) => createFilter(request.em, actorOf(request), request.params.space_id, request.body),
  );

  app.get(
    '/space/:space_id/filter',
    { schema: { params: SpaceParams, querystring: z.strictObject(PageQuery), response: { 200: z.array(FilterOut), ...errors } } },
    async (request, reply) => {
      const page = await listFilters(request.em, actorOf(request), request.params.space_id, request.query);
      const link = nextLink(request, page.nextAfter);
      if (link) reply.header('link', link);
      return page.items;
    },
  );

  app.get(
    '/space/:space_id/filter/:filter_id',
    { schema: { params: FilterParams, response: { 200: FilterOut, ...errors } } },
    async (request) => getFilter(request.em, actorOf(request), request.params.space_id, request.params.filter_id),
  );
};
