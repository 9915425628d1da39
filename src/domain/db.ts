import type { EntityManager } from '@mikro-orm/postgresql';
import type { ColumnType, Generated, Kysely } from 'kysely';
import type { QueryConfig, QueryResult, QueryResultRow } from 'pg';
import type { FunctionArgument } from './entities/invocation.entity.ts';
import type { GateMap, StringMap } from './entities/space.entity.ts';

/**
 * The tables as Kysely sees them (snake_case, as in migrations/). Queries that carry caller input
 * go through Kysely so every value is a bound parameter. Timestamps read back as strings.
 */
type Timestamp = ColumnType<string, Date | string | undefined, Date | string>;
type Json<T> = ColumnType<T, string, string>;
type BigId = ColumnType<string, never, never>;

export interface OrganizationTable {
  id: string;
  slug: string;
  display_name: string;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface ApiTokenTable {
  id: string;
  organization_id: string;
  role: 'system_admin' | 'admin' | 'member';
  secret_hash: string;
  workspace_ids: ColumnType<string[], unknown, unknown>;
  created_at: Timestamp;
}

interface VersionedRow {
  version: Generated<number>;
  cursor_id: BigId;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface SpaceTable extends VersionedRow {
  id: string;
  organization_id: string;
  slug: string;
  display_name: string;
  labels: Json<StringMap>;
  annotations: Json<StringMap>;
  delete_gates: Json<GateMap>;
}

export interface BridgeWorkerTable extends VersionedRow {
  id: string;
  organization_id: string;
  space_id: string;
  slug: string;
  display_name: string;
}

export interface FilterTable extends VersionedRow {
  id: string;
  organization_id: string;
  space_id: string;
  slug: string;
  display_name: string;
  from_entity: 'Invocation' | 'Space';
  where_expr: string;
  from_space_id: string | null;
}

export interface InvocationTable extends VersionedRow {
  id: string;
  organization_id: string;
  space_id: string;
  slug: string;
  display_name: string;
  function_name: string;
  arguments: Json<FunctionArgument[]>;
  toolchain_type: string;
  bridge_worker_id: string | null;
  labels: Json<StringMap>;
  annotations: Json<StringMap>;
  delete_gates: Json<GateMap>;
  hash: string;
}

/**
 * The invocation columns a row carries (not the generated search_text): select these rather than
 * `*`, so reads do not drag the search text along and a row snapshot can be inserted again.
 */
export const INVOCATION_COLUMNS = [
  'id', 'organization_id', 'space_id', 'slug', 'display_name', 'function_name', 'arguments',
  'toolchain_type', 'bridge_worker_id', 'labels', 'annotations', 'delete_gates', 'hash',
  'version', 'cursor_id', 'created_at', 'updated_at',
] as const satisfies ReadonlyArray<keyof InvocationTable>;

export interface Database {
  organization: OrganizationTable;
  api_token: ApiTokenTable;
  space: SpaceTable;
  bridge_worker: BridgeWorkerTable;
  filter: FilterTable;
  invocation: InvocationTable;
}

export type Db = Kysely<Database>;

/** Kysely on the EntityManager's connection (and its transaction, inside em.transactional). */
export const db = (em: EntityManager): Db => em.getKysely<Database>();

/**
 * What runs a named prepared statement: the `pg` pool under MikroORM's Kysely (the same clients,
 * type parsers and settings). Kysely sends every statement unnamed, so PostgreSQL parses and plans
 * it on every call; a named one is parsed once per connection and, after five executions, runs on
 * its cached generic plan. For the hottest single-row read, planning was most of PostgreSQL's work.
 */
export interface Prepared {
  query<R extends QueryResultRow>(config: QueryConfig & { name: string }): Promise<QueryResult<R>>;
}

/** The pool of an EntityManager's connection, for statements run as named prepared statements. */
export const preparedOf = async (em: EntityManager): Promise<Prepared> => em.getConnection().getNativeClient();
