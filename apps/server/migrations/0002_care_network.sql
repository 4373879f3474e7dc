-- The care network: facility details, specialities, practitioners and where they work,
-- hub-and-spoke mappings, hub pools, rosters, availability and online OPDs.

create table specialities (
  code text primary key,               -- slug, e.g. general_medicine
  name text not null,
  name_hi text,
  snomed_code text,                    -- SNOMED CT clinical specialty concept, when known
  snomed_display text
);

alter table facilities
  add column subtype text,             -- e.g. SC, PHC, UPHC, CHC, HWC, DH, MC
  add column address_line text,
  add column city text,
  add column pincode text,
  add column latitude double precision check (latitude between -90 and 90),
  add column longitude double precision check (longitude between -180 and 180),
  add column languages text[] not null default '{}',
  add column phone text;
create index facilities_kind_idx on facilities (state_id, kind);
create index facilities_updated_idx on facilities (updated_at);
create index facilities_name_prefix_idx on facilities (lower(name) text_pattern_ops);

-- A hub may pool the doctors of several facilities (e.g. a medical college and its hospitals).
create table hub_pool_members (
  hub_id uuid not null references facilities (id),
  member_id uuid not null references facilities (id),
  primary key (hub_id, member_id),
  check (hub_id <> member_id)
);

-- Each spoke maps to one or more hubs per speciality, in order (1 = first choice, then overflow).
-- Rows are never updated in place: a change closes the old row (valid_to) and adds a new one,
-- so a case routed under an earlier mapping can always name the mapping it used.
create table spoke_hub_mappings (
  id uuid primary key,
  state_id text not null references states (id),
  spoke_id uuid not null references facilities (id),
  speciality_code text not null references specialities (code),
  hub_id uuid not null references facilities (id),
  rank integer not null check (rank between 1 and 20),
  valid_from timestamptz not null default now(),
  valid_to timestamptz,
  created_by uuid references users (id)
);
create unique index spoke_hub_mappings_current_idx on spoke_hub_mappings (spoke_id, speciality_code, rank) where valid_to is null;
create index spoke_hub_mappings_hub_idx on spoke_hub_mappings (hub_id) where valid_to is null;

create table practitioners (
  id uuid primary key,
  state_id text not null references states (id),   -- the state that manages the record
  user_id uuid unique references users (id),        -- their sign-in, when they have one
  name text not null,
  gender text not null check (gender in ('female', 'male', 'other', 'unknown')),
  qualification text,
  registration_council text,
  registration_number text,
  registry_id text,                                 -- India: HPR id, 14 digits
  languages text[] not null default '{}',
  specialities text[] not null default '{}',        -- speciality codes
  mobile text,
  active boolean not null default true,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  version integer not null default 1
);
create unique index practitioners_registry_idx on practitioners (registry_id) where registry_id is not null;
create unique index practitioners_registration_idx on practitioners (registration_council, registration_number)
  where registration_number is not null;
create index practitioners_state_name_idx on practitioners (state_id, lower(name) text_pattern_ops);
create index practitioners_updated_idx on practitioners (updated_at);

-- Where a practitioner works and in which role.
create table practitioner_roles (
  id uuid primary key,
  practitioner_id uuid not null references practitioners (id),
  facility_id uuid not null references facilities (id),
  state_id text not null references states (id),
  role text not null check (role in ('hub_doctor', 'opd_doctor', 'spoke_operator', 'specialist', 'pharmacist', 'coordinator')),
  specialities text[] not null default '{}',
  active boolean not null default true,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (practitioner_id, facility_id, role)
);
create index practitioner_roles_facility_idx on practitioner_roles (facility_id) where active;
create index practitioner_roles_updated_idx on practitioner_roles (updated_at);

-- Weekly shifts in the state's local time; an end before the start runs past midnight.
create table shifts (
  id uuid primary key,
  practitioner_id uuid not null references practitioners (id),
  facility_id uuid not null references facilities (id),
  state_id text not null references states (id),
  weekday smallint not null check (weekday between 0 and 6),   -- 0 = Sunday
  starts_at time not null,
  ends_at time not null,
  valid_from date,
  valid_to date,
  check (starts_at <> ends_at)
);
create index shifts_practitioner_idx on shifts (practitioner_id);
create index shifts_facility_idx on shifts (facility_id, weekday);

-- Leave of one practitioner, or a holiday of a whole state, on a local date.
create table roster_exceptions (
  id uuid primary key,
  state_id text not null references states (id),
  practitioner_id uuid references practitioners (id),
  on_date date not null,
  kind text not null check (kind in ('leave', 'holiday')),
  note text,
  check ((kind = 'leave') = (practitioner_id is not null))
);
create index roster_exceptions_lookup_idx on roster_exceptions (state_id, on_date);

-- What a doctor says of themselves; "off shift" is also derived from the roster.
create table practitioner_availability (
  practitioner_id uuid primary key references practitioners (id),
  status text not null check (status in ('available', 'break', 'off_shift')),
  changed_at timestamptz not null default now()
);

-- An online OPD is a facility of kind 'opd' with these settings.
create table opd_settings (
  facility_id uuid primary key references facilities (id),
  speciality_code text references specialities (code),   -- null = general OPD
  daily_capacity integer not null check (daily_capacity > 0),
  waiting_room_size integer not null check (waiting_room_size > 0),
  consultation_minutes integer not null check (consultation_minutes between 1 and 120),
  languages text[] not null default '{}'
);

create table opd_hours (
  facility_id uuid not null references facilities (id),
  weekday smallint not null check (weekday between 0 and 6),
  opens_at time not null,
  closes_at time not null,
  primary key (facility_id, weekday, opens_at),
  check (closes_at > opens_at)
);
