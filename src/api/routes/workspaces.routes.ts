import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { actorOf } from '../plugins/auth.ts';
import { createWorkspace, getWorkspace } from '../../domain/functions/workspaces.ts';
import { apiErrors, IdParams, Name, Workspace } from '../schemas/function-api.ts';

export const workspaceRoutes: FastifyPluginAsyncZod = async (app) => {
  app.post(
    '/api/workspaces',
    { schema: { body: z.strictObject({ name: Name }), response: { 201: Workspace, ...apiErrors } } },
    async (request, reply) => reply.status(201).send(await createWorkspace(request.em, actorOf(request), request.body)),
  );
  app.get(
    '/api/workspaces/:id',
    { schema: { params: IdParams, response: { 200: Workspace, ...apiErrors } } },
    async (request) => getWorkspace(request.em, actorOf(request), request.params.id),
  );
};
