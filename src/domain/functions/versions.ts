import type { EntityManager } from '@mikro-orm/postgresql';
import { sql } from 'kysely';
import { type Db, db } from '../db.ts';
import { notFound, validation } from '../errors.ts';
import type { Actor } from '../identity/actor.ts';
import { loadFunction, requireWorkspaceAccess } from './access.ts';
import { newUuid, parseId, PREFIX, toTypeId } from './ids.ts';
import { requireSchemaIn } from './schemas.ts';
import { type VersionRow, type VersionView, versionView } from './views.ts';

/** Which versions a lookup by id sees: soft-deleted ones are hidden unless asked for. */
export type DeletedVisibility = 'false' | 'true' | 'only';

export interface LoadedVersion {
  row: VersionRow;
  workspaceId: string;
}

/** A version of the caller's organization and workspaces, by uuid, or 404 (403 outside workspaces). */
export async function loadVersion(
  em: EntityManager,
  actor: Actor,
  uuid: string,
  deleted: DeletedVisibility,
): Promise<LoadedVersion> {
  const found = await db(em)
    .selectFrom('function_version as v')
    .innerJoin('function as f', 'f.id', 'v.function_id')
    .selectAll('v')
    .select('f.workspace_id as workspace_id')
    .where('v.id', '=', uuid)
    .where('v.organization_id', '=', actor.organizationId)
    .executeTakeFirst();
  const hidden = !found || (deleted === 'false' && found.deleted_at !== null) || (deleted === 'only' && found.deleted_at === null);
  if (!found || hidden) throw notFound(`function version ${idText(uuid)} not found`);
  requireWorkspaceAccess(actor, found.workspace_id);
  const { workspace_id: workspaceId, ...row } = found;
  return { row, workspaceId };
}

const idText = (uuid: string) => toTypeId(PREFIX.version, uuid);

export async function filesOf(em: EntityManager, versionUuid: string) {
  return db(em).selectFrom('function_file').selectAll().where('version_id', '=', versionUuid).orderBy('path').execute();
}

export async function versionWithFiles(em: EntityManager, row: VersionRow): Promise<VersionView> {
  return versionView(row, await filesOf(em, row.id));
}

export interface NewFile {
  path: string;
  content: string;
}

export interface NewVersion {
  functionId: string;
  name?: string | undefined;
  inputSchemaId: string;
  outputSchemaId: string;
  files?: NewFile[] | undefined;
}

/**
 * A new version. The first version of a function becomes its default, so a function that has
 * versions always has a default one.
 */
export async function createVersion(em: EntityManager, actor: Actor, input: NewVersion): Promise<VersionView> {
  const functionUuid = parseId(PREFIX.function, input.functionId, 'functionId');
  const files = input.files ?? [];
  requireDistinctPaths(files);
  return em.transactional(async (tx) => {
    const fn = await loadFunction(tx, actor, functionUuid, true);
    const inputSchema = await requireSchemaIn(tx, fn.workspace_id, input.inputSchemaId, 'inputSchemaId');
    const outputSchema = await requireSchemaIn(tx, fn.workspace_id, input.outputSchemaId, 'outputSchemaId');
    const k = db(tx);
    const name = input.name ?? (await nextVersionName(k, fn.id));
    const row = await k
      .insertInto('function_version')
      .values({
        id: newUuid(PREFIX.version),
        organization_id: fn.organization_id,
        function_id: fn.id,
        name,
        input_schema_id: inputSchema,
        output_schema_id: outputSchema,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    if (files.length > 0) {
      await k
        .insertInto('function_file')
        .values(files.map((f) => ({ id: newUuid(PREFIX.file), version_id: row.id, path: f.path, content: f.content })))
        .execute();
    }
    if (fn.default_version_id === null) {
      await k.updateTable('function').set({ default_version_id: row.id, updated_at: sql`now()` }).where('id', '=', fn.id).execute();
    }
    return versionWithFiles(tx, row);
  });
}

function requireDistinctPaths(files: NewFile[]): void {
  const seen = new Set<string>();
  for (const [i, f] of files.entries()) {
    if (seen.has(f.path)) throw validation(`files[${i}].path: '${f.path}' appears twice`);
    seen.add(f.path);
  }
}

/** `v<n>` after the versions the function has had (deleted ones count, so names do not repeat). */
async function nextVersionName(k: Db, functionUuid: string): Promise<string> {
  const { n } = await k
    .selectFrom('function_version')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('function_id', '=', functionUuid)
    .executeTakeFirstOrThrow();
  return `v${Number(n) + 1}`;
}

export async function getVersion(
  em: EntityManager,
  actor: Actor,
  id: string,
  deleted: DeletedVisibility = 'false',
): Promise<VersionView> {
  const { row } = await loadVersion(em, actor, parseId(PREFIX.version, id, 'id'), deleted);
  return versionWithFiles(em, row);
}

export interface VersionPatch {
  name?: string | undefined;
  inputSchemaId?: string | undefined;
  outputSchemaId?: string | undefined;
}

/** Changes the given fields of an active version; a patch with no fields changes nothing. */
export async function updateVersion(em: EntityManager, actor: Actor, id: string, patch: VersionPatch): Promise<VersionView> {
  const uuid = parseId(PREFIX.version, id, 'id');
  return em.transactional(async (tx) => {
    const { row, workspaceId } = await loadVersion(tx, actor, uuid, 'false');
    const changes: { name?: string; input_schema_id?: string; output_schema_id?: string } = {};
    if (patch.name !== undefined) changes.name = patch.name;
    if (patch.inputSchemaId !== undefined) {
      changes.input_schema_id = await requireSchemaIn(tx, workspaceId, patch.inputSchemaId, 'inputSchemaId');
    }
    if (patch.outputSchemaId !== undefined) {
      changes.output_schema_id = await requireSchemaIn(tx, workspaceId, patch.outputSchemaId, 'outputSchemaId');
    }
    if (Object.keys(changes).length === 0) return versionWithFiles(tx, row);
    const updated = await db(tx)
      .updateTable('function_version')
      .set({ ...changes, updated_at: sql`now()` })
      .where('id', '=', uuid)
      .where('deleted_at', 'is', null)
      .returningAll()
      .executeTakeFirst();
    if (!updated) throw notFound(`function version ${id} not found`);
    return versionWithFiles(tx, updated);
  });
}
