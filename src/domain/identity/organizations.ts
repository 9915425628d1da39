import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { db } from '../db.ts';
import { conflict } from '../errors.ts';
import { type Actor, requireSystemAdmin } from './actor.ts';
import { hashSecret, insertToken } from './tokens.ts';
import { isUniqueViolation } from '../sql-errors.ts';

export interface OrganizationView {
  OrganizationID: string;
  Slug: string;
  DisplayName: string;
  CreatedAt: string;
  UpdatedAt: string;
}

export async function createOrganization(
  em: EntityManager,
  actor: Actor,
  input: { Slug: string; DisplayName?: string | undefined },
): Promise<OrganizationView> {
  requireSystemAdmin(actor);
  try {
    const row = await db(em)
      .insertInto('organization')
      .values({ id: randomUUID(), slug: input.Slug, display_name: input.DisplayName ?? input.Slug })
      .returningAll()
      .executeTakeFirstOrThrow();
    return organizationView(row);
  } catch (e) {
    if (isUniqueViolation(e)) throw conflict(`an organization with Slug '${input.Slug}' exists`);
    throw e;
  }
}

export function organizationView(row: {
  id: string;
  slug: string;
  display_name: string;
  created_at: Date | string;
  updated_at: Date | string;
}): OrganizationView {
  return {
    OrganizationID: row.id,
    Slug: row.slug,
    DisplayName: row.display_name,
    CreatedAt: formatTime(row.created_at),
    UpdatedAt: formatTime(row.updated_at),
  };
}

/** How PostgreSQL writes a timestamptz in a session whose TimeZone is UTC. */
const PG_UTC_TEXT = /^(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d)(?:\.\d+)?\+00$/;

/**
 * RFC 3339 in UTC with whole seconds, as the Invocation API shows every timestamp. The driver
 * hands timestamps over as PostgreSQL's text; in UTC that text is rearranged as it is (each GET
 * formats two, and parsing them into a Date was a tenth of the route's own CPU), anything else
 * (another session TimeZone, a Date) goes through Date.
 */
export function formatTime(d: Date | string): string {
  const utc = typeof d === 'string' ? PG_UTC_TEXT.exec(d) : null;
  if (utc) return `${utc[1]}T${utc[2]}Z`;
  return new Date(d).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * Start-up: make sure the `default` organization and a system-admin token with the bootstrap
 * secret exist. Idempotent; safe when several processes start at once.
 */
export async function ensureBootstrap(em: EntityManager, secret: string): Promise<void> {
  await em.transactional(async (tx) => {
    const k = db(tx);
    await k
      .insertInto('organization')
      .values({ id: randomUUID(), slug: 'default', display_name: 'Default' })
      .onConflict((oc) => oc.column('slug').doNothing())
      .execute();
    const org = await k.selectFrom('organization').select('id').where('slug', '=', 'default').executeTakeFirstOrThrow();
    const existing = await k
      .selectFrom('api_token')
      .select('id')
      .where('secret_hash', '=', hashSecret(secret))
      .executeTakeFirst();
    if (!existing) await insertToken(tx, org.id, 'system_admin', [], secret);
  });
}
