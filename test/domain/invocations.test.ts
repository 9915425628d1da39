import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  applyInvocationPatch,
  buildInvocationState,
  type InvocationRow,
  type InvocationState,
  invocationHash,
  parseInvocationPatch,
  parseInvocationProjection,
  projectInvocation,
  toInvocationView,
} from '../../src/domain/invocations/index.ts';
import { DomainError } from '../../src/domain/errors.ts';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

function state(fields: Record<string, unknown> = {}): InvocationState {
  const built = buildInvocationState({ Slug: 'inv', ToolchainType: 'Kubernetes/YAML', ...fields });
  if (!built.ok) throw new Error(built.message);
  return built.state;
}

function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(DomainError);
    expect((e as DomainError).status).toBe(400);
    return (e as DomainError).message;
  }
  throw new Error('expected a 400');
}

describe('invocationHash', () => {
  it('is the SHA-256 of the key-sorted JSON of FunctionName and Arguments', () => {
    const args = [{ Value: 3, ParameterName: 'replicas' }, { Value: 'x' }];
    const expected = sha256('{"Arguments":[{"ParameterName":"replicas","Value":3},{"Value":"x"}],"FunctionName":"scale"}');
    expect(invocationHash('scale', args)).toBe(expected);
  });

  it('depends on argument order and values, not on key order', () => {
    const a = invocationHash('f', [{ ParameterName: 'a', Value: 1 }, { ParameterName: 'b', Value: true }]);
    expect(invocationHash('f', [{ Value: 1, ParameterName: 'a' }, { Value: true, ParameterName: 'b' }])).toBe(a);
    expect(invocationHash('f', [{ ParameterName: 'b', Value: true }, { ParameterName: 'a', Value: 1 }])).not.toBe(a);
    expect(invocationHash('f', [{ ParameterName: 'a', Value: '1' }, { ParameterName: 'b', Value: true }])).not.toBe(a);
  });
});

describe('buildInvocationState', () => {
  it('fills defaults and hashes', () => {
    const s = state();
    expect(s).toMatchObject({ DisplayName: '', FunctionName: '', Arguments: [], BridgeWorkerID: null, Labels: {} });
    expect(s.Hash).toBe(sha256('{"Arguments":[],"FunctionName":""}'));
  });

  it.each([
    [{ Slug: '-x' }, 'Slug'],
    [{ Slug: 'a'.repeat(129) }, 'Slug'],
    [{ Labels: { 'bad key!': 'v' } }, 'Labels.bad key!'],
    [{ Labels: { k: ' lead' } }, 'Labels.k'],
    [{ Labels: { k: 'quo"te' } }, 'Labels.k'],
    [{ Labels: { k: 'back\\slash' } }, 'Labels.k'],
    [{ Labels: { k: 'x'.repeat(129) } }, 'Labels.k'],
    [{ Labels: { k: 'tab\there' } }, 'Labels.k'],
    [{ Annotations: { k: 'x'.repeat(1025) } }, 'Annotations.k'],
    [{ DeleteGates: { k: 'yes' } }, 'DeleteGates.k'],
    [{ Arguments: [{ Value: { nested: 1 } }] }, 'Arguments.0.Value'],
    [{ Arguments: [{ Value: 1, Extra: 2 }] }, "unknown field 'Extra'"],
    [{ ToolchainType: '' }, 'ToolchainType'],
    [{ BridgeWorkerID: 'nope' }, 'BridgeWorkerID'],
    [{ DisplayName: 'a\u0000b' }, 'DisplayName'],
  ])('refuses %j naming %s', (fields, name) => {
    const built = buildInvocationState({ Slug: 'inv', ToolchainType: 't', ...fields });
    expect(built.ok).toBe(false);
    if (!built.ok) expect(built.message).toContain(name);
  });

  it('accepts label values with inner spaces and unicode, and keys with / and .', () => {
    expect(buildInvocationState({ Slug: 'a', ToolchainType: 't', Labels: { 'app.kubernetes.io/name': 'web app é' } }).ok).toBe(true);
  });
});

describe('parseInvocationPatch', () => {
  it('accepts patchable fields and nulls', () => {
    expect(parseInvocationPatch({ Labels: { a: null, b: 'x' }, DisplayName: null })).toEqual({
      Labels: { a: null, b: 'x' },
      DisplayName: null,
    });
  });

  it('refuses non-objects, unknown and read-only fields, removing required fields, bad values', () => {
    expect(refusal(() => parseInvocationPatch([]))).toContain('JSON object');
    expect(refusal(() => parseInvocationPatch(null))).toContain('JSON object');
    expect(refusal(() => parseInvocationPatch({ Colour: 'red' }))).toContain("unknown field 'Colour'");
    expect(refusal(() => parseInvocationPatch({ Version: 3 }))).toContain("'Version' cannot be patched");
    expect(refusal(() => parseInvocationPatch({ Slug: null }))).toContain('Slug');
    expect(refusal(() => parseInvocationPatch({ ToolchainType: null }))).toContain('ToolchainType');
    expect(refusal(() => parseInvocationPatch({ Labels: { k: '*' } }))).toContain('Labels.k');
    expect(refusal(() => parseInvocationPatch({ Arguments: { Value: 1 } }))).toContain('Arguments');
  });

  it('reads a null body as an empty patch only when allowed', () => {
    expect(parseInvocationPatch(null, { allowNull: true })).toEqual({});
  });
});

