import type { TokenRole } from '../entities/organization.entity.ts';
import { forbidden } from '../errors.ts';

/** Who is calling: the organization a token belongs to and what it may do there. */
export interface Actor {
  tokenId: string;
  organizationId: string;
  role: TokenRole;
  workspaceIds: readonly string[];
}

export const isSystemAdmin = (a: Actor) => a.role === 'system_admin';
export const isOrgAdmin = (a: Actor) => a.role === 'admin' || a.role === 'system_admin';

export function requireSystemAdmin(actor: Actor): void {
  if (!isSystemAdmin(actor)) throw forbidden('this call needs a system-admin token');
}

/** Admin of the given organization, or a system admin. */
export function requireOrgAdmin(actor: Actor, organizationId = actor.organizationId): void {
  if (isSystemAdmin(actor)) return;
  if (actor.role !== 'admin' || actor.organizationId !== organizationId) {
    throw forbidden('this call needs an admin token of the organization');
  }
}
