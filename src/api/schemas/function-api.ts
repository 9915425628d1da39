import { z } from 'zod';

/** Shapes shared by the Function Versions API's routes (camelCase, under /api). */

/** The /api error envelope (SEMANTICS.md "Errors"). */
export const ApiErrorBody = z.object({
  error: z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() }),
});

export const apiErrors = { 400: ApiErrorBody, 401: ApiErrorBody, 403: ApiErrorBody, 404: ApiErrorBody, 409: ApiErrorBody };

/** Caller text for a text column: bounded, and without NUL, which PostgreSQL refuses. */
export const Text = (max: number, min = 1) =>
  z.string().min(min).max(max).refine((s) => !s.includes('\u0000'), 'may not contain the NUL character');

export const Name = Text(256);

/** Ids are checked (prefix, base32, length) by the domain, which names the field in its 400. */
export const IdText = z.string().min(1).max(128);
export const IdParams = z.strictObject({ id: IdText });

export const Success = z.object({ success: z.boolean() });

export const Workspace = z.object({ id: z.string(), name: z.string(), createdAt: z.string(), updatedAt: z.string() });

export const Schema = z.object({
  id: z.string(),
  workspaceId: z.string(),
  name: z.string(),
  definition: z.record(z.string(), z.unknown()),
  createdAt: z.string(),
  updatedAt: z.string(),
});

export const FunctionBody = z.object({
  id: z.string(),
  workspaceId: z.string(),
  name: z.string(),
  description: z.string().nullable(),
  defaultVersionId: z.string().nullable(),
  source: z.enum(['custom', 'system', 'openapi-op']),
  system: z.boolean(),
  createdBy: z.string(),
  runtimeUserId: z.string().nullable(),
  deletedAt: z.string().nullable(),
  retentionTier: z.unknown(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

export const File = z.object({ id: z.string(), path: z.string(), content: z.string(), createdAt: z.string() });

export const Version = z.object({
  id: z.string(),
  functionId: z.string(),
  name: z.string(),
  parentId: z.string().nullable(),
  inputSchemaId: z.string(),
  outputSchemaId: z.string(),
  files: z.array(File).optional(),
  deletedAt: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

export const VersionPage = z.object({
  data: z.array(Version),
  pageInfo: z.object({
    total: z.number().int(),
    hasNextPage: z.boolean(),
    hasPreviousPage: z.boolean(),
    startCursor: z.string().nullable(),
    endCursor: z.string().nullable(),
  }),
});
