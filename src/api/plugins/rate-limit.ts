import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import type { Config } from '../../config.ts';
import { DomainError } from '../../domain/errors.ts';
import { BatchedRedisStore } from './batched-rate-store.ts';

/**
 * Requests per token per minute, counted in each process and shared through Redis every 100 ms
 * (BatchedRedisStore), so every API process sees the others' calls. Keyed by the token's id, never
 * its secret, and checked after authentication (preValidation), so invalid requests count too.
 * Calls without a token (health checks) are not limited. While Redis is away each process goes on
 * counting alone rather than failing calls that need only PostgreSQL; its connection fails fast
 * instead of queueing commands like the shared ones do.
 */
export async function registerRateLimit(app: FastifyInstance, config: Config): Promise<void> {
  if (config.RATE_LIMIT_PER_MINUTE === 0) return;
  const redis = new Redis(config.redisUrl, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: 500,
    connectTimeout: 1000,
  });
  redis.on('error', () => {}); // the store goes on counting in the process meanwhile; ioredis reconnects
  const WINDOW_MS = 60_000;
  const store = new BatchedRedisStore(redis, 'bulkops:rate:', WINDOW_MS);
  app.addHook('onClose', async () => {
    store.close();
    redis.disconnect();
  });
  await app.register(rateLimit, {
    max: config.RATE_LIMIT_PER_MINUTE,
    timeWindow: WINDOW_MS,
    hook: 'preValidation',
    store: function Store() {
      return store;
    } as unknown as NonNullable<Parameters<typeof rateLimit>[1]>['store'],
    skipOnError: true,
    keyGenerator: (request) => `token:${request.actorOrNull?.tokenId ?? 'none'}`,
    allowList: (request) => request.actorOrNull === null,
    errorResponseBuilder: (_request, context) =>
      new DomainError('RATE_LIMITED', `rate limit of ${context.max} requests per minute exceeded for this token; retry in ${context.after}`),
  });
}
