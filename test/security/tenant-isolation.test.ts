import { randomBytes, randomUUID } from 'node:crypto';
import { typeid } from 'typeid-js';
import type { InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { caller, createTestContext, newOrganization, type Caller, type TestContext } from '../helpers/context.ts';
import { db } from '../../src/domain/db.ts';
import { registeredRoutes } from './routes.ts';

/**
 * Organization B's tokens against organization A's entities and jobs, on every route the app
 * registers: each answers 403 or 404 (or, for lists and creates that stay inside B, B's own data),
 * never anything of A's, and A's rows are unchanged afterwards. Every answer must also be the one
 * B gets with A's ids swapped for ids that exist nowhere, so a call cannot even tell whether A's
 * object exists. A route without a case here fails the test, so a new route cannot escape it.
 */
let ctx: TestContext;
let A: Awaited<ReturnType<typeof newOrganization>>;
let B: Awaited<ReturnType<typeof newOrganization>>;
/** Text only A's data contains; B's requests carry A's ids, never this. */
const MARK = `amark${randomBytes(4).toString('hex')}`;
const ids: Record<string, string> = {};

const json = (method: InjectOptions['method'], url: string, body?: unknown, type = 'application/json'): InjectOptions => ({
  method,
  url,
  ...(body === undefined ? {} : { payload: JSON.stringify(body), headers: { 'content-type': type } }),
});
const q = (s: string) => encodeURIComponent(s);

beforeAll(async () => {
  ctx = await createTestContext({ BULK_CHUNK_SIZE: '10' });
  A = await newOrganization(ctx);
  B = await newOrganization(ctx);
  const ok = async (p: Promise<{ statusCode: number; body: string; json(): any }>, status = 200) => {
    const r = await p;
    expect(r.statusCode, r.body).toBe(status);
    return r.json();
  };
  ids.space = (await ok(A.admin.post('/space', { Slug: `${MARK}-space`, DisplayName: MARK, Labels: { secret: MARK } }))).SpaceID;
  ids.bspace = (await ok(B.admin.post('/space', { Slug: 'b-space' }))).SpaceID;
  ids.bridge = (await ok(A.admin.post(`/space/${ids.space}/bridge_worker`, { Slug: `${MARK}-bw`, DisplayName: MARK }))).BridgeWorkerID;
  ids.filter = (await ok(A.admin.post(`/space/${ids.space}/filter`, { Slug: `${MARK}-filter`, DisplayName: MARK, Where: `DisplayName = '${MARK}'`, From: 'Invocation' }))).FilterID;
  const inv = await ok(A.admin.post(`/space/${ids.space}/invocation`, { Slug: `${MARK}-inv`, DisplayName: MARK, ToolchainType: 'Kubernetes/YAML', Labels: { secret: MARK } }));
  ids.invocation = inv.InvocationID;
  // Bulk calls below answer once their job is done: a worker runs throughout.
  await ctx.startWorker();
  await ok(A.admin.patch(`/invocation?where=${q(`InvocationID = '${ids.invocation}'`)}`, { Annotations: { note: MARK } }, { prefer: 'wait=20' }));
  ids.job = (await ok(A.admin.get('/job?limit=1')))[0].JobID;
  ids.workspace = (await ok(A.admin.post('/api/workspaces', { name: `${MARK}-ws` }), 201)).id;
  ids.schemaIn = (await ok(A.admin.post('/api/schemas', { workspaceId: ids.workspace, name: `${MARK}-in`, definition: { title: MARK } }), 201)).id;
  ids.schemaOut = (await ok(A.admin.post('/api/schemas', { workspaceId: ids.workspace, name: `${MARK}-out`, definition: { title: MARK } }), 201)).id;
  ids.function = (await ok(A.admin.post('/api/functions', { workspaceId: ids.workspace, name: `${MARK}-fn`, description: MARK }), 201)).id;
  ids.version = (await ok(A.admin.post('/api/function-versions', { functionId: ids.function, inputSchemaId: ids.schemaIn, outputSchemaId: ids.schemaOut, name: `${MARK}-v`, files: [{ path: 'main.ts', content: MARK }] }), 201)).id;
  ids.deletedVersion = (await ok(A.admin.post('/api/function-versions', { functionId: ids.function, inputSchemaId: ids.schemaIn, outputSchemaId: ids.schemaOut, name: `${MARK}-old` }), 201)).id;
  await ok(A.admin.request({ method: 'DELETE', url: `/api/function-versions/${ids.deletedVersion}` }));
}, 60_000);
afterAll(async () => ctx?.close());

/**
 * denied: 403 or 404. refused: a parameter or body field naming A's object is answered like an
 * unknown one (400 for a query parameter or a reference in a body, as for any unknown id).
 * own: the call acts inside B only (2xx; 400 or 403 for a member where members may not act).
 */
/**
 * denied/refused: 403 or 404 (refused: also 400); own: B's own data; public: answers anyone;
 * neutral: pages that hold no tenant data at all (login, docs), whatever they answer.
 */
type Expect = 'denied' | 'refused' | 'own' | 'public' | 'neutral';
interface Case {
  route: string;
  name: string;
  expect: Expect;
  request: () => InjectOptions;
}

/** Every route, keyed `METHOD /path`; several cases per route where A's ids can go in several places. */
function cases(): Case[] {
  const S = ids.space!;
  const inv = `/space/${S}/invocation/${ids.invocation}`;
  const selectA = q(`InvocationID = '${ids.invocation}'`);
  const c = (route: string, name: string, expect: Expect, request: () => InjectOptions): Case => ({ route, name, expect, request });
  return [
    c('GET /healthz', 'health check', 'public', () => json('GET', '/healthz')),
    c('POST /organization', 'create an organization', 'denied', () => json('POST', '/organization', { Slug: `b-${randomBytes(3).toString('hex')}` })),
    c('POST /token', 'a token for A', 'denied', () => json('POST', '/token', { OrganizationID: A.organizationId, Role: 'admin' })),
    c('POST /space', 'create a space (in B: the body cannot name an organization)', 'own', () => json('POST', '/space', { Slug: `b-${randomBytes(3).toString('hex')}` })),
    c('GET /space', "list spaces selecting A's space", 'own', () => json('GET', `/space?where=${q(`SpaceID = '${S}'`)}`)),
    c('GET /space', "list spaces through A's filter", 'refused', () => json('GET', `/space?filter=${ids.filter}`)),
    c('GET /space/:space_id', "A's space", 'denied', () => json('GET', `/space/${S}`)),
    c('PATCH /space/:space_id', "patch A's space", 'denied', () => json('PATCH', `/space/${S}`, { DisplayName: 'b' }, 'application/merge-patch+json')),
    c('DELETE /space/:space_id', "delete A's space", 'denied', () => json('DELETE', `/space/${S}`)),
    c('POST /space/:space_id/bridge_worker', "create in A's space", 'denied', () => json('POST', `/space/${S}/bridge_worker`, { Slug: 'bw' })),
    c('GET /space/:space_id/bridge_worker', "list A's space", 'denied', () => json('GET', `/space/${S}/bridge_worker`)),
    c('GET /space/:space_id/bridge_worker/:bridge_worker_id', "A's bridge worker", 'denied', () => json('GET', `/space/${S}/bridge_worker/${ids.bridge}`)),
    c('GET /space/:space_id/bridge_worker/:bridge_worker_id', "A's bridge worker under B's space", 'denied', () => json('GET', `/space/${ids.bspace}/bridge_worker/${ids.bridge}`)),
    c('POST /space/:space_id/filter', "create in A's space", 'denied', () => json('POST', `/space/${S}/filter`, { Slug: 'f', From: 'Invocation' })),
    c('POST /space/:space_id/filter', "a filter over A's space", 'refused', () => json('POST', `/space/${ids.bspace}/filter`, { Slug: 'f2', From: 'Invocation', FromSpaceID: S })),
    c('GET /space/:space_id/filter', "list A's space", 'denied', () => json('GET', `/space/${S}/filter`)),
    c('GET /space/:space_id/filter/:filter_id', "A's filter", 'denied', () => json('GET', `/space/${S}/filter/${ids.filter}`)),
    c('GET /space/:space_id/filter/:filter_id', "A's filter under B's space", 'denied', () => json('GET', `/space/${ids.bspace}/filter/${ids.filter}`)),
    c('GET /invocation', "list selecting A's invocation", 'own', () => json('GET', `/invocation?where=${selectA}`)),
    c('GET /invocation', "list matching A's text", 'own', () => json('GET', `/invocation?contains=${q(MARK.slice(0, 8))}`)),
    c('GET /invocation', "list through A's filter", 'refused', () => json('GET', `/invocation?filter=${ids.filter}`)),
    c('GET /space/:space_id/invocation', "list A's space", 'denied', () => json('GET', `/space/${S}/invocation`)),
    c('GET /space/:space_id/invocation/:invocation_id', "A's invocation", 'denied', () => json('GET', inv)),
    c('GET /space/:space_id/invocation/:invocation_id', "A's invocation under B's space", 'denied', () => json('GET', `/space/${ids.bspace}/invocation/${ids.invocation}`)),
    c('POST /space/:space_id/invocation', "create in A's space", 'denied', () => json('POST', `/space/${S}/invocation`, { Slug: 'i', ToolchainType: 'Kubernetes/YAML' })),
    c('POST /space/:space_id/invocation', "create with A's bridge worker", 'refused', () => json('POST', `/space/${ids.bspace}/invocation`, { Slug: 'i2', ToolchainType: 'Kubernetes/YAML', BridgeWorkerID: ids.bridge })),
    c('PATCH /space/:space_id/invocation/:invocation_id', "patch A's invocation", 'denied', () => json('PATCH', inv, { DisplayName: 'b' }, 'application/merge-patch+json')),
    c('PUT /space/:space_id/invocation/:invocation_id', "replace A's invocation", 'denied', () => json('PUT', inv, { Slug: 'i', ToolchainType: 'Kubernetes/YAML', Version: 2 })),
    c('DELETE /space/:space_id/invocation/:invocation_id', "delete A's invocation", 'denied', () => json('DELETE', inv)),
    c('POST /invocation', "bulk clone selecting A's invocation", 'own', () => json('POST', `/invocation?where=${selectA}`, null)),
    c('POST /invocation', "bulk clone into A's space", 'refused', () => json('POST', `/invocation?where=${q("Slug = 'none'")}&where_space=${q(`SpaceID = '${S}'`)}&filter_space=${ids.filter}`, null)),
    c('POST /invocation', "bulk clone through A's filter", 'refused', () => json('POST', `/invocation?filter=${ids.filter}`, null)),
    c('PATCH /invocation', "bulk patch selecting A's invocation", 'own', () => json('PATCH', `/invocation?where=${selectA}`, { DisplayName: 'b' })),
    c('PATCH /invocation', "bulk patch matching A's text", 'own', () => json('PATCH', `/invocation?contains=${q(MARK.slice(0, 8))}`, { DisplayName: 'b' })),
    c('PATCH /invocation', "bulk patch through A's filter", 'refused', () => json('PATCH', `/invocation?filter=${ids.filter}`, { DisplayName: 'b' })),
    c('DELETE /invocation', "bulk delete selecting A's invocation", 'own', () => json('DELETE', `/invocation?where=${selectA}`)),
    c('DELETE /invocation', "bulk delete through A's filter", 'refused', () => json('DELETE', `/invocation?filter=${ids.filter}`)),
    c('GET /job', 'list jobs', 'own', () => json('GET', '/job')),
    c('GET /job', "list jobs after A's job", 'denied', () => json('GET', `/job?after=${ids.job}`)),
    c('GET /job/:job_id', "A's job", 'denied', () => json('GET', `/job/${ids.job}`)),
    c('GET /job/:job_id/results', "A's results", 'denied', () => json('GET', `/job/${ids.job}/results`)),
    c('GET /job/:job_id/events', "A's event stream", 'denied', () => json('GET', `/job/${ids.job}/events`)),
    c('POST /job/:job_id/cancel', "cancel A's job", 'denied', () => json('POST', `/job/${ids.job}/cancel`)),
    c('POST /job/:job_id/retry', "retry A's job", 'denied', () => json('POST', `/job/${ids.job}/retry`)),
    c('POST /job/:job_id/revert', "revert A's job", 'denied', () => json('POST', `/job/${ids.job}/revert`)),
    c('POST /job/:job_id/pause', "pause A's job", 'denied', () => json('POST', `/job/${ids.job}/pause`)),
    c('POST /job/:job_id/resume', "resume A's job", 'denied', () => json('POST', `/job/${ids.job}/resume`)),
    c('GET /metrics', 'metrics (system admins only)', 'denied', () => json('GET', '/metrics')),
    ...docsCases(c),
    ...adminCases(c),
    c('POST /api/workspaces', 'create a workspace (in B)', 'own', () => json('POST', '/api/workspaces', { name: `b-${randomBytes(3).toString('hex')}` })),
    c('GET /api/workspaces/:id', "A's workspace", 'denied', () => json('GET', `/api/workspaces/${ids.workspace}`)),
    c('POST /api/schemas', "a schema in A's workspace", 'denied', () => json('POST', '/api/schemas', { workspaceId: ids.workspace, name: 's', definition: {} })),
    c('GET /api/schemas/:id', "A's schema", 'denied', () => json('GET', `/api/schemas/${ids.schemaIn}`)),
    c('POST /api/functions', "a function in A's workspace", 'denied', () => json('POST', '/api/functions', { workspaceId: ids.workspace, name: 'f' })),
    c('GET /api/functions/:id', "A's function", 'denied', () => json('GET', `/api/functions/${ids.function}`)),
    c('GET /api/function-versions', "list A's function", 'denied', () => json('GET', `/api/function-versions?function_id=${ids.function}`)),
    c('GET /api/function-versions', "list A's version ids", 'own', () => json('GET', `/api/function-versions?ids=${ids.version},${ids.deletedVersion}&include_deleted=true`)),
    c('GET /api/function-versions', "list by A's schema", 'own', () => json('GET', `/api/function-versions?input_schema_id=${ids.schemaIn}&include_deleted=true`)),
    c('GET /api/function-versions', "list filtered on A's function", 'own', () => json('GET', `/api/function-versions?filter=${q(JSON.stringify({ functionId: { eq: ids.function } }))}&include_deleted=true`)),
    c('POST /api/function-versions', "a version of A's function", 'denied', () => json('POST', '/api/function-versions', { functionId: ids.function, inputSchemaId: ids.schemaIn, outputSchemaId: ids.schemaOut })),
    c('GET /api/function-versions/:id', "A's version", 'denied', () => json('GET', `/api/function-versions/${ids.version}`)),
    c('GET /api/function-versions/:id', "A's deleted version", 'denied', () => json('GET', `/api/function-versions/${ids.deletedVersion}?include_deleted=true`)),
    c('PATCH /api/function-versions/:id', "rename A's version", 'denied', () => json('PATCH', `/api/function-versions/${ids.version}`, { name: 'b' })),
    c('DELETE /api/function-versions/:id', "delete A's version", 'denied', () => json('DELETE', `/api/function-versions/${ids.version}`)),
    c('POST /api/function-versions/:id/fork', "fork A's version", 'denied', () => json('POST', `/api/function-versions/${ids.version}/fork`, {})),
    c('DELETE /api/function-versions/:id/purge', "purge A's version", 'denied', () => json('DELETE', `/api/function-versions/${ids.deletedVersion}/purge`)),
    c('POST /api/function-versions/:id/restore', "restore A's version", 'denied', () => json('POST', `/api/function-versions/${ids.deletedVersion}/restore`)),
    c('POST /api/function-versions/:id/set-default', "make A's version default", 'denied', () => json('POST', `/api/function-versions/${ids.version}/set-default`)),
  ];
}

type MakeCase = (route: string, name: string, expect: Expect, request: () => InjectOptions) => Case;

/** API documentation: public, and it holds no tenant data. */
function docsCases(c: MakeCase): Case[] {
  const get = (route: string, url = route) => c(`GET ${route}`, 'API documentation', 'public', () => json('GET', url));
  return [
    get('/openapi.json'), get('/docs'), get('/docs/'), c('GET /docs/static/index.html', 'API documentation (redirects)', 'neutral', () => json('GET', '/docs/static/index.html')),
    get('/docs/static/swagger-initializer.js'), get('/docs/*', '/docs/static/swagger-ui.css'), get('/docs/json'), get('/docs/yaml'),
  ];
}

/**
 * Operator pages. A's job page is A's alone. The queue board is one view shared by every
 * organization's admins (read-only for them, see README "Operating"): its queue jobs carry only
 * ids, which answer 404 to any other organization, so the board shows B nothing of A's data;
 * changing the queue is for system admins only.
 */
function adminCases(c: MakeCase): Case[] {
  const job = () => ids.job!;
  const board = '/admin/queues';
  const queueJob = () => `plan-${job()}`;
  const view = (route: string, url: string = route) => c(`GET ${route}`, 'shared queue board', 'own', () => json('GET', url));
  // Views of one queue or asset: what they answer depends on the board's own naming; they hold no tenant data.
  const peek = (route: string, url: string) => c(`GET ${route}`, 'shared queue board detail', 'neutral', () => json('GET', url));
  const act = (method: 'PUT' | 'POST' | 'PATCH', route: string, url: string = route) =>
    c(`${method} ${route}`, 'change the shared queue', 'denied', () => json(method, url, {}));
  const q = `${board}/api/queues/:queueName`;
  const Q = `${board}/api/queues/bulkops`;
  return [
    c('GET /admin', 'admin root', 'neutral', () => json('GET', '/admin')),
    c('GET /admin/', 'admin root', 'neutral', () => json('GET', '/admin/')),
    c('GET /admin/login', 'login form', 'neutral', () => json('GET', '/admin/login')),
    c('POST /admin/login', 'log in with a wrong token', 'neutral', () => ({ method: 'POST', url: '/admin/login', payload: 'token=nope', headers: { 'content-type': 'application/x-www-form-urlencoded' } })),
    c('POST /admin/logout', 'log out', 'neutral', () => json('POST', '/admin/logout')),
    c('GET /admin/jobs/:job_id', "A's job page", 'denied', () => json('GET', `/admin/jobs/${job()}`)),
    view(board), view(`${board}/`), view(`${board}/metrics-history`), view(`${board}/job-schedulers`),
    view(`${board}/queue/:queueName`, `${board}/queue/bulkops`),
    view(`${board}/queue/:queueName/:jobId`, `${board}/queue/bulkops/x`),
    view(`${board}/api/redis/stats`), view(`${board}/api/queues`), view(`${board}/api/job-schedulers`),
    peek(`${q}/metrics`, `${Q}/metrics`), peek(`${q}/default-job-options`, `${Q}/default-job-options`),
    peek(`${q}/workers`, `${Q}/workers`), peek(`${q}/rate-limit`, `${Q}/rate-limit`),
    peek(`${q}/job-data-schema`, `${Q}/job-data-schema`), peek(`${board}/*`, `${board}/static/nothing`),
    c(`GET ${q}/:jobId`, "A's queue job", 'neutral', () => json('GET', `${Q}/${queueJob()}`)),
    c(`GET ${q}/:jobId/logs`, "A's queue job logs", 'neutral', () => json('GET', `${Q}/${queueJob()}/logs`)),
    c(`GET ${q}/:jobId/flow`, "A's queue job flow", 'neutral', () => json('GET', `${Q}/${queueJob()}/flow`)),
    act('PUT', `${board}/api/queues/pause`), act('PUT', `${board}/api/queues/resume`),
    act('PUT', `${q}/rate-limit`, `${Q}/rate-limit`), act('PUT', `${q}/rate-limit/release`, `${Q}/rate-limit/release`),
    act('PUT', `${q}/retry/:queueStatus`, `${Q}/retry/failed`), act('PUT', `${q}/resume`, `${Q}/resume`),
    act('PATCH', `${q}/job-schedulers/:schedulerId`, `${Q}/job-schedulers/x`),
    act('PUT', `${q}/job-schedulers/:schedulerId/remove`, `${Q}/job-schedulers/x/remove`),
    act('PUT', `${q}/job-schedulers/:schedulerId/run`, `${Q}/job-schedulers/x/run`),
    act('POST', `${q}/add`, `${Q}/add`), act('PUT', `${q}/promote`, `${Q}/promote`), act('PUT', `${q}/pause`, `${Q}/pause`),
    act('PUT', `${q}/clean/:queueStatus`, `${Q}/clean/completed`), act('PUT', `${q}/concurrency`, `${Q}/concurrency`),
    act('PUT', `${q}/empty`, `${Q}/empty`), act('PUT', `${q}/obliterate`, `${Q}/obliterate`),
    act('PUT', `${q}/:jobId/retry`, `${Q}/${queueJob()}/retry`),
    act('PUT', `${q}/:jobId/remove-unprocessed-children`, `${Q}/${queueJob()}/remove-unprocessed-children`),
    act('PUT', `${q}/:jobId/clean`, `${Q}/${queueJob()}/clean`), act('PUT', `${q}/:jobId/promote`, `${Q}/${queueJob()}/promote`),
    act('PATCH', `${q}/:jobId/priority`, `${Q}/${queueJob()}/priority`),
    act('PATCH', `${q}/:jobId/update-data`, `${Q}/${queueJob()}/update-data`),
    act('PATCH', `${q}/:jobId/delay`, `${Q}/${queueJob()}/delay`),
  ];
}

/** A digest of every row of A's: any change by B's calls shows up here. */
async function fingerprintOfA(): Promise<string> {
  const r = await sql<{ digest: string }>`
    select md5(string_agg(t.row, '|' order by t.row)) as digest from (
      select 'space' || s::text as row from space s where organization_id = ${A.organizationId}
      union all select 'bw' || b::text from bridge_worker b where organization_id = ${A.organizationId}
      union all select 'filter' || f::text from filter f where organization_id = ${A.organizationId}
      union all select 'inv' || i::text from invocation i where organization_id = ${A.organizationId}
      union all select 'job' || j::text from bulk_job j where organization_id = ${A.organizationId}
      union all select 'item' || bi::text from bulk_item bi join bulk_job j on j.id = bi.job_id where j.organization_id = ${A.organizationId}
      union all select 'ws' || w::text from workspace w where organization_id = ${A.organizationId}
      union all select 'fn' || f::text from function f where organization_id = ${A.organizationId}
      union all select 'ver' || v::text from function_version v join function f on f.id = v.function_id where f.organization_id = ${A.organizationId}
      union all select 'tok' || t::text from api_token t where organization_id = ${A.organizationId}
    ) t`.execute(db(ctx.orm.em.fork()));
  return r.rows[0]!.digest;
}

const ALLOWED: Record<Exclude<Expect, 'own' | 'public' | 'neutral'>, number[]> = { denied: [403, 404], refused: [400, 403, 404] };

function checkAnswer(c: Case, res: { statusCode: number; body: string; method: string }, role: string) {
  const label = `${c.route} (${c.name}) as ${role} ${res.method}: ${res.statusCode} ${res.body.slice(0, 200)}`;
  expect.soft(res.body, label).not.toContain(MARK);
  if (c.expect === 'neutral') return;
  if (c.expect === 'denied' || c.expect === 'refused') expect.soft(ALLOWED[c.expect], label).toContain(res.statusCode);
  // What members may not do at all (create spaces, list every function's versions) they are refused.
  else if (c.expect === 'own' && role === 'member' && [400, 403].includes(res.statusCode)) return;
  else expect.soft(res.statusCode, label).toBeLessThan(300);
}

/** The request with each of A's ids replaced by a fresh id of the same kind that exists nowhere. */
function withUnknownIds(opts: InjectOptions): { opts: InjectOptions; normalize: (text: string) => string } | null {
  let text = JSON.stringify(opts);
  const swaps: Array<[string, string, string]> = [];
  for (const [name, id] of Object.entries(ids)) {
    if (name === 'bspace' || !text.includes(id)) continue;
    const prefix = /^([a-z]+)_/.exec(id)?.[1];
    const fresh = prefix ? typeid(prefix).toString() : randomUUID();
    text = text.replaceAll(id, fresh);
    swaps.push([id, fresh, `<${name}>`]);
  }
  if (swaps.length === 0) return null;
  const normalize = (t: string) => swaps.reduce((acc, [a, f, p]) => acc.replaceAll(a, p).replaceAll(f, p), t);
  return { opts: JSON.parse(text) as InjectOptions, normalize };
}

describe('tenant isolation', () => {
  it('has a case for every registered route, and no case for a route that does not exist', () => {
    const routes = registeredRoutes(ctx.app).filter((r) => r.method !== 'HEAD').map((r) => `${r.method} ${r.url}`);
    const covered = new Set(cases().map((c) => c.route));
    expect(routes.length).toBeGreaterThan(40);
    expect(routes.filter((r) => !covered.has(r)), 'routes without an isolation case').toEqual([]);
    expect([...covered].filter((r) => !routes.includes(r)), 'cases for routes that do not exist').toEqual([]);
  });

  it.each([['admin'], ['member']] as const)("B's %s token gets 403 or 404 on A's data, never the data", async (role) => {
    const as: Caller = role === 'admin' ? B.admin : B.member;
    const before = await fingerprintOfA();
    const heads = new Set(registeredRoutes(ctx.app).filter((r) => r.method === 'HEAD').map((r) => r.url));
    let calls = 0;
    for (const c of cases()) {
      const opts = c.request();
      const res = await as.request(opts);
      calls++;
      checkAnswer(c, { statusCode: res.statusCode, body: res.body, method: String(opts.method) }, role);
      const unknown = withUnknownIds(opts);
      if (unknown) {
        const other = await as.request(unknown.opts);
        calls++;
        const label = `${c.route} (${c.name}) as ${role}: A's ids answer like unknown ones`;
        expect.soft({ status: res.statusCode, body: unknown.normalize(res.body) }, label).toEqual({
          status: other.statusCode,
          body: unknown.normalize(other.body),
        });
      }
      // HEAD mirrors GET: same refusal, no body.
      const [method, url] = c.route.split(' ') as [string, string];
      if (method === 'GET' && heads.has(url) && c.expect !== 'own') {
        const head = await as.request({ ...opts, method: 'HEAD' });
        calls++;
        checkAnswer(c, { statusCode: head.statusCode, body: head.body, method: 'HEAD' }, role);
      }
    }
    expect(await fingerprintOfA()).toBe(before);
    expect(calls).toBeGreaterThan(60);
  });

  it('A still sees its own data (the ids used above are real)', async () => {
    expect((await A.admin.get(`/space/${ids.space}/invocation/${ids.invocation}`)).statusCode).toBe(200);
    expect((await A.admin.get(`/job/${ids.job}/results`)).json()).toHaveLength(1);
    expect((await A.admin.get(`/api/function-versions/${ids.version}`)).statusCode).toBe(200);
    expect((await A.member.get(`/space/${ids.space}/filter/${ids.filter}`)).statusCode).toBe(200);
  });

  it('a member token cannot create tokens or organizations; an admin only in its own organization', async () => {
    const root = caller(ctx.app, ctx.rootToken);
    const rootOrg = (await root.post('/organization', { Slug: `iso-${randomBytes(3).toString('hex')}` })).json().OrganizationID;
    expect((await A.member.post('/token', { OrganizationID: A.organizationId, Role: 'member' })).statusCode).toBe(403);
    expect((await A.member.post('/token', { OrganizationID: A.organizationId, Role: 'admin' })).statusCode).toBe(403);
    expect((await A.member.post('/organization', { Slug: 'by-member' })).statusCode).toBe(403);
    expect((await A.admin.post('/organization', { Slug: 'by-admin' })).statusCode).toBe(403);
    expect((await A.admin.post('/token', { OrganizationID: rootOrg, Role: 'member' })).statusCode).toBe(403);
    expect((await A.admin.post('/token', { OrganizationID: A.organizationId, Role: 'member' })).statusCode).toBe(200);
    const tokens = await db(ctx.orm.em.fork()).selectFrom('api_token').select('id').where('organization_id', '=', rootOrg).execute();
    expect(tokens).toEqual([]);
  });
});
