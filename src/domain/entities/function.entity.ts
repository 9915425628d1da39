import { defineEntity, p, type InferEntity } from '@mikro-orm/core';

/**
 * The Function Versions API's entities, for the ORM's metadata. Reads and writes that carry caller
 * input go through Kysely (src/domain/functions/), whose table types live in functions/tables.ts.
 */
export const WorkspaceSchema = defineEntity({
  name: 'Workspace',
  tableName: 'workspace',
  properties: {
    id: p.uuid().primary(),
    organizationId: p.uuid(),
    name: p.text(),
    createdAt: p.datetime(3),
    updatedAt: p.datetime(3),
  },
});
export type Workspace = InferEntity<typeof WorkspaceSchema>;

export const JsonSchemaSchema = defineEntity({
  name: 'JsonSchema',
  tableName: 'json_schema',
  properties: {
    id: p.uuid().primary(),
    organizationId: p.uuid(),
    workspaceId: p.uuid(),
    name: p.text(),
    definition: p.json<Record<string, unknown>>(),
    createdAt: p.datetime(3),
    updatedAt: p.datetime(3),
  },
});
export type JsonSchema = InferEntity<typeof JsonSchemaSchema>;

export const FunctionSchema = defineEntity({
  name: 'Function',
  tableName: 'function',
  properties: {
    id: p.uuid().primary(),
    organizationId: p.uuid(),
    workspaceId: p.uuid(),
    name: p.text(),
    description: p.text().nullable(),
    defaultVersionId: p.uuid().nullable(),
    source: p.enum(['custom', 'system', 'openapi-op'] as const),
    system: p.boolean(),
    createdBy: p.text(),
    runtimeUserId: p.text().nullable(),
    deletedAt: p.datetime(3).nullable(),
    retentionTier: p.json<unknown>().nullable(),
    createdAt: p.datetime(3),
    updatedAt: p.datetime(3),
  },
});
export type FunctionRecord = InferEntity<typeof FunctionSchema>;

export const FunctionVersionSchema = defineEntity({
  name: 'FunctionVersion',
  tableName: 'function_version',
  properties: {
    id: p.uuid().primary(),
    organizationId: p.uuid(),
    functionId: p.uuid(),
    name: p.text(),
    parentId: p.uuid().nullable(),
    inputSchemaId: p.uuid(),
    outputSchemaId: p.uuid(),
    deletedAt: p.datetime(3).nullable(),
    createdAt: p.datetime(3),
    updatedAt: p.datetime(3),
  },
});
export type FunctionVersion = InferEntity<typeof FunctionVersionSchema>;

export const FunctionFileSchema = defineEntity({
  name: 'FunctionFile',
  tableName: 'function_file',
  properties: {
    id: p.uuid().primary(),
    versionId: p.uuid(),
    path: p.text(),
    content: p.text(),
    createdAt: p.datetime(3),
  },
});
export type FunctionFile = InferEntity<typeof FunctionFileSchema>;
