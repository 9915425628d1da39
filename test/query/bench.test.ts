import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { formatTable, runQueryBench } from '../../bench/query-indexes.ts';
import { SERVER_URL, withAdmin } from '../helpers/db.ts';

/** Runs the query-index benchmark on 2,000 rows so it keeps working; its timings mean nothing here. */
describe('bench/query-indexes.ts', () => {
  it('seeds, runs every query through the compiler, and drops its database', async () => {
    const dbName = `bulkops_bench_query_t_${randomBytes(4).toString('hex')}`;
    const rows = await runQueryBench({ rows: 2000, runs: 1, dbName, serverUrl: SERVER_URL });
    const returned = Object.fromEntries(rows.map((r) => [r.name, r.returned]));
    expect(returned).toEqual({
      'Slug equality': 1,
      'FunctionName equality': 2,
      'label value (rare)': 1,
      'label value (2% of rows)': 40,
      'SpaceID equality': 20,
      'contains (rare)': 1,
      'contains (0.5% of rows)': 11,
      'contains (common)': 23,
      'label AND FunctionName': 2,
    });
    expect(rows.every((r) => Number.isFinite(r.medianMs))).toBe(true);
    expect(formatTable(rows).split('\n')).toHaveLength(2 + rows.length);
    const left = await withAdmin((c) => c.query('select 1 from pg_database where datname = $1', [dbName]));
    expect(left.rowCount).toBe(0);
  });
});
