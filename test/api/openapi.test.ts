import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Validator } from '@seriousme/openapi-schema-validator';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { createTestContext, type TestContext } from '../helpers/context.ts';

type Json = Record<string, any>;

let ctx: TestContext;
let doc: Json;
beforeAll(async () => {
  ctx = await createTestContext();
  const res = await ctx.app.inject({ method: 'GET', url: '/openapi.json' });
  expect(res.statusCode).toBe(200);
  doc = res.json();
});
afterAll(async () => ctx?.close());

/** Method and path of every route Fastify serves, read from its own route tree (not from the document). */
function registeredRoutes(app: TestContext['app']): Array<{ method: string; path: string }> {
  const routes: Array<{ method: string; path: string }> = [];
  const stack: string[] = [];
  for (const line of app.printRoutes({ commonPrefix: false }).split('\n')) {
    const m = /^((?:│ {3}| {4})*)[├└]── (\S+)(?: \(([^)]*)\))?$/.exec(line);
    if (!m) continue;
    const depth = [...(m[1] ?? '')].length / 4;
    stack.length = depth;
    stack.push(m[2] ?? '');
    for (const method of (m[3] ?? '').split(', ').filter(Boolean)) routes.push({ method, path: stack.join('') });
  }
  return routes;
}

// Pages for people (the API reference, the admin pages) are left out of the API description by design.
const UI_ROUTES = /^\/(docs|admin|openapi\.json)(\/|$)/;
const operations = () =>
  Object.entries<Json>(doc.paths).flatMap(([path, item]) => Object.entries<Json>(item).map(([method, op]) => ({ path, method, op })));

describe('GET /openapi.json', () => {
  it('is a valid OpenAPI 3.1 document, served without a token', async () => {
    const validator = new Validator();
    const result = await validator.validate(structuredClone(doc));
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
    expect(doc.openapi).toBe('3.1.0');
  });

  it('documents every route the server registers, and nothing else', () => {
    const served = registeredRoutes(ctx.app)
      .filter((r) => r.method !== 'HEAD' && !UI_ROUTES.test(r.path))
      .map((r) => `${r.method} ${r.path.replace(/:(\w+)/g, '{$1}')}`);
    expect(served.length).toBeGreaterThan(40);
    const documented = operations().map((o) => `${o.method.toUpperCase()} ${o.path}`);
    expect(new Set(documented)).toEqual(new Set(served));
  });

  it('gives every operation a unique id, a summary, a tag and a described answer for each status', () => {
    const ids = new Set<string>();
    for (const { path, method, op } of operations()) {
      const where = `${method} ${path}`;
      expect(op.operationId, where).toBeTruthy();
      expect(ids.has(op.operationId), `${where}: duplicate operationId`).toBe(false);
      ids.add(op.operationId);
      expect(op.summary, where).toBeTruthy();
      expect(op.tags, where).toHaveLength(1);
      expect(Object.keys(op.responses).some((s) => s.startsWith('2')), where).toBe(true);
      expect(op.responses['500'], where).toBeDefined();
      for (const [status, res] of Object.entries<Json>(op.responses)) {
        expect(res.description, `${where} ${status}`).not.toMatch(/^(Default Response)?$/);
      }
    }
  });

  it('declares bearer authentication, waived only on the public health check', () => {
    expect(doc.components.securitySchemes.bearerAuth).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(doc.security).toEqual([{ bearerAuth: [] }]);
    for (const { path, method, op } of operations()) {
      if (path === '/healthz') {
        expect(op.security).toEqual([]);
        expect(op.responses['401']).toBeUndefined();
      } else {
        expect(op.security, `${method} ${path}`).toBeUndefined();
        expect(op.responses['401'], `${method} ${path}`).toBeDefined();
      }
    }
  });

  it('documents the bulk calls with the job answers, the Prefer header and a merge-patch body', () => {
    for (const method of ['post', 'patch', 'delete']) {
      const op = doc.paths['/invocation'][method];
      expect(Object.keys(op.responses)).toEqual(expect.arrayContaining(['200', '202', '207', '400', '401', '422']));
      expect(op.responses['202'].content['application/json'].schema).toEqual({ $ref: '#/components/schemas/Job' });
      expect(op.responses['202'].headers.Location).toBeDefined();
      expect(op.parameters.map((p: Json) => p.name)).toEqual(expect.arrayContaining(['where', 'filter', 'contains', 'dry_run', 'max_affected', 'prefer', 'idempotency-key']));
    }
    expect(Object.keys(doc.paths['/invocation'].patch.requestBody.content)).toEqual(['application/merge-patch+json', 'application/json']);
    expect(doc.paths['/invocation'].post.requestBody.required).toBe(false);
    expect(doc.paths['/invocation'].post.parameters.map((p: Json) => p.name)).toEqual(
      expect.arrayContaining(['name_prefixes', 'where_space', 'filter_space', 'allow_exists']),
    );
    expect(doc.paths['/invocation'].delete.requestBody).toBeUndefined();
    expect(Object.keys(doc.paths['/job/{job_id}/events'].get.responses['200'].content)).toEqual(['text/event-stream']);
    const retry = doc.paths['/job/{job_id}/retry'].post;
    expect(retry.parameters.map((p: Json) => p.name)).toEqual(expect.arrayContaining(['job_id', 'prefer', 'idempotency-key']));
    expect(retry.responses['202'].headers.Location).toBeDefined();
  });
});

