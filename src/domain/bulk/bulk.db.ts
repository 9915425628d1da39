import type { ColumnType, Generated } from 'kysely';
import type { InvocationTable } from '../db.ts';

type Timestamp = ColumnType<string, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<string | null, Date | string | null | undefined, Date | string | null>;
type Json<T> = ColumnType<T, string, string>;

export const OPERATIONS = ['clone', 'patch', 'delete', 'revert'] as const;
export type Operation = (typeof OPERATIONS)[number];
export const JOB_STATES = ['queued', 'running', 'paused', 'completed', 'failed', 'cancelled'] as const;
export type JobState = (typeof JOB_STATES)[number];
export const FINISHED_STATES: readonly JobState[] = ['completed', 'failed', 'cancelled'];
export type ItemStatus = 'pending' | 'succeeded' | 'failed';
/** What a job's items did to their entities; a revert does the inverse of its source's effect. */
export type Effect = 'clone' | 'patch' | 'delete';
export const INVERSE_EFFECT: Record<Effect, Effect> = { patch: 'patch', delete: 'clone', clone: 'delete' };

export interface BulkJobTable {
  id: string;
  organization_id: string;
  operation: Operation;
  state: Generated<JobState>;
  request: Json<Record<string, unknown>>;
  dry_run: boolean;
  idempotency_key: string | null;
  request_hash: string;
  source_job_id: string | null;
  chunk_size: number;
  record_undo: Generated<boolean>;
  total: number | null;
  succeeded: Generated<number>;
  failed: Generated<number>;
  error_status: number | null;
  error_message: string | null;
  created_at: Timestamp;
  started_at: NullableTimestamp;
  finished_at: NullableTimestamp;
  heartbeat_at: Timestamp;
  effect: Effect;
  purged_at: NullableTimestamp;
}

export interface BulkItemTable {
  job_id: string;
  seq: number;
  chunk: number;
  entity_id: string;
  dest_space_id: string | null;
  prefix: string | null;
  status: Generated<ItemStatus>;
  result: Json<unknown> | null;
  created_id: string | null;
  version_after: number | null;
  source_seq: number | null;
}

/**
 * The undo data of an item that patched or deleted an entity: the entity's row as it was, in the
 * invocation's own columns (see its migration). Keyed like the item.
 */
export interface BulkUndoTable extends InvocationTable {
  job_id: string;
  seq: number;
}

/**
 * A chunk not done yet (see its migration): its targets in result order (item k, from 1, has seq
 * chunk * chunk_size + k). Running the chunk deletes the row and writes an item per target.
 */
export interface BulkChunkTable {
  job_id: string;
  chunk: number;
  entity_ids: string[];
  dest_space_ids: Array<string | null> | null;
  prefixes: Array<string | null> | null;
  source_seqs: Array<number | null> | null;
}

declare module '../db.ts' {
  interface Database {
    bulk_job: BulkJobTable;
    bulk_item: BulkItemTable;
    bulk_chunk: BulkChunkTable;
    bulk_undo: BulkUndoTable;
  }
}
