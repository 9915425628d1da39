import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext } from '../helpers/context.ts';
import { created, expectError, ok, orgWithFunction, q } from './fixtures.ts';

const V = '/api/function-versions';

type V = { id: string; name: string; parentId: string | null; functionId: string; inputSchemaId: string; outputSchemaId: string; createdAt: string; deletedAt: string | null };

let ctx: TestContext;
let o: Awaited<ReturnType<typeof orgWithFunction>>;
let all: V[];
const byName: Record<string, V> = {};

beforeAll(async () => {
  ctx = await createTestContext();
  o = await orgWithFunction(ctx);
  const beta = created(await o.admin.post('/api/functions', { workspaceId: o.workspace.id, name: 'beta', description: 'second', source: 'openapi-op' }));
  const a1 = await o.newVersion({ name: 'alpha-1' });
  const a2 = created(await o.admin.post(`/api/function-versions/${a1.id}/fork`, { name: '100%_done' }));
  created(await o.admin.post(`/api/function-versions/${a2.id}/fork`, { name: 'a_b' }));
  const b1 = await o.newVersion({ functionId: beta.id, name: 'Beta', outputSchemaId: o.schemaIn.id });
  created(await o.admin.post(`/api/function-versions/${b1.id}/fork`, { name: 'beta\\x' }));
  const gone = await o.newVersion({ functionId: beta.id, name: 'gone' });
  ok(await o.admin.delete(`/api/function-versions/${gone.id}`));
  all = ok(await o.admin.get('/api/function-versions?include_deleted=true')).data;
  for (const v of all) byName[v.name] = v;
});
afterAll(async () => ctx?.close());

const active = () => all.filter((v) => v.deletedAt === null);

async function names(filter: unknown, extra: Record<string, unknown> = {}): Promise<string[]> {
  const page = ok(await o.admin.get(`/api/function-versions?${q({ filter, ...extra })}`));
  expect(page.pageInfo.total).toBe(page.data.length);
  return page.data.map((v: V) => v.name).sort();
}
const expected = (pred: (v: V) => boolean, rows = active()) => rows.filter(pred).map((v) => v.name).sort();
const id = (name: string) => byName[name]!.id;

describe('field operators', () => {
  it('compares text by code point, case-sensitively', async () => {
    expect(await names({ name: { eq: 'Beta' } })).toEqual(['Beta']);
    expect(await names({ name: { neq: 'Beta' } })).toEqual(expected((v) => v.name !== 'Beta'));
    expect(await names({ name: { gt: 'a_b' } })).toEqual(expected((v) => v.name > 'a_b'));
    expect(await names({ name: { gte: 'a_b', lt: 'beta' } })).toEqual(expected((v) => v.name >= 'a_b' && v.name < 'beta'));
    expect(await names({ name: { lte: 'Beta' } })).toEqual(expected((v) => v.name <= 'Beta'));
    expect(await names({ name: { in: ['Beta', 'a_b', 'nope'] } })).toEqual(['Beta', 'a_b']);
    expect(await names({ name: { notIn: ['Beta', 'a_b'] } })).toEqual(expected((v) => !['Beta', 'a_b'].includes(v.name)));
  });

  it('treats %, _ and \\ literally in contains, startsWith and endsWith', async () => {
    expect(await names({ name: { contains: '%_' } })).toEqual(['100%_done']);
    expect(await names({ name: { contains: '_' } })).toEqual(['100%_done', 'a_b']);
    expect(await names({ name: { startsWith: 'a_' } })).toEqual(['a_b']);
    expect(await names({ name: { endsWith: '\\x' } })).toEqual(['beta\\x']);
    expect(await names({ name: { contains: 'eta' } })).toEqual(['Beta', 'beta\\x']);
  });

  it('matches NULL with isNull and ids by value', async () => {
    expect(await names({ parentId: { isNull: true } })).toEqual(expected((v) => v.parentId === null));
    expect(await names({ parentId: { isNull: false } })).toEqual(expected((v) => v.parentId !== null));
    expect(await names({ id: { in: [id('alpha-1'), id('Beta')] } })).toEqual(['Beta', 'alpha-1']);
    expect(await names({ functionId: { eq: o.fn.id } })).toEqual(['100%_done', 'a_b', 'alpha-1']);
    expect(await names({ outputSchemaId: { eq: o.schemaIn.id } })).toEqual(['Beta', 'beta\\x']);
  });

  it('compares timestamps to the millisecond the API shows', async () => {
    const t = byName['100%_done']!.createdAt;
    expect(await names({ createdAt: { gte: t } })).toEqual(expected((v) => v.createdAt >= t));
    expect(await names({ createdAt: { gt: t } })).toEqual(expected((v) => v.createdAt > t));
    expect(await names({ createdAt: { eq: t } })).toContain('100%_done');
    const shifted = new Date(Date.parse(t)).toISOString().replace('Z', '+00:00');
    expect(await names({ createdAt: { lte: shifted } })).toEqual(expected((v) => v.createdAt <= t));
  });
});

