import { describe, expect, it } from 'vitest';
import { DomainError } from '../../src/domain/errors.ts';
import { checkWhere, MAX_EXPRESSION_CHARS, type QueryEntity } from '../../src/domain/query/index.ts';

const U = '9b2f4a7e-3c1d-4e5f-8a6b-7c8d9e0f1a2b';

/** [entity, expression, the message after "where: "]. Positions count characters from 1. */
const REFUSED: [QueryEntity, string, string][] = [
  ["Invocation", "Slug = 'abc", "unterminated string literal starting at position 8"],
  ["Invocation", "Slug = 'a\u0001b'", "control character U+0001 is not allowed in a string literal at position 10"],
  ["Invocation", "Slug = 'a'\nAND Slug = 'b'", "control character U+000A is not allowed at position 11"],
  ["Invocation", "Slug = 'a' AND\rSlug = 'b'", "control character U+000D is not allowed at position 15"],
  ["Invocation", "Slug IN ('a', 1)", "an IN list must not mix string and integer values; found integer at position 15"],
  ["Invocation", "LEN(Labels) IN (1, 'a')", "an IN list must not mix integer and string values; found string at position 20"],
  ["Invocation", "DeleteGates.g IN (true, 'x')", "an IN list must not mix boolean and string values; found string at position 25"],
  ["Invocation", "SpaceID IN (1)", "SpaceID is a UUID: expected a quoted UUID but found an integer literal at position 13"],
  ["Invocation", "Foo = 'x'", "unknown attribute 'Foo' at position 1; Invocation attributes: BridgeWorkerID, CreatedAt, DeleteGates, DisplayName, FunctionName, InvocationID, Labels, OrganizationID, Slug, SpaceID, ToolchainType, UpdatedAt, Annotations"],
  ["Invocation", "slug = 'x'", "unknown attribute 'slug' at position 1; names are case-sensitive: did you mean Slug?"],
  ["Space", "FunctionName = 'x'", "unknown attribute 'FunctionName' at position 1; Space attributes: CreatedAt, DeleteGates, DisplayName, Labels, OrganizationID, Slug, SpaceID, UpdatedAt"],
  ["Space", "Annotations.a = 'x'", "unknown attribute 'Annotations' at position 1; Space attributes: CreatedAt, DeleteGates, DisplayName, Labels, OrganizationID, Slug, SpaceID, UpdatedAt"],
  ["Invocation", "Slug = 'a' and Slug = 'b'", "keywords are upper case: write AND, not 'and' at position 12"],
  ["Invocation", "Slug in ('a')", "keywords are upper case: write IN, not 'in' at position 6"],
  ["Invocation", "Slug like 'a'", "keywords are upper case: write LIKE, not 'like' at position 6"],
  ["Invocation", "Slug ilike 'a'", "keywords are upper case: write ILIKE, not 'ilike' at position 6"],
  ["Invocation", "Slug not LIKE 'a'", "keywords are upper case: write NOT, not 'not' at position 6"],
  ["Invocation", "Slug NOT like 'a'", "keywords are upper case: write LIKE, not 'like' at position 10"],
  ["Invocation", "BridgeWorkerID is NULL", "keywords are upper case: write IS, not 'is' at position 16"],
  ["Invocation", "BridgeWorkerID IS null", "keywords are upper case: write NULL, not 'null' at position 19"],
  ["Invocation", "BridgeWorkerID IS not NULL", "keywords are upper case: write NOT, not 'not' at position 19"],
  ["Invocation", "len(Labels) > 1", "keywords are upper case: write LEN, not 'len' at position 1"],
  ["Invocation", "Slug = 'a' OR Slug = 'b'", "OR is not supported; terms can only be joined with AND at position 12"],
  ["Invocation", "Slug = 'a' or Slug = 'b'", "OR is not supported; terms can only be joined with AND at position 12"],
  ["Invocation", "Slug = 'x'' AND Slug = ''y'", "expected AND but found a string literal at position 11"],
  ["Invocation", "Slug = 'it''s'", "expected AND but found a string literal at position 12"],
  ["Invocation", "Slug = \"x\"", "double quotes are not allowed at position 8; quote string literals with '"],
  ["Invocation", "Slug = 'a\\' OR 1=1 --'", "a string literal cannot contain '\\' at position 10; string literals have no escapes"],
  ["Invocation", "Slug = 'a\"b'", "a string literal cannot contain '\"' at position 10; string literals have no escapes"],
  ["Invocation", "Slug = 'x'; DROP TABLE invocation; --", "unexpected character ';' at position 11"],
  ["Invocation", "Slug = 'x' -- comment", "unexpected character '-' at position 12"],
  ["Invocation", "Slug = 'x' /* c */", "unexpected character '/' at position 12"],
  ["Invocation", "Slug = `x`", "unexpected character '`' at position 8"],
  ["Invocation", "Slug = ‘x’", "unexpected character '‘' at position 8"],
  ["Invocation", "Slug ~ '(?i)a'", "'(?' is not supported in regex at position 9"],
  ["Invocation", "Slug ~ '[[:alpha:]]'", "'[' inside a bracket expression is not supported in regex at position 10"],
  ["Invocation", "Slug ~ 'a{256}'", "a regex bound cannot exceed 255 at position 10"],
  ["Invocation", "Slug ~ 'a{3,2}'", "a regex bound {m,n} needs m <= n at position 10"],
  ["Invocation", "Slug ~ 'a{2'", "'{' must open a bound such as {2}, {2,} or {2,5}; write [{] for a literal brace at position 10"],
  ["Invocation", "Slug ~ '*a'", "nothing to repeat before '*' in regex at position 9"],
  ["Invocation", "Slug ~ 'a**'", "a quantifier cannot follow another quantifier in regex at position 11"],
  ["Invocation", "Slug ~ '^*'", "'^' cannot be repeated in regex at position 10"],
  ["Invocation", "Slug ~ '[z-a]'", "a regex range must go from low to high at position 11"],
  ["Invocation", "Slug ~ '[a-c-e]'", "'-' in a regex bracket must be first, last, or between the ends of a range at position 13"],
  ["Invocation", "Slug ~ '(a'", "unclosed '(' in regex at position 9"],
  ["Invocation", "Slug ~ 'a)'", "unbalanced ')' in regex at position 10"],
  ["Invocation", "Slug ~ '[a'", "unclosed '[' in regex at position 9"],
  ["Invocation", "Slug ~ '(a{1,255}){1,255}'", "regex is too complex (its repetitions multiply out beyond 1000) at position 9"],
  ["Invocation", "Slug ~ 'x(a*)*'", "nested repetition is not supported in regex (a repeated group cannot contain *, + or {m,}, and a group repeated with *, + or {m,} no repetition at all) at position 10"],
  ["Invocation", "Slug ~ '([a-z]+|b){3}'", "nested repetition is not supported in regex (a repeated group cannot contain *, + or {m,}, and a group repeated with *, + or {m,} no repetition at all) at position 9"],
  ["Invocation", "Slug ~ '(a{2}b)+'", "nested repetition is not supported in regex (a repeated group cannot contain *, + or {m,}, and a group repeated with *, + or {m,} no repetition at all) at position 9"],
  ["Invocation", `Slug ~ '${"a".repeat(1025)}'`, "regex is longer than 1024 characters at position 9"],
  ["Invocation", "SpaceID = 'not-a-uuid'", "'not-a-uuid' is not a UUID at position 11"],
  ["Invocation", `SpaceID < '${U}'`, "operator < does not apply to SpaceID (a UUID) at position 9; it takes = != IN NOT IN IS NULL IS NOT NULL"],
  ["Invocation", `SpaceID LIKE '${U}'`, "operator LIKE does not apply to SpaceID (a UUID) at position 9; it takes = != IN NOT IN IS NULL IS NOT NULL"],
  ["Invocation", "CreatedAt = '2025-02-30'", "'2025-02-30' is not a valid time at position 13; use RFC 3339 or YYYY-MM-DD[THH:MM:SS] (years 0001-9999; no zone means UTC)"],
  ["Invocation", "CreatedAt = '2025-02-18T24:00:00'", "'2025-02-18T24:00:00' is not a valid time at position 13; use RFC 3339 or YYYY-MM-DD[THH:MM:SS] (years 0001-9999; no zone means UTC)"],
  ["Invocation", "CreatedAt = '2025-02-18T23:16'", "'2025-02-18T23:16' is not a valid time at position 13; use RFC 3339 or YYYY-MM-DD[THH:MM:SS] (years 0001-9999; no zone means UTC)"],
  ["Invocation", "CreatedAt = '2025-02-18Z'", "'2025-02-18Z' is not a valid time at position 13; use RFC 3339 or YYYY-MM-DD[THH:MM:SS] (years 0001-9999; no zone means UTC)"],
  ["Invocation", "CreatedAt = 2025", "CreatedAt is a time: expected a quoted time but found an integer literal at position 13"],
  ["Invocation", "CreatedAt LIKE '2025%'", "operator LIKE does not apply to CreatedAt (a time) at position 11; it takes = != < <= > >="],
  ["Invocation", "CreatedAt IN ('2025-01-01')", "operator IN does not apply to CreatedAt (a time) at position 11; it takes = != < <= > >="],
  ["Invocation", "CreatedAt IS NULL", "operator IS NULL does not apply to CreatedAt (a time) at position 11; it takes = != < <= > >="],
  ["Invocation", "Labels = 'x'", "operator = does not apply to the map Labels at position 8; use Labels.key, Labels ? 'key', LEN(Labels)"],
  ["Invocation", "DeleteGates = true", "operator = does not apply to the map DeleteGates at position 13; use DeleteGates.key, DeleteGates ? 'key', LEN(DeleteGates), DeleteGates IS NULL"],
  ["Invocation", "Labels IS NULL", "operator IS NULL does not apply to the map Labels at position 8; use Labels.key, Labels ? 'key', LEN(Labels)"],
  ["Invocation", "Labels.-x = 'y'", "'-x' is not a valid map key at position 8; keys have letters, digits and - _ . / and start and end with a letter or digit"],
  ["Invocation", "Labels.x. = 'y'", "'x.' is not a valid map key at position 8; keys have letters, digits and - _ . / and start and end with a letter or digit"],
  ["Invocation", "Labels. = 'y'", "expected a map key after 'Labels.' at position 8"],
  ["Invocation", `Labels.${"k".repeat(129)} = 'y'`, "map key is longer than 128 characters at position 8"],
  ["Invocation", "LEN(Labels) > 12345678901", "integer literal has more than 10 digits at position 15"],
  ["Invocation", "LEN(Labels) > 1.5", "malformed number (integers only, digits only) at position 15"],
  ["Invocation", "LEN(Labels) > '1'", "LEN(Labels) is an integer: expected an integer literal but found a string literal at position 15"],
  ["Invocation", "LEN(Slug) > 1", "LEN() takes a map attribute; Slug is a string at position 5"],
  ["Invocation", "LEN(Labels > 1", "expected ')' to close LEN( but found '>' at position 12"],
  ["Invocation", "Slug = 'a' AND", "expected a term after AND at position 15 (end of expression)"],
  ["Invocation", "AND Slug = 'a'", "expected an attribute but found the keyword AND at position 1"],
  ["Invocation", "Slug = 'a'AND Slug = 'b'", "AND needs whitespace on both sides at position 11"],
  ["Invocation", "Slug = 'a' AND(Slug = 'b')", "AND needs whitespace on both sides at position 15"],
  ["Invocation", "Slug", "expected an operator but found the end of the expression at position 5 (end of expression)"],
  ["Invocation", "Slug =", "expected a literal after = but found the end of the expression at position 7 (end of expression)"],
  ["Invocation", "Slug = 'a' Slug = 'b'", "expected AND but found 'Slug' at position 12"],
  ["Invocation", "(Slug = 'a')", "expected an attribute but found '(' at position 1"],
  ["Invocation", "NOT Slug = 'a'", "expected an attribute but found the keyword NOT at position 1"],
  ["Invocation", "Slug NOT = 'a'", "expected IN, LIKE or ILIKE after NOT but found '=' at position 10"],
  ["Invocation", "Slug IS 'a'", "expected NULL after IS but found a string literal at position 9"],
  ["Invocation", "DeleteGates.protect = 'true'", "DeleteGates.protect is a boolean: expected a boolean literal but found a string literal at position 23"],
  ["Invocation", "DeleteGates.protect LIKE 'x'", "operator LIKE does not apply to DeleteGates.protect (a boolean) at position 21; it takes = != IN NOT IN IS NULL IS NOT NULL"],
  ["Invocation", "DeleteGates.protect < true", "operator < does not apply to DeleteGates.protect (a boolean) at position 21; it takes = != IN NOT IN IS NULL IS NOT NULL"],
  ["Invocation", "Labels.env = true", "Labels.env is a string: expected a string literal but found a boolean literal at position 14"],
  ["Invocation", "Slug = 5", "Slug is a string: expected a string literal but found an integer literal at position 8"],
  ["Invocation", "Slug == 'a'", "unknown operator '==' at position 6"],
  ["Invocation", "Slug <> 'a'", "unknown operator '<>' at position 6"],
  ["Invocation", "Slug ! 'a'", "unknown operator '!' at position 6"],
  ["Invocation", "BridgeWorkerID = NULL", "NULL cannot follow =; use IS NULL or IS NOT NULL at position 18"],
  ["Invocation", "Slug IN ()", "an IN list needs at least one value at position 10"],
  ["Invocation", "Slug IN ('a',)", "expected a literal in the IN list but found ')' at position 14"],
  ["Invocation", "Slug IN 'a'", "expected '(' to open the IN list but found a string literal at position 9"],
  ["Invocation", "Slug IN ('a' 'b')", "expected ',' or ')' in the IN list but found a string literal at position 14"],
  ["Invocation", "Slug IN (DisplayName)", "expected a literal in the IN list but found 'DisplayName' at position 10"],
  ["Invocation", "Slug LIKE DisplayName", "LIKE needs a string literal on its right, not an attribute at position 11"],
  ["Invocation", "Slug ~ DisplayName", "~ needs a string literal on its right, not an attribute at position 8"],
  ["Invocation", "Slug = CreatedAt", "cannot compare Slug (a string) with CreatedAt (a time) at position 8"],
  ["Invocation", "LEN(Labels) = Slug", "cannot compare LEN(Labels) (an integer) with Slug (a string) at position 15"],
  ["Invocation", "Labels ? 'bad key'", "'bad key' is not a valid map key at position 11; keys have letters, digits and - _ . / and start and end with a letter or digit"],
  ["Invocation", "Labels ? env", "expected a quoted key after ? but found 'env' at position 10"],
  ["Invocation", "Slug ? 'a'", "operator ? does not apply to Slug (a string) at position 6; it takes = != < <= > >= LIKE ~~ NOT LIKE !~~ ILIKE ~~* NOT ILIKE !~~* ~ !~ ~* !~* IN NOT IN"],
  ["Invocation", "Slug.x = 'a'", "only a map attribute takes a .key; Slug is a string at position 1"],
  ["Invocation", "Slug = '🎉🎉' AND Foo = 'x'", "unknown attribute 'Foo' at position 17; Invocation attributes: BridgeWorkerID, CreatedAt, DeleteGates, DisplayName, FunctionName, InvocationID, Labels, OrganizationID, Slug, SpaceID, ToolchainType, UpdatedAt, Annotations"],
  ["Invocation", "Slug = 'é' AND Fóo = 'x'", "unexpected character 'ó' at position 17"],
  ["Invocation", "Slug = '\ud800'", "invalid character (unpaired UTF-16 surrogate) at position 9"],
  ["Invocation", "Slug = 'a' AND Slug IS NULL", "operator IS NULL does not apply to Slug (a string) at position 21; it takes = != < <= > >= LIKE ~~ NOT LIKE !~~ ILIKE ~~* NOT ILIKE !~~* ~ !~ ~* !~* IN NOT IN"],
  ["Invocation", "Slug = TRUE", "Slug is a string: expected a string literal but found a boolean literal at position 8"],
  ["Invocation", "true = Slug", "expected an attribute but found the boolean literal true at position 1"],
  ["Invocation", "'a' = Slug", "expected an attribute but found a string literal at position 1"],
  ["Invocation", "Slug = 'a' AND 5 = 5", "expected an attribute but found an integer literal at position 16"],
];

