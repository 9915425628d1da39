import fc from 'fast-check';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { db } from '../../src/domain/db.ts';
import { DomainError } from '../../src/domain/errors.ts';
import { compileWhere, type QueryEntity } from '../../src/domain/query/index.ts';
import { checkRegex } from '../../src/domain/query/regex.ts';
import { parseTimeLiteral } from '../../src/domain/query/literals.ts';
import { createTestContext, type TestContext } from '../helpers/context.ts';
import { expression, MARKER, mutate, regex, timeLiteral } from './arbitraries.ts';
import { seedFixture } from './fixture.ts';

/**
 * Whatever text arrives, the where language either refuses it with a 400 DomainError naming a
 * position, or compiles it to SQL that PostgreSQL runs without error and that carries none of the
 * expression's values in its text. Accepted expressions run against the fixture rows, so every
 * operator is evaluated on real values (a regex, for one, is compiled only when it meets a row).
 */
let ctx: TestContext;
const tally = { accepted: 0, refused: 0 };
beforeAll(async () => {
  ctx = await createTestContext();
  await seedFixture(ctx.orm.em.fork());
});
afterAll(async () => ctx?.close());

const TABLE = { Invocation: sql`invocation i`, Space: sql`space i` };

async function outcome(entity: QueryEntity, text: string): Promise<'accepted' | 'refused'> {
  let compiled;
  try {
    compiled = compileWhere(entity, text, 'i');
  } catch (e) {
    if (!(e instanceof DomainError)) throw e;
    expect(e.status).toBe(400);
    expect(e.code).toBe('VALIDATION_ERROR');
    expect(e.message).toMatch(/^where: .*(at position \d+|longer than 8192 characters)/s);
    tally.refused++;
    return 'refused';
  }
  const query = sql<{ n: string }>`select count(*) as n from ${TABLE[entity]} where ${compiled.condition}`;
  const k = db(ctx.orm.em.fork());
  expect(query.compile(k).sql).not.toContain(MARKER);
  await query.execute(k);
  tally.accepted++;
  return 'accepted';
}

const entities: QueryEntity[] = ['Invocation', 'Space'];
const RUNS = Number(process.env.QUERY_PROPERTY_RUNS ?? 150);

describe('property: only 400s or SQL that runs', () => {
  it.each(entities)('random text (%s)', async (entity) => {
    const text = fc.oneof(fc.string({ unit: 'binary', maxLength: 80 }), fc.string({ unit: 'grapheme-ascii', maxLength: 80 }));
    await fc.assert(fc.asyncProperty(text, async (t) => void (await outcome(entity, t))), { numRuns: RUNS * 2 });
  });

  it.each(entities)('grammar-built expressions (%s)', async (entity) => {
    const before = tally.accepted;
    await fc.assert(fc.asyncProperty(expression(entity), async (t) => void (await outcome(entity, t))), { numRuns: RUNS * 2 });
    // The generator aims at valid expressions: most of them must get through to PostgreSQL.
    expect(tally.accepted - before).toBeGreaterThan(RUNS / 2);
  });

  it.each(entities)('mutations of grammar-built expressions (%s)', async (entity) => {
    await fc.assert(fc.asyncProperty(mutate(expression(entity)), async (t) => void (await outcome(entity, t))), { numRuns: RUNS * 2 });
  });

  it('saw both outcomes', () => {
    expect(tally.accepted).toBeGreaterThan(100);
    expect(tally.refused).toBeGreaterThan(100);
  });
});

describe('property: the regex and time checks admit only what PostgreSQL accepts', () => {
  const k = () => db(ctx.orm.em.fork());

  it('every regex the checker accepts compiles in PostgreSQL, case-sensitive and not', async () => {
    let accepted = 0;
    const alphabet = fc.string({ unit: fc.constantFrom(...[...'ab.*+?()[]^$|{},0123-:=!é']), maxLength: 16 });
    await fc.assert(
      fc.asyncProperty(fc.oneof(regex, alphabet), async (p) => {
        if (checkRegex(p)) return;
        accepted++;
        await sql`select ${'aé-Z'} ~ ${p}::text, ${'aé-Z'} ~* ${p}::text`.execute(k());
      }),
      { numRuns: RUNS * 6 },
    );
    expect(accepted).toBeGreaterThan(RUNS);
  });

  it('every time literal the checker accepts is a timestamptz PostgreSQL reads as the same instant', async () => {
    let accepted = 0;
    await fc.assert(
      fc.asyncProperty(timeLiteral, async (t) => {
        const utc = parseTimeLiteral(t);
        if (utc === undefined) return;
        accepted++;
        await ctx.orm.em.fork().transactional(async (em) => {
          // Zone-less literals mean UTC; PostgreSQL reads them in the session's zone.
          await sql`set local time zone 'UTC'`.execute(db(em));
          await sql`select ${utc}::timestamptz`.execute(db(em));
          await sql`savepoint s`.execute(db(em));
          // PostgreSQL itself refuses offsets beyond ±15:59; where it reads the literal, it must agree.
          const r = await sql<{ same: boolean }>`select ${utc}::timestamptz = ${t}::timestamptz as same`.execute(db(em)).catch(() => undefined);
          if (r) expect(r.rows[0]?.same).toBe(true);
          else await sql`rollback to savepoint s`.execute(db(em));
        });
      }),
      { numRuns: RUNS * 2 },
    );
    expect(accepted).toBeGreaterThan(RUNS / 4);
  });
});
