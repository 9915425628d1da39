import type { FastifyError, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Queue } from 'bullmq';
import { DomainError } from '../../domain/errors.ts';
import { getJobRow, readResults } from '../../domain/bulk/queries.ts';
import { jobView } from '../../domain/bulk/job-view.ts';
import { actorOf } from '../plugins/auth.ts';
import { sendError } from '../plugins/errors.ts';
import { adminGuard, wantsHtml } from './admin-guard.ts';
import { html, newNonce, sendPage } from './html.ts';
import { failedEntities, jobPageBody } from './job-page.ts';
import { loginRoutes } from './login.routes.ts';
import { queueBoard } from './queue-board.ts';

export interface AdminDeps {
  /** Every queue the workers use; the board shows each. */
  queues: readonly Queue[];
}

const FAILED_ON_PAGE = 50;
const FORM_LIMIT = 8 * 1024;

const jobPage: FastifyPluginAsyncZod = async (app) => {
  app.get('/jobs/:job_id', { schema: { params: z.strictObject({ job_id: z.uuid('job_id must be a UUID') }) } }, async (request, reply) => {
    // Scoped like every job route: another organization's job is 404.
    const row = await getJobRow(request.em, actorOf(request), request.params.job_id);
    const failed = await readResults(request.em, row, { status: 'failed', limit: FAILED_ON_PAGE });
    const nonce = newNonce();
    const body = jobPageBody({ job: jobView(row), failed: failedEntities(failed.results), failedLimit: FAILED_ON_PAGE, nonce });
    return sendPage(reply, { title: `Job ${row.id}`, body, nonce });
  });
};

/** Errors on admin pages: a page for a person, the usual JSON error for anything else. */
function adminError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  let status = error instanceof DomainError ? error.status : (error.statusCode ?? 500);
  if (hasZodFastifySchemaValidationErrors(error)) status = 400;
  if (status >= 500) request.log.error({ err: error }, 'admin page failed');
  const message = status >= 500 ? 'internal error' : error.message;
  if (!wantsHtml(request)) return sendError(request, reply, status, message);
  const body = html`<main><section><h1>${status}</h1><p class="error">${message}</p>
    <p><a href="/admin/queues">Queues</a></p></section></main>`;
  return sendPage(reply, { status, title: String(status), body });
}

/**
 * Everything under /admin: the login form, the queue board and the job pages. Routes here are
 * authenticated by adminGuard (bearer header or session cookie, organization admin at least)
 * instead of the API's bearer-only hook, and are left out of the API description.
 */
export const adminRoutes: FastifyPluginAsync<{ deps: AdminDeps }> = async (app, { deps }) => {
  app.addHook('onRoute', (route) => {
    route.config = { ...route.config, adminAuth: true };
    route.schema = { ...route.schema, hide: true } as typeof route.schema;
  });
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: FORM_LIMIT }, (_req, body, done) =>
    done(null, Object.fromEntries(new URLSearchParams(body as string))),
  );
  app.addHook('onRequest', adminGuard);
  app.setErrorHandler(adminError);

  await app.register(loginRoutes);
  await app.register(jobPage);
  await app.register(queueBoard(deps.queues), { prefix: '/queues' });
};
