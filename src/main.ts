import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError, loadConfig, poolSizes } from './config.ts';
import { createOrm, migrateUp, openConnections } from './infra/orm.ts';
import { createRedis } from './infra/redis.ts';
import { ensureLocalServices, StartupError } from './infra/local-services.ts';
import { buildApp } from './api/app.ts';
import { ensureBootstrap } from './domain/identity/organizations.ts';
import { startWorkers } from './workers/runtime.ts';
import { JobQueue } from './workers/queue.ts';
import { JobEventHub } from './infra/job-events.ts';
import { createLogger } from './infra/logger.ts';
import { Metrics } from './infra/metrics.ts';
import { serveMetrics } from './infra/metrics-server.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/**
 * `npm start`: bring up (or find) PostgreSQL and Redis, apply pending migrations, then serve the API
 * and run the workers in this one process. ROLE=api or ROLE=worker runs one side only.
 */
async function main(): Promise<void> {
  const config = loadConfig();
  const services = await ensureLocalServices(config, path.join(ROOT, '.data'));
  const cfg = { ...config, databaseUrl: services.databaseUrl, redisUrl: services.redisUrl };

  const orm = await createOrm({ databaseUrl: cfg.databaseUrl, ...poolSizes(cfg) });
  const applied = await migrateUp(orm);
  await openConnections(orm);
  if (cfg.BOOTSTRAP_TOKEN) await ensureBootstrap(orm.em.fork(), cfg.BOOTSTRAP_TOKEN);
  const redis = createRedis(cfg.redisUrl);

  const closers: Array<() => Promise<unknown>> = [];
  const log = createLogger(cfg);
  let address: string | undefined;
  // One registry per process: with ROLE=all one scrape covers the API and the workers.
  const metrics = new Metrics();
  metrics.watchPool(orm);
  if (cfg.ROLE !== 'worker') {
    const queue = new JobQueue(createRedis(cfg.redisUrl), cfg.QUEUE_PREFIX);
    const events = new JobEventHub(createRedis(cfg.redisUrl));
    const app = await buildApp({ config: cfg, orm, redis, queue, events, logger: log, metrics });
    address = await app.listen({ port: cfg.PORT, host: cfg.HOST });
    closers.push(async () => {
      await app.close();
      await queue.close();
      events.close();
    });
  }
  if (cfg.ROLE !== 'api') {
    const workers = await startWorkers({ config: cfg, orm, logger: log, metrics, ...(cfg.QUEUE_PREFIX ? { prefix: cfg.QUEUE_PREFIX } : {}) });
    metrics.watchQueue(workers.queue.queue);
    closers.push(() => workers.close());
  }
  if (cfg.METRICS_PORT !== undefined) {
    const server = await serveMetrics(metrics, cfg.METRICS_PORT, cfg.METRICS_HOST ?? cfg.HOST);
    log.info({ port: server.port }, 'metrics served on their own port');
    closers.push(() => server.close());
  } else if (cfg.ROLE === 'worker') {
    log.warn('METRICS_PORT is not set: this worker exposes no metrics');
  }
  // The address matters with PORT=0 (tests and tools read it from this line); role is on every line.
  log.info({ address, migrationsApplied: applied }, 'bulkops started');

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    // API first (stop taking work), then workers (finish the active chunk), then connections.
    for (const close of closers) await close().catch(() => {});
    redis.disconnect();
    await orm.close();
    await services.stop();
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((e: unknown) => {
  if (e instanceof ConfigError || e instanceof StartupError) {
    console.error(`bulkops: ${e.message}`);
  } else {
    console.error('bulkops: failed to start:', e);
  }
  process.exit(1);
});
