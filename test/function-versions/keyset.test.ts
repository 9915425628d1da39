import { createHmac } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { db } from '../../src/domain/db.ts';
import { createTestContext, type Caller, type TestContext } from '../helpers/context.ts';
import { created, expectError, ok, orgWithFunction, q } from './fixtures.ts';
import {
  type ApiVersion,
  comparator,
  DIRECTIONS,
  FIELDS,
  insertTiedVersions,
  insertVersion,
  type Order,
  type Pools,
} from './ordering.ts';

let ctx: TestContext;
let admin: Caller;
let pools: Pools;
let rows: ApiVersion[];
const ROWS = 18;

beforeAll(async () => {
  ctx = await createTestContext();
  const o = await orgWithFunction(ctx);
  admin = o.admin;
  const fn2 = created(await admin.post('/api/functions', { workspaceId: o.workspace.id, name: 'beta' }));
  const sch3 = created(await admin.post('/api/schemas', { workspaceId: o.workspace.id, name: 'third', definition: {} }));
  pools = { organizationId: o.organizationId, functionIds: [o.fn.id, fn2.id], schemaIds: [o.schemaIn.id, o.schemaOut.id, sch3.id] };
  rows = await insertTiedVersions(ctx, pools, ROWS, 7);
  // A soft-deleted version, which no walk may show.
  await insertVersion(ctx, pools.organizationId, { ...rows[0]!, name: 'deleted', parentId: null, createdAt: new Date(), updatedAt: new Date(), deleted: true });
});
afterAll(async () => ctx?.close());

type Page = { data: ApiVersion[]; pageInfo: { total: number; hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null } };

async function page(params: Record<string, unknown>, as = admin): Promise<Page> {
  return ok(await as.get(`/api/function-versions?${q(params)}`));
}

/** Follows endCursor to the end; checks every page's pageInfo on the way. */
async function walkForward(order: Order, limit: number, extra: Record<string, unknown> = {}) {
  const seen: ApiVersion[] = [];
  let cursor: string | null = null;
  for (let guard = 0; guard < 100; guard++) {
    const p = await page({ orderBy: order, limit: String(limit), ...extra, ...(cursor ? { after: cursor } : {}) });
    seen.push(...p.data);
    expect(p.pageInfo.total).toBe(rows.length);
    expect(p.pageInfo.hasPreviousPage).toBe(cursor !== null);
    expect(p.pageInfo.hasNextPage).toBe(seen.length < rows.length);
    if (!p.pageInfo.hasNextPage) return { seen, last: p };
    cursor = p.pageInfo.endCursor;
  }
  throw new Error('walk did not end');
}

/** From the last row's cursor, follows startCursor back to the beginning. */
async function walkBackward(order: Order, limit: number, fromCursor: string, lastRow: ApiVersion) {
  const seen: ApiVersion[] = [lastRow];
  let cursor = fromCursor;
  for (let guard = 0; guard < 100; guard++) {
    const p = await page({ orderBy: order, limit: String(limit), before: cursor });
    seen.unshift(...p.data);
    expect(p.pageInfo.hasNextPage).toBe(true);
    expect(p.pageInfo.hasPreviousPage).toBe(seen.length < rows.length);
    if (!p.pageInfo.hasPreviousPage) return seen;
    cursor = p.pageInfo.startCursor!;
  }
  throw new Error('walk did not end');
}

const ids = (xs: ApiVersion[]) => xs.map((x) => x.id);

const singleKeyOrders: Order[] = FIELDS.flatMap((f) => DIRECTIONS.map((d) => [{ [f]: d }]));
const multiKeyOrders: Order[] = DIRECTIONS.flatMap((d, i) => [
  [{ parentId: d }, { name: DIRECTIONS[(i + 1) % 6]! }],
  [{ functionId: d }, { parentId: DIRECTIONS[(i + 2) % 6]! }, { createdAt: DIRECTIONS[(i + 3) % 6]! }],
  [{ name: d }, { updatedAt: DIRECTIONS[(i + 4) % 6]! }, { id: 'desc' }],
]);

describe('keyset walks over NULLs and ties', () => {
  it('has the ties and NULLs the walks are meant to cross', () => {
    expect(rows.filter((r) => r.parentId === null).length).toBeGreaterThanOrEqual(3);
    expect(rows.filter((r) => r.parentId !== null).length).toBeGreaterThanOrEqual(3);
    expect(new Set(rows.map((r) => r.createdAt)).size).toBeLessThan(rows.length / 2);
  });

  it.each([...singleKeyOrders, ...multiKeyOrders].map((o) => [JSON.stringify(o), o] as const))(
    'walks %s forward and backward, every row once, in order',
    async (_name, order) => {
      const expected = ids([...rows].sort(comparator(order)));
      // Page size 1 puts every row, NULL keys included, at a page boundary.
      const limit = order.length === 1 && 'parentId' in order[0]! ? 1 : order.length === 1 ? 5 : 4;
      const { seen, last } = await walkForward(order, limit);
      expect(ids(seen)).toEqual(expected);
      const backward = await walkBackward(order, limit, last.pageInfo.endCursor!, seen[seen.length - 1]!);
      expect(ids(backward)).toEqual(expected);
    },
  );

  it('answers exact pageInfo on empty pages at either end', async () => {
    const all = await page({ limit: '100' });
    const end = await page({ after: all.pageInfo.endCursor });
    expect(end.data).toEqual([]);
    expect(end.pageInfo).toEqual({ total: ROWS, hasNextPage: false, hasPreviousPage: true, startCursor: null, endCursor: null });
    const start = await page({ before: all.pageInfo.startCursor });
    expect(start.data).toEqual([]);
    expect(start.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false, startCursor: null, endCursor: null });
    const none = await page({ filter: { name: { eq: 'no such name' } } });
    expect(none.pageInfo).toEqual({ total: 0, hasNextPage: false, hasPreviousPage: false, startCursor: null, endCursor: null });
  });

  it('returns a before page in natural order, right before the cursor', async () => {
    const order: Order = [{ name: 'desc' }];
    const all = ids([...rows].sort(comparator(order)));
    const mid = await page({ orderBy: order, limit: '3', after: (await page({ orderBy: order, limit: '9' })).pageInfo.endCursor });
    expect(ids(mid.data)).toEqual(all.slice(9, 12));
    const back = await page({ orderBy: order, limit: '4', before: mid.pageInfo.startCursor });
    expect(ids(back.data)).toEqual(all.slice(5, 9));
    expect(back.pageInfo).toMatchObject({ hasPreviousPage: true, hasNextPage: true });
  });
});

