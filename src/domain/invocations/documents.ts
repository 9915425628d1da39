import { z } from 'zod';
import {
  AnnotationsField,
  ArgumentsField,
  DeleteGatesField,
  DisplayNameField,
  FunctionNameField,
  LabelsField,
  SlugField,
  ToolchainTypeField,
  objectError,
} from '../fields.ts';
import { validation } from '../errors.ts';
import { PATCHABLE_FIELDS } from './state.ts';

/**
 * Bodies of create (POST) and replace (PUT). The document gives both the whole Invocation schema,
 * so a client may send back what it read: the server-maintained fields are accepted and ignored,
 * except that IDs naming the organization, the space and (for PUT) the invocation must match the
 * call. Unknown fields are refused. PUT must carry the Version it read.
 */
const serverFields = {
  InvocationID: z.uuid('must be a UUID').optional(),
  OrganizationID: z.uuid('must be a UUID').optional(),
  SpaceID: z.uuid('must be a UUID').optional(),
  Hash: z.string().max(64).optional(),
  CursorID: z.int().optional(),
  EntityType: z.literal('Invocation', 'must be "Invocation"').optional(),
  CreatedAt: z.string().max(64).optional(),
  UpdatedAt: z.string().max(64).optional(),
};

export const InvocationCreateSchema = z.strictObject({
  Slug: SlugField,
  DisplayName: DisplayNameField.optional(),
  FunctionName: FunctionNameField.optional(),
  Arguments: ArgumentsField.optional(),
  ToolchainType: ToolchainTypeField,
  BridgeWorkerID: z.uuid('must be a UUID').nullable().optional(),
  Labels: LabelsField.optional(),
  Annotations: AnnotationsField.optional(),
  DeleteGates: DeleteGatesField.optional(),
  ...serverFields,
  Version: z.int().optional(),
}, { error: objectError });
export type InvocationCreate = z.output<typeof InvocationCreateSchema>;

export const InvocationPutSchema = InvocationCreateSchema.extend({
  Version: z.int('must be the integer Version that was read').min(1, 'must be at least 1'),
});
export type InvocationPut = z.output<typeof InvocationPutSchema>;

/** The writable fields of a create or PUT body (absent ones take their defaults later). */
export function documentFields(doc: InvocationCreate): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of PATCHABLE_FIELDS) if (doc[field] !== undefined) out[field] = doc[field];
  return out;
}

/** IDs in a body must agree with the call they are sent to. */
export function checkDocumentIds(
  doc: InvocationCreate,
  expected: { organizationId: string; spaceId: string; invocationId?: string },
): void {
  const mismatch = (field: string, value: string | undefined, want: string | undefined) => {
    if (value !== undefined && want !== undefined && value !== want) {
      throw validation(`${field}: ${value} does not match the ${field} of this call (${want})`);
    }
  };
  mismatch('OrganizationID', doc.OrganizationID, expected.organizationId);
  mismatch('SpaceID', doc.SpaceID, expected.spaceId);
  mismatch('InvocationID', doc.InvocationID, expected.invocationId);
}
