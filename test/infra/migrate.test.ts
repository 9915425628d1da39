import { describe, expect, it } from 'vitest';
import { createOrm, migrateUp } from '../../src/infra/orm.ts';
import { databaseUrl, dropTestDatabase, withAdmin } from '../helpers/db.ts';

describe('migrations', () => {
  it('apply once when several processes start on a new database at the same time', async () => {
    const name = `bulkops_t_migrate_${process.pid}`;
    await withAdmin((c) => c.query(`create database ${name}`));
    const orms = await Promise.all([1, 2, 3].map(() => createOrm({ databaseUrl: databaseUrl(name), poolMax: 2 })));
    try {
      const applied = await Promise.all(orms.map((orm) => migrateUp(orm)));
      const total = applied.flat();
      expect(total.length).toBeGreaterThan(0);
      expect(new Set(total).size).toBe(total.length); // each migration applied by exactly one process
      expect(applied.filter((a) => a.length > 0)).toHaveLength(1);
    } finally {
      for (const orm of orms) await orm.close();
      await dropTestDatabase(name);
    }
  });
});
