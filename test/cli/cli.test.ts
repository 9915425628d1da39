import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, newOrganization, type TestContext } from '../helpers/context.ts';
import { seedInvocations, seedSpace } from '../helpers/seed.ts';
import { db } from '../../src/domain/db.ts';
import { ApiClient } from '../../src/cli/client.ts';
import type { ResultItem } from '../../src/cli/output.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = path.join(ROOT, 'bin/bulkops.js');

let ctx: TestContext;
let org: Awaited<ReturnType<typeof newOrganization>>;
let url: string;
let space: string;
let dir: string;

// The server is real (HTTP on a free port); the worker starts only once the cancel and watch tests
// have had queued jobs to look at.
beforeAll(async () => {
  ctx = await createTestContext({ BULK_CHUNK_SIZE: '50' });
  await ctx.app.listen({ port: 0, host: '127.0.0.1' });
  const address = ctx.app.server.address();
  url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  org = await newOrganization(ctx);
  space = await seedSpace(ctx.orm, org.organizationId, 'cli', { env: 'prod' });
  await seedSpace(ctx.orm, org.organizationId, 'cli-staging', { env: 'staging' });
  dir = await mkdtemp(path.join(tmpdir(), 'bulkops-cli-'));
});
afterAll(async () => {
  await ctx?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI as a user would, with BULKOPS_URL and BULKOPS_TOKEN set unless `env` says otherwise. */
function bulkops(args: string[], opts: { env?: Record<string, string | undefined>; input?: string } = {}): Promise<Run> {
  const env: Record<string, string | undefined> = {
    ...process.env,
    BULKOPS_URL: url,
    BULKOPS_TOKEN: org.admin.token,
    BULKOPS_PROGRESS: undefined,
    ...opts.env,
  };
  for (const k of Object.keys(env)) if (env[k] === undefined) delete env[k];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: env as NodeJS.ProcessEnv, cwd: ROOT });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(opts.input ?? '');
  });
}

