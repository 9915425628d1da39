import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * The browser side of authentication: the login form stores the token's secret in an HttpOnly,
 * SameSite=Strict cookie, so the admin pages, their EventSource and their fetches carry it without
 * any script ever seeing it. A bearer header always wins over the cookie.
 */
export const SESSION_COOKIE = 'bulkops_session';
export const SESSION_MAX_AGE_SECONDS = 8 * 3600;

const BEARER = /^Bearer\s+(\S+)\s*$/i;
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export const isSafeMethod = (method: string) => SAFE_METHODS.has(method);

/**
 * True when the request's Origin names this server. Browsers send Origin on every cross-origin
 * request and on same-origin requests other than GET/HEAD, so a state-changing call that rides on
 * the cookie must come from one of our own pages (defence in depth beside SameSite=Strict).
 */
export function isSameOrigin(request: FastifyRequest): boolean {
  const origin = request.headers.origin;
  if (!origin) return false;
  try {
    return new URL(origin).host === request.host;
  } catch {
    return false;
  }
}

/** Where the secret came from matters for error messages; the secret itself is never logged. */
export type PresentedSecret = { via: 'bearer' | 'cookie'; secret: string } | { via: 'none' | 'bad-header' };

export function presentedSecret(request: FastifyRequest): PresentedSecret {
  const header = request.headers.authorization;
  if (header !== undefined) {
    const match = BEARER.exec(header);
    return match?.[1] ? { via: 'bearer', secret: match[1] } : { via: 'bad-header' };
  }
  // Parsed here rather than by a hook on every request: a call with a bearer header never needs it.
  const cookies = request.headers.cookie;
  const cookie = cookies ? request.server.parseCookie(cookies)[SESSION_COOKIE] : undefined;
  if (cookie && (isSafeMethod(request.method) || isSameOrigin(request))) return { via: 'cookie', secret: cookie };
  return { via: 'none' };
}

export function setSessionCookie(request: FastifyRequest, reply: FastifyReply, secret: string): void {
  reply.setCookie(SESSION_COOKIE, secret, {
    httpOnly: true,
    sameSite: 'strict',
    // Path / because the job page's EventSource and fetches go to /job/..., outside /admin.
    path: '/',
    // Secure only over TLS: a plain-HTTP deployment on a private network must still be able to log in.
    secure: request.protocol === 'https',
    maxAge: SESSION_MAX_AGE_SECONDS,
  });
}

export function clearSessionCookie(reply: FastifyReply): void {
  reply.clearCookie(SESSION_COOKIE, { path: '/', httpOnly: true, sameSite: 'strict' });
}