describe('inserts between page requests', () => {
  // Leave the shared data as the other tests expect it, whatever happened.
  afterEach(async () => {
    await db(ctx.orm.em.fork()).deleteFrom('function_version').where('name', 'in', ['0early', 'zlate']).execute();
  });

  it.each([
    ['the default order', undefined],
    ['a nullable leading key', [{ parentId: 'desc_nulls_last' }, { name: 'asc' }] as Order],
  ])('visits every row once, in order, along %s', async (_label, order) => {
    const cmp = comparator(order ?? [{ createdAt: 'asc' }]);
    const fn = pools.functionIds[0]!;
    const [sIn, sOut] = pools.schemaIds as [string, string];
    const scope = { function_id: fn, ...(order ? { orderBy: order } : {}) };
    const before = (await page({ ...scope, limit: '100' })).data;
    const seen: ApiVersion[] = [];
    const inserted: { row: ApiVersion; ahead: boolean }[] = [];
    let cursor: string | null = null;
    for (let step = 0; ; step++) {
      const p = await page({ ...scope, limit: '3', ...(cursor ? { after: cursor } : {}) });
      seen.push(...p.data);
      if (!p.pageInfo.hasNextPage) break;
      cursor = p.pageInfo.endCursor;
      const last = seen[seen.length - 1]!;
      // One row that sorts before the position reached, one after it.
      const early = { name: '0early', parentId: null, createdAt: new Date(Date.UTC(2025, 0, 1, 0, 0, step)) };
      const late = { name: 'zlate', parentId: last.id, createdAt: new Date(Date.UTC(2027, 0, 1, 0, 0, step)) };
      const nullsLast = order !== undefined;
      for (const spec of [early, late]) {
        const row = await insertVersion(ctx, pools.organizationId, {
          functionId: fn, inputSchemaId: sIn, outputSchemaId: sOut, updatedAt: new Date(), ...spec,
          // Along parentId desc_nulls_last, a NULL parent sorts last: swap roles so `early` stays early.
          ...(nullsLast ? { parentId: spec === early ? last.id : null, name: spec === early ? '0early' : 'zlate' } : {}),
        });
        inserted.push({ row, ahead: cmp(row, last) > 0 });
      }
    }
    for (let i = 1; i < seen.length; i++) expect(cmp(seen[i - 1]!, seen[i]!)).toBe(-1);
    for (const r of before) expect(ids(seen).filter((id) => id === r.id)).toHaveLength(1);
    expect(inserted.some((x) => x.ahead) && inserted.some((x) => !x.ahead)).toBe(true);
    for (const { row, ahead } of inserted) expect(ids(seen).includes(row.id)).toBe(ahead);
  });
});

describe('cursors', () => {
  const order: Order = [{ name: 'asc' }];
  let cursor: string;
  beforeAll(async () => {
    cursor = (await page({ orderBy: order, limit: '2' })).pageInfo.endCursor!;
  });

  it('accept another page size with the same query', async () => {
    const p = await page({ orderBy: order, limit: '5', after: cursor });
    expect(ids(p.data)).toEqual(ids([...rows].sort(comparator(order))).slice(2, 7));
  });

  it('refuse a changed cursor', async () => {
    const [body, mac] = cursor.split('.') as [string, string];
    const payload = JSON.parse(Buffer.from(body, 'base64url').toString());
    payload.k[0] = 'zzz';
    const forged = `${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${mac}`;
    const flipped = `${body}.${mac.slice(0, -2)}${mac.endsWith('AA') ? 'BB' : 'AA'}`;
    for (const bad of [forged, flipped, `${body}`, 'garbage', `${cursor}.x`]) {
      expectError(await admin.get(`/api/function-versions?${q({ orderBy: order, after: bad })}`), 400, 'VALIDATION_ERROR');
    }
  });

  it('refuse a cursor signed with another secret', async () => {
    const [body] = cursor.split('.') as [string];
    const foreign = `${body}.${createHmac('sha256', 'another deployment').update(body).digest('base64url')}`;
    const msg = expectError(await admin.get(`/api/function-versions?${q({ orderBy: order, after: foreign })}`), 400, 'VALIDATION_ERROR');
    expect(msg).toContain('after');
  });

  it('refuse a cursor made for another orderBy, filter or narrowing', async () => {
    for (const other of [
      { orderBy: [{ name: 'desc' }] },
      { orderBy: order, filter: { name: { neq: 'x' } } },
      { orderBy: order, function_id: pools.functionIds[0] },
      { orderBy: order, include_deleted: 'true' },
      {},
    ]) {
      const msg = expectError(await admin.get(`/api/function-versions?${q({ ...other, before: cursor })}`), 400, 'VALIDATION_ERROR');
      expect(msg).toMatch(/another query/);
    }
  });
});
