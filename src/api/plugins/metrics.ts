import type { FastifyInstance } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { requireSystemAdmin } from '../../domain/identity/actor.ts';
import type { Metrics } from '../../infra/metrics.ts';
import { actorOf } from './auth.ts';

/**
 * Times every answered request by its route pattern, never the raw URL: ids in paths would make a
 * series per entity. Requests that matched no route share one label.
 */
export function registerHttpMetrics(app: FastifyInstance, metrics: Metrics): void {
  app.addHook('onResponse', (request, reply, done) => {
    metrics.observeHttp(request.method, request.routeOptions.url ?? 'unmatched', reply.statusCode, reply.elapsedTime / 1000);
    done();
  });
}

/** GET /metrics on the API port, for system admins (METRICS_PORT serves it without a token). */
export const metricsRoutes: FastifyPluginAsyncZod<{ metrics: Metrics }> = async (app, { metrics }) => {
  app.get('/metrics', async (request, reply) => {
    requireSystemAdmin(actorOf(request));
    const { contentType, body } = await metrics.render();
    return reply.type(contentType).send(body);
  });
};
