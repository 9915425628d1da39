/**
 * Time to the first 100 rows of list-shaped queries (ORDER BY cursor_id LIMIT 100) on a large
 * invocation table, with every condition compiled by src/domain/query (resolveSelection), and the
 * indexes the planner chose. Run: `npm run bench:queries` (default 1,000,000 rows; BENCH_ROWS,
 * BENCH_RUNS, BENCH_DATABASE_URL override). It creates and drops its own database.
 */
import { fileURLToPath } from 'node:url';
import { sql, type Kysely } from 'kysely';
import pg from 'pg';
import { db, type Database } from '../src/domain/db.ts';
import type { Actor } from '../src/domain/identity/actor.ts';
import { resolveSelection, type SelectionRequest } from '../src/domain/query/index.ts';
import { createOrm, migrateUp } from '../src/infra/orm.ts';

export interface BenchOptions {
  rows: number;
  runs: number;
  dbName: string;
  serverUrl: string;
  log?: (line: string) => void;
}

export interface BenchRow {
  name: string;
  request: string;
  /** Rows in the first page (at most 100). */
  returned: number;
  medianMs: number;
  maxMs: number;
  indexes: string[];
}

const SPACES = 100;

/** The queries; values are chosen so every one matches something for any N >= 2000. */
function queries(n: number, spaceId: string): { name: string; req: Omit<SelectionRequest, 'entity'> }[] {
  return [
    { name: 'Slug equality', req: { where: `Slug = 'inv-${Math.floor(n / 2)}'` } },
    { name: 'FunctionName equality', req: { where: "FunctionName = 'fn-42'" } },
    { name: 'label value (rare)', req: { where: "Labels.app.kubernetes.io/name = 'app-42'" } },
    { name: 'label value (2% of rows)', req: { where: "Labels.team = 'team-7'" } },
    { name: 'SpaceID equality', req: { where: `SpaceID = '${spaceId}'` } },
    { name: 'contains (rare)', req: { contains: 'user42@' } },
    { name: 'contains (0.5% of rows)', req: { contains: 'user42' } },
    { name: 'contains (common)', req: { contains: 'batch 12' } },
    { name: 'label AND FunctionName', req: { where: "Labels.team = 'team-7' AND FunctionName = 'fn-57'" } },
  ];
}

export async function runQueryBench(opts: BenchOptions): Promise<BenchRow[]> {
  const log = opts.log ?? (() => {});
  await admin(opts.serverUrl, async (c) => {
    await c.query(`drop database if exists ${opts.dbName} with (force)`);
    await c.query(`create database ${opts.dbName}`);
  });
  const url = new URL(opts.serverUrl);
  url.pathname = `/${opts.dbName}`;
  const orm = await createOrm({ databaseUrl: url.toString(), poolMax: 2 });
  try {
    let t = performance.now();
    await migrateUp(orm);
    log(`migrated in ${ms(t)} ms`);
    const k = db(orm.em.fork());
    t = performance.now();
    const { orgId, spaceId } = await seed(k, opts.rows);
    log(`seeded ${opts.rows} invocations in ${ms(t)} ms`);
    const actor: Actor = { tokenId: 'bench', organizationId: orgId, role: 'admin', workspaceIds: [] };
    const results: BenchRow[] = [];
    for (const q of queries(opts.rows, spaceId)) results.push(await measure(orm.em.fork(), actor, q, opts.runs));
    return results;
  } finally {
    await orm.close();
    await admin(opts.serverUrl, (c) => c.query(`drop database if exists ${opts.dbName} with (force)`));
  }
}

