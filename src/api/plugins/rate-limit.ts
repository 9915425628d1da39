import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import type { Config } from '../../config.ts';
import { DomainError } from '../../domain/errors.ts';

/**
 * Requests per token per minute, counted in Redis so every API process shares the count. Keyed by
 * the token's id, never its secret, and checked after authentication (preValidation), so invalid
 * requests count too. Calls without a token (health checks) are not limited. While Redis is away
 * the limit is skipped rather than failing calls that need only PostgreSQL; its connection fails
 * fast instead of queueing commands like the shared ones do.
 */
export async function registerRateLimit(app: FastifyInstance, config: Config): Promise<void> {
  if (config.RATE_LIMIT_PER_MINUTE === 0) return;
  const redis = new Redis(config.redisUrl, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: 500,
    connectTimeout: 1000,
  });
  redis.on('error', () => {}); // skipOnError covers the calls made meanwhile; ioredis reconnects
  app.addHook('onClose', async () => {
    redis.disconnect();
  });
  // Without the offline queue, calls made before the connection is up would go uncounted: the
  // API starts once it is ready, or after connectTimeout when Redis is away (then fail-open).
  await new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(timer);
      redis.off('ready', done);
      resolve();
    };
    const timer = setTimeout(done, 1500);
    redis.once('ready', done);
  });
  await app.register(rateLimit, {
    max: config.RATE_LIMIT_PER_MINUTE,
    timeWindow: 60_000,
    hook: 'preValidation',
    redis,
    nameSpace: 'bulkops:rate:',
    skipOnError: true,
    keyGenerator: (request) => `token:${request.actorOrNull?.tokenId ?? 'none'}`,
    allowList: (request) => request.actorOrNull === null,
    errorResponseBuilder: (_request, context) =>
      new DomainError('RATE_LIMITED', `rate limit of ${context.max} requests per minute exceeded for this token; retry in ${context.after}`),
  });
}
