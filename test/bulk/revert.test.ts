import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { createTestContext, newOrganization, type TestContext } from '../helpers/context.ts';
import { seedInvocations, seedSpace, versionsOf } from '../helpers/seed.ts';
import { db } from '../../src/domain/db.ts';
import { purgeExpiredJobs } from '../../src/domain/bulk/reconcile.ts';

let ctx: TestContext;
let org: Awaited<ReturnType<typeof newOrganization>>;
let other: Awaited<ReturnType<typeof newOrganization>>;
let space: string;

beforeAll(async () => {
  ctx = await createTestContext({ BULK_CHUNK_SIZE: '7' }, { workers: true });
  org = await newOrganization(ctx);
  other = await newOrganization(ctx);
  space = await seedSpace(ctx.orm, org.organizationId, 'undo');
});
afterAll(async () => ctx?.close());

const q = (s: string) => encodeURIComponent(s);
const k = () => db(ctx.orm.em.fork());
const jobOf = (res: { headers: Record<string, unknown> }) => String(res.headers['content-location']).split('/')[2]!;
const rows = (ids: string[]) =>
  k().selectFrom('invocation').select(['id', 'slug', 'display_name', 'labels', 'version', 'cursor_id']).where('id', 'in', ids).orderBy('cursor_id').execute();

describe('revert of a patch', () => {
  it('gives every patched entity its fields back as a new Version; a revert of the revert re-applies the patch', async () => {
    const ids = await seedInvocations(ctx.orm, org.organizationId, space, 20, { prefix: 'rp', labels: { keep: 'me' } });
    const patched = await org.admin.patch(`/invocation?where=${q("Slug LIKE 'rp-%'")}`, { DisplayName: 'changed', Labels: { keep: null, added: 'x' } });
    expect(patched.statusCode).toBe(200);
    const job = jobOf(patched);
    const reverted = await org.admin.post(`/job/${job}/revert`);
    expect(reverted.statusCode).toBe(200);
    expect(reverted.json()).toHaveLength(20);
    const after = await rows(ids);
    expect(after.every((r) => r.display_name.startsWith('Invocation ') && r.version === 3)).toBe(true);
    expect(after.every((r) => JSON.stringify(r.labels) === '{"keep":"me"}')).toBe(true);
    const revertJob = jobOf(reverted);
    const view = (await org.admin.get(`/job/${revertJob}`)).json();
    expect(view).toMatchObject({ Operation: 'revert', SourceJobID: job, State: 'completed', Total: 20, Succeeded: 20 });
    // Reverting the same job again answers the first revert job.
    const again = await org.admin.post(`/job/${job}/revert`);
    expect(jobOf(again)).toBe(revertJob);
    // The revert can itself be reverted.
    const redo = await org.admin.post(`/job/${revertJob}/revert`);
    expect(redo.statusCode).toBe(200);
    const redone = await rows(ids);
    expect(redone.every((r) => r.display_name === 'changed' && r.version === 4)).toBe(true);
  });

  it('leaves entities changed since alone with a 409 naming the Version, unless force=true', async () => {
    const ids = await seedInvocations(ctx.orm, org.organizationId, space, 3, { prefix: 'rc' });
    const patched = await org.admin.patch(`/invocation?where=${q("Slug LIKE 'rc-%'")}`, { DisplayName: 'bulk' });
    await k().updateTable('invocation').set({ display_name: 'meanwhile', version: sql`version + 1` }).where('id', '=', ids[1]!).execute();
    const dry = await org.admin.post(`/job/${jobOf(patched)}/revert?dry_run=true`);
    expect(dry.statusCode).toBe(207);
    expect((await rows(ids)).map((r) => r.display_name)).toEqual(['bulk', 'meanwhile', 'bulk']);
    const res = await org.admin.post(`/job/${jobOf(patched)}/revert`);
    expect(res.statusCode).toBe(207);
    const body = res.json();
    expect(body[1].Error).toMatchObject({ Status: 409, ErrorCategory: 'Conflict', Details: { VersionFound: 3, VersionWritten: 2 } });
    expect(body[1].Error.Message).toContain('Version 3');
    expect((await rows(ids)).map((r) => r.display_name)).toEqual(['Invocation 1', 'meanwhile', 'Invocation 3']);

    const ids2 = await seedInvocations(ctx.orm, org.organizationId, space, 2, { prefix: 'rf' });
    const patched2 = await org.admin.patch(`/invocation?where=${q("Slug LIKE 'rf-%'")}`, { DisplayName: 'bulk' });
    await k().updateTable('invocation').set({ display_name: 'meanwhile', version: sql`version + 1` }).where('id', '=', ids2[0]!).execute();
    const forced = await org.admin.post(`/job/${jobOf(patched2)}/revert?force=true`);
    expect(forced.statusCode).toBe(200);
    expect((await rows(ids2)).map((r) => [r.display_name, r.version])).toEqual([['Invocation 1', 4], ['Invocation 2', 3]]);
  });

  it('does not touch entities the job failed on or left unchanged', async () => {
    const ids = await seedInvocations(ctx.orm, org.organizationId, space, 3, { prefix: 'rs' });
    const patched = await org.admin.patch(`/invocation?where=${q("Slug LIKE 'rs-%'")}`, { Slug: 'rs-one' });
    expect(patched.statusCode).toBe(207); // the 2nd and 3rd collide
    const res = await org.admin.post(`/job/${jobOf(patched)}/revert`);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toHaveLength(1);
    expect((await rows(ids)).map((r) => [r.slug, r.version])).toEqual([['rs-1', 3], ['rs-2', 1], ['rs-3', 1]]);
  });
});

