/**
 * `npm run bench:api-cpu`: CPU time the API process spends per single-entity GET and PATCH, beside
 * the bare floor route (bench/bulk/bare-server.ts) doing the same query with `pg`. Throughput under
 * load on two shared cores (`npm run bench`) moves with whatever else runs; the server's own CPU
 * per request, read from /proc before and after a fixed number of requests, does not, so this is
 * the figure to compare before and after a change to the request path.
 *
 *   npm run bench:api-cpu -- --requests 20000 --connections 8 --rounds 3 --calls GET,PATCH
 *
 * --cpu-prof DIR writes a V8 CPU profile of the API process into DIR (with --calls GET, of GETs).
 *
 * Each round sends the same requests to ours, then to the floor; the table shows every round.
 * The API's logs go to bench/logs/api-cpu.log. BENCH_DATABASE_URL and BENCH_REDIS_URL override
 * the local PostgreSQL and Redis.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
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

/** utime + stime of a process, in microseconds (clock ticks of 10 ms). */
function cpuMicros(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10_000;
}

interface Target {
  name: string;
  child: Child;
  url: string;
  headers: Record<string, string>;
}

async function cpuPerRequest(t: Target, method: 'GET' | 'PATCH', paths: string[]): Promise<{ micros: number; bad: number }> {
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
  const res = await autocannon({ url: t.url, connections, amount: requests, headers: t.headers, requests: [request] });
  const used = cpuMicros(t.child.pid) - before;
  return { micros: used / res.requests.total, bad: res.non2xx + res.errors + res.timeouts };
}

const name = `bulkops_cpu_${randomBytes(4).toString('hex')}`;
const bdb = await createBenchDatabase(serverUrl, name);
try {
  await seedInvocations(bdb, 10_000);
  const sample = await sql<{ id: string; space_id: string }>`
    select id, space_id from invocation order by random() limit 2000`.execute(db(bdb.orm.em.fork()));
  const paths = sample.rows.map((r) => `/space/${r.space_id}/invocation/${r.id}`);

  const apiPort = await freePort();
  const apiUrl = `http://127.0.0.1:${apiPort}`;
  const api = await startChild(
    'api',
    MAIN_SCRIPT,
    {
      DATABASE_URL: bdb.url,
      REDIS_URL: redisUrl,
      QUEUE_PREFIX: `bulkops-cpu-${randomBytes(4).toString('hex')}`,
      LOG_LEVEL: values['log-level'],
      PORT: String(apiPort),
      RATE_LIMIT_PER_MINUTE: '1000000',
      ROLE: 'api',
    },
    async () => (await fetch(`${apiUrl}/healthz`)).ok,
    values['cpu-prof'] ? ['--cpu-prof', `--cpu-prof-dir=${values['cpu-prof']}`] : [],
    'bench/logs/api-cpu.log',
  );
  const barePort = await freePort();
  const bare = await startChild(
    'bare floor',
    'bench/bulk/bare-server.ts',
    { DATABASE_URL: bdb.url, PORT: String(barePort), ORGANIZATION_ID: bdb.actor.organizationId },
    'bare floor ready',
  );
  const targets: Target[] = [
    { name: 'ours', child: api, url: apiUrl, headers: { authorization: `Bearer ${bdb.secret}` } },
    { name: 'floor', child: bare, url: `http://127.0.0.1:${barePort}`, headers: {} },
  ];
  // Warm-up: both servers start cold (JIT, pools).
  for (const t of targets) await cpuPerRequest(t, 'GET', paths);

  const lines: string[] = ['| call  | round | ours us/request | floor us/request | floor / ours |', '| ----- | ----- | --------------- | ---------------- | ------------ |'];
  for (const method of calls) {
    for (let r = 1; r <= rounds; r++) {
      const [ours, floor] = [await cpuPerRequest(targets[0]!, method, paths), await cpuPerRequest(targets[1]!, method, paths)];
      if (ours.bad + floor.bad > 0) throw new Error(`${method}: ${ours.bad} bad answers from ours, ${floor.bad} from the floor`);
      const row = [method.padEnd(5), String(r).padStart(5), ours.micros.toFixed(0).padStart(15), floor.micros.toFixed(0).padStart(16), (floor.micros / ours.micros).toFixed(2).padStart(12)];
      lines.push(`| ${row.join(' | ')} |`);
      console.log(lines.at(-1));
    }
  }
  console.log(`\nCPU of the server process per request, ${requests} requests per run over ${connections} connections\n`);
  console.log(lines.join('\n'));
} finally {
  await stopAllChildren();
  await dropBenchDatabase(serverUrl, bdb);
}
