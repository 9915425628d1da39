import type { FastifyInstance } from 'fastify';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import { docsTransform } from './transform.ts';
import { docsTransformObject, registerComponents } from './document.ts';
import { TAGS } from './operations.ts';
import pkg from '../../../package.json' with { type: 'json' };

const DESCRIPTION = `Bulk operations over function invocations, as durable jobs.

**Authentication.** Every call but \`/healthz\`, \`/openapi.json\` and \`/docs\` needs \`Authorization: Bearer <token>\`.

**Errors.** The Invocation API answers \`{"Code": "400", "Message": "..."}\` (StandardErrorResponse); routes under \`/api\`
answer \`{"error": {"code", "message", "details?"}}\`. Per-entity failures inside a bulk answer are ResponseError items.

**Bulk calls** (POST, PATCH, DELETE on \`/invocation\`) are jobs: wait for the answer (200 or 207 with one item per
entity) or, with \`Prefer: respond-async\`, get 202 and follow \`/job/{job_id}\`, its \`/events\` stream and its \`/results\`.`;

/**
 * OpenAPI 3.1 from the routes' zod schemas at GET /openapi.json, and Swagger UI at /docs with its
 * assets served from the package (nothing fetched from elsewhere). Must be registered before the
 * routes: @fastify/swagger collects them as they are added.
 */
export async function registerApiDocs(app: FastifyInstance): Promise<void> {
  registerComponents();
  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'bulkops', version: pkg.version, description: DESCRIPTION },
      tags: TAGS.map((t) => ({ ...t })),
      components: { securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', description: 'An API token issued by POST /token.' } } },
      security: [{ bearerAuth: [] }],
    },
    transform: docsTransform,
    transformObject: docsTransformObject,
  });
  app.get('/openapi.json', { config: { public: true }, schema: { hide: true } }, async () => app.swagger());
  // The UI's own routes (page, assets, /docs/json) are public like the document they show.
  await app.register(async (docs) => {
    docs.addHook('onRoute', (route) => {
      route.config = { ...route.config, public: true };
    });
    await docs.register(fastifySwaggerUi, {
      routePrefix: '/docs',
      uiConfig: { deepLinking: true, persistAuthorization: false, tryItOutEnabled: false },
      theme: { title: 'bulkops API' },
    });
  });
}
