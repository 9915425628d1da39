import type { EntityManager } from '@mikro-orm/postgresql';
import { db } from '../db.ts';
import { notFound } from '../errors.ts';
import type { Actor } from '../identity/actor.ts';
import { loadWorkspace, requireWorkspaceAccess } from './access.ts';
import { newUuid, parseId, PREFIX } from './ids.ts';
import { checkJsonSchema, jsonColumn } from './json-values.ts';
import { type SchemaView, schemaView } from './views.ts';

export const MAX_DEFINITION_BYTES = 64 * 1024;

export interface NewSchema {
  workspaceId: string;
  name: string;
  definition: Record<string, unknown>;
}

export async function createSchema(em: EntityManager, actor: Actor, input: NewSchema): Promise<SchemaView> {
  const workspace = await loadWorkspace(em, actor, parseId(PREFIX.workspace, input.workspaceId, 'workspaceId'));
  const definition = jsonColumn(input.definition, 'definition', MAX_DEFINITION_BYTES);
  checkJsonSchema(input.definition);
  const row = await db(em)
    .insertInto('json_schema')
    .values({
      id: newUuid(PREFIX.schema),
      organization_id: actor.organizationId,
      workspace_id: workspace.id,
      name: input.name,
      definition,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return schemaView(row);
}

export async function getSchema(em: EntityManager, actor: Actor, id: string): Promise<SchemaView> {
  const uuid = parseId(PREFIX.schema, id, 'id');
  const row = await db(em)
    .selectFrom('json_schema')
    .selectAll()
    .where('id', '=', uuid)
    .where('organization_id', '=', actor.organizationId)
    .executeTakeFirst();
  if (!row) throw notFound(`schema ${id} not found`);
  requireWorkspaceAccess(actor, row.workspace_id);
  return schemaView(row);
}

/**
 * A schema a version of a function in `workspaceUuid` may use: one of that workspace's. Another
 * workspace's or organization's schema is reported as not found there.
 */
export async function requireSchemaIn(
  em: EntityManager,
  workspaceUuid: string,
  id: string,
  field: string,
): Promise<string> {
  const uuid = parseId(PREFIX.schema, id, field);
  const row = await db(em)
    .selectFrom('json_schema')
    .select('id')
    .where('id', '=', uuid)
    .where('workspace_id', '=', workspaceUuid)
    .executeTakeFirst();
  if (!row) throw notFound(`${field}: schema ${id} not found in the function's workspace`);
  return uuid;
}
