import type { EntityManager } from '@mikro-orm/postgresql';
import type { Selectable } from 'kysely';
import { db } from '../db.ts';
import { forbidden, notFound } from '../errors.ts';
import { type Actor, isOrgAdmin } from '../identity/actor.ts';
import { PREFIX, toTypeId, tryParseId } from './ids.ts';
import type { FunctionTable, WorkspaceTable } from './tables.ts';

/**
 * Who may use what. Everything lives in one organization: another organization's objects answer
 * 404 as if they did not exist. Inside the organization, admins (and system admins) use every
 * workspace; other callers use the workspaces their token names, and anything else answers 403.
 */
export function workspaceUuidsOf(actor: Actor): string[] {
  return actor.workspaceIds.flatMap((id) => tryParseId(PREFIX.workspace, id) ?? []);
}

export function canUseWorkspace(actor: Actor, workspaceUuid: string): boolean {
  return isOrgAdmin(actor) || workspaceUuidsOf(actor).includes(workspaceUuid);
}

export function requireWorkspaceAccess(actor: Actor, workspaceUuid: string): void {
  if (!canUseWorkspace(actor, workspaceUuid)) {
    throw forbidden(`this token may not use workspace ${toTypeId(PREFIX.workspace, workspaceUuid)}`);
  }
}

export type WorkspaceRow = Selectable<WorkspaceTable>;
export type FunctionRow = Selectable<FunctionTable>;

export async function loadWorkspace(em: EntityManager, actor: Actor, uuid: string): Promise<WorkspaceRow> {
  const row = await db(em)
    .selectFrom('workspace')
    .selectAll()
    .where('id', '=', uuid)
    .where('organization_id', '=', actor.organizationId)
    .executeTakeFirst();
  if (!row) throw notFound(`workspace ${toTypeId(PREFIX.workspace, uuid)} not found`);
  requireWorkspaceAccess(actor, row.id);
  return row;
}

/** The function, in the caller's organization and workspaces; `lock` takes its row lock. */
export async function loadFunction(
  em: EntityManager,
  actor: Actor,
  uuid: string,
  lock = false,
): Promise<FunctionRow> {
  let query = db(em)
    .selectFrom('function')
    .selectAll()
    .where('id', '=', uuid)
    .where('organization_id', '=', actor.organizationId);
  if (lock) query = query.forUpdate();
  const row = await query.executeTakeFirst();
  if (!row) throw notFound(`function ${toTypeId(PREFIX.function, uuid)} not found`);
  requireWorkspaceAccess(actor, row.workspace_id);
  return row;
}
