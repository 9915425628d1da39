-- A table of large items, with or without VACUUM, then 200 inserts of 1,000 small items, timed one by one:
-- after VACUUM the small items fill the gaps at the end of the large items' pages first
-- (docs/benchmarks.md, "A delete's slow first 30%").
--   createdb -h 127.0.0.1 -U postgres probe_gaps
--   psql -h 127.0.0.1 -U postgres -d probe_gaps -v vac=true -f bench/sql/item-gaps.sql   (then vac=false)
drop table if exists it;
create table it (job_id uuid not null, seq int not null, result json not null, primary key (job_id, seq));
insert into it select '00000000-0000-0000-0000-000000000001', g, json_build_object('Invocation', repeat(md5(g::text), 30 + g % 7)) from generate_series(1, 300000) g;
\if :vac
vacuum it;
\endif
checkpoint;
select pg_relation_size('it') / 8192 as pages_before;
create temp table timing (chunk int, ms float8);
do $$
declare c int; t0 timestamptz;
begin
  for c in 0..199 loop
    t0 := clock_timestamp();
    insert into it select '00000000-0000-0000-0000-000000000002', c * 1000 + g, json_build_object('Message', 'invocation c-inv-' || g || ' (' || gen_random_uuid() || ') deleted') from generate_series(1, 1000) g;
    insert into timing values (c, extract(epoch from clock_timestamp() - t0) * 1000);
    commit;
  end loop;
end $$;
select pg_relation_size('it') / 8192 as pages_after;
select chunk / 20 as twentieth, round(percentile_cont(0.5) within group (order by ms)::numeric, 2) as median_ms from timing group by 1 order by 1;
