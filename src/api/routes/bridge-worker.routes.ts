import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { actorOf } from '../plugins/auth.ts';
import { JSON_BODY } from '../plugins/content-type.ts';
import {
  BridgeWorkerCreateSchema,
  createBridgeWorker,
  getBridgeWorker,
  listBridgeWorkers,
} from '../../domain/spaces/index.ts';
import { ErrorBody } from '../schemas/common.ts';
import { BridgeWorkerOut, PageQuery } from '../schemas/entities.ts';
import { nextLink } from '../schemas/paging.ts';

const SpaceParams = z.object({ space_id: z.uuid('must be a UUID') });
const WorkerParams = SpaceParams.extend({ bridge_worker_id: z.uuid('must be a UUID') });
const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 500: ErrorBody };

export const bridgeWorkerRoutes: FastifyPluginAsyncZod = async (app) => {
  app.post(
    '/space/:space_id/bridge_worker',
    {
      onRequest: JSON_BODY,
      schema: {
        params: SpaceParams,
        body: BridgeWorkerCreateSchema,
        response: { 200: BridgeWorkerOut, ...errors, 409: ErrorBody, 413: ErrorBody, 415: ErrorBody },
      },
    },
    async (request) => createBridgeWorker(request.em, actorOf(request), request.params.space_id, request.body),
  );

  app.get(
    '/space/:space_id/bridge_worker',
    { schema: { params: SpaceParams, querystring: z.strictObject(PageQuery), response: { 200: z.array(BridgeWorkerOut), ...errors } } },
    async (request, reply) => {
      const page = await listBridgeWorkers(request.em, actorOf(request), request.params.space_id, request.query);
      const link = nextLink(request, page.nextAfter);
      if (link) reply.header('link', link);
      return page.items;
    },
  );

  app.get(
    '/space/:space_id/bridge_worker/:bridge_worker_id',
    { schema: { params: WorkerParams, response: { 200: BridgeWorkerOut, ...errors } } },
    async (request) =>
      getBridgeWorker(request.em, actorOf(request), request.params.space_id, request.params.bridge_worker_id),
  );
};
