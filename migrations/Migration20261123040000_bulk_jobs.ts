import { Migration } from '@mikro-orm/migrations';

/**
 * Bulk jobs and their per-entity items. PostgreSQL is the source of truth for a job's outcome;
 * Redis only carries execution. One item row per target entity holds its result and, for the
 * undo of a change, the entity as it was (before) or the id it created (created_id).
 */
export class Migration20261123040000_bulk_jobs extends Migration {
  override up(): void {
    this.addSql(`
create table bulk_job (
  id uuid primary key,
  organization_id uuid not null references organization(id) on delete cascade,
  operation text not null check (operation in ('clone', 'patch', 'delete', 'revert')),
  state text not null default 'queued'
    check (state in ('queued', 'running', 'paused', 'completed', 'failed', 'cancelled')),
  request jsonb not null,
  dry_run boolean not null default false,
  idempotency_key text,
  request_hash text not null,
  source_job_id uuid references bulk_job(id) on delete set null,
  chunk_size integer not null,
  total integer,
  succeeded integer not null default 0,
  failed integer not null default 0,
  error_status smallint,
  error_message text,
  created_at timestamptz(3) not null default now(),
  started_at timestamptz(3),
  finished_at timestamptz(3),
  heartbeat_at timestamptz(3) not null default now()
);
create unique index bulk_job_idempotency_idx on bulk_job (organization_id, idempotency_key)
  where idempotency_key is not null;
create index bulk_job_org_created_idx on bulk_job (organization_id, created_at desc, id desc);
create index bulk_job_unfinished_idx on bulk_job (heartbeat_at) where state in ('queued', 'running');
create index bulk_job_finished_idx on bulk_job (finished_at) where finished_at is not null;

create table bulk_item (
  job_id uuid not null references bulk_job(id) on delete cascade,
  seq integer not null,
  chunk integer not null,
  entity_id uuid not null,
  dest_space_id uuid,
  prefix text,
  status text not null default 'pending' check (status in ('pending', 'succeeded', 'failed')),
  result jsonb,
  before jsonb,
  created_id uuid,
  version_after integer,
  primary key (job_id, seq)
);
create index bulk_item_pending_idx on bulk_item (job_id, chunk) where status = 'pending';
`);
  }
}
