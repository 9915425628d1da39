import fc from 'fast-check';
import { sql } from 'kysely';
import type { InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext } from '../helpers/context.ts';
import { created, ok, orgWithFunction } from '../function-versions/fixtures.ts';
import { seedInvocations } from '../helpers/seed.ts';
import { expression, mutate } from '../query/arbitraries.ts';
import { registeredRoutes } from '../security/routes.ts';
import { db } from '../../src/domain/db.ts';
import { damagedCursor, mergePatchBody, orderByText, pathId, pct, sqlLeaks, validOrderByText, versionFilter, versionFilterText } from './arbitraries.ts';

/**
 * A few hundred generated requests through the whole HTTP stack (app.inject): the where language
 * on the list and bulk endpoints, the Function Versions filter, orderBy and cursors, merge-patch
 * bodies and path ids on every route with parameters. No answer is a 500 or carries SQL error
 * text; refused requests change nothing (a digest of every table is compared before and after,
 * and the one entity the patch fuzzing may change is checked request by request).
 */
let ctx: TestContext;
let o: Awaited<ReturnType<typeof orgWithFunction>>;
let spaceId: string;
let targetId: string;
let cursors: string[] = [];
const tally: Record<string, Record<number, number>> = {};
let accepted202 = 0;

beforeAll(async () => {
  ctx = await createTestContext();
  o = await orgWithFunction(ctx);
  const v1 = await o.newVersion({ name: 'one' });
  created(await o.admin.post(`/api/function-versions/${v1.id}/fork`, { name: 'two' }));
  for (const orderBy of ['[{"name":"desc"}]', '[{"createdAt":"asc"}]']) {
    const page = ok(await o.admin.get(`/api/function-versions?limit=1&orderBy=${encodeURIComponent(orderBy)}`));
    cursors.push(page.pageInfo.endCursor);
  }
  cursors = cursors.filter(Boolean);
  spaceId = ok(await o.admin.post('/space', { Slug: 'fuzz', Labels: { env: 'prod' } })).SpaceID;
  await seedInvocations(ctx.orm, o.organizationId, spaceId, 30, { prefix: 'fz', labels: { team: 'a' } });
  targetId = ok(await o.admin.post(`/space/${spaceId}/invocation`, { Slug: 'target', ToolchainType: 'Kubernetes/YAML', Labels: { k: 'v' } })).InvocationID;
});
afterAll(async () => {
  console.log(JSON.stringify({ fuzz: 'http', statusesByKind: tally, bulkJobsAccepted: accepted202 }));
  await ctx?.close();
});