function refusal(entity: QueryEntity, where: string, label?: string): DomainError {
  try {
    checkWhere(entity, where, label);
  } catch (e) {
    if (e instanceof DomainError) return e;
    throw e;
  }
  throw new Error(`accepted: ${where}`);
}

describe('refused expressions: a 400 naming the problem and its position', () => {
  it.each(REFUSED)('%s: %s', (entity, where, message) => {
    const e = refusal(entity, where);
    expect(e.code).toBe('VALIDATION_ERROR');
    expect(e.status).toBe(400);
    expect(e.message).toBe(`where: ${message}`);
  });

  it('carries the position in the details too, and names the parameter it was given', () => {
    const e = refusal('Space', "Slug = 'a' Slug", 'where_space');
    expect(e.message).toBe("where_space: expected AND but found 'Slug' at position 12");
    expect(e.details).toEqual({ parameter: 'where_space', position: 12 });
  });
});

describe('limits', () => {
  const term = "Slug = 'a'";
  const terms = (n: number) => Array.from({ length: n }, () => term).join(' AND ');
  const inList = (n: number) => `Slug IN (${Array.from({ length: n }, (_, i) => `'v${i}'`).join(', ')})`;

  it('accepts 100 terms and refuses 101, pointing at the 101st', () => {
    expect(checkWhere('Invocation', terms(100)).terms).toHaveLength(100);
    expect(refusal('Invocation', terms(101)).message).toBe(
      'where: too many terms: at most 100; term 101 starts at position 1501',
    );
  });

  it('accepts 1000 IN values and refuses 1001', () => {
    expect(checkWhere('Invocation', inList(1000)).terms).toHaveLength(1);
    const e = refusal('Invocation', inList(1001));
    expect(e.message).toMatch(/^where: too many values in an IN list: at most 1000; value 1001 starts at position \d+$/);
    const pos = Number(/position (\d+)/.exec(e.message)?.[1]);
    expect([...inList(1001)].slice(pos - 1, pos + 6).join('')).toBe("'v1000'");
  });

  it('accepts 8192 characters and refuses 8193', () => {
    const pad = (n: number) => `Slug = '${'x'.repeat(n - 9)}'`;
    expect(pad(MAX_EXPRESSION_CHARS)).toHaveLength(8192);
    expect(() => checkWhere('Invocation', pad(8192))).not.toThrow();
    expect(refusal('Invocation', pad(8193)).message).toBe('where: expression is longer than 8192 characters');
    expect(refusal('Invocation', 'x'.repeat(1_000_000)).message).toBe('where: expression is longer than 8192 characters');
  });

  it('counts characters, not UTF-16 units, against the 8192 limit', () => {
    const emoji = `DisplayName = '${'🎉'.repeat(8192 - 16)}'`;
    expect([...emoji]).toHaveLength(8192);
    expect(() => checkWhere('Invocation', emoji)).not.toThrow();
  });
});
