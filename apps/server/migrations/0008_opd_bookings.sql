-- Booked places in a later session of an OPD: the next session offered to patients still waiting
-- at closing, and follow-ups booked with the same doctor. A booked token becomes a waiting one
-- when its session opens, keeping the place it was given.
alter table opd_tokens drop constraint opd_tokens_status_check;
alter table opd_tokens add constraint opd_tokens_status_check check (status in ('booked', 'waiting', 'called',
  'in_consultation', 'completed', 'not_happened', 'no_show', 'lapsed', 'cancelled', 'transferred', 'closed'));
alter table opd_tokens add column booked_for timestamptz;            -- when the booked session opens
alter table opd_tokens add column carried_from uuid references opd_tokens (id);  -- the token closed at closing
alter table opd_tokens add column follow_up_of uuid;                 -- the consultation that asked for it
alter table opd_tokens add column next_session_at timestamptz;       -- told to a token closed at closing
create index opd_tokens_booked_idx on opd_tokens (booked_for) where status = 'booked';
-- One booking per closed token and per follow-up: a retry or a second device returns the same one.
create unique index opd_tokens_carried_from_idx on opd_tokens (carried_from) where carried_from is not null;
create unique index opd_tokens_follow_up_idx on opd_tokens (follow_up_of) where follow_up_of is not null;
-- At most one booking per patient at a time.
create unique index opd_tokens_one_booked_idx on opd_tokens (patient_id) where status = 'booked';
