import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { db } from '../../src/domain/db.ts';
import { InvocationSchema, type Invocation } from '../../src/domain/entities/invocation.entity.ts';
import type { BenchDatabase } from './database.ts';

/** Seconds per entity of the obvious ORM loop, for each operation. */
export interface NaiveTiming {
  sample: number;
  patchSecondsPerEntity: number;
  cloneSecondsPerEntity: number;
  deleteSecondsPerEntity: number;
}

/**
 * What a service without set-based writes would do: per entity, em.findOne, change it through
 * MikroORM's entity API, em.flush (one transaction each). A fresh EntityManager per entity keeps
 * the identity map (and so each flush) small: the loop is naive, not quadratic. No validation and
 * no result rows, so it is a generous baseline. The clones it makes are deleted by its delete loop.
 */
export async function runNaive(bdb: BenchDatabase, sample: number, label: string): Promise<NaiveTiming> {
  const ids = await sampleIds(bdb, sample);
  // cursor_id is an identity column the entity definition does not mark as generated; a clone
  // leaves it unset and PostgreSQL fills it.
  bdb.orm.config.set('validateRequired', false);
  const time = async (fn: (id: string) => Promise<void>, over: string[]) => {
    const start = performance.now();
    for (const id of over) await fn(id);
    return (performance.now() - start) / 1000 / over.length;
  };
  const patchSecondsPerEntity = await time(async (id) => {
    const em = bdb.orm.em.fork();
    const inv = await em.findOneOrFail(InvocationSchema, { id });
    inv.labels = { ...inv.labels, bench: label };
    inv.version += 1;
    inv.updatedAt = new Date();
    await em.flush();
  }, ids);
  const cloneIds: string[] = [];
  const cloneSecondsPerEntity = await time(async (id) => {
    const em = bdb.orm.em.fork();
    const src = await em.findOneOrFail(InvocationSchema, { id });
    const now = new Date();
    const { cursorId: _cursor, ...fields } = src;
    const clone = em.create(InvocationSchema, { ...fields, id: randomUUID(), slug: `n-${src.slug}`, version: 1, createdAt: now, updatedAt: now } as Invocation);
    cloneIds.push(clone.id);
    await em.flush();
  }, ids);
  const deleteSecondsPerEntity = await time(async (id) => {
    const em = bdb.orm.em.fork();
    em.remove(await em.findOneOrFail(InvocationSchema, { id }));
    await em.flush();
  }, cloneIds);
  return { sample: ids.length, patchSecondsPerEntity, cloneSecondsPerEntity, deleteSecondsPerEntity };
}

/** Evenly spread originals, so the loop does not run on a hot corner of the table. */
async function sampleIds(bdb: BenchDatabase, sample: number): Promise<string[]> {
  const rows = await sql<{ id: string }>`
    select id from (select id, row_number() over (order by cursor_id) as rn,
                           count(*) over () as n
                      from invocation where slug like 'inv-%') s
     where s.rn % greatest(s.n / ${sample}::int, 1) = 0
     order by s.rn limit ${sample}::int`.execute(db(bdb.orm.em.fork()));
  return rows.rows.map((r) => r.id);
}
