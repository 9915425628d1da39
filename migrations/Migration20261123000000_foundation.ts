import { Migration } from '@mikro-orm/migrations';

/** Organizations, tokens and the Invocation API's entities. */
export class Migration20261123000000_foundation extends Migration {
  override up(): void {
    this.addSql(`
create table organization (
  id uuid primary key,
  slug text not null unique,
  display_name text not null,
  created_at timestamptz(0) not null default now(),
  updated_at timestamptz(0) not null default now()
);

create table api_token (
  id uuid primary key,
  organization_id uuid not null references organization(id) on delete cascade,
  role text not null check (role in ('system_admin', 'admin', 'member')),
  secret_hash text not null unique,
  workspace_ids text[] not null default '{}',
  created_at timestamptz(0) not null default now()
);

create table space (
  id uuid primary key,
  organization_id uuid not null references organization(id) on delete cascade,
  slug text not null,
  display_name text not null default '',
  labels jsonb not null default '{}',
  annotations jsonb not null default '{}',
  delete_gates jsonb not null default '{}',
  version integer not null default 1,
  cursor_id bigint generated always as identity unique,
  created_at timestamptz(0) not null default now(),
  updated_at timestamptz(0) not null default now(),
  unique (organization_id, slug)
);
create index space_org_cursor_idx on space (organization_id, cursor_id);

create table bridge_worker (
  id uuid primary key,
  organization_id uuid not null references organization(id) on delete cascade,
  space_id uuid not null references space(id) on delete cascade,
  slug text not null,
  display_name text not null default '',
  version integer not null default 1,
  cursor_id bigint generated always as identity unique,
  created_at timestamptz(0) not null default now(),
  updated_at timestamptz(0) not null default now(),
  unique (space_id, slug)
);

create table filter (
  id uuid primary key,
  organization_id uuid not null references organization(id) on delete cascade,
  space_id uuid not null references space(id) on delete cascade,
  slug text not null,
  display_name text not null default '',
  from_entity text not null check (from_entity in ('Invocation', 'Space')),
  where_expr text not null default '',
  from_space_id uuid references space(id) on delete cascade,
  version integer not null default 1,
  cursor_id bigint generated always as identity unique,
  created_at timestamptz(0) not null default now(),
  updated_at timestamptz(0) not null default now(),
  unique (space_id, slug)
);

create table invocation (
  id uuid primary key,
  organization_id uuid not null references organization(id) on delete cascade,
  space_id uuid not null references space(id),
  slug text not null,
  display_name text not null default '',
  function_name text not null default '',
  arguments jsonb not null default '[]',
  toolchain_type text not null,
  bridge_worker_id uuid references bridge_worker(id) on delete set null,
  labels jsonb not null default '{}',
  annotations jsonb not null default '{}',
  delete_gates jsonb not null default '{}',
  hash text not null,
  version integer not null default 1,
  cursor_id bigint generated always as identity,
  created_at timestamptz(0) not null default now(),
  updated_at timestamptz(0) not null default now(),
  unique (space_id, slug)
);
create index invocation_org_cursor_idx on invocation (organization_id, cursor_id);
create index invocation_space_cursor_idx on invocation (space_id, cursor_id);
`);
  }
}
