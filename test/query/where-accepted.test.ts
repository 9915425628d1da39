import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { db } from '../../src/domain/db.ts';
import { resolveSelection, type QueryEntity } from '../../src/domain/query/index.ts';
import { createTestContext, type TestContext } from '../helpers/context.ts';
import { seedFixture, withIds, type Fixture } from './fixture.ts';

let ctx: TestContext;
let fx: Fixture;
beforeAll(async () => {
  ctx = await createTestContext();
  fx = await seedFixture(ctx.orm.em.fork());
});
afterAll(async () => ctx?.close());

const ALL = ['Epsilon.2', 'alpha', 'beta', 'delta-1', 'gamma'];
const but = (...slugs: string[]) => ALL.filter((s) => !slugs.includes(s));
const ELEVEN = "'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'prod', 'dev'";

/** [expression, the slugs of organization A's invocations it must select]. */
const INVOCATION_CASES: [string, string[]][] = [
  ['', ALL],
  ['   ', ALL],
  // strings: every operator
  ["Slug = 'alpha'", ['alpha']],
  ["Slug != 'alpha'", but('alpha')],
  ["Slug < 'beta'", ['Epsilon.2', 'alpha']],
  ["Slug <= 'beta'", ['Epsilon.2', 'alpha', 'beta']],
  ["Slug > 'delta-1'", ['gamma']],
  ["Slug >= 'delta-1'", ['delta-1', 'gamma']],
  ["Slug LIKE 'a%'", ['alpha']],
  ["Slug LIKE '_eta'", ['beta']],
  ["Slug LIKE 'EPS%'", []],
  ["Slug ~~ '%a'", ['alpha', 'beta', 'gamma']],
  ["Slug NOT LIKE '%a'", ['Epsilon.2', 'delta-1']],
  ["Slug !~~ '%a'", ['Epsilon.2', 'delta-1']],
  ["Slug ILIKE 'EPS%'", ['Epsilon.2']],
  ["Slug ~~* 'eps%'", ['Epsilon.2']],
  ["Slug NOT ILIKE 'eps%'", but('Epsilon.2')],
  ["Slug !~~* 'EPS%'", but('Epsilon.2')],
  ["DisplayName LIKE 'Beta_Two'", ['beta']],
  ["DisplayName LIKE '%100%%'", ['gamma']],
  ["DisplayName LIKE '%\u00a0%'", []],
  ["Slug ~ '^[a-d]'", ['alpha', 'beta', 'delta-1']],
  ["Slug ~ '^e'", []],
  ["Slug ~* '^e'", ['Epsilon.2']],
  ["Slug !~ 'a$'", ['Epsilon.2', 'delta-1']],
  ["Slug !~* '^E'", but('Epsilon.2')],
  ["Slug ~ '(al|ga)'", ['alpha', 'gamma']],
  ["Slug ~ '^.{4}$'", ['beta']],
  ["Slug ~ '^(al|be)(ph|t)?a+$'", ['alpha', 'beta']],
  ["Slug ~ '^(a|b|g)[^-]{3}a$'", ['alpha', 'gamma']],
  ["Slug ~ '^[^a-z]'", ['Epsilon.2']],
  ["Slug ~ '[.-][0-9]+$'", ['Epsilon.2', 'delta-1']],
  ["Slug IN ('alpha', 'gamma', 'nope')", ['alpha', 'gamma']],
  ["Slug NOT IN ('alpha', 'gamma')", ['Epsilon.2', 'beta', 'delta-1']],
  ["FunctionName = 'deploy'", ['alpha', 'beta']],
  ["FunctionName ILIKE 'deploy'", ['alpha', 'beta', 'delta-1']],
  ["ToolchainType = 'OpenTofu/HCL'", ['gamma']],
  ["DisplayName != 'ünïcødé 🎉'", ALL],
  // attribute to attribute
  ['DisplayName = Slug', ['Epsilon.2']],
  ['DisplayName != Slug', but('Epsilon.2')],
  ['Slug < DisplayName', ['gamma']],
  ['UpdatedAt > CreatedAt', ['alpha']],
  ['UpdatedAt = CreatedAt', but('alpha')],
  ['BridgeWorkerID != SpaceID', ALL],
  // UUIDs
  ["InvocationID = '{alpha}'", ['alpha']],
  ["InvocationID != '{alpha}'", but('alpha')],
  ["SpaceID = '{S2}'", ['delta-1', 'gamma']],
  ["SpaceID IN ('{S1}')", ['Epsilon.2', 'alpha', 'beta']],
  ["SpaceID NOT IN ('{S1}', '{S3}')", ['delta-1', 'gamma']],
  ["BridgeWorkerID = '{W1}'", ['alpha', 'gamma']],
  ["BridgeWorkerID != '{W1}'", ['Epsilon.2', 'beta', 'delta-1']],
  ["BridgeWorkerID NOT IN ('{W1}')", ['Epsilon.2', 'beta', 'delta-1']],
  ['BridgeWorkerID IS NULL', ['Epsilon.2', 'beta', 'delta-1']],
  ['BridgeWorkerID IS NOT NULL', ['alpha', 'gamma']],
  ["OrganizationID = '{A}'", ALL],
  ["OrganizationID = '{B}'", []],
  ['SpaceID IS NULL', []],
  // times, with and without zone
  ["CreatedAt > '2025-02-18T23:16:34'", ['delta-1', 'gamma']],
  ["CreatedAt >= '2025-02-18T23:16:34Z'", ['beta', 'delta-1', 'gamma']],
  ["CreatedAt = '2025-02-18T23:16:34'", ['beta']],
  ["CreatedAt = '2025-02-19T00:16:34+01:00'", ['beta']],
  ["CreatedAt = '2025-02-18T18:16:34-05:00'", ['beta']],
  ["CreatedAt = '2025-02-18t23:16:34z'", ['beta']],
  ["CreatedAt < '2025-01-01'", ['Epsilon.2']],
  ["CreatedAt <= '2025-01-01'", ['Epsilon.2', 'alpha']],
  ["CreatedAt < '2025-01-01T00:00:00.5'", ['Epsilon.2', 'alpha']],
  ["CreatedAt != '2025-01-01T00:00:00.000Z'", but('alpha')],
  ["CreatedAt > '2025-01-01 00:00:00'", ['beta', 'delta-1', 'gamma']],
  ["CreatedAt >= '2025-01-01' AND CreatedAt < '2025-07-01'", ['alpha', 'beta', 'gamma']],
  ["UpdatedAt >= '2025-01-02'", ['alpha', 'beta', 'delta-1', 'gamma']],
  // Labels: dotted and slashed keys, ?, LEN, missing keys
  ["Labels.env = 'prod'", ['alpha', 'gamma']],
  ["Labels.env != 'prod'", ['Epsilon.2', 'beta', 'delta-1']],
  ["Labels ? 'env' AND Labels.env != 'prod'", ['Epsilon.2', 'beta']],
  ["Labels.env IN ('prod', 'dev')", ['Epsilon.2', 'alpha', 'gamma']],
  ["Labels.env NOT IN ('prod', 'dev')", ['beta', 'delta-1']],
  [`Labels.env IN (${ELEVEN})`, ['Epsilon.2', 'alpha', 'gamma']],
  [`Labels.env NOT IN (${ELEVEN})`, ['beta', 'delta-1']],
  ["Labels.env < 'prod'", ['Epsilon.2']],
  ["Labels.env >= 'prod'", ['alpha', 'beta', 'gamma']],
  ["Labels.env LIKE 'st%'", ['beta']],
  ["Labels.env NOT LIKE 'st%'", but('beta')],
  ["Labels.env ILIKE 'PROD'", ['alpha', 'gamma']],
  ["Labels.env ~ '^(prod|dev)$'", ['Epsilon.2', 'alpha', 'gamma']],
  ["Labels.env !~ '^prod$'", ['Epsilon.2', 'beta', 'delta-1']],
  ["Labels.app.kubernetes.io/name = 'web'", ['alpha']],
  ["Labels.team/owner = 'ops'", ['gamma']],
  ["Labels ? 'team/owner'", ['gamma']],
  ["Labels ? 'app.kubernetes.io/name'", ['alpha']],
  ['Labels.tier IS NULL', ['delta-1', 'gamma']],
  ['Labels.tier IS NOT NULL', ['Epsilon.2', 'alpha', 'beta']],
  ['Labels.tier = Labels.env', []],
  ['Labels.tier != Labels.env', ALL],
  ['LEN(Labels) = 0', ['delta-1']],
  ['LEN(Labels) > 2', ['alpha']],
  ['LEN(Labels) >= 2', but('delta-1')],
  ['LEN(Labels) != 2', ['alpha', 'delta-1']],
  ['LEN(Labels) IN (0, 3)', ['alpha', 'delta-1']],
  ['LEN(Labels) NOT IN (2)', ['alpha', 'delta-1']],
  ['LEN(Labels) > -1', ALL],
  ['LEN(Labels) < LEN(Annotations)', []],
  ['LEN( Labels ) = LEN(Annotations)', ['delta-1']],
  // Annotations
  ["Annotations.note = 'first'", ['alpha']],
  ["Annotations ? 'ticket.id'", ['gamma']],
  ["Annotations.ticket.id LIKE 'T-%'", ['gamma']],
  ['LEN(Annotations) = 0', ['beta', 'delta-1']],
  // DeleteGates
  ['DeleteGates IS NULL', ['Epsilon.2', 'alpha']],
  ['DeleteGates IS NOT NULL', ['beta', 'delta-1', 'gamma']],
  ['DeleteGates.protect = true', ['beta', 'delta-1']],
  ['DeleteGates.protect = TRUE', ['beta', 'delta-1']],
  ['DeleteGates.hold = False', ['gamma']],
  ['DeleteGates.hold != true', but('delta-1')],
  ['DeleteGates.hold IN (true, false)', ['delta-1', 'gamma']],
  ['DeleteGates.hold NOT IN (false)', but('gamma')],
  ["DeleteGates ? 'protect'", ['beta', 'delta-1']],
  ['DeleteGates.protect IS NULL', ['Epsilon.2', 'alpha', 'gamma']],
  ['LEN(DeleteGates) = 2', ['delta-1']],
  ['DeleteGates.protect = DeleteGates.hold', ['delta-1']],
  // conjunctions and whitespace
  ["CreatedAt >= '2025-01-07' AND Slug = 'gamma' AND Labels.env = 'prod'", ['gamma']],
  ["FunctionName = 'deploy'\tAND\tLabels.tier = 'backend'", ['alpha']],
  ["  Slug = 'alpha'  ", ['alpha']],
  ["Slug='alpha'", ['alpha']],
  ["Labels?'env' AND LEN(Labels)>1", but('delta-1')],
  ["Slug IN('alpha','beta')AND FunctionName='deploy'".replace(')AND', ') AND'), ['alpha', 'beta']],
];

