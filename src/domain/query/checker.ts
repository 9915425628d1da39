import type { ExpressionNode, LiteralNode, SubjectNode, TermNode } from './ast.ts';
import { attributeNames, findAttribute, inTableOrder, type QueryEntity } from './attributes.ts';
import type { CheckedExpression, CheckedSubject, CheckedTerm, MatchMode, OrderOp, ScalarValue, ValueSubject } from './checked.ts';
import { isUuid, parseTimeLiteral } from './literals.ts';
import { checkRegex } from './regex.ts';
import { queryError, type QuerySource } from './source.ts';
import { KEY_HINT } from './tokenizer.ts';
import { MAP_KEY_PATTERN, MAX_KEY } from '../validation.ts';

const ORDER_OPS: Record<string, OrderOp> = { '=': 'eq', '!=': 'ne', '<': 'lt', '<=': 'le', '>': 'gt', '>=': 'ge' };
const MATCH_OPS: Record<string, { mode: MatchMode; negated: boolean }> = {
  '~~': { mode: 'like', negated: false },
  '!~~': { mode: 'like', negated: true },
  '~~*': { mode: 'ilike', negated: false },
  '!~~*': { mode: 'ilike', negated: true },
  '~': { mode: 'regex', negated: false },
  '!~': { mode: 'regex', negated: true },
  '~*': { mode: 'iregex', negated: false },
  '!~*': { mode: 'iregex', negated: true },
};
const ORDER = Object.keys(ORDER_OPS);
const TIME_HINT = 'use RFC 3339 or YYYY-MM-DD[THH:MM:SS] (years 0001-9999; no zone means UTC)';
const NULLS = ['IS NULL', 'IS NOT NULL'];
const KEYWORD_FORMS: Record<string, string> = { '~~': 'LIKE', '!~~': 'NOT LIKE', '~~*': 'ILIKE', '!~~*': 'NOT ILIKE' };
const LISTS = ['IN', 'NOT IN'];

/** The type/operator matrix of SEMANTICS.md "The where language". */
function operatorsFor(s: CheckedSubject): readonly string[] {
  switch (s.type) {
    case 'string':
      return [...ORDER, ...Object.keys(MATCH_OPS), ...LISTS, ...(s.kind === 'entry' ? NULLS : [])];
    case 'integer':
      return [...ORDER, ...LISTS];
    case 'uuid':
      return ['=', '!=', ...LISTS, ...NULLS];
    case 'time':
      return ORDER;
    case 'boolean':
      return ['=', '!=', ...LISTS, ...NULLS];
    case 'map':
      return ['?', ...(s.attr.values === 'boolean' ? NULLS : [])];
  }
}

const TYPE_NAMES = { string: 'a string', uuid: 'a UUID', time: 'a time', integer: 'an integer', boolean: 'a boolean', map: 'a map' };

/** Resolves an AST against the entity's attribute table and converts its literals. */
export function checkExpression(src: QuerySource, entity: QueryEntity, ast: ExpressionNode): CheckedExpression {
  const c = new Checker(src, entity);
  const terms = ast.terms.map((t) => c.term(t));
  return { entity, terms, attributes: inTableOrder(entity, c.named) };
}

class Checker {
  readonly named = new Set<string>();
  private readonly src: QuerySource;
  private readonly entity: QueryEntity;
  constructor(src: QuerySource, entity: QueryEntity) {
    this.src = src;
    this.entity = entity;
  }

  term(t: TermNode): CheckedTerm {
    const subject = this.subject(t.subject);
    const opKey = t.kind === 'compare' ? t.op : t.opText.replace(/\s+/g, ' ');
    if (!operatorsFor(subject).includes(opKey)) throw this.badOperator(t, subject);
    switch (t.kind) {
      case 'has':
        return { kind: 'has', attr: (subject as Extract<CheckedSubject, { kind: 'map' }>).attr, key: this.mapKey(t.key.value, t.key.pos + 1) };
      case 'null':
        return { kind: 'null', subject, negated: t.negated };
      case 'in':
        return { kind: 'in', subject: subject as ValueSubject, negated: t.negated, values: t.values.map((v) => this.literal(subject as ValueSubject, v)) };
      case 'compare':
        return this.compare(t, subject as ValueSubject);
    }
  }

