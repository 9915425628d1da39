import { chmod, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.ts';
import { closedToOthers, ensureLocalServices, StartupError } from '../../src/infra/local-services.ts';

// Port 1 never answers here: it stands for "nothing listening on the default port".
const CLOSED_PG = 'postgres://postgres@127.0.0.1:1/bulkops';
const CLOSED_REDIS = 'redis://127.0.0.1:1';
const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe('configuration', () => {
  it('names every bad variable', () => {
    expect(() => loadConfig({ PORT: 'abc', LOG_LEVEL: 'loud' })).toThrow(ConfigError);
    try {
      loadConfig({ PORT: 'abc', LOG_LEVEL: 'loud', REDIS_URL: 'http://x' });
    } catch (e) {
      expect((e as Error).message).toMatch(/PORT/);
      expect((e as Error).message).toMatch(/LOG_LEVEL/);
      expect((e as Error).message).toMatch(/REDIS_URL/);
    }
    expect(loadConfig({})).toMatchObject({ PORT: 3000, HOST: '127.0.0.1', LOG_LEVEL: 'info', ROLE: 'all' });
  });
});

describe('npm start on a bare machine', () => {
  it('runs an embedded PostgreSQL under the data folder when none answers and DATABASE_URL is unset', async () => {
    const dataRoot = await mkdtemp(path.join(tmpdir(), 'bulkops-data-'));
    dirs.push(dataRoot);
    const config = { ...loadConfig({}), databaseUrl: CLOSED_PG, redisUrl: process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379' };
    // As root the server runs as the postgres user, who must reach the project's node_modules: a
    // clone under a private folder (mode 700) cannot run it, and says so instead of failing later.
    const closed = process.getuid?.() === 0 ? await closedToOthers([path.join(process.cwd(), 'node_modules')]) : undefined;
    if (closed) {
      await expect(ensureLocalServices(config, dataRoot)).rejects.toThrow(`postgres user, who cannot enter ${closed};`);
      return;
    }
    const services = await ensureLocalServices(config, dataRoot);
    try {
      expect(services.databaseUrl).toMatch(/:54329\/bulkops$/);
      const client = new pg.Client({ connectionString: services.databaseUrl });
      await client.connect();
      const res = await client.query<{ v: string }>('select current_setting($$server_version$$) as v');
      expect(Number(res.rows[0]!.v.split('.')[0])).toBeGreaterThanOrEqual(18);
      await client.end();
    } finally {
      await services.stop();
    }
  }, 60_000);

  it('finds the first folder other users cannot enter on the way to a path', async () => {
    const root = await mkdtemp(path.join(tmpdir(), 'bulkops-perm-'));
    dirs.push(root);
    await mkdir(path.join(root, 'private', 'inner'), { recursive: true });
    await chmod(root, 0o755);
    await chmod(path.join(root, 'private'), 0o700);
    expect(await closedToOthers([path.join(root, 'open-file')])).toBeUndefined();
    expect(await closedToOthers([path.join(root, 'private', 'inner', 'bin')])).toBe(path.join(root, 'private'));
    expect(await closedToOthers([path.join(root, 'x'), path.join(root, 'private', 'y')])).toBe(path.join(root, 'private'));
  });

  it('starts a private redis-server when none answers and REDIS_URL is unset', async () => {
    const config = { ...loadConfig({ DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/postgres' }), redisUrl: CLOSED_REDIS };
    const services = await ensureLocalServices(config, '/nonexistent');
    try {
      expect(services.redisUrl).toBe('redis://127.0.0.1:63799');
      const redis = new Redis(services.redisUrl);
      expect(await redis.ping()).toBe('PONG');
      redis.disconnect();
    } finally {
      await services.stop();
    }
  });

  it('exits with one clear line when a configured service does not answer', async () => {
    const noPg = loadConfig({ DATABASE_URL: CLOSED_PG });
    await expect(ensureLocalServices(noPg, '/nonexistent')).rejects.toThrow(StartupError);
    await expect(ensureLocalServices(noPg, '/nonexistent')).rejects.toThrow(/PostgreSQL does not answer at DATABASE_URL \(127\.0\.0\.1:1\)/);
    const noRedis = loadConfig({ DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/postgres', REDIS_URL: CLOSED_REDIS });
    await expect(ensureLocalServices(noRedis, '/nonexistent')).rejects.toThrow(/Redis does not answer at REDIS_URL/);
  });
});
