/**
 * The regex subset the where language accepts for `~ ~* !~ !~*`. PostgreSQL raises on an invalid
 * pattern (a 500 if it got that far), so a pattern is checked here against a conservative grammar
 * that PostgreSQL's ARE engine, POSIX ERE and JavaScript all read the same way:
 *
 *   regex  := branch { '|' branch }          (empty branches allowed)
 *   branch := { piece }
 *   piece  := atom [ quantifier [ '?' ] ]     (one quantifier; '?' after it makes it lazy)
 *   atom   := char | '.' | '^' | '$' | '(' regex ')' | bracket      (anchors take no quantifier)
 *   quantifier := '*' | '+' | '?' | '{' m '}' | '{' m ',' '}' | '{' m ',' n '}'   (m <= n <= 255)
 *   bracket := '[' [ '^' ] [ ']' ] { char | char '-' char } [ '-' ] ']'  (no '[' inside, ranges low-high)
 *
 * Refused: `(?` (embedded options, lookaround), backslashes (string literals cannot hold them
 * anyway), `[[:class:]]` and every other '[' inside brackets, a '{' that does not open a valid
 * bound, more than 1024 characters, groups nested deeper than 16.
 *
 * Refused for cost: PostgreSQL's engine can spend milliseconds per row on nested repetition
 * (`(a*)*`, `([^x]*|b){100}`, `(a{19}a)*`) and on large bounded repetitions, which over a million
 * rows is a denial of service. So a group repeated by `* + {m,}` may hold no repetition, a group
 * repeated by `{m,n}` may hold no `* + {m,}`, and the bounded repetitions may multiply out to at
 * most 1000 (PostgreSQL itself refuses far larger ones as "too complex"). These limits bound the
 * work per row; a statement timeout is still the last line of defence.
 */
export const MAX_REGEX_CHARS = 1024;
const MAX_GROUP_DEPTH = 16;
const MAX_BOUND = 255;
const MAX_COST = 1_000;

export interface RegexProblem {
  /** 0-based UTF-16 index inside the pattern. */
  index: number;
  message: string;
}

export function checkRegex(pattern: string): RegexProblem | undefined {
  if ([...pattern].length > MAX_REGEX_CHARS) return { index: 0, message: `regex is longer than ${MAX_REGEX_CHARS} characters` };
  try {
    const cost = new RegexChecker(pattern).pattern();
    if (cost > MAX_COST) return { index: 0, message: 'regex is too complex (its repetitions multiply out beyond 1000)' };
    return undefined;
  } catch (e) {
    if (e instanceof RegexRefusal) return { index: e.index, message: e.message };
    throw e;
  }
}

class RegexRefusal extends Error {
  readonly index: number;
  constructor(index: number, message: string) {
    super(message);
    this.index = index;
  }
}

const QUANTIFIERS = new Set(['*', '+', '?', '{']);

/** How much repetition a piece holds: none (or only ? / {0,1}), bounded {m,n}, or unbounded. */
const NONE = 0;
const BOUNDED = 1;
const UNBOUNDED = 2;
type Rep = typeof NONE | typeof BOUNDED | typeof UNBOUNDED;
interface Shape {
  cost: number;
  rep: Rep;
}

class RegexChecker {
  private i = 0;
  private depth = 0;
  private readonly p: string;
  constructor(p: string) {
    this.p = p;
  }

  pattern(): number {
    const { cost } = this.alternation();
    if (this.i < this.p.length) throw this.refuse(this.i, "unbalanced ')' in regex");
    return cost;
  }

  private alternation(): Shape {
    const shape = this.branch();
    while (this.p[this.i] === '|') {
      this.i++;
      const b = this.branch();
      shape.cost += b.cost;
      shape.rep = Math.max(shape.rep, b.rep) as Rep;
    }
    return shape;
  }

  private branch(): Shape {
    const shape: Shape = { cost: 0, rep: NONE };
    while (this.i < this.p.length && this.p[this.i] !== '|' && this.p[this.i] !== ')') {
      const piece = this.piece();
      shape.cost += piece.cost;
      shape.rep = Math.max(shape.rep, piece.rep) as Rep;
    }
    return shape;
  }

