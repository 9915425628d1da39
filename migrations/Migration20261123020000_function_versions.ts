import { Migration } from '@mikro-orm/migrations';

/**
 * The Function Versions API: workspaces, JSON schemas, functions, their versions and files, and the
 * secret that signs list cursors.
 *
 * Ids are UUIDv7 stored as uuid; the API shows them as TypeIDs (prefix + base32), whose string order
 * is the uuid order, so sorting by an id column sorts by the id callers see. Names sort with the "C"
 * collation so an order does not depend on the server's locale. Timestamps keep milliseconds: the
 * API shows them to the millisecond, so a value read back compares equal in a filter.
 */
export class Migration20261123020000_function_versions extends Migration {
  override up(): void {
    this.addSql(`
create table workspace (
  id uuid primary key,
  organization_id uuid not null references organization(id) on delete cascade,
  name text not null,
  created_at timestamptz(3) not null default now(),
  updated_at timestamptz(3) not null default now()
);
create index workspace_org_idx on workspace (organization_id, id);

create table json_schema (
  id uuid primary key,
  organization_id uuid not null references organization(id) on delete cascade,
  workspace_id uuid not null references workspace(id) on delete cascade,
  name text not null,
  definition jsonb not null,
  created_at timestamptz(3) not null default now(),
  updated_at timestamptz(3) not null default now()
);
create index json_schema_workspace_idx on json_schema (workspace_id);

create table "function" (
  id uuid primary key,
  organization_id uuid not null references organization(id) on delete cascade,
  workspace_id uuid not null references workspace(id) on delete cascade,
  name text collate "C" not null,
  description text,
  default_version_id uuid,
  source text not null default 'custom' check (source in ('custom', 'system', 'openapi-op')),
  system boolean not null default false,
  created_by text not null,
  runtime_user_id text,
  deleted_at timestamptz(3),
  retention_tier jsonb,
  created_at timestamptz(3) not null default now(),
  updated_at timestamptz(3) not null default now()
);
create index function_workspace_idx on "function" (workspace_id);
create index function_org_idx on "function" (organization_id);

create table function_version (
  id uuid primary key,
  organization_id uuid not null references organization(id) on delete cascade,
  function_id uuid not null references "function"(id) on delete cascade,
  name text collate "C" not null,
  parent_id uuid references function_version(id) on delete set null,
  input_schema_id uuid not null references json_schema(id),
  output_schema_id uuid not null references json_schema(id),
  deleted_at timestamptz(3),
  created_at timestamptz(3) not null default now(),
  updated_at timestamptz(3) not null default now()
);
create index function_version_org_created_idx on function_version (organization_id, created_at, id);
create index function_version_function_created_idx on function_version (function_id, created_at, id);
create index function_version_parent_idx on function_version (parent_id);

-- The default version cannot disappear under the function: purging it is refused by the API, and
-- this keeps it so even for a statement that bypasses the API.
alter table "function" add constraint function_default_version_fk
  foreign key (default_version_id) references function_version(id) on delete restrict;

create table function_file (
  id uuid primary key,
  version_id uuid not null references function_version(id) on delete cascade,
  path text not null,
  content text not null,
  created_at timestamptz(3) not null default now(),
  unique (version_id, path)
);

-- One secret per database signs list cursors, so every API process accepts the cursors of the
-- others and a cursor from another deployment is refused. 32 bytes from two random UUIDs
-- (gen_random_uuid uses the server's strong random source; no extension needed).
create table api_cursor_secret (
  id smallint primary key default 1 check (id = 1),
  secret bytea not null check (length(secret) >= 30)
);
insert into api_cursor_secret (id, secret)
  values (1, decode(replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', ''), 'hex'));
`);
  }
}
