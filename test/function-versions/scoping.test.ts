import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { caller, createTestContext, type Caller, type TestContext } from '../helpers/context.ts';
import { created, expectError, ok, orgWithFunction, q, tokenFor } from './fixtures.ts';

const V = '/api/function-versions';
let ctx: TestContext;
let a: Awaited<ReturnType<typeof orgWithFunction>>;
let b: Awaited<ReturnType<typeof orgWithFunction>>;
let ws2: { id: string };
let fn2: { id: string };
let v1: { id: string };
let v2: { id: string };
let vb: { id: string };
let member: Caller;

beforeAll(async () => {
  ctx = await createTestContext();
  a = await orgWithFunction(ctx);
  b = await orgWithFunction(ctx);
  ws2 = created(await a.admin.post('/api/workspaces', { name: 'second' }));
  const s = created(await a.admin.post('/api/schemas', { workspaceId: ws2.id, name: 's', definition: {} }));
  fn2 = created(await a.admin.post('/api/functions', { workspaceId: ws2.id, name: 'two' }));
  v1 = await a.newVersion({ name: 'one' });
  v2 = created(await a.admin.post(V, { functionId: fn2.id, name: 'two', inputSchemaId: s.id, outputSchemaId: s.id }));
  vb = await b.newVersion({ name: 'b' });
  member = await tokenFor(ctx, a.organizationId, 'member', [a.workspace.id]);
});
afterAll(async () => ctx?.close());

const listIds = async (as: Caller, params: Record<string, unknown>) =>
  ok(await as.get(`${V}?${q(params)}`)).data.map((v: { id: string }) => v.id).sort();

describe('admins', () => {
  it('see every version of their organization and none of another', async () => {
    expect(await listIds(a.admin, {})).toEqual([v1.id, v2.id].sort());
    expect(await listIds(b.admin, {})).toEqual([vb.id]);
    expect(await listIds(a.admin, { function_id: fn2.id })).toEqual([v2.id]);
    expect(await listIds(a.admin, { ids: `${v1.id},${vb.id}` })).toEqual([v1.id]);
    expect(await listIds(a.admin, { filter: { id: { eq: vb.id } } })).toEqual([]);
    expectError(await a.admin.get(`${V}/${vb.id}`), 404, 'NOT_FOUND');
    expectError(await a.admin.get(`${V}?${q({ function_id: b.fn.id })}`), 404, 'NOT_FOUND');
    expectError(await a.admin.post(`${V}/${vb.id}/fork`), 404, 'NOT_FOUND');
    expectError(await a.admin.delete(`${V}/${vb.id}`), 404, 'NOT_FOUND');
    expectError(await a.admin.get(`/api/functions/${b.fn.id}`), 404, 'NOT_FOUND');
    expectError(await a.admin.get(`/api/schemas/${b.schemaIn.id}`), 404, 'NOT_FOUND');
    expectError(await a.admin.get(`/api/workspaces/${b.workspace.id}`), 404, 'NOT_FOUND');
  });

  it('a system admin is scoped to its own organization too', async () => {
    const root = caller(ctx.app, ctx.rootToken);
    expect(ok(await root.get(V)).pageInfo.total).toBe(0);
    expectError(await root.get(`${V}/${v1.id}`), 404, 'NOT_FOUND');
  });
});

describe('members', () => {
  it('must name a function, one of their workspaces', async () => {
    const msg = expectError(await member.get(V), 400, 'VALIDATION_ERROR');
    expect(msg).toContain('function_id');
    expect(await listIds(member, { function_id: a.fn.id })).toEqual([v1.id]);
    expectError(await member.get(`${V}?${q({ function_id: fn2.id })}`), 403, 'FORBIDDEN');
    expectError(await member.get(`${V}?${q({ function_id: b.fn.id })}`), 404, 'NOT_FOUND');
    const none = await tokenFor(ctx, a.organizationId, 'member');
    expectError(await none.get(`${V}?${q({ function_id: a.fn.id })}`), 403, 'FORBIDDEN');
  });

  it('cannot widen their view with ids or filter', async () => {
    expect(await listIds(member, { function_id: a.fn.id, ids: `${v1.id},${v2.id}` })).toEqual([v1.id]);
    expect(await listIds(member, { function_id: a.fn.id, filter: { OR: [{ functionId: { eq: fn2.id } }, { id: { eq: v2.id } }] } })).toEqual([]);
    expect(await listIds(member, { function_id: a.fn.id, filter: { NOT: { id: { eq: v1.id } } } })).toEqual([]);
  });

  it('reach single versions, functions and schemas of their workspaces only', async () => {
    ok(await member.get(`${V}/${v1.id}`));
    expectError(await member.get(`${V}/${v2.id}`), 403, 'FORBIDDEN');
    expectError(await member.patch(`${V}/${v2.id}`, { name: 'x' }), 403, 'FORBIDDEN');
    expectError(await member.post(`${V}/${v2.id}/fork`), 403, 'FORBIDDEN');
    expectError(await member.post(`${V}/${v2.id}/set-default`), 403, 'FORBIDDEN');
    expectError(await member.delete(`${V}/${v2.id}`), 403, 'FORBIDDEN');
    expectError(await member.get(`/api/functions/${fn2.id}`), 403, 'FORBIDDEN');
    expectError(await member.get(`/api/workspaces/${ws2.id}`), 403, 'FORBIDDEN');
    ok(await member.get(`/api/functions/${a.fn.id}`));
    ok(await member.get(`/api/workspaces/${a.workspace.id}`));
    expectError(await member.post('/api/functions', { workspaceId: ws2.id, name: 'x' }), 403, 'FORBIDDEN');
    expectError(await member.post(V, { functionId: fn2.id, inputSchemaId: a.schemaIn.id, outputSchemaId: a.schemaIn.id }), 403, 'FORBIDDEN');
    created(await member.post(V, { functionId: a.fn.id, inputSchemaId: a.schemaIn.id, outputSchemaId: a.schemaOut.id }));
    created(await member.post('/api/schemas', { workspaceId: a.workspace.id, name: 'mine', definition: {} }));
  });

  it('cannot create workspaces; a workspace id of another organization gives nothing', async () => {
    expectError(await member.post('/api/workspaces', { name: 'x' }), 403, 'FORBIDDEN');
    const stray = await tokenFor(ctx, a.organizationId, 'member', [b.workspace.id]);
    expectError(await stray.get(`${V}?${q({ function_id: b.fn.id })}`), 404, 'NOT_FOUND');
    expectError(await stray.get(`/api/workspaces/${b.workspace.id}`), 404, 'NOT_FOUND');
  });
});

describe('authentication', () => {
  it('answers 401 in the /api envelope without a valid token', async () => {
    const none = await ctx.app.inject({ method: 'GET', url: V });
    expectError(none, 401, 'UNAUTHORIZED');
    expectError(await caller(ctx.app, 'bko_definitely-not-a-token').get(`${V}/${v1.id}`), 401, 'UNAUTHORIZED');
  });
});
