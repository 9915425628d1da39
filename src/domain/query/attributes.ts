/**
 * What each entity lets a where expression name, and the column behind each name. This table is
 * the allow-list: an identifier reaches SQL only as a column listed here.
 */
export const QUERY_ENTITIES = ['Invocation', 'Space'] as const;
export type QueryEntity = (typeof QUERY_ENTITIES)[number];

/** Types of values a term compares. Maps are typed by the values their keys hold. */
export type ScalarType = 'string' | 'uuid' | 'time' | 'integer' | 'boolean';

export type AttributeDef =
  | { name: string; column: string; type: 'string' | 'uuid' | 'time'; nullable: boolean }
  | { name: string; column: string; type: 'map'; values: 'string' | 'boolean' };

const uuid = (name: string, column: string, nullable = false): AttributeDef => ({ name, column, type: 'uuid', nullable });
const text = (name: string, column: string): AttributeDef => ({ name, column, type: 'string', nullable: false });
const time = (name: string, column: string): AttributeDef => ({ name, column, type: 'time', nullable: false });
const map = (name: string, column: string, values: 'string' | 'boolean'): AttributeDef => ({ name, column, type: 'map', values });

const INVOCATION: readonly AttributeDef[] = [
  uuid('BridgeWorkerID', 'bridge_worker_id', true),
  time('CreatedAt', 'created_at'),
  map('DeleteGates', 'delete_gates', 'boolean'),
  text('DisplayName', 'display_name'),
  text('FunctionName', 'function_name'),
  uuid('InvocationID', 'id'),
  map('Labels', 'labels', 'string'),
  uuid('OrganizationID', 'organization_id'),
  text('Slug', 'slug'),
  uuid('SpaceID', 'space_id'),
  text('ToolchainType', 'toolchain_type'),
  time('UpdatedAt', 'updated_at'),
  map('Annotations', 'annotations', 'string'),
];

const SPACE: readonly AttributeDef[] = [
  time('CreatedAt', 'created_at'),
  map('DeleteGates', 'delete_gates', 'boolean'),
  text('DisplayName', 'display_name'),
  map('Labels', 'labels', 'string'),
  uuid('OrganizationID', 'organization_id'),
  text('Slug', 'slug'),
  uuid('SpaceID', 'id'),
  time('UpdatedAt', 'updated_at'),
];

export const ATTRIBUTES: Record<QueryEntity, readonly AttributeDef[]> = { Invocation: INVOCATION, Space: SPACE };

/** The fields `contains` searches, per entity (maps: keys and values). */
export const CONTAINS_FIELDS: Record<QueryEntity, readonly string[]> = {
  Invocation: ['Slug', 'DisplayName', 'FunctionName', 'ToolchainType', 'Labels', 'Annotations'],
  Space: ['Slug', 'DisplayName', 'Labels'],
};

/** The table behind each entity. */
export const ENTITY_TABLE: Record<QueryEntity, 'invocation' | 'space'> = { Invocation: 'invocation', Space: 'space' };

export function findAttribute(entity: QueryEntity, name: string): AttributeDef | undefined {
  return ATTRIBUTES[entity].find((a) => a.name === name);
}

export const attributeNames = (entity: QueryEntity) => ATTRIBUTES[entity].map((a) => a.name);

/** Orders attribute names as the entity's table lists them, without duplicates. */
export function inTableOrder(entity: QueryEntity, names: Iterable<string>): string[] {
  const set = new Set(names);
  return attributeNames(entity).filter((n) => set.has(n));
}