const SPACE_CASES: [string, string[]][] = [
  ["Slug = 'space-one'", ['space-one']],
  ["Labels.env = 'prod'", ['space-one']],
  ['DeleteGates IS NULL', ['space-one']],
  ["SpaceID = '{S2}'", ['space-two']],
  ["Slug LIKE 'space-%' AND LEN(Labels) = 0", ['space-two']],
  ["CreatedAt > '2000-01-01'", ['space-one', 'space-two']],
  ["DisplayName ~* '^second$'", ['space-two']],
];

async function select(entity: QueryEntity, where: string): Promise<string[]> {
  const em = ctx.orm.em.fork();
  const sel = await resolveSelection(em, fx.actorA, { entity, where: withIds(where, fx.ids) });
  const rows = entity === 'Invocation'
    ? await db(em).selectFrom('invocation as i').select('i.slug').where(sel.condition).execute()
    : await db(em).selectFrom('space as s').select('s.slug').where(sel.condition).execute();
  return rows.map((r) => r.slug).sort();
}

describe('where on Invocation: accepted expressions select exactly their rows', () => {
  it.each(INVOCATION_CASES)('%s', async (where, expected) => {
    expect(await select('Invocation', where)).toEqual([...expected].sort());
  });
});

describe('where on Space', () => {
  it.each(SPACE_CASES)('%s', async (where, expected) => {
    expect(await select('Space', where)).toEqual(expected);
  });
});
