import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { db } from '../../src/domain/db.ts';
import { DomainError } from '../../src/domain/errors.ts';
import type { Actor } from '../../src/domain/identity/actor.ts';
import { resolveSelection, validateWhere, whereAttributes, type SelectionRequest } from '../../src/domain/query/index.ts';
import { createTestContext, type TestContext } from '../helpers/context.ts';
import { seedFixture, type Fixture } from './fixture.ts';

let ctx: TestContext;
let fx: Fixture;
const filters: Record<string, string> = {};

async function saveFilter(name: string, org: string, from: 'Invocation' | 'Space', where: string, fromSpace?: string) {
  filters[name] = randomUUID();
  await db(ctx.orm.em.fork()).insertInto('filter').values({
    id: filters[name] as string, organization_id: fx.ids[org] as string, space_id: fx.ids[org === 'A' ? 'S1' : 'S3'] as string,
    slug: name, display_name: name, from_entity: from, where_expr: where, from_space_id: fromSpace ? (fx.ids[fromSpace] as string) : null,
  }).execute();
}

beforeAll(async () => {
  ctx = await createTestContext();
  fx = await seedFixture(ctx.orm.em.fork());
  await saveFilter('prod', 'A', 'Invocation', "Labels.env = 'prod'");
  await saveFilter('spaces', 'A', 'Space', "Labels.env = 'prod'");
  await saveFilter('in-s2', 'A', 'Invocation', '', 'S2');
  await saveFilter('other-org', 'B', 'Invocation', '');
  await saveFilter('stale', 'A', 'Invocation', 'Colour = 1');
});
afterAll(async () => ctx?.close());

async function slugs(req: SelectionRequest, actor: Actor = fx.actorA): Promise<string[]> {
  const em = ctx.orm.em.fork();
  const sel = await resolveSelection(em, actor, req);
  const rows = req.entity === 'Space'
    ? await db(em).selectFrom('space as s').select('s.slug').where(sel.condition).execute()
    : await db(em).selectFrom('invocation as i').select('i.slug').where(sel.condition).execute();
  return rows.map((r) => r.slug).sort();
}

async function refusal(req: SelectionRequest): Promise<DomainError> {
  const e = await resolveSelection(ctx.orm.em.fork(), fx.actorA, req).then(
    () => undefined,
    (err: unknown) => err,
  );
  if (!(e instanceof DomainError)) throw new Error(`expected a DomainError, got ${String(e)}`);
  return e;
}

describe('scope', () => {
  it('keeps every selection inside the caller organization', async () => {
    expect(await slugs({ entity: 'Invocation' })).toEqual(['Epsilon.2', 'alpha', 'beta', 'delta-1', 'gamma']);
    expect(await slugs({ entity: 'Invocation', where: "Slug = 'alpha'" }, fx.actorB)).toEqual(['alpha']);
    expect(await slugs({ entity: 'Invocation', where: `SpaceID = '${fx.ids.S1}'` }, fx.actorB)).toEqual([]);
    expect(await slugs({ entity: 'Space' })).toEqual(['space-one', 'space-two']);
  });

  it('adds the space of a space-scoped call', async () => {
    expect(await slugs({ entity: 'Invocation', spaceId: fx.ids.S2 })).toEqual(['delta-1', 'gamma']);
    expect(await slugs({ entity: 'Invocation', spaceId: fx.ids.S3, where: "Slug = 'alpha'" })).toEqual([]);
    expect((await refusal({ entity: 'Invocation', spaceId: 'nope' })).message).toBe("SpaceID 'nope' is not a UUID");
  });

  it('takes the table alias it is given', async () => {
    const em = ctx.orm.em.fork();
    const sel = await resolveSelection(em, fx.actorA, { entity: 'Invocation', where: "Slug = 'beta'", contains: 'beta', alias: 'inv' });
    const rows = await db(em).selectFrom('invocation as inv').select('inv.slug').where(sel.condition).execute();
    expect(rows).toEqual([{ slug: 'beta' }]);
  });
});

describe('filter', () => {
  it("ANDs a saved Filter's Where with where", async () => {
    expect(await slugs({ entity: 'Invocation', filter: filters.prod })).toEqual(['alpha', 'gamma']);
    expect(await slugs({ entity: 'Invocation', filter: filters.prod, where: "SpaceID = '" + fx.ids.S2 + "'" })).toEqual(['gamma']);
    expect(await slugs({ entity: 'Space', filter: filters.spaces })).toEqual(['space-one']);
  });

  it('restricts to the FromSpaceID, and refuses a space-scoped call for another space', async () => {
    expect(await slugs({ entity: 'Invocation', filter: filters['in-s2'] })).toEqual(['delta-1', 'gamma']);
    expect(await slugs({ entity: 'Invocation', filter: filters['in-s2'], spaceId: fx.ids.S2 })).toEqual(['delta-1', 'gamma']);
    const e = await refusal({ entity: 'Invocation', filter: filters['in-s2'], spaceId: fx.ids.S1 });
    expect(e.status).toBe(400);
    expect(e.message).toBe(`filter: Filter '${filters['in-s2']}' is for space ${fx.ids.S2}, not space ${fx.ids.S1}`);
  });

  it('refuses a Filter for another entity, another organization, or none at all, with a 400', async () => {
    const wrongFrom = await refusal({ entity: 'Invocation', filter: filters.spaces });
    expect([wrongFrom.status, wrongFrom.message]).toEqual([400, `filter: Filter '${filters.spaces}' selects Space, not Invocation`]);
    const foreign = await refusal({ entity: 'Invocation', filter: filters['other-org'] });
    expect([foreign.status, foreign.message]).toEqual([400, `filter: no Filter '${filters['other-org']}' in this organization`]);
    const id = randomUUID();
    expect((await refusal({ entity: 'Invocation', filter: id })).message).toBe(`filter: no Filter '${id}' in this organization`);
    expect((await refusal({ entity: 'Space', filter: 'x', names: { filter: 'filter_space' } })).message).toBe(
      "filter_space: 'x' is not a Filter id (a UUID)",
    );
  });

  it('reports a stored Where that no longer checks as a 400 about the filter', async () => {
    const e = await refusal({ entity: 'Invocation', filter: filters.stale });
    expect(e.status).toBe(400);
    expect(e.message).toMatch(/^filter Where: unknown attribute 'Colour' at position 1;/);
  });
});