/** A port nothing listens on: bound once by the system, then released. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  await new Promise((r) => server.close(r));
  return port;
}

async function patchFile(name: string, content: string): Promise<string> {
  const file = path.join(dir, name);
  await writeFile(file, content);
  return file;
}

const displayNames = async (prefix: string) =>
  (await db(ctx.orm.em.fork()).selectFrom('invocation').select('display_name').where('slug', 'like', `${prefix}-%`).execute()).map(
    (r) => r.display_name,
  );

async function queuedJob(where: string): Promise<string> {
  const res = await org.admin.patch(`/invocation?where=${encodeURIComponent(where)}`, { DisplayName: 'q' }, { prefer: 'respond-async' });
  expect(res.statusCode).toBe(202);
  return res.json().JobID as string;
}

describe('before any worker runs', () => {
  it('job cancel cancels a queued job and prints it', async () => {
    const id = await queuedJob("Slug = 'nothing'");
    const run = await bulkops(['job', 'cancel', id]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`Job ${id} patch cancelled`);
    expect((await org.admin.get(`/job/${id}`)).json().State).toBe('cancelled');
  });

  it('job cancel of a finished job exits 1 with the service message', async () => {
    const id = await queuedJob("Slug = 'nothing'");
    await org.admin.post(`/job/${id}/cancel`);
    const run = await bulkops(['job', 'cancel', id]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/cannot be cancelled \(HTTP 409\)/);
    expect(run.stdout).toBe('');
  });

  it('job pause and job resume hold and release a queued job', async (t) => {
    if (!ctx.app.hasRoute({ method: 'POST', url: '/job/:job_id/pause' })) t.skip();
    const id = await queuedJob("Slug = 'nothing'");
    const paused = await bulkops(['job', 'pause', id]);
    expect(paused.code).toBe(0);
    expect(paused.stdout).toContain(`Job ${id} patch paused`);
    expect((await org.admin.get(`/job/${id}`)).json().State).toBe('paused');
    const again = await bulkops(['job', 'pause', id]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('(HTTP 409)');
    const resumed = await bulkops(['--json', 'job', 'resume', id]);
    expect(resumed.code).toBe(0);
    expect(JSON.parse(resumed.stdout)).toMatchObject({ JobID: id, State: 'queued' });
  });

  it('job watch follows a queued job over SSE until a worker finishes it', async () => {
    await seedInvocations(ctx.orm, org.organizationId, space, 120, { prefix: 'watch' });
    const id = await queuedJob("Slug LIKE 'watch-%'");
    const watching = bulkops(['job', 'watch', id]);
    await new Promise((r) => setTimeout(r, 300));
    await ctx.startWorker();
    const run = await watching;
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`Job ${id} patch completed: 120 succeeded, 0 failed of 120`);
  });
});

describe('bulk commands with a worker', () => {
  it('bulk-patch: exit 0 when every entity succeeds, and the patch is applied', async () => {
    await seedInvocations(ctx.orm, org.organizationId, space, 60, { prefix: 'ok', labels: { tier: 'backend' } });
    const file = await patchFile('rename.json', JSON.stringify({ DisplayName: 'renamed' }));
    const run = await bulkops(['invocation', 'bulk-patch', '--where', "Slug LIKE 'ok-%'", '--patch', file]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Job [0-9a-f-]{36} patch completed: 60 succeeded, 0 failed of 60/);
    expect(run.stderr).toMatch(/queued \(patch\); following its progress/);
    expect(new Set(await displayNames('ok'))).toEqual(new Set(['renamed']));
  });

  it('bulk-patch: exit 2 when some entities fail, listing them', async () => {
    await seedInvocations(ctx.orm, org.organizationId, space, 3, { prefix: 'clash' });
    const run = await bulkops(['invocation', 'bulk-patch', '--where', "Slug LIKE 'clash-%'", '--patch', '-'], {
      input: '{"Slug": "clash-winner"}',
    });
    expect(run.code).toBe(2);
    expect(run.stdout).toContain('1 succeeded, 2 failed of 3');
    const failures = run.stdout.split('\n').filter((l) => l.trim().startsWith('failed'));
    expect(failures).toHaveLength(2);
    for (const line of failures) expect(line).toMatch(/clash-\d .* 409 Conflict: Slug: an invocation with Slug 'clash-winner' exists/);
  });

  it('bulk-delete --dry-run: exit 2 for the gated entity and nothing deleted', async () => {
    await seedInvocations(ctx.orm, org.organizationId, space, 2, { prefix: 'dry' });
    await seedInvocations(ctx.orm, org.organizationId, space, 1, { prefix: 'drygate', deleteGates: { hold: true } });
    const run = await bulkops(['invocation', 'bulk-delete', '--where', "Slug LIKE 'dry%'", '--dry-run']);
    expect(run.code).toBe(2);
    expect(run.stdout).toContain('2 succeeded, 1 failed of 3');
    expect(run.stdout).toContain('[dry run: nothing written]');
    expect(run.stdout).toMatch(/drygate-1 .* 422 DeleteGated/);
    expect(await displayNames('dry')).toHaveLength(2);
  });

  it('bulk-clone --json: the job and every result on stdout, nothing on stderr', async () => {
    await seedInvocations(ctx.orm, org.organizationId, space, 4, { prefix: 'src' });
    const run = await bulkops([
      'invocation', 'bulk-clone', '--json', '--where', "Slug LIKE 'src-%'",
      '--where-space', "Labels.env = 'staging'", '--name-prefixes', 'a-,b-',
    ]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const out = JSON.parse(run.stdout);
    expect(out.Job).toMatchObject({ Operation: 'clone', State: 'completed', Total: 8, Succeeded: 8, Failed: 0 });
    expect(out.Job.Request).toMatchObject({ name_prefixes: ['a-', 'b-'], where_space: "Labels.env = 'staging'" });
    expect(out.Results.map((r: { Invocation: { Slug: string } }) => r.Invocation.Slug)).toEqual(
      ['a-src-1', 'b-src-1', 'a-src-2', 'b-src-2', 'a-src-3', 'b-src-3', 'a-src-4', 'b-src-4'],
    );
  });

  it('bulk-patch --max-affected: exit 1 with the reason when the job fails as a whole', async () => {
    const run = await bulkops(['invocation', 'bulk-patch', '--where', "Slug LIKE 'ok-%'", '--patch', '-', '--max-affected', '5'], {
      input: '{"DisplayName": "never"}',
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/failed: the selection matched 60 invocations, more than max_affected=5/);
    expect(run.stdout).toBe('');
    expect(new Set(await displayNames('ok'))).toEqual(new Set(['renamed']));
  });

  it('draws the progress bar (entities, rate, ETA) when asked to, even to a pipe', async () => {
    await seedInvocations(ctx.orm, org.organizationId, space, 400, { prefix: 'bar' });
    const run = await bulkops(['invocation', 'bulk-patch', '--where', "Slug LIKE 'bar-%'", '--patch', '-'], {
      input: '{"Labels": {"seen": "yes"}}',
      env: { BULKOPS_PROGRESS: 'always' },
    });
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/patch \[[█░]+\] 100% \| 400\/400 entities \| \d+\/s \| ETA 0s \| 0 failed/);
  });
});

describe('request errors', () => {
  it('exit 1 with the service message for a refused request', async () => {
    const [run, none] = await Promise.all([
      bulkops(['invocation', 'bulk-delete', '--where', 'Slug = ']),
      bulkops(['invocation', 'bulk-delete']),
    ]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^bulkops: where: expected a literal .* \(HTTP 400\)\n$/);
    expect(run.stdout).toBe('');
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('a bulk call needs a selection');
  });

  it('exit 1 for a patch file that is not JSON, before anything is sent', async () => {
    const file = await patchFile('bad.json', '{"DisplayName": ');
    const before = (await org.admin.get('/job?limit=1')).json()[0].JobID;
    const run = await bulkops(['invocation', 'bulk-patch', '--where', "Slug = 'x'", '--patch', file]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`--patch: ${file} is not JSON`);
    expect((await org.admin.get('/job?limit=1')).json()[0].JobID).toBe(before);
  });

  it('exit 1 for an unreachable service, a missing token and a wrong one', async () => {
    const closed = await freePort();
    const [down, none, wrong] = await Promise.all([
      bulkops(['job', 'list'], { env: { BULKOPS_URL: `http://127.0.0.1:${closed}` } }),
      bulkops(['job', 'list'], { env: { BULKOPS_TOKEN: undefined } }),
      bulkops(['job', 'list'], { env: { BULKOPS_TOKEN: 'bko_wrong' } }),
    ]);
    expect(down.code).toBe(1);
    expect(down.stderr).toContain(`cannot reach http://127.0.0.1:${closed}: connect ECONNREFUSED`);
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('no token: pass --token or set BULKOPS_TOKEN');
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain('the bearer token is not valid (HTTP 401)');
  });
});

describe('job commands', () => {
  it('job list: newest first, as a table or JSON; --url and --token work without the environment', async () => {
    const api = (await org.admin.get('/job?limit=3')).json();
    const run = await bulkops(['job', 'list', '--limit', '3', '--url', url, '--token', org.admin.token], {
      env: { BULKOPS_URL: undefined, BULKOPS_TOKEN: undefined },
    });
    expect(run.code).toBe(0);
    const lines = run.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^JOB\s+STATE\s+OPERATION\s+TOTAL\s+SUCCEEDED\s+FAILED\s+CREATED$/);
    expect(lines.slice(1).map((l) => l.split(/\s+/)[0])).toEqual(api.map((j: { JobID: string }) => j.JobID));
    expect(run.stderr).toMatch(/more: bulkops job list --after /);
    const json = await bulkops(['--json', 'job', 'list', '--limit', '3']);
    expect(JSON.parse(json.stdout)).toEqual(api);
  });

  it('job show and job results: the job and its per-entity results, filtered by status', async () => {
    const [job] = (await org.admin.get('/job?limit=100')).json().filter((j: { Failed: number; DryRun: boolean }) => j.Failed === 2 && !j.DryRun);
    const [show, text, failed, all, one] = await Promise.all([
      bulkops(['job', 'show', job.JobID, '--json']),
      bulkops(['job', 'show', job.JobID]),
      bulkops(['job', 'results', job.JobID, '--status', 'failed']),
      bulkops(['job', 'results', job.JobID, '--json']),
      bulkops(['job', 'results', job.JobID, '--limit', '1']),
    ]);
    expect(JSON.parse(show.stdout)).toEqual((await org.admin.get(`/job/${job.JobID}`)).json());
    expect(text.stdout).toMatch(/^JobID\s+\S+\nState\s+completed\nOperation\s+patch/);
    expect(failed.code).toBe(0);
    expect(failed.stdout.trim().split('\n')).toHaveLength(2);
    expect(failed.stdout).not.toContain('ok ');
    const items = JSON.parse(all.stdout);
    expect(items).toEqual((await org.admin.get(`/job/${job.JobID}/results`)).json());
    expect(items.filter((i: { Error?: unknown }) => i.Error)).toHaveLength(2);
    expect(one.stdout.trim().split('\n')).toEqual([expect.stringMatching(/^ok {6}clash-winner /)]);
  });

  it('follows the Link headers page by page (the client the CLI uses for results)', async () => {
    const [job] = (await org.admin.get('/job?limit=100')).json().filter((j: { Total: number }) => j.Total === 400);
    const pages: number[] = [];
    const slugs = new Set<string>();
    for await (const page of new ApiClient(url, org.admin.token).pages<ResultItem>(`/job/${job.JobID}/results`, { limit: 150 })) {
      pages.push(page.length);
      for (const item of page) slugs.add(String(item.Invocation?.Slug));
    }
    expect(pages).toEqual([150, 150, 100]);
    expect(slugs.size).toBe(400);
  });

  it('refuses an unknown status before calling the service', async () => {
    const run = await bulkops(['job', 'results', '00000000-0000-4000-8000-000000000000', '--status', 'pending']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/--status <status>' argument 'pending' is invalid/);
  });

  it('is the package bin: npx bulkops runs from the project directory', async () => {
    const run = await new Promise<Run>((resolve) => {
      const child = spawn('npx', ['--no-install', 'bulkops', '--version'], { cwd: ROOT, env: process.env });
      let stdout = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.on('close', (code) => resolve({ code, stdout, stderr: '' }));
    });
    expect(run.code).toBe(0);
    expect(run.stdout.trim()).toBe('0.1.0');
  });
});

describe('job revert', () => {
  it('undoes a bulk patch (a dry run first), following the revert job to its end', async (t) => {
    if (!ctx.app.hasRoute({ method: 'POST', url: '/job/:job_id/revert' })) t.skip();
    await seedInvocations(ctx.orm, org.organizationId, space, 30, { prefix: 'rv' });
    const patched = await org.admin.patch(`/invocation?where=${encodeURIComponent("Slug LIKE 'rv-%'")}`, { DisplayName: 'oops' });
    expect(patched.statusCode).toBe(200);
    const id = patched.headers['content-location']?.toString().split('/')[2] ?? '';
    expect(new Set(await displayNames('rv'))).toEqual(new Set(['oops']));

    const dry = await bulkops(['job', 'revert', id, '--dry-run']);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(/revert completed: 30 succeeded, 0 failed of 30 .*\[dry run: nothing written\]/);
    expect(new Set(await displayNames('rv'))).toEqual(new Set(['oops']));

    const run = await bulkops(['job', 'revert', id]);
    expect(run.code).toBe(0);
    expect(run.stderr).toContain(`(revert of ${id}); following its progress`);
    expect(run.stdout).toMatch(/revert completed: 30 succeeded, 0 failed of 30/);
    expect((await displayNames('rv')).filter((n) => n === 'oops')).toEqual([]);
  });
});