describe('applyInvocationPatch', () => {
  const current = state({
    FunctionName: 'scale',
    Arguments: [{ ParameterName: 'replicas', Value: 2 }],
    Labels: { env: 'prod', tier: 'web' },
    DeleteGates: { keep: true },
  });

  it('merges maps, removes keys with null, replaces arrays whole and rehashes', () => {
    const out = applyInvocationPatch(current, parseInvocationPatch({ Labels: { env: null, team: 'a' }, Arguments: [{ Value: 5 }] }));
    expect(out.ok).toBe(true);
    if (!out.ok) return;
    expect(out.changed).toBe(true);
    expect(out.next.Labels).toEqual({ tier: 'web', team: 'a' });
    expect(out.next.Arguments).toEqual([{ Value: 5 }]);
    expect(out.next.Hash).toBe(invocationHash('scale', [{ Value: 5 }]));
    expect(out.next.Hash).not.toBe(current.Hash);
    expect(current.Labels).toEqual({ env: 'prod', tier: 'web' });
  });

  it('keeps the Hash when only other fields change, and removes whole maps with null', () => {
    const out = applyInvocationPatch(current, parseInvocationPatch({ DeleteGates: null, DisplayName: 'x' }));
    expect(out.ok && out.next.Hash).toBe(current.Hash);
    expect(out.ok && out.next.DeleteGates).toEqual({});
  });

  it('reports no change for an empty patch or one that restates values', () => {
    const restated = applyInvocationPatch(current, parseInvocationPatch({ Labels: { tier: 'web' }, FunctionName: 'scale' }));
    expect(restated).toEqual({ ok: true, next: current, changed: false });
    expect(applyInvocationPatch(current, {})).toMatchObject({ ok: true, changed: false });
  });

  it('treats null on an unset BridgeWorkerID as no change, and sets and clears it', () => {
    expect(applyInvocationPatch(current, { BridgeWorkerID: null })).toMatchObject({ changed: false });
    const id = '1b4e28ba-2fa1-41d2-883f-0016d3cca427';
    const set = applyInvocationPatch(current, { BridgeWorkerID: id });
    expect(set).toMatchObject({ ok: true, changed: true, next: { BridgeWorkerID: id } });
    if (set.ok) expect(applyInvocationPatch(set.next, { BridgeWorkerID: null })).toMatchObject({ next: { BridgeWorkerID: null } });
  });

  it('fails the entity, naming the field, when the result breaks a limit', () => {
    const many = Object.fromEntries(Array.from({ length: 257 }, (_, i) => [`k${i}`, 'v']));
    const out = applyInvocationPatch(current, parseInvocationPatch({ Labels: many }));
    expect(out.ok).toBe(false);
    if (!out.ok) expect(out.message).toContain('Labels');
  });
});

describe('toInvocationView', () => {
  it('shows the row as the API does', () => {
    const row: InvocationRow = {
      id: 'i',
      organization_id: 'o',
      space_id: 's',
      slug: 'inv',
      display_name: '',
      function_name: 'f',
      arguments: [],
      toolchain_type: 't',
      bridge_worker_id: null,
      labels: {},
      annotations: {},
      delete_gates: {},
      hash: 'h',
      version: 3,
      cursor_id: '42',
      created_at: '2026-11-23 02:36:37+00',
      updated_at: '2026-11-23 03:00:00+00',
    };
    expect(toInvocationView(row)).toMatchObject({
      InvocationID: 'i',
      EntityType: 'Invocation',
      BridgeWorkerID: null,
      CursorID: 42,
      Version: 3,
      CreatedAt: '2026-11-23T02:36:37Z',
      UpdatedAt: '2026-11-23T03:00:00Z',
    });
  });
});

describe('parseInvocationProjection', () => {
  it('keeps the always-returned fields and those named by filters', () => {
    const p = parseInvocationProjection({ select: 'DisplayName, Labels' }, ['Labels.env', 'FunctionName']);
    expect([...(p.fields ?? [])].sort()).toEqual(
      ['DisplayName', 'FunctionName', 'InvocationID', 'Labels', 'OrganizationID', 'Slug', 'SpaceID'].sort(),
    );
    expect(parseInvocationProjection({}).fields).toBeNull();
  });

  it('maps include attributes to the entities they fill', () => {
    expect([...parseInvocationProjection({ include: 'SpaceID,BridgeWorkerID' }).include].sort()).toEqual(['BridgeWorker', 'Space']);
  });

  it('refuses unknown names and empty list items', () => {
    expect(refusal(() => parseInvocationProjection({ select: 'Colour' }))).toContain("'Colour'");
    expect(refusal(() => parseInvocationProjection({ include: 'Labels' }))).toContain("'Labels'");
    expect(refusal(() => parseInvocationProjection({ select: 'Slug,,Hash' }))).toContain('select');
  });

  it('projects a view to the selected fields', () => {
    const view = toInvocationView({
      id: 'i', organization_id: 'o', space_id: 's', slug: 'x', display_name: 'd', function_name: 'f', arguments: [],
      toolchain_type: 't', bridge_worker_id: null, labels: {}, annotations: {}, delete_gates: {}, hash: 'h', version: 1,
      cursor_id: '1', created_at: '2026-01-01 00:00:00+00', updated_at: '2026-01-01 00:00:00+00',
    });
    const p = parseInvocationProjection({ select: 'Hash' });
    expect(projectInvocation(view, p.fields)).toEqual({ InvocationID: 'i', OrganizationID: 'o', SpaceID: 's', Slug: 'x', Hash: 'h' });
  });
});
