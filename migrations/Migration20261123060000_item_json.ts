import { Migration } from '@mikro-orm/migrations';

/**
 * Per-entity results are answered as stored; `json` keeps their fields in the order the API writes
 * them (jsonb would re-sort the keys), and costs less to write since it is never queried inside.
 */
export class Migration20261123060000_item_json extends Migration {
  override up(): void {
    this.addSql(`
alter table bulk_item
  alter column result type json using result::json,
  alter column before type json using before::json;
`);
  }
}
