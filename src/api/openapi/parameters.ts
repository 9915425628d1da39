/**
 * Descriptions of the query, path and header parameters, by name. Most parameters recur on many
 * routes (every list takes `where`, `limit`, `after`), so they are described once here and applied
 * to each route whose schema has them. Text under /api differs where the two APIs differ.
 */

const WHERE =
  "A `where` expression: terms `Attribute op literal` joined by ` AND `. String operators `< > <= >= = != " +
  'LIKE NOT LIKE ILIKE ~~ !~~ ~ ~* !~ !~* IN NOT IN`; integers compare; UUIDs and booleans `=`/`!=`; times ' +
  "compare with quoted RFC 3339 literals; `Labels.key op 'v'`, `Labels ? 'key'`, `LEN(Labels) > 0`, " +
  "`IS [NOT] NULL`. String literals are single-quoted. Example: `CreatedAt >= '2025-01-07' AND Slug LIKE " +
  "'etl-%' AND Labels.tier = 'backend'`. The whole string must be query-encoded.";

export const QUERY_PARAMETERS: Record<string, string> = {
  where: WHERE,
  filter: 'FilterID (UUID) of a saved Filter whose Where is ANDed with `where`. Its From must name the entity listed.',
  contains:
    'Case-insensitive text searched in Slug, DisplayName, FunctionName, ToolchainType and the keys and values of ' +
    'Labels and Annotations (OR across fields, ANDed with `where`). `%` and `_` are literal.',
  include: 'Comma-separated related entities to embed: BridgeWorkerID, OrganizationID, SpaceID.',
  select: 'Comma-separated fields to return; the IDs, Slug and the fields named by `where`/`contains` always come back.',
  limit: 'Page size.',
  after: 'Cursor of the last item of the previous page (the `Link` header of a page carries the next one).',
  name_prefixes: 'Comma-separated prefixes; one clone per prefix, named `prefix + source Slug`. Default: one clone, no prefix.',
  where_space: 'A `where` expression over Spaces selecting the destination spaces. Default: each source\'s own space.',
  filter_space: 'FilterID of a saved Space filter selecting the destination spaces (ANDed with `where_space`).',
  allow_exists: 'When `true`, a clone whose Slug is taken in its destination succeeds with the existing entity instead of failing with 409.',
  dry_run: 'When `true`, the job resolves the selection and reports per entity what would happen, and writes nothing.',
  max_affected:
    'Guard: if the selection is larger than this, the job fails before writing anything (a waiting call answers 422 ' +
    'saying how many matched).',
  status: 'Only the results that `succeeded` or only those that `failed`.',
  force: 'When `true`, restore entities changed since the job wrote them too (otherwise each is a per-entity 409).',
};

/** Under /api the Function Versions API's own query parameters (see its document). */
export const API_QUERY_PARAMETERS: Record<string, string> = {
  limit: 'Page size (1-100, default 100).',
  after: 'Keyset cursor: the page after this row.',
  before: 'Keyset cursor: the page before this row.',
  ids: "Comma-separated IDs narrowing the results within the caller's scope.",
  filter: 'JSON filter: AND/OR/NOT, field conditions (eq, neq, gt, gte, lt, lte, in, notIn, contains, startsWith, endsWith, isNull), `function` and `parent` relations.',
  orderBy: 'JSON array of one-key objects `{field: direction}`; directions asc, desc and the four nulls variants.',
  function_id: 'Only versions of this function (required for non-admin callers).',
  include_deleted: '`false` (default): active only; `true`: active and soft-deleted; `only`: soft-deleted only.',
  parent_id: 'Only versions forked from this version.',
  input_schema_id: 'Only versions with this input schema.',
  output_schema_id: 'Only versions with this output schema.',
};

export const PATH_PARAMETERS: Record<string, string> = {
  space_id: 'SpaceID (UUID).',
  invocation_id: 'InvocationID (UUID).',
  bridge_worker_id: 'BridgeWorkerID (UUID).',
  filter_id: 'FilterID (UUID).',
  job_id: 'JobID (UUID).',
  id: 'Prefixed ID (`wsp_`, `sch_`, `fun_`, `funver_` + base32 UUIDv7).',
};
