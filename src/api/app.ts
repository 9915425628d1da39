import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyRequest } from 'fastify';
import { validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Redis } from 'ioredis';
import type { Config } from '../config.ts';
import type { Orm } from '../infra/orm.ts';
import { db, type Db, type Prepared, preparedOf } from '../domain/db.ts';
import { registerErrorHandling } from './plugins/errors.ts';
import { responseSerializerCompiler } from './plugins/response-serializer.ts';
import { registerAuth } from './plugins/auth.ts';
import { registerApiDocs } from './openapi/docs.plugin.ts';
import { registerRateLimit } from './plugins/rate-limit.ts';
import { registerJsonBodies } from './plugins/json-body.ts';
import { healthRoutes } from './routes/health.routes.ts';
import { identityRoutes } from './routes/identity.routes.ts';
import { spaceRoutes } from './routes/space.routes.ts';
import { bridgeWorkerRoutes } from './routes/bridge-worker.routes.ts';
import { filterRoutes } from './routes/filter.routes.ts';
import { invocationRoutes } from './routes/invocation.routes.ts';
import { workspaceRoutes } from './routes/workspaces.routes.ts';
import { schemaRoutes } from './routes/schemas.routes.ts';
import { functionRoutes } from './routes/functions.routes.ts';
import { functionVersionRoutes } from './routes/function-versions.routes.ts';
import { bulkRoutes } from './routes/bulk.routes.ts';
import { jobRoutes } from './routes/job.routes.ts';
import type { JobQueue } from '../workers/queue.ts';
import type { JobEventHub } from '../infra/job-events.ts';
import cookie from '@fastify/cookie';
import { createLogger, type Logger } from '../infra/logger.ts';
import { Metrics } from '../infra/metrics.ts';
import { registerHttpMetrics, metricsRoutes } from './plugins/metrics.ts';
import { echoRequestId, requestIdOf } from './plugins/request-id.ts';
import { AccessLogController } from './plugins/access-log.ts';
import { adminRoutes } from './admin/admin.routes.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** An EntityManager forked for this request alone, on first use. */
    em: EntityManager;
    /**
     * Kysely on the pool, outside any transaction and identity map, for calls whose statements
     * each stand alone (the single-entity invocation calls: a read, then an UPDATE or DELETE that
     * checks the version or gates itself). They need no fork of their own.
     */
    db: Db;
    /** The same pool, for the statements that run as named prepared statements. */
    prepared: Prepared;
  }
}

const FORKED = Symbol('em');

export interface AppDeps {
  config: Config;
  orm: Orm;
  redis: Redis;
  /** Producer side of the bulk queue. */
  queue: JobQueue;
  /** Progress events of bulk jobs, for waiting calls and SSE. */
  events: JobEventHub;
  /** The process's root logger (JSON, secrets redacted); made from config when absent. */
  logger?: Logger;
  /** Shared with in-process workers under ROLE=all; a private registry when absent. */
  metrics?: Metrics;
}

export const BODY_LIMIT = 1024 * 1024;

/** Builds the API without listening; tests drive it with app.inject(). */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const metrics = deps.metrics ?? new Metrics();
  metrics.watchQueue(deps.queue.queue);
  metrics.watchPool(deps.orm);
  const app = Fastify({
    // Typed as Fastify's base logger so plugins and routes keep their default instance type.
    loggerInstance: (deps.logger ?? createLogger(deps.config)) as FastifyBaseLogger,
    bodyLimit: BODY_LIMIT,
    requestIdHeader: false,
    genReqId: requestIdOf,
    logController: new AccessLogController(),
    ajv: undefined,
  }).withTypeProvider<ZodTypeProvider>();

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(responseSerializerCompiler(deps.config.CHECK_RESPONSES));
  // RFC 7396 bodies are JSON too; both are parsed by Fastify's own JSON parser, then checked.
  registerJsonBodies(app, BODY_LIMIT);

  // Only JSON bodies are accepted; anything else (text/plain included) is a 415.
  app.removeContentTypeParser('text/plain');
  registerErrorHandling(app);
  // Forked when a handler first asks: a fork was 3% of a GET's CPU (MikroORM writes process.env
  // twice per fork), and the single-entity calls and cached token checks never use one.
  app.decorateRequest('em', {
    getter(this: FastifyRequest & { [FORKED]?: EntityManager }) {
      return (this[FORKED] ??= deps.orm.em.fork());
    },
  });
  const pooled = db(deps.orm.em);
  app.decorateRequest('db', { getter: () => pooled });
  const prepared = await preparedOf(deps.orm.em);
  app.decorateRequest('prepared', { getter: () => prepared });
  // No parsing hook: presentedSecret reads the one cookie it needs when a call has no bearer header.
  await app.register(cookie, { hook: false });
  registerAuth(app, { cacheSeconds: deps.config.AUTH_CACHE_SECONDS });
  echoRequestId(app);
  registerHttpMetrics(app, metrics);
  await registerApiDocs(app);
  await registerRateLimit(app, deps.config); // before the routes: it hooks each route as it is added

  await app.register(healthRoutes, { deps });
  await app.register(identityRoutes);
  await app.register(spaceRoutes);
  await app.register(bridgeWorkerRoutes);
  await app.register(filterRoutes);
  await app.register(invocationRoutes);
  await app.register(workspaceRoutes);
  await app.register(schemaRoutes);
  await app.register(functionRoutes);
  await app.register(functionVersionRoutes);
  const bulkDeps = { queue: deps.queue, events: deps.events, chunkSize: deps.config.BULK_CHUNK_SIZE, recordUndo: deps.config.BULK_RECORD_UNDO };
  await app.register(bulkRoutes, { deps: bulkDeps });
  await app.register(jobRoutes, { deps: bulkDeps });
  await app.register(metricsRoutes, { metrics });
  await app.register(adminRoutes, { prefix: '/admin', deps: { queues: [deps.queue.queue] } });
  return app;
}
