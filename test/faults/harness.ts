import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { Redis } from 'ioredis';
import { createTestDatabase, databaseUrl, dropTestDatabase, withAdmin } from '../helpers/db.ts';

/**
 * Real processes for the fault tests: the service's own entry point (`node src/main.ts`) as API or
 * worker, a private redis-server per test (never the machine's shared one), and a database cloned
 * from the migrated template.
 */
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export async function until<T>(what: string, fn: () => Promise<T>, ok: (v: T) => boolean, ms = 60_000, every = 100): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v !== undefined && ok(v)) return v;
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what} (last: ${JSON.stringify(v)})`);
    await sleep(every);
  }
}

export interface PrivateRedis {
  url: string;
  port: number;
  client(): Redis;
  /** Stops the server (its data is gone: no persistence). */
  stop(): Promise<void>;
  start(): Promise<void>;
}

export async function startRedis(): Promise<PrivateRedis> {
  const port = await freePort();
  const url = `redis://127.0.0.1:${port}`;
  let child: ChildProcess | null = null;
  const clients: Redis[] = [];
  const start = async () => {
    child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    probe.on('error', () => {});
    await until('redis-server to answer', async () => {
      if (probe.status !== 'ready') await probe.connect().catch(() => {});
      return probe.ping();
    }, (v) => v === 'PONG', 10_000, 50);
    probe.disconnect();
  };
  const stop = async () => {
    const c = child;
    child = null;
    if (!c || c.exitCode !== null) return;
    const exited = new Promise((r) => c.once('exit', r));
    c.kill('SIGKILL');
    await exited;
  };
  await start();
  return {
    url,
    port,
    client: () => {
      const c = new Redis(url, { maxRetriesPerRequest: 1 });
      c.on('error', () => {});
      clients.push(c);
      return c;
    },
    stop: async () => {
      for (const c of clients.splice(0)) c.disconnect();
      await stop();
    },
    start,
  };
}

export interface Service {
  role: 'api' | 'worker' | 'all';
  proc: ChildProcess;
  /** Base URL of the API (api and all roles). */
  url: string;
  output: () => string;
  exited: Promise<number | null>;
  kill(signal: NodeJS.Signals): Promise<number | null>;
}

const live = new Set<Service>();

