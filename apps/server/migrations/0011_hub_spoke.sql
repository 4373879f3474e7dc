-- Hub and spoke (provider-assisted teleconsultation): a spoke's request for a hub's advice, its
-- triage, routing and hand-out, the hub's answer, referrals to physical facilities tracked to
-- their end, feedback on the request, and resumable uploads of its attachments.

-- ABHA number and address of a patient (India's health id); one patient per value.
create table patient_identifiers (
  patient_id uuid not null references patients (id),
  kind text not null check (kind in ('abha_number', 'abha_address')),
  value text not null,
  primary key (patient_id, kind),
  unique (kind, value)
);

-- Consent to teleconsultation (Telemedicine Practice Guidelines 2020), recorded by the officer.
create table teleconsultation_consents (
  id uuid primary key,
  patient_id uuid not null references patients (id),
  state_id text not null references states (id),
  spoke_id uuid not null references facilities (id),
  method text not null check (method in ('verbal', 'written')),
  given_by text not null check (given_by in ('patient', 'guardian')),
  recorded_by uuid not null references users (id),
  recorded_at timestamptz not null
);
create index teleconsultation_consents_patient_idx on teleconsultation_consents (patient_id, recorded_at desc);

-- The state's settings: how long a hub has before a request overflows to the next, the service
-- level per urgency, how early a coordinator is warned, and when a referral is overdue.
create table hub_spoke_settings (
  state_id text primary key references states (id),
  overflow_minutes integer not null default 15 check (overflow_minutes between 1 and 1440),
  sla_minutes jsonb not null default '{"emergency": 30, "urgent": 120, "routine": 1440}',
  alert_before_minutes integer not null default 10 check (alert_before_minutes between 0 and 1440),
  referral_due_days jsonb not null default '{"emergency": 1, "urgent": 3, "routine": 14}'
);

-- The triage rule table of each state. A state with no rows uses the country pack's defaults
-- (in code: hubspoke/model.ts); a state that sets its own replaces them all. A rule matches a
-- complaint code or a red flag of the vitals.
create table triage_rules (
  id uuid primary key,
  state_id text not null references states (id),
  position integer not null,
  complaint_code text references complaint_terms (code),
  red_flag text,
  speciality_code text not null references specialities (code),
  urgency text not null check (urgency in ('emergency', 'urgent', 'routine')),
  check ((complaint_code is null) <> (red_flag is null))
);
create index triage_rules_state_idx on triage_rules (state_id, position);

create table teleconsult_requests (
  id uuid primary key,
  state_id text not null references states (id),
  spoke_id uuid not null references facilities (id),
  patient_id uuid not null references patients (id),
  created_by uuid not null references users (id),
  status text not null check (status in ('draft', 'waiting', 'taken', 'answered', 'declined', 'cancelled')),
  mode text not null check (mode in ('live', 'async')),
  speciality_code text references specialities (code),
  urgency text check (urgency in ('emergency', 'urgent', 'routine')),
  suggested_speciality text references specialities (code),
  suggested_urgency text check (suggested_urgency in ('emergency', 'urgent', 'routine')),
  complaints jsonb not null default '[]',
  complaint_text text,
  history text,
  vitals jsonb not null default '{}',
  red_flags jsonb not null default '[]',
  pregnancy text check (pregnancy in ('pregnant', 'not_pregnant', 'unknown')),
  consent_id uuid references teleconsultation_consents (id),
  -- A follow-up goes back to the hub (and doctor) of the request it follows.
  follow_up_of uuid references teleconsult_requests (id),
  preferred_practitioner_id uuid references practitioners (id),
  -- Routing: the ordered hubs when sent, which one has it now, and when it moves on.
  route_hubs uuid[] not null default '{}',
  route_index integer not null default 0,
  hub_id uuid references facilities (id),
  urgency_rank smallint not null default 2,   -- 0 emergency, 1 urgent, 2 routine: the hand-out order
  sent_at timestamptz,
  routed_at timestamptz,
  overflow_at timestamptz,
  sla_due_at timestamptz,
  sla_alerted_at timestamptz,
  practitioner_id uuid references practitioners (id),
  taken_at timestamptz,
  consultation_id uuid references consultations (id),
  answered_at timestamptz,
  reroutes integer not null default 0,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  version integer not null default 1
);
-- The hand-out: waiting requests of a hub, urgent first, then oldest.
create index teleconsult_requests_waiting_idx on teleconsult_requests (hub_id, urgency_rank, sent_at) where status = 'waiting';
create index teleconsult_requests_overflow_idx on teleconsult_requests (overflow_at) where status = 'waiting';
create index teleconsult_requests_sla_idx on teleconsult_requests (sla_due_at) where status in ('waiting', 'taken') and sla_alerted_at is null;
create index teleconsult_requests_spoke_idx on teleconsult_requests (spoke_id, created_at desc);
create index teleconsult_requests_patient_idx on teleconsult_requests (patient_id, created_at desc);
create index teleconsult_requests_practitioner_idx on teleconsult_requests (practitioner_id, status);
create index teleconsult_requests_state_idx on teleconsult_requests (state_id, created_at);

-- What happened to a request, in order: what the spoke's status list shows.
create table teleconsult_request_events (
  id bigint generated always as identity primary key,
  request_id uuid not null references teleconsult_requests (id),
  at timestamptz not null,
  kind text not null check (kind in ('sent', 'routed', 'overflowed', 'taken', 'released', 'declined', 'rerouted',
    'answered', 'referred', 'invited', 'opinion', 'feedback', 'sla_alert', 'cancelled')),
  actor_user_id uuid references users (id),
  hub_id uuid references facilities (id),
  practitioner_id uuid references practitioners (id),
  detail jsonb
);
create index teleconsult_request_events_request_idx on teleconsult_request_events (request_id, id);

create table teleconsult_attachments (
  request_id uuid not null references teleconsult_requests (id),
  file_id uuid not null references files (id),
  kind text not null check (kind in ('photo', 'ecg', 'lab_report', 'other')),
  added_at timestamptz not null,
  primary key (request_id, file_id)
);

-- A second opinion: another specialist invited into the consultation.
create table teleconsult_invites (
  id uuid primary key,
  request_id uuid not null references teleconsult_requests (id),
  practitioner_id uuid not null references practitioners (id),
  invited_by uuid not null references practitioners (id),
  note text,
  opinion text,
  invited_at timestamptz not null,
  answered_at timestamptz,
  unique (request_id, practitioner_id)
);
create index teleconsult_invites_practitioner_idx on teleconsult_invites (practitioner_id, invited_at desc);

-- The hub's rating of the request, once per request.
create table teleconsult_feedback (
  request_id uuid primary key references teleconsult_requests (id),
  state_id text not null references states (id),
  spoke_id uuid not null references facilities (id),
  practitioner_id uuid not null references practitioners (id),
  complete boolean not null,
  appropriate_speciality boolean not null,
  needed_video boolean not null,
  reason text,
  rated_at timestamptz not null
);
create index teleconsult_feedback_spoke_idx on teleconsult_feedback (spoke_id, rated_at);
create index teleconsult_feedback_state_idx on teleconsult_feedback (state_id, rated_at);

-- A referral to a physical facility, tracked until the destination records its outcome.
create table referrals (
  id uuid primary key,
  state_id text not null references states (id),
  request_id uuid references teleconsult_requests (id),
  consultation_id uuid references consultations (id),
  patient_id uuid not null references patients (id),
  from_facility_id uuid not null references facilities (id),
  referred_by uuid not null references practitioners (id),
  destination_id uuid not null references facilities (id),
  reason text not null,
  urgency text not null check (urgency in ('emergency', 'urgent', 'routine')),
  summary text not null,
  status text not null check (status in ('sent', 'received', 'attended', 'completed', 'cancelled')),
  due_at timestamptz not null,           -- attended by then, or it is overdue
  sent_at timestamptz not null,
  received_at timestamptz,
  attended_at timestamptz,
  completed_at timestamptz,
  outcome text check (outcome in ('treated_discharged', 'admitted', 'referred_on', 'not_attended', 'died', 'left_against_advice')),
  outcome_note text,
  updated_at timestamptz not null default now()
);
create index referrals_destination_idx on referrals (destination_id, sent_at desc);
create index referrals_open_idx on referrals (state_id, due_at) where status in ('sent', 'received');
create index referrals_patient_idx on referrals (patient_id, sent_at desc);

-- A resumable upload: the client sends chunks at offsets; a dropped link resumes where the
-- server's received count says. The finished file goes to the `files` table.
create table upload_sessions (
  id uuid primary key,
  state_id text not null references states (id),
  patient_id uuid not null references patients (id),
  request_id uuid references teleconsult_requests (id),
  kind text not null check (kind in ('photo', 'ecg', 'lab_report', 'other')),
  title text,
  media_type text not null,
  size_bytes integer not null check (size_bytes > 0),
  sha256 text not null,
  received_bytes integer not null default 0,
  file_id uuid references files (id),
  created_by uuid not null references users (id),
  created_at timestamptz not null,
  updated_at timestamptz not null
);
create table upload_chunks (
  session_id uuid not null references upload_sessions (id) on delete cascade,
  offset_bytes integer not null,
  content bytea not null,
  primary key (session_id, offset_bytes)
);
