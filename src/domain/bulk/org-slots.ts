import { sql } from 'kysely';
import type { EntityManager } from '@mikro-orm/postgresql';
import { db, type Db } from '../db.ts';
import type { JobRow } from './job-view.ts';

/**
 * A per-organization cap on bulk jobs running at once, so one tenant's stream of jobs cannot take
 * every worker. A job over the cap stays `queued` (unplanned); a finishing job wakes the waiting
 * ones (waitingJobs) and the reconciler retries any it missed.
 */

/**
 * Called in the planning transaction, with the job row locked, before a queued job starts. The
 * advisory lock serializes the count-then-start of one organization's jobs until commit, so two
 * planners cannot both see a free slot.
 */
export async function claimRunSlot(tx: Db, job: JobRow, cap: number): Promise<boolean> {
  await sql`select pg_advisory_xact_lock(hashtextextended(${`bulk-org-slots:${job.organization_id}`}, 0))`.execute(tx);
  const row = await tx
    .selectFrom('bulk_job')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('organization_id', '=', job.organization_id)
    // A paused job that has started keeps its slot: resuming it must not take the organization over the cap.
    .where((eb) => eb.or([eb('state', '=', 'running'), eb.and([eb('state', '=', 'paused'), eb('total', 'is not', null)])]))
    .where('id', '!=', job.id)
    .executeTakeFirstOrThrow();
  return Number(row.n) < cap;
}

/** The organization's jobs waiting for a slot, oldest first. */
export async function waitingJobs(em: EntityManager, organizationId: string, limit: number): Promise<string[]> {
  const rows = await db(em)
    .selectFrom('bulk_job')
    .select('id')
    .where('organization_id', '=', organizationId)
    .where('state', '=', 'queued')
    .where('total', 'is', null)
    .orderBy('created_at')
    .orderBy('id')
    .limit(limit)
    .execute();
  return rows.map((r) => r.id);
}
