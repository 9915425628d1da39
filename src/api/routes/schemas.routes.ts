import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { actorOf } from '../plugins/auth.ts';
import { createSchema, getSchema } from '../../domain/functions/schemas.ts';
import { apiErrors, IdParams, IdText, Name, Schema } from '../schemas/function-api.ts';

const SchemaBody = z.strictObject({
  workspaceId: IdText,
  name: Name,
  definition: z.record(z.string(), z.unknown()),
});

export const schemaRoutes: FastifyPluginAsyncZod = async (app) => {
  app.post(
    '/api/schemas',
    { schema: { body: SchemaBody, response: { 201: Schema, ...apiErrors } } },
    async (request, reply) => reply.status(201).send(await createSchema(request.em, actorOf(request), request.body)),
  );
  app.get(
    '/api/schemas/:id',
    { schema: { params: IdParams, response: { 200: Schema, ...apiErrors } } },
    async (request) => getSchema(request.em, actorOf(request), request.params.id),
  );
};
