import type { AttributeDef, QueryEntity } from './attributes.ts';

/**
 * A where expression after the checker: every name resolved to a column of the allow-list, every
 * literal converted to the value the compiler binds (UUIDs lower-cased, times normalized to UTC,
 * regexes vetted). The compiler trusts this shape and nothing else.
 */
export type ColumnAttribute = Extract<AttributeDef, { type: 'string' | 'uuid' | 'time' }>;
export type MapAttribute = Extract<AttributeDef, { type: 'map' }>;

export type CheckedSubject =
  | { kind: 'column'; attr: ColumnAttribute; type: 'string' | 'uuid' | 'time' }
  | { kind: 'entry'; attr: MapAttribute; key: string; type: 'string' | 'boolean' }
  | { kind: 'len'; attr: MapAttribute; type: 'integer' }
  | { kind: 'map'; attr: MapAttribute; type: 'map' };

export type ValueSubject = Exclude<CheckedSubject, { kind: 'map' }>;
export type ScalarValue = string | number | boolean;
export type OrderOp = 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge';
export type MatchMode = 'like' | 'ilike' | 'regex' | 'iregex';

export type CheckedTerm =
  | { kind: 'compare'; subject: ValueSubject; op: OrderOp; value: ScalarValue }
  | { kind: 'compare-subjects'; subject: ValueSubject; op: OrderOp; other: ValueSubject }
  | { kind: 'match'; subject: ValueSubject; mode: MatchMode; negated: boolean; pattern: string }
  | { kind: 'in'; subject: ValueSubject; negated: boolean; values: ScalarValue[] }
  | { kind: 'null'; subject: CheckedSubject; negated: boolean }
  | { kind: 'has'; attr: MapAttribute; key: string };

export interface CheckedExpression {
  entity: QueryEntity;
  terms: CheckedTerm[];
  /** The attributes the expression names, in the entity's table order. */
  attributes: string[];
}
