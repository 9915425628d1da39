import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, newOrganization, type TestContext } from '../helpers/context.ts';
import { db } from '../../src/domain/db.ts';
import { BODY_LIMIT } from '../../src/api/app.ts';

/** Bodies over 1 MiB are refused with 413 before they are parsed; nothing is written. */
let ctx: TestContext;
let org: Awaited<ReturnType<typeof newOrganization>>;
let spaceId: string;
beforeAll(async () => {
  ctx = await createTestContext();
  org = await newOrganization(ctx);
  spaceId = (await org.admin.post('/space', { Slug: 'limits' })).json().SpaceID;
});
afterAll(async () => ctx?.close());

/** A JSON object of exactly `size` bytes: {"DisplayName":"xxx..."}. */
const bodyOf = (size: number, field = 'DisplayName') => {
  const shell = JSON.stringify({ [field]: '' });
  return JSON.stringify({ [field]: 'x'.repeat(size - shell.length) });
};

const count = async (table: 'space' | 'invocation' | 'bulk_job') =>
  Number((await db(ctx.orm.em.fork()).selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);

describe('body size limit', () => {
  it('is 1 MiB', () => expect(BODY_LIMIT).toBe(1024 * 1024));

  const routes = () => [
    { method: 'POST' as const, url: '/space', type: 'application/json' },
    { method: 'PATCH' as const, url: `/space/${spaceId}`, type: 'application/merge-patch+json' },
    { method: 'POST' as const, url: `/space/${spaceId}/invocation`, type: 'application/json' },
    { method: 'PATCH' as const, url: `/invocation?where=${encodeURIComponent("Slug = 'x'")}`, type: 'application/merge-patch+json' },
    { method: 'POST' as const, url: '/api/workspaces', type: 'application/json' },
  ];

  it('answers 413 one byte over the limit, on every kind of body, and writes nothing', async () => {
    const before = [await count('space'), await count('invocation'), await count('bulk_job')];
    for (const r of routes()) {
      const payload = bodyOf(BODY_LIMIT + 1);
      expect(Buffer.byteLength(payload)).toBe(BODY_LIMIT + 1);
      const res = await org.admin.request({ method: r.method, url: r.url, payload, headers: { 'content-type': r.type } });
      expect(res.statusCode, `${r.method} ${r.url}`).toBe(413);
      expect(JSON.stringify(res.json())).toMatch(/larger than the limit of 1 MiB/);
    }
    expect([await count('space'), await count('invocation'), await count('bulk_job')]).toEqual(before);
  });

  it('reads a body of exactly the limit (refused by validation, not by size)', async () => {
    for (const r of routes()) {
      const res = await org.admin.request({ method: r.method, url: r.url, payload: bodyOf(BODY_LIMIT), headers: { 'content-type': r.type } });
      expect(res.statusCode, `${r.method} ${r.url}: ${res.body.slice(0, 200)}`).not.toBe(413);
      expect(res.statusCode).toBeLessThan(500);
    }
  });
});
