import Fastify from 'fastify';
import { validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { registerErrorHandling } from '../../src/api/plugins/errors.ts';
import { responseSerializerCompiler } from '../../src/api/plugins/response-serializer.ts';

const Answer = z.object({ Id: z.string(), Count: z.number(), Note: z.string().optional() });

async function appWith(check: boolean, answer: unknown) {
  const app = Fastify({ logger: false }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(responseSerializerCompiler(check));
  registerErrorHandling(app);
  app.get('/x', { schema: { response: { 200: Answer } } }, async () => answer as z.infer<typeof Answer>);
  await app.ready();
  return app;
}

describe('responseSerializerCompiler', () => {
  let app: Awaited<ReturnType<typeof appWith>> | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  it('checked: an answer that is exactly its schema is written, in any key order', async () => {
    app = await appWith(true, { Count: 2, Id: 'a' });
    const res = await app.inject({ method: 'GET', url: '/x' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ Id: 'a', Count: 2 });
  });

  it('checked: a field the schema would drop fails the call instead of being dropped', async () => {
    app = await appWith(true, { Id: 'a', Count: 2, organization_id: 'secret-org' });
    const res = await app.inject({ method: 'GET', url: '/x' });
    expect(res.statusCode).toBe(500);
    expect(res.body).not.toContain('secret-org');
  });

  it('checked: a value of the wrong type fails the call', async () => {
    app = await appWith(true, { Id: 'a', Count: '2' });
    expect((await app.inject({ method: 'GET', url: '/x' })).statusCode).toBe(500);
  });

  it('unchecked: the answer is written as the handler built it', async () => {
    app = await appWith(false, { Id: 'a', Count: 2, Extra: true });
    const res = await app.inject({ method: 'GET', url: '/x' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ Id: 'a', Count: 2, Extra: true });
  });
});