describe('NOT, AND, OR', () => {
  it('NOT is the exact complement, versions without a parent included', async () => {
    const parent = id('alpha-1');
    expect(await names({ NOT: { parentId: { eq: parent } } })).toEqual(expected((v) => v.parentId !== parent));
    expect(await names({ parentId: { neq: parent } })).toEqual(expected((v) => v.parentId !== parent));
    expect(await names({ parentId: { notIn: [parent] } })).toEqual(expected((v) => v.parentId !== parent));
    expect(await names({ NOT: { parentId: { gt: parent } } })).toEqual(expected((v) => !(v.parentId !== null && v.parentId > parent)));
    expect(await names({ NOT: { parent: { name: { eq: 'alpha-1' } } } })).toEqual(expected((v) => v.parentId !== parent));
  });

  it('splits the rows in two for every filter and its NOT', async () => {
    const filters = [
      { parentId: { lt: id('Beta') } },
      { name: { startsWith: 'b' } },
      { function: { description: { eq: 'second' } } },
      { parent: { name: { contains: 'a' } } },
      { OR: [{ parentId: { isNull: true } }, { name: { gt: 'b' } }] },
    ];
    for (const f of filters) {
      const yes = await names(f);
      const no = await names({ NOT: f });
      expect([...yes, ...no].sort(), JSON.stringify(f)).toEqual(expected(() => true));
    }
  });

  it('combines AND, OR and sibling keys', async () => {
    expect(await names({ OR: [{ name: { eq: 'Beta' } }, { name: { eq: 'a_b' } }] })).toEqual(['Beta', 'a_b']);
    expect(await names({ AND: [{ name: { startsWith: 'a' } }, { parentId: { isNull: false } }] })).toEqual(['a_b']);
    expect(await names({ name: { startsWith: 'a' }, parentId: { isNull: true } })).toEqual(['alpha-1']);
    expect(await names({ OR: [] })).toEqual([]);
    expect(await names({ AND: [] })).toEqual(expected(() => true));
    expect(await names({})).toEqual(expected(() => true));
  });
});

describe('relation traversal', () => {
  it('follows function to the parent function', async () => {
    expect(await names({ function: { name: { eq: 'alpha' } } })).toEqual(['100%_done', 'a_b', 'alpha-1']);
    expect(await names({ function: { source: { eq: 'openapi-op' } } })).toEqual(['Beta', 'beta\\x']);
    expect(await names({ function: { description: { isNull: true } } })).toEqual(['100%_done', 'a_b', 'alpha-1']);
    expect(await names({ function: { defaultVersionId: { eq: id('Beta') } } })).toEqual(['Beta', 'beta\\x']);
    expect(await names({ function: { system: { eq: false }, workspaceId: { eq: o.workspace.id } } })).toEqual(expected(() => true));
  });

  it('follows parent to the parent version, and on up', async () => {
    expect(await names({ parent: { name: { eq: 'alpha-1' } } })).toEqual(['100%_done']);
    expect(await names({ parent: { parent: { name: { eq: 'alpha-1' } } } })).toEqual(['a_b']);
    expect(await names({ parent: { function: { name: { eq: 'beta' } } } })).toEqual(['beta\\x']);
  });
});

describe('with the other list parameters', () => {
  it('ANDs the shorthands, ids and include_deleted with the filter', async () => {
    expect(await names({ name: { contains: 'a' } }, { parent_id: id('100%_done') })).toEqual(['a_b']);
    expect(await names({ name: { neq: 'x' } }, { output_schema_id: o.schemaIn.id })).toEqual(['Beta', 'beta\\x']);
    expect(await names({ name: { neq: 'x' } }, { input_schema_id: o.schemaIn.id })).toEqual(expected(() => true));
    expect(await names({ name: { startsWith: 'B' } }, { ids: `${id('Beta')},${id('a_b')}` })).toEqual(['Beta']);
    expect(await names({ name: { eq: 'gone' } })).toEqual([]);
    expect(await names({ name: { eq: 'gone' } }, { include_deleted: 'true' })).toEqual(['gone']);
    expect(await names({ deletedAt: { isNull: false } }, { include_deleted: 'true' })).toEqual(['gone']);
    expect(await names({}, { include_deleted: 'only' })).toEqual(['gone']);
  });
});

