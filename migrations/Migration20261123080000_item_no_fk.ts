import { Migration } from '@mikro-orm/migrations';

/**
 * bulk_item.job_id loses its foreign key. PostgreSQL checks a foreign key row by row: planning a
 * 20,000-entity job spent 93 ms inserting its items and 170 ms more in those checks (auto_explain),
 * about 8.5 µs per entity on every job. Items are only ever inserted by the planner while it holds
 * its job's row FOR UPDATE, so the job exists; what the key also did, removing a job's items with
 * the job (an organization's deletion cascades to its jobs), a statement-level trigger does now.
 */
export class Migration20261123080000_item_no_fk extends Migration {
  override up(): void {
    this.addSql(`
alter table bulk_item drop constraint bulk_item_job_id_fkey;

create function bulk_job_delete_items() returns trigger language plpgsql as $$
begin
  delete from bulk_item b using gone where b.job_id = gone.id;
  return null;
end $$;

create trigger bulk_job_delete_items after delete on bulk_job
  referencing old table as gone for each statement execute function bulk_job_delete_items();
`);
  }
}
