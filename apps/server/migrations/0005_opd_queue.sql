-- The online OPD's virtual queue: tokens, their order, calls and outcomes.

-- How far ahead of their arrival each priority is placed, per state. A bounded advance is what
-- keeps the queue fair: a later arrival can overtake only by this much, so nobody waits forever.
create table queue_priority_rules (
  state_id text not null references states (id),
  priority text not null check (priority in ('emergency', 'elderly', 'pregnant', 'disabled')),
  advance_minutes integer not null check (advance_minutes between 0 and 240),
  primary key (state_id, priority)
);

create table opd_token_counters (
  opd_id uuid not null references facilities (id),
  service_date date not null,
  last_number integer not null,
  primary key (opd_id, service_date)
);

create table opd_tokens (
  id uuid primary key,
  opd_id uuid not null references facilities (id),
  state_id text not null references states (id),
  service_date date not null,                -- the OPD state's local date
  token_number integer not null,
  patient_id uuid not null references patients (id),
  account_user_id uuid not null references users (id),
  priority text not null default 'normal' check (priority in ('normal', 'emergency', 'elderly', 'pregnant', 'disabled')),
  joined_at timestamptz not null,
  queue_at timestamptz not null,             -- the order: arrival less the priority's advance
  status text not null check (status in ('waiting', 'called', 'in_consultation', 'completed', 'no_show', 'lapsed',
    'cancelled', 'transferred', 'closed')),
  practitioner_id uuid references practitioners (id),            -- who called or is seeing them
  preferred_practitioner_id uuid references practitioners (id),  -- a follow-up with the same doctor
  called_at timestamptz,
  call_deadline timestamptz,
  missed_calls integer not null default 0,
  consultation_id uuid,
  transferred_to uuid references opd_tokens (id),
  outcome_reason text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (opd_id, service_date, token_number)
);
create index opd_tokens_waiting_idx on opd_tokens (opd_id, queue_at, token_number) where status = 'waiting';
create index opd_tokens_called_idx on opd_tokens (call_deadline) where status = 'called';
create index opd_tokens_account_idx on opd_tokens (account_user_id, created_at desc);
create index opd_tokens_practitioner_idx on opd_tokens (practitioner_id, service_date);
-- One live token per patient at a time: a retry or a second device cannot queue them twice.
create unique index opd_tokens_one_live_idx on opd_tokens (patient_id) where status in ('waiting', 'called', 'in_consultation');
