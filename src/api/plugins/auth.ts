import type { FastifyInstance, FastifyRequest } from 'fastify';
import { authenticate, hashSecret } from '../../domain/identity/tokens.ts';
import type { Actor } from '../../domain/identity/actor.ts';
import { DomainError } from '../../domain/errors.ts';
import { presentedSecret } from './session-cookie.ts';
import { TokenCache } from './token-cache.ts';

declare module 'fastify' {
  interface FastifyRequest {
    actorOrNull: Actor | null;
  }
  interface FastifyContextConfig {
    /** Routes that answer without a token (health checks). */
    public?: boolean;
    /** Routes under /admin authenticate in their own hook (login redirect for browsers). */
    adminAuth?: boolean;
  }
}

const REFUSED = {
  none: 'missing bearer token',
  'bad-header': 'the bearer token is not valid',
  bearer: 'the bearer token is not valid',
  cookie: 'the session has ended or its token was revoked: log in again at /admin/login',
} as const;

/** `cacheSeconds`: how long a token, once found, is trusted without asking the database again. */
export function registerAuth(app: FastifyInstance, opts: { cacheSeconds: number } = { cacheSeconds: 0 }): void {
  const cache = new TokenCache(opts.cacheSeconds * 1000);
  const lookup = async (request: FastifyRequest, secret: string): Promise<Actor | null> => {
    const key = hashSecret(secret);
    const cached = cache.get(key);
    if (cached) return cached;
    const actor = await authenticate(request.em, secret);
    if (actor) cache.set(key, actor);
    return actor;
  };
  app.decorateRequest('actorOrNull', null);
  app.addHook('onRequest', async (request) => {
    const config = request.routeOptions.config;
    if (config?.public || config?.adminAuth) return;
    const presented = presentedSecret(request);
    const actor = 'secret' in presented ? await lookup(request, presented.secret) : null;
    if (!actor) throw new DomainError('UNAUTHORIZED', REFUSED[presented.via]);
    request.actorOrNull = actor;
  });
}

/** The authenticated caller; every non-public route has one. */
export function actorOf(request: FastifyRequest): Actor {
  if (!request.actorOrNull) throw new DomainError('UNAUTHORIZED', 'missing bearer token');
  return request.actorOrNull;
}
