import { z } from 'zod';

/**
 * Every job the workers run: its name, payload schema and queue options. Payloads are ids and
 * scalars only and are parsed again in the worker. Durable state is in PostgreSQL; these jobs only
 * say "go and look".
 */
export const QUEUE_NAME = 'bulkops';

const uuid = z.uuid();

export const JOBS = {
  /** Freeze a bulk job's selection into items, then fan out its chunks. */
  plan: z.object({ jobId: uuid }),
  /** Apply one chunk of a bulk job. */
  chunk: z.object({ jobId: uuid, chunk: z.number().int().min(0) }),
  /** Re-enqueue unfinished work found in PostgreSQL (after a Redis loss or a crash). */
  reconcile: z.object({}),
  /** Remove finished jobs past their retention. */
  retention: z.object({}),
} as const;

export type JobName = keyof typeof JOBS;
export type JobPayload<N extends JobName> = z.infer<(typeof JOBS)[N]>;

/** BullMQ ids: one plan per bulk job and one job per chunk, so a resubmission deduplicates. */
export const queueJobId = {
  plan: (p: JobPayload<'plan'>) => `plan-${p.jobId}`,
  chunk: (p: JobPayload<'chunk'>) => `chunk-${p.jobId}-${p.chunk}`,
};

export const DEFAULT_JOB_OPTIONS = {
  attempts: 5,
  backoff: { type: 'exponential', delay: 1000 },
  // Finished queue jobs are dropped: their outcome lives in PostgreSQL, and a later re-enqueue by
  // the reconciler must not be swallowed by a stale id.
  removeOnComplete: true,
  removeOnFail: { age: 24 * 3600, count: 1000 },
} as const;

/** addBulk is one Redis transaction; keep each call small. */
export const ADD_BULK_BATCH = 1000;
