import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newOrg, startService, until, type Service } from './service.ts';
import { seedInvocations, seedSpace } from '../helpers/seed.ts';

let svc: Service;
let org: Awaited<ReturnType<typeof newOrg>>;

beforeAll(async () => {
  svc = await startService({ logLevel: 'debug', env: { BULK_CHUNK_SIZE: '3' } });
  org = await newOrg(svc);
});
afterAll(async () => svc?.close());

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('request logs', () => {
  it('carry the request id on every line of a request, and answer it in X-Request-Id', async () => {
    const mine = await org.admin.request({ method: 'GET', url: '/job', headers: { 'x-request-id': 'edge-7f3a.1' } });
    expect(mine.headers['x-request-id']).toBe('edge-7f3a.1');
    // A header that is not a plain token is replaced, not echoed into logs and answers.
    const odd = await org.admin.request({ method: 'GET', url: '/job', headers: { 'x-request-id': 'a b\u00e9<script>' } });
    expect(odd.headers['x-request-id']).toMatch(UUID);
    const fresh = await org.admin.get('/job');
    expect(fresh.headers['x-request-id']).toMatch(UUID);
    expect(fresh.headers['x-request-id']).not.toBe(odd.headers['x-request-id']);

    const requestLines = svc.logs.filter((l) => 'req' in l || 'res' in l || 'responseTime' in l);
    expect(requestLines.length).toBeGreaterThanOrEqual(6);
    for (const line of requestLines) expect(line.reqId, JSON.stringify(line)).toEqual(expect.any(String));
    const ids = new Set(requestLines.map((l) => l.reqId));
    for (const id of ['edge-7f3a.1', odd.headers['x-request-id'], fresh.headers['x-request-id']]) expect(ids).toContain(id);
    expect(svc.logText()).not.toContain('<script>');
  });

  it('write one access line per request at info level, with what was asked and how it went', async () => {
    const quiet = await startService({ logLevel: 'info' });
    try {
      const o = await newOrg(quiet);
      const before = quiet.logs.length;
      const ok = await o.admin.request({ method: 'GET', url: '/job', headers: { 'x-request-id': 'access-1' } });
      const missing = await o.admin.request({ method: 'GET', url: '/no-such-route', headers: { 'x-request-id': 'access-2' } });
      expect([ok.statusCode, missing.statusCode]).toEqual([200, 404]);
      const lines = quiet.logs.slice(before).filter((l) => typeof l.reqId === 'string' && l.reqId.startsWith('access-'));
      expect(lines.map((l) => [l.reqId, l.msg])).toEqual([
        ['access-1', 'request completed'],
        ['access-2', 'request completed'],
      ]);
      expect(lines[0]).toMatchObject({ req: { method: 'GET', url: '/job' }, res: { statusCode: 200 }, responseTime: expect.any(Number) });
      expect(lines[1]).toMatchObject({ req: { method: 'GET', url: '/no-such-route' }, res: { statusCode: 404 } });
      // At debug level (the service above) the incoming line is there too.
      expect(svc.logs.some((l) => l.msg === 'incoming request')).toBe(true);
    } finally {
      await quiet.close();
    }
  });

  it('never contain a token: bearer headers, the session cookie and the login form are kept out', async () => {
    const login = await svc.app.inject({
      method: 'POST',
      url: '/admin/login',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ token: org.admin.token, next: '/admin/queues' }).toString(),
    });
    const cookie = String(login.headers['set-cookie']).split(';')[0]!;
    expect(cookie).toContain(org.admin.token.slice(0, 10));
    await svc.app.inject({ method: 'GET', url: '/admin/queues/api/queues', headers: { cookie } });
    await svc.app.inject({ method: 'GET', url: '/job', headers: { authorization: `Bearer ${org.member.token}` } });
    await svc.app.inject({ method: 'GET', url: '/metrics', headers: { authorization: `Bearer ${svc.rootToken}` } });
    await svc.app.inject({ method: 'GET', url: '/job', headers: { authorization: 'Bearer bko_made-up-but-still-secret' } });
    // A handler that logs a request's headers or a login body gets them censored.
    svc.app.log.info({ req: { headers: { authorization: `Bearer ${svc.rootToken}`, cookie } } }, 'probe headers');
    svc.app.log.info({ body: { token: org.admin.token }, res: { headers: { 'set-cookie': cookie } } }, 'probe body');

    const text = svc.logText();
    for (const secret of [org.admin.token, org.member.token, svc.rootToken, 'bko_made-up-but-still-secret']) {
      expect(text).not.toContain(secret);
    }
    const probes = svc.logs.filter((l) => String(l.msg).startsWith('probe'));
    expect(probes).toHaveLength(2);
    expect(JSON.stringify(probes)).toContain('[redacted]');
  });
});

describe('worker logs', () => {
  it('name the queue job, the bulk job and the chunk on every line of a queue job', async () => {
    const space = await seedSpace(svc.orm, org.organizationId, 'logs');
    await seedInvocations(svc.orm, org.organizationId, space, 7, { prefix: 'logged' });
    const url = `/invocation?where=${encodeURIComponent("Slug LIKE 'logged-%'")}`;
    const job = (await org.admin.request({ method: 'PATCH', url, payload: { DisplayName: 'l' }, headers: { prefer: 'respond-async' } })).json();
    await svc.startWorker();
    await until(() => org.admin.get(`/job/${job.JobID}`).then((r) => r.json().State), (s) => s === 'completed');

    // A queue job's closing line is written after its transaction commits: wait for the lines too.
    const linesOf = () => svc.logs.filter((l) => l.jobId === job.JobID && l.queueJobName === 'chunk' && l.msg === 'queue job done');
    await until(async () => linesOf().length, (n) => n >= 3);
    const mine = svc.logs.filter((l) => l.jobId === job.JobID);
    const chunkLines = linesOf();
    // 7 entities in chunks of 3.
    expect(chunkLines.map((l) => l.chunk).sort()).toEqual([0, 1, 2]);
    for (const l of chunkLines) {
      expect(l).toMatchObject({ queue: 'bulkops', queueJobId: `chunk-${job.JobID}-${l.chunk}`, role: 'all', level: 30 });
      expect(l.seconds).toEqual(expect.any(Number));
    }
    expect(mine.find((l) => l.queueJobName === 'plan')).toMatchObject({ msg: 'queue job done', result: 'planned 7 items in 3 chunks' });
    expect(mine.find((l) => l.msg === 'bulk job finished')).toMatchObject({ state: 'completed', total: 7, succeeded: 7, failed: 0 });
  });
});
