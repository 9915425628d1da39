import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { db } from '../../src/domain/db.ts';
import { createTestContext, newOrganization, type TestContext } from '../helpers/context.ts';

let ctx: TestContext;
let org: Awaited<ReturnType<typeof newOrganization>>;
let other: Awaited<ReturnType<typeof newOrganization>>;
beforeAll(async () => {
  ctx = await createTestContext();
  org = await newOrganization(ctx);
  other = await newOrganization(ctx);
});
afterAll(async () => ctx?.close());

const TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;

describe('spaces', () => {
  it('creates a space with server-maintained fields and reads it back', async () => {
    const res = await org.admin.post('/space', { Slug: 'prod', DisplayName: 'Production', Labels: { tier: 'backend' } });
    expect(res.statusCode).toBe(200);
    const space = res.json();
    expect(space).toMatchObject({
      OrganizationID: org.organizationId,
      Slug: 'prod',
      DisplayName: 'Production',
      Labels: { tier: 'backend' },
      Annotations: {},
      DeleteGates: {},
      Version: 1,
      EntityType: 'Space',
    });
    expect(space.CreatedAt).toMatch(TIME);
    expect(typeof space.CursorID).toBe('number');
    const got = await org.member.get(`/space/${space.SpaceID}`);
    expect(got.statusCode).toBe(200);
    expect(got.json()).toEqual(space);
  });

  it('refuses a duplicate Slug in the organization with 409 but allows it in another organization', async () => {
    expect((await org.admin.post('/space', { Slug: 'dup' })).statusCode).toBe(200);
    const again = await org.admin.post('/space', { Slug: 'dup' });
    expect(again.statusCode).toBe(409);
    expect(again.json().Message).toContain("Slug 'dup'");
    expect((await other.admin.post('/space', { Slug: 'dup' })).statusCode).toBe(200);
  });

  it('names the refused field and refuses unknown and read-only fields', async () => {
    const badSlug = await org.admin.post('/space', { Slug: 'a b' });
    expect(badSlug.statusCode).toBe(400);
    expect(badSlug.json().Message).toContain('Slug');
    const badLabel = await org.admin.post('/space', { Slug: 'ok1', Labels: { env: 'pro*d' } });
    expect(badLabel.statusCode).toBe(400);
    expect(badLabel.json().Message).toContain('Labels.env');
    const unknown = await org.admin.post('/space', { Slug: 'ok2', Colour: 'red' });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().Message).toContain("unknown field 'Colour'");
    const readOnly = await org.admin.post('/space', { Slug: 'ok3', Version: 7 });
    expect(readOnly.statusCode).toBe(400);
    expect(readOnly.json().Message).toContain("'Version'");
  });

  it('lets members read spaces but only admins change them (403)', async () => {
    expect((await org.member.post('/space', { Slug: 'by-member' })).statusCode).toBe(403);
    const space = (await org.admin.post('/space', { Slug: 'guarded' })).json();
    expect((await org.member.patch(`/space/${space.SpaceID}`, { DisplayName: 'x' })).statusCode).toBe(403);
    expect((await org.member.delete(`/space/${space.SpaceID}`)).statusCode).toBe(403);
    expect((await org.member.get('/space')).statusCode).toBe(200);
  });

  it('merge-patches a space: maps merge, null removes, Version grows by one, no-op keeps it', async () => {
    const space = (await org.admin.post('/space', { Slug: 'patchme', Labels: { a: '1', b: '2' } })).json();
    const res = await org.admin.patch(`/space/${space.SpaceID}`, { Labels: { a: null, c: '3' }, DisplayName: 'P' }, {
      'content-type': 'application/merge-patch+json',
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ Labels: { b: '2', c: '3' }, DisplayName: 'P', Version: 2 });
    const same = await org.admin.patch(`/space/${space.SpaceID}`, { DisplayName: 'P' });
    expect(same.json().Version).toBe(2);
    const bad = await org.admin.patch(`/space/${space.SpaceID}`, { Slug: null });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().Message).toContain('Slug');
    const wrongType = await org.admin.request({
      method: 'PATCH',
      url: `/space/${space.SpaceID}`,
      headers: { 'content-type': 'text/plain' },
      payload: '{}',
    });
    expect(wrongType.statusCode).toBe(415);
  });

  it('refuses a patch to a Slug another space has (409)', async () => {
    const a = (await org.admin.post('/space', { Slug: 'first' })).json();
    await org.admin.post('/space', { Slug: 'second' });
    const res = await org.admin.patch(`/space/${a.SpaceID}`, { Slug: 'second' });
    expect(res.statusCode).toBe(409);
    expect((await org.admin.get(`/space/${a.SpaceID}`)).json().Slug).toBe('first');
  });

  it('refuses to delete a gated space (422) or a non-empty one (409), deletes an empty one', async () => {
    const gated = (await org.admin.post('/space', { Slug: 'gated', DeleteGates: { keep: true } })).json();
    const res = await org.admin.delete(`/space/${gated.SpaceID}`);
    expect(res.statusCode).toBe(422);
    expect(res.json().Message).toContain('keep');
    const full = (await org.admin.post('/space', { Slug: 'full' })).json();
    await org.admin.post(`/space/${full.SpaceID}/invocation`, { Slug: 'inv', ToolchainType: 'Kubernetes/YAML' });
    const notEmpty = await org.admin.delete(`/space/${full.SpaceID}`);
    expect(notEmpty.statusCode).toBe(409);
    expect(notEmpty.json().Message).toContain('invocations');
    const empty = (await org.admin.post('/space', { Slug: 'empty' })).json();
    const gone = await org.admin.delete(`/space/${empty.SpaceID}`);
    expect(gone.statusCode).toBe(200);
    expect(gone.json().Message).toContain(empty.SpaceID);
    expect((await org.admin.get(`/space/${empty.SpaceID}`)).statusCode).toBe(404);
    expect((await org.admin.delete(`/space/${empty.SpaceID}`)).statusCode).toBe(404);
  });

  it('hides spaces of other organizations (404) and lists only its own', async () => {
    const mine = (await org.admin.post('/space', { Slug: 'secret' })).json();
    expect((await other.admin.get(`/space/${mine.SpaceID}`)).statusCode).toBe(404);
    expect((await other.admin.patch(`/space/${mine.SpaceID}`, { DisplayName: 'x' })).statusCode).toBe(404);
    expect((await other.admin.delete(`/space/${mine.SpaceID}`)).statusCode).toBe(404);
    const listed = (await other.admin.get('/space')).json() as { SpaceID: string; OrganizationID: string }[];
    expect(listed.every((s) => s.OrganizationID === other.organizationId)).toBe(true);
    expect(listed.map((s) => s.SpaceID)).not.toContain(mine.SpaceID);
  });

  it('pages the list by CursorID with limit and after, with a Link to the next page', async () => {
    const fresh = await newOrganization(ctx);
    for (let i = 0; i < 5; i++) await fresh.admin.post('/space', { Slug: `s${i}` });
    const first = await fresh.admin.get('/space?limit=2');
    expect(first.statusCode).toBe(200);
    expect(first.json().map((s: { Slug: string }) => s.Slug)).toEqual(['s0', 's1']);
    const link = first.headers.link as string;
    expect(link).toMatch(/^<\/space\?limit=2&after=\d+>; rel="next"$/);
    const next = await fresh.admin.get(link.slice(1, link.indexOf('>')));
    expect(next.json().map((s: { Slug: string }) => s.Slug)).toEqual(['s2', 's3']);
    const last = await fresh.admin.get(`/space?limit=2&after=${next.json()[1].CursorID}`);
    expect(last.json().map((s: { Slug: string }) => s.Slug)).toEqual(['s4']);
    expect(last.headers.link).toBeUndefined();
    expect((await fresh.admin.get('/space?limit=0')).statusCode).toBe(400);
    expect((await fresh.admin.get('/space?limit=1001')).statusCode).toBe(400);
    expect((await fresh.admin.get('/space?after=abc')).json().Message).toContain('after');
  });

  it('answers 400 naming the parameter for a bad UUID in the path', async () => {
    const res = await org.admin.get('/space/not-a-uuid');
    expect(res.statusCode).toBe(400);
    expect(res.json().Message).toContain('space_id');
  });

  it('keeps UpdatedAt on a no-op and moves it on a change', async () => {
    const space = (await org.admin.post('/space', { Slug: 'clock' })).json();
    await sql`update space set updated_at = '2020-01-01T00:00:00Z' where id = ${space.SpaceID}`.execute(db(ctx.orm.em.fork()));
    expect((await org.admin.patch(`/space/${space.SpaceID}`, {})).json().UpdatedAt).toBe('2020-01-01T00:00:00Z');
    const changed = (await org.admin.patch(`/space/${space.SpaceID}`, { DisplayName: 'tick' })).json();
    expect(changed.UpdatedAt > '2020-01-01T00:00:00Z').toBe(true);
    expect(changed.CreatedAt).toBe(space.CreatedAt);
  });
});
