import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

// No Docker engine runs here, so the file is checked as data: services, images, health and wiring.
const compose = parse(readFileSync(new URL('../../docker-compose.yml', import.meta.url), 'utf8'));

describe('docker-compose.yml', () => {
  it('brings up postgres, redis, the API and a worker', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['api', 'postgres', 'redis', 'worker']);
    expect(compose.services.postgres.image).toMatch(/^postgres:\d+/);
    expect(compose.services.redis.image).toMatch(/^redis:\d+/);
    expect(compose.services.api.build).toBe('.');
    expect(compose.services.worker.build).toBe('.');
  });

  it('gives every long-running service a health check', () => {
    for (const name of ['postgres', 'redis', 'api']) {
      expect(compose.services[name].healthcheck?.test, name).toBeTruthy();
    }
    expect(compose.services.api.healthcheck.test.join(' ')).toContain('/healthz');
  });

  it('runs the API and the worker as separate roles wired to the same services', () => {
    const api = compose.services.api.environment;
    const worker = compose.services.worker.environment;
    expect(api.ROLE).toBe('api');
    expect(worker.ROLE).toBe('worker');
    for (const env of [api, worker]) {
      expect(new URL(env.DATABASE_URL).hostname).toBe('postgres');
      expect(new URL(env.REDIS_URL).hostname).toBe('redis');
    }
    expect(api.DATABASE_URL).toBe(worker.DATABASE_URL);
    for (const svc of ['api', 'worker']) {
      expect(compose.services[svc].depends_on.postgres.condition).toBe('service_healthy');
      expect(compose.services[svc].depends_on.redis.condition).toBe('service_healthy');
    }
    expect(compose.services.api.ports).toContain('3000:3000');
  });
});
