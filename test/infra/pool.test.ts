import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, poolSizes } from '../../src/config.ts';
import { createOrm, openConnections, type Orm } from '../../src/infra/orm.ts';
import { createTestDatabase, databaseUrl, dropTestDatabase, withAdmin } from '../helpers/db.ts';

/** Server processes connected to the test's own database, as PostgreSQL counts them. */
const backends = (database: string) =>
  withAdmin(async (c) => Number((await c.query('select count(*) as n from pg_stat_activity where datname = $1', [database])).rows[0].n));

describe('connection pool', () => {
  let name: string;
  let orm: Orm;

  beforeAll(async () => {
    name = await createTestDatabase();
    orm = await createOrm({ databaseUrl: databaseUrl(name), poolMin: 3, poolMax: 6, idleTimeoutMillis: 200 });
  });
  afterAll(async () => {
    await orm.close();
    await dropTestDatabase(name);
  });

  it('opens its minimum up front, grows for a burst, and idles back to the minimum, not to none', async () => {
    expect(await backends(name)).toBe(0);
    expect(await openConnections(orm)).toBe(3);
    expect(await backends(name)).toBe(3);

    const conn = orm.em.getConnection();
    await Promise.all(Array.from({ length: 6 }, () => conn.execute('select pg_sleep(0.1)')));
    expect(await backends(name)).toBe(6);

    await new Promise((r) => setTimeout(r, 800));
    expect(await backends(name)).toBe(3);
  });

  it('sizes a worker for its chunks at once plus planning, an API for two, and leaves room above', () => {
    const env = (e: Record<string, string>) => poolSizes(loadConfig(e));
    expect(env({ ROLE: 'worker', WORKER_CONCURRENCY: '3' })).toEqual({ poolMin: 4, poolMax: 10 });
    expect(env({ ROLE: 'all', WORKER_CONCURRENCY: '12' })).toEqual({ poolMin: 13, poolMax: 15 });
    expect(env({ ROLE: 'api', WORKER_CONCURRENCY: '12' })).toEqual({ poolMin: 2, poolMax: 10 });
    expect(env({ ROLE: 'worker', DATABASE_POOL_MIN: '0' })).toEqual({ poolMin: 0, poolMax: 10 });
    expect(() => loadConfig({ DATABASE_POOL_MIN: '-1' })).toThrow(/DATABASE_POOL_MIN/);
  });
});
