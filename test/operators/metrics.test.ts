import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newOrg, startService, until, type Service } from './service.ts';
import { seedInvocations, seedSpace } from '../helpers/seed.ts';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { serveMetrics } from '../../src/infra/metrics-server.ts';
import { ConfigError, loadConfig } from '../../src/config.ts';

let svc: Service;
let org: Awaited<ReturnType<typeof newOrg>>;

beforeAll(async () => {
  svc = await startService({ logLevel: 'silent', env: { BULK_CHUNK_SIZE: '4' } });
  org = await newOrg(svc);
});
afterAll(async () => svc?.close());

const scrape = async () => {
  const res = await svc.app.inject({ method: 'GET', url: '/metrics', headers: { authorization: `Bearer ${svc.rootToken}` } });
  expect(res.statusCode).toBe(200);
  return res.body;
};

/** The value of one sample, e.g. sample(text, 'x_total', {a: 'b'}); 0 when the series is absent. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  const want = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const set = line.slice(name.length).match(/^\{(.*)\}/)?.[1]?.split(',') ?? [];
    if (want.every((w) => set.includes(w))) return Number(line.split(' ').at(-1));
  }
  return 0;
}

describe('GET /metrics', () => {
  it('needs a system-admin token', async () => {
    expect((await svc.app.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(401);
    const asAdmin = await org.admin.get('/metrics');
    expect(asAdmin.statusCode).toBe(403);
    expect(asAdmin.json().Message).toMatch(/system-admin/);
  });

  it('answers the Prometheus text format with every family the operators rely on', async () => {
    const res = await svc.app.inject({ method: 'GET', url: '/metrics', headers: { authorization: `Bearer ${svc.rootToken}` } });
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    for (const family of [
      'bulkops_http_request_duration_seconds histogram',
      'bulkops_chunk_duration_seconds histogram',
      'bulkops_job_duration_seconds histogram',
      'bulkops_entities_processed_total counter',
      'bulkops_queue_jobs gauge',
      'bulkops_db_pool_connections gauge',
      'process_cpu_user_seconds_total counter',
      'nodejs_eventloop_lag_seconds gauge',
    ]) {
      expect(res.body).toContain(`# TYPE ${family}`);
    }
    expect(res.body).toMatch(/bulkops_db_pool_connections\{state="total"\} \d+/);
    expect(sample(res.body, 'bulkops_db_pool_max')).toBe(5);
  });

  it('moves the entity counter, the chunk and job histograms and the queue depth with a bulk job', async () => {
    const space = await seedSpace(svc.orm, org.organizationId, 'metrics');
    await seedInvocations(svc.orm, org.organizationId, space, 7, { prefix: 'm-free' });
    await seedInvocations(svc.orm, org.organizationId, space, 3, { prefix: 'm-gated', deleteGates: { hold: true } });
    const before = await scrape();
    const okBefore = sample(before, 'bulkops_entities_processed_total', { operation: 'delete', outcome: 'succeeded' });
    const url = `/invocation?where=${encodeURIComponent("Slug LIKE 'm-%'")}`;
    const submitted = await org.admin.request({ method: 'DELETE', url, headers: { prefer: 'respond-async' } });
    expect(submitted.statusCode).toBe(202);
    const job = submitted.json();
    // No worker yet: the plan job waits in the queue, and the depth gauge shows it.
    expect(sample(await scrape(), 'bulkops_queue_jobs', { queue: 'bulkops', state: 'waiting' })).toBeGreaterThanOrEqual(1);

    await svc.startWorker();
    await until(() => org.admin.get(`/job/${job.JobID}`).then((r) => r.json().State), (s) => s === 'completed');
    const after = await scrape();
    expect(sample(after, 'bulkops_entities_processed_total', { operation: 'delete', outcome: 'succeeded' }) - okBefore).toBe(7);
    expect(sample(after, 'bulkops_entities_processed_total', { operation: 'delete', outcome: 'failed' })).toBe(3);
    // 10 entities in chunks of 4: three chunks, one finished job.
    expect(sample(after, 'bulkops_chunk_duration_seconds_count', { operation: 'delete' })).toBe(3);
    expect(sample(after, 'bulkops_job_duration_seconds_count', { operation: 'delete', state: 'completed' })).toBe(1);
    expect(sample(after, 'bulkops_queue_job_duration_seconds_count', { name: 'plan', outcome: 'completed' })).toBe(1);
  });

  it('labels HTTP durations by route pattern and status, never by the raw URL', async () => {
    const id = '00000000-0000-4000-8000-000000000000';
    expect((await org.admin.get(`/job/${id}`)).statusCode).toBe(404);
    expect((await org.admin.get('/no/such/route/abc123')).statusCode).toBe(404);
    const text = await scrape();
    expect(sample(text, 'bulkops_http_request_duration_seconds_count', { method: 'GET', route: '/job/:job_id', status_code: '404' })).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'bulkops_http_request_duration_seconds_count', { route: 'unmatched', status_code: '404' })).toBeGreaterThanOrEqual(1);
    expect(text).not.toContain(id);
    expect(text).not.toContain('abc123');
  });
});

describe('METRICS_PORT listener', () => {
  it('serves /metrics without a token and nothing else', async () => {
    const server = await serveMetrics(svc.metrics, 0, '127.0.0.1');
    try {
      const res = await fetch(`http://127.0.0.1:${server.port}/metrics`);
      expect(res.status).toBe(200);
      expect(await res.text()).toContain('# TYPE bulkops_entities_processed_total counter');
      expect((await fetch(`http://127.0.0.1:${server.port}/job`)).status).toBe(404);
    } finally {
      await server.close();
    }
  });
});

describe('METRICS_PORT configuration', () => {
  it('is read from the environment, checked, and set for the compose workers', () => {
    expect(loadConfig({}).METRICS_PORT).toBeUndefined();
    expect(loadConfig({ METRICS_PORT: '9464', METRICS_HOST: '0.0.0.0' })).toMatchObject({ METRICS_PORT: 9464, METRICS_HOST: '0.0.0.0' });
    expect(() => loadConfig({ METRICS_PORT: 'ninety' })).toThrow(ConfigError);
    expect(() => loadConfig({ METRICS_PORT: '70000' })).toThrow(/METRICS_PORT/);
    const compose = parse(readFileSync(new URL('../../docker-compose.yml', import.meta.url), 'utf8'));
    const worker = loadConfig(compose.services.worker.environment);
    expect(worker).toMatchObject({ ROLE: 'worker', METRICS_PORT: 9464, METRICS_HOST: '0.0.0.0' });
  });
});
