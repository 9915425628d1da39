import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { actorOf } from '../plugins/auth.ts';
import { createVersion, getVersion, updateVersion } from '../../domain/functions/versions.ts';
import {
  deleteVersion,
  forkVersion,
  purgeVersion,
  restoreVersion,
  setDefaultVersion,
} from '../../domain/functions/version-lifecycle.ts';
import { listVersions, MAX_LIMIT } from '../../domain/functions/version-list.ts';
import {
  apiErrors,
  FunctionBody,
  IdParams,
  IdText,
  Name,
  Success,
  Text,
  Version,
  VersionPage,
} from '../schemas/function-api.ts';

const IncludeDeleted = z.enum(['false', 'true', 'only']);

const Limit = z
  .string()
  .refine((s) => /^\d{1,3}$/.test(s) && Number(s) >= 1 && Number(s) <= MAX_LIMIT, `must be an integer from 1 to ${MAX_LIMIT}`)
  .transform(Number);

// Lengths here only bound the input; the domain applies the documented limits with clearer messages.
const ListQuery = z.strictObject({
  limit: Limit.optional(),
  after: z.string().max(8192).optional(),
  before: z.string().max(8192).optional(),
  ids: z.string().max(4096).optional(),
  filter: z.string().max(16384).optional(),
  orderBy: z.string().max(4096).optional(),
  function_id: IdText.optional(),
  include_deleted: IncludeDeleted.optional(),
  parent_id: IdText.optional(),
  input_schema_id: IdText.optional(),
  output_schema_id: IdText.optional(),
});

const NewFile = z.strictObject({ path: Text(1024), content: Text(256 * 1024, 0) });

const NewVersionBody = z.strictObject({
  functionId: IdText,
  name: Name.optional(),
  inputSchemaId: IdText,
  outputSchemaId: IdText,
  files: z.array(NewFile).max(100).optional(),
});

const PatchBody = z.strictObject({
  name: Name.optional(),
  inputSchemaId: IdText.optional(),
  outputSchemaId: IdText.optional(),
});

// The body is optional: a fork without one derives its name from the source's.
const ForkBody = z.strictObject({ name: Name.optional() }).nullish();

export const functionVersionRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/api/function-versions',
    { schema: { querystring: ListQuery, response: { 200: VersionPage, ...apiErrors } } },
    async (request) => listVersions(request.em, actorOf(request), request.query),
  );
  app.post(
    '/api/function-versions',
    { schema: { body: NewVersionBody, response: { 201: Version, ...apiErrors } } },
    async (request, reply) => reply.status(201).send(await createVersion(request.em, actorOf(request), request.body)),
  );
  app.get(
    '/api/function-versions/:id',
    {
      schema: {
        params: IdParams,
        querystring: z.strictObject({ include_deleted: IncludeDeleted.optional() }),
        response: { 200: Version, ...apiErrors },
      },
    },
    async (request) => getVersion(request.em, actorOf(request), request.params.id, request.query.include_deleted),
  );
  app.patch(
    '/api/function-versions/:id',
    { schema: { params: IdParams, body: PatchBody, response: { 200: Version, ...apiErrors } } },
    async (request) => updateVersion(request.em, actorOf(request), request.params.id, request.body),
  );
  app.delete(
    '/api/function-versions/:id',
    { schema: { params: IdParams, response: { 200: Success, ...apiErrors } } },
    async (request) => {
      await deleteVersion(request.em, actorOf(request), request.params.id);
      return { success: true };
    },
  );
  app.post(
    '/api/function-versions/:id/fork',
    { schema: { params: IdParams, body: ForkBody, response: { 201: Version, ...apiErrors } } },
    async (request, reply) =>
      reply.status(201).send(await forkVersion(request.em, actorOf(request), request.params.id, request.body ?? {})),
  );
  app.delete(
    '/api/function-versions/:id/purge',
    { schema: { params: IdParams, response: { 200: Success, ...apiErrors } } },
    async (request) => {
      await purgeVersion(request.em, actorOf(request), request.params.id);
      return { success: true };
    },
  );
  app.post(
    '/api/function-versions/:id/restore',
    { schema: { params: IdParams, response: { 200: Version, ...apiErrors } } },
    async (request) => restoreVersion(request.em, actorOf(request), request.params.id),
  );
  app.post(
    '/api/function-versions/:id/set-default',
    { schema: { params: IdParams, response: { 200: FunctionBody, ...apiErrors } } },
    async (request) => setDefaultVersion(request.em, actorOf(request), request.params.id),
  );
};
