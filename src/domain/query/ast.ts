import type { ComparisonOperator } from './tokens.ts';

/**
 * The parsed where expression, before it meets an entity's attribute table. Every node keeps the
 * 0-based index of its first character (`pos`) so the checker can point at what it refuses.
 */

/** `Slug` */
export interface AttrNode {
  kind: 'attr';
  name: string;
  pos: number;
}

/** `Labels.app.kubernetes.io/name` */
export interface EntryNode {
  kind: 'entry';
  map: string;
  key: string;
  pos: number;
  keyPos: number;
}

/** `LEN(Labels)` */
export interface LenNode {
  kind: 'len';
  map: string;
  pos: number;
  mapPos: number;
}

export type SubjectNode = AttrNode | EntryNode | LenNode;

export interface StringLiteral {
  kind: 'string';
  value: string;
  pos: number;
}
export interface IntegerLiteral {
  kind: 'integer';
  value: number;
  pos: number;
}
export interface BooleanLiteral {
  kind: 'boolean';
  value: boolean;
  pos: number;
}
export type LiteralNode = StringLiteral | IntegerLiteral | BooleanLiteral;

interface TermBase {
  subject: SubjectNode;
  /** Where the operator starts; `opText` is the operator as written (`NOT LIKE`, `!~~`). */
  opPos: number;
  opText: string;
}

/** `subject op operand`; LIKE/ILIKE and their negations arrive as `~~ ~~* !~~ !~~*`. */
export interface CompareTerm extends TermBase {
  kind: 'compare';
  op: ComparisonOperator;
  operand: LiteralNode | SubjectNode;
}

export interface InTerm extends TermBase {
  kind: 'in';
  negated: boolean;
  values: LiteralNode[];
}

export interface NullTerm extends TermBase {
  kind: 'null';
  negated: boolean;
}

/** `Labels ? 'key'` */
export interface HasTerm extends TermBase {
  kind: 'has';
  key: StringLiteral;
}

export type TermNode = CompareTerm | InTerm | NullTerm | HasTerm;

export interface ExpressionNode {
  terms: TermNode[];
}
