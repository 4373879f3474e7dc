-- Foundation: geography, tenancy, identity, sessions, one-time codes, SMS outbox,
-- patients (minimal; later issues extend), audit log and idempotency keys.

create table countries (
  id text primary key,                 -- ISO 3166-1 alpha-2, e.g. IN
  name text not null,
  default_time_zone text not null
);

create table states (
  id text primary key,                 -- country + '-' + the country's own code, e.g. IN-09
  country_id text not null references countries (id),
  code text not null,                  -- India: LGD state code
  name text not null,
  time_zone text not null,
  unique (country_id, code)
);

create table districts (
  id text primary key,                 -- state id + '-' + the district code, e.g. IN-09-140
  state_id text not null references states (id),
  code text not null,                  -- India: LGD district code
  name text not null,
  unique (state_id, code)
);
create index districts_state_idx on districts (state_id, name);

create table facilities (
  id uuid primary key,
  state_id text not null references states (id),
  district_id text not null references districts (id),
  name text not null,
  kind text not null check (kind in ('spoke', 'hub', 'opd', 'referral', 'pharmacy')),
  registry_id text,                    -- India: HFR id
  active boolean not null default true,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  version integer not null default 1
);
create index facilities_state_idx on facilities (state_id, name);
create unique index facilities_registry_idx on facilities (registry_id) where registry_id is not null;

create table users (
  id uuid primary key,
  kind text not null check (kind in ('staff', 'patient')),
  username text,                       -- staff only, stored lower-case
  mobile text,
  display_name text not null,
  password_hash text,                  -- argon2id, staff only
  totp_secret text,                    -- base32, staff only
  totp_enabled boolean not null default false,
  failed_logins integer not null default 0,
  locked_until timestamptz,
  active boolean not null default true,
  preferred_language text not null default 'en',
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create unique index users_username_idx on users (username) where username is not null;
create unique index users_mobile_idx on users (kind, mobile) where mobile is not null;

-- What a staff member may do and where: a role bound to a facility, a state or the country.
create table role_bindings (
  id uuid primary key,
  user_id uuid not null references users (id) on delete cascade,
  role text not null,
  state_id text references states (id),
  facility_id uuid references facilities (id),
  created_at timestamptz not null default now(),
  check (role <> 'patient')
);
create index role_bindings_user_idx on role_bindings (user_id);

create table sessions (
  id uuid primary key,
  token_hash text not null unique,     -- sha256 of the token; the token itself is never stored
  user_id uuid not null references users (id) on delete cascade,
  kind text not null check (kind in ('cookie', 'bearer')),
  label text,
  created_at timestamptz not null,
  expires_at timestamptz not null,
  last_seen_at timestamptz not null,
  revoked_at timestamptz,
  ip text,
  user_agent text
);
create index sessions_user_idx on sessions (user_id) where revoked_at is null;

create table otp_challenges (
  id uuid primary key,
  mobile text not null,
  code_hash text not null,             -- HMAC-SHA256 keyed with the server secret
  created_at timestamptz not null,
  expires_at timestamptz not null,
  attempts integer not null default 0,
  consumed_at timestamptz,
  ip text
);
create index otp_challenges_mobile_idx on otp_challenges (mobile, created_at);
create index otp_challenges_ip_idx on otp_challenges (ip, created_at);

-- The development SMS adapter writes here so that a demo user can read their code.
create table sms_outbox (
  id uuid primary key,
  to_mobile text not null,
  body text not null,
  created_at timestamptz not null default now()
);
create index sms_outbox_created_idx on sms_outbox (created_at desc);

-- A person who receives care. Every clinical record belongs to a state.
create table patients (
  id uuid primary key,
  state_id text not null references states (id),
  district_id text references districts (id),
  account_user_id uuid references users (id),   -- the mobile account that manages this profile
  name text not null,
  sex text not null check (sex in ('female', 'male', 'other', 'unknown')),
  birth_date date,
  birth_year integer,
  mobile text,
  village text,
  created_by uuid references users (id),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  version integer not null default 1
);
create index patients_state_name_idx on patients (state_id, lower(name));
create index patients_mobile_idx on patients (mobile) where mobile is not null;
create index patients_account_idx on patients (account_user_id) where account_user_id is not null;

-- Append-only, hash-chained record of every access to patient data.
create table audit_log (
  seq bigint primary key,
  at timestamptz not null,
  actor_id uuid,
  actor_role text,
  action text not null,
  resource_type text not null,
  resource_id text,
  patient_id uuid,
  state_id text,
  ip text,
  outcome text not null default 'success',
  detail jsonb,
  prev_hash text not null,
  hash text not null
);
create index audit_log_patient_idx on audit_log (patient_id, seq) where patient_id is not null;
create index audit_log_actor_idx on audit_log (actor_id, seq);
create index audit_log_at_idx on audit_log (at);

-- The newest link of the chain, so that cutting rows off the end is detected too.
create table audit_chain_head (
  id integer primary key check (id = 1),
  seq bigint not null,
  hash text not null
);
insert into audit_chain_head (id, seq, hash) values (1, 0, repeat('0', 64));

create function audit_log_append_only() returns trigger language plpgsql as $$
begin
  raise exception 'audit_log is append-only';
end;
$$;
create trigger audit_log_no_update before update or delete on audit_log
  for each row execute function audit_log_append_only();

-- A retried create replays the first answer instead of creating twice.
create table idempotency_keys (
  owner text not null,                 -- user id, or 'anonymous:' + ip
  key text not null,
  request_hash text not null,
  status_code integer,                 -- null while the first request is still running
  response jsonb,
  created_at timestamptz not null default now(),
  primary key (owner, key)
);
create index idempotency_keys_created_idx on idempotency_keys (created_at);
