import type { EntityManager } from '@mikro-orm/postgresql';
import { sql } from 'kysely';
import { db } from '../db.ts';
import { conflict, notFound } from '../errors.ts';
import type { Actor } from '../identity/actor.ts';
import { loadFunction } from './access.ts';
import { newUuid, parseId, PREFIX } from './ids.ts';
import { loadVersion, versionWithFiles } from './versions.ts';
import { type FunctionView, functionView, type VersionView } from './views.ts';

/**
 * Soft delete, restore, purge, fork and set-default (SEMANTICS.md "Function Versions API").
 * Every change that involves the function's default version takes the function's row lock first,
 * so a concurrent set-default and delete cannot leave a deleted default.
 */

export async function deleteVersion(em: EntityManager, actor: Actor, id: string): Promise<void> {
  const uuid = parseId(PREFIX.version, id, 'id');
  await em.transactional(async (tx) => {
    const { row } = await loadVersion(tx, actor, uuid, 'false');
    const fn = await loadFunction(tx, actor, row.function_id, true);
    if (fn.default_version_id === uuid) {
      throw conflict(`function version ${id} is the default version of its function; make another version the default first`);
    }
    const done = await db(tx)
      .updateTable('function_version')
      .set({ deleted_at: sql`now()` })
      .where('id', '=', uuid)
      .where('deleted_at', 'is', null)
      .returning('id')
      .executeTakeFirst();
    if (!done) throw notFound(`function version ${id} not found`);
  });
}

export async function restoreVersion(em: EntityManager, actor: Actor, id: string): Promise<VersionView> {
  const uuid = parseId(PREFIX.version, id, 'id');
  return em.transactional(async (tx) => {
    const { row } = await loadVersion(tx, actor, uuid, 'true');
    if (row.deleted_at === null) throw conflict(`function version ${id} is not deleted`);
    const restored = await db(tx)
      .updateTable('function_version')
      .set({ deleted_at: null })
      .where('id', '=', uuid)
      .where('deleted_at', 'is not', null)
      .returningAll()
      .executeTakeFirst();
    if (!restored) throw conflict(`function version ${id} is not deleted`);
    return versionWithFiles(tx, restored);
  });
}

/** Removes a soft-deleted version and its files; its children stay, with no parent. */
export async function purgeVersion(em: EntityManager, actor: Actor, id: string): Promise<void> {
  const uuid = parseId(PREFIX.version, id, 'id');
  await em.transactional(async (tx) => {
    const { row } = await loadVersion(tx, actor, uuid, 'true');
    if (row.deleted_at === null) throw conflict(`function version ${id} is not deleted; delete it before purging`);
    const fn = await loadFunction(tx, actor, row.function_id, true);
    if (fn.default_version_id === uuid) throw conflict(`function version ${id} is the default version of its function`);
    const done = await db(tx)
      .deleteFrom('function_version')
      .where('id', '=', uuid)
      .where('deleted_at', 'is not', null)
      .returning('id')
      .executeTakeFirst();
    if (!done) throw conflict(`function version ${id} is not deleted; delete it before purging`);
  });
}

export const MAX_NAME = 256;
const FORK_SUFFIX = ' (fork)';

/** The name a fork gets when the body names none. */
export const forkName = (source: string) => source.slice(0, MAX_NAME - FORK_SUFFIX.length) + FORK_SUFFIX;

/** A new version of the same function whose parent is the source; schemas and files copied. */
export async function forkVersion(
  em: EntityManager,
  actor: Actor,
  id: string,
  input: { name?: string | undefined },
): Promise<VersionView> {
  const uuid = parseId(PREFIX.version, id, 'id');
  return em.transactional(async (tx) => {
    const { row: source } = await loadVersion(tx, actor, uuid, 'false');
    const k = db(tx);
    // Hold the source until commit: a delete and purge cannot remove the parent under the fork.
    const held = await k.selectFrom('function_version').select('id').where('id', '=', uuid).where('deleted_at', 'is', null).forShare().executeTakeFirst();
    if (!held) throw notFound(`function version ${id} not found`);
    const fork = await k
      .insertInto('function_version')
      .values({
        id: newUuid(PREFIX.version),
        organization_id: source.organization_id,
        function_id: source.function_id,
        name: input.name ?? forkName(source.name),
        parent_id: source.id,
        input_schema_id: source.input_schema_id,
        output_schema_id: source.output_schema_id,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await copyFiles(tx, source.id, fork.id);
    return versionWithFiles(tx, fork);
  });
}

/** Copies a version's files inside the database, each under a new id. */
async function copyFiles(em: EntityManager, fromVersion: string, toVersion: string): Promise<void> {
  const k = db(em);
  const old = await k.selectFrom('function_file').select('id').where('version_id', '=', fromVersion).execute();
  if (old.length === 0) return;
  const oldIds = old.map((f) => f.id);
  const newIds = old.map(() => newUuid(PREFIX.file));
  await sql`
    insert into function_file (id, version_id, path, content)
    select m.new_id, ${toVersion}::uuid, f.path, f.content
    from unnest(${oldIds}::uuid[], ${newIds}::uuid[]) as m(old_id, new_id)
    join function_file f on f.id = m.old_id`.execute(k);
}

export async function setDefaultVersion(em: EntityManager, actor: Actor, id: string): Promise<FunctionView> {
  const uuid = parseId(PREFIX.version, id, 'id');
  return em.transactional(async (tx) => {
    const { row } = await loadVersion(tx, actor, uuid, 'true');
    await loadFunction(tx, actor, row.function_id, true);
    // Read again under the function's lock: a delete that won the lock first is seen here.
    const current = await db(tx).selectFrom('function_version').select('deleted_at').where('id', '=', uuid).executeTakeFirst();
    if (!current) throw notFound(`function version ${id} not found`);
    if (current.deleted_at !== null) throw conflict(`function version ${id} is deleted; restore it first`);
    const fn = await db(tx)
      .updateTable('function')
      .set({ default_version_id: uuid, updated_at: sql`now()` })
      .where('id', '=', row.function_id)
      .returningAll()
      .executeTakeFirstOrThrow();
    return functionView(fn);
  });
}
