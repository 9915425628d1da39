import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import { buildApp } from '../../src/api/app.ts';
import { loadConfig, type Config } from '../../src/config.ts';
import { createOrm, type Orm } from '../../src/infra/orm.ts';
import { createRedis } from '../../src/infra/redis.ts';
import { createLogger } from '../../src/infra/logger.ts';
import { Metrics } from '../../src/infra/metrics.ts';
import { JobEventHub } from '../../src/infra/job-events.ts';
import { ensureBootstrap } from '../../src/domain/identity/organizations.ts';
import { JobQueue } from '../../src/workers/queue.ts';
import { startWorkers, type RunningWorkers } from '../../src/workers/runtime.ts';
import { createTestDatabase, databaseUrl, dropTestDatabase } from '../helpers/db.ts';
import { caller } from '../helpers/context.ts';

/**
 * The service as main.ts wires it (one logger and one metrics registry shared by the API and an
 * in-process worker), on a fresh database and a private queue prefix. Every log line is kept in
 * `logs` so tests can read what an operator would.
 */
export interface Service {
  app: FastifyInstance;
  orm: Orm;
  config: Config;
  metrics: Metrics;
  rootToken: string;
  /** JSON log lines written so far, parsed. */
  logs: Array<Record<string, unknown>>;
  /** The raw text written to the log. */
  logText(): string;
  /** Base URL when started with listen: true. */
  url: string;
  startWorker(): Promise<RunningWorkers>;
  close(): Promise<void>;
}

export async function startService(opts: { listen?: boolean; env?: Record<string, string>; logLevel?: string } = {}): Promise<Service> {
  const dbName = await createTestDatabase();
  const rootToken = `root_${randomBytes(16).toString('hex')}`;
  const config = loadConfig({
    LOG_LEVEL: opts.logLevel ?? 'info',
    DATABASE_URL: databaseUrl(dbName),
    REDIS_URL: process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379',
    BOOTSTRAP_TOKEN: rootToken,
    ...opts.env,
  });
  const chunks: string[] = [];
  const logger = createLogger(config, { write: (s: string) => void chunks.push(s) });
  const metrics = new Metrics();
  const orm = await createOrm({ databaseUrl: config.databaseUrl, poolMax: 5 });
  await ensureBootstrap(orm.em.fork(), rootToken);
  const redis: Redis = createRedis(config.redisUrl);
  const prefix = `bulkops-test-${dbName}`;
  const queue = new JobQueue(createRedis(config.redisUrl), prefix);
  const events = new JobEventHub(createRedis(config.redisUrl));
  const app = await buildApp({ config, orm, redis, queue, events, logger, metrics });
  let url = '';
  if (opts.listen) {
    await app.listen({ port: 0, host: '127.0.0.1' });
    url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  } else {
    await app.ready();
  }
  const workers: RunningWorkers[] = [];
  const logs: Array<Record<string, unknown>> = [];
  return {
    app,
    orm,
    config,
    metrics,
    rootToken,
    url,
    get logs() {
      logs.length = 0;
      for (const line of chunks.join('').split('\n')) if (line) logs.push(JSON.parse(line) as Record<string, unknown>);
      return logs;
    },
    logText: () => chunks.join(''),
    startWorker: async () => {
      const w = await startWorkers({ config, orm, prefix, logger, metrics });
      metrics.watchQueue(w.queue.queue);
      workers.push(w);
      return w;
    },
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

/** Polls until ok(value) or the deadline; answers the last value either way. */
export async function until<T>(fn: () => Promise<T>, ok: (v: T) => boolean, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (ok(v) || Date.now() > end) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** An organization with an admin and a member token, made through the API as an operator would. */
export async function newOrg(service: Service, slug = `org-${randomBytes(4).toString('hex')}`) {
  const root = caller(service.app, service.rootToken);
  const org = (await root.post('/organization', { Slug: slug })).json();
  const admin = (await root.post('/token', { OrganizationID: org.OrganizationID, Role: 'admin' })).json();
  const member = (await root.post('/token', { OrganizationID: org.OrganizationID, Role: 'member' })).json();
  return {
    organizationId: org.OrganizationID as string,
    admin: caller(service.app, admin.Secret),
    member: caller(service.app, member.Secret),
  };
}
