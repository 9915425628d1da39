import type { FastifyReply, FastifyRequest } from 'fastify';
import { authenticate } from '../../domain/identity/tokens.ts';
import { isOrgAdmin, isSystemAdmin } from '../../domain/identity/actor.ts';
import { sendError } from '../plugins/errors.ts';
import { isSafeMethod, presentedSecret } from '../plugins/session-cookie.ts';
import { html, sendPage } from './html.ts';
import { markBoardViewer } from './queue-board.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The login form and logout: reachable without a session. */
    adminLogin?: boolean;
  }
}

/** A person in a browser asking for a page (not the board's own JSON calls or its assets). */
export const wantsHtml = (request: FastifyRequest) =>
  request.method === 'GET' && (request.headers.accept ?? '').includes('text/html');

export const LOGIN_PATH = '/admin/login';

/** Only our own admin pages are followed after a login, never another site. */
export function safeNext(next: unknown): string {
  return typeof next === 'string' && /^\/admin(\/|$)/.test(next) && !next.startsWith('//') && !next.includes('\\')
    ? next
    : '/admin/queues';
}

function refuse(request: FastifyRequest, reply: FastifyReply, status: 401 | 403, message: string): FastifyReply {
  if (!wantsHtml(request)) return sendError(request, reply, status, message);
  if (status === 401) return reply.redirect(`${LOGIN_PATH}?next=${encodeURIComponent(safeNext(request.url))}`, 303);
  const body = html`<main><section><h1>Not allowed</h1><p class="error">${message}</p>
    <p><a href="${LOGIN_PATH}?next=${encodeURIComponent(safeNext(request.url))}">Log in with another token</a></p></section></main>`;
  return sendPage(reply, { status, title: 'Not allowed', body });
}

/**
 * Every /admin route but the login form: an organization-admin or system-admin token, as a bearer
 * header or the session cookie. Browsers without one are sent to the login form; anything else
 * gets 401 or 403. Changing anything through /admin (the board's actions) needs a system admin.
 */
export async function adminGuard(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> {
  if (request.routeOptions.config?.adminLogin) return undefined;
  const presented = presentedSecret(request);
  const actor = 'secret' in presented ? await authenticate(request.em, presented.secret) : null;
  if (!actor) {
    const why = presented.via === 'none' ? 'log in with an organization-admin or system-admin token' : 'the token is not valid';
    return refuse(request, reply, 401, why);
  }
  if (!isOrgAdmin(actor)) {
    return refuse(request, reply, 403, 'the admin pages need an organization-admin or system-admin token, not a member token');
  }
  if (!isSafeMethod(request.method) && !isSystemAdmin(actor)) {
    return refuse(request, reply, 403, 'queue actions change the work of every organization and need a system-admin token');
  }
  request.actorOrNull = actor;
  markBoardViewer(request.headers, actor);
  return undefined;
}
