import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { db } from '../../src/domain/db.ts';
import { createTestContext, newOrganization, type TestContext } from '../helpers/context.ts';

let ctx: TestContext;
let org: Awaited<ReturnType<typeof newOrganization>>;
let other: Awaited<ReturnType<typeof newOrganization>>;
let spaceId: string;
let otherSpaceId: string;
let seq = 0;

beforeAll(async () => {
  ctx = await createTestContext();
  org = await newOrganization(ctx);
  other = await newOrganization(ctx);
  spaceId = (await org.admin.post('/space', { Slug: 'main' })).json().SpaceID;
  otherSpaceId = (await org.admin.post('/space', { Slug: 'second' })).json().SpaceID;
});
afterAll(async () => ctx?.close());

const base = (space = spaceId) => `/space/${space}/invocation`;
const MERGE = { 'content-type': 'application/merge-patch+json' };

async function create(fields: Record<string, unknown> = {}, space = spaceId) {
  const res = await org.member.post(base(space), { Slug: `inv-${++seq}`, ToolchainType: 'Kubernetes/YAML', ...fields });
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
}

describe('create and get', () => {
  it('creates an invocation with every server-maintained field', async () => {
    const res = await org.member.post(base(), {
      Slug: 'deploy-web',
      DisplayName: 'Deploy web',
      FunctionName: 'set-replicas',
      Arguments: [{ ParameterName: 'replicas', Value: 3 }, { Value: true }],
      ToolchainType: 'Kubernetes/YAML',
      Labels: { env: 'prod' },
      Annotations: { note: 'anything "goes" here\\' },
    });
    expect(res.statusCode).toBe(200);
    const inv = res.json();
    expect(inv).toMatchObject({
      OrganizationID: org.organizationId,
      SpaceID: spaceId,
      Slug: 'deploy-web',
      BridgeWorkerID: null,
      DeleteGates: {},
      Version: 1,
      EntityType: 'Invocation',
    });
    expect(inv.InvocationID).toMatch(/^[0-9a-f-]{36}$/);
    expect(inv.CreatedAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    const canonical =
      '{"Arguments":[{"ParameterName":"replicas","Value":3},{"Value":true}],"FunctionName":"set-replicas"}';
    expect(inv.Hash).toBe(createHash('sha256').update(canonical).digest('hex'));

    const got = await org.member.get(`${base()}/${inv.InvocationID}`);
    expect(got.statusCode).toBe(200);
    expect(got.json()).toEqual({ Invocation: inv });
  });

  it('answers 409 for a Slug taken in the space, or the existing entity with allow_exists=true', async () => {
    const first = await create({ Slug: 'once', DisplayName: 'first' });
    const dup = await org.member.post(base(), { Slug: 'once', ToolchainType: 't', DisplayName: 'second' });
    expect(dup.statusCode).toBe(409);
    expect(dup.json()).toEqual({ Code: '409', Message: expect.stringContaining("'once'") });
    const allowed = await org.member.post(`${base()}?allow_exists=true`, { Slug: 'once', ToolchainType: 't', DisplayName: 'second' });
    expect(allowed.statusCode).toBe(200);
    expect(allowed.json()).toEqual(first);
    expect((await org.member.post(`${base()}?allow_exists=false`, { Slug: 'once', ToolchainType: 't' })).statusCode).toBe(409);
    expect((await org.member.post(`${base()}?allow_exists=yes`, { Slug: 'once2', ToolchainType: 't' })).statusCode).toBe(400);
    // The same Slug in another space is another invocation.
    expect((await org.member.post(base(otherSpaceId), { Slug: 'once', ToolchainType: 't' })).statusCode).toBe(200);
  });

  it('names each refused field and writes nothing', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ Slug: 'bad slug', ToolchainType: 't' }, 'Slug'],
      [{ Slug: 'no-toolchain' }, 'ToolchainType'],
      [{ Slug: 'x1', ToolchainType: 't', Labels: { env: "it's" } }, 'Labels.env'],
      [{ Slug: 'x2', ToolchainType: 't', Labels: { '/lead': 'v' } }, "key '/lead' must be"],
      [{ Slug: 'x3', ToolchainType: 't', Annotations: { a: 'x'.repeat(1025) } }, 'Annotations.a'],
      [{ Slug: 'x4', ToolchainType: 't', DeleteGates: { g: 1 } }, 'DeleteGates.g'],
      [{ Slug: 'x5', ToolchainType: 't', Arguments: [{ ParameterName: 'p' }] }, 'Arguments.0.Value'],
      [{ Slug: 'x6', ToolchainType: 't', Colour: 'red' }, "unknown field 'Colour'"],
      [{ Slug: 'x7', ToolchainType: 't', EntityType: 'Space' }, 'EntityType'],
      [{ Slug: 'x8', ToolchainType: 't', SpaceID: otherSpaceId }, 'SpaceID'],
      [{ Slug: 'x9', ToolchainType: 't', BridgeWorkerID: '1b4e28ba-2fa1-41d2-883f-0016d3cca427' }, 'BridgeWorkerID'],
    ];
    for (const [body, field] of cases) {
      const res = await org.member.post(base(), body);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      expect(res.json().Code).toBe('400');
      expect(res.json().Message, JSON.stringify(body)).toContain(field);
    }
    const rows = await db(ctx.orm.em.fork()).selectFrom('invocation').select('slug').where('slug', 'like', 'x%').execute();
    expect(rows).toEqual([]);
  });

  it('accepts and ignores the read-only fields of an Invocation it was sent back', async () => {
    const inv = await create();
    const copy = { ...inv, Slug: `${inv.Slug}-copy`, Version: 9, Hash: 'nonsense', CursorID: 1 };
    const res = await org.member.post(base(), copy);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ Slug: copy.Slug, Version: 1, Hash: inv.Hash });
    expect(res.json().InvocationID).not.toBe(inv.InvocationID);
  });

  it('links a bridge worker of the organization and refuses one of another organization', async () => {
    const worker = (await org.member.post(`/space/${spaceId}/bridge_worker`, { Slug: 'bw' })).json();
    const inv = await create({ BridgeWorkerID: worker.BridgeWorkerID });
    expect(inv.BridgeWorkerID).toBe(worker.BridgeWorkerID);
    const foreignSpace = (await other.admin.post('/space', { Slug: 'theirs' })).json();
    const foreign = (await other.member.post(`/space/${foreignSpace.SpaceID}/bridge_worker`, { Slug: 'bw' })).json();
    const res = await org.member.post(base(), { Slug: 'foreign-bw', ToolchainType: 't', BridgeWorkerID: foreign.BridgeWorkerID });
    expect(res.statusCode).toBe(400);
    expect(res.json().Message).toContain('BridgeWorkerID');
  });
});

