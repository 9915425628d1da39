import { MAP_KEY_PATTERN, MAX_KEY } from '../validation.ts';
import { isControl, queryError, showChar, type QuerySource } from './source.ts';
import { COMPARISON_OPERATORS, type OpToken, type Token } from './tokens.ts';

const MAX_INTEGER_DIGITS = 10;
export const KEY_HINT = 'keys have letters, digits and - _ . / and start and end with a letter or digit';
const OPERATOR_CHARS = '<>=!~*?';
const isSpace = (c: string) => c === ' ' || c === '\t';
const isLetter = (c: string) => (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
const isDigit = (c: string) => c >= '0' && c <= '9';
const isWordChar = (c: string) => isLetter(c) || isDigit(c) || c === '_';
const isKeyChar = (c: string) => isLetter(c) || isDigit(c) || c === '-' || c === '_' || c === '.' || c === '/';

/**
 * Splits an expression into tokens. Refuses, with the position, anything that cannot start a
 * token: control characters, double quotes, stray punctuation, unterminated literals, over-long
 * integers and malformed map keys. Surrogate pairs were checked by the caller.
 */
export function tokenize(src: QuerySource): Token[] {
  const { text } = src;
  const tokens: Token[] = [];
  let i = 0;
  let spaced = true;
  while (i < text.length) {
    const c = text[i] as string;
    if (isSpace(c)) {
      i++;
      spaced = true;
      continue;
    }
    const token = readToken(src, i, spaced);
    tokens.push(token);
    i = token.end;
    spaced = false;
  }
  tokens.push({ kind: 'end', pos: text.length, end: text.length, spaced });
  return tokens;
}

function readToken(src: QuerySource, i: number, spaced: boolean): Token {
  const c = src.text[i] as string;
  if (c === "'") return readString(src, i, spaced);
  if (isLetter(c)) return readWord(src, i, spaced);
  if (isDigit(c) || (c === '-' && isDigit(src.text[i + 1] ?? ''))) return readInteger(src, i, spaced);
  if (c === '(' || c === ')' || c === ',') return { kind: c, pos: i, end: i + 1, spaced };
  if (OPERATOR_CHARS.includes(c)) return readOperator(src, i, spaced);
  const hint = src.text[i] === '"' ? "quote string literals with '" : undefined;
  throw queryError(src, i, unexpected(src.text, i), hint);
}

function unexpected(text: string, i: number): string {
  const ch = String.fromCodePoint(text.codePointAt(i) ?? 0);
  const cp = ch.codePointAt(0) ?? 0;
  if (isControl(cp)) return `control character ${showChar(ch)} is not allowed`;
  return ch === '"' ? 'double quotes are not allowed' : `unexpected character ${showChar(ch)}`;
}

function readString(src: QuerySource, start: number, spaced: boolean): Token {
  const { text } = src;
  for (let i = start + 1; i < text.length; i++) {
    const ch = text[i] as string;
    if (ch === "'") return { kind: 'string', value: text.slice(start + 1, i), pos: start, end: i + 1, spaced };
    if (ch === '"' || ch === '\\') {
      throw queryError(src, i, `a string literal cannot contain ${showChar(ch)}`, 'string literals have no escapes');
    }
    if (isControl(ch.charCodeAt(0))) {
      throw queryError(src, i, `control character ${showChar(ch)} is not allowed in a string literal`);
    }
  }
  throw queryError(src, start, 'unterminated string literal starting');
}

function readWord(src: QuerySource, start: number, spaced: boolean): Token {
  const { text } = src;
  let i = start;
  while (i < text.length && isWordChar(text[i] as string)) i++;
  const word = text.slice(start, i);
  if (text[i] !== '.') return { kind: 'word', text: word, pos: start, end: i, spaced };
  const keyPos = i + 1;
  let j = keyPos;
  while (j < text.length && isKeyChar(text[j] as string)) j++;
  const key = text.slice(keyPos, j);
  if (key === '') throw queryError(src, keyPos, `expected a map key after '${word}.'`);
  if (key.length > MAX_KEY) throw queryError(src, keyPos, `map key is longer than ${MAX_KEY} characters`);
  if (!MAP_KEY_PATTERN.test(key)) {
    throw queryError(src, keyPos, `'${key}' is not a valid map key`, KEY_HINT);
  }
  return { kind: 'path', attr: word, key, keyPos, pos: start, end: j, spaced };
}

function readInteger(src: QuerySource, start: number, spaced: boolean): Token {
  const { text } = src;
  let i = text[start] === '-' ? start + 1 : start;
  const digitsStart = i;
  while (i < text.length && isDigit(text[i] as string)) i++;
  if (i - digitsStart > MAX_INTEGER_DIGITS) {
    throw queryError(src, start, `integer literal has more than ${MAX_INTEGER_DIGITS} digits`);
  }
  const next = text[i] ?? '';
  if (isWordChar(next) || next === '.') throw queryError(src, start, 'malformed number (integers only, digits only)');
  return { kind: 'integer', value: Number(text.slice(start, i)), pos: start, end: i, spaced };
}

function readOperator(src: QuerySource, start: number, spaced: boolean): OpToken {
  const { text } = src;
  let i = start;
  while (i < text.length && OPERATOR_CHARS.includes(text[i] as string)) i++;
  const op = text.slice(start, i);
  if (op === '?' || (COMPARISON_OPERATORS as readonly string[]).includes(op)) {
    return { kind: 'op', text: op as OpToken['text'], pos: start, end: i, spaced };
  }
  throw queryError(src, start, `unknown operator '${op}'`);
}
