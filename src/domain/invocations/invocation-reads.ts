import type { EntityManager } from '@mikro-orm/postgresql';
import { notFound } from '../errors.ts';
import { sql, type Expression, type SqlBool } from 'kysely';
import { type Db, db, INVOCATION_COLUMNS, type Prepared } from '../db.ts';
import type { Actor } from '../identity/actor.ts';
import { type OrganizationView, organizationView } from '../identity/organizations.ts';
import { type Page, type PageRequest, toPage } from '../paging.ts';
import { bridgeWorkersById } from '../spaces/bridge-worker-store.ts';
import { requireSpace } from '../spaces/space-store.ts';
import { type BridgeWorkerRow, type BridgeWorkerView, type SpaceRow, type SpaceView, toBridgeWorkerView, toSpaceView } from '../spaces/views.ts';
import { type InvocationProjection, projectInvocation, type SelectedInvocation } from './projection.ts';
import { type InvocationRow, toInvocationView } from './state.ts';

/** What GET and the lists answer for each invocation; related entities only when included. */
export interface ExtendedInvocation {
  Invocation: SelectedInvocation;
  BridgeWorker?: BridgeWorkerView;
  Organization?: OrganizationView;
  Space?: SpaceView;
}

export interface InvocationListQuery {
  /** Absent: every space of the organization. */
  spaceId?: string | undefined;
  page: PageRequest;
  projection: InvocationProjection;
  /** A compiled where/filter/contains on alias `invocation` (query/selection.ts). */
  condition?: Expression<SqlBool> | undefined;
}

export async function listInvocations(
  em: EntityManager,
  actor: Actor,
  q: InvocationListQuery,
): Promise<Page<ExtendedInvocation>> {
  const k = db(em);
  let query = k.selectFrom('invocation').select(INVOCATION_COLUMNS).where('organization_id', '=', actor.organizationId);
  if (q.spaceId !== undefined) {
    await requireSpace(k, actor.organizationId, q.spaceId);
    query = query.where('space_id', '=', q.spaceId);
  }
  if (q.page.after !== undefined) query = query.where('cursor_id', '>', q.page.after);
  if (q.condition) query = query.where(q.condition);
  const rows = await query.orderBy('cursor_id').limit(q.page.limit + 1).execute();
  const { items, nextAfter } = toPage(rows, q.page.limit);
  return { items: await extend(k, actor, items, q.projection), nextAfter };
}

/**
 * `pool` runs the read as a prepared statement, `k` (any Kysely) the space check of a miss and one
 * more statement per included kind; no transaction needed.
 */
export async function getInvocation(
  pool: Prepared,
  k: Db,
  actor: Actor,
  spaceId: string,
  id: string,
  projection: InvocationProjection,
): Promise<ExtendedInvocation> {
  const row = await requireInvocation(pool, k, actor, spaceId, id);
  const [extended] = await extend(k, actor, [row], projection);
  if (!extended) throw new Error('extend returns one entry per row');
  return extended;
}

/**
 * GET is the hottest call. An invocation of the caller's organization found in the space answers
 * it in one statement; only a miss asks whether the space exists, so that a missing space and a
 * missing invocation stay two different 404s (an invocation's space is always of its own
 * organization). The text is built once (column names from the code, every value a bound
 * parameter): building and compiling it per call was 7% of the API's CPU. It runs as a named
 * prepared statement: planning it on every call cost PostgreSQL more than executing it, and
 * joining the space for the check cost it about a tenth more.
 */
const IN_SPACE_SQL = `
  select ${INVOCATION_COLUMNS.join(', ')}
    from invocation
   where id = $1 and space_id = $2 and organization_id = $3`;

/**
 * The invocation of the caller's organization in the space, read by the GET's prepared statement;
 * GET, PATCH, PUT and DELETE share it and its two 404s.
 */
export async function requireInvocation(pool: Prepared, k: Db, actor: Actor, spaceId: string, id: string): Promise<InvocationRow> {
  const res = await pool.query<InvocationRow>({
    name: 'invocation_in_space',
    text: IN_SPACE_SQL,
    values: [id, spaceId, actor.organizationId],
  });
  const row = res.rows[0];
  if (row) return row;
  await requireSpace(k, actor.organizationId, spaceId);
  throw notFound(`invocation ${id} not found in space ${spaceId}`);
}

/** Projects each row and fills the included entities, each kind loaded with one query. */
async function extend(k: Db, actor: Actor, rows: InvocationRow[], projection: InvocationProjection): Promise<ExtendedInvocation[]> {
  const { include } = projection;
  const workerIds = rows.map((r) => r.bridge_worker_id).filter((id): id is string => id !== null);
  const workers = include.has('BridgeWorker') ? await bridgeWorkersById(k, actor.organizationId, workerIds) : new Map<string, BridgeWorkerRow>();
  const spaces = include.has('Space') ? await spacesById(k, actor.organizationId, rows.map((r) => r.space_id)) : new Map<string, SpaceRow>();
  const organization = include.has('Organization') ? await loadOrganization(k, actor.organizationId) : undefined;
  return rows.map((row) => {
    const out: ExtendedInvocation = { Invocation: projectInvocation(toInvocationView(row), projection.fields) };
    const worker = row.bridge_worker_id ? workers.get(row.bridge_worker_id) : undefined;
    if (worker) out.BridgeWorker = toBridgeWorkerView(worker);
    if (organization) out.Organization = organization;
    const space = spaces.get(row.space_id);
    if (space) out.Space = toSpaceView(space);
    return out;
  });
}

async function spacesById(k: Db, organizationId: string, ids: string[]): Promise<Map<string, SpaceRow>> {
  if (ids.length === 0) return new Map();
  const rows = await k
    .selectFrom('space')
    .selectAll()
    .where('organization_id', '=', organizationId)
    .where('id', 'in', [...new Set(ids)])
    .execute();
  return new Map(rows.map((r) => [r.id, r]));
}

async function loadOrganization(k: Db, organizationId: string): Promise<OrganizationView> {
  const row = await k.selectFrom('organization').selectAll().where('id', '=', organizationId).executeTakeFirstOrThrow();
  return organizationView(row);
}
