import { z } from 'zod';

const bool = z.enum(['true', 'false'], "must be 'true' or 'false'").transform((v) => v === 'true');
const text = (max: number) => z.string().max(max, `at most ${max} characters`);

const Selection = {
  where: text(8192).optional(),
  filter: text(64).optional(),
  contains: text(256).optional(),
  include: text(256).optional(),
  dry_run: bool.optional(),
  max_affected: z.coerce.number().int().min(0).max(1_000_000_000).optional(),
};

export const BulkPatchQuery = z.strictObject(Selection);
export const BulkDeleteQuery = z.strictObject(Selection);
export const BulkCloneQuery = z.strictObject({
  ...Selection,
  name_prefixes: text(8192).optional(),
  where_space: text(8192).optional(),
  filter_space: text(64).optional(),
  allow_exists: bool.optional(),
});

export const ResponseError = z.object({
  Status: z.number(),
  ErrorCategory: z.string(),
  Message: z.string(),
  Details: z.unknown().optional(),
  ErrorMetadata: z
    .object({ EntityID: z.string(), EntitySlug: z.string().optional(), EntityType: z.string() })
    .optional(),
});

export const Job = z.object({
  JobID: z.uuid(),
  State: z.enum(['queued', 'running', 'paused', 'completed', 'failed', 'cancelled']),
  Operation: z.enum(['clone', 'patch', 'delete', 'revert']),
  DryRun: z.boolean(),
  UndoRecorded: z.boolean().meta({ description: 'False: the job kept no before-state of what it changed (BULK_RECORD_UNDO=false) and cannot be reverted, unless it is a clone.' }),
  Total: z.number().optional(),
  Succeeded: z.number(),
  Failed: z.number(),
  Pending: z.number().optional(),
  CreatedAt: z.string(),
  StartedAt: z.string().optional(),
  FinishedAt: z.string().optional(),
  Request: z.record(z.string(), z.unknown()),
  SourceJobID: z.uuid().optional(),
  PurgedAt: z.string().optional(),
  Error: z.object({ Status: z.number(), Message: z.string() }).optional(),
});

/** InvocationCreateOrUpdateResponse and DeleteResponse items. */
export const BulkResultItem = z.object({
  Invocation: z.record(z.string(), z.unknown()).optional(),
  Error: ResponseError.optional(),
  Message: z.string().optional(),
});

export const IdempotencyKey = z.string().min(1).max(255).regex(/^[\x21-\x7e]+$/, 'printable ASCII without spaces');
