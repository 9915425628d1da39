import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, createFaultEnv, newOrganization, startService, type FaultEnv, type Service } from '../faults/harness.ts';

/**
 * The service's own log output (pino, at trace level, from the real process) while requests
 * carry bearer tokens: valid, invalid, in odd spellings, and a call that mints a new secret.
 * No secret, nor its SHA-256 (what the database stores), appears anywhere in it.
 */
let env: FaultEnv;
let proc: Service;
beforeAll(async () => {
  env = await createFaultEnv();
  proc = await startService('api', env.env({ LOG_LEVEL: 'trace' }));
}, 60_000);
afterAll(async () => env?.close());

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

describe('logs', () => {
  it('never contain a bearer secret or its hash', async () => {
    const org = await newOrganization(proc.url, env.rootToken);
    const minted = await api(proc.url, env.rootToken).call('POST', '/token', { OrganizationID: org.id, Role: 'member' });
    const member: string = minted.json.Secret;
    const wrong = 'bko_this-is-not-a-valid-secret-0123456789';
    const calls: Array<[string, Record<string, string>]> = [
      ['/space', { authorization: `Bearer ${member}` }],
      ['/space', { authorization: `bearer   ${member}  ` }],
      ['/space', { authorization: `Bearer ${wrong}` }],
      ['/space', { authorization: `Basic ${Buffer.from(`user:${member}`).toString('base64')}` }],
      ['/space?limit=bad', { authorization: `Bearer ${member}` }],
      ['/no-such-route', { authorization: `Bearer ${member}`, cookie: `session=${member}` }],
      ['/job/00000000-0000-4000-8000-000000000000', { authorization: `Bearer ${member}` }],
    ];
    const statuses: number[] = [];
    for (const [path, headers] of calls) statuses.push((await fetch(proc.url + path, { headers })).status);
    await api(proc.url, member).call('POST', '/space', { Slug: 'x' }); // a 403
    expect(statuses).toEqual([200, 200, 401, 401, 400, 404, 404]);
    await new Promise((r) => setTimeout(r, 300)); // let the log lines reach the pipe

    const out = proc.output();
    // The capture is real: it has the request lines, with their URLs.
    expect(out).toMatch(/"msg":"incoming request"/); // at trace level, beside "request completed"
    expect(out).toContain('/job/00000000-0000-4000-8000-000000000000');
    expect(out.split('\n').filter((l) => l.includes('"reqId"')).length).toBeGreaterThan(calls.length * 2);
    for (const secret of [env.rootToken, member, wrong]) {
      expect(out).not.toContain(secret);
      expect(out).not.toContain(sha256(secret));
      expect(out).not.toContain(Buffer.from(`user:${secret}`).toString('base64'));
    }
  });

  it('keeps only the hash of a secret in the database', async () => {
    const org = await newOrganization(proc.url, env.rootToken);
    const minted = await api(proc.url, env.rootToken).call('POST', '/token', { OrganizationID: org.id, Role: 'member' });
    const rows = await env.pg.query('select * from api_token where id = $1', [minted.json.TokenID]);
    expect(rows.rows).toHaveLength(1);
    expect(JSON.stringify(rows.rows)).not.toContain(minted.json.Secret);
    expect(rows.rows[0].secret_hash).toBe(sha256(minted.json.Secret));
  });
});
