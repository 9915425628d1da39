/**
 * The query layer: the where language (parser, checker, compiler), `contains`, and the selection
 * that lists and bulk jobs share. See where.ts and selection.ts for the contracts.
 */
export { ATTRIBUTES, CONTAINS_FIELDS, QUERY_ENTITIES, attributeNames, type QueryEntity } from './attributes.ts';
export { containsCondition, MAX_CONTAINS_CHARS } from './contains.ts';
export { MAX_EXPRESSION_CHARS, MAX_IN_VALUES, MAX_TERMS } from './parser.ts';
export { MAX_REGEX_CHARS } from './regex.ts';
export { resolveSelection, type Selection, type SelectionRequest } from './selection.ts';
export { checkWhere, compileWhere, validateWhere, whereAttributes, type CompiledWhere } from './where.ts';