// Bad input: every refusal is a 400 in the /api envelope naming the problem.

/** GET the list with these raw query parameters; expect a 400 whose message names `mention`. */
async function refused(params: Record<string, unknown>, mention: string | RegExp) {
  const msg = expectError(await o.admin.get(`${V}?${q(params)}`), 400, 'VALIDATION_ERROR');
  expect(msg).toMatch(mention);
}

const nest = (depth: number): unknown => (depth === 1 ? { name: { eq: 'x' } } : { AND: [nest(depth - 1)] });

describe('limit', () => {
  it.each(['0', '101', 'abc', '1.5', '-1', '', '1e2'])('refuses limit=%j', async (limit) => {
    await refused({ limit }, 'limit');
  });
  it('refuses a repeated limit', async () => {
    expectError(await o.admin.get(`${V}?limit=1&limit=2`), 400, 'VALIDATION_ERROR');
  });
  it('accepts 1 and 100', async () => {
    ok(await o.admin.get(`${V}?limit=1`));
    ok(await o.admin.get(`${V}?limit=100`));
  });
});

describe('filter', () => {
  it.each([
    ['not JSON', '{name:', /not valid JSON/],
    ['a JSON array', '[]', /filter object/],
    ['a JSON string', '"x"', /filter object/],
    ['an unknown field', { color: { eq: 'x' } }, /unknown field 'color'/],
    ['an unknown field behind a relation', { function: { version: { eq: 'x' } } }, /filter\.function: unknown field 'version'/],
    ['an inherited property name', { constructor: { eq: 'x' } }, /unknown field 'constructor'/],
    ['__proto__', '{"__proto__":{"eq":"x"}}', /unknown field '__proto__'/],
    ['an unknown operator', { name: { like: 'x%' } }, /unknown operator 'like'/],
    ['an operator the field does not have', { parentId: { contains: 'x' } }, /does not apply/],
    ['a condition without operator', { name: {} }, /operators/],
    ['a value of the wrong type', { name: { eq: 1 } }, /expected a string/],
    ['an id of the wrong kind', { parentId: { eq: 'fun_01m834xrpwf25ttf4kgk3pkshg' } }, /funver_ id/],
    ['an impossible date', { createdAt: { gt: '2026-02-30T00:00:00Z' } }, /RFC 3339/],
    ['a date without zone', { createdAt: { gt: '2026-02-01T00:00:00' } }, /RFC 3339/],
    ['null as a value', { parentId: { eq: null } }, /isNull/],
    ['isNull with a string', { parentId: { isNull: 'yes' } }, /true or false/],
    ['a NUL character', { name: { contains: 'a\u0000' } }, /NUL/],
    ['in with a non-list', { name: { in: 'a' } }, /array/],
    ['AND with an object', { AND: { name: { eq: 'a' } } }, /array/],
    ['NOT with an array', { NOT: [] }, /filter object/],
    ['a list over 100 values', { name: { in: Array.from({ length: 101 }, (_, i) => `n${i}`) } }, /more than 100 values/],
    ['nesting deeper than 6', nest(7), /deeper than 6/],
    ['more than 50 conditions', { OR: Array.from({ length: 51 }, (_, i) => ({ name: { eq: `${i}` } })) }, /more than 50 conditions/],
    ['more than 4 KB', { name: { eq: 'x'.repeat(4100) } }, /longer than 4096 bytes/],
  ])('refuses %s', async (_label, filter, mention) => {
    await refused({ filter }, mention);
  });

  it('accepts the limits themselves', async () => {
    ok(await o.admin.get(`${V}?${q({ filter: nest(6) })}`));
    ok(await o.admin.get(`${V}?${q({ filter: { name: { in: Array.from({ length: 100 }, (_, i) => `n${i}`) } } })}`));
    ok(await o.admin.get(`${V}?${q({ filter: { OR: Array.from({ length: 50 }, (_, i) => ({ name: { eq: `${i}` } })) } })}`));
  });
});

