-- e-Prescriptions: the country's formulary, its prescribing rules (India: the Telemedicine
-- Practice Guidelines' lists O, A, B and prohibited), patients' allergies, doctors' signing keys,
-- signed prescriptions with their PDFs, and dispensing.

-- Which lists exist and when a medicine of each may be prescribed, by consultation type and mode.
-- Reloaded from the country pack at every start, so a country changes its rules by data.
create table prescribing_lists (
  code text primary key,               -- O, A, B, prohibited
  name text not null,
  first_modes text[] not null,         -- modes allowed in a first consultation ({} = never)
  follow_up_modes text[] not null,     -- modes allowed in a follow-up ({} = never)
  unlisted_default boolean not null default false,  -- the list of medicines the rules do not name
  description text not null,
  position integer not null
);
create unique index prescribing_lists_default_idx on prescribing_lists (unlisted_default) where unlisted_default;

-- One medicine in one dosage form, with the strengths the list gives (NLEM 2022 for India).
create table formulary_medicines (
  code text primary key,               -- slug of name and form, e.g. paracetamol-tablet
  name text not null,                  -- generic name
  form text not null,                  -- e.g. Tablet, Oral liquid, Eye drops
  strengths text[] not null default '{}',
  route text not null,                 -- oral, topical, ophthalmic, ...
  section text not null,
  level text not null,                 -- P, S, T (primary, secondary, tertiary care)
  notes text,
  list_code text not null references prescribing_lists (code),
  list_reason text,                    -- the rules' entry that put it on its list
  allergy_groups text[] not null default '{}',   -- e.g. penicillin, sulfonamide, nsaid
  active boolean not null default true,
  position integer not null
);
create index formulary_medicines_name_idx on formulary_medicines (lower(name) text_pattern_ops);

-- What a patient is allergic to; removing one keeps it (who removed it and when).
create table patient_allergies (
  id uuid primary key,
  state_id text not null references states (id),
  patient_id uuid not null references patients (id),
  substance text not null,             -- a medicine, a group (penicillin) or anything else
  reaction text,
  severity text check (severity in ('mild', 'moderate', 'severe')),
  recorded_by uuid references users (id),
  recorded_at timestamptz not null,
  removed_at timestamptz,
  removed_by uuid references users (id)
);
create index patient_allergies_patient_idx on patient_allergies (patient_id) where removed_at is null;

-- A doctor's Ed25519 signing key. The private key is encrypted with AES-256-GCM under a key
-- derived from SECRET_KEY; the public key stays readable for verification forever.
create table signing_keys (
  id uuid primary key,
  practitioner_id uuid not null references practitioners (id),
  public_key text not null,            -- SPKI DER, base64
  private_key_encrypted text not null, -- base64 of iv (12) + tag (16) + ciphertext of PKCS#8 DER
  created_at timestamptz not null,
  retired_at timestamptz
);
create unique index signing_keys_current_idx on signing_keys (practitioner_id) where retired_at is null;

create table prescriptions (
  id uuid primary key,
  state_id text not null references states (id),
  consultation_id uuid not null references consultations (id),
  patient_id uuid not null references patients (id),
  practitioner_id uuid not null references practitioners (id),
  facility_id uuid not null references facilities (id),
  -- The signed document exactly as signed (its canonical JSON is what the signature covers).
  document jsonb not null,
  signature text not null,             -- Ed25519 over the canonical JSON, base64url
  signing_key_id uuid not null references signing_keys (id),
  signed_at timestamptz not null,
  replaces_id uuid references prescriptions (id),
  cancelled_at timestamptz,
  cancelled_by uuid references users (id),
  cancel_reason text,
  created_at timestamptz not null default now(),
  check ((cancelled_at is null) = (cancel_reason is null))
);
create index prescriptions_consultation_idx on prescriptions (consultation_id, signed_at);
create index prescriptions_patient_idx on prescriptions (patient_id, signed_at desc);
-- A prescription is replaced at most once.
create unique index prescriptions_replaces_idx on prescriptions (replaces_id) where replaces_id is not null;

-- A signed prescription never changes: only its cancellation may be set, once.
create function prescriptions_immutable() returns trigger language plpgsql as $$
begin
  if tg_op = 'DELETE' then
    raise exception 'prescriptions are never deleted';
  end if;
  if new.id <> old.id or new.document <> old.document or new.signature <> old.signature
     or new.signing_key_id <> old.signing_key_id or new.signed_at <> old.signed_at
     or new.consultation_id <> old.consultation_id or new.patient_id <> old.patient_id
     or new.practitioner_id <> old.practitioner_id or new.state_id <> old.state_id
     or new.facility_id <> old.facility_id or new.replaces_id is distinct from old.replaces_id
     or old.cancelled_at is not null then
    raise exception 'a signed prescription cannot be changed, only cancelled once';
  end if;
  return new;
end;
$$;
create trigger prescriptions_no_change before update or delete on prescriptions
  for each row execute function prescriptions_immutable();

-- The PDF, rendered on first download (never on the signing path) and kept.
create table prescription_pdfs (
  prescription_id uuid primary key references prescriptions (id),
  content bytea not null,
  sha256 text not null,
  rendered_at timestamptz not null
);

-- One dispensing per prescription: the primary key stops a second fill, however concurrent.
create table prescription_dispensings (
  prescription_id uuid primary key references prescriptions (id),
  state_id text not null references states (id),
  pharmacist_user_id uuid not null references users (id),
  facility_id uuid references facilities (id),   -- the pharmacy, when the pharmacist is bound to one
  items jsonb not null,                -- [{index, dispensed, quantity}]
  note text,
  dispensed_at timestamptz not null
);
