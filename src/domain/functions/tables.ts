import type { ColumnType } from 'kysely';

/**
 * The Function Versions API's tables as Kysely sees them (migrations/...function_versions.ts).
 * Ids are uuid strings here; the API shows them as TypeIDs (see ids.ts). Timestamps read back as
 * PostgreSQL's text ('2026-11-23 02:36:37.123+00'), jsonb parsed.
 */
type Timestamp = ColumnType<string, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<string | null, Date | string | null | undefined, Date | string | null>;
type Json<T> = ColumnType<T, string, string>;

export interface WorkspaceTable {
  id: string;
  organization_id: string;
  name: string;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface JsonSchemaTable {
  id: string;
  organization_id: string;
  workspace_id: string;
  name: string;
  definition: Json<Record<string, unknown>>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export const FUNCTION_SOURCES = ['custom', 'system', 'openapi-op'] as const;
export type FunctionSource = (typeof FUNCTION_SOURCES)[number];

export interface FunctionTable {
  id: string;
  organization_id: string;
  workspace_id: string;
  name: string;
  description: string | null;
  default_version_id: string | null;
  source: ColumnType<FunctionSource, FunctionSource | undefined, FunctionSource>;
  system: ColumnType<boolean, boolean | undefined, boolean>;
  created_by: string;
  runtime_user_id: string | null;
  deleted_at: NullableTimestamp;
  retention_tier: ColumnType<unknown, string | null | undefined, string | null>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface FunctionVersionTable {
  id: string;
  organization_id: string;
  function_id: string;
  name: string;
  parent_id: string | null;
  input_schema_id: string;
  output_schema_id: string;
  deleted_at: NullableTimestamp;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface FunctionFileTable {
  id: string;
  version_id: string;
  path: string;
  content: string;
  created_at: Timestamp;
}

export interface ApiCursorSecretTable {
  id: number;
  secret: Buffer;
}

declare module '../db.ts' {
  interface Database {
    workspace: WorkspaceTable;
    json_schema: JsonSchemaTable;
    function: FunctionTable;
    function_version: FunctionVersionTable;
    function_file: FunctionFileTable;
    api_cursor_secret: ApiCursorSecretTable;
  }
}
