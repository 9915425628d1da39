import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { caller, createTestContext, type TestContext } from '../helpers/context.ts';
import { db } from '../../src/domain/db.ts';
import { insertToken } from '../../src/domain/identity/tokens.ts';
import { buildApp } from '../../src/api/app.ts';
import { sleep, until } from '../helpers/wait.ts';

/** RATE_LIMIT_PER_MINUTE per token, counted in Redis under the token's id. */
let ctx: TestContext;
const LIMIT = 5;
beforeAll(async () => {
  ctx = await createTestContext({ RATE_LIMIT_PER_MINUTE: String(LIMIT) });
});
afterAll(async () => ctx?.close());

// Organizations and tokens are made directly: through the API they would use up a token's limit.
async function newOrganization() {
  const id = randomUUID();
  await db(ctx.orm.em.fork()).insertInto('organization').values({ id, slug: `rl-${id.slice(0, 8)}`, display_name: 'rl' }).execute();
  return { organizationId: id };
}
const token = (organizationId: string) => insertToken(ctx.orm.em.fork(), organizationId, 'admin', []);

describe('rate limiting per token', () => {
  it('answers 429 with Retry-After once a token used its requests, bad ones included; other tokens go on', async () => {
    const org = await newOrganization();
    const t = await token(org.organizationId);
    const other = await token(org.organizationId);
    const as = caller(ctx.app, t.Secret);
    const statuses: number[] = [];
    statuses.push((await as.get('/space?limit=0')).statusCode); // a 400 counts too
    for (let i = 1; i < LIMIT; i++) statuses.push((await as.get('/space')).statusCode);
    expect(statuses).toEqual([400, 200, 200, 200, 200]);

    // Each limited answer says where the token stands in its window.
    const last = await caller(ctx.app, t.Secret).get('/space');
    expect(last.statusCode).toBe(429); // the sixth call
    expect(last.headers['x-ratelimit-limit']).toBe(String(LIMIT));
    expect(last.headers['x-ratelimit-remaining']).toBe('0');
    const limited = await as.get('/space');
    expect(limited.statusCode).toBe(429);
    const retryAfter = Number(limited.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(limited.json()).toEqual({ Code: '429', Message: expect.stringMatching(/rate limit of 5 requests per minute/) });
    // The Function Versions API answers in its own envelope.
    const api = await as.get('/api/workspaces/wsp_01h455vb4pex5vsknk084sn02q');
    expect(api.statusCode).toBe(429);
    expect(api.json().error.code).toBe('RATE_LIMITED');

    const fresh = await caller(ctx.app, other.Secret).get('/space');
    expect(fresh.statusCode).toBe(200);
    expect(fresh.headers['x-ratelimit-limit']).toBe(String(LIMIT));
    expect(fresh.headers['x-ratelimit-remaining']).toBe(String(LIMIT - 1));
    const reset = Number(fresh.headers['x-ratelimit-reset']);
    expect(reset).toBeGreaterThan(55);
    expect(reset).toBeLessThanOrEqual(60);
    expect(fresh.headers['retry-after']).toBeUndefined();
    // Health checks carry no token and are never limited.
    for (let i = 0; i < LIMIT * 2; i++) expect((await ctx.app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
  });

  it('keys the count by the token id in Redis, never by the secret', async () => {
    const org = await newOrganization();
    const t = await token(org.organizationId);
    await caller(ctx.app, t.Secret).get('/space');
    // Counts reach Redis with the next flush (every 100 ms).
    const keys = await until(() => ctx.redis.keys(`bulkops:rate:*${t.TokenID}*`), (k) => k.length > 0, 5000);
    expect(keys).toEqual([`bulkops:rate:token:${t.TokenID}`]);
    expect(Number(await ctx.redis.get(keys[0]!))).toBe(1);
    // The count lives for the one-minute window, then starts again.
    const ttl = await ctx.redis.pttl(keys[0]!);
    expect(ttl).toBeGreaterThan(50_000);
    expect(ttl).toBeLessThanOrEqual(60_000);
    expect(await ctx.redis.keys(`*${t.Secret}*`)).toEqual([]);
  });

  it('shares the count between API processes through Redis', async () => {
    const org = await newOrganization();
    const t = await token(org.organizationId);
    const second = await buildApp(ctx.deps);
    try {
      const [one, two] = [caller(ctx.app, t.Secret), caller(second, t.Secret)];
      for (let i = 0; i < 3; i++) expect((await one.get('/space')).statusCode).toBe(200);
      // The second process learns the first one's 3 calls at its next flush.
      await until(async () => Number(await ctx.redis.get(`bulkops:rate:token:${t.TokenID}`)), (n) => n === 3, 5000);
      expect((await two.get('/space')).statusCode).toBe(200); // its own first call: it learns 3 + 1
      await until(async () => Number(await ctx.redis.get(`bulkops:rate:token:${t.TokenID}`)), (n) => n === 4, 5000);
      await sleep(250); // both have flushed and read the shared total back
      expect((await two.get('/space')).statusCode).toBe(200); // the fifth call of the token
      expect((await two.get('/space')).statusCode).toBe(429);
      await sleep(250);
      expect((await one.get('/space')).statusCode).toBe(429);
    } finally {
      await second.close();
    }
  });

  it('does not count calls without a valid token (they are refused before)', async () => {
    for (let i = 0; i < LIMIT * 2; i++) {
      expect((await ctx.app.inject({ method: 'GET', url: '/space', headers: { authorization: 'Bearer not-a-real-token-at-all' } })).statusCode).toBe(401);
    }
  });
});
