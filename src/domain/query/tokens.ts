/**
 * Tokens of the where language. `pos` is the 0-based UTF-16 index of the token's first character
 * in the expression; `spaced` says whether whitespace (or the start of the text) precedes it and
 * `end` is the index just after it, so the parser can insist on whitespace around AND.
 */
interface TokenBase {
  pos: number;
  end: number;
  spaced: boolean;
}

/** A bare word: attribute names, keywords, booleans. */
export interface WordToken extends TokenBase {
  kind: 'word';
  text: string;
}

/** `Labels.some/key`: a map attribute and one of its keys. */
export interface PathToken extends TokenBase {
  kind: 'path';
  attr: string;
  key: string;
  keyPos: number;
}

export interface StringToken extends TokenBase {
  kind: 'string';
  value: string;
}

export interface IntegerToken extends TokenBase {
  kind: 'integer';
  value: number;
}

/** One of the comparison operators, `?` included. */
export interface OpToken extends TokenBase {
  kind: 'op';
  text: ComparisonOperator | '?';
}

export interface PunctToken extends TokenBase {
  kind: '(' | ')' | ',';
}

export interface EndToken extends TokenBase {
  kind: 'end';
}

export type Token = WordToken | PathToken | StringToken | IntegerToken | OpToken | PunctToken | EndToken;

export const COMPARISON_OPERATORS = [
  '=', '!=', '<', '>', '<=', '>=',
  '~~', '!~~', '~~*', '!~~*',
  '~', '~*', '!~', '!~*',
] as const;
export type ComparisonOperator = (typeof COMPARISON_OPERATORS)[number];

/** Words that are keywords; they must be written in upper case. */
export const KEYWORDS = ['AND', 'OR', 'NOT', 'IN', 'LIKE', 'ILIKE', 'IS', 'NULL', 'LEN'] as const;
export type Keyword = (typeof KEYWORDS)[number];

export const isKeyword = (w: string): w is Keyword => (KEYWORDS as readonly string[]).includes(w);
/** `and`, `Like`, ...: a keyword written in the wrong case. */
export const isMiscasedKeyword = (w: string) => w !== w.toUpperCase() && isKeyword(w.toUpperCase());
export const isBooleanWord = (w: string) => w.toLowerCase() === 'true' || w.toLowerCase() === 'false';

export function describeToken(t: Token): string {
  switch (t.kind) {
    case 'word':
      return `'${t.text}'`;
    case 'path':
      return `'${t.attr}.${t.key}'`;
    case 'string':
      return 'a string literal';
    case 'integer':
      return 'an integer literal';
    case 'op':
      return `'${t.text}'`;
    case 'end':
      return 'the end of the expression';
    default:
      return `'${t.kind}'`;
  }
}
