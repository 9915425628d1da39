import { isDeepStrictEqual } from 'node:util';
import { z } from 'zod';
import type { Selectable } from 'kysely';
import type { InvocationTable } from '../db.ts';
import {
  AnnotationsField,
  ArgumentsField,
  DeleteGatesField,
  describeIssues,
  DisplayNameField,
  FunctionNameField,
  LabelsField,
  SlugField,
  ToolchainTypeField,
} from '../fields.ts';
import { formatTime } from '../identity/organizations.ts';
import type { FunctionArgument } from '../entities/invocation.entity.ts';
import type { GateMap, StringMap } from '../entities/space.entity.ts';
import { invocationHash } from './hash.ts';

/** The fields a client may write (create, PUT, merge patch). Everything else the server keeps. */
export const InvocationFieldsSchema = z.strictObject({
  Slug: SlugField,
  DisplayName: DisplayNameField,
  FunctionName: FunctionNameField,
  Arguments: ArgumentsField,
  ToolchainType: ToolchainTypeField,
  BridgeWorkerID: z.uuid('must be a UUID').nullable(),
  Labels: LabelsField,
  Annotations: AnnotationsField,
  DeleteGates: DeleteGatesField,
});
export type InvocationFields = z.output<typeof InvocationFieldsSchema>;
export const PATCHABLE_FIELDS = Object.keys(InvocationFieldsSchema.shape) as (keyof InvocationFields)[];

/** An invocation's writable fields plus the Hash derived from them. */
export interface InvocationState extends InvocationFields {
  Hash: string;
}

export type InvocationRow = Selectable<InvocationTable>;

export interface InvocationView extends InvocationState {
  InvocationID: string;
  OrganizationID: string;
  SpaceID: string;
  Version: number;
  CursorID: number;
  EntityType: 'Invocation';
  CreatedAt: string;
  UpdatedAt: string;
}

export type BuildResult = { ok: true; state: InvocationState } | { ok: false; message: string };

/** Optional fields a body or a patch result may lack, with the value an absent field means. */
const DEFAULTS = {
  DisplayName: '',
  FunctionName: '',
  Arguments: [] as FunctionArgument[],
  BridgeWorkerID: null,
  Labels: {} as StringMap,
  Annotations: {} as StringMap,
  DeleteGates: {} as GateMap,
};

/**
 * Validates a complete set of writable fields (absent optional ones take their defaults) and
 * derives the Hash. `previous` lets an unchanged FunctionName and Arguments keep their stored Hash.
 */
export function buildInvocationState(fields: Record<string, unknown>, previous?: InvocationState): BuildResult {
  const result = InvocationFieldsSchema.safeParse({ ...DEFAULTS, ...fields });
  if (!result.success) return { ok: false, message: describeIssues(result.error.issues) };
  const next = result.data;
  const sameCall =
    previous !== undefined &&
    previous.FunctionName === next.FunctionName &&
    isDeepStrictEqual(previous.Arguments, next.Arguments);
  const hash = sameCall ? previous.Hash : invocationHash(next.FunctionName, next.Arguments);
  return { ok: true, state: { ...next, Hash: hash } };
}

export function rowToState(row: InvocationRow): InvocationState {
  return {
    Slug: row.slug,
    DisplayName: row.display_name,
    FunctionName: row.function_name,
    Arguments: row.arguments ?? [],
    ToolchainType: row.toolchain_type,
    BridgeWorkerID: row.bridge_worker_id,
    Labels: row.labels ?? {},
    Annotations: row.annotations ?? {},
    DeleteGates: row.delete_gates ?? {},
    Hash: row.hash,
  };
}

/** Column values for an INSERT or UPDATE of the writable fields and the Hash. */
export function stateToColumns(state: InvocationState) {
  return {
    slug: state.Slug,
    display_name: state.DisplayName,
    function_name: state.FunctionName,
    arguments: JSON.stringify(state.Arguments),
    toolchain_type: state.ToolchainType,
    bridge_worker_id: state.BridgeWorkerID,
    labels: JSON.stringify(state.Labels),
    annotations: JSON.stringify(state.Annotations),
    delete_gates: JSON.stringify(state.DeleteGates),
    hash: state.Hash,
  };
}

export function toInvocationView(row: InvocationRow): InvocationView {
  return {
    InvocationID: row.id,
    OrganizationID: row.organization_id,
    SpaceID: row.space_id,
    ...rowToState(row),
    Version: row.version,
    CursorID: Number(row.cursor_id),
    EntityType: 'Invocation',
    CreatedAt: formatTime(row.created_at),
    UpdatedAt: formatTime(row.updated_at),
  };
}
