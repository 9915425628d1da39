/**
 * `npm run bench:api-cpu`: CPU time the API process spends per single-entity GET and PATCH, beside
 * the bare floor route (bench/bulk/bare-server.ts) doing the same query with `pg`. Throughput under
 * load on two shared cores (`npm run bench`) moves with whatever else runs; the server's own CPU
 * per request, read from /proc before and after a fixed number of requests, does not, so this is
 * the figure to compare before and after a change to the request path.
 *
 *   npm run bench:api-cpu -- --requests 20000 --connections 8 --rounds 3 --calls GET,PATCH
 *
 * --cpu-prof DIR writes a V8 CPU profile of each server process into DIR (with --calls GET, of GETs).
 * --variant KEY=VALUE,... starts a second API process with those settings changed and measures it
 * in the same rounds: an A/B of a setting on one machine state. --baseline REF does the same with
 * the API of another commit (checked out into a temporary git worktree): before and after a change
 * to the code, measured in one run.
 *
 * Each round sends the same requests to ours, then to the floor; the table shows every round.
 * The API's logs go to bench/logs/api-cpu.log. BENCH_DATABASE_URL and BENCH_REDIS_URL override
 * the local PostgreSQL and Redis.
 */
import { randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { sql } from 'kysely';
import { db } from '../src/domain/db.ts';
import { createBenchDatabase, dropBenchDatabase, seedInvocations } from './bulk/database.ts';
import { freePort, MAIN_SCRIPT, startChild, stopAllChildren, type Child } from './bulk/service.ts';

const { values } = parseArgs({
  options: {
    requests: { type: 'string', default: '20000' },
    connections: { type: 'string', default: '8' },
    rounds: { type: 'string', default: '3' },
    'log-level': { type: 'string', default: 'info' },
    calls: { type: 'string', default: 'GET,PATCH' },
    'cpu-prof': { type: 'string' },
    variant: { type: 'string' },
    baseline: { type: 'string' },
  },
});
const requests = Number(values.requests);
const connections = Number(values.connections);
const rounds = Number(values.rounds);
const calls = values.calls.split(',').map((c) => {
  if (c !== 'GET' && c !== 'PATCH') throw new Error(`--calls: ${c} is not GET or PATCH`);
  return c;
});
const serverUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const redisUrl = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** User and system CPU time of a process, in microseconds (clock ticks of 10 ms). */
function cpuMicros(pid: number): { user: number; sys: number } {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
  return { user: Number(fields[11]) * 10_000, sys: Number(fields[12]) * 10_000 };
}

/** User + system CPU of each PostgreSQL process on this machine (its backends serve the servers' queries), microseconds. */
function postgresMicros(): Map<string, number> {
  const byPid = new Map<string, number>();
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      if (!stat.includes('(postgres)')) continue;
      const fields = stat.replace(/^.*\) /, '').split(' ');
      byPid.set(pid, (Number(fields[11]) + Number(fields[12])) * 10_000);
    } catch {
      // the process ended meanwhile
    }
  }
  return byPid;
}

/**
 * What the PostgreSQL processes spent since `before`: a backend that started meanwhile counts
 * whole, and one that ended is left out (pools close idle connections between runs).
 */
function postgresMicrosSince(before: Map<string, number>): number {
  let total = 0;
  for (const [pid, micros] of postgresMicros()) total += micros - (before.get(pid) ?? 0);
  return total;
}

interface Target {
  name: string;
  child: Child;
  url: string;
  headers: Record<string, string>;
}

interface PerRequest {
  /** User + system CPU per request, microseconds. */
  micros: number;
  /** The system (kernel) part of it: syscalls, socket writes. */
  sysMicros: number;
  /** CPU of the PostgreSQL processes per request meanwhile. */
  pgMicros: number;
  bad: number;
}

async function cpuPerRequest(t: Target, method: 'GET' | 'PATCH', paths: string[]): Promise<PerRequest> {
  let i = 0;
  const next = () => paths[i++ % paths.length] as string;
  const request =
    method === 'GET'
      ? { method, setupRequest: (r: object) => ({ ...r, path: next() }) }
      : {
          method,
          headers: { ...t.headers, 'content-type': 'application/merge-patch+json' },
          setupRequest: (r: object) => ({ ...r, path: next(), body: JSON.stringify({ DisplayName: `cpu ${i}` }) }),
        };
  const before = cpuMicros(t.child.pid);
  const pgBefore = postgresMicros();
  const res = await autocannon({ url: t.url, connections, amount: requests, headers: t.headers, requests: [request] });
  const after = cpuMicros(t.child.pid);
  const pg = postgresMicrosSince(pgBefore) / res.requests.total;
  const n = res.requests.total;
  const [user, sys] = [(after.user - before.user) / n, (after.sys - before.sys) / n];
  return { micros: user + sys, sysMicros: sys, pgMicros: pg, bad: res.non2xx + res.errors + res.timeouts };
}

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const worktrees: string[] = [];