/** Starts `node src/main.ts` and resolves once it logs that it started. */
export async function startService(role: Service['role'], env: Record<string, string>): Promise<Service> {
  const port = role === 'worker' ? 0 : await freePort();
  const proc = spawn(process.execPath, ['src/main.ts'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ROLE: role, PORT: String(port), LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  const service: Service = {
    role,
    proc,
    url: `http://127.0.0.1:${port}`,
    output: () => out,
    exited,
    kill: async (signal) => {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
      const code = await exited;
      live.delete(service);
      return code;
    },
  };
  live.add(service);
  const started = await Promise.race([
    until(`${role} to start`, async () => out.includes('bulkops started'), (v) => v, 30_000, 50).then(() => true),
    exited.then(() => false),
  ]);
  if (!started) throw new Error(`${role} exited at start:\n${out}`);
  return service;
}

/** Kills whatever a test left running (a failed assertion must not leave processes behind). */
export async function killAll(): Promise<void> {
  await Promise.all([...live].map((s) => s.kill('SIGKILL')));
}

export interface FaultEnv {
  dbName: string;
  databaseUrl: string;
  rootToken: string;
  redis: PrivateRedis;
  pg: pg.Client;
  /** A new connection for `pg` (after the old one was terminated). */
  reconnect(): Promise<void>;
  /** Environment for a service process of this test. */
  env(extra?: Record<string, string>): Record<string, string>;
  close(): Promise<void>;
}

export async function createFaultEnv(): Promise<FaultEnv> {
  const dbName = await createTestDatabase();
  const redis = await startRedis();
  const connect = async () => {
    const c = new pg.Client({ connectionString: databaseUrl(dbName) });
    c.on('error', () => {}); // terminated on purpose by the outage tests
    await c.connect();
    return c;
  };
  const rootToken = `root_${randomBytes(16).toString('hex')}`;
  const env: FaultEnv = {
    dbName,
    databaseUrl: databaseUrl(dbName),
    rootToken,
    redis,
    pg: await connect(),
    reconnect: async () => {
      await env.pg.end().catch(() => {});
      env.pg = await connect();
    },
    env: (extra = {}) => ({ DATABASE_URL: databaseUrl(dbName), REDIS_URL: redis.url, BOOTSTRAP_TOKEN: rootToken, ...extra }),
    close: async () => {
      await killAll();
      await env.pg.end().catch(() => {});
      await redis.stop();
      await withAdmin((c) => c.query(`alter database ${dbName} allow_connections true`)).catch(() => {});
      await dropTestDatabase(dbName);
    },
  };
  return env;
}

export interface Api {
  call(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; json: any; headers: Headers }>;
}

export function api(base: string, token: string): Api {
  return {
    call: async (method, path, body, headers = {}) => {
      const res = await fetch(base + path, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await res.text();
      let json: unknown = text;
      try {
        json = JSON.parse(text);
      } catch {
        // not JSON (SSE, empty)
      }
      return { status: res.status, json, headers: res.headers };
    },
  };
}

/** An organization with an admin token, created through the API with the bootstrap token. */
export async function newOrganization(base: string, rootToken: string): Promise<{ id: string; admin: Api }> {
  const root = api(base, rootToken);
  const org = await root.call('POST', '/organization', { Slug: `org-${randomBytes(4).toString('hex')}` });
  if (org.status !== 200) throw new Error(`create organization: ${org.status} ${JSON.stringify(org.json)}`);
  const token = await root.call('POST', '/token', { OrganizationID: org.json.OrganizationID, Role: 'admin' });
  return { id: org.json.OrganizationID, admin: api(base, token.json.Secret) };
}

/** A space and n invocations `${prefix}-1..n` written straight to PostgreSQL. */
export async function seed(client: pg.Client, organizationId: string, n: number, prefix: string): Promise<string> {
  const space = await client.query<{ id: string }>(
    `insert into space (id, organization_id, slug, display_name, labels, annotations, delete_gates)
     values (gen_random_uuid(), $1, $2, $2, '{}', '{}', '{}') returning id`,
    [organizationId, `space-${prefix}`],
  );
  const spaceId = space.rows[0]!.id;
  await client.query(
    `insert into invocation (id, organization_id, space_id, slug, display_name, function_name, arguments,
                             toolchain_type, labels, annotations, delete_gates, hash)
     select gen_random_uuid(), $1, $2, $3 || '-' || g, 'Invocation ' || g, 'deploy', '[]'::jsonb,
            'Kubernetes/YAML', '{}'::jsonb, '{}'::jsonb, '{}'::jsonb, 'seed'
       from generate_series(1, $4::int) g order by g`,
    [organizationId, spaceId, prefix, n],
  );
  return spaceId;
}

export interface JobProgress {
  state: string;
  total: number | null;
  succeeded: number;
  failed: number;
}

export async function progress(client: pg.Client, jobId: string): Promise<JobProgress> {
  const r = await client.query<JobProgress>('select state, total, succeeded, failed from bulk_job where id = $1', [jobId]);
  return r.rows[0]!;
}

/**
 * The guarantees every fault test checks at the end: the job completed with every item succeeded,
 * every selected entity's Version grew by exactly `bumps`, and each entity has exactly one result,
 * whose Version is the one the entity has now (its change was recorded once).
 */
export async function checkExactlyOnce(client: pg.Client, jobId: string, spaceId: string, n: number, bumps = 1) {
  const job = await progress(client, jobId);
  const versions = await client.query<{ v: number; n: string }>(
    'select version as v, count(*) as n from invocation where space_id = $1 group by version order by version',
    [spaceId],
  );
  const items = await client.query<{ rows: string; entities: string; succeeded: string; with_result: string; version_matches: string }>(
    `select count(*) as rows, count(distinct b.entity_id) as entities,
            count(*) filter (where b.status = 'succeeded') as succeeded,
            count(*) filter (where b.result is not null) as with_result,
            count(*) filter (where (b.result->'Invocation'->>'Version')::int = i.version) as version_matches
       from bulk_item b left join invocation i on i.id = b.entity_id
      where b.job_id = $1`,
    [jobId],
  );
  return {
    job,
    versions: Object.fromEntries(versions.rows.map((r) => [r.v, Number(r.n)])),
    items: Object.fromEntries(Object.entries(items.rows[0]!).map(([k, v]) => [k, Number(v)])),
    expectedVersions: { [1 + bumps]: n },
  };
}

/** Transactions open on the test's database other than the test's own connection. */
export async function openTransactions(env: FaultEnv): Promise<number> {
  const r = await env.pg.query<{ n: number }>(
    `select count(*)::int as n from pg_stat_activity
      where datname = $1 and pid <> pg_backend_pid() and xact_start is not null`,
    [env.dbName],
  );
  return r.rows[0]!.n;
}

/** Starts an asynchronous bulk patch of every invocation in the space; answers the job id. */
export async function patchSpace(admin: Api, spaceId: string, body: unknown): Promise<string> {
  const where = encodeURIComponent(`SpaceID = '${spaceId}'`);
  const res = await admin.call('PATCH', `/invocation?where=${where}`, body, { prefer: 'respond-async' });
  if (res.status !== 202) throw new Error(`bulk patch: ${res.status} ${JSON.stringify(res.json)}`);
  return res.json.JobID;
}
