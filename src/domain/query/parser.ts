import type { ExpressionNode, LiteralNode, StringLiteral, SubjectNode, TermNode } from './ast.ts';
import { loneSurrogateIndex, queryError, wholeQueryError, type QuerySource } from './source.ts';
import { tokenize } from './tokenizer.ts';
import {
  describeToken,
  isBooleanWord,
  isKeyword,
  isMiscasedKeyword,
  type ComparisonOperator,
  type Token,
} from './tokens.ts';

export const MAX_EXPRESSION_CHARS = 8192;
export const MAX_TERMS = 100;
export const MAX_IN_VALUES = 1000;

/** The four pattern operators written as keywords, in the symbolic form the checker works with. */
const LIKE_KEYWORDS: Record<string, ComparisonOperator> = {
  LIKE: '~~',
  'NOT LIKE': '!~~',
  ILIKE: '~~*',
  'NOT ILIKE': '!~~*',
};

/**
 * Parses a where expression into its AST. Grammar (keywords upper case; whitespace is spaces and
 * tabs, required around AND, optional elsewhere):
 *
 *   expression := [ term { AND term } ]
 *   term       := subject ( cmp-op operand | [NOT] IN list | [NOT] (LIKE|ILIKE) operand
 *                         | IS [NOT] NULL | '?' string )
 *   subject    := Attribute | Attribute '.' key | LEN '(' Attribute ')'
 *   operand    := literal | subject
 *   list       := '(' literal { ',' literal } ')'
 */
export function parseExpression(src: QuerySource): ExpressionNode {
  checkWholeText(src);
  return new Parser(src, tokenize(src)).expression();
}

function checkWholeText(src: QuerySource): void {
  const { text } = src;
  // Counting code points only matters near the limit; beyond twice it no count can save it.
  if (text.length > MAX_EXPRESSION_CHARS && (text.length > 2 * MAX_EXPRESSION_CHARS || [...text].length > MAX_EXPRESSION_CHARS)) {
    throw wholeQueryError(src, `expression is longer than ${MAX_EXPRESSION_CHARS} characters`);
  }
  const lone = loneSurrogateIndex(text);
  if (lone >= 0) throw queryError(src, lone, 'invalid character (unpaired UTF-16 surrogate)');
}

class Parser {
  private i = 0;
  private readonly src: QuerySource;
  private readonly tokens: Token[];
  constructor(src: QuerySource, tokens: Token[]) {
    this.src = src;
    this.tokens = tokens;
  }

  expression(): ExpressionNode {
    const terms: TermNode[] = [];
    if (this.peek().kind === 'end') return { terms };
    for (;;) {
      const start = this.peek();
      if (terms.length === MAX_TERMS) throw this.fail(start, `too many terms: at most ${MAX_TERMS}; term ${MAX_TERMS + 1} starts`);
      terms.push(this.term());
      const next = this.peek();
      if (next.kind === 'end') return { terms };
      this.conjunction(next);
    }
  }

  /** Consumes the AND between two terms, or says why what stands there is not one. */
  private conjunction(t: Token): void {
    if (t.kind === 'word' && t.text.toUpperCase() === 'OR') {
      throw this.fail(t, 'OR is not supported; terms can only be joined with AND');
    }
    if (t.kind === 'word' && isMiscasedKeyword(t.text)) throw this.miscased(t.text, t);
    if (t.kind !== 'word' || t.text !== 'AND') throw this.fail(t, `expected AND but found ${describeToken(t)}`);
    this.i++;
    const after = this.peek();
    if (after.kind === 'end') throw this.fail(after, 'expected a term after AND');
    if (!t.spaced || !after.spaced) {
      throw this.fail(t.spaced ? after : t, 'AND needs whitespace on both sides');
    }
  }

  private term(): TermNode {
    const subject = this.subject();
    const t = this.next();
    const base = { subject, opPos: t.pos };
    if (t.kind === 'op') {
      const op = t.text;
      if (op === '?') return { kind: 'has', ...base, opText: '?', key: this.stringLiteral('?') };
      return { kind: 'compare', ...base, opText: op, op, operand: this.operand(op) };
    }
    if (t.kind === 'word') return this.keywordTerm(subject, t);
    throw this.fail(t, `expected an operator but found ${describeToken(t)}`);
  }

  private keywordTerm(subject: SubjectNode, t: Token & { kind: 'word' }): TermNode {
    const base = { subject, opPos: t.pos };
    if (isMiscasedKeyword(t.text)) throw this.miscased(t.text, t);
    let negated = false;
    let word = t.text;
    if (word === 'NOT') {
      negated = true;
      const n = this.next();
      if (n.kind === 'word' && isMiscasedKeyword(n.text)) throw this.miscased(n.text, n);
      if (n.kind !== 'word' || !['IN', 'LIKE', 'ILIKE'].includes(n.text)) {
        throw this.fail(n, `expected IN, LIKE or ILIKE after NOT but found ${describeToken(n)}`);
      }
      word = n.text;
    }
    const opText = negated ? `NOT ${word}` : word;
    if (word === 'IN') return { kind: 'in', ...base, opText, negated, values: this.list() };
    const like = LIKE_KEYWORDS[opText];
    if (like) return { kind: 'compare', ...base, opText, op: like, operand: this.operand(opText) };
    if (word === 'IS') return { kind: 'null', ...base, ...this.isNull() };
    throw this.fail(t, `expected an operator but found ${describeToken(t)}`);
  }

