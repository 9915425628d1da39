import { expect } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import { caller, type Caller, newOrganization, type TestContext } from '../helpers/context.ts';

/** An organization with one workspace, two schemas and one function, made through the API. */
export async function orgWithFunction(ctx: TestContext) {
  const org = await newOrganization(ctx);
  const workspace = created(await org.admin.post('/api/workspaces', { name: 'main' }));
  const schemaIn = created(await org.admin.post('/api/schemas', { workspaceId: workspace.id, name: 'in', definition: { type: 'object' } }));
  const schemaOut = created(await org.admin.post('/api/schemas', { workspaceId: workspace.id, name: 'out', definition: { type: 'string' } }));
  const fn = created(await org.admin.post('/api/functions', { workspaceId: workspace.id, name: 'alpha' }));
  const newVersion = async (body: Record<string, unknown> = {}, as: Caller = org.admin) =>
    created(await as.post('/api/function-versions', { functionId: fn.id, inputSchemaId: schemaIn.id, outputSchemaId: schemaOut.id, ...body }));
  return { ...org, workspace, schemaIn, schemaOut, fn, newVersion };
}

/** A token of the organization with the given role and workspaces. */
export async function tokenFor(ctx: TestContext, organizationId: string, role: 'admin' | 'member', workspaceIds: string[] = []) {
  const root = caller(ctx.app, ctx.rootToken);
  const res = await root.post('/token', { OrganizationID: organizationId, Role: role, WorkspaceIDs: workspaceIds });
  expect(res.statusCode).toBe(200);
  return caller(ctx.app, res.json().Secret);
}

/** The body of a 201, failing the test with the answer otherwise. */
export function created(res: LightMyRequestResponse) {
  expect(res.statusCode, res.body).toBe(201);
  return res.json();
}

export function ok(res: LightMyRequestResponse) {
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
}

/** A 4xx in the /api envelope, never leaking SQL; returns the message. */
export function expectError(res: LightMyRequestResponse, status: number, code: string): string {
  expect(res.statusCode, res.body).toBe(status);
  const body = res.json();
  expect(Object.keys(body)).toEqual(['error']);
  expect(body.error.code).toBe(code);
  expect(typeof body.error.message).toBe('string');
  expect(body.error.message).not.toMatch(/\bselect\b|\bfrom "|syntax error|postgres|relation "/i);
  return body.error.message as string;
}

export const q = (params: Record<string, unknown>) =>
  new URLSearchParams(
    Object.entries(params).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]),
  ).toString();