async function seed(k: Kysely<Database>, n: number): Promise<{ orgId: string; spaceId: string }> {
  const org = await sql<{ id: string }>`insert into organization (id, slug, display_name) values (gen_random_uuid(), 'bench', 'Bench') returning id`.execute(k);
  const orgId = org.rows[0]?.id as string;
  await sql`insert into space (id, organization_id, slug) select gen_random_uuid(), ${orgId}::uuid, 'space-' || s from generate_series(1, ${SPACES}::int) s`.execute(k);
  // One statement: the spaces as an array, then n invocations spread over them.
  await sql`
    with sp as (select array_agg(id order by cursor_id) as ids from space where organization_id = ${orgId}::uuid)
    insert into invocation (id, organization_id, space_id, slug, display_name, function_name, toolchain_type,
                            labels, annotations, hash)
    select gen_random_uuid(), ${orgId}::uuid, sp.ids[(g % ${SPACES}::int) + 1], 'inv-' || g,
           'Invocation ' || g || ' of batch ' || (g % 977), 'fn-' || (g % 1000),
           case when g % 10 = 0 then 'OpenTofu/HCL' else 'Kubernetes/YAML' end,
           jsonb_build_object('team', 'team-' || (g % 50), 'env', (array['prod', 'staging', 'dev'])[g % 3 + 1],
                              'app.kubernetes.io/name', 'app-' || (g % 5000)),
           jsonb_build_object('owner', 'user' || (g % 20000) || '@example.com'),
           md5(g::text)
    from sp, generate_series(1, ${n}::int) g`.execute(k);
  await sql`vacuum analyze invocation`.execute(k);
  await sql`analyze space`.execute(k);
  const space = await sql<{ id: string }>`select id from space where slug = 'space-8'`.execute(k);
  return { orgId, spaceId: space.rows[0]?.id as string };
}

async function measure(
  em: Parameters<typeof db>[0],
  actor: Actor,
  q: { name: string; req: Omit<SelectionRequest, 'entity'> },
  runs: number,
): Promise<BenchRow> {
  const page = async () => {
    const sel = await resolveSelection(em, actor, { entity: 'Invocation', ...q.req });
    return db(em).selectFrom('invocation as i').selectAll('i').where(sel.condition).orderBy('i.cursor_id').limit(100);
  };
  let returned = (await (await page()).execute()).length; // warm-up
  const times: number[] = [];
  for (let r = 0; r < runs; r++) {
    const t = performance.now();
    returned = (await (await page()).execute()).length;
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  const plan = await (await page()).explain('json', sql`analyze`);
  return {
    name: q.name,
    request: q.req.where ? `where=${q.req.where}` : `contains=${q.req.contains}`,
    returned,
    medianMs: round(times[Math.floor(times.length / 2)] ?? NaN),
    maxMs: round(times[times.length - 1] ?? NaN),
    indexes: [...new Set(indexNames(plan[0]))],
  };
}

function indexNames(node: unknown): string[] {
  if (typeof node !== 'object' || node === null) return [];
  const own = 'Index Name' in node && typeof node['Index Name'] === 'string' ? [node['Index Name']] : [];
  return [...own, ...Object.values(node).flatMap((v) => (Array.isArray(v) ? v.flatMap(indexNames) : indexNames(v)))];
}

async function admin<T>(serverUrl: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: serverUrl });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

const round = (x: number) => Math.round(x * 100) / 100;
const ms = (start: number) => Math.round(performance.now() - start);

export function formatTable(rows: BenchRow[]): string {
  const head = ['query', 'request', 'rows', 'median ms', 'max ms', 'indexes used'];
  const body = rows.map((r) => [r.name, r.request, String(r.returned), r.medianMs.toFixed(2), r.maxMs.toFixed(2), r.indexes.join(', ')]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => (b[i] ?? '').length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const rows = Number(process.env.BENCH_ROWS ?? 1_000_000);
  const runs = Number(process.env.BENCH_RUNS ?? 9);
  const serverUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const results = await runQueryBench({ rows, runs, dbName: 'bulkops_bench_query', serverUrl, log: console.log });
  console.log(`\nfirst page (ORDER BY cursor_id LIMIT 100) on ${rows} invocations, median of ${runs} runs:\n`);
  console.log(formatTable(results));
}
