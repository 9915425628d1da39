import { Migration } from '@mikro-orm/migrations';

/**
 * Whether a job records undo data (the entity as it was) beside each result. Fixed when the job
 * is submitted, so every worker that runs one of its chunks records the same; a patch or delete
 * job without it cannot be reverted.
 */
export class Migration20261123070000_record_undo extends Migration {
  override up(): void {
    this.addSql(`alter table bulk_job add column record_undo boolean not null default true;`);
  }
}