describe('bad input', () => {
  it('refuses malformed JSON, wrong content types, oversized bodies and bad UUIDs', async () => {
    const malformed = await org.member.request({ method: 'POST', url: base(), headers: { 'content-type': 'application/json' }, payload: '{"Slug":' });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json().Message).toContain('JSON');
    const text = await org.member.request({ method: 'POST', url: base(), headers: { 'content-type': 'text/plain' }, payload: '{}' });
    expect(text.statusCode).toBe(415);
    expect(text.json()).toEqual({ Code: '415', Message: expect.stringContaining('text/plain') });
    const mergeOnPost = await org.member.request({ method: 'POST', url: base(), headers: MERGE, payload: '{}' });
    expect(mergeOnPost.statusCode).toBe(415);
    const big = await org.member.post(base(), { Slug: 'big', ToolchainType: 't', Annotations: { a: 'x'.repeat(1024 * 1024) } });
    expect(big.statusCode).toBe(413);
    expect(big.json().Code).toBe('413');
    const badSpace = await org.member.get('/space/123/invocation');
    expect(badSpace.statusCode).toBe(400);
    expect(badSpace.json().Message).toContain('space_id');
    const badInv = await org.member.get(`${base()}/zzz`);
    expect(badInv.statusCode).toBe(400);
    expect(badInv.json().Message).toContain('invocation_id');
    const empty = await org.member.request({ method: 'POST', url: base() });
    expect(empty.statusCode).toBe(400);
  });

  it('answers 401 without a token', async () => {
    const res = await ctx.app.inject({ method: 'GET', url: '/invocation' });
    expect(res.statusCode).toBe(401);
    expect(res.json().Code).toBe('401');
  });
});

