import fc from 'fast-check';
import { typeid } from 'typeid-js';
import { ALL_OPERATORS, type EntitySpec, type FieldSpec, FUNCTION_ENTITY, OPERATORS_BY_TYPE, ORDER_FIELDS, VERSION_ENTITY } from '../../src/domain/functions/list/fields.ts';
import { DIRECTIONS } from '../../src/domain/functions/list/order-by.ts';
import { mutate } from '../query/arbitraries.ts';

/**
 * Generators for the fuzz suite: hostile and near-valid inputs for every place a caller's text
 * reaches the service (the Function Versions JSON filter and orderBy, cursors, merge-patch
 * bodies, path ids). Grammar-built values are mostly valid so they get past the parsers; mutated
 * and random ones mostly not.
 */
const nasty = fc.constantFrom(
  "'", '"', '\\', '\u0000', '%', '_', '--', ';', '/*', '$1', '\ud800', '🎉', 'é', ' ', '', 'NULL', 'null', "' OR 1=1 --",
  "'); drop table invocation; --", '${jndi:x}', '../../etc/passwd', '%00', '\n', 'x'.repeat(300),
);
const text = fc.oneof(fc.string({ maxLength: 20 }), fc.string({ unit: 'binary', maxLength: 20 }), nasty);
const prefixes = ['ver', 'fn', 'wsp', 'sch', 'org', 'x'];
export const typeIdLike = fc.oneof(
  fc.constantFrom(...prefixes).map((p) => typeid(p).toString()),
  fc.uuid(),
  fc.tuple(fc.constantFrom(...prefixes), fc.string({ maxLength: 30 })).map(([p, s]) => `${p}_${s}`),
);
const time = fc.oneof(
  fc.date({ min: new Date(-1e14), max: new Date(1e14), noInvalidDate: true }).map((d) => d.toISOString()),
  fc.constantFrom('2026-01-01', '2026-13-45T25:61:61Z', '0000-00-00T00:00:00Z', 'now', 'infinity', '2026-01-01T00:00:00+99:99'),
);
const scalar = fc.oneof(text, typeIdLike, time, fc.integer(), fc.double(), fc.boolean(), fc.constant(null));
const operand = fc.oneof(scalar, fc.array(scalar, { maxLength: 4 }), fc.dictionary(text, scalar, { maxKeys: 2 }), fc.array(scalar, { minLength: 101, maxLength: 102 }));
const operator = fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...ALL_OPERATORS) }, { weight: 1, arbitrary: text });
const field = fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...Object.keys(VERSION_ENTITY.fields)) }, { weight: 1, arbitrary: text });
const condition = fc.dictionary(operator, operand, { minKeys: 1, maxKeys: 3 });

/** A value of the field's own type (so the condition gets past the checker and reaches SQL). */
function typedValue(spec: FieldSpec): fc.Arbitrary<unknown> {
  switch (spec.type) {
    case 'id':
      return fc.constant(spec.prefix!).map((p) => typeid(p).toString());
    case 'time':
      return fc.date({ min: new Date(0), max: new Date(4e12), noInvalidDate: true }).map((d) => d.toISOString());
    case 'bool':
      return fc.boolean();
    case 'enum':
      return fc.constantFrom(...spec.values!);
    default:
      return text;
  }
}

/** A condition that fits its field: an operator of the field's type with an operand of that type. */
function typedCondition(entity: EntitySpec): fc.Arbitrary<Record<string, unknown>> {
  return fc.constantFrom(...Object.entries(entity.fields)).chain(([name, spec]) =>
    fc.constantFrom(...OPERATORS_BY_TYPE[spec.type]).chain((op) => {
      const value = op === 'isNull' ? fc.boolean() : op === 'in' || op === 'notIn' ? fc.array(typedValue(spec), { maxLength: 3 }) : typedValue(spec);
      return value.map((v) => ({ [name]: { [op]: v } }));
    }),
  );
}

/** A Function Versions filter object: fields, AND/OR/NOT, relations, nested a few levels. */
export const versionFilter: fc.Arbitrary<unknown> = fc.letrec<{ node: unknown }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    { weight: 4, arbitrary: typedCondition(VERSION_ENTITY) },
    fc.record({ function: typedCondition(FUNCTION_ENTITY) }),
    fc.dictionary(field, condition, { minKeys: 1, maxKeys: 3 }),
    { weight: 2, arbitrary: fc.record({ AND: fc.array(tie('node'), { maxLength: 3 }) }) },
    { weight: 2, arbitrary: fc.record({ OR: fc.array(tie('node'), { maxLength: 3 }) }) },
    fc.record({ NOT: tie('node') }),
    fc.record({ function: fc.dictionary(fc.constantFrom('name', 'source', 'system', 'description', 'workspaceId'), condition, { minKeys: 1, maxKeys: 2 }) }),
    fc.record({ parent: tie('node') }),
    fc.jsonValue({ maxDepth: 2 }),
  ),
})).node;

