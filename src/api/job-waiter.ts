import type { EntityManager } from '@mikro-orm/postgresql';
import type { JobEventHub } from '../infra/job-events.ts';
import { FINISHED_STATES, type JobState } from '../domain/bulk/bulk.db.ts';
import { db } from '../domain/db.ts';

const POLL_MS = 1000;

async function readState(em: EntityManager, jobId: string): Promise<JobState | undefined> {
  const row = await db(em).selectFrom('bulk_job').select('state').where('id', '=', jobId).executeTakeFirst();
  return row?.state;
}

/**
 * Resolves true when the job finishes within `ms`, false otherwise. Pub/sub events wake it early;
 * a slow poll of PostgreSQL covers events lost with a Redis hiccup.
 */
export async function waitForJob(em: EntityManager, hub: JobEventHub, jobId: string, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  let wake: () => void = () => {};
  const unsubscribe = await hub
    .subscribe(jobId, (e) => {
      if (FINISHED_STATES.includes(e.state as JobState)) wake();
    })
    .catch(() => () => {});
  try {
    for (;;) {
      const state = await readState(em, jobId);
      if (state === undefined || FINISHED_STATES.includes(state)) return true;
      const left = deadline - Date.now();
      if (left <= 0) return false;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, POLL_MS));
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  } finally {
    unsubscribe();
  }
}