describe('patch', () => {
  it('applies a merge patch, bumps Version by one and rehashes', async () => {
    const inv = await create({ FunctionName: 'f', Labels: { a: '1', b: '2' }, Arguments: [{ Value: 1 }] });
    const res = await org.member.patch(`${base()}/${inv.InvocationID}`, { Labels: { a: null, c: '3' }, Arguments: [{ Value: 2 }] }, MERGE);
    expect(res.statusCode).toBe(200);
    const out = res.json();
    expect(out).toMatchObject({ Labels: { b: '2', c: '3' }, Arguments: [{ Value: 2 }], Version: 2 });
    expect(out.Hash).toBe(createHash('sha256').update('{"Arguments":[{"Value":2}],"FunctionName":"f"}').digest('hex'));
    expect(out.CursorID).toBe(inv.CursorID);
    const again = await org.member.patch(`${base()}/${inv.InvocationID}`, { DisplayName: 'renamed' });
    expect(again.json()).toMatchObject({ Version: 3, Hash: out.Hash });
  });

  it('writes nothing and keeps Version and UpdatedAt for a patch that changes nothing', async () => {
    const inv = await create({ Labels: { a: '1' } });
    await sql`update invocation set updated_at = '2020-01-01T00:00:00Z' where id = ${inv.InvocationID}`.execute(db(ctx.orm.em.fork()));
    const same = await org.member.patch(`${base()}/${inv.InvocationID}`, { Labels: { a: '1' }, BridgeWorkerID: null });
    expect(same.json()).toMatchObject({ Version: 1, UpdatedAt: '2020-01-01T00:00:00Z' });
    const changed = await org.member.patch(`${base()}/${inv.InvocationID}`, { Labels: { a: '2' } });
    expect(changed.json().Version).toBe(2);
    expect(changed.json().UpdatedAt > '2020-01-01T00:00:00Z').toBe(true);
    expect(changed.json().CreatedAt).toBe(inv.CreatedAt);
  });

  it('refuses bad patches with 400 naming the field, other content types with 415', async () => {
    const inv = await create();
    const url = `${base()}/${inv.InvocationID}`;
    expect((await org.member.patch(url, { Version: 5 })).json().Message).toContain('Version');
    expect((await org.member.patch(url, { Slug: null })).json().Message).toContain('Slug');
    expect((await org.member.patch(url, { Labels: { k: '' } })).json().Message).toContain('Labels.k');
    expect((await org.member.patch(url, { Nope: 1 })).json().Message).toContain("'Nope'");
    expect((await org.member.patch(url, [1])).statusCode).toBe(400);
    const nullBody = await org.member.request({ method: 'PATCH', url, headers: MERGE, payload: 'null' });
    expect(nullBody.statusCode).toBe(400);
    const xml = await org.member.request({ method: 'PATCH', url, headers: { 'content-type': 'application/xml' }, payload: '<a/>' });
    expect(xml.statusCode).toBe(415);
    const malformed = await org.member.request({ method: 'PATCH', url, headers: MERGE, payload: '{' });
    expect(malformed.statusCode).toBe(400);
    expect((await org.member.get(url)).json().Invocation.Version).toBe(1);
  });

  it('answers 409 when the new Slug is taken and 404 for an unknown invocation', async () => {
    const a = await create();
    const b = await create();
    const res = await org.member.patch(`${base()}/${a.InvocationID}`, { Slug: b.Slug });
    expect(res.statusCode).toBe(409);
    const missing = await org.member.patch(`${base()}/1b4e28ba-2fa1-41d2-883f-0016d3cca427`, { DisplayName: 'x' });
    expect(missing.statusCode).toBe(404);
  });
});

