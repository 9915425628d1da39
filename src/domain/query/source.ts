import { DomainError, validation } from '../errors.ts';

/**
 * The text being compiled and the name of the parameter it came from (`where`, `where_space`,
 * `filter`, ...), so every refusal names both the parameter and the place.
 *
 * Positions in messages count characters (Unicode code points) from 1: the first character of the
 * expression is position 1, and "position N+1" means the end of an expression of N characters.
 * Internally the code works with 0-based UTF-16 indexes and converts only when it reports.
 */
export interface QuerySource {
  readonly label: string;
  readonly text: string;
}

export function positionOf(text: string, index: number): number {
  let pos = 1;
  for (let i = 0; i < index && i < text.length; i++) {
    const c = text.charCodeAt(i);
    // A surrogate pair is one character: count its high half only.
    if (c >= 0xdc00 && c <= 0xdfff && i > 0 && isHighSurrogate(text.charCodeAt(i - 1))) continue;
    pos++;
  }
  return pos;
}

const isHighSurrogate = (c: number) => c >= 0xd800 && c <= 0xdbff;

/** A 400 whose message says what is wrong and where: `where: expected AND at position 14`. */
export function queryError(src: QuerySource, index: number, message: string, hint?: string): DomainError {
  const position = positionOf(src.text, index);
  const atEnd = index >= src.text.length ? ' (end of expression)' : '';
  const tail = hint ? `; ${hint}` : '';
  return validation(`${src.label}: ${message} at position ${position}${atEnd}${tail}`, {
    parameter: src.label,
    position,
  });
}

/** A 400 about the expression as a whole (its length), which has no single position. */
export function wholeQueryError(src: QuerySource, message: string): DomainError {
  return validation(`${src.label}: ${message}`, { parameter: src.label });
}

/** How a character is shown in a message: control and invisible characters as U+XXXX. */
export function showChar(ch: string): string {
  const cp = ch.codePointAt(0) ?? 0;
  if (cp < 0x20 || (cp >= 0x7f && cp <= 0xa0) || isInvisible(cp)) {
    return `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;
  }
  return `'${ch}'`;
}

const isInvisible = (cp: number) =>
  (cp >= 0x2000 && cp <= 0x200f) || (cp >= 0x2028 && cp <= 0x202f) || cp === 0xfeff || (cp >= 0xd800 && cp <= 0xdfff);

/** C0, DEL and C1 controls: never allowed anywhere in an expression (tab only as whitespace). */
export const isControl = (cp: number) => cp < 0x20 || (cp >= 0x7f && cp <= 0x9f);

/** Index of the first unpaired surrogate, or -1: such text cannot be sent to PostgreSQL as UTF-8. */
export function loneSurrogateIndex(text: string): number {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (isHighSurrogate(c)) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        i++;
        continue;
      }
      return i;
    }
    if (c >= 0xdc00 && c <= 0xdfff) return i;
  }
  return -1;
}