describe('examples of the bulk calls', () => {
  const ajv = () => new Ajv2020({ strict: false, validateFormats: false, allErrors: true });
  /** Checks a value against a schema of the document, its component $refs resolved. */
  const conforms = (schema: Json, value: unknown) => {
    const validate = ajv().compile({ ...schema, components: doc.components });
    return validate(value) ? [] : validate.errors;
  };

  it('match the schemas they illustrate, and 200 and 207 mean what they say', () => {
    let checked = 0;
    for (const method of ['post', 'patch', 'delete']) {
      const op = doc.paths['/invocation'][method];
      for (const status of ['200', '207', '202']) {
        const media = op.responses[status].content['application/json'];
        expect(Object.keys(media.examples ?? {}).length, `${method} ${status}`).toBeGreaterThan(0);
        for (const [name, ex] of Object.entries<Json>(media.examples)) {
          expect(conforms(media.schema, ex.value), `${method} ${status} ${name}`).toEqual([]);
          const failed = Array.isArray(ex.value) ? ex.value.filter((item: Json) => item.Error).length : 0;
          if (status === '200') expect(failed, `${method} 200 ${name}`).toBe(0);
          if (status === '207') expect(failed, `${method} 207 ${name}`).toBeGreaterThan(0);
          checked++;
        }
      }
      for (const p of op.parameters.filter((x: Json) => x.example !== undefined)) {
        expect(conforms(p.schema, p.example), `${method} ${p.name}`).toEqual([]);
        checked++;
      }
      for (const media of Object.values<Json>(op.requestBody?.content ?? {})) {
        for (const ex of Object.values<Json>(media.examples ?? {})) {
          expect(conforms(media.schema, ex.value)).toEqual([]);
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(15);
  });

  it('reject a result item that breaks the schema (the check can fail)', () => {
    const schema = doc.paths['/invocation'].patch.responses['207'].content['application/json'].schema;
    expect(conforms(schema, [{ Error: { Status: '409', Message: 'x' } }])).not.toEqual([]);
  });
});

describe('GET /docs', () => {
  it('serves the API reference page and its assets without a token, all from this server', async () => {
    const page = await ctx.app.inject({ method: 'GET', url: '/docs' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.body).toContain('<div id="swagger-ui">');
    const assets = [...page.body.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1] ?? '');
    expect(assets.length).toBeGreaterThan(3);
    for (const url of assets) {
      expect(url, 'no asset from another host').toMatch(/^\/docs\//);
      const res = await ctx.app.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(200);
    }
    const init = await ctx.app.inject({ method: 'GET', url: '/docs/static/swagger-initializer.js' });
    // Swagger UI would otherwise send the document to an outside validator for its badge.
    expect(init.body).toContain('validatorUrl: null');
    expect(init.body).toContain("resolveUrl('./json')");
    const json = await ctx.app.inject({ method: 'GET', url: '/docs/json' });
    expect(json.json()).toEqual(doc);
  });

  it('still asks for a token everywhere else', async () => {
    expect((await ctx.app.inject({ method: 'GET', url: '/job' })).statusCode).toBe(401);
  });
});
