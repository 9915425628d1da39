import { Migration } from '@mikro-orm/migrations';

/**
 * A job's selection is frozen as a row per chunk (the chunk's targets as arrays, in result order)
 * instead of an item row per target written at planning and updated with its result later. An
 * item row is now written once, by the chunk that decides its result, as an INSERT: per 10,000
 * items with undo data 163 ms against 255 ms for the UPDATE (68 against 150 without), and planning
 * 100,000 targets writes 100 rows instead of 100,000 rows and their index entries. The partial index
 * of pending items goes with the pending items.
 *
 * Item k (from 1) of chunk c has seq c * chunk_size + k. Running a chunk deletes its row first:
 * that is its lock (a second run of the same chunk waits on it, then finds no row and does
 * nothing) and, at commit, its mark of done. A job's pending chunks are its rows; what a finished
 * job never reached is its remaining rows (reported as NotProcessed, retried by a retry job).
 */
export class Migration20261203000000_bulk_chunk extends Migration {
  override up(): void {
    this.addSql(`
create table bulk_chunk (
  job_id uuid not null,
  chunk integer not null,
  entity_ids uuid[] not null,
  dest_space_ids uuid[],
  prefixes text[],
  source_seqs integer[],
  primary key (job_id, chunk)
);
insert into bulk_chunk (job_id, chunk, entity_ids, dest_space_ids, prefixes, source_seqs)
select job_id, chunk, array_agg(entity_id order by seq),
       case when count(dest_space_id) > 0 then array_agg(dest_space_id order by seq) end,
       case when count(prefix) > 0 then array_agg(prefix order by seq) end,
       case when count(source_seq) > 0 then array_agg(source_seq order by seq) end
  from bulk_item
 where status = 'pending'
 group by job_id, chunk;
delete from bulk_item where status = 'pending';
drop index bulk_item_pending_idx;

create or replace function bulk_job_delete_items() returns trigger language plpgsql as $$
begin
  delete from bulk_item b using gone where b.job_id = gone.id;
  delete from bulk_chunk c using gone where c.job_id = gone.id;
  return null;
end $$;
`);
  }
}
