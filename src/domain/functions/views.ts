import type { Selectable } from 'kysely';
import { PREFIX, toTypeId, toTypeIdOrNull } from './ids.ts';
import type {
  FunctionFileTable,
  FunctionSource,
  FunctionTable,
  FunctionVersionTable,
  JsonSchemaTable,
  WorkspaceTable,
} from './tables.ts';

/** The camelCase shapes the Function Versions API answers with. */

/** ISO 8601 in UTC with milliseconds: the precision stored, so a value read back filters exactly. */
export const isoTime = (t: string | Date) => new Date(t).toISOString();
const isoTimeOrNull = (t: string | Date | null) => (t === null ? null : isoTime(t));

export interface WorkspaceView {
  id: string;
  name: string;
  createdAt: string;
  updatedAt: string;
}

export const workspaceView = (r: Selectable<WorkspaceTable>): WorkspaceView => ({
  id: toTypeId(PREFIX.workspace, r.id),
  name: r.name,
  createdAt: isoTime(r.created_at),
  updatedAt: isoTime(r.updated_at),
});

export interface SchemaView {
  id: string;
  workspaceId: string;
  name: string;
  definition: Record<string, unknown>;
  createdAt: string;
  updatedAt: string;
}

export const schemaView = (r: Selectable<JsonSchemaTable>): SchemaView => ({
  id: toTypeId(PREFIX.schema, r.id),
  workspaceId: toTypeId(PREFIX.workspace, r.workspace_id),
  name: r.name,
  definition: r.definition,
  createdAt: isoTime(r.created_at),
  updatedAt: isoTime(r.updated_at),
});

export interface FunctionView {
  id: string;
  workspaceId: string;
  name: string;
  description: string | null;
  defaultVersionId: string | null;
  source: FunctionSource;
  system: boolean;
  createdBy: string;
  runtimeUserId: string | null;
  deletedAt: string | null;
  retentionTier: unknown;
  createdAt: string;
  updatedAt: string;
}

export const functionView = (r: Selectable<FunctionTable>): FunctionView => ({
  id: toTypeId(PREFIX.function, r.id),
  workspaceId: toTypeId(PREFIX.workspace, r.workspace_id),
  name: r.name,
  description: r.description,
  defaultVersionId: toTypeIdOrNull(PREFIX.version, r.default_version_id),
  source: r.source,
  system: r.system,
  createdBy: r.created_by,
  runtimeUserId: r.runtime_user_id,
  deletedAt: isoTimeOrNull(r.deleted_at),
  retentionTier: r.retention_tier ?? null,
  createdAt: isoTime(r.created_at),
  updatedAt: isoTime(r.updated_at),
});

export interface FileView {
  id: string;
  path: string;
  content: string;
  createdAt: string;
}

export const fileView = (r: Selectable<FunctionFileTable>): FileView => ({
  id: toTypeId(PREFIX.file, r.id),
  path: r.path,
  content: r.content,
  createdAt: isoTime(r.created_at),
});

export interface VersionView {
  id: string;
  functionId: string;
  name: string;
  parentId: string | null;
  inputSchemaId: string;
  outputSchemaId: string;
  files?: FileView[];
  deletedAt: string | null;
  createdAt: string;
  updatedAt: string;
}

export type VersionRow = Selectable<FunctionVersionTable>;

export function versionView(r: VersionRow, files?: Selectable<FunctionFileTable>[]): VersionView {
  return {
    id: toTypeId(PREFIX.version, r.id),
    functionId: toTypeId(PREFIX.function, r.function_id),
    name: r.name,
    parentId: toTypeIdOrNull(PREFIX.version, r.parent_id),
    inputSchemaId: toTypeId(PREFIX.schema, r.input_schema_id),
    outputSchemaId: toTypeId(PREFIX.schema, r.output_schema_id),
    ...(files ? { files: files.map(fileView) } : {}),
    deletedAt: isoTimeOrNull(r.deleted_at),
    createdAt: isoTime(r.created_at),
    updatedAt: isoTime(r.updated_at),
  };
}
