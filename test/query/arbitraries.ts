import fc from 'fast-check';
import { ATTRIBUTES, type QueryEntity } from '../../src/domain/query/index.ts';

/**
 * Generators for the where-language property tests: expressions built from the grammar (mostly
 * valid), their mutations (mostly not), and regexes from the accepted grammar's alphabet.
 * String values carry the marker Ω so a test can check that no value reaches the SQL text.
 */
export const MARKER = 'Ω';

const valueChar = fc.constantFrom(...[...'abcXYZ019 -_.%/:é🎉;()=?~*$^|[]{}<>!,'], MARKER);
const stringValue = fc.array(valueChar, { maxLength: 8 }).map((cs) => `${MARKER}${cs.join('')}`);
const quoted = (a: fc.Arbitrary<string>) => a.map((s) => `'${s}'`);
const mapKey = fc.stringMatching(/^[A-Za-z0-9]([-_./A-Za-z0-9]{0,10}[A-Za-z0-9])?$/);
const uuid = fc.tuple(fc.uuid(), fc.boolean()).map(([u, upper]) => (upper ? u.toUpperCase() : u));
const integer = fc.integer({ min: -9_999_999_999, max: 9_999_999_999 });
const bool = fc.constantFrom('true', 'false', 'TRUE', 'False');

const pad = (n: number, w = 2) => String(n).padStart(w, '0');
/** Time literals in every accepted form, plus near misses (the checker decides). */
export const timeLiteral = fc
  .tuple(
    fc.integer({ min: 0, max: 10_000 }),
    fc.integer({ min: 0, max: 13 }),
    fc.integer({ min: 0, max: 32 }),
    fc.integer({ min: 0, max: 24 }),
    fc.integer({ min: 0, max: 60 }),
    fc.constantFrom('date', 'T', 't', ' ', 'Tfrac'),
    fc.constantFrom('', 'Z', 'z', '+05:30', '-23:59', '+23:59', '-00:00', '+24:00'),
  )
  .map(([y, mo, d, h, mi, form, zone]) => {
    const date = `${pad(y, 4)}-${pad(mo)}-${pad(d)}`;
    if (form === 'date') return date;
    const frac = form === 'Tfrac' ? '.123456789' : '';
    return `${date}${form === 'Tfrac' ? 'T' : form}${pad(h)}:${pad(mi)}:${pad(mi)}${frac}${zone}`;
  });

/** Regexes from the accepted grammar's pieces; some break its rules on purpose. */
export const regex: fc.Arbitrary<string> = fc.letrec<{ regex: string; branch: string; piece: string; atom: string }>((tie) => ({
  regex: fc.array(tie('branch'), { minLength: 1, maxLength: 3 }).map((bs) => bs.join('|')),
  branch: fc.array(tie('piece'), { maxLength: 4 }).map((ps) => ps.join('')),
  piece: fc
    .tuple(tie('atom'), fc.constantFrom('', '', '*', '+', '?', '*?', '{2}', '{0,3}', '{1,}', '{255}', '{3,3}?', '{256}', '{2,1}'))
    .map(([a, q]) => a + q),
  atom: fc.oneof(
    { depthSize: 'small' },
    fc.constantFrom('a', 'Z', '.', 'é', '-', ',', ']', '}', ':', '=', '!', '<', '^', '$', '🎉', '{', '(?'),
    fc
      .tuple(fc.boolean(), fc.array(fc.constantFrom('a', 'z', '0-9', 'a-f', 'A-z', ']', '-', '^', '.', '*', '(', '|', '$', '{', 'é-ü', 'z-a', '[:alpha:]'), { minLength: 1, maxLength: 4 }))
      .map(([neg, items]) => `[${neg ? '^' : ''}${items.join('')}]`),
    tie('regex').map((r) => `(${r})`),
  ),
})).regex;

const ops = {
  string: ['=', '!=', '<', '<=', '>', '>=', 'LIKE', 'NOT LIKE', 'ILIKE', 'NOT ILIKE', '~~', '!~~', '~~*', '!~~*'],
  regex: ['~', '~*', '!~', '!~*'],
  order: ['=', '!=', '<', '<=', '>', '>='],
  eq: ['=', '!='],
};

function names(entity: QueryEntity, type: string, values?: string): string[] {
  return ATTRIBUTES[entity].filter((a) => a.type === type && (values === undefined || (a.type === 'map' && a.values === values))).map((a) => a.name);
}

const list = (a: fc.Arbitrary<string>) => fc.array(a, { minLength: 1, maxLength: 4 }).map((vs) => `(${vs.join(', ')})`);
const negIn = fc.constantFrom('IN', 'NOT IN');
const nul = fc.constantFrom('IS NULL', 'IS NOT NULL');
const spaced = (parts: (string | number)[]) => parts.join(' ');

