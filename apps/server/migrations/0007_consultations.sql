-- Clinical terminology of the country pack (chief complaints coded in SNOMED CT, ICD-10
-- diagnoses) and consultations: one row per doctor–patient encounter, shared by online OPDs
-- and hub-and-spoke teleconsultation.

create table complaint_terms (
  code text primary key,               -- slug, e.g. fever
  name text not null,
  name_hi text,
  snomed_code text,                    -- SNOMED CT finding, when one was confirmed
  snomed_display text,
  speciality_code text,                -- suggested speciality (a specialities.code)
  red_flag boolean not null default false,
  verified boolean not null default false,  -- the SNOMED CT id was found in a public artefact
  position integer not null            -- the country pack's order: the commonest first
);

create table diagnosis_terms (
  code text primary key,               -- WHO ICD-10, e.g. J06.9
  title text not null,
  position integer not null
);

create table consultations (
  id uuid primary key,
  kind text not null check (kind in ('opd', 'hub_spoke')),
  state_id text not null references states (id),
  patient_id uuid not null references patients (id),
  practitioner_id uuid not null references practitioners (id),   -- the treating doctor
  facility_id uuid not null references facilities (id),          -- the OPD or the hub
  token_id uuid,                                                 -- the OPD queue's token, if any
  -- Telemedicine Practice Guidelines 2020: the mode and first or follow-up are recorded.
  mode text not null check (mode in ('video', 'audio', 'text')),
  consultation_type text not null check (consultation_type in ('first', 'follow_up')),
  consultation_type_source text not null check (consultation_type_source in ('auto', 'doctor')),
  previous_consultation_id uuid references consultations (id),   -- what made it a follow-up
  status text not null default 'in_progress' check (status in ('in_progress', 'completed', 'not_happened')),
  started_at timestamptz not null,
  ended_at timestamptz,
  -- The record. Coded entries keep the code and its display as they were when saved.
  chief_complaints jsonb not null default '[]',   -- [{code, snomedCode, display, duration, severity, ...}]
  complaint_text text,
  history text,
  examination text,
  vitals jsonb not null default '{}',             -- {bloodPressure: {systolic, diastolic}, pulse, temperature: {value, unit}, ...}
  diagnoses jsonb not null default '[]',          -- [{code (ICD-10), title, note}]
  investigations jsonb not null default '[]',     -- ["CBC", ...]
  advice text,
  follow_up jsonb,                                -- {afterDays | date, dueDate, with, specialityCode, note}
  not_happened_reason text check (not_happened_reason in
    ('patient_did_not_join', 'network_failure', 'not_suitable_for_teleconsultation', 'other')),
  not_happened_text text,
  rating smallint check (rating between 1 and 5),
  rating_comment text,
  rated_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  version integer not null default 1,
  check ((status = 'in_progress') = (ended_at is null)),
  check (ended_at is null or ended_at >= started_at),
  check ((status = 'not_happened') = (not_happened_reason is not null)),
  check (rating is null or status = 'completed'),
  check ((rating is null) = (rated_at is null))
);
-- One live or completed consultation per queue token: a repeated start returns it. A token whose
-- consultation did not happen (e.g. the network failed) may be started again.
create unique index consultations_token_idx on consultations (token_id)
  where token_id is not null and status <> 'not_happened';
create index consultations_patient_idx on consultations (patient_id, started_at desc);
create index consultations_practitioner_idx on consultations (practitioner_id, started_at);
create index consultations_facility_idx on consultations (facility_id, started_at);
create index consultations_state_idx on consultations (state_id, started_at);
