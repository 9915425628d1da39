import { PREFIX, type Prefix } from '../ids.ts';
import { FUNCTION_SOURCES } from '../tables.ts';

/**
 * The allow-lists of the list endpoint: which fields a filter or an orderBy may name, the column
 * each maps to, and what its values are. Nothing outside these tables ever reaches SQL as a name.
 */
export type FieldType = 'id' | 'text' | 'time' | 'bool' | 'enum';

export interface FieldSpec {
  column: string;
  type: FieldType;
  nullable: boolean;
  /** For ids: the TypeID prefix a value must carry. */
  prefix?: Prefix;
  /** For enums: the allowed values. */
  values?: readonly string[];
}

export interface RelationSpec {
  table: 'function' | 'function_version';
  entity: EntitySpec;
  /** The column of the outer row that holds the related row's id. */
  outerColumn: string;
}

export interface EntitySpec {
  name: string;
  fields: Record<string, FieldSpec>;
  relations: Record<string, RelationSpec>;
}

const id = (column: string, prefix: Prefix, nullable = false): FieldSpec => ({ column, type: 'id', prefix, nullable });
const time = (column: string, nullable = false): FieldSpec => ({ column, type: 'time', nullable });
const text = (column: string, nullable = false): FieldSpec => ({ column, type: 'text', nullable });

export const FUNCTION_ENTITY: EntitySpec = {
  name: 'function',
  fields: {
    id: id('id', PREFIX.function),
    workspaceId: id('workspace_id', PREFIX.workspace),
    name: text('name'),
    description: text('description', true),
    defaultVersionId: id('default_version_id', PREFIX.version, true),
    source: { column: 'source', type: 'enum', nullable: false, values: FUNCTION_SOURCES },
    system: { column: 'system', type: 'bool', nullable: false },
    deletedAt: time('deleted_at', true),
    createdAt: time('created_at'),
    updatedAt: time('updated_at'),
  },
  relations: {},
};

export const VERSION_ENTITY: EntitySpec = {
  name: 'function version',
  fields: {
    id: id('id', PREFIX.version),
    name: text('name'),
    functionId: id('function_id', PREFIX.function),
    parentId: id('parent_id', PREFIX.version, true),
    inputSchemaId: id('input_schema_id', PREFIX.schema),
    outputSchemaId: id('output_schema_id', PREFIX.schema),
    deletedAt: time('deleted_at', true),
    createdAt: time('created_at'),
    updatedAt: time('updated_at'),
  },
  relations: {},
};
VERSION_ENTITY.relations.function = { table: 'function', entity: FUNCTION_ENTITY, outerColumn: 'function_id' };
// The parent is a version too, so `parent: {parent: {...}}` walks up the lineage (within the depth limit).
VERSION_ENTITY.relations.parent = { table: 'function_version', entity: VERSION_ENTITY, outerColumn: 'parent_id' };

/** The fields a version list may be ordered by (SEMANTICS.md). */
export const ORDER_FIELDS = [
  'id',
  'name',
  'functionId',
  'parentId',
  'inputSchemaId',
  'outputSchemaId',
  'createdAt',
  'updatedAt',
] as const;
export type OrderField = (typeof ORDER_FIELDS)[number];

/** Operators by field type. Ids compare in creation order (UUIDv7), as they sort. */
export const OPERATORS_BY_TYPE: Record<FieldType, readonly string[]> = {
  id: ['eq', 'neq', 'gt', 'gte', 'lt', 'lte', 'in', 'notIn', 'isNull'],
  text: ['eq', 'neq', 'gt', 'gte', 'lt', 'lte', 'in', 'notIn', 'contains', 'startsWith', 'endsWith', 'isNull'],
  time: ['eq', 'neq', 'gt', 'gte', 'lt', 'lte', 'in', 'notIn', 'isNull'],
  bool: ['eq', 'neq', 'isNull'],
  enum: ['eq', 'neq', 'in', 'notIn', 'isNull'],
};
export const ALL_OPERATORS = OPERATORS_BY_TYPE.text;