/** One term of the grammar for the entity, with operands that fit (or nearly fit) its type. */
export function term(entity: QueryEntity): fc.Arbitrary<string> {
  const strings = fc.constantFrom(...names(entity, 'string'));
  const uuids = fc.constantFrom(...names(entity, 'uuid'));
  const times = fc.constantFrom(...names(entity, 'time'));
  const stringMaps = fc.constantFrom(...names(entity, 'map', 'string'));
  const maps = fc.constantFrom(...names(entity, 'map'));
  const entry = fc.tuple(stringMaps, mapKey).map(([m, k]) => `${m}.${k}`);
  const gate = mapKey.map((k) => `DeleteGates.${k}`);
  const stringSubject = fc.oneof(strings, entry);
  return fc.oneof(
    fc.tuple(stringSubject, fc.constantFrom(...ops.string), quoted(stringValue)).map(spaced),
    fc.tuple(stringSubject, fc.constantFrom(...ops.regex), quoted(regex)).map(spaced),
    fc.tuple(stringSubject, negIn, list(quoted(stringValue))).map(spaced),
    fc.tuple(stringSubject, fc.constantFrom(...ops.order), stringSubject).map(spaced),
    fc.tuple(uuids, fc.constantFrom(...ops.eq), quoted(uuid)).map(spaced),
    fc.tuple(uuids, negIn, list(quoted(uuid))).map(spaced),
    fc.tuple(uuids, nul).map(spaced),
    fc.tuple(uuids, fc.constantFrom(...ops.eq), uuids).map(spaced),
    fc.tuple(times, fc.constantFrom(...ops.order), quoted(timeLiteral)).map(spaced),
    fc.tuple(times, fc.constantFrom(...ops.order), times).map(spaced),
    fc.tuple(maps, fc.constant('?'), quoted(mapKey)).map(spaced),
    fc.tuple(maps.map((m) => `LEN(${m})`), fc.constantFrom(...ops.order), integer).map(spaced),
    fc.tuple(maps.map((m) => `LEN(${m})`), negIn, list(integer.map(String))).map(spaced),
    fc.tuple(entry, nul).map(spaced),
    fc.tuple(gate, fc.constantFrom(...ops.eq), bool).map(spaced),
    fc.tuple(gate, negIn, list(bool)).map(spaced),
    fc.tuple(gate, nul).map(spaced),
    fc.tuple(gate, fc.constantFrom('=', '!='), gate).map(spaced),
    nul.map((n) => `DeleteGates ${n}`),
  );
}

const AND = fc.constantFrom(' AND ', '\tAND\t', '  AND  ');
export function expression(entity: QueryEntity): fc.Arbitrary<string> {
  return fc
    .tuple(fc.array(term(entity), { minLength: 1, maxLength: 5 }), fc.array(AND, { minLength: 4, maxLength: 4 }))
    .map(([terms, ands]) => terms.reduce((acc, t, i) => (i === 0 ? t : `${acc}${ands[i - 1] ?? ' AND '}${t}`), ''));
}

const INSERTS = [
  "'", '"', '\\', '\u0000', '\n', '\r', '\t', '\u001f', '\u007f', '\u0085', '\u200b', '\u2028', 'é', '🎉', '\ud800', '\udfff',
  '(', ')', ',', ' ', 'AND', ' AND ', 'and', 'OR', ' OR ', '%', '_', '*', '?', '.', '-', 'NULL', 'IN', 'NOT', 'LEN(',
  '~', '!', '=', '<', '>', '{', '}', '[', ']', '0', '9999999999', '12345678901', "''", 'true', ';', '--', '/*', '$1', ':',
];

/** Deletes, duplicates, swaps, inserts or replaces at random UTF-16 positions (so pairs can split). */
export function mutate(text: fc.Arbitrary<string>): fc.Arbitrary<string> {
  const edit = fc.tuple(fc.nat(), fc.constantFrom('delete', 'duplicate', 'swap', 'insert', 'replace'), fc.constantFrom(...INSERTS));
  return fc.tuple(text, fc.array(edit, { minLength: 1, maxLength: 3 })).map(([t, edits]) =>
    edits.reduce((s, [n, kind, ins]) => {
      const i = s.length === 0 ? 0 : n % s.length;
      switch (kind) {
        case 'delete':
          return s.slice(0, i) + s.slice(i + 1);
        case 'duplicate':
          return s.slice(0, i + 1) + s.slice(i);
        case 'swap':
          return s.slice(0, i) + s.slice(i + 1, i + 2) + s.slice(i, i + 1) + s.slice(i + 2);
        case 'insert':
          return s.slice(0, i) + ins + s.slice(i);
        default:
          return s.slice(0, i) + ins + s.slice(i + 1);
      }
    }, t),
  );
}