describe('revert of a delete and of a clone', () => {
  it('brings deleted entities back with their id, Slug, CursorID and a continued Version; a taken Slug is a 409', async () => {
    const ids = await seedInvocations(ctx.orm, org.organizationId, space, 3, { prefix: 'rd' });
    const before = await rows(ids);
    const deleted = await org.admin.delete(`/invocation?where=${q("Slug LIKE 'rd-%'")}`);
    expect(deleted.statusCode).toBe(200);
    await seedInvocations(ctx.orm, org.organizationId, space, 1, { prefix: 'rd' }); // takes 'rd-1' again
    const res = await org.admin.post(`/job/${jobOf(deleted)}/revert`);
    expect(res.statusCode).toBe(207);
    expect(res.json()[0].Error).toMatchObject({ Status: 409 });
    expect(res.json()[1].Invocation).toMatchObject({ InvocationID: ids[1], Slug: 'rd-2', Version: 2, CursorID: Number(before[1]!.cursor_id) });
    const back = await rows([ids[1]!, ids[2]!]);
    expect(back.map((r) => r.version)).toEqual([2, 2]);
  });

  it('deletes the clones a job created, with the Version rule and DeleteGates', async () => {
    await seedInvocations(ctx.orm, org.organizationId, space, 3, { prefix: 'rk' });
    const cloned = await org.admin.post(`/invocation?where=${q("Slug LIKE 'rk-%'")}&name_prefixes=c-`, null);
    const clones = cloned.json().map((r: { Invocation: { InvocationID: string } }) => r.Invocation.InvocationID) as string[];
    await k().updateTable('invocation').set({ delete_gates: '{"hold":true}' }).where('id', '=', clones[2]!).execute();
    await k().updateTable('invocation').set({ display_name: 'edited', version: sql`version + 1` }).where('id', '=', clones[1]!).execute();
    const res = await org.admin.post(`/job/${jobOf(cloned)}/revert`);
    expect(res.statusCode).toBe(207);
    const body = res.json();
    expect(body[0].Message).toContain('deleted');
    expect(body[1].Error.Status).toBe(409);
    expect(body[2].Error.Status).toBe(422);
    const left = await k().selectFrom('invocation').select('id').where('id', 'in', clones).execute();
    expect(left.map((r) => r.id).sort()).toEqual([clones[1], clones[2]].sort());
    // Sources are never touched by reverting a clone.
    expect(await k().selectFrom('invocation').select('id').where('slug', 'in', ['rk-1', 'rk-2', 'rk-3']).execute()).toHaveLength(3);
  });
});

describe('refusals', () => {
  it('answers 404 for unknown or foreign jobs and 409 for jobs that cannot be reverted', async () => {
    const ids = await seedInvocations(ctx.orm, org.organizationId, space, 1, { prefix: 'rr' });
    const patched = await org.admin.patch(`/invocation?where=${q("Slug = 'rr-1'")}`, { DisplayName: 'x' });
    const job = jobOf(patched);
    expect((await other.admin.post(`/job/${job}/revert`)).statusCode).toBe(404);
    expect((await org.admin.post('/job/00000000-0000-4000-8000-000000000000/revert')).statusCode).toBe(404);
    const dry = await org.admin.patch(`/invocation?where=${q("Slug = 'rr-1'")}&dry_run=true`, { DisplayName: 'y' });
    const dryRevert = await org.admin.post(`/job/${jobOf(dry)}/revert`);
    expect(dryRevert.statusCode).toBe(409);
    expect(dryRevert.json().Message).toMatch(/dry run/);
    await ctx.queue.queue.pause(); // nothing runs: the next job stays queued
    const queued = await org.admin.patch(`/invocation?where=${q("Slug = 'rr-1'")}`, { DisplayName: 'z' }, { prefer: 'respond-async' });
    const queuedRevert = await org.admin.post(`/job/${queued.json().JobID}/revert`);
    expect(queuedRevert.statusCode).toBe(409);
    expect(queuedRevert.json().Message).toMatch(/queued/);
    expect((await org.admin.post(`/job/${queued.json().JobID}/resume`)).statusCode).toBe(409);
    await org.admin.post(`/job/${queued.json().JobID}/cancel`);
    await ctx.queue.queue.resume();
    expect((await org.admin.post(`/job/${job}/pause`)).statusCode).toBe(409);
    const undoRows = () => k().selectFrom('bulk_undo').select('seq').where('job_id', '=', job).execute();
    expect(await undoRows()).not.toEqual([]);
    await k().updateTable('bulk_job').set({ finished_at: sql`now() - interval '30 days'` }).where('id', '=', job).execute();
    await purgeExpiredJobs(ctx.orm.em.fork(), 7);
    expect(await undoRows()).toEqual([]);
    const purged = await org.admin.post(`/job/${job}/revert`);
    expect(purged.statusCode).toBe(409);
    expect(purged.json().Message).toMatch(/retention/);
    expect((await org.admin.get(`/job/${job}`)).json().PurgedAt).toBeTruthy();
    expect((await org.admin.get(`/job/${job}/results`)).json()).toEqual([]);
    expect([...(await versionsOf(ctx.orm, ids)).values()]).toEqual([2]);
  });
});
