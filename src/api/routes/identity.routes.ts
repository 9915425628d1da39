import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { actorOf } from '../plugins/auth.ts';
import { createOrganization } from '../../domain/identity/organizations.ts';
import { issueToken } from '../../domain/identity/tokens.ts';
import { ErrorBody } from '../schemas/common.ts';
import { SlugSchema } from '../schemas/common.ts';

const OrganizationBody = z.strictObject({
  Slug: SlugSchema,
  DisplayName: z.string().min(1).max(256).optional(),
});
const Organization = z.object({
  OrganizationID: z.uuid(),
  Slug: z.string(),
  DisplayName: z.string(),
  CreatedAt: z.string(),
  UpdatedAt: z.string(),
});

const TokenBody = z.strictObject({
  OrganizationID: z.uuid(),
  Role: z.enum(['admin', 'member']),
  WorkspaceIDs: z.array(z.string().min(1).max(64)).max(1000).optional(),
});
const Token = z.object({
  TokenID: z.uuid(),
  Secret: z.string(),
  Role: z.string(),
  OrganizationID: z.uuid(),
});

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody };

export const identityRoutes: FastifyPluginAsyncZod = async (app) => {
  app.post(
    '/organization',
    { schema: { body: OrganizationBody, response: { 200: Organization, ...errors } } },
    async (request) => createOrganization(request.em, actorOf(request), request.body),
  );
  app.post(
    '/token',
    { schema: { body: TokenBody, response: { 200: Token, ...errors } } },
    async (request) => issueToken(request.em, actorOf(request), request.body),
  );
};
