import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newOrg, startService, type Service } from './service.ts';
import { seedInvocations, seedSpace } from '../helpers/seed.ts';

let svc: Service;
let org: Awaited<ReturnType<typeof newOrg>>;
let other: Awaited<ReturnType<typeof newOrg>>;

beforeAll(async () => {
  svc = await startService({ logLevel: 'silent' });
  org = await newOrg(svc);
  other = await newOrg(svc);
});
afterAll(async () => svc?.close());

const browser = { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' };
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const get = (url: string, headers: Record<string, string> = {}) => svc.app.inject({ method: 'GET', url, headers });

async function login(token: string, next = '/admin/queues', headers: Record<string, string> = {}) {
  return svc.app.inject({
    method: 'POST',
    url: '/admin/login',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    payload: new URLSearchParams({ token, next }).toString(),
  });
}

/** The session cookie as a browser would send it back. */
function sessionOf(res: Awaited<ReturnType<typeof login>>): string {
  const set = ([] as string[]).concat(res.headers['set-cookie'] ?? []);
  const cookie = set.find((c) => c.startsWith('bulkops_session='));
  if (!cookie) throw new Error(`no session cookie in ${JSON.stringify(res.headers)}`);
  return cookie.split(';')[0]!;
}

describe('/admin without a usable token', () => {
  it('answers 401 to an API client and sends a browser to the login form', async () => {
    const api = await get('/admin/queues');
    expect(api.statusCode).toBe(401);
    expect(api.json().Message).toMatch(/organization-admin or system-admin/);
    const page = await get('/admin/jobs/00000000-0000-4000-8000-000000000000', browser);
    expect(page.statusCode).toBe(303);
    expect(page.headers.location).toBe(`/admin/login?next=${encodeURIComponent('/admin/jobs/00000000-0000-4000-8000-000000000000')}`);
    expect((await get('/admin/queues/api/queues', bearer('bko_not-a-real-token-at-all'))).statusCode).toBe(401);
  });

  it('refuses a member token with 403, as a bearer and at the login form', async () => {
    expect((await get('/admin/queues', bearer(org.member.token))).statusCode).toBe(403);
    const page = await get('/admin/queues', { ...browser, ...bearer(org.member.token) });
    expect(page.statusCode).toBe(403);
    expect(page.body).toContain('not a member token');
    const res = await login(org.member.token);
    expect(res.statusCode).toBe(403);
    expect(res.headers['set-cookie']).toBeUndefined();
    expect(res.body).toContain('member token');
  });

  it('shows the login form, refuses a wrong token, and never redirects off the site', async () => {
    const form = await get('/admin/login?next=/admin/jobs/x', browser);
    expect(form.statusCode).toBe(200);
    expect(form.headers['content-type']).toMatch(/text\/html/);
    expect(form.body).toContain('name="token"');
    expect(form.body).toContain('value="/admin/jobs/x"');
    expect((await login('bko_wrong-token-wrong-token')).statusCode).toBe(401);
    for (const next of ['https://evil.example/', '//evil.example/admin', '/job/1', '/admin\\@evil']) {
      const res = await login(org.admin.token, next);
      expect(res.statusCode).toBe(303);
      expect(res.headers.location, next).toBe('/admin/queues');
    }
    const cross = await login(org.admin.token, '/admin/queues', { origin: 'https://evil.example' });
    expect(cross.statusCode).toBe(403);
  });
});

describe('/admin/queues (bull-board)', () => {
  it('serves the board to an organization admin and to a system admin', async () => {
    for (const token of [org.admin.token, svc.rootToken]) {
      const res = await get('/admin/queues', { ...browser, ...bearer(token) });
      expect(res.statusCode).toBe(200);
      expect(res.body).toContain('<base href="/admin/queues/"');
      expect(res.body).toContain('<title>bulkops queues</title>');
    }
  });

  it('shows an organization admin a read-only queue and a system admin the full one', async () => {
    const seen = async (token: string) =>
      (await get('/admin/queues/api/queues', bearer(token))).json().queues.map((q: Record<string, unknown>) => ({
        name: q.name,
        displayName: q.displayName,
        readOnlyMode: q.readOnlyMode,
      }));
    expect(await seen(org.admin.token)).toEqual([{ name: 'read-only:bulkops', displayName: 'bulkops', readOnlyMode: true }]);
    expect(await seen(svc.rootToken)).toEqual([{ name: 'bulkops', displayName: 'bulkops', readOnlyMode: false }]);
  });

  it('lets only a system admin act on a queue', async () => {
    const pause = (token: string, name: string) =>
      svc.app.inject({ method: 'PUT', url: `/admin/queues/api/queues/${encodeURIComponent(name)}/pause`, headers: bearer(token) });
    expect((await pause(org.admin.token, 'bulkops')).statusCode).toBe(403);
    expect((await pause(org.admin.token, 'read-only:bulkops')).statusCode).toBe(403);
    // A system admin cannot reach the read-only view, and can pause and resume the real queue.
    expect((await pause(svc.rootToken, 'read-only:bulkops')).statusCode).toBe(404);
    expect((await pause(svc.rootToken, 'bulkops')).statusCode).toBe(200);
    const queues = (await get('/admin/queues/api/queues', bearer(svc.rootToken))).json().queues;
    expect(queues[0].isPaused).toBe(true);
    const resume = await svc.app.inject({ method: 'PUT', url: '/admin/queues/api/queues/bulkops/resume', headers: bearer(svc.rootToken) });
    expect(resume.statusCode).toBe(200);
  });
});

describe('the session cookie', () => {
  it('is HttpOnly and SameSite=Strict and opens the admin pages', async () => {
    const res = await login(org.admin.token, '/admin/queues');
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/admin/queues');
    const set = ([] as string[]).concat(res.headers['set-cookie'] ?? []).join('\n');
    expect(set).toMatch(/HttpOnly/);
    expect(set).toMatch(/SameSite=Strict/);
    expect(set).toMatch(/Path=\//);
    const cookie = sessionOf(res);
    expect((await get('/admin/queues', { ...browser, cookie })).statusCode).toBe(200);
    expect((await get('/admin/queues/api/queues', { cookie })).statusCode).toBe(200);
  });

  it('authenticates API reads, and writes only from our own origin', async () => {
    const space = await seedSpace(svc.orm, org.organizationId, 'cookie-space');
    await seedInvocations(svc.orm, org.organizationId, space, 2, { prefix: 'cookie' });
    const job = (await org.admin.patch(`/invocation?where=${encodeURIComponent("Slug LIKE 'cookie-%'")}`, { DisplayName: 'c' }, { prefer: 'respond-async' })).json();
    const cookie = sessionOf(await login(org.admin.token));
    expect((await get(`/job/${job.JobID}`, { cookie })).json().JobID).toBe(job.JobID);
    // The board links the waiting plan job to the bulk job's page.
    const board = await get('/admin/queues/api/queues?activeQueue=read-only%3Abulkops&status=waiting', { cookie });
    const links = board.json().queues[0].jobs.map((j: { externalUrl?: { href: string } }) => j.externalUrl?.href);
    expect(links).toContain(`/admin/jobs/${job.JobID}`);
    const cancel = (headers: Record<string, string>) => svc.app.inject({ method: 'POST', url: `/job/${job.JobID}/cancel`, headers: { cookie, ...headers } });
    expect((await cancel({})).statusCode).toBe(401);
    expect((await cancel({ origin: 'https://evil.example' })).statusCode).toBe(401);
    const ok = await cancel({ origin: 'http://localhost:3000', host: 'localhost:3000' });
    expect(ok.statusCode).toBe(200);
    expect(ok.json().State).toBe('cancelled');
  });

  it('stops working after logout (the cookie is cleared) and for a revoked token', async () => {
    const out = await svc.app.inject({ method: 'POST', url: '/admin/logout' });
    expect(out.statusCode).toBe(303);
    expect(String(out.headers['set-cookie'])).toMatch(/bulkops_session=;.*Expires=Thu, 01 Jan 1970/);
    const stale = await get('/admin/queues/api/queues', { cookie: 'bulkops_session=bko_revoked-or-made-up-secret' });
    expect(stale.statusCode).toBe(401);
    const api = await get('/job', { cookie: 'bulkops_session=bko_revoked-or-made-up-secret' });
    expect(api.statusCode).toBe(401);
    expect(api.json().Message).toMatch(/log in again/);
  });
});

describe('/admin/jobs/{job_id}', () => {
  it('is scoped to the organization: another organization gets 404, a bad id 400', async () => {
    const url = `/invocation?where=${encodeURIComponent("Slug = 'none'")}&dry_run=true`;
    const id = (await org.admin.request({ method: 'DELETE', url, headers: { prefer: 'respond-async' } })).json().JobID;
    expect((await get(`/admin/jobs/${id}`, bearer(org.admin.token))).statusCode).toBe(200);
    const theirs = await get(`/admin/jobs/${id}`, { ...browser, ...bearer(other.admin.token) });
    expect(theirs.statusCode).toBe(404);
    expect(theirs.headers['content-type']).toMatch(/text\/html/);
    expect((await get('/admin/jobs/not-a-uuid', bearer(org.admin.token))).statusCode).toBe(400);
    expect((await get(`/admin/jobs/${id}`, bearer(org.member.token))).statusCode).toBe(403);
  });
});
