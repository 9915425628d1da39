import fc from 'fast-check';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext } from '../helpers/context.ts';
import { created, ok, orgWithFunction } from '../function-versions/fixtures.ts';
import { expression, mutate } from '../query/arbitraries.ts';
import { db } from '../../src/domain/db.ts';
import { DomainError } from '../../src/domain/errors.ts';
import type { Actor } from '../../src/domain/identity/actor.ts';
import { authenticate } from '../../src/domain/identity/tokens.ts';
import { listVersions } from '../../src/domain/functions/version-list.ts';
import { applyInvocationPatch, buildInvocationState, parseInvocationPatch } from '../../src/domain/invocations/index.ts';
import { resolveSelection } from '../../src/domain/query/selection.ts';
import { loneSurrogateAt } from '../../src/api/plugins/json-body.ts';
import { damagedCursor, mergePatchBody, orderByText, sqlLeaks, versionFilterText } from './arbitraries.ts';

/**
 * Thousands of generated inputs straight into the domain functions behind the routes, against
 * PostgreSQL: each call either succeeds or refuses with a 4xx DomainError whose message carries no
 * SQL error text; anything else (a driver error, a TypeError) fails the property. Most of the
 * fuzzing happens here; http-fuzz.test.ts sends a few hundred through the HTTP layer.
 */
let ctx: TestContext;
let actor: Actor;
let cursors: string[] = [];
let filterRef: string;
const tally: Record<string, { ok: number; refused: number }> = {};

beforeAll(async () => {
  ctx = await createTestContext();
  const o = await orgWithFunction(ctx);
  const v1 = await o.newVersion({ name: 'one' });
  created(await o.admin.post(`/api/function-versions/${v1.id}/fork`, { name: 'two' }));
  await o.newVersion({ name: 'three' });
  actor = (await authenticate(ctx.orm.em.fork(), o.admin.token))!;
  for (const orderBy of ['[{"name":"desc"}]', '[{"createdAt":"asc"}]', '[{"parentId":"asc_nulls_first"}]']) {
    const page = ok(await o.admin.get(`/api/function-versions?limit=1&orderBy=${encodeURIComponent(orderBy)}`));
    cursors.push(page.pageInfo.endCursor, page.pageInfo.startCursor);
  }
  cursors = cursors.filter(Boolean);
  const space = ok(await o.admin.post('/space', { Slug: 'fz' }));
  filterRef = ok(await o.admin.post(`/space/${space.SpaceID}/filter`, { Slug: 'fz-filter', From: 'Invocation', Where: "Slug LIKE 'a%'" })).FilterID;
});
afterAll(async () => {
  console.log(JSON.stringify({ fuzz: 'domain', tally }));
  await ctx?.close();
});

/** Runs one call: 'ok', or 'refused' for a clean 4xx; any other failure is thrown. */
async function outcome(kind: string, input: string, call: () => unknown): Promise<void> {
  const t = (tally[kind] ??= { ok: 0, refused: 0 });
  try {
    await call();
    t.ok++;
  } catch (e) {
    if (!(e instanceof DomainError)) throw e;
    expect([400, 403, 404, 409, 422]).toContain(e.status);
    expect(sqlLeaks(e.message, input)).toEqual([]);
    t.refused++;
  }
}

const RUNS = Number(process.env.FUZZ_RUNS ?? 1);
const runs = (n: number) => ({ numRuns: Math.round(n * RUNS) });
const em = () => ctx.orm.em.fork();

describe('fuzz: domain functions', () => {
  it('Function Versions filter', async () => {
    await fc.assert(fc.asyncProperty(versionFilterText, (filter) => outcome('filter', filter, () => listVersions(em(), actor, { filter, include_deleted: 'true' }))), runs(1200));
    expect(tally.filter!.ok).toBeGreaterThan(50);
    expect(tally.filter!.refused).toBeGreaterThan(50);
  });

  it('orderBy, alone and with a filter', async () => {
    const input = fc.tuple(orderByText, fc.option(versionFilterText, { freq: 3 }));
    await fc.assert(
      fc.asyncProperty(input, ([orderBy, filter]) =>
        outcome('orderBy', orderBy + (filter ?? ''), () => listVersions(em(), actor, { orderBy, ...(filter === null ? {} : { filter }) }))),
      runs(500),
    );
    expect(tally.orderBy!.ok).toBeGreaterThan(20);
  });

  it('cursors: damaged, foreign to the query, or made up', async () => {
    const input = fc.tuple(damagedCursor(cursors), fc.constantFrom('after', 'before'), fc.constantFrom(undefined, '[{"name":"desc"}]', '[{"createdAt":"asc"}]'));
    await fc.assert(
      fc.asyncProperty(input, ([cursor, dir, orderBy]) =>
        outcome('cursor', cursor, () => listVersions(em(), actor, { [dir]: cursor, limit: 1, ...(orderBy ? { orderBy } : {}) }))),
      runs(500),
    );
    expect(tally.cursor!.refused).toBeGreaterThan(400 * RUNS);
  });

  // Bodies holding lone surrogates never get this far: the JSON body parser refuses them (a 400,
  // tested through HTTP in http-fuzz.test.ts), so the domain is fuzzed with well-formed text.
  it('merge-patch bodies on an invocation', async () => {
    const base = buildInvocationState({ Slug: 'base', ToolchainType: 'Kubernetes/YAML', Labels: { a: 'b' }, DeleteGates: { g: true } });
    if (!base.ok) throw new Error(base.message);
    await fc.assert(
      fc.asyncProperty(mergePatchBody, (body) => {
        fc.pre(loneSurrogateAt(body) === null);
        return outcome('mergePatch', JSON.stringify(body) ?? '', () => {
          const result = applyInvocationPatch(base.state, parseInvocationPatch(body));
          // A per-entity failure is reported as a message, not thrown.
          if (!result.ok) expect(sqlLeaks(result.message, JSON.stringify(body) ?? '')).toEqual([]);
        });
      }),
      runs(3000),
    );
    expect(tally.mergePatch!.ok).toBeGreaterThan(300);
  });

  it('where, filter and contains resolved to a selection and run', async () => {
    const where = fc.option(fc.oneof(expression('Invocation'), mutate(expression('Invocation')), fc.string({ unit: 'binary', maxLength: 40 })), { freq: 4 });
    const filter = fc.option(fc.oneof(fc.constant(filterRef), fc.constant('fz-filter'), fc.uuid(), fc.string({ maxLength: 10 })), { freq: 2 });
    const contains = fc.option(fc.string({ unit: 'binary', maxLength: 20 }), { freq: 2 });
    await fc.assert(
      fc.asyncProperty(fc.tuple(where, filter, contains), ([w, f, c]) =>
        outcome('selection', `${w}${f}${c}`, async () => {
          const s = await resolveSelection(em(), actor, { entity: 'Invocation', alias: 'i', where: w ?? undefined, filter: f ?? undefined, contains: c ?? undefined });
          await sql`select count(*) from invocation i where ${s.condition}`.execute(db(em()));
        })),
      runs(700),
    );
    expect(tally.selection!.ok).toBeGreaterThan(100);
  });
});