describe('put', () => {
  it('replaces the writable fields when the Version is current', async () => {
    const inv = await create({ Labels: { a: '1' }, FunctionName: 'f' });
    const res = await org.member.put(`${base()}/${inv.InvocationID}`, { ...inv, Labels: undefined, DisplayName: 'new' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ Labels: {}, DisplayName: 'new', FunctionName: 'f', Version: 2, Hash: inv.Hash });
  });

  it('answers 409 for a stale Version and changes nothing', async () => {
    const inv = await create();
    const url = `${base()}/${inv.InvocationID}`;
    expect((await org.member.patch(url, { DisplayName: 'moved on' })).json().Version).toBe(2);
    const stale = await org.member.put(url, { ...inv, DisplayName: 'lost update' });
    expect(stale.statusCode).toBe(409);
    expect(stale.json().Message).toContain('stale');
    expect((await org.member.get(url)).json().Invocation).toMatchObject({ DisplayName: 'moved on', Version: 2 });
  });

  it('keeps Version for an identical body and requires a Version', async () => {
    const inv = await create();
    const url = `${base()}/${inv.InvocationID}`;
    expect((await org.member.put(url, inv)).json().Version).toBe(1);
    const { Version: _, ...noVersion } = inv;
    const res = await org.member.put(url, noVersion);
    expect(res.statusCode).toBe(400);
    expect(res.json().Message).toContain('Version');
    const unknown = await org.member.put(url, { ...inv, Colour: 'red' });
    expect(unknown.json().Message).toContain("unknown field 'Colour'");
    const badType = await org.member.request({ method: 'PUT', url, headers: MERGE, payload: JSON.stringify(inv) });
    expect(badType.statusCode).toBe(415);
    const wrongId = await org.member.put(url, { ...inv, InvocationID: '1b4e28ba-2fa1-41d2-883f-0016d3cca427' });
    expect(wrongId.statusCode).toBe(400);
    expect(wrongId.json().Message).toContain('InvocationID');
  });
});

describe('delete', () => {
  it('refuses a gated invocation with 422, deletes it once the gates are gone', async () => {
    const inv = await create({ DeleteGates: { protect: true } });
    const url = `${base()}/${inv.InvocationID}`;
    const gated = await org.member.delete(url);
    expect(gated.statusCode).toBe(422);
    expect(gated.json()).toEqual({ Code: '422', Message: expect.stringContaining('protect') });
    await org.member.patch(url, { DeleteGates: null });
    const res = await org.member.delete(url);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ Message: expect.stringContaining(inv.InvocationID) });
    expect((await org.member.get(url)).statusCode).toBe(404);
    expect((await org.member.delete(url)).statusCode).toBe(404);
  });
});

describe('tenancy', () => {
  it("hides another organization's spaces and invocations behind 404", async () => {
    const inv = await create();
    const url = `${base()}/${inv.InvocationID}`;
    expect((await other.member.get(url)).statusCode).toBe(404);
    expect((await other.member.get(base())).statusCode).toBe(404);
    expect((await other.member.patch(url, { DisplayName: 'x' })).statusCode).toBe(404);
    expect((await other.member.put(url, inv)).statusCode).toBe(404);
    expect((await other.member.delete(url)).statusCode).toBe(404);
    expect((await other.member.post(base(), { Slug: 'intruder', ToolchainType: 't' })).statusCode).toBe(404);
    const all = (await other.member.get('/invocation')).json() as { Invocation: { OrganizationID: string } }[];
    expect(all.every((e) => e.Invocation.OrganizationID === other.organizationId)).toBe(true);
    expect((await org.member.get(url)).json().Invocation.Version).toBe(1);
  });

  it('does not find an invocation through another space of the same organization', async () => {
    const inv = await create();
    expect((await org.member.get(`${base(otherSpaceId)}/${inv.InvocationID}`)).statusCode).toBe(404);
  });
});

