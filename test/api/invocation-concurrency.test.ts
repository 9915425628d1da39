import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, newOrganization, type TestContext } from '../helpers/context.ts';

let ctx: TestContext;
let org: Awaited<ReturnType<typeof newOrganization>>;
let spaceId: string;
let seq = 0;

beforeAll(async () => {
  ctx = await createTestContext();
  org = await newOrganization(ctx);
  spaceId = (await org.admin.post('/space', { Slug: 'main' })).json().SpaceID;
});
afterAll(async () => ctx?.close());

const base = () => `/space/${spaceId}/invocation`;

async function create() {
  const res = await org.member.post(base(), { Slug: `inv-${++seq}`, ToolchainType: 'Kubernetes/YAML' });
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
}

describe('concurrent writers', () => {
  it('lets exactly one of two PUTs with the same Version win', async () => {
    const inv = await create();
    const url = `${base()}/${inv.InvocationID}`;
    const [a, b] = await Promise.all([
      org.member.put(url, { ...inv, DisplayName: 'a' }),
      org.member.put(url, { ...inv, DisplayName: 'b' }),
    ]);
    expect([a.statusCode, b.statusCode].sort()).toEqual([200, 409]);
    const winner = a.statusCode === 200 ? 'a' : 'b';
    expect((await org.member.get(url)).json().Invocation).toMatchObject({ DisplayName: winner, Version: 2 });
  });

  it('loses no patch when many arrive at once, and counts each in Version', async () => {
    const inv = await create();
    const url = `${base()}/${inv.InvocationID}`;
    const results = await Promise.all(Array.from({ length: 4 }, (_, i) => org.member.patch(url, { Labels: { [`k${i}`]: 'v' } })));
    expect(results.map((r) => r.statusCode)).toEqual([200, 200, 200, 200]);
    const final = (await org.member.get(url)).json().Invocation;
    expect(final.Labels).toEqual({ k0: 'v', k1: 'v', k2: 'v', k3: 'v' });
    expect(final.Version).toBe(5);
  });
});