  private isNull(): { negated: boolean; opText: string } {
    let n = this.next();
    const negated = n.kind === 'word' && n.text === 'NOT';
    if (negated) n = this.next();
    if (n.kind === 'word' && isMiscasedKeyword(n.text)) throw this.miscased(n.text, n);
    if (n.kind !== 'word' || n.text !== 'NULL') throw this.fail(n, `expected NULL after IS${negated ? ' NOT' : ''} but found ${describeToken(n)}`);
    return { negated, opText: negated ? 'IS NOT NULL' : 'IS NULL' };
  }

  private subject(): SubjectNode {
    const t = this.next();
    if (t.kind === 'path') return { kind: 'entry', map: t.attr, key: t.key, pos: t.pos, keyPos: t.keyPos };
    if (t.kind !== 'word') throw this.fail(t, `expected an attribute but found ${describeToken(t)}`);
    if (t.text === 'LEN') return this.len(t.pos);
    if (isMiscasedKeyword(t.text)) throw this.miscased(t.text, t);
    if (isKeyword(t.text)) throw this.fail(t, `expected an attribute but found the keyword ${t.text}`);
    if (isBooleanWord(t.text)) throw this.fail(t, `expected an attribute but found the boolean literal ${t.text}`);
    return { kind: 'attr', name: t.text, pos: t.pos };
  }

  private len(pos: number): SubjectNode {
    this.expect('(', 'after LEN');
    const m = this.next();
    if (m.kind !== 'word' || isKeyword(m.text)) throw this.fail(m, `expected a map attribute inside LEN() but found ${describeToken(m)}`);
    this.expect(')', 'to close LEN(');
    return { kind: 'len', map: m.text, pos, mapPos: m.pos };
  }

  /** The right-hand side of a comparison: a literal or another attribute. */
  private operand(opText: string): LiteralNode | SubjectNode {
    const t = this.peek();
    if (t.kind === 'path' || (t.kind === 'word' && !isBooleanWord(t.text) && !isKeyword(t.text) && !isMiscasedKeyword(t.text))) {
      return this.subject();
    }
    if (t.kind === 'word' && t.text === 'LEN') return this.subject();
    if (t.kind === 'word' && t.text === 'NULL') throw this.fail(t, `NULL cannot follow ${opText}; use IS NULL or IS NOT NULL`);
    return this.literal(`after ${opText}`);
  }

  private literal(context: string): LiteralNode {
    const t = this.next();
    if (t.kind === 'string') return { kind: 'string', value: t.value, pos: t.pos };
    if (t.kind === 'integer') return { kind: 'integer', value: t.value, pos: t.pos };
    if (t.kind === 'word' && isBooleanWord(t.text)) return { kind: 'boolean', value: t.text.toLowerCase() === 'true', pos: t.pos };
    if (t.kind === 'word' && isMiscasedKeyword(t.text)) throw this.miscased(t.text, t);
    throw this.fail(t, `expected a literal ${context} but found ${describeToken(t)}`);
  }

  private stringLiteral(opText: string): StringLiteral {
    const t = this.next();
    if (t.kind === 'string') return { kind: 'string', value: t.value, pos: t.pos };
    throw this.fail(t, `expected a quoted key after ${opText} but found ${describeToken(t)}`);
  }

  private list(): LiteralNode[] {
    this.expect('(', 'to open the IN list');
    if (this.peek().kind === ')') throw this.fail(this.peek(), 'an IN list needs at least one value');
    const values: LiteralNode[] = [];
    for (;;) {
      if (values.length === MAX_IN_VALUES) throw this.fail(this.peek(), `too many values in an IN list: at most ${MAX_IN_VALUES}; value ${MAX_IN_VALUES + 1} starts`);
      const v = this.literal('in the IN list');
      const first = values[0];
      if (first && first.kind !== v.kind) {
        throw this.fail(v, `an IN list must not mix ${first.kind} and ${v.kind} values; found ${v.kind}`);
      }
      values.push(v);
      const sep = this.next();
      if (sep.kind === ')') return values;
      if (sep.kind !== ',') throw this.fail(sep, `expected ',' or ')' in the IN list but found ${describeToken(sep)}`);
    }
  }

  private expect(kind: '(' | ')', context: string): void {
    const t = this.next();
    if (t.kind !== kind) throw this.fail(t, `expected '${kind}' ${context} but found ${describeToken(t)}`);
  }

  private peek(): Token {
    return this.tokens[this.i] as Token;
  }

  private next(): Token {
    const t = this.tokens[this.i] as Token;
    if (t.kind !== 'end') this.i++;
    return t;
  }

  private fail(at: { pos: number }, message: string) {
    return queryError(this.src, at.pos, message);
  }

  private miscased(word: string, at: { pos: number }) {
    const upper = word.toUpperCase();
    if (upper === 'OR') return this.fail(at, 'OR is not supported; terms can only be joined with AND');
    return this.fail(at, `keywords are upper case: write ${upper}, not '${word}'`);
  }
}