describe('contains', () => {
  const find = (contains: string, where?: string) => slugs({ entity: 'Invocation', contains, where });

  it('searches slug, display name, function, toolchain, and map keys and values, ignoring case', async () => {
    expect(await find('alp')).toEqual(['alpha']);
    expect(await find('ALPHA ONE')).toEqual(['alpha']);
    expect(await find('rollback')).toEqual(['gamma']);
    expect(await find('opentofu')).toEqual(['gamma']);
    expect(await find('team/owner')).toEqual(['gamma']);
    expect(await find('ops')).toEqual(['gamma']);
    expect(await find('ticket')).toEqual(['gamma']);
    expect(await find('first')).toEqual(['alpha']);
    expect(await find('SECOND')).toEqual(['Epsilon.2']);
    expect(await find('delta')).toEqual(['delta-1']);
  });

  it('treats % and _ as literal characters', async () => {
    expect(await find('%')).toEqual(['gamma']);
    expect(await find('100%')).toEqual(['gamma']);
    expect(await find('_')).toEqual(['beta']);
    expect(await find('a_T')).toEqual(['beta']);
    expect(await find('\\')).toEqual([]);
  });

  it('never matches across two fields, or across a key and its value', async () => {
    expect(await find('deploy')).toEqual(['alpha', 'beta', 'delta-1']);
    expect(await find('deployKubernetes')).toEqual([]);
    expect(await find('envprod')).toEqual([]);
    expect(await find('env prod')).toEqual([]);
  });

  it('is ANDed with where', async () => {
    expect(await find('deploy', "Slug != 'alpha'")).toEqual(['beta', 'delta-1']);
  });

  it('searches Space slug, display name and labels', async () => {
    expect(await slugs({ entity: 'Space', contains: 'ONE' })).toEqual(['space-one']);
    expect(await slugs({ entity: 'Space', contains: 'prod' })).toEqual(['space-one']);
    expect(await slugs({ entity: 'Space', contains: 'second' })).toEqual(['space-two']);
  });

  it('refuses control characters and text over 1024 characters', async () => {
    expect((await refusal({ entity: 'Invocation', contains: 'ab\u001fc' })).message).toBe(
      'contains: control character U+001F is not allowed at position 3',
    );
    expect((await refusal({ entity: 'Invocation', contains: 'x'.repeat(1025) })).message).toBe(
      'contains: text is longer than 1024 characters',
    );
  });
});

describe('what a selection names and whether it has criteria', () => {
  it('lists the attributes named by where, the filter and contains, in table order', async () => {
    const em = ctx.orm.em.fork();
    const sel = await resolveSelection(em, fx.actorA, { entity: 'Invocation', where: "LEN(DeleteGates) = 0 AND Slug = 'a'", filter: filters.prod });
    expect(sel.namedAttributes).toEqual(['DeleteGates', 'Labels', 'Slug']);
    expect(sel.hasCriteria).toBe(true);
    const withContains = await resolveSelection(em, fx.actorA, { entity: 'Invocation', where: "CreatedAt > '2025-01-01'", contains: 'x' });
    expect(withContains.namedAttributes).toEqual(['CreatedAt', 'DisplayName', 'FunctionName', 'Labels', 'Slug', 'ToolchainType', 'Annotations']);
    const bare = await resolveSelection(em, fx.actorA, { entity: 'Invocation', where: '  ', contains: '' });
    expect([bare.hasCriteria, bare.namedAttributes]).toEqual([false, []]);
  });

  it('validates and names without a database', () => {
    expect(whereAttributes('Space', "Labels.env = 'a' AND UpdatedAt > CreatedAt")).toEqual(['CreatedAt', 'Labels', 'UpdatedAt']);
    expect(() => validateWhere('Invocation', "Slug = 'a'")).not.toThrow();
    expect(() => validateWhere('Space', "FunctionName = 'a'")).toThrow("Where: unknown attribute 'FunctionName' at position 1");
  });
});

describe('bulk selection', () => {
  it('feeds INSERT ... SELECT inside the database, no ids through Node', async () => {
    await ctx.orm.em.fork().transactional(async (em) => {
      const k = db(em);
      await sql`create temporary table picked (id uuid primary key) on commit drop`.execute(k);
      const sel = await resolveSelection(em, fx.actorA, { entity: 'Invocation', where: "Labels.env = 'prod'", contains: 'a' });
      const inserted = await sql`insert into picked (id) select i.id from invocation i where ${sel.condition}`.execute(k);
      expect(inserted.numAffectedRows).toBe(2n);
      const rows = await sql<{ id: string }>`select id from picked order by id`.execute(k);
      expect(rows.rows.map((r) => r.id)).toEqual([fx.ids.alpha, fx.ids.gamma].sort());
    });
  });
});
