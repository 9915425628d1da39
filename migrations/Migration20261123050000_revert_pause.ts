import { Migration } from '@mikro-orm/migrations';

/**
 * Undo and retention. `effect` is what a job's items did to their entities (a revert does the
 * inverse of its source, so a revert can itself be reverted); `source_seq` ties a revert's item to
 * the item it undoes; a non-dry-run revert is unique per source job. Retention removes a job's
 * items (and with them its undo data) and marks the job purged, so a late revert can say why.
 */
export class Migration20261123050000_revert_pause extends Migration {
  override up(): void {
    this.addSql(`
alter table bulk_job add column effect text check (effect in ('clone', 'patch', 'delete'));
update bulk_job set effect = operation where operation <> 'revert';
alter table bulk_job add constraint bulk_job_effect_set check (effect is not null);
alter table bulk_job add column purged_at timestamptz(3);
create unique index bulk_job_one_revert_idx on bulk_job (source_job_id)
  where operation = 'revert' and not dry_run;
alter table bulk_item add column source_seq integer;
drop index bulk_job_finished_idx;
create index bulk_job_finished_idx on bulk_job (finished_at) where finished_at is not null and purged_at is null;
`);
  }
}
