import type { Selectable } from 'kysely';
/** Job timestamps keep milliseconds: progress rates are computed from them. */
const isoTime = (t: string) => new Date(t).toISOString();
import type { BulkJobTable, JobState, Operation } from './bulk.db.ts';

export type JobRow = Selectable<BulkJobTable>;

/** The job resource: PascalCase like the rest of the Invocation API; unknown values are left out. */
export interface JobResource {
  JobID: string;
  State: JobState;
  Operation: Operation;
  DryRun: boolean;
  /** False: the job kept no before-state of the entities it changed (BULK_RECORD_UNDO=false). */
  UndoRecorded: boolean;
  Total?: number;
  Succeeded: number;
  Failed: number;
  Pending?: number;
  CreatedAt: string;
  StartedAt?: string;
  FinishedAt?: string;
  Request: Record<string, unknown>;
  SourceJobID?: string;
  /** Set once retention removed the job's results and undo data. */
  PurgedAt?: string;
  Error?: { Status: number; Message: string };
}

export function jobView(row: JobRow): JobResource {
  const view: JobResource = {
    JobID: row.id,
    State: row.state,
    Operation: row.operation,
    DryRun: row.dry_run,
    UndoRecorded: row.record_undo,
    Succeeded: row.succeeded,
    Failed: row.failed,
    CreatedAt: isoTime(row.created_at),
    Request: row.request,
  };
  if (row.total !== null) {
    view.Total = row.total;
    view.Pending = row.total - row.succeeded - row.failed;
  }
  if (row.started_at) view.StartedAt = isoTime(row.started_at);
  if (row.finished_at) view.FinishedAt = isoTime(row.finished_at);
  if (row.source_job_id) view.SourceJobID = row.source_job_id;
  if (row.purged_at) view.PurgedAt = isoTime(row.purged_at);
  if (row.error_message) view.Error = { Status: row.error_status ?? 500, Message: row.error_message };
  return view;
}
