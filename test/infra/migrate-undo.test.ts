import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createOrm } from '../../src/infra/orm.ts';
import { databaseUrl, dropTestDatabase, withAdmin } from '../helpers/db.ts';

/** The undo data of jobs recorded before bulk_undo existed must survive the move to it. */
describe('migration to bulk_undo', () => {
  it('moves the row as it was of every item of a job that changed something, and of no dry run', async () => {
    const name = `bulkops_t_undo_${process.pid}`;
    await withAdmin((c) => c.query(`create database ${name}`));
    const orm = await createOrm({ databaseUrl: databaseUrl(name), poolMax: 2 });
    try {
      await orm.migrator.up({ to: 'Migration20261203000000_bulk_chunk' });
      const conn = orm.em.getConnection();
      const [job, dryJob, entity] = [randomUUID(), randomUUID(), randomUUID()];
      // As the chunk statements wrote it: bigint and timestamps as the text PostgreSQL sends.
      const before = {
        id: entity,
        organization_id: randomUUID(),
        space_id: randomUUID(),
        slug: 'rich.one_2',
        display_name: 'Display "quoted"',
        function_name: 'fn',
        arguments: [{ ParameterName: 'n', Value: 3 }, { Value: 'ü' }],
        toolchain_type: 'Kubernetes/YAML',
        bridge_worker_id: null,
        labels: { team: 'a b/c' },
        annotations: { note: 'line\nbreak' },
        delete_gates: {},
        hash: 'h',
        version: 7,
        cursor_id: '9007199254740993',
        created_at: '2024-02-29 18:59:58+00',
        updated_at: '2026-12-03 10:00:00+00',
      };
      await conn.execute(`insert into organization (id, slug, display_name) values (?, 'org', 'Org')`, [before.organization_id]);
      for (const [id, dry] of [[job, false], [dryJob, true]] as const) {
        await conn.execute(
          `insert into bulk_job (id, organization_id, operation, effect, state, request, dry_run, request_hash, chunk_size)
           values (?, ?, 'patch', 'patch', 'completed', '{}', ?, 'x', 1000)`,
          [id, before.organization_id, dry],
        );
        await conn.execute(
          `insert into bulk_item (job_id, seq, chunk, entity_id, status, before) values (?, 0, 0, ?, 'succeeded', ?::json),
                  (?, 1, 0, ?, 'failed', null)`,
          [id, entity, JSON.stringify(before), id, randomUUID()],
        );
      }

      await orm.migrator.up();

      const undo = await conn.execute(
        `select job_id, seq, id, slug, display_name, arguments, labels, annotations, bridge_worker_id, version,
                cursor_id::text, created_at = '2024-02-29 18:59:58+00' as created_same, updated_at = '2026-12-03 10:00:00+00' as updated_same
           from bulk_undo order by job_id, seq`,
      );
      expect(undo).toEqual([
        {
          job_id: job,
          seq: 0,
          id: entity,
          slug: before.slug,
          display_name: before.display_name,
          arguments: before.arguments,
          labels: before.labels,
          annotations: before.annotations,
          bridge_worker_id: null,
          version: 7,
          cursor_id: before.cursor_id,
          created_same: true,
          updated_same: true,
        },
      ]);
      const columns = await conn.execute(`select 1 from information_schema.columns where table_name = 'bulk_item' and column_name = 'before'`);
      expect(columns).toEqual([]);
      // Deleting a job takes its undo rows along with its items.
      await conn.execute(`delete from bulk_job where id = ?`, [job]);
      expect(await conn.execute(`select count(*)::int as n from bulk_undo`)).toEqual([{ n: 0 }]);
    } finally {
      await orm.close();
      await dropTestDatabase(name);
    }
  });
});
