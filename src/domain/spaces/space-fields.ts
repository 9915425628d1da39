import { isDeepStrictEqual } from 'node:util';
import { z } from 'zod';
import {
  AnnotationsField,
  AnnotationsPatchField,
  DeleteGatesField,
  DeleteGatesPatchField,
  describeIssues,
  DisplayNameField,
  LabelsField,
  LabelsPatchField,
  parseOrThrow,
  SlugField,
  objectError,
} from '../fields.ts';
import { validation } from '../errors.ts';
import { mergePatch } from '../merge-patch.ts';
import type { SpaceRow } from './views.ts';

/** A space's writable fields; the same rules as an invocation's. */
export const SpaceFieldsSchema = z.strictObject({
  Slug: SlugField,
  DisplayName: DisplayNameField,
  Labels: LabelsField,
  Annotations: AnnotationsField,
  DeleteGates: DeleteGatesField,
});
export type SpaceFields = z.output<typeof SpaceFieldsSchema>;
const SPACE_FIELDS = Object.keys(SpaceFieldsSchema.shape) as (keyof SpaceFields)[];

export const SpaceCreateSchema = z.strictObject({
  Slug: SlugField,
  DisplayName: DisplayNameField.optional(),
  Labels: LabelsField.optional(),
  Annotations: AnnotationsField.optional(),
  DeleteGates: DeleteGatesField.optional(),
}, { error: objectError });
export type SpaceCreate = z.output<typeof SpaceCreateSchema>;

const SpacePatchSchema = z.strictObject({
  Slug: SlugField.optional(),
  DisplayName: DisplayNameField.nullable().optional(),
  Labels: LabelsPatchField.nullable().optional(),
  Annotations: AnnotationsPatchField.nullable().optional(),
  DeleteGates: DeleteGatesPatchField.nullable().optional(),
});
export type SpacePatch = z.output<typeof SpacePatchSchema>;

const READ_ONLY = new Set(['SpaceID', 'OrganizationID', 'Version', 'CursorID', 'EntityType', 'CreatedAt', 'UpdatedAt']);

export function withSpaceDefaults(input: SpaceCreate): SpaceFields {
  return { DisplayName: '', Labels: {}, Annotations: {}, DeleteGates: {}, ...input };
}

export function parseSpacePatch(body: unknown): SpacePatch {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw validation('the merge patch must be a JSON object');
  }
  const readOnly = Object.keys(body).filter((k) => READ_ONLY.has(k));
  if (readOnly.length > 0) {
    throw validation(`${readOnly.map((k) => `'${k}'`).join(', ')} cannot be patched: the server maintains it`);
  }
  if ((body as Record<string, unknown>).Slug === null) throw validation('Slug: is required and cannot be removed');
  return parseOrThrow(SpacePatchSchema, body);
}

export function spaceRowFields(row: SpaceRow): SpaceFields {
  return {
    Slug: row.slug,
    DisplayName: row.display_name,
    Labels: row.labels ?? {},
    Annotations: row.annotations ?? {},
    DeleteGates: row.delete_gates ?? {},
  };
}

export type SpacePatchOutcome = { ok: true; next: SpaceFields; changed: boolean } | { ok: false; message: string };

export function applySpacePatch(current: SpaceFields, patch: SpacePatch): SpacePatchOutcome {
  const merged = mergePatch({ ...current }, patch);
  const result = SpaceFieldsSchema.safeParse({ DisplayName: '', Labels: {}, Annotations: {}, DeleteGates: {}, ...merged });
  if (!result.success) return { ok: false, message: describeIssues(result.error.issues) };
  const changed = SPACE_FIELDS.some((f) => !isDeepStrictEqual(result.data[f], current[f]));
  return { ok: true, next: result.data, changed };
}
