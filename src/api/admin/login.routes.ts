import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { authenticate } from '../../domain/identity/tokens.ts';
import { isOrgAdmin } from '../../domain/identity/actor.ts';
import { clearSessionCookie, isSameOrigin, setSessionCookie } from '../plugins/session-cookie.ts';
import { html, sendPage } from './html.ts';
import { LOGIN_PATH, safeNext } from './admin-guard.ts';

const LoginQuery = z.object({ next: z.string().max(2048).optional() });
const LoginForm = z.object({
  token: z.string().max(512, 'token: at most 512 characters'),
  next: z.string().max(2048).optional(),
});

function loginPage(reply: FastifyReply, next: string, error?: { status: number; message: string }): FastifyReply {
  const body = html`<main><section>
    <h1>bulkops administration</h1>
    <p class="muted">Paste an organization-admin or system-admin token. It is kept in an HttpOnly cookie
      for this browser for 8 hours; log out to remove it.</p>
    ${error ? html`<p class="error" role="alert">${error.message}</p>` : ''}
    <form class="login" method="post" action="${LOGIN_PATH}">
      <label for="token">Token</label>
      <input id="token" name="token" type="password" autocomplete="off" required maxlength="512">
      <input type="hidden" name="next" value="${next}">
      <button type="submit">Log in</button>
    </form></section></main>`;
  return sendPage(reply, { status: error?.status ?? 200, title: 'Log in', body });
}

/** The login form, which turns a pasted token into the session cookie, and logout. */
export const loginRoutes: FastifyPluginAsyncZod = async (app) => {
  const open = { adminLogin: true };

  app.get('/login', { config: open, schema: { querystring: LoginQuery } }, async (request, reply) =>
    loginPage(reply, safeNext(request.query.next)),
  );

  app.post('/login', { config: open, schema: { body: LoginForm } }, async (request, reply) => {
    const next = safeNext(request.body.next);
    if (request.headers.origin !== undefined && !isSameOrigin(request)) {
      return loginPage(reply, next, { status: 403, message: 'the login form was posted from another site' });
    }
    const secret = request.body.token.trim();
    const actor = secret ? await authenticate(request.em, secret) : null;
    if (!actor) return loginPage(reply, next, { status: 401, message: 'That token is not valid.' });
    if (!isOrgAdmin(actor)) {
      return loginPage(reply, next, {
        status: 403,
        message: 'That is a member token; the admin pages need an organization-admin or system-admin token.',
      });
    }
    setSessionCookie(request, reply, secret);
    return reply.redirect(next, 303);
  });

  app.post('/logout', { config: open }, async (_request, reply) => {
    clearSessionCookie(reply);
    return reply.redirect(LOGIN_PATH, 303);
  });

  app.get('/', async (_request, reply) => reply.redirect('/admin/queues', 303));
};