  private piece(): Shape {
    const start = this.i;
    const c = this.p[this.i] as string;
    if (QUANTIFIERS.has(c)) throw this.refuse(start, `nothing to repeat before '${c}' in regex`);
    const atom = this.atom();
    const next = this.p[this.i] ?? '';
    if (!QUANTIFIERS.has(next)) return atom;
    if (atom.anchor) throw this.refuse(this.i, `'${this.p[start]}' cannot be repeated in regex`);
    const q = this.quantifier();
    // Repetition inside repetition is where PostgreSQL's engine can take milliseconds per row.
    if ((q.rep === UNBOUNDED && atom.rep !== NONE) || (q.rep === BOUNDED && atom.rep === UNBOUNDED)) {
      throw this.refuse(start, 'nested repetition is not supported in regex (a repeated group cannot contain *, + or {m,}, and a group repeated with *, + or {m,} no repetition at all)');
    }
    if (this.p[this.i] === '?') this.i++;
    const after = this.p[this.i] ?? '';
    if (QUANTIFIERS.has(after)) throw this.refuse(this.i, 'a quantifier cannot follow another quantifier in regex');
    return { cost: atom.cost * q.factor, rep: Math.max(atom.rep, q.rep) as Rep };
  }

  private atom(): Shape & { anchor: boolean } {
    const c = this.p[this.i] as string;
    if (c === '(') return { ...this.group(), anchor: false };
    if (c === '[') return { cost: this.bracket(), rep: NONE, anchor: false };
    if (c === '\\') throw this.refuse(this.i, 'backslashes are not supported in regex');
    this.i += (this.p.codePointAt(this.i) as number) > 0xffff ? 2 : 1;
    return { cost: 1, rep: NONE, anchor: c === '^' || c === '$' };
  }

  private group(): Shape {
    const open = this.i++;
    if (this.p[this.i] === '?') throw this.refuse(open, "'(?' is not supported in regex");
    if (++this.depth > MAX_GROUP_DEPTH) throw this.refuse(open, `regex groups are nested deeper than ${MAX_GROUP_DEPTH}`);
    const shape = this.alternation();
    if (this.p[this.i] !== ')') throw this.refuse(open, "unclosed '(' in regex");
    this.i++;
    this.depth--;
    return { cost: shape.cost + 1, rep: shape.rep };
  }

  /** The quantifier's kind, and its factor: the largest count it allows (1 for * + ?). */
  private quantifier(): { factor: number; rep: Rep } {
    const c = this.p[this.i] as string;
    if (c !== '{') {
      this.i++;
      return { factor: 1, rep: c === '?' ? NONE : UNBOUNDED };
    }
    const m = /^\{(\d{1,3})(,(\d{1,3})?)?\}/.exec(this.p.slice(this.i, this.i + 9));
    if (!m) throw this.refuse(this.i, "'{' must open a bound such as {2}, {2,} or {2,5}; write [{] for a literal brace");
    const min = Number(m[1]);
    const open = m[2] !== undefined && m[3] === undefined;
    const max = open || m[2] === undefined ? min : Number(m[3]);
    if (min > MAX_BOUND || max > MAX_BOUND) throw this.refuse(this.i, `a regex bound cannot exceed ${MAX_BOUND}`);
    if (min > max) throw this.refuse(this.i, 'a regex bound {m,n} needs m <= n');
    this.i += m[0].length;
    if (open) return { factor: min + 1, rep: UNBOUNDED };
    return { factor: Math.max(1, max), rep: max > 1 ? BOUNDED : NONE };
  }

  private bracket(): number {
    const open = this.i++;
    if (this.p[this.i] === '^') this.i++;
    const first = this.i;
    for (;;) {
      const c = this.p[this.i];
      if (c === undefined) throw this.refuse(open, "unclosed '[' in regex");
      if (c === ']' && this.i > first) break;
      if (c === '[') throw this.refuse(this.i, "'[' inside a bracket expression is not supported in regex");
      if (c === '\\') throw this.refuse(this.i, 'backslashes are not supported in regex');
      if (c === '-') this.bracketDash(first);
      else this.bracketChar();
    }
    this.i++;
    return 1;
  }

  /** A '-' is literal only first or last in the bracket. */
  private bracketDash(first: number): void {
    if (this.i !== first && this.p[this.i + 1] !== ']') {
      throw this.refuse(this.i, "'-' in a regex bracket must be first, last, or between the ends of a range");
    }
    this.i++;
  }

  private bracketChar(): void {
    const low = this.p.codePointAt(this.i) as number;
    this.i += low > 0xffff ? 2 : 1;
    if (this.p[this.i] !== '-' || this.p[this.i + 1] === ']' || this.p[this.i + 1] === undefined) return;
    const dash = this.i++;
    const high = this.p.codePointAt(this.i) as number;
    const highChar = String.fromCodePoint(high);
    if (highChar === '[' || highChar === '-' || highChar === '\\') {
      throw this.refuse(this.i, `'${highChar}' cannot end a range in a regex bracket`);
    }
    if (high < low) throw this.refuse(dash, 'a regex range must go from low to high');
    this.i += high > 0xffff ? 2 : 1;
  }

  private refuse(index: number, message: string): RegexRefusal {
    return new RegexRefusal(index, message);
  }
}