/** A digest of every table's rows, bulk jobs apart (accepted bulk calls add those) and the patch target. */
async function digest(): Promise<string> {
  const tables = await sql<{ t: string }>`
    select table_name as t from information_schema.tables
     where table_schema = 'public' and table_type = 'BASE TABLE'
       and table_name not in ('bulk_job', 'bulk_item', 'mikro_orm_migrations') order by 1`.execute(db(ctx.orm.em.fork()));
  const parts: string[] = [];
  for (const { t } of tables.rows) {
    const r = await sql<{ d: string | null }>`
      select md5(string_agg(x::text, '|' order by x::text)) as d from ${sql.table(t)} x
       where ${t === 'invocation' ? sql`x.id <> ${targetId}::uuid` : sql`true`}`.execute(db(ctx.orm.em.fork()));
    parts.push(`${t}:${r.rows[0]!.d}`);
  }
  return parts.join(',');
}
const jobCount = async () => Number((await db(ctx.orm.em.fork()).selectFrom('bulk_job').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);

/** Sends one request and checks the answer: no 5xx, no SQL error text that the request did not carry. */
async function send(kind: string, opts: InjectOptions) {
  const res = await o.admin.request(opts);
  const counts = (tally[kind] ??= {});
  counts[res.statusCode] = (counts[res.statusCode] ?? 0) + 1;
  const label = `${opts.method} ${opts.url} ${String(opts.payload ?? '').slice(0, 200)} -> ${res.statusCode} ${res.body.slice(0, 300)}`;
  expect(res.statusCode, label).toBeLessThan(500);
  expect(sqlLeaks(res.body, `${opts.url} ${opts.payload ?? ''}`), label).toEqual([]);
  if (res.statusCode === 202) accepted202++;
  return res;
}

const RUNS = Number(process.env.FUZZ_RUNS ?? 1);
const runs = (n: number) => ({ numRuns: Math.round(n * RUNS) });
const whereText = fc.oneof(expression('Invocation'), mutate(expression('Invocation')), fc.string({ unit: 'binary', maxLength: 40 }));

describe('fuzz: through HTTP', () => {
  let before: string;
  let jobsBefore: number;
  beforeAll(async () => {
    before = await digest();
    jobsBefore = await jobCount();
  });

  it('where on the list endpoints', async () => {
    const path = fc.constantFrom('/invocation', `/space/${spaceId}/invocation`, '/space');
    const input = fc.tuple(path, whereText, fc.option(fc.string({ unit: 'binary', maxLength: 10 }), { freq: 4 }));
    await fc.assert(
      fc.asyncProperty(input, async ([p, where, contains]) => {
        const qs = `where=${pct(where)}${contains === null ? '' : `&contains=${pct(contains)}`}`;
        await send('list-where', { method: 'GET', url: `${p}?${qs}` });
      }),
      runs(200),
    );
    expect(tally['list-where']![200]).toBeGreaterThan(20);
  });

  it('where on the bulk endpoints', async () => {
    const method = fc.constantFrom('PATCH', 'POST', 'DELETE') as fc.Arbitrary<'PATCH' | 'POST' | 'DELETE'>;
    const input = fc.tuple(method, whereText, fc.option(whereText, { freq: 5 }), mergePatchBody);
    await fc.assert(
      fc.asyncProperty(input, async ([m, where, whereSpace, body]) => {
        const extra = m === 'POST' && whereSpace !== null ? `&where_space=${pct(whereSpace)}` : '';
        const payload = m === 'DELETE' ? {} : { payload: JSON.stringify(m === 'POST' ? null : body), headers: { 'content-type': 'application/json', prefer: 'respond-async' } };
        await send('bulk-where', { method: m, url: `/invocation?where=${pct(where)}${extra}`, headers: { prefer: 'respond-async' }, ...payload });
      }),
      runs(150),
    );
  });

  it('Function Versions filter, orderBy and cursors', async () => {
    // Hostile requests mostly stop at a parser; well-formed ones reach SQL, where a typed
    // filter, a multi-key order and a limit meet real rows.
    const hostile = fc.record({
      filter: fc.option(versionFilterText, { freq: 2 }),
      orderBy: fc.option(orderByText, { freq: 3 }),
      after: fc.option(damagedCursor(cursors), { freq: 3 }),
      limit: fc.option(fc.oneof(fc.integer({ min: -5, max: 200 }).map(String), fc.string({ maxLength: 4 })), { freq: 4 }),
    });
    const wellFormed = fc.record({
      filter: fc.option(versionFilter.map((f) => JSON.stringify(f)), { freq: 2 }),
      orderBy: fc.option(validOrderByText, { freq: 3 }),
      after: fc.constant(null),
      limit: fc.option(fc.integer({ min: 1, max: 100 }).map(String), { freq: 2 }),
    });
    const input = fc.oneof(hostile, wellFormed);
    await fc.assert(
      fc.asyncProperty(input, async (q) => {
        const qs = Object.entries(q).filter(([, v]) => v !== null).map(([k, v]) => `${k}=${pct(v!)}`).join('&');
        await send('versions-list', { method: 'GET', url: `/api/function-versions?${qs}` });
      }),
      runs(200),
    );
    expect(tally['versions-list']![200]).toBeGreaterThan(40);
  });

  it('path ids on every route with parameters', async () => {
    const routes = registeredRoutes(ctx.app).filter((r) => r.url.includes(':') && r.method !== 'HEAD');
    expect(routes.length).toBeGreaterThan(20);
    const input = fc.tuple(fc.constantFrom(...routes), fc.array(pathId, { minLength: 3, maxLength: 3 }), fc.constantFrom(spaceId, undefined));
    await fc.assert(
      fc.asyncProperty(input, async ([route, segs, realSpace]) => {
        let i = 0;
        // Sometimes a real space with a made-up second id, to get past the first lookup.
        const url = route.url.replace(/:([a-z_]+)/g, (_, name: string) => (name === 'space_id' && realSpace ? realSpace : segs[i++ % 3]!));
        const body = ['POST', 'PATCH', 'PUT'].includes(route.method) ? { payload: '{}', headers: { 'content-type': 'application/json' } } : {};
        await send('path-ids', { method: route.method as InjectOptions['method'], url, ...body });
      }),
      runs(250),
    );
  });

  it('refuses a lone surrogate anywhere in a JSON body with a 400 naming where it is', async () => {
    const inv = `/space/${spaceId}/invocation/${targetId}`;
    const cases: Array<[InjectOptions['method'], string, string, string]> = [
      ['PATCH', inv, '{"FunctionName":"\\ud800"}', 'FunctionName'],
      ['PATCH', inv, '{"Labels":{"k":"a\\udc00b"}}', 'Labels.k'],
      ['PATCH', inv, '{"Labels":{"\\ud83d":"v"}}', 'the key'],
      ['POST', `/space/${spaceId}/invocation`, '{"Slug":"s1","ToolchainType":"Kubernetes/YAML","Arguments":[{"Name":"a","Value":"\\ud800"}]}', 'Arguments[0].Value'],
      ['PATCH', `/invocation?where=${pct("Slug = 'fz-1'")}`, '{"DisplayName":"\\ud800"}', 'DisplayName'],
      ['POST', '/api/workspaces', '{"name":"\\udc00x"}', 'name'],
      ['POST', '/space', '"\\ud800"', 'the body'],
    ];
    for (const [method, url, payload, where] of cases) {
      for (const type of ['application/json', 'application/merge-patch+json']) {
        const res = await send('lone-surrogate', { method, url, payload, headers: { 'content-type': type, prefer: 'respond-async' } });
        if (res.statusCode === 415) continue; // that route takes the other type
        expect(res.statusCode, `${method} ${url} ${payload}`).toBe(400);
        expect(res.body).toContain(where);
        expect(res.body).toMatch(/not well-formed Unicode/);
      }
    }
  });

  it('left every table as it was; accepted bulk calls added only their job rows', async () => {
    expect(await digest()).toBe(before);
    expect(await jobCount()).toBe(jobsBefore + accepted202);
  });

  it('merge-patch bodies on one invocation: a refused patch changes nothing', async () => {
    const url = `/space/${spaceId}/invocation/${targetId}`;
    const row = async () =>
      (await sql<{ r: string; version: number }>`select i::text as r, version from invocation i where id = ${targetId}`.execute(db(ctx.orm.em.fork()))).rows[0]!;
    const type = fc.oneof(
      { weight: 4, arbitrary: fc.constant('application/merge-patch+json') },
      { weight: 1, arbitrary: fc.constantFrom('application/json', 'text/plain', 'application/xml') },
    );
    // Besides hostile bodies, patches a user would send, so that accepted writes are exercised too.
    const plain = fc.stringMatching(/^[a-z][a-z0-9-]{0,15}$/);
    const userPatch = fc.record(
      { DisplayName: fc.oneof(plain, fc.constant(null)), Labels: fc.dictionary(plain, fc.oneof(plain, fc.constant(null)), { maxKeys: 3 }), Annotations: fc.dictionary(plain, plain, { maxKeys: 2 }) },
      { requiredKeys: [] },
    );
    const raw = fc.oneof(
      { weight: 6, arbitrary: mergePatchBody.map((b) => JSON.stringify(b)) },
      { weight: 3, arbitrary: userPatch.map((b) => JSON.stringify(b)) },
      { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 30 }) },
    );
    await fc.assert(
      fc.asyncProperty(raw, type, async (payload, contentType) => {
        const before = await row();
        const res = await send('merge-patch', { method: 'PATCH', url, payload, headers: { 'content-type': contentType } });
        const after = await row();
        if (res.statusCode !== 200) expect(after.r, `${payload} -> ${res.statusCode}`).toBe(before.r);
        else expect(res.json().Version).toBe(after.version); // what was answered is what was stored
      }),
      runs(200),
    );
    expect(tally['merge-patch']![200]).toBeGreaterThan(30);
  });
});
