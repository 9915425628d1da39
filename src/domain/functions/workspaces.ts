import type { EntityManager } from '@mikro-orm/postgresql';
import { db } from '../db.ts';
import { type Actor, requireOrgAdmin } from '../identity/actor.ts';
import { loadWorkspace } from './access.ts';
import { newUuid, parseId, PREFIX } from './ids.ts';
import { type WorkspaceView, workspaceView } from './views.ts';

export async function createWorkspace(em: EntityManager, actor: Actor, input: { name: string }): Promise<WorkspaceView> {
  requireOrgAdmin(actor);
  const row = await db(em)
    .insertInto('workspace')
    .values({ id: newUuid(PREFIX.workspace), organization_id: actor.organizationId, name: input.name })
    .returningAll()
    .executeTakeFirstOrThrow();
  return workspaceView(row);
}

export async function getWorkspace(em: EntityManager, actor: Actor, id: string): Promise<WorkspaceView> {
  return workspaceView(await loadWorkspace(em, actor, parseId(PREFIX.workspace, id, 'id')));
}
