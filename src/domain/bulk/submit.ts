import { createHash, randomUUID } from 'node:crypto';
import canonicalize from 'canonicalize';
import type { EntityManager } from '@mikro-orm/postgresql';
import { db } from '../db.ts';
import { unprocessable } from '../errors.ts';
import { isUniqueViolation } from '../sql-errors.ts';
import type { Actor } from '../identity/actor.ts';
import type { Effect, Operation } from './bulk.db.ts';
import { jobView, type JobResource, type JobRow } from './job-view.ts';

/** The parameters of a bulk call, as stored on the job and echoed by the job resource. */
export interface BulkRequest {
  where?: string;
  filter?: string;
  contains?: string;
  name_prefixes?: string[];
  where_space?: string;
  filter_space?: string;
  allow_exists?: boolean;
  max_affected?: number;
  include?: string;
  /** Revert: restore entities changed since the job wrote them. */
  force?: boolean;
  /** The merge-patch body (patch, clone); null for a clone without changes. */
  body?: unknown;
}

export interface NewJob {
  operation: Operation;
  /** What the items will do; defaults to the operation (a revert passes its inverse effect). */
  effect?: Effect | undefined;
  request: BulkRequest;
  dryRun: boolean;
  idempotencyKey?: string | undefined;
  sourceJobId?: string | undefined;
  chunkSize: number;
  /** Record the undo data of a patch or delete beside each result (BULK_RECORD_UNDO). */
  recordUndo: boolean;
}

export const IDEMPOTENCY_WINDOW_HOURS = 24;

export function requestHash(job: Pick<NewJob, 'operation' | 'request' | 'dryRun' | 'sourceJobId'>): string {
  const canonical = canonicalize({
    operation: job.operation,
    request: job.request,
    dryRun: job.dryRun,
    sourceJobId: job.sourceJobId ?? null,
  });
  return createHash('sha256').update(canonical ?? '').digest('hex');
}

/**
 * Writes the job row (state queued). With an Idempotency-Key, the same key and the same request
 * within 24 h give back the first job (created: false); the same key with another request is 422.
 * The caller enqueues the planning job after this commits.
 */
export async function createJob(
  em: EntityManager,
  actor: Actor,
  input: NewJob,
): Promise<{ job: JobResource; row: JobRow; created: boolean }> {
  try {
    return await insertJob(em, actor, input);
  } catch (e) {
    // Two first uses of one Idempotency-Key at once: the loser now finds the winner's job.
    if (input.idempotencyKey && isUniqueViolation(e)) return insertJob(em, actor, input);
    throw e;
  }
}

async function insertJob(
  em: EntityManager,
  actor: Actor,
  input: NewJob,
): Promise<{ job: JobResource; row: JobRow; created: boolean }> {
  const hash = requestHash(input);
  return em.transactional(async (tx) => {
    const k = db(tx);
    if (input.idempotencyKey) {
      const existing = await k
        .selectFrom('bulk_job')
        .selectAll()
        .where('organization_id', '=', actor.organizationId)
        .where('idempotency_key', '=', input.idempotencyKey)
        .forUpdate()
        .executeTakeFirst();
      if (existing) {
        const ageHours = (Date.now() - new Date(existing.created_at).getTime()) / 3_600_000;
        if (ageHours < IDEMPOTENCY_WINDOW_HOURS) {
          if (existing.request_hash !== hash) {
            throw unprocessable(
              `Idempotency-Key '${input.idempotencyKey}' was used for a different request (job ${existing.id})`,
            );
          }
          return { job: jobView(existing), row: existing, created: false };
        }
        // The key expired: free it for this request.
        await k.updateTable('bulk_job').set({ idempotency_key: null }).where('id', '=', existing.id).execute();
      }
    }
    const row = await k
      .insertInto('bulk_job')
      .values({
        id: randomUUID(),
        organization_id: actor.organizationId,
        operation: input.operation,
        effect: input.effect ?? (input.operation as Effect),
        request: JSON.stringify(input.request),
        dry_run: input.dryRun,
        idempotency_key: input.idempotencyKey ?? null,
        request_hash: hash,
        source_job_id: input.sourceJobId ?? null,
        chunk_size: input.chunkSize,
        record_undo: input.recordUndo,
        total: null,
        error_status: null,
        error_message: null,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return { job: jobView(row), row, created: true };
  });
}
