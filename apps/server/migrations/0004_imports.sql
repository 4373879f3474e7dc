-- Bulk CSV imports of the care network (facilities, practitioners with roles, spoke-hub mappings):
-- one row per upload, with its progress, its validation errors and what it changed.

create table import_jobs (
  id uuid primary key,
  kind text not null check (kind in ('facilities', 'practitioners', 'mappings')),
  state_id text references states (id),          -- the importing state administrator's state; null for national
  dry_run boolean not null,
  status text not null check (status in ('validating', 'writing', 'succeeded', 'rejected', 'failed')),
  bytes_read bigint not null default 0,
  rows_read integer not null default 0,          -- data rows parsed so far
  rows_validated integer not null default 0,     -- data rows checked, the database lookups included
  rows_written integer not null default 0,       -- data rows written (or, in a dry run, tried and rolled back)
  rows_total integer,                            -- known once the whole file has been read
  error_count integer not null default 0,
  errors jsonb not null default '[]',            -- [{line, field, reason}], at most 10,000
  counts jsonb not null default '{}',            -- {facilities: {inserted, updated, unchanged, retired}, ...}
  started_at timestamptz not null default now(),
  checked_at timestamptz,                        -- when the whole file had been read and checked
  updated_at timestamptz not null default now(),
  finished_at timestamptz,
  created_by uuid references users (id)
);
create index import_jobs_started_idx on import_jobs (started_at desc);
create index import_jobs_creator_idx on import_jobs (created_by, started_at desc);
