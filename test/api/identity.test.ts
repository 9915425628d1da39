import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { db } from '../../src/domain/db.ts';
import { buildApp } from '../../src/api/app.ts';
import { createRedis } from '../../src/infra/redis.ts';
import { caller, createTestContext, newOrganization, type TestContext } from '../helpers/context.ts';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(async () => ctx?.close());

describe('health', () => {
  it('answers ok without a token when PostgreSQL and Redis answer', async () => {
    const res = await ctx.app.inject({ method: 'GET', url: '/healthz' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok' });
  });
});

describe('health when a service is down', () => {
  it('answers 503 naming what does not answer, and needs no token', async () => {
    const deadRedis = createRedis('redis://127.0.0.1:1');
    deadRedis.on('error', () => {});
    const app = await buildApp({ ...ctx.deps, redis: deadRedis });
    const res = await app.inject({ method: 'GET', url: '/healthz' });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toEqual({ status: 'unavailable', postgres: true, redis: false });
    await app.close();
    deadRedis.disconnect();
  });
});

describe('tokens and organizations', () => {
  it('refuses calls without a token or with a wrong one', async () => {
    const none = await ctx.app.inject({ method: 'POST', url: '/organization', payload: { Slug: 'x' } });
    expect(none.statusCode).toBe(401);
    expect(none.json()).toEqual({ Code: '401', Message: 'missing bearer token' });
    const wrong = await caller(ctx.app, 'bko_not-a-real-token-at-all').post('/organization', { Slug: 'x' });
    expect(wrong.statusCode).toBe(401);
  });

  it('lets the system admin create organizations and tokens; the secret works', async () => {
    const root = caller(ctx.app, ctx.rootToken);
    const org = await root.post('/organization', { Slug: 'acme', DisplayName: 'Acme' });
    expect(org.statusCode).toBe(200);
    expect(org.json()).toMatchObject({ Slug: 'acme', DisplayName: 'Acme' });
    expect(org.json().CreatedAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    const tok = await root.post('/token', { OrganizationID: org.json().OrganizationID, Role: 'admin' });
    expect(tok.statusCode).toBe(200);
    expect(tok.json()).toMatchObject({ Role: 'admin', OrganizationID: org.json().OrganizationID });
    const admin = caller(ctx.app, tok.json().Secret);
    const member = await admin.post('/token', { OrganizationID: org.json().OrganizationID, Role: 'member' });
    expect(member.statusCode).toBe(200);
  });

  it('stores only a hash of the secret', async () => {
    const rows = await db(ctx.orm.em.fork()).selectFrom('api_token').select('secret_hash').execute();
    expect(rows.map((r) => r.secret_hash)).not.toContain(ctx.rootToken);
    expect(rows.every((r) => /^[0-9a-f]{64}$/.test(r.secret_hash))).toBe(true);
  });

  it('answers 409 for a duplicate organization slug and 400 for a bad one', async () => {
    const root = caller(ctx.app, ctx.rootToken);
    await root.post('/organization', { Slug: 'dup' });
    expect((await root.post('/organization', { Slug: 'dup' })).statusCode).toBe(409);
    const bad = await root.post('/organization', { Slug: '-bad-' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().Message).toContain('Slug');
    const unknown = await root.post('/organization', { Slug: 'ok', Color: 'red' });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().Message).toContain("unknown field 'Color'");
  });

  it('does not let a member create tokens or organizations, nor an admin act for another org', async () => {
    const a = await newOrganization(ctx);
    const b = await newOrganization(ctx);
    expect((await a.member.post('/token', { OrganizationID: a.organizationId, Role: 'admin' })).statusCode).toBe(403);
    expect((await a.member.post('/organization', { Slug: 'evil' })).statusCode).toBe(403);
    expect((await a.admin.post('/organization', { Slug: 'evil' })).statusCode).toBe(403);
    expect((await a.admin.post('/token', { OrganizationID: b.organizationId, Role: 'admin' })).statusCode).toBe(403);
  });

  it('refuses malformed JSON, a wrong content type and an oversized body with 4xx envelopes', async () => {
    const h = { authorization: `Bearer ${ctx.rootToken}` };
    const malformed = await ctx.app.inject({ method: 'POST', url: '/organization', headers: { ...h, 'content-type': 'application/json' }, payload: '{"Slug":' });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json().Code).toBe('400');
    const xml = await ctx.app.inject({ method: 'POST', url: '/organization', headers: { ...h, 'content-type': 'application/xml' }, payload: '<a/>' });
    expect(xml.statusCode).toBe(415);
    const big = await ctx.app.inject({ method: 'POST', url: '/organization', headers: { ...h, 'content-type': 'application/json' }, payload: JSON.stringify({ Slug: 'x'.repeat(1024 * 1024 + 10) }) });
    expect(big.statusCode).toBe(413);
    expect(big.json().Code).toBe('413');
  });
});
