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
  app.decorateRequest('actorOrNull', null);
  // A callback hook, not an async one: a token found in the cache (nearly every call) is
  // answered without a promise; only a miss waits for the database.
  app.addHook('onRequest', (request, _reply, done) => {
    const config = request.routeOptions.config;
    if (config?.public || config?.adminAuth) return done();
    const presented = presentedSecret(request);
    if (!('secret' in presented)) return done(new DomainError('UNAUTHORIZED', REFUSED[presented.via]));
    const key = hashSecret(presented.secret);
    const cached = cache.get(key);
    if (cached) {
      request.actorOrNull = cached;
      return done();
    }
    authenticate(request.em, presented.secret).then((actor) => {
      if (!actor) return done(new DomainError('UNAUTHORIZED', REFUSED[presented.via]));
      cache.set(key, actor);
      request.actorOrNull = actor;
      done();
    }, done);
  });
}

/** The authenticated caller; every non-public route has one. */
export function actorOf(request: FastifyRequest): Actor {
  if (!request.actorOrNull) throw new DomainError('UNAUTHORIZED', 'missing bearer token');
  return request.actorOrNull;
}
