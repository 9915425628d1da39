import { ApiTokenSchema, OrganizationSchema } from './organization.entity.ts';
import { BridgeWorkerSchema, FilterSchema, SpaceSchema } from './space.entity.ts';
import { InvocationSchema } from './invocation.entity.ts';
import * as fn from './function.entity.ts';

/** Every entity the ORM knows. The schema itself changes only through migrations/. */
export const entities = [
  OrganizationSchema,
  ApiTokenSchema,
  SpaceSchema,
  BridgeWorkerSchema,
  FilterSchema,
  InvocationSchema,
  fn.WorkspaceSchema, fn.JsonSchemaSchema, fn.FunctionSchema, fn.FunctionVersionSchema, fn.FunctionFileSchema,
] as const;
