import { TypeID, typeid } from 'typeid-js';
import { db } from '../../src/domain/db.ts';
import type { TestContext } from '../helpers/context.ts';

/**
 * Test data for ordering: versions written straight into the table with chosen names, parents,
 * schemas and timestamps (many ties, many NULL parents), and an order computed in JS, apart from
 * the SQL under test, from what the API shows.
 */
export interface ApiVersion {
  id: string;
  functionId: string;
  name: string;
  parentId: string | null;
  inputSchemaId: string;
  outputSchemaId: string;
  createdAt: string;
  updatedAt: string;
}

export const DIRECTIONS = ['asc', 'desc', 'asc_nulls_first', 'asc_nulls_last', 'desc_nulls_first', 'desc_nulls_last'] as const;
export const FIELDS = ['id', 'name', 'functionId', 'parentId', 'inputSchemaId', 'outputSchemaId', 'createdAt', 'updatedAt'] as const;
export type Field = (typeof FIELDS)[number];
export type Direction = (typeof DIRECTIONS)[number];
export type Order = Partial<Record<Field, Direction>>[];

/** Compares two versions under an order (id added last, ascending, unless named). */
export function comparator(order: Order) {
  const keys = order.map((o) => Object.entries(o)[0] as [Field, Direction]);
  if (!keys.some(([f]) => f === 'id')) keys.push(['id', 'asc']);
  return (a: ApiVersion, b: ApiVersion): number => {
    for (const [field, dir] of keys) {
      const desc = dir.startsWith('desc');
      const nullsFirst = dir === 'desc' || dir.endsWith('nulls_first');
      const x = a[field];
      const y = b[field];
      if (x === y) continue;
      if (x === null) return nullsFirst ? -1 : 1;
      if (y === null) return nullsFirst ? 1 : -1;
      // Strings compare by UTF-16 code unit: the C collation's order for the ASCII used here.
      const c = x < y ? -1 : 1;
      return desc ? -c : c;
    }
    return 0;
  };
}

/** A small deterministic generator, so a failing walk can be replayed. */
export function seeded(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

export interface Pools {
  organizationId: string;
  functionIds: string[];
  schemaIds: string[];
}

const uuidOf = (typeId: string) => TypeID.fromString(typeId).toUUID();

export interface RowSpec {
  name: string;
  functionId: string;
  parentId: string | null;
  inputSchemaId: string;
  outputSchemaId: string;
  createdAt: Date;
  updatedAt: Date;
  deleted?: boolean;
}

/** Inserts one version as given and returns it as the API shows it. */
export async function insertVersion(ctx: TestContext, organizationId: string, spec: RowSpec): Promise<ApiVersion> {
  const id = typeid('funver');
  await db(ctx.orm.em.fork())
    .insertInto('function_version')
    .values({
      id: id.toUUID(),
      organization_id: organizationId,
      function_id: uuidOf(spec.functionId),
      name: spec.name,
      parent_id: spec.parentId === null ? null : uuidOf(spec.parentId),
      input_schema_id: uuidOf(spec.inputSchemaId),
      output_schema_id: uuidOf(spec.outputSchemaId),
      created_at: spec.createdAt,
      updated_at: spec.updatedAt,
      deleted_at: spec.deleted ? new Date() : null,
    })
    .execute();
  return {
    id: id.toString(),
    functionId: spec.functionId,
    name: spec.name,
    parentId: spec.parentId,
    inputSchemaId: spec.inputSchemaId,
    outputSchemaId: spec.outputSchemaId,
    createdAt: spec.createdAt.toISOString(),
    updatedAt: spec.updatedAt.toISOString(),
  };
}

/** `count` versions with few distinct values per column: ties everywhere, a third without parent. */
export async function insertTiedVersions(ctx: TestContext, pools: Pools, count: number, seed: number): Promise<ApiVersion[]> {
  const rand = seeded(seed);
  const pick = <T>(xs: T[]) => xs[Math.floor(rand() * xs.length)]!;
  const names = ['a', 'b', 'B', 'c', 'a b'];
  const base = Date.UTC(2026, 0, 1);
  const times = [0, 1, 2, 3].map((i) => new Date(base + i * 1000 + i));
  const rows: ApiVersion[] = [];
  for (let i = 0; i < count; i++) {
    const parentId = rows.length > 0 && rand() > 0.35 ? pick(rows).id : null;
    rows.push(
      await insertVersion(ctx, pools.organizationId, {
        name: pick(names),
        functionId: pick(pools.functionIds),
        parentId,
        inputSchemaId: pick(pools.schemaIds.slice(0, 2)),
        outputSchemaId: pick(pools.schemaIds),
        createdAt: pick(times),
        updatedAt: pick([...times, new Date(base + 5000)]),
      }),
    );
  }
  return rows;
}