describe('lists, include and select', () => {
  it('lists a space and all spaces in CursorID order, paged with limit and after', async () => {
    const fresh = await newOrganization(ctx);
    const s1 = (await fresh.admin.post('/space', { Slug: 's1' })).json().SpaceID;
    const s2 = (await fresh.admin.post('/space', { Slug: 's2' })).json().SpaceID;
    for (const [space, slug] of [[s1, 'a'], [s2, 'b'], [s1, 'c'], [s2, 'd'], [s1, 'e']]) {
      await fresh.member.post(`/space/${space}/invocation`, { Slug: slug, ToolchainType: 't' });
    }
    const slugs = (res: { json(): { Invocation: { Slug: string } }[] }) => res.json().map((e) => e.Invocation.Slug);
    expect(slugs(await fresh.member.get(`/space/${s1}/invocation`))).toEqual(['a', 'c', 'e']);
    const page1 = await fresh.member.get('/invocation?limit=2');
    expect(slugs(page1)).toEqual(['a', 'b']);
    const link = page1.headers.link as string;
    expect(link).toMatch(/^<\/invocation\?limit=2&after=\d+>; rel="next"$/);
    const page2 = await fresh.member.get(link.slice(1, link.indexOf('>')));
    expect(slugs(page2)).toEqual(['c', 'd']);
    const page3 = await fresh.member.get(`/invocation?limit=2&after=${page2.json()[1].Invocation.CursorID}`);
    expect(slugs(page3)).toEqual(['e']);
    expect(page3.headers.link).toBeUndefined();
    expect((await fresh.member.get('/invocation?limit=5000')).statusCode).toBe(400);
    expect((await fresh.member.get('/invocation?where=x')).statusCode).toBe(400);
  });

  it('fills BridgeWorker, Organization and Space on include, and refuses other names', async () => {
    const worker = (await org.member.post(`/space/${spaceId}/bridge_worker`, { Slug: 'inc-bw' })).json();
    const inv = await create({ BridgeWorkerID: worker.BridgeWorkerID });
    const plain = await create();
    const res = await org.member.get(`${base()}/${inv.InvocationID}?include=BridgeWorkerID,OrganizationID,SpaceID`);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.BridgeWorker).toMatchObject({ BridgeWorkerID: worker.BridgeWorkerID, Slug: 'inc-bw', EntityType: 'BridgeWorker' });
    expect(body.Organization).toMatchObject({ OrganizationID: org.organizationId });
    expect(body.Space).toMatchObject({ SpaceID: spaceId, Slug: 'main', EntityType: 'Space' });
    const noWorker = (await org.member.get(`${base()}/${plain.InvocationID}?include=BridgeWorkerID`)).json();
    expect(noWorker).not.toHaveProperty('BridgeWorker');
    const listed = (await org.member.get(`${base()}?include=SpaceID`)).json() as { Space: { SpaceID: string } }[];
    expect(listed.every((e) => e.Space.SpaceID === spaceId)).toBe(true);
    const bad = await org.member.get(`${base()}?include=Labels`);
    expect(bad.statusCode).toBe(400);
    expect(bad.json().Message).toContain('include');
  });

  it('answers only the selected fields plus IDs and Slug, and refuses unknown fields', async () => {
    const inv = await create({ Labels: { a: '1' } });
    const res = await org.member.get(`${base()}/${inv.InvocationID}?select=Labels,Version`);
    expect(res.json()).toEqual({
      Invocation: { InvocationID: inv.InvocationID, OrganizationID: org.organizationId, SpaceID: spaceId, Slug: inv.Slug, Labels: { a: '1' }, Version: 1 },
    });
    const bad = await org.member.get(`${base()}?select=Labels,Colour`);
    expect(bad.statusCode).toBe(400);
    expect(bad.json().Message).toContain("'Colour'");
  });
});
