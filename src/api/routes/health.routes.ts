import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppDeps } from '../app.ts';
import { pingDatabase } from '../../infra/orm.ts';
import { pingRedis } from '../../infra/redis.ts';

const Health = z.object({ status: z.enum(['ok', 'unavailable']), postgres: z.boolean().optional(), redis: z.boolean().optional() });

export const healthRoutes: FastifyPluginAsyncZod<{ deps: AppDeps }> = async (app, { deps }) => {
  app.get(
    '/healthz',
    { config: { public: true }, schema: { response: { 200: Health, 503: Health } } },
    async (_request, reply) => {
      const [postgres, redis] = await Promise.all([pingDatabase(deps.orm), pingRedis(deps.redis)]);
      if (postgres && redis) return { status: 'ok' as const };
      return reply.status(503).send({ status: 'unavailable' as const, postgres, redis });
    },
  );
};