/** A detached worktree of `ref` sharing this checkout's node_modules; removed at the end. */
function worktreeOf(ref: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'bulkops-baseline-'));
  execFileSync('git', ['worktree', 'add', '--detach', dir, ref], { cwd: ROOT, stdio: 'ignore' });
  worktrees.push(dir);
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  return dir;
}

function removeWorktrees(): void {
  for (const dir of worktrees) execFileSync('git', ['worktree', 'remove', '--force', dir], { cwd: ROOT, stdio: 'ignore' });
}

const name = `bulkops_cpu_${randomBytes(4).toString('hex')}`;
const bdb = await createBenchDatabase(serverUrl, name);
try {
  await seedInvocations(bdb, 10_000);
  const sample = await sql<{ id: string; space_id: string }>`
    select id, space_id from invocation order by random() limit 2000`.execute(db(bdb.orm.em.fork()));
  const paths = sample.rows.map((r) => `/space/${r.space_id}/invocation/${r.id}`);

  const apiEnv = {
    DATABASE_URL: bdb.url,
    REDIS_URL: redisUrl,
    QUEUE_PREFIX: `bulkops-cpu-${randomBytes(4).toString('hex')}`,
    LOG_LEVEL: values['log-level'],
    RATE_LIMIT_PER_MINUTE: '1000000',
    CHECK_RESPONSES: 'false', // as the production image runs (Dockerfile)
    ROLE: 'api',
  };
  const startApi = async (name: string, env: Record<string, string>, flags: string[], script = MAIN_SCRIPT): Promise<Target> => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const child = await startChild(name, script, { ...env, PORT: String(port) }, async () => (await fetch(`${url}/healthz`)).ok, flags, `bench/logs/${name}.log`);
    return { name, child, url, headers: { authorization: `Bearer ${bdb.secret}` } };
  };
  const profile = values['cpu-prof'] ? ['--cpu-prof', `--cpu-prof-dir=${values['cpu-prof']}`] : [];
  const targets: Target[] = [await startApi('ours', apiEnv, profile)];
  if (values.variant) {
    const changes = Object.fromEntries(values.variant.split(',').map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
    targets.push(await startApi('variant', { ...apiEnv, ...changes }, profile));
  }
  if (values.baseline) targets.push(await startApi('baseline', apiEnv, profile, join(worktreeOf(values.baseline), MAIN_SCRIPT)));
  const barePort = await freePort();
  const bare = await startChild(
    'bare floor',
    'bench/bulk/bare-server.ts',
    { DATABASE_URL: bdb.url, PORT: String(barePort), ORGANIZATION_ID: bdb.actor.organizationId },
    'bare floor ready',
    profile,
  );
  targets.push({ name: 'floor', child: bare, url: `http://127.0.0.1:${barePort}`, headers: {} });
  // Warm-up: every server starts cold (JIT, pools).
  for (const t of targets) await cpuPerRequest(t, 'GET', paths);

  const head = ['call ', 'round', ...targets.flatMap((t) => [`${t.name} us/request`, `${t.name} sys`, `${t.name} pg`]), 'floor / ours'];
  const lines: string[] = [`| ${head.join(' | ')} |`, `| ${head.map((h) => '-'.repeat(h.length)).join(' | ')} |`];
  for (const method of calls) {
    for (let r = 1; r <= rounds; r++) {
      const measured: PerRequest[] = [];
      for (const t of targets) measured.push(await cpuPerRequest(t, method, paths));
      const bad = measured.reduce((n, m) => n + m.bad, 0);
      if (bad > 0) throw new Error(`${method}: ${bad} answers were not 2xx`);
      const cells = measured.flatMap((m, i) => [
        m.micros.toFixed(0).padStart(head[2 + 3 * i]!.length),
        m.sysMicros.toFixed(0).padStart(head[3 + 3 * i]!.length),
        m.pgMicros.toFixed(0).padStart(head[4 + 3 * i]!.length),
      ]);
      const ratio = (measured.at(-1)!.micros / measured[0]!.micros).toFixed(2).padStart(12);
      lines.push(`| ${[method.padEnd(5), String(r).padStart(5), ...cells, ratio].join(' | ')} |`);
      console.log(lines.at(-1));
    }
  }
  console.log(`\nCPU of the server process per request (sys: the kernel's part; pg: of the PostgreSQL processes meanwhile), ${requests} requests per run over ${connections} connections\n`);
  console.log(lines.join('\n'));
} finally {
  await stopAllChildren();
  await dropBenchDatabase(serverUrl, bdb);
  removeWorktrees();
}
