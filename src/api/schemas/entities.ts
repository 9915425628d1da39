import { z } from 'zod';
import { MAX_PAGE_SIZE } from '../../domain/paging.ts';

/** Response shapes of the Invocation API's entities (what the serializer lets out). */
const StringMap = z.record(z.string(), z.string());
const GateMap = z.record(z.string(), z.boolean());
const Time = z.string();
const Argument = z.object({
  ParameterName: z.string().optional(),
  Value: z.union([z.string(), z.number(), z.boolean()]),
});

const versioned = {
  Version: z.number().int(),
  CursorID: z.number().int(),
  CreatedAt: Time,
  UpdatedAt: Time,
};

export const InvocationOut = z.object({
  InvocationID: z.uuid(),
  OrganizationID: z.uuid(),
  SpaceID: z.uuid(),
  Slug: z.string(),
  DisplayName: z.string(),
  FunctionName: z.string(),
  Arguments: z.array(Argument),
  ToolchainType: z.string(),
  BridgeWorkerID: z.uuid().nullable(),
  Labels: StringMap,
  Annotations: StringMap,
  DeleteGates: GateMap,
  Hash: z.string(),
  EntityType: z.literal('Invocation'),
  ...versioned,
});

/** With `select`, only the IDs and Slug are sure to be there. */
const SelectedInvocationOut = InvocationOut.partial().required({
  InvocationID: true,
  OrganizationID: true,
  SpaceID: true,
  Slug: true,
});

export const SpaceOut = z.object({
  SpaceID: z.uuid(),
  OrganizationID: z.uuid(),
  Slug: z.string(),
  DisplayName: z.string(),
  Labels: StringMap,
  Annotations: StringMap,
  DeleteGates: GateMap,
  EntityType: z.literal('Space'),
  ...versioned,
});

export const BridgeWorkerOut = z.object({
  BridgeWorkerID: z.uuid(),
  OrganizationID: z.uuid(),
  SpaceID: z.uuid(),
  Slug: z.string(),
  DisplayName: z.string(),
  EntityType: z.literal('BridgeWorker'),
  ...versioned,
});

export const FilterOut = z.object({
  FilterID: z.uuid(),
  OrganizationID: z.uuid(),
  SpaceID: z.uuid(),
  Slug: z.string(),
  DisplayName: z.string(),
  From: z.enum(['Invocation', 'Space']),
  Where: z.string(),
  FromSpaceID: z.uuid().optional(),
  EntityType: z.literal('Filter'),
  ...versioned,
});

const OrganizationOut = z.object({
  OrganizationID: z.uuid(),
  Slug: z.string(),
  DisplayName: z.string(),
  CreatedAt: Time,
  UpdatedAt: Time,
});

export const ExtendedInvocationOut = z.object({
  Invocation: SelectedInvocationOut,
  BridgeWorker: BridgeWorkerOut.optional(),
  Organization: OrganizationOut.optional(),
  Space: SpaceOut.optional(),
});

export const DeleteResponse = z.object({ Message: z.string() });

/** `limit` and `after` of every list: keyset pages in CursorID order. */
export const PageQuery = {
  limit: z.coerce
    .number('must be an integer')
    .int('must be an integer')
    .min(1, 'must be at least 1')
    .max(MAX_PAGE_SIZE, `must be at most ${MAX_PAGE_SIZE}`)
    .default(MAX_PAGE_SIZE),
  after: z.string().regex(/^\d{1,18}$/, 'must be a CursorID (a non-negative integer)').optional(),
};

/** `include` and `select` of the invocation reads (parsed by the domain). */
/** `where`, `filter` and `contains` of a list; the query module checks their content. */
export const SelectionQuery = {
  where: z.string().max(8192, 'must be at most 8192 characters').optional(),
  filter: z.string().max(64).optional(),
  contains: z.string().max(1024, 'must be at most 1024 characters').optional(),
};

export const ProjectionQuery = {
  include: z.string().max(256).optional(),
  select: z.string().max(1024).optional(),
};
