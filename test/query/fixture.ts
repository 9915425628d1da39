import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { db } from '../../src/domain/db.ts';
import type { Actor } from '../../src/domain/identity/actor.ts';

/**
 * A small, fixed set of rows the where-language tests run against: five invocations and two
 * spaces in organization A, and look-alikes in organization B that no selection of A may return.
 */
export interface Fixture {
  ids: Record<string, string>;
  actorA: Actor;
  actorB: Actor;
}

interface InvocationSeed {
  slug: string;
  space: 'S1' | 'S2' | 'S3';
  display_name: string;
  function_name: string;
  toolchain_type: string;
  worker: boolean;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  delete_gates: Record<string, boolean>;
  created_at: string;
  updated_at?: string;
}

const K8S = 'Kubernetes/YAML';
export const INVOCATIONS: InvocationSeed[] = [
  { slug: 'alpha', space: 'S1', display_name: 'Alpha One', function_name: 'deploy', toolchain_type: K8S, worker: true,
    labels: { env: 'prod', tier: 'backend', 'app.kubernetes.io/name': 'web' }, annotations: { note: 'first' }, delete_gates: {},
    created_at: '2025-01-01T00:00:00Z', updated_at: '2025-01-02T00:00:00Z' },
  { slug: 'beta', space: 'S1', display_name: 'Beta_Two', function_name: 'deploy', toolchain_type: K8S, worker: false,
    labels: { env: 'staging', tier: 'frontend' }, annotations: {}, delete_gates: { protect: true },
    created_at: '2025-02-18T23:16:34Z' },
  { slug: 'gamma', space: 'S2', display_name: 'gamma 100%', function_name: 'rollback', toolchain_type: 'OpenTofu/HCL', worker: true,
    labels: { env: 'prod', 'team/owner': 'ops' }, annotations: { 'ticket.id': 'T-1' }, delete_gates: { hold: false },
    created_at: '2025-06-30T12:00:00Z' },
  { slug: 'delta-1', space: 'S2', display_name: 'Delta', function_name: 'Deploy', toolchain_type: K8S, worker: false,
    labels: {}, annotations: {}, delete_gates: { protect: true, hold: true }, created_at: '2026-01-01T00:00:00Z' },
  { slug: 'Epsilon.2', space: 'S1', display_name: 'Epsilon.2', function_name: 'scale', toolchain_type: K8S, worker: false,
    labels: { env: 'dev', tier: 'backend' }, annotations: { note: 'second' }, delete_gates: {}, created_at: '2024-12-31T23:59:59Z' },
  // Organization B: matches most expressions, must never be selected for A.
  { slug: 'alpha', space: 'S3', display_name: 'Alpha One', function_name: 'deploy', toolchain_type: K8S, worker: false,
    labels: { env: 'prod', tier: 'backend' }, annotations: {}, delete_gates: {}, created_at: '2025-01-01T00:00:00Z' },
];

const SPACES = [
  { key: 'S1', org: 'A', slug: 'space-one', display_name: 'Space One', labels: { env: 'prod' }, delete_gates: {} },
  { key: 'S2', org: 'A', slug: 'space-two', display_name: 'Second', labels: {}, delete_gates: { protect: true } },
  { key: 'S3', org: 'B', slug: 'space-one', display_name: 'Space One', labels: { env: 'prod' }, delete_gates: {} },
] as const;

export async function seedFixture(em: EntityManager): Promise<Fixture> {
  const k = db(em);
  const ids: Record<string, string> = { A: randomUUID(), B: randomUUID(), W1: randomUUID() };
  await k.insertInto('organization').values([
    { id: ids.A as string, slug: `qa-${ids.A}`, display_name: 'A' },
    { id: ids.B as string, slug: `qb-${ids.B}`, display_name: 'B' },
  ]).execute();
  for (const s of SPACES) {
    ids[s.key] = randomUUID();
    await k.insertInto('space').values({
      id: ids[s.key] as string, organization_id: ids[s.org] as string, slug: s.slug, display_name: s.display_name,
      labels: JSON.stringify(s.labels), annotations: '{}', delete_gates: JSON.stringify(s.delete_gates),
    }).execute();
  }
  await k.insertInto('bridge_worker').values({ id: ids.W1 as string, organization_id: ids.A as string, space_id: ids.S1 as string, slug: 'w1', display_name: 'w1' }).execute();
  for (const inv of INVOCATIONS) {
    const id = randomUUID();
    ids[inv.space === 'S3' ? 'B:alpha' : inv.slug] = id;
    await k.insertInto('invocation').values({
      id, organization_id: (inv.space === 'S3' ? ids.B : ids.A) as string, space_id: ids[inv.space] as string,
      slug: inv.slug, display_name: inv.display_name, function_name: inv.function_name, toolchain_type: inv.toolchain_type, arguments: '[]',
      bridge_worker_id: inv.worker ? (ids.W1 as string) : null, labels: JSON.stringify(inv.labels),
      annotations: JSON.stringify(inv.annotations), delete_gates: JSON.stringify(inv.delete_gates), hash: 'h',
      created_at: inv.created_at, updated_at: inv.updated_at ?? inv.created_at,
    }).execute();
  }
  const actor = (org: string): Actor => ({ tokenId: 'test', organizationId: ids[org] as string, role: 'admin', workspaceIds: [] });
  return { ids, actorA: actor('A'), actorB: actor('B') };
}

/** Replaces `{S1}`, `{alpha}`, ... in an expression by the fixture's ids. */
export const withIds = (expr: string, ids: Record<string, string>) =>
  expr.replace(/\{([A-Za-z0-9:.-]+)\}/g, (m, name: string) => ids[name] ?? m);
