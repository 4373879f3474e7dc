-- Family profiles under one mobile number, and the earlier records patients upload.

-- A profile the account holder removed from their account. The record itself stays (clinical
-- records are never lost, and staff still find it); it only leaves the account's list.
alter table patients add column account_removed_at timestamptz;
drop index patients_account_idx;
create index patients_account_idx on patients (account_user_id, created_at)
  where account_user_id is not null and account_removed_at is null;

-- Stored files (for now: images and PDFs of earlier records). Content is kept in the database so
-- that several stateless instances share it; a later issue may move `content` to object storage
-- behind the same FileStore interface and keep only the metadata here.
create table files (
  id uuid primary key,
  state_id text not null references states (id),
  patient_id uuid not null references patients (id),
  title text,
  media_type text not null check (media_type in ('image/jpeg', 'image/png', 'image/webp', 'application/pdf')),
  size_bytes integer not null check (size_bytes > 0),
  sha256 text not null,                -- hex digest of content, to check integrity and spot retries
  content bytea not null,
  uploaded_by uuid references users (id),
  created_at timestamptz not null default now(),
  -- Deleted by the owner: hidden everywhere, kept for the medical record (see the patients service).
  deleted_at timestamptz,
  deleted_by uuid references users (id)
);
create index files_patient_idx on files (patient_id, created_at) where deleted_at is null;
create index files_state_idx on files (state_id, created_at);
