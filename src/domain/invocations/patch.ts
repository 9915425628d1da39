import { isDeepStrictEqual } from 'node:util';
import { z } from 'zod';
import {
  AnnotationsPatchField,
  ArgumentsField,
  DeleteGatesPatchField,
  DisplayNameField,
  FunctionNameField,
  LabelsPatchField,
  parseOrThrow,
  SlugField,
  ToolchainTypeField,
} from '../fields.ts';
import { validation } from '../errors.ts';
import { mergePatch } from '../merge-patch.ts';
import { buildInvocationState, type InvocationFields, type InvocationState, PATCHABLE_FIELDS } from './state.ts';

/**
 * An RFC 7396 merge patch of an invocation. Every value is checked when the request arrives, so a
 * bad value is one 400 for the whole request rather than the same failure for every entity; what
 * only the result can show (a map over its size limit) fails per entity in applyInvocationPatch.
 */
const InvocationPatchSchema = z.strictObject({
  Slug: SlugField.optional(),
  DisplayName: DisplayNameField.nullable().optional(),
  FunctionName: FunctionNameField.nullable().optional(),
  Arguments: ArgumentsField.nullable().optional(),
  ToolchainType: ToolchainTypeField.optional(),
  BridgeWorkerID: z.uuid('must be a UUID').nullable().optional(),
  Labels: LabelsPatchField.nullable().optional(),
  Annotations: AnnotationsPatchField.nullable().optional(),
  DeleteGates: DeleteGatesPatchField.nullable().optional(),
});
export type InvocationPatch = z.output<typeof InvocationPatchSchema>;

/** Fields the server maintains: named as such rather than as unknown when a patch carries them. */
const READ_ONLY_FIELDS = new Set([
  'InvocationID',
  'OrganizationID',
  'SpaceID',
  'CreatedAt',
  'UpdatedAt',
  'CursorID',
  'EntityType',
  'Hash',
  'Version',
]);
const REQUIRED_FIELDS = ['Slug', 'ToolchainType'] as const;

/**
 * Request-level check of a merge-patch body. `allowNull` admits a body of `null`, which bulk clone
 * reads as "no change" (an empty patch).
 */
export function parseInvocationPatch(body: unknown, options: { allowNull?: boolean } = {}): InvocationPatch {
  if (body === null && options.allowNull) return {};
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw validation('the merge patch must be a JSON object');
  }
  const record = body as Record<string, unknown>;
  const readOnly = Object.keys(record).filter((k) => READ_ONLY_FIELDS.has(k));
  if (readOnly.length > 0) {
    throw validation(`${readOnly.map((k) => `'${k}'`).join(', ')} cannot be patched: the server maintains it`);
  }
  for (const field of REQUIRED_FIELDS) {
    if (record[field] === null) throw validation(`${field}: is required and cannot be removed`);
  }
  return parseOrThrow(InvocationPatchSchema, body);
}

export type PatchOutcome = { ok: true; next: InvocationState; changed: boolean } | { ok: false; message: string };

/** The writable fields as a JSON document, the target of the merge patch. */
function patchTarget(state: InvocationState): Record<string, unknown> {
  const doc: Record<string, unknown> = {};
  for (const field of PATCHABLE_FIELDS) doc[field] = state[field];
  // An unset BridgeWorkerID is an absent member, so that `null` in a patch is a no-op for it.
  if (doc.BridgeWorkerID === null) delete doc.BridgeWorkerID;
  return doc;
}

export const sameFields = (a: InvocationFields, b: InvocationFields) =>
  PATCHABLE_FIELDS.every((field) => isDeepStrictEqual(a[field], b[field]));

/**
 * Applies a parsed patch to one entity: merge (null removes a key, arrays replace whole), validate
 * the result, recompute Hash when FunctionName or Arguments changed. Pure; `changed: false` means
 * nothing to write (Version and UpdatedAt stay).
 */
export function applyInvocationPatch(current: InvocationState, patch: InvocationPatch): PatchOutcome {
  const built = buildInvocationState(mergePatch(patchTarget(current), patch), current);
  if (!built.ok) return built;
  return { ok: true, next: built.state, changed: !sameFields(built.state, current) };
}
