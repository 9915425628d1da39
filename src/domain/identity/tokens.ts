import { hash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { sql } from 'kysely';
import type { EntityManager } from '@mikro-orm/postgresql';
import { db } from '../db.ts';
import type { TokenRole } from '../entities/organization.entity.ts';
import { notFound, validation } from '../errors.ts';
import { type Actor, requireOrgAdmin } from './actor.ts';

const SECRET_PREFIX = 'bko_';

export const hashSecret = (secret: string) => hash('sha256', secret, 'hex');
export const newSecret = () => SECRET_PREFIX + randomBytes(32).toString('base64url');

/** Resolves a presented bearer secret to its actor, or null. Only hashes are stored and compared. */
export async function authenticate(em: EntityManager, secret: string): Promise<Actor | null> {
  if (secret.length < 16 || secret.length > 512) return null;
  const hash = hashSecret(secret);
  const row = await db(em)
    .selectFrom('api_token')
    .select(['id', 'organization_id', 'role', 'secret_hash', 'workspace_ids'])
    .where('secret_hash', '=', hash)
    .executeTakeFirst();
  if (!row) return null;
  // The lookup is by hash already; the constant-time compare guards against a future lookup change.
  if (!timingSafeEqual(Buffer.from(row.secret_hash), Buffer.from(hash))) return null;
  return {
    tokenId: row.id,
    organizationId: row.organization_id,
    role: row.role as TokenRole,
    workspaceIds: row.workspace_ids ?? [],
  };
}

export interface NewToken {
  OrganizationID: string;
  Role: 'admin' | 'member';
  WorkspaceIDs?: string[] | undefined;
}

export interface IssuedToken {
  TokenID: string;
  Secret: string;
  Role: TokenRole;
  OrganizationID: string;
}

export async function issueToken(em: EntityManager, actor: Actor, input: NewToken): Promise<IssuedToken> {
  requireOrgAdmin(actor, input.OrganizationID);
  const org = await db(em)
    .selectFrom('organization')
    .select('id')
    .where('id', '=', input.OrganizationID)
    .executeTakeFirst();
  if (!org) throw notFound(`organization ${input.OrganizationID} not found`);
  return insertToken(em, input.OrganizationID, input.Role, input.WorkspaceIDs ?? []);
}

export async function insertToken(
  em: EntityManager,
  organizationId: string,
  role: TokenRole,
  workspaceIds: string[],
  secret = newSecret(),
): Promise<IssuedToken> {
  if (workspaceIds.length > 1000) throw validation('WorkspaceIDs: at most 1000 entries');
  const id = randomUUID();
  await db(em)
    .insertInto('api_token')
    .values({
      id,
      organization_id: organizationId,
      role,
      secret_hash: hashSecret(secret),
      workspace_ids: sql`${workspaceIds}::text[]`,
    })
    .execute();
  return { TokenID: id, Secret: secret, Role: role, OrganizationID: organizationId };
}
