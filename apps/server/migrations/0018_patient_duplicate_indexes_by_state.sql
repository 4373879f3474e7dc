-- The likely-duplicate lookups are always within the caller's states: lead the name-key and
-- village indexes with the state, so a coarse key ("rm" for Ram, Rama, Ramu) is searched in one
-- state's patients, not the whole country's.
create index patients_state_name_key_idx on patients (state_id, patient_name_key(name), birth_year);
create index patients_state_village_year_idx on patients (state_id, lower(village), birth_year)
  where village is not null;
drop index patients_name_key_idx;
drop index patients_village_year_idx;