  private compare(t: Extract<TermNode, { kind: 'compare' }>, subject: ValueSubject): CheckedTerm {
    const order = ORDER_OPS[t.op];
    const match = MATCH_OPS[t.op];
    if (t.operand.kind === 'attr' || t.operand.kind === 'entry' || t.operand.kind === 'len') {
      if (!order) throw this.fail(t.operand.pos, `${t.opText} needs a string literal on its right, not an attribute`);
      const other = this.subject(t.operand);
      if (other.type !== subject.type) {
        throw this.fail(t.operand.pos, `cannot compare ${describe(t.subject)} (${TYPE_NAMES[subject.type]}) with ${describe(t.operand)} (${TYPE_NAMES[other.type]})`);
      }
      return { kind: 'compare-subjects', subject, op: order, other: other as ValueSubject };
    }
    if (order) return { kind: 'compare', subject, op: order, value: this.literal(subject, t.operand) };
    const pattern = this.literal(subject, t.operand) as string;
    const m = match as { mode: MatchMode; negated: boolean };
    if (m.mode === 'regex' || m.mode === 'iregex') {
      const problem = checkRegex(pattern);
      if (problem) throw this.fail(t.operand.pos + 1 + problem.index, problem.message);
    }
    return { kind: 'match', subject, mode: m.mode, negated: m.negated, pattern };
  }

  private subject(n: SubjectNode): CheckedSubject {
    const name = n.kind === 'attr' ? n.name : n.map;
    const namePos = n.kind === 'len' ? n.mapPos : n.pos;
    const attr = findAttribute(this.entity, name);
    if (!attr) throw this.unknownAttribute(name, namePos);
    this.named.add(attr.name);
    if (n.kind === 'attr') {
      return attr.type === 'map' ? { kind: 'map', attr, type: 'map' } : { kind: 'column', attr, type: attr.type };
    }
    if (attr.type !== 'map') {
      const what = n.kind === 'len' ? 'LEN() takes a map attribute' : 'only a map attribute takes a .key';
      throw this.fail(namePos, `${what}; ${attr.name} is ${TYPE_NAMES[attr.type]}`);
    }
    if (n.kind === 'len') return { kind: 'len', attr, type: 'integer' };
    return { kind: 'entry', attr, key: n.key, type: attr.values };
  }

  /** Converts a literal to the subject's type, or says why it cannot be one. */
  private literal(subject: ValueSubject, lit: LiteralNode): ScalarValue {
    const want = subject.type;
    const expected = want === 'uuid' || want === 'time' ? 'string' : want;
    if (lit.kind !== expected) {
      const quoted = want === 'uuid' || want === 'time' ? `a quoted ${want === 'uuid' ? 'UUID' : 'time'}` : `${TYPE_NAMES[want]} literal`;
      throw this.fail(lit.pos, `${describeSubject(subject)} is ${TYPE_NAMES[want]}: expected ${quoted} but found ${TYPE_NAMES[lit.kind]} literal`);
    }
    if (want === 'uuid') {
      const s = lit.value as string;
      if (!isUuid(s)) throw this.fail(lit.pos, `'${s}' is not a UUID`);
      return s.toLowerCase();
    }
    if (want === 'time') {
      const t = parseTimeLiteral(lit.value as string);
      if (t === undefined) throw this.fail(lit.pos, `'${lit.value}' is not a valid time`, TIME_HINT);
      return t;
    }
    return lit.value;
  }

  private mapKey(key: string, pos: number): string {
    if (key.length > MAX_KEY) throw this.fail(pos, `map key is longer than ${MAX_KEY} characters`);
    if (!MAP_KEY_PATTERN.test(key)) throw this.fail(pos, `'${key}' is not a valid map key`, KEY_HINT);
    return key;
  }

  private badOperator(t: TermNode, subject: CheckedSubject) {
    const name = describe(t.subject);
    if (subject.type === 'map') {
      const gates = subject.attr.values === 'boolean' ? `, ${name} IS NULL` : '';
      return this.fail(t.opPos, `operator ${t.opText} does not apply to the map ${name}`, `use ${name}.key, ${name} ? 'key', LEN(${name})${gates}`);
    }
    const ops = operatorsFor(subject).flatMap((o) => (KEYWORD_FORMS[o] ? [KEYWORD_FORMS[o], o] : [o])).join(' ');
    return this.fail(t.opPos, `operator ${t.opText} does not apply to ${name} (${TYPE_NAMES[subject.type]})`, `it takes ${ops}`);
  }

  private unknownAttribute(name: string, pos: number) {
    const names = attributeNames(this.entity);
    const near = names.find((n) => n.toLowerCase() === name.toLowerCase());
    const hint = near ? `names are case-sensitive: did you mean ${near}?` : `${this.entity} attributes: ${names.join(', ')}`;
    return this.fail(pos, `unknown attribute '${name}'`, hint);
  }

  private fail(index: number, message: string, hint?: string) {
    return queryError(this.src, index, message, hint);
  }
}

function describe(n: SubjectNode): string {
  if (n.kind === 'attr') return n.name;
  if (n.kind === 'entry') return `${n.map}.${n.key}`;
  return `LEN(${n.map})`;
}

function describeSubject(s: ValueSubject): string {
  if (s.kind === 'column') return s.attr.name;
  if (s.kind === 'entry') return `${s.attr.name}.${s.key}`;
  return `LEN(${s.attr.name})`;
}
