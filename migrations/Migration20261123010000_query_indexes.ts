import { Migration } from '@mikro-orm/migrations';

/**
 * Indexes for the where language and `contains` (src/domain/query/). Lists read the first page in
 * cursor_id order, so equality indexes end in cursor_id where a value can match many rows.
 *
 * `contains` searches several fields at once. map_search_text / invocation_search_text /
 * space_search_text join them into one text with U+001F between fields (and between a map key
 * and its value); `contains` refuses control characters, so a search can never match across a
 * separator. The text is kept in a STORED generated column, search_text, with a trigram GIN index
 * on it: a trigram match is always rechecked against the row, and reading a column there costs
 * far less than calling the functions again (about 10 microseconds a row, measured). The column
 * is maintained by PostgreSQL on every insert and update; no application code writes it, and it
 * must never be listed in an INSERT. The functions are IMMUTABLE (they read only their arguments);
 * SQL-standard bodies are parsed here, at creation, so later search_path settings do not matter.
 */
export class Migration20261123010000_query_indexes extends Migration {
  override up(): void {
    this.addSql(`
create extension if not exists pg_trgm;

create function map_search_text(m jsonb) returns text
  language sql immutable parallel safe
  return case when jsonb_typeof(m) = 'object'
    then coalesce((select string_agg(e.key || E'\\x1f' || coalesce(e.value, ''), E'\\x1f') from jsonb_each_text(m) e), '')
    else '' end;

create function invocation_search_text(
  slug text, display_name text, function_name text, toolchain_type text, labels jsonb, annotations jsonb
) returns text
  language sql immutable parallel safe
  return slug || E'\\x1f' || display_name || E'\\x1f' || function_name || E'\\x1f' || toolchain_type
    || E'\\x1f' || map_search_text(labels) || E'\\x1f' || map_search_text(annotations);

create function space_search_text(slug text, display_name text, labels jsonb) returns text
  language sql immutable parallel safe
  return slug || E'\\x1f' || display_name || E'\\x1f' || map_search_text(labels);

create index invocation_org_slug_idx on invocation (organization_id, slug);
create index invocation_org_function_name_idx on invocation (organization_id, function_name, cursor_id);
create index invocation_labels_idx on invocation using gin (labels jsonb_path_ops);

alter table invocation add column search_text text not null generated always as (
  invocation_search_text(slug, display_name, function_name, toolchain_type, labels, annotations)
) stored;
create index invocation_search_idx on invocation using gin (search_text gin_trgm_ops);
-- A first page ordered by cursor_id is fast by the trigram index when few rows match, and fast by
-- walking cursor_id when many do; the planner picks well only if it can estimate how many match.
-- The default sample misjudged a 1% match as 0.01% on a million rows (330 ms instead of 25 ms).
alter table invocation alter column search_text set statistics 1000;
alter table invocation alter column labels set statistics 1000;

alter table space add column search_text text not null generated always as (
  space_search_text(slug, display_name, labels)
) stored;
create index space_labels_idx on space using gin (labels jsonb_path_ops);
create index space_search_idx on space using gin (search_text gin_trgm_ops);
`);
  }

  override down(): void {
    this.addSql(`
drop index if exists space_search_idx;
drop index if exists space_labels_idx;
alter table space drop column if exists search_text;
drop index if exists invocation_search_idx;
alter table invocation drop column if exists search_text;
drop index if exists invocation_labels_idx;
drop index if exists invocation_org_function_name_idx;
drop index if exists invocation_org_slug_idx;
drop function if exists space_search_text(text, text, jsonb);
drop function if exists invocation_search_text(text, text, text, text, jsonb, jsonb);
drop function if exists map_search_text(jsonb);
`);
  }
}
