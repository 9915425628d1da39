import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { actorOf } from '../plugins/auth.ts';
import { createFunction, getFunction } from '../../domain/functions/functions.ts';
import { FUNCTION_SOURCES } from '../../domain/functions/tables.ts';
import { apiErrors, FunctionBody, IdParams, IdText, Name, Text } from '../schemas/function-api.ts';

const NewFunctionBody = z.strictObject({
  workspaceId: IdText,
  name: Name,
  description: Text(4096, 0).optional(),
  source: z.enum(FUNCTION_SOURCES).optional(),
  retentionTier: z.json().optional(),
});

export const functionRoutes: FastifyPluginAsyncZod = async (app) => {
  app.post(
    '/api/functions',
    { schema: { body: NewFunctionBody, response: { 201: FunctionBody, ...apiErrors } } },
    async (request, reply) => reply.status(201).send(await createFunction(request.em, actorOf(request), request.body)),
  );
  app.get(
    '/api/functions/:id',
    { schema: { params: IdParams, response: { 200: FunctionBody, ...apiErrors } } },
    async (request) => getFunction(request.em, actorOf(request), request.params.id),
  );
};