describe('orderBy', () => {
  it.each([
    ['an unknown field', [{ color: 'asc' }], /cannot order by 'color'/],
    ['a field outside the order list', [{ deletedAt: 'asc' }], /cannot order by 'deletedAt'/],
    ['an unknown direction', [{ name: 'up' }], /unknown direction/],
    ['a direction of the wrong type', [{ name: 1 }], /unknown direction/],
    ['two keys in one element', [{ name: 'asc', id: 'desc' }], /exactly one field/],
    ['an empty element', [{}], /exactly one field/],
    ['a field twice', [{ name: 'asc' }, { name: 'desc' }], /appears twice/],
    ['a bare object', { name: 'asc' }, /JSON array/],
    ['a non-object element', ['name'], /object with one field/],
    ['not JSON', '[{name:asc}]', /not valid JSON/],
  ])('refuses %s', async (_label, orderBy, mention) => {
    await refused({ orderBy }, mention);
  });
});

describe('other parameters', () => {
  it('refuses include_deleted=maybe, after with before, and unknown parameters', async () => {
    await refused({ include_deleted: 'maybe' }, 'include_deleted');
    const cursor = ok(await o.admin.get(`${V}?limit=1`)).pageInfo.endCursor;
    await refused({ after: cursor, before: cursor }, /after and before/);
    await refused({ sort: 'name' }, /sort/);
  });

  it.each([
    ['function_id', 'fun_nope'],
    ['function_id', 'funver_01m834xrpwf25ttf4kgk3pkshg'],
    ['parent_id', 'x'],
    ['input_schema_id', 'sch_01m834xrpwf25ttf4kgk3pkshG'],
    ['output_schema_id', 'sch_81m834xrpwf25ttf4kgk3pkshg'],
    ['ids', 'funver_01m834xrpwf25ttf4kgk3pkshg,nope'],
    ['ids', ''],
  ])('refuses a malformed %s (%s)', async (name, value) => {
    await refused({ [name]: value }, name);
  });

  it('refuses more than 100 ids', async () => {
    const ids = Array.from({ length: 101 }, () => byName['alpha-1']!.id).join(',');
    await refused({ ids }, /more than 100/);
  });
});

describe('ids in paths and bodies', () => {
  it.each([
    ['GET', 'nope'],
    ['GET', 'fun_01m834xrpwf25ttf4kgk3pkshg'],
    ['PATCH', 'funver_'],
    ['DELETE', 'funver_0'],
    ['POST', 'x/fork'],
    ['DELETE', 'x/purge'],
    ['POST', 'x/restore'],
    ['POST', 'x/set-default'],
  ])('%s with id %s is a 400', async (method, path) => {
    const res = await o.admin.request({ method: method as 'GET', url: `${V}/${path}`, ...(method === 'PATCH' ? { payload: {} } : {}) });
    expectError(res, 400, 'VALIDATION_ERROR');
  });

  it('an unknown well-formed id is a 404 on every route', async () => {
    const unknown = 'funver_00000000000000000000000000';
    for (const [method, path] of [['GET', ''], ['PATCH', ''], ['DELETE', ''], ['POST', '/fork'], ['DELETE', '/purge'], ['POST', '/restore'], ['POST', '/set-default']] as const) {
      const res = await o.admin.request({ method, url: `${V}/${unknown}${path}`, ...(method === 'PATCH' ? { payload: {} } : {}) });
      expectError(res, 404, 'NOT_FOUND');
    }
  });

  it('bodies with malformed ids or unknown fields are 400', async () => {
    const base = { functionId: o.fn.id, inputSchemaId: o.schemaIn.id, outputSchemaId: o.schemaOut.id };
    expect(expectError(await o.admin.post(V, { ...base, functionId: 'fun_x' }), 400, 'VALIDATION_ERROR')).toContain('functionId');
    expect(expectError(await o.admin.post(V, { ...base, inputSchemaId: o.fn.id }), 400, 'VALIDATION_ERROR')).toContain('inputSchemaId');
    expect(expectError(await o.admin.post(V, { ...base, parentId: byName['alpha-1']!.id }), 400, 'VALIDATION_ERROR')).toContain('parentId');
    expectError(await o.admin.post(V, { ...base, files: Array.from({ length: 101 }, (_, i) => ({ path: `${i}`, content: '' })) }), 400, 'VALIDATION_ERROR');
    expectError(await o.admin.post(V, { ...base, name: '' }), 400, 'VALIDATION_ERROR');
    expect(expectError(await o.admin.patch(`${V}/${byName['alpha-1']!.id}`, { outputSchemaId: 'sch_' }), 400, 'VALIDATION_ERROR')).toContain('outputSchemaId');
    expectError(await o.admin.post(`${V}/${byName['alpha-1']!.id}/fork`, { name: 'x', parentId: null }), 400, 'VALIDATION_ERROR');
  });
});
