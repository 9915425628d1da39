import { validation } from '../errors.ts';
import type { InvocationView } from './state.ts';

/** Every field of the Invocation JSON, in the order the API shows them. */
export const INVOCATION_FIELDS = [
  'InvocationID',
  'OrganizationID',
  'SpaceID',
  'Slug',
  'DisplayName',
  'FunctionName',
  'Arguments',
  'ToolchainType',
  'BridgeWorkerID',
  'Labels',
  'Annotations',
  'DeleteGates',
  'Hash',
  'Version',
  'CursorID',
  'EntityType',
  'CreatedAt',
  'UpdatedAt',
] as const satisfies readonly (keyof InvocationView)[];
export type InvocationField = (typeof INVOCATION_FIELDS)[number];

/** Returned whatever `select` says (the document: entity and parent IDs and Slug). */
export const ALWAYS_SELECTED = ['InvocationID', 'OrganizationID', 'SpaceID', 'Slug'] as const;

const INCLUDABLE = { BridgeWorkerID: 'BridgeWorker', OrganizationID: 'Organization', SpaceID: 'Space' } as const;
export type Included = (typeof INCLUDABLE)[keyof typeof INCLUDABLE];

export interface InvocationProjection {
  /** null: every field. */
  fields: ReadonlySet<InvocationField> | null;
  include: ReadonlySet<Included>;
}

const isField = (name: string): name is InvocationField => (INVOCATION_FIELDS as readonly string[]).includes(name);

/** `a, b,c` -> ['a','b','c']; an empty list (or an absent parameter) is []. */
function splitList(param: string, value: string | undefined): string[] {
  if (value === undefined || value.trim() === '') return [];
  const names = value.split(',').map((n) => n.trim());
  if (names.some((n) => n === '')) throw validation(`${param}: empty name in the comma-separated list`);
  return names;
}

/**
 * Parses `select` and `include`. `filterFields` are the attributes named by `where`/`contains`
 * (a map attribute may come as `Labels.env`), which a selection always keeps.
 */
export function parseInvocationProjection(
  query: { select?: string | undefined; include?: string | undefined },
  filterFields: readonly string[] = [],
): InvocationProjection {
  const include = new Set<Included>();
  for (const name of splitList('include', query.include)) {
    if (!(name in INCLUDABLE)) {
      throw validation(`include: unknown attribute '${name}' (allowed: ${Object.keys(INCLUDABLE).join(', ')})`);
    }
    include.add(INCLUDABLE[name as keyof typeof INCLUDABLE]);
  }
  const selected = splitList('select', query.select);
  if (selected.length === 0) return { fields: null, include };
  const fields = new Set<InvocationField>(ALWAYS_SELECTED);
  for (const name of selected) {
    if (!isField(name)) throw validation(`select: unknown field '${name}'`);
    fields.add(name);
  }
  for (const name of filterFields) {
    const base = name.split('.')[0] ?? name;
    if (isField(base)) fields.add(base);
  }
  return { fields, include };
}

export type SelectedInvocation = Pick<InvocationView, (typeof ALWAYS_SELECTED)[number]> & Partial<InvocationView>;

/** The view cut down to the selected fields, in the API's field order. */
export function projectInvocation(view: InvocationView, fields: ReadonlySet<InvocationField> | null): SelectedInvocation {
  if (fields === null) return view;
  const out: Partial<Record<InvocationField, unknown>> = {};
  for (const field of INVOCATION_FIELDS) if (fields.has(field) || isAlways(field)) out[field] = view[field];
  return out as SelectedInvocation;
}

const isAlways = (field: InvocationField) => (ALWAYS_SELECTED as readonly string[]).includes(field);
