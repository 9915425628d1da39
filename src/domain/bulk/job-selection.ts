import { sql, type Expression, type SqlBool } from 'kysely';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Actor } from '../identity/actor.ts';
import { resolveSelection } from '../query/selection.ts';
import type { JobRow } from './job-view.ts';
import type { BulkRequest } from './submit.ts';
import { SPACE_SELECTION } from './validate-request.ts';

/** What a job works on: invocations matched now (alias `i`, spaces `d`), or an earlier job's items. */
export type JobSelection =
  | { kind: 'invocations'; condition: Expression<SqlBool>; spaceCondition?: Expression<SqlBool>; prefixes: string[] }
  | {
      kind: 'items';
      sourceJobId: string;
      /** Which of the source's items (alias b), and the entity each one targets. */
      itemCondition: Expression<SqlBool>;
      entity: Expression<string>;
      /** Whether the targets the source never reached (its remaining chunks) are taken too. */
      unreached: boolean;
    };

/** The organization a job was submitted in, as the actor its selection runs for. */
export const jobActor = (job: JobRow): Actor => ({
  tokenId: `job:${job.id}`,
  organizationId: job.organization_id,
  role: 'member',
  workspaceIds: [],
});

export async function resolveJobSelection(em: EntityManager, job: JobRow): Promise<JobSelection> {
  if (job.source_job_id && job.operation === 'revert') {
    // What the source changed; entities it failed on, skipped or left unchanged are not touched.
    const changed = sql<SqlBool>`b.status = 'succeeded' and (b.created_id is not null or
      exists (select from bulk_undo u where u.job_id = b.job_id and u.seq = b.seq))`;
    const entity = sql<string>`coalesce(b.created_id, b.entity_id)`;
    return { kind: 'items', sourceJobId: job.source_job_id, itemCondition: changed, entity, unreached: false };
  }
  if (job.source_job_id) {
    // A retry: what the source job did not get done, in the source's order.
    return {
      kind: 'items',
      sourceJobId: job.source_job_id,
      itemCondition: sql<SqlBool>`b.status <> 'succeeded'`,
      entity: sql<string>`b.entity_id`,
      unreached: true,
    };
  }
  const request = job.request as BulkRequest;
  const actor = jobActor(job);
  const { condition } = await resolveSelection(em, actor, {
    entity: 'Invocation',
    alias: 'i',
    where: request.where,
    filter: request.filter,
    contains: request.contains,
  });
  const selection: JobSelection = { kind: 'invocations', condition, prefixes: request.name_prefixes ?? [] };
  if (job.operation === 'clone' && (request.where_space !== undefined || request.filter_space !== undefined)) {
    const spaces = await resolveSelection(em, actor, SPACE_SELECTION(request));
    selection.spaceCondition = spaces.condition;
  }
  return selection;
}
