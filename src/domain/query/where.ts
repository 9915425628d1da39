import type { RawBuilder, SqlBool } from 'kysely';
import type { QueryEntity } from './attributes.ts';
import type { CheckedExpression } from './checked.ts';
import { checkExpression } from './checker.ts';
import { compileExpression } from './compiler.ts';
import { parseExpression } from './parser.ts';

/**
 * The where language end to end: parse, check against the entity, compile. `label` names the
 * parameter in error messages (`where`, `where_space`, ...). Every refusal is a DomainError
 * VALIDATION_ERROR (400) saying what is wrong and at which position (1-based, in characters).
 */
export function checkWhere(entity: QueryEntity, text: string, label = 'where'): CheckedExpression {
  const src = { label, text };
  return checkExpression(src, entity, parseExpression(src));
}

/** For saving a Filter: throws the 400 the expression would get when used, returns nothing. */
export function validateWhere(entity: QueryEntity, text: string, label = 'Where'): void {
  checkWhere(entity, text, label);
}

/** The attributes an expression names (`Labels.env` and `LEN(Labels)` name Labels), for `select`. */
export function whereAttributes(entity: QueryEntity, text: string, label = 'where'): string[] {
  return checkWhere(entity, text, label).attributes;
}

export interface CompiledWhere {
  /** A condition on the table alias given; `true` for an empty expression. */
  condition: RawBuilder<SqlBool>;
  attributes: string[];
}

export function compileWhere(entity: QueryEntity, text: string, alias: string, label = 'where'): CompiledWhere {
  const checked = checkWhere(entity, text, label);
  return { condition: compileExpression(checked, alias), attributes: checked.attributes };
}
