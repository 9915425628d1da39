import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { db } from '../../src/domain/db.ts';
import { createTestContext, type TestContext } from '../helpers/context.ts';
import { created, expectError, ok, orgWithFunction, q } from './fixtures.ts';

// Workspaces, schemas and functions, and every version call but the list (keyset, filter tests).

let ctx: TestContext;
let o: Awaited<ReturnType<typeof orgWithFunction>>;
beforeAll(async () => {
  ctx = await createTestContext();
  o = await orgWithFunction(ctx);
});
afterAll(async () => ctx?.close());

const V = '/api/function-versions';
const fileCount = async (versionTypeId: string) => {
  const { TypeID } = await import('typeid-js');
  const rows = await db(ctx.orm.em.fork()).selectFrom('function_file').select('id').where('version_id', '=', TypeID.fromString(versionTypeId).toUUID()).execute();
  return rows.length;
};

describe('create and read', () => {
  it('creates a version with files; the first version becomes the default', async () => {
    const fn = created(await o.admin.post('/api/functions', { workspaceId: o.workspace.id, name: 'fresh' }));
    expect(fn.defaultVersionId).toBeNull();
    const v = await o.newVersion({ functionId: fn.id, files: [{ path: 'main.py', content: 'print(1)' }, { path: 'lib/util.py', content: '' }] });
    expect(v).toMatchObject({ functionId: fn.id, name: 'v1', parentId: null, inputSchemaId: o.schemaIn.id, outputSchemaId: o.schemaOut.id, deletedAt: null });
    expect(v.id).toMatch(/^funver_[0-7][0-9a-hjkmnp-tv-z]{25}$/);
    expect(v.files.map((f: { path: string }) => f.path)).toEqual(['lib/util.py', 'main.py']);
    for (const f of v.files) expect(f.id).toMatch(/^funfil_[0-9a-z]{26}$/);
    expect(v.createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(ok(await o.admin.get(`/api/functions/${fn.id}`)).defaultVersionId).toBe(v.id);
    const second = await o.newVersion({ functionId: fn.id });
    expect(second.name).toBe('v2');
    expect(ok(await o.admin.get(`/api/functions/${fn.id}`)).defaultVersionId).toBe(v.id);
    expect(ok(await o.admin.get(`${V}/${v.id}`))).toEqual(v);
  });

  it('refuses duplicate file paths, unknown functions and schemas of another workspace', async () => {
    expectError(await o.admin.post(V, { functionId: o.fn.id, inputSchemaId: o.schemaIn.id, outputSchemaId: o.schemaOut.id, files: [{ path: 'a', content: '1' }, { path: 'a', content: '2' }] }), 400, 'VALIDATION_ERROR');
    const ws2 = created(await o.admin.post('/api/workspaces', { name: 'other' }));
    const foreignSchema = created(await o.admin.post('/api/schemas', { workspaceId: ws2.id, name: 's', definition: {} }));
    const msg = expectError(await o.admin.post(V, { functionId: o.fn.id, inputSchemaId: foreignSchema.id, outputSchemaId: o.schemaOut.id }), 404, 'NOT_FOUND');
    expect(msg).toContain('inputSchemaId');
    const unknownFn = o.fn.id.replace(/.$/, (c: string) => (c === '0' ? '1' : '0'));
    expectError(await o.admin.post(V, { functionId: unknownFn, inputSchemaId: o.schemaIn.id, outputSchemaId: o.schemaOut.id }), 404, 'NOT_FOUND');
    expect(ok(await o.admin.get(`${V}?${q({ function_id: o.fn.id, filter: { name: { eq: 'v-none' } } })}`)).pageInfo.total).toBe(0);
  });
});

describe('patch', () => {
  it('changes the given fields and updatedAt, and nothing for an empty patch', async () => {
    const v = await o.newVersion({ name: 'before' });
    const same = ok(await o.admin.patch(`${V}/${v.id}`, {}));
    expect(same).toEqual(v);
    const p = ok(await o.admin.patch(`${V}/${v.id}`, { name: 'after', outputSchemaId: o.schemaIn.id }));
    expect(p).toMatchObject({ id: v.id, name: 'after', outputSchemaId: o.schemaIn.id, inputSchemaId: o.schemaIn.id, createdAt: v.createdAt });
    expect(p.updatedAt > v.updatedAt).toBe(true);
    expect(ok(await o.admin.get(`${V}/${v.id}`)).name).toBe('after');
    expectError(await o.admin.patch(`${V}/${v.id}`, { functionId: o.fn.id }), 400, 'VALIDATION_ERROR');
  });
});

describe('soft delete, restore and purge', () => {
  it('hides a deleted version; deleting twice is 404; restore brings it back', async () => {
    const v = await o.newVersion();
    expect(ok(await o.admin.delete(`${V}/${v.id}`))).toEqual({ success: true });
    expectError(await o.admin.get(`${V}/${v.id}`), 404, 'NOT_FOUND');
    expect(ok(await o.admin.get(`${V}/${v.id}?include_deleted=true`)).deletedAt).not.toBeNull();
    const listed = ok(await o.admin.get(`${V}?${q({ function_id: o.fn.id, limit: '100' })}`)).data.map((x: { id: string }) => x.id);
    expect(listed).not.toContain(v.id);
    expectError(await o.admin.delete(`${V}/${v.id}`), 404, 'NOT_FOUND');
    expectError(await o.admin.patch(`${V}/${v.id}`, { name: 'x' }), 404, 'NOT_FOUND');
    expectError(await o.admin.post(`${V}/${v.id}/fork`), 404, 'NOT_FOUND');
    const restored = ok(await o.admin.post(`${V}/${v.id}/restore`));
    expect(restored).toMatchObject({ id: v.id, deletedAt: null });
    expectError(await o.admin.post(`${V}/${v.id}/restore`), 409, 'CONFLICT');
    ok(await o.admin.get(`${V}/${v.id}`));
  });

  it('purges only deleted versions, with their files; children lose their parent', async () => {
    const v = await o.newVersion({ files: [{ path: 'x.py', content: 'x' }] });
    const child = created(await o.admin.post(`${V}/${v.id}/fork`, { name: 'child' }));
    expectError(await o.admin.delete(`${V}/${v.id}/purge`), 409, 'CONFLICT');
    ok(await o.admin.delete(`${V}/${v.id}`));
    expect(await fileCount(v.id)).toBe(1);
    expect(ok(await o.admin.delete(`${V}/${v.id}/purge`))).toEqual({ success: true });
    expect(await fileCount(v.id)).toBe(0);
    expectError(await o.admin.get(`${V}/${v.id}?include_deleted=true`), 404, 'NOT_FOUND');
    expectError(await o.admin.delete(`${V}/${v.id}/purge`), 404, 'NOT_FOUND');
    expectError(await o.admin.post(`${V}/${v.id}/restore`), 404, 'NOT_FOUND');
    const after = ok(await o.admin.get(`${V}/${child.id}`));
    expect(after.parentId).toBeNull();
    expect(after.files).toHaveLength(1);
  });
});

describe('default version', () => {
  it('refuses to delete the default, and set-default on a deleted version', async () => {
    const fn = created(await o.admin.post('/api/functions', { workspaceId: o.workspace.id, name: 'defaults' }));
    const first = await o.newVersion({ functionId: fn.id });
    const second = await o.newVersion({ functionId: fn.id });
    expectError(await o.admin.delete(`${V}/${first.id}`), 409, 'CONFLICT');
    const changed = ok(await o.admin.post(`${V}/${second.id}/set-default`));
    expect(changed).toMatchObject({ id: fn.id, workspaceId: o.workspace.id, name: 'defaults', defaultVersionId: second.id, source: 'custom', system: false });
    expect(Object.keys(changed).sort()).toEqual(['createdAt', 'createdBy', 'defaultVersionId', 'deletedAt', 'description', 'id', 'name', 'retentionTier', 'runtimeUserId', 'source', 'system', 'updatedAt', 'workspaceId']);
    expectError(await o.admin.delete(`${V}/${second.id}`), 409, 'CONFLICT');
    ok(await o.admin.delete(`${V}/${first.id}`));
    expectError(await o.admin.post(`${V}/${first.id}/set-default`), 409, 'CONFLICT');
    expect(ok(await o.admin.post(`${V}/${second.id}/set-default`)).defaultVersionId).toBe(second.id);
    expect(ok(await o.admin.get(`/api/functions/${fn.id}`)).defaultVersionId).toBe(second.id);
  });

  it('never leaves a deleted default when set-default and delete race', async () => {
    const fn = created(await o.admin.post('/api/functions', { workspaceId: o.workspace.id, name: 'race' }));
    const keep = await o.newVersion({ functionId: fn.id });
    for (let i = 0; i < 8; i++) {
      const v = await o.newVersion({ functionId: fn.id });
      const [setDefault, del] = await Promise.all([o.admin.post(`${V}/${v.id}/set-default`), o.admin.delete(`${V}/${v.id}`)]);
      // Exactly one wins: either v became the default (and the delete is refused) or v is deleted first.
      expect([setDefault.statusCode, del.statusCode].sort()).toEqual([200, 409]);
      const current = ok(await o.admin.get(`/api/functions/${fn.id}`)).defaultVersionId;
      ok(await o.admin.get(`${V}/${current}`));
      ok(await o.admin.post(`${V}/${keep.id}/set-default`));
    }
  });
});

describe('fork', () => {
  it('makes a child of the same function with the schemas and copies of the files', async () => {
    const src = await o.newVersion({ name: 'source', files: [{ path: 'a.txt', content: 'A' }, { path: 'b.txt', content: 'B' }] });
    const fork = created(await o.admin.post(`${V}/${src.id}/fork`));
    expect(fork).toMatchObject({ functionId: src.functionId, parentId: src.id, name: 'source (fork)', inputSchemaId: src.inputSchemaId, outputSchemaId: src.outputSchemaId });
    expect(fork.id).not.toBe(src.id);
    const strip = (fs: { id: string; path: string; content: string }[]) => fs.map(({ path, content }) => ({ path, content }));
    expect(strip(fork.files)).toEqual(strip(src.files));
    const srcIds = new Set(src.files.map((f: { id: string }) => f.id));
    for (const f of fork.files) expect(srcIds.has(f.id)).toBe(false);
    const named = created(await o.admin.post(`${V}/${fork.id}/fork`, { name: 'grandchild' }));
    expect(named).toMatchObject({ name: 'grandchild', parentId: fork.id });
    // The copies are the fork's own: purging the source leaves them.
    ok(await o.admin.delete(`${V}/${src.id}`));
    ok(await o.admin.delete(`${V}/${src.id}/purge`));
    expect(ok(await o.admin.get(`${V}/${fork.id}`)).files).toHaveLength(2);
  });

  it('derives a fork name that fits the name limit', async () => {
    const long = await o.newVersion({ name: 'n'.repeat(256) });
    const fork = created(await o.admin.post(`${V}/${long.id}/fork`, {}));
    expect(fork.name).toHaveLength(256);
    expect(fork.name.endsWith(' (fork)')).toBe(true);
  });
});

describe('workspaces', () => {
  it('are created by organization admins and read back', async () => {
    const ws = created(await o.admin.post('/api/workspaces', { name: 'Team A' }));
    expect(Object.keys(ws).sort()).toEqual(['createdAt', 'id', 'name', 'updatedAt']);
    expect(ws.id).toMatch(/^wsp_[0-7][0-9a-z]{25}$/);
    expect(ok(await o.admin.get(`/api/workspaces/${ws.id}`))).toEqual(ws);
    expectError(await o.member.post('/api/workspaces', { name: 'x' }), 403, 'FORBIDDEN');
    expectError(await o.admin.post('/api/workspaces', { name: '' }), 400, 'VALIDATION_ERROR');
    expectError(await o.admin.post('/api/workspaces', { name: 'a\u0000b' }), 400, 'VALIDATION_ERROR');
    expectError(await o.admin.post('/api/workspaces', { name: 'x', color: 'red' }), 400, 'VALIDATION_ERROR');
    expectError(await o.admin.get('/api/workspaces/wsp_nope'), 400, 'VALIDATION_ERROR');
    expectError(await o.admin.get(`/api/workspaces/${ws.id.replace('wsp_', 'sch_')}`), 400, 'VALIDATION_ERROR');
    expectError(await o.admin.get('/api/workspaces/wsp_00000000000000000000000000'), 404, 'NOT_FOUND');
  });
});

describe('schemas', () => {
  it('keep a JSON Schema definition', async () => {
    const definition = { type: 'object', properties: { n: { type: 'integer', minimum: 0 } }, required: ['n'] };
    const s = created(await o.admin.post('/api/schemas', { workspaceId: o.workspace.id, name: 'input', definition }));
    expect(s).toMatchObject({ workspaceId: o.workspace.id, name: 'input', definition });
    expect(s.id).toMatch(/^sch_/);
    expect(ok(await o.admin.get(`/api/schemas/${s.id}`))).toEqual(s);
    const draft7 = { $schema: 'http://json-schema.org/draft-07/schema#', type: 'string' };
    created(await o.admin.post('/api/schemas', { workspaceId: o.workspace.id, name: 'd7', definition: draft7 }));
  });

  it('refuse what is not a JSON Schema object', async () => {
    const bad = async (definition: unknown) =>
      expectError(await o.admin.post('/api/schemas', { workspaceId: o.workspace.id, name: 'x', definition }), 400, 'VALIDATION_ERROR');
    expect(await bad({ type: 'strnig' })).toContain('definition');
    await bad([{ type: 'string' }]);
    await bad('{"type":"string"}');
    await bad({ $schema: 'https://example.com/my-meta' });
    await bad({ description: 'nul \u0000 inside' });
    expectError(await o.admin.post('/api/schemas', { workspaceId: 'wsp_bad', name: 'x', definition: {} }), 400, 'VALIDATION_ERROR');
  });
});

describe('functions', () => {
  it('are created with defaults and read back', async () => {
    const fn = created(await o.admin.post('/api/functions', { workspaceId: o.workspace.id, name: 'alpha' }));
    expect(fn).toMatchObject({ workspaceId: o.workspace.id, name: 'alpha', description: null, defaultVersionId: null, source: 'custom', system: false, runtimeUserId: null, deletedAt: null, retentionTier: null });
    expect(fn.id).toMatch(/^fun_/);
    expect(ok(await o.admin.get(`/api/functions/${fn.id}`))).toEqual(fn);
    const full = created(await o.admin.post('/api/functions', { workspaceId: o.workspace.id, name: 'beta', description: 'd', source: 'openapi-op', retentionTier: { days: 30 } }));
    expect(full).toMatchObject({ description: 'd', source: 'openapi-op', retentionTier: { days: 30 } });
  });

  it('refuse a bad source, workspace or body', async () => {
    expectError(await o.admin.post('/api/functions', { workspaceId: o.workspace.id, name: 'x', source: 'other' }), 400, 'VALIDATION_ERROR');
    expectError(await o.admin.post('/api/functions', { workspaceId: 'wsp_00000000000000000000000000', name: 'x' }), 404, 'NOT_FOUND');
    expectError(await o.admin.post('/api/functions', { workspaceId: o.workspace.id, name: 'x'.repeat(257) }), 400, 'VALIDATION_ERROR');
    expectError(await o.admin.post('/api/functions', { workspaceId: o.workspace.id, name: 'x', retentionTier: 'a\u0000' }), 400, 'VALIDATION_ERROR');
    expectError(await o.admin.get('/api/functions/fun_'), 400, 'VALIDATION_ERROR');
  });
});
