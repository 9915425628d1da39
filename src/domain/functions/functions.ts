import type { EntityManager } from '@mikro-orm/postgresql';
import { db } from '../db.ts';
import type { Actor } from '../identity/actor.ts';
import { loadFunction, loadWorkspace } from './access.ts';
import { newUuid, parseId, PREFIX } from './ids.ts';
import { jsonColumn } from './json-values.ts';
import type { FunctionSource } from './tables.ts';
import { type FunctionView, functionView } from './views.ts';

export interface NewFunction {
  workspaceId: string;
  name: string;
  description?: string | undefined;
  source?: FunctionSource | undefined;
  retentionTier?: unknown;
}

export async function createFunction(em: EntityManager, actor: Actor, input: NewFunction): Promise<FunctionView> {
  const workspace = await loadWorkspace(em, actor, parseId(PREFIX.workspace, input.workspaceId, 'workspaceId'));
  const retention = input.retentionTier == null ? null : jsonColumn(input.retentionTier, 'retentionTier', 1024);
  const row = await db(em)
    .insertInto('function')
    .values({
      id: newUuid(PREFIX.function),
      organization_id: actor.organizationId,
      workspace_id: workspace.id,
      name: input.name,
      description: input.description ?? null,
      source: input.source ?? 'custom',
      created_by: actor.tokenId,
      retention_tier: retention,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return functionView(row);
}

export async function getFunction(em: EntityManager, actor: Actor, id: string): Promise<FunctionView> {
  return functionView(await loadFunction(em, actor, parseId(PREFIX.function, id, 'id')));
}
