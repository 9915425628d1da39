import { sql } from 'kysely';
import pg from 'pg';
import { db } from '../../src/domain/db.ts';
import type { Actor } from '../../src/domain/identity/actor.ts';
import { insertToken } from '../../src/domain/identity/tokens.ts';
import { createOrm, migrateUp, type Orm } from '../../src/infra/orm.ts';

/** The bench's own database: created, migrated and seeded here, dropped at the end. */
export interface BenchDatabase {
  name: string;
  url: string;
  orm: Orm;
  actor: Actor;
  /** The admin token's secret, for calls through the API. */
  secret: string;
  spaceIds: string[];
}

export const SPACES = 10;
/** Labels.block numbers the invocations in blocks of this size, so a job of that size is one term. */
export const BLOCK = 10_000;

export async function withAdmin<T>(serverUrl: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: serverUrl });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

export function databaseUrl(serverUrl: string, name: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/**
 * `explainMs`: every statement of every session on the database that runs longer is logged with
 * its EXPLAIN ANALYZE plan in the PostgreSQL server log (auto_explain), to see where a chunk spends.
 */
export async function createBenchDatabase(serverUrl: string, name: string, explainMs?: number): Promise<BenchDatabase> {
  await withAdmin(serverUrl, async (c) => {
    await c.query(`drop database if exists ${name} with (force)`);
    await c.query(`create database ${name}`);
    if (explainMs === undefined) return;
    await c.query(`alter database ${name} set session_preload_libraries = 'auto_explain'`);
    for (const [k, v] of [['log_min_duration', explainMs], ['log_analyze', 'on'], ['log_buffers', 'on'], ['log_nested_statements', 'on']]) {
      await c.query(`alter database ${name} set auto_explain.${k} = '${v}'`);
    }
  });
  const url = databaseUrl(serverUrl, name);
  const orm = await createOrm({ databaseUrl: url, poolMax: 4 });
  await migrateUp(orm);
  const k = db(orm.em.fork());
  const org = await sql<{ id: string }>`
    insert into organization (id, slug, display_name) values (gen_random_uuid(), 'bench', 'Bench') returning id`.execute(k);
  const organizationId = org.rows[0]!.id;
  const token = await insertToken(orm.em.fork(), organizationId, 'admin', []);
  const spaces = await sql<{ id: string }>`
    insert into space (id, organization_id, slug)
    select gen_random_uuid(), ${organizationId}::uuid, 'space-' || s from generate_series(1, ${SPACES}::int) s
    returning id`.execute(k);
  return {
    name,
    url,
    orm,
    actor: { tokenId: token.TokenID, organizationId, role: 'admin', workspaceIds: [] },
    secret: token.Secret,
    spaceIds: spaces.rows.map((r) => r.id),
  };
}

/**
 * n invocations named inv-1..inv-n, spread over the spaces, with a realistic spread of values:
 * one statement, so seeding a million takes a minute rather than an hour.
 */
export async function seedInvocations(bdb: BenchDatabase, n: number): Promise<void> {
  const k = db(bdb.orm.em.fork());
  await sql`
    with sp as (select array_agg(id order by cursor_id) as ids from space where organization_id = ${bdb.actor.organizationId}::uuid)
    insert into invocation (id, organization_id, space_id, slug, display_name, function_name, arguments,
                            toolchain_type, labels, annotations, hash)
    select gen_random_uuid(), ${bdb.actor.organizationId}::uuid, sp.ids[(g % ${SPACES}::int) + 1], 'inv-' || g,
           'Invocation ' || g || ' of batch ' || (g % 977), 'fn-' || (g % 1000),
           jsonb_build_array(jsonb_build_object('ParameterName', 'replicas', 'Value', g % 5)),
           case when g % 10 = 0 then 'OpenTofu/HCL' else 'Kubernetes/YAML' end,
           jsonb_build_object('set', 'orig', 'block', ((g - 1) / ${BLOCK}::int + 1)::text,
                              'team', 'team-' || (g % 50), 'env', (array['prod', 'staging', 'dev'])[g % 3 + 1]),
           jsonb_build_object('owner', 'user' || (g % 20000) || '@example.com'),
           md5(g::text)
      from sp, generate_series(1, ${n}::int) g`.execute(k);
  await vacuum(bdb);
}

/**
 * Dead rows of the previous measurement must not be paid by the next one, nor (with `checkpoint`,
 * the default) the writing of the pages it dirtied. A checkpoint has a price of its own: the first
 * change of each page after it writes the whole page to the WAL, which a small job pays on
 * nearly every page it touches (docs/benchmarks.md, "Targets per run, and small jobs after a checkpoint").
 */
export async function vacuum(bdb: BenchDatabase, opts: { checkpoint?: boolean } = {}): Promise<void> {
  await withAdmin(bdb.url, async (c) => {
    await c.query('vacuum analyze invocation');
    await c.query('vacuum analyze bulk_item');
    await c.query('vacuum analyze bulk_undo');
    if (opts.checkpoint ?? true) await c.query('checkpoint');
  });
}

let checkpointerView: Promise<boolean> | undefined;

/** What the whole PostgreSQL server has done so far (checkpoints begun, WAL written), and autovacuum in the bench's database. */
export interface ServerActivity {
  checkpoints: number;
  walBytes: number;
  /** Autovacuum and autoanalyze runs finished on the database's tables. */
  autovacuums: number;
}

/**
 * Read before and after a measurement, the difference says how many checkpoints fell inside it
 * (after each, the first change of every page writes the whole page to the WAL) and how much WAL
 * it wrote. Both are the server's, not the database's: nothing else should run meanwhile.
 * PostgreSQL 17 moved the checkpoint counters from pg_stat_bgwriter to pg_stat_checkpointer.
 */
export async function serverActivity(bdb: BenchDatabase): Promise<ServerActivity> {
  const k = db(bdb.orm.em.fork());
  // Asked once: a run reads these counters twice per measurement, always from the same server.
  checkpointerView ??= sql<{ yes: boolean }>`select to_regclass('pg_catalog.pg_stat_checkpointer') is not null as yes`
    .execute(k)
    .then((r) => r.rows[0]?.yes === true);
  const counters = (await checkpointerView)
    ? sql`select num_timed + num_requested from pg_stat_checkpointer`
    : sql`select checkpoints_timed + checkpoints_req from pg_stat_bgwriter`;
  const r = await sql<{ checkpoints: string; wal: string; autovacuums: string }>`
    select (${counters})::text as checkpoints, pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::text as wal,
           (select coalesce(sum(autovacuum_count + autoanalyze_count), 0) from pg_stat_all_tables)::text as autovacuums`.execute(k);
  return { checkpoints: Number(r.rows[0]!.checkpoints), walBytes: Number(r.rows[0]!.wal), autovacuums: Number(r.rows[0]!.autovacuums) };
}

/**
 * Server settings for one run (`--pg-set NAME=VALUE`), applied with ALTER SYSTEM and a reload,
 * and undone the same way by the function this answers: a run can ask for, say, checkpoints
 * spaced for the WAL a 1,000,000-entity job writes. Refused: settings a reload does not apply,
 * and settings ALTER SYSTEM holds a value for already (resetting would lose it). Answers the
 * values in effect and the undo.
 */
export async function applyServerSettings(
  serverUrl: string,
  settings: Record<string, string>,
): Promise<{ effective: Record<string, string>; reset: () => Promise<void> }> {
  const names = Object.keys(settings);
  if (names.length === 0) return { effective: {}, reset: async () => {} };
  const loadedBefore = await withAdmin(serverUrl, async (c) => {
    for (const name of names) {
      const known = await c.query<{ context: string }>('select context from pg_settings where name = $1', [name]);
      const context = known.rows[0]?.context;
      if (!context) throw new Error(`--pg-set ${name}: no such PostgreSQL setting`);
      if (context === 'postmaster' || context === 'internal') {
        throw new Error(`--pg-set ${name}: takes effect only when the server restarts (context ${context})`);
      }
      const held = await c.query("select 1 from pg_file_settings where name = $1 and sourcefile like '%postgresql.auto.conf'", [name]);
      if (held.rowCount) throw new Error(`--pg-set ${name}: ALTER SYSTEM holds a value for it already; a reset afterwards would lose it`);
    }
    const loaded = await c.query<{ t: string }>('select pg_conf_load_time()::text as t');
    const set: string[] = [];
    try {
      for (const name of names) {
        await c.query(`alter system set ${c.escapeIdentifier(name)} = ${c.escapeLiteral(settings[name]!)}`);
        set.push(name);
      }
    } catch (e) {
      // A value PostgreSQL refuses: undo the ones before it.
      await alterSystemReset(c, set);
      throw e;
    }
    await c.query('select pg_reload_conf()');
    return loaded.rows[0]!.t;
  });
  const held = applied.get(serverUrl) ?? new Set<string>();
  for (const n of names) held.add(n);
  applied.set(serverUrl, held);
  const reset = () => resetServerSettings(serverUrl, names);
  try {
    return { effective: await settingsAfterReload(serverUrl, names, loadedBefore), reset };
  } catch (e) {
    await reset();
    throw e;
  }
}

/** What this process has set by ALTER SYSTEM and not reset yet, so that an interrupted run undoes exactly that. */
const applied = new Map<string, Set<string>>();

async function alterSystemReset(c: pg.Client, names: string[]): Promise<void> {
  for (const name of names) await c.query(`alter system reset ${c.escapeIdentifier(name)}`);
}

async function resetServerSettings(serverUrl: string, names: string[]): Promise<void> {
  if (names.length === 0) return;
  await withAdmin(serverUrl, async (c) => {
    await alterSystemReset(c, names);
    await c.query('select pg_reload_conf()');
  });
  for (const n of names) applied.get(serverUrl)?.delete(n);
}

/** Undoes every applyServerSettings of this process not undone yet (an interrupted run). */
export async function resetAppliedServerSettings(serverUrl: string): Promise<void> {
  await resetServerSettings(serverUrl, [...(applied.get(serverUrl) ?? [])]);
}

/**
 * The postmaster rereads the files after pg_reload_conf() has answered; a session started after
 * that sees a later pg_conf_load_time() and the new values.
 */
async function settingsAfterReload(serverUrl: string, names: string[], loadedBefore: string): Promise<Record<string, string>> {
  for (let i = 0; i < 50; i++) {
    const now = await withAdmin(serverUrl, async (c) => {
      const r = await c.query<{ name: string; v: string; reloaded: boolean }>(
        'select name, current_setting(name) as v, pg_conf_load_time() > $2::timestamptz as reloaded from pg_settings where name = any($1)',
        [names, loadedBefore],
      );
      return r.rows[0]?.reloaded ? Object.fromEntries(r.rows.map((x) => [x.name, x.v])) : undefined;
    });
    if (now) return now;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('--pg-set: the server did not reload its configuration within 5 s');
}

export async function dropBenchDatabase(serverUrl: string, bdb: { name: string; orm?: Orm }): Promise<void> {
  await bdb.orm?.close().catch(() => {});
  await withAdmin(serverUrl, (c) => c.query(`drop database if exists ${bdb.name} with (force)`));
}
