import fc from 'fast-check';
import { apply } from 'json-merge-patch';
import { describe, expect, it } from 'vitest';
import { mergePatch } from '../../src/domain/merge-patch.ts';

const key = fc.constantFrom('a', 'b', 'c', 'Labels', 'x.y', '');
const json = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.constant(null),
    fc.boolean(),
    fc.integer(),
    fc.string({ maxLength: 4 }),
    fc.array(tie('value'), { maxLength: 3 }),
    tie('object'),
  ),
  object: fc.dictionary(key, tie('value'), { maxKeys: 4 }),
})) as unknown as { value: fc.Arbitrary<unknown>; object: fc.Arbitrary<Record<string, unknown>> };

/** The definition mergePatch must keep: the library's apply on deep copies. */
const reference = (target: Record<string, unknown>, patch: Record<string, unknown>) =>
  apply(structuredClone(target), structuredClone(patch)) as Record<string, unknown>;

describe('mergePatch', () => {
  it('gives what json-merge-patch gives on copies, and leaves both arguments unchanged', () => {
    fc.assert(
      fc.property(json.object, json.object, (target, patch) => {
        const before = structuredClone({ target, patch });
        expect(mergePatch(target, patch)).toEqual(reference(target, patch));
        expect({ target, patch }).toEqual(before);
      }),
      { numRuns: 2000 },
    );
  });

  it('stops at the keys json-merge-patch refuses, as it does', () => {
    const patch = JSON.parse('{"a": 1, "__proto__": {"polluted": true}, "b": 2}') as Record<string, unknown>;
    const target = { a: 0, c: { d: 1 } };
    expect(mergePatch(target, patch)).toEqual(reference(target, patch));
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('drops undefined members of the patch and removes keys patched with null', () => {
    const target = { Labels: { a: '1', b: '2' }, Slug: 's' };
    expect(mergePatch(target, { Labels: { a: null, c: '3' }, Slug: undefined })).toEqual({ Labels: { b: '2', c: '3' }, Slug: 's' });
    expect(target).toEqual({ Labels: { a: '1', b: '2' }, Slug: 's' });
  });
});