/** The filter as query text: JSON, sometimes damaged, sometimes not JSON at all. */
export const versionFilterText = fc.oneof(
  { weight: 6, arbitrary: versionFilter.map((f) => JSON.stringify(f)) },
  { weight: 2, arbitrary: mutate(versionFilter.map((f) => JSON.stringify(f))) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 60 }) },
);

const direction = fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...DIRECTIONS) }, { weight: 1, arbitrary: scalar });
/** A well-formed orderBy: up to three distinct sortable fields, each with a real direction. */
export const validOrderByText = fc
  .shuffledSubarray([...ORDER_FIELDS], { maxLength: 3 })
  .chain((fields) => fc.tuple(...fields.map((f) => fc.constantFrom(...DIRECTIONS).map((d) => ({ [f]: d })))))
  .map((o) => JSON.stringify(o));
export const orderByText = fc.oneof(
  { weight: 6, arbitrary: validOrderByText },
  { weight: 3, arbitrary: fc.array(fc.dictionary(fc.oneof(fc.constantFrom(...ORDER_FIELDS, 'deletedAt'), text), direction, { minKeys: 1, maxKeys: 2 }), { maxLength: 4 }).map((o) => JSON.stringify(o)) },
  { weight: 2, arbitrary: mutate(fc.constant('[{"name":"desc"},{"createdAt":"asc_nulls_first"}]')) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.stringify(v)) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
);

/** Damage to a real cursor: flipped characters, cut ends, the signature of another cursor. */
export function damagedCursor(real: string[]): fc.Arbitrary<string> {
  const base = fc.constantFrom(...real);
  return fc.oneof(
    mutate(base),
    fc.tuple(base, base).map(([a, b]) => `${a.split('.')[0]}.${b.split('.')[1] ?? ''}`),
    base.map((c) => c.split('.')[0]!),
    base.map((c) => `${Buffer.from(JSON.stringify({ v: ["x' or 1=1", null] })).toString('base64url')}.${c.split('.')[1]}`),
    fc.string({ unit: 'binary', maxLength: 80 }),
    fc.base64String({ maxLength: 120 }),
  );
}

const patchFields = ['Slug', 'DisplayName', 'FunctionName', 'Arguments', 'ToolchainType', 'BridgeWorkerID', 'Labels', 'Annotations', 'DeleteGates', 'Version', 'InvocationID', 'Hash'];
const patchValue = fc.oneof(
  text,
  fc.constant(null),
  fc.dictionary(text, fc.oneof(text, fc.constant(null), fc.boolean(), fc.integer()), { maxKeys: 4 }),
  fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 3 }),
  fc.jsonValue({ maxDepth: 3 }),
  fc.stringMatching(/^[a-z][a-z0-9-]{0,20}$/),
);
/** Merge-patch bodies: objects of known and unknown fields with any JSON, and non-objects. */
export const mergePatchBody = fc.oneof(
  { weight: 8, arbitrary: fc.dictionary(fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...patchFields) }, { weight: 1, arbitrary: text }), patchValue, { maxKeys: 4 }) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
);

/** Percent-encodes the UTF-8 bytes of any string (lone surrogates become U+FFFD, as on the wire). */
export const pct = (s: string) =>
  [...Buffer.from(s, 'utf8')].map((b) => (/[A-Za-z0-9\-_.~]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).padStart(2, '0').toUpperCase()}`)).join('');

/** Path segments: ids of every shape, traversal attempts and bytes, percent-encoded for the URL. */
export const pathId = fc
  .oneof(typeIdLike, text, fc.constantFrom('..', '.', '%2e%2e', '00000000-0000-0000-0000-000000000000', 'ffffffff-ffff-ffff-ffff-ffffffffffff', 'NaN', '-1', '1e309'))
  .map((s) => (s.length === 0 ? '%20' : pct(s)));

/** Text PostgreSQL (or a driver) would put in an error: none of it may reach a caller. */
export const SQL_LEAKS = [/syntax error/i, /relation "/i, /column "/i, /\bSELECT\b/, /\bpg_/i, /violates/i, /invalid input syntax/i, /operator does not exist/i, /at or near "/i, /\bat character \d+/i, /duplicate key/i];

/** The patterns an answer matches that its request did not already contain (an echo is not a leak). */
export function sqlLeaks(answer: string, request: string): string[] {
  return SQL_LEAKS.filter((re) => re.test(answer) && !re.test(request)).map(String);
}
