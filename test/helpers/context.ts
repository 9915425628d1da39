import { randomBytes } from 'node:crypto';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { buildApp, type AppDeps } from '../../src/api/app.ts';
import { loadConfig, type Config } from '../../src/config.ts';
import { createOrm, type Orm } from '../../src/infra/orm.ts';
import { createRedis } from '../../src/infra/redis.ts';
import { ensureBootstrap } from '../../src/domain/identity/organizations.ts';
import { createTestDatabase, databaseUrl, dropTestDatabase } from './db.ts';
import type { Redis } from 'ioredis';
import { JobQueue } from '../../src/workers/queue.ts';
import { JobEventHub } from '../../src/infra/job-events.ts';
import { startWorkers, type RunningWorkers } from '../../src/workers/runtime.ts';

export interface TestContext {
  app: FastifyInstance;
  orm: Orm;
  redis: Redis;
  config: Config;
  dbName: string;
  /** The system-admin token of the `default` organization. */
  rootToken: string;
  /** BullMQ key prefix of this test file, so files never see each other's queue jobs. */
  prefix: string;
  queue: JobQueue;
  /** What buildApp was given, to build a variant of the app. */
  deps: AppDeps;
  /** Starts an in-process worker on this file's queue (closed with the context). */
  startWorker(opts?: { reconcileStaleSeconds?: number; reconcileEverySeconds?: number }): Promise<RunningWorkers>;
  close(): Promise<void>;
}

/** One fresh database and one app per test file, on the machine's real PostgreSQL and Redis. */
export async function createTestContext(
  env: Record<string, string> = {},
  opts: { workers?: boolean } = {},
): Promise<TestContext> {
  const dbName = await createTestDatabase();
  const rootToken = `root_${randomBytes(16).toString('hex')}`;
  const config = loadConfig({
    LOG_LEVEL: 'silent',
    DATABASE_URL: databaseUrl(dbName),
    REDIS_URL: process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379',
    BOOTSTRAP_TOKEN: rootToken,
    ...env,
  });
  const orm = await createOrm({ databaseUrl: config.databaseUrl, poolMax: 5 });
  await ensureBootstrap(orm.em.fork(), rootToken);
  const redis = createRedis(config.redisUrl);
  const prefix = `bulkops-test-${dbName}`;
  const queue = new JobQueue(createRedis(config.redisUrl), prefix);
  const events = new JobEventHub(createRedis(config.redisUrl));
  const deps: AppDeps = { config, orm, redis, queue, events };
  const app = await buildApp(deps);
  await app.ready();
  const workers: RunningWorkers[] = [];
  const startWorker: TestContext['startWorker'] = async (o = {}) => {
    const w = await startWorkers({ config, orm, prefix, ...o });
    workers.push(w);
    return w;
  };
  if (opts.workers) await startWorker();
  return {
    app,
    orm,
    redis,
    config,
    dbName,
    rootToken,
    prefix,
    queue,
    deps,
    startWorker,
    close: async () => {
      for (const w of workers) await w.close();
      await app.close();
      await queue.queue.obliterate({ force: true }).catch(() => {});
      await queue.close();
      events.close();
      redis.disconnect();
      await orm.close();
      await dropTestDatabase(dbName);
    },
  };
}

export interface Caller {
  token: string;
  request(opts: InjectOptions): Promise<LightMyRequestResponse>;
  get(url: string): Promise<LightMyRequestResponse>;
  post(url: string, body?: unknown, headers?: Record<string, string>): Promise<LightMyRequestResponse>;
  patch(url: string, body?: unknown, headers?: Record<string, string>): Promise<LightMyRequestResponse>;
  put(url: string, body?: unknown): Promise<LightMyRequestResponse>;
  delete(url: string): Promise<LightMyRequestResponse>;
}

/** Binds a token to app.inject so tests read like the calls a client makes. */
export function caller(app: FastifyInstance, token: string): Caller {
  const request = (opts: InjectOptions) =>
    app.inject({ ...opts, headers: { authorization: `Bearer ${token}`, ...(opts.headers ?? {}) } });
  const withBody = (method: 'POST' | 'PATCH' | 'PUT') => (url: string, body?: unknown, headers?: Record<string, string>) =>
    request({
      method,
      url,
      ...(body === undefined ? {} : { payload: JSON.stringify(body), headers: { 'content-type': 'application/json', ...headers } }),
    });
  return {
    token,
    request,
    get: (url) => request({ method: 'GET', url }),
    post: withBody('POST'),
    patch: withBody('PATCH'),
    put: withBody('PUT'),
    delete: (url) => request({ method: 'DELETE', url }),
  };
}

/** Creates an organization and an admin token for it. */
export async function newOrganization(ctx: TestContext, slug = `org-${randomBytes(4).toString('hex')}`) {
  const root = caller(ctx.app, ctx.rootToken);
  const org = (await root.post('/organization', { Slug: slug })).json();
  const admin = (await root.post('/token', { OrganizationID: org.OrganizationID, Role: 'admin' })).json();
  const member = (await root.post('/token', { OrganizationID: org.OrganizationID, Role: 'member' })).json();
  return {
    organizationId: org.OrganizationID as string,
    admin: caller(ctx.app, admin.Secret),
    member: caller(ctx.app, member.Secret),
  };
}
