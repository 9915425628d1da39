import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, newOrganization, type TestContext } from '../helpers/context.ts';
import { seedInvocations, seedSpace } from '../helpers/seed.ts';
import { db } from '../../src/domain/db.ts';
import { loadConfig } from '../../src/config.ts';

/** BULK_RECORD_UNDO=false: patches and deletes keep no before-state and cannot be reverted. */
let ctx: TestContext;
let org: Awaited<ReturnType<typeof newOrganization>>;
let space: string;

beforeAll(async () => {
  ctx = await createTestContext({ BULK_CHUNK_SIZE: '4', BULK_RECORD_UNDO: 'false' }, { workers: true });
  org = await newOrganization(ctx);
  space = await seedSpace(ctx.orm, org.organizationId, 'no-undo');
});
afterAll(async () => ctx?.close());

const q = (s: string) => encodeURIComponent(s);
const k = () => db(ctx.orm.em.fork());
const jobOf = (res: { headers: Record<string, unknown> }) => String(res.headers['content-location']).split('/')[2]!;
const itemsOf = (jobId: string) => k().selectFrom('bulk_item').select('status').where('job_id', '=', jobId).execute();
const undoRows = async (jobId: string) =>
  (await k().selectFrom('bulk_undo').select((eb) => eb.fn.countAll<number>().as('n')).where('job_id', '=', jobId).executeTakeFirstOrThrow()).n;

describe('jobs run without undo data', () => {
  it('a patch writes its results but no before-state, says so, and refuses a revert with 409 saying why', async () => {
    const ids = await seedInvocations(ctx.orm, org.organizationId, space, 10, { prefix: 'nu' });
    const res = await org.admin.patch(`/invocation?where=${q("Slug LIKE 'nu-%'")}`, { DisplayName: 'patched' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toHaveLength(10);
    expect(res.json()[0].Invocation).toMatchObject({ DisplayName: 'patched', Version: 2 });
    const job = jobOf(res);
    expect((await org.admin.get(`/job/${job}`)).json()).toMatchObject({ UndoRecorded: false, Succeeded: 10 });
    const items = await itemsOf(job);
    expect(items).toHaveLength(10);
    expect(items.every((i) => i.status === 'succeeded')).toBe(true);
    expect(Number(await undoRows(job))).toBe(0);
    const revert = await org.admin.post(`/job/${job}/revert`);
    expect(revert.statusCode).toBe(409);
    expect(revert.json().Message).toMatch(/ran without undo data \(BULK_RECORD_UNDO was false/);
    const jobs = await k().selectFrom('bulk_job').select('id').where('source_job_id', '=', job).execute();
    expect(jobs).toEqual([]);
    const rows = await k().selectFrom('invocation').select(['display_name', 'version']).where('id', 'in', ids).execute();
    expect(rows.every((r) => r.display_name === 'patched' && r.version === 2)).toBe(true);
  });

  it('a delete removes its entities without keeping them, and cannot be reverted', async () => {
    await seedInvocations(ctx.orm, org.organizationId, space, 6, { prefix: 'nd' });
    const res = await org.admin.delete(`/invocation?where=${q("Slug LIKE 'nd-%'")}`);
    expect(res.statusCode).toBe(200);
    const job = jobOf(res);
    expect(await itemsOf(job)).toHaveLength(6);
    expect(Number(await undoRows(job))).toBe(0);
    expect((await org.admin.post(`/job/${job}/revert`)).statusCode).toBe(409);
  });

  it('a clone records the ids it created in any case, so it can still be reverted', async () => {
    await seedInvocations(ctx.orm, org.organizationId, space, 5, { prefix: 'nc' });
    const res = await org.admin.post(`/invocation?where=${q("Slug LIKE 'nc-%'")}&name_prefixes=copy-`, null);
    expect(res.statusCode).toBe(200);
    const revert = await org.admin.post(`/job/${jobOf(res)}/revert`);
    expect(revert.statusCode).toBe(200);
    expect(revert.json()).toHaveLength(5);
    const left = await k().selectFrom('invocation').select('slug').where('slug', 'like', 'copy-nc-%').execute();
    expect(left).toEqual([]);
  });
});

describe('BULK_RECORD_UNDO', () => {
  it('is on unless set to a false value, and refuses anything else naming the variable', () => {
    const base = { DATABASE_URL: 'postgres://x@localhost/x', REDIS_URL: 'redis://localhost' };
    expect(loadConfig(base).BULK_RECORD_UNDO).toBe(true);
    expect(loadConfig({ ...base, BULK_RECORD_UNDO: 'false' }).BULK_RECORD_UNDO).toBe(false);
    expect(loadConfig({ ...base, BULK_RECORD_UNDO: '0' }).BULK_RECORD_UNDO).toBe(false);
    expect(() => loadConfig({ ...base, BULK_RECORD_UNDO: 'maybe' })).toThrow(/BULK_RECORD_UNDO/);
  });
});
